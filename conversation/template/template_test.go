package template

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnpact/learnpact/conversation/contract"
)

const good = `id: presenting
version: 2
title: Present with confidence
goals:
  - text: Give a clear update
    mastery: [Two attendees name the main point]
activities: [Rehearse with a colleague]
evidence: [A recording]
criteria:
  - Ends on time with a clear ask
cadence: fortnightly
duration: 6w
signers: [approver, advocate]
`

func TestParseGood(t *testing.T) {
	tp, err := Parse("p.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Ref() != "presenting@2" || tp.Title != "Present with confidence" || tp.File != "p.yaml" {
		t.Errorf("template = %+v", tp)
	}
	if len(tp.Goals) != 1 || tp.Goals[0].Mastery[0] != "Two attendees name the main point" {
		t.Errorf("goals = %+v", tp.Goals)
	}
	if tp.Cadence != contract.Fortnightly || tp.Duration != 42 || !tp.NeedsAdvocate() {
		t.Errorf("cadence %d, duration %d, advocate %v", tp.Cadence, tp.Duration, tp.NeedsAdvocate())
	}
}

func TestParseDefaults(t *testing.T) {
	tp, err := Parse("d.yaml", []byte("id: d\nversion: 1\ntitle: T\ngoals: [{text: G}]\ncriteria: [C]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tp.Cadence != contract.Weekly || tp.Duration != 56 || tp.NeedsAdvocate() || tp.Signers[0] != RoleApprover {
		t.Errorf("defaults = %+v", tp)
	}
}

// checkErr fails unless err is Errors holding one error with this line,
// field and a message containing msg.
func checkErr(t *testing.T, err error, line int, field, msg string) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error = %v, want Errors", err)
	}
	for _, e := range es {
		if e.Line == line && e.Field == field && strings.Contains(e.Msg, msg) {
			return
		}
	}
	t.Errorf("errors:\n%v\nwant one at line %d, field %q, saying %q", err, line, field, msg)
}

func TestParseBadInput(t *testing.T) {
	menu := "id: m\nversion: 1\ntitle: T\ngoals: [{text: G}]\ncriteria: [C]\nactivities:\n"
	for i := range 500 {
		menu += fmt.Sprintf("  - Activity %d\n", i)
	}
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i := 'b'; i <= 'j'; i++ {
		bomb += fmt.Sprintf("%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	tests := []struct {
		name, yaml  string
		line        int
		field, want string
	}{
		{"unknown field", strings.Replace(good, "cadence:", "cadense:", 1), 11, "cadense", "unknown field"},
		{"criterion without text", strings.Replace(good, "  - Ends on time with a clear ask", `  - ""`, 1), 10, "criteria[1]", "must not be empty"},
		{"null criterion", strings.Replace(good, "  - Ends on time with a clear ask", "  -", 1), 10, "criteria[1]", "must be text"},
		{"menu of 500 items", menu, 7, "activities", "has 500 items; at most 25"},
		{"yaml bomb", bomb, 1, "", "anchors (&name) are not allowed"},
		{"field twice", good + "title: Again\n", 14, "title", "given twice (first on line 3)"},
		{"goal without text", strings.Replace(good, "  - text: Give a clear update\n    mastery", "  - mastery", 1), 5, "goals[1].text", "missing"},
		{"bad id", strings.Replace(good, "id: presenting", "id: Présenter!", 1), 1, "id", "lower-case letters"},
		{"bad cadence", strings.Replace(good, "cadence: fortnightly", "cadence: daily", 1), 11, "cadence", "weekly or fortnightly"},
		{"absurd duration", strings.Replace(good, "duration: 6w", "duration: 9000w", 1), 12, "duration", "up to 366 days"},
		{"no approver", strings.Replace(good, "signers: [approver, advocate]", "signers: [advocate]", 1), 13, "signers", "must include approver"},
		{"not yaml", "id: [unclosed\n", 1, "", "not valid YAML"},
		{"missing criteria", strings.Replace(good, "criteria:\n  - Ends on time with a clear ask\n", "", 1), 1, "criteria", "missing"},
		{"duplicate item", strings.Replace(good, "[Rehearse with a colleague]", "[Rehearse, rehearse]", 1), 7, "activities[2]", "repeats the item"},
		{"long text", strings.Replace(good, "title: Present with confidence", "title: "+strings.Repeat("x", 10_000), 1), 3, "title", "at most 80"},
		{"not a mapping", "- just\n- a list\n", 1, "", "a template is a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, err := Parse("bad.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", tp)
			}
			checkErr(t, err, tc.line, tc.field, tc.want)
			if !strings.HasPrefix(err.Error(), "bad.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	_, err := Parse("big.yaml", []byte(strings.Repeat("# padding\n", MaxFileSize)))
	checkErr(t, err, 0, "", "at most 65536")
}

func TestLoadDuplicateID(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml":    {Data: []byte(good)},
		"b.yml":     {Data: []byte(strings.Replace(good, "title: Present with confidence", "title: Other", 1))},
		"notes.txt": {Data: []byte("not a template")},
	}
	lib, err := Load(fsys)
	if lib != nil {
		t.Errorf("library = %+v despite errors", lib)
	}
	checkErr(t, err, 1, "id", `"presenting" is the id of a.yaml too`)
}

func TestLoadReportsEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte(strings.Replace(good, "cadence:", "cadense:", 1))},
		"b.yaml": {Data: []byte("id: b\n")},
	}
	_, err := Load(fsys)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error = %v", err)
	}
	files := map[string]bool{}
	for _, e := range es {
		files[e.File] = true
	}
	if !files["a.yaml"] || !files["b.yaml"] {
		t.Errorf("errors name files %v, want a.yaml and b.yaml:\n%v", files, err)
	}
}

func TestExamplesPass(t *testing.T) {
	lib, err := Load(Examples())
	if err != nil {
		t.Fatalf("the shipped templates have errors:\n%v", err)
	}
	all := lib.All()
	if len(all) < 3 {
		t.Fatalf("%d shipped templates, want at least 3", len(all))
	}
	for i := 1; i < len(all); i++ {
		if strings.ToLower(all[i-1].Title) > strings.ToLower(all[i].Title) {
			t.Errorf("All not by title: %q before %q", all[i-1].Title, all[i].Title)
		}
	}
	if _, ok := lib.Get("presenting"); !ok {
		t.Error("Get(presenting) found nothing")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("a: &a [x]\nb: *a\n"))
	f.Add([]byte("id: [unclosed\n"))
	f.Add([]byte("goals: [{text: G, mastery: [1, 2]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := Parse("f.yaml", data)
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v is not Errors", err)
			}
			return
		}
		if tp.ID == "" || tp.Title == "" || len(tp.Goals) == 0 || len(tp.Criteria) == 0 {
			t.Fatalf("accepted an incomplete template: %+v", tp)
		}
	})
}

package approverpolicy

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func files(m map[string]string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		if s, ok := m[path]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
}

func TestParseAndCheck(t *testing.T) {
	read := files(map[string]string{"/a.txt": "# learners and their approvers\nULEE = UMO, UANA\n\n29:kai = 29:mo\n"})
	for _, tc := range []struct {
		setting, learner, approver string
		members                    []string
		ok                         bool
		why                        string
	}{
		{"", "ULEE", "USAM", nil, true, ""},
		{"anyone", "ULEE", "USAM", nil, true, ""},
		{" Anyone ", "ULEE", "USAM", nil, true, ""},
		{"@managers", "ULEE", "UMO", []string{"UMO", "UANA"}, true, ""},
		{"@managers", "ULEE", "USAM", []string{"UMO", "UANA"}, false, "not a member of @managers"},
		{"@managers", "ULEE", "UMO", nil, false, "could not be read"},
		{"@19:abc@thread.tacv2", "29:lee", "29:mo", []string{"29:mo"}, true, ""},
		{"file:/a.txt", "ULEE", "UANA", nil, true, ""},
		{"file:/a.txt", "ULEE", "USAM", nil, false, "UMO, UANA"},
		{"file:/a.txt", "29:kai", "29:mo", nil, true, ""},
		{"file:/a.txt", "USAM", "UMO", nil, false, "no approver in the list"},
	} {
		p, err := Parse(tc.setting, read)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.setting, err)
		}
		err = p.Check(tc.learner, tc.approver, tc.members)
		var r *Refused
		if (err == nil) != tc.ok || (err != nil && (!errors.As(err, &r) || !strings.Contains(err.Error(), tc.why))) {
			t.Errorf("%s: Check(%s, %s, %v) = %v", tc.setting, tc.learner, tc.approver, tc.members, err)
		}
	}
	p, _ := Parse("@managers", read)
	if h, ok := p.Group(); !ok || h != "managers" || p.String() != "@managers" {
		t.Errorf("group %q %v %s", h, ok, p)
	}
	if r := (&Refused{Listed: []string{"UMO"}}); !slices.Equal(r.Listed, []string{"UMO"}) {
		t.Error(r)
	}
}

func TestParseRefuses(t *testing.T) {
	read := files(map[string]string{"/bad.txt": "ULEE UMO\nUSAM =\n", "/empty.txt": "# nobody\n"})
	for setting, want := range map[string]string{
		"everyone":          "want anyone, @group-handle or file:PATH",
		"@":                 "a group handle is one word",
		"@two words":        "a group handle is one word",
		"@@managers":        "a group handle is one word",
		"file:":             "name the file",
		"file:/missing.txt": "cannot read /missing.txt",
		"file:/bad.txt":     "line 1: want LEARNER = APPROVER, APPROVER",
		"file:/empty.txt":   "no learner is listed",
	} {
		_, err := Parse(setting, read)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "APPROVERS") {
			t.Errorf("Parse(%q) = %v, want an error naming APPROVERS with %q", setting, err, want)
		}
	}
	if _, err := Parse("file:/bad.txt", read); err == nil || !strings.Contains(err.Error(), "line 2: no approver for USAM") {
		t.Errorf("every bad line is named: %v", err)
	}
}

func FuzzParseList(f *testing.F) {
	f.Add("ULEE = UMO, UANA\n# c\n29:a=29:b")
	f.Fuzz(func(t *testing.T, s string) {
		list, err := parseList([]byte(s))
		if err != nil {
			return
		}
		for l, as := range list {
			if l == "" || len(as) == 0 || slices.Contains(as, "") {
				t.Fatalf("list %q from %q", list, s)
			}
		}
	})
}

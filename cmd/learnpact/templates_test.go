package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplatesCheckShipped(t *testing.T) {
	var out, errOut bytes.Buffer
	code := cli(t.Context(), []string{"templates", "check", "../../conversation/template/examples"}, func(string) string { return "" }, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "ok  presenting@1") || !strings.Contains(out.String(), "no problems") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestTemplatesCheckReportsProblems(t *testing.T) {
	dir := t.TempDir()
	bad := "id: x\nversion: 1\ntitle: T\ngoals: [{text: G}]\ncriteria: [\"\"]\ncolour: blue\n"
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := cli(t.Context(), []string{"templates", "check", dir}, func(string) string { return "" }, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s", code, out.String())
	}
	for _, want := range []string{"x.yaml:5: criteria[1]: must not be empty", "x.yaml:6: colour: unknown field"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if code := cli(t.Context(), []string{"templates", "check", filepath.Join(dir, "none")}, func(string) string { return "" }, &out, &errOut); code != 2 {
		t.Errorf("missing directory: exit %d, want 2", code)
	}
}

// TestTemplatesCheckBadInput runs `learnpact templates check` on a
// directory holding one bad template (or two, for a repeated id) for each
// bad input the format refuses, and checks the exit code and that the
// problem names its file, line and field.
func TestTemplatesCheckBadInput(t *testing.T) {
	const ok = "id: %s\nversion: 1\ntitle: Present with confidence\ngoals:\n  - text: Give a clear update\n" +
		"activities: [Rehearse with a colleague]\nevidence: [A recording]\ncriteria:\n  - Ends on time\n"
	menu := ""
	for i := range 500 {
		menu += fmt.Sprintf("  - activity %d\n", i)
	}
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"duplicate id", map[string]string{"a.yaml": fmt.Sprintf(ok, "same"), "b.yaml": fmt.Sprintf(ok, "same")}, "b.yaml:1: id: "},
		{"unknown field", map[string]string{"a.yaml": fmt.Sprintf(ok, "a") + "colour: blue\n"}, "a.yaml:10: colour: unknown field"},
		{"criterion without text", map[string]string{"a.yaml": strings.Replace(fmt.Sprintf(ok, "a"), "  - Ends on time", `  - ""`, 1)}, "a.yaml:9: criteria[1]: must not be empty"},
		{"menu of 500 items", map[string]string{"a.yaml": strings.Replace(fmt.Sprintf(ok, "a"), "activities: [Rehearse with a colleague]\n", "activities:\n"+menu, 1)}, "a.yaml:7: activities: has 500 items; at most 25"},
		{"YAML bomb", map[string]string{"a.yaml": bomb}, "a.yaml:1: "},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		for name, body := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var out, errOut bytes.Buffer
		code := cli(t.Context(), []string{"templates", "check", dir}, func(string) string { return "" }, &out, &errOut)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1; stdout:\n%s", tc.name, code, out.String())
		}
		if !strings.Contains(errOut.String(), dir+"/"+tc.want) {
			t.Errorf("%s: stderr lacks %q:\n%s", tc.name, tc.want, errOut.String())
		}
		if strings.Contains(out.String(), "ok ") {
			t.Errorf("%s: a bad template was listed as ok:\n%s", tc.name, out.String())
		}
	}
}

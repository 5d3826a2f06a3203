package main

import (
	"bytes"
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

package cardcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if err := Installed(); err != nil {
		// Fail, not skip: the Teams adapter's tests rely on this check.
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestValidCard(t *testing.T) {
	r, err := Check("testdata/valid-1.5.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 1 || r[0].Card != "testdata/valid-1.5.json" || !r.OK() {
		t.Fatalf("report = %+v, want one clean card", r)
	}
}

// TestProblems asserts only what the library (or check.js, for versions
// the library accepts but Teams does not render) really reports.
func TestProblems(t *testing.T) {
	type want struct{ event, origin, mentions string }
	cases := []struct {
		file string
		want []want
	}{
		{"unknown-element.json", []want{{"UnknownElementType", "adaptivecards", `"Sparkline"`}}},
		{"bad-property.json", []want{{"InvalidPropertyValue", "adaptivecards", `"weight"`}}},
		// The library accepts 1.6, its newest version; Teams renders 1.5.
		{"version-1.6.json", []want{{"UnsupportedCardVersion", "cardcheck", "1.6"}}},
		{"version-1.7.json", []want{
			{"UnsupportedCardVersion", "adaptivecards", "1.7"},
			{"UnsupportedCardVersion", "cardcheck", "1.7"},
		}},
	}
	files := make([]string, len(cases))
	for i, tc := range cases {
		files[i] = filepath.Join("testdata", tc.file)
	}
	r, err := Check(files...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != len(cases) {
		t.Fatalf("%d reports for %d cards", len(r), len(cases))
	}
	for i, tc := range cases {
		got := r[i].Problems
		if r[i].Card != files[i] || len(got) != len(tc.want) {
			t.Errorf("%s: report %+v, want %d problems", files[i], r[i], len(tc.want))
			continue
		}
		for j, w := range tc.want {
			if got[j].Event != w.event || got[j].Origin != w.origin || !strings.Contains(got[j].Message, w.mentions) {
				t.Errorf("%s: problem %d = %+v, want %s from %s mentioning %s", files[i], j, got[j], w.event, w.origin, w.mentions)
			}
		}
	}
	if r.OK() || !strings.Contains(r.Err().Error(), "unknown-element.json: Parse UnknownElementType") {
		t.Errorf("Err() = %v, want every problem named with its card", r.Err())
	}
}

func TestCheckJSON(t *testing.T) {
	r, err := CheckJSON(
		[]byte(`{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlock","text":"hi"}]}`),
		[]byte(`{"version":"1.5","body":[{"type":"Input.Text","id":"a"},{"type":"Input.Text","id":"a"}]}`),
		[]byte(`[1]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	events := func(c CardReport) []string {
		var out []string
		for _, p := range c.Problems {
			out = append(out, p.Event)
		}
		return out
	}
	if len(r) != 3 {
		t.Fatalf("report = %+v, want 3 cards", r)
	}
	if got := events(r[0]); len(got) != 0 {
		t.Errorf("#0: %v, want clean", got)
	}
	if got := events(r[1]); !slices.Equal(got, []string{"MissingCardType", "DuplicateId"}) {
		t.Errorf("#1: %v, want MissingCardType and DuplicateId", got)
	}
	if got := events(r[2]); !slices.Equal(got, []string{"Other"}) {
		t.Errorf("#2: %v, want Other (not an object)", got)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := CheckJSON([]byte(`{`)); err == nil {
		t.Error("CheckJSON accepted a card that is not JSON")
	}
	if _, err := Check(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Check(missing file) = %v, want an error naming it", err)
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Check(broken)
	if err != nil || len(r) != 1 || len(r[0].Problems) != 1 || !strings.Contains(r[0].Problems[0].Message, "not JSON") {
		t.Errorf("Check(broken) = %+v, %v; want one 'not JSON' problem", r, err)
	}
	if _, err := Check(); err == nil {
		t.Error("Check() with no files passed")
	}
}

func TestAssertValid(t *testing.T) {
	AssertValid(t, []byte(`{"type":"AdaptiveCard","version":"1.5","body":[]}`))
	ft := &fakeTB{TB: t}
	AssertValid(ft, []byte(`{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Nope"}]}`))
	if !strings.Contains(ft.failed, "UnknownElementType") {
		t.Errorf("AssertValid on a bad card reported %q", ft.failed)
	}
}

// fakeTB records failures instead of failing the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Errorf(format string, args ...any) { f.failed += fmt.Sprintf(format, args...) }

package conversation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// Every change shows both sides, whatever their length: each side in a
// section of its own, within the section limit, with what differs.
func TestDiffShowsBothSides(t *testing.T) {
	long := func(s string) string { return strings.Repeat("the same words on both sides, ", 150) + s }
	prev := contract.Terms{
		Title:      "Running design reviews",
		Goals:      []contract.Goal{{Text: long("old goal")}, {Text: "Write a guide"}, {Text: "Lead a review"}},
		Activities: []string{long("old activity")},
		Evidence:   []string{"A write-up"},
		Criteria:   []contract.Criterion{{Text: "one"}, {Text: "two"}, {Text: "three"}},
		Support:    long("old support"),
	}
	cur := prev
	cur.Goals = []contract.Goal{{Text: long("new goal")}, {Text: "Write a guide"}, {Text: "Lead a review"}}
	cur.Activities = []string{long("new activity")}
	cur.Evidence = []string{"A write-up", long("new evidence")}
	cur.Criteria = []contract.Criterion{{Text: "uno"}, {Text: "dos"}, {Text: "tres"}}
	cur.Support = strings.Repeat("x", 4000) + "new support"
	cur.Title = "Running reviews"

	bs := diffBlocks(1, contract.Diff(prev, cur))
	m := message.Message{Summary: "What changed", Blocks: bs}
	messagetest.CheckLimits(t, "diff", m)
	got := messagetest.Text(m)
	for _, want := range []string{
		"Title\nRunning design reviews → Running reviews",
		"Goal 1\nBefore:\n…", "old goal\nNow:\n…", "new goal",
		"Activities and resources\nBefore:\n…", "old activity\nNow:\n…", "new activity",
		"Evidence\nBefore:\n• A write-up\nNow:\n• A write-up\n• the same words",
		"Success criteria\nBefore:\n• one\n• two\n• three\nNow:\n• uno\n• dos\n• tres",
		"sides, old support\nNow:\nxxx", "x…x", "xnew support",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the diff lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Write a guide") {
		t.Errorf("the diff shows a goal that did not change:\n%s", got)
	}
	for i, b := range bs {
		s, ok := b.(message.Section)
		if !ok {
			continue
		}
		n := utf8.RuneCountInString(s.Text.String())
		if n > maxDiffSide+40 {
			t.Errorf("block %d has %d characters", i, n)
		}
		if x := s.Text.String(); strings.Contains(x, "Before:") && strings.Contains(x, "Now:") {
			t.Errorf("block %d holds both sides, so a cut could lose one:\n%s", i, x)
		}
	}
}

func TestShortenPair(t *testing.T) {
	for _, tc := range []struct {
		old, new string
		max      int
		a, b     string // what each side must show
	}{
		{"short", "shorter", 20, "short", "shorter"},
		{"aaaa bbbb cccc dddd X eeee", "aaaa bbbb cccc dddd Y eeee", 12, "X", "Y"},
		{strings.Repeat("a ", 200) + "X" + strings.Repeat(" z", 200), strings.Repeat("a ", 200) + "Y" + strings.Repeat(" z", 200), 200, "a a X z z", "a a Y z z"},
		{strings.Repeat("o", 50), strings.Repeat("n", 500), 100, strings.Repeat("o", 50), strings.Repeat("n", 50) + "…" + strings.Repeat("n", 49)},
		{"same start " + strings.Repeat("p", 300) + " old end", "same start " + strings.Repeat("q", 300) + " new end", 100, "pp old end", "qq new end"},
	} {
		a, b := shortenPair(tc.old, tc.new, tc.max)
		if utf8.RuneCountInString(a) > tc.max && a != tc.old || utf8.RuneCountInString(b) > tc.max {
			t.Errorf("shortenPair(%d, %d runes) = %d, %d runes, over %d", len(tc.old), len(tc.new), len(a), len(b), tc.max)
		}
		if a == b && tc.old != tc.new {
			t.Errorf("shortenPair made both sides the same: %q", a)
		}
		if !strings.Contains(a, tc.a) || !strings.Contains(b, tc.b) {
			t.Errorf("shortenPair(%q, %q) =\n%q\n%q\nwant them to show\n%q\n%q", tc.old, tc.new, a, b, tc.a, tc.b)
		}
	}
}

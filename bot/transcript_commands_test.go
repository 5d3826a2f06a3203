package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestTranscriptTyposAndSingleEdits: a typo of a command is questioned
// rather than taken as a goal (so "Use suggestion" on the coach's card
// still takes the suggestion for the goal typed), a word sent again after
// the question is the answer, single goals, activities, evidence and
// criteria are changed or removed one at a time, a Sunday deadline gets a
// note, and the approver's help is worded for them.
func TestTranscriptTyposAndSingleEdits(t *testing.T) {
	w := newWorld(t, "Typos of commands, one item edited at a time, a weekend deadline, help per role")
	w.Say(lee, "new")
	w.Say(lee, "Presenting")
	w.Say(lee, "get better at presenting")
	coached := w.Latest(lee)
	w.Say(lee, "hepl")
	w.ClickOn(lee, coached, "Use suggestion")
	if g := w.Contract("c1").Terms.Goals; len(g) != 1 || !strings.Contains(g[0].Text, "presentation") || strings.Contains(g[0].Text, "hepl") {
		t.Fatalf("goals after the typo and Use suggestion: %+v", g)
	}
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, "Watch two talks; rehearse with Sam")
	w.Say(lee, "A recorded talk; my slides")
	w.Say(lee, "A clear structure; finishes on time")
	w.Say(lee, "sunday 28 march")
	w.Click(lee, "Weekly")
	w.Say(lee, "<@UMO|mo>")
	w.SkipNotes(lee)
	w.Say(lee, "stauts")
	w.Say(lee, "edit goal 1")
	w.Say(lee, "Give a ten-minute talk on our roadmap to my team")
	w.Say(lee, "edit evidence 2")
	w.Say(lee, "delete")
	w.Say(lee, "edit criterion 3")
	w.Say(lee, "edit activity 1")
	w.Click(lee, "Keep as is")
	w.Say(lee, "edit criterion 2")
	w.Say(lee, "Finishes within ten minutes")
	w.Say(lee, "edit title")
	w.Say(lee, "Stats")
	w.Say(lee, "Stats")
	w.Say(lee, "help")
	w.Say(lee, "send")
	w.Say(mo, "help")
	w.Say(mo, "lsit")
	golden(t, w, "typos_and_single_edits")

	c := w.Contract("c1")
	want := contract.Terms{
		Title:      "Stats",
		Goals:      []contract.Goal{{Text: "Give a ten-minute talk on our roadmap to my team"}},
		Activities: []string{"Watch two talks", "rehearse with Sam"},
		Evidence:   []string{"A recorded talk"},
		Criteria:   []contract.Criterion{{Text: "A clear structure", ProposedBy: lee}, {Text: "Finishes within ten minutes", ProposedBy: lee}},
		Deadline:   time.Date(2027, 3, 28, 0, 0, 0, 0, time.UTC),
		Cadence:    contract.Weekly,
	}
	if d := contract.Diff(want, c.Terms); len(d) > 0 {
		t.Errorf("terms differ from what was typed: %+v", d)
	}
	if c.Status != contract.Proposed {
		t.Errorf("status %s, want proposed", c.Status)
	}
	if s := w.Session(lee); s.EditItem != 0 || s.Typo != "" {
		t.Errorf("session keeps an item or a typo: %+v", s)
	}
	if s := w.Session(mo); s.State != conversation.StateIdle {
		t.Errorf("the approver's session: %+v", s)
	}
}

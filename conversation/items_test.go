package conversation

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

// TestEditOneItem changes one item of each list in a draft sent back for
// changes, and checks that only that item changed, that the dialog comes
// back to where the learner was, and that leaving the step in another way
// ends the edit.
func TestEditOneItem(t *testing.T) {
	fx := fixtures(t)
	c := fx["changes_requested"]
	s := Session{User: lee, State: StateSummary, ContractID: c.ID}
	say := func(text string) string {
		t.Helper()
		res := Step(testEnv(), s, c, Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: text})
		s = res.Session
		if res.Contract != nil {
			c = res.Contract
		}
		return repliesText(res)
	}
	before := c.Terms.Clone()

	if got := say("edit activity 2"); !strings.Contains(got, "Activity 2 is now:\nread the Design Review Handbook") || s.EditItem != 2 {
		t.Fatalf("edit activity 2: %+v\n%s", s, got)
	}
	say("Read the Design Review Handbook, chapters 1-4")
	if want := []string{"Shadow Ana's reviews", "Read the Design Review Handbook, chapters 1-4"}; !slices.Equal(c.Terms.Activities, want) {
		t.Errorf("activities %q, want %q", c.Terms.Activities, want)
	}
	if s.State != StateSummary || s.EditItem != 0 || s.Editing {
		t.Errorf("after the edit: %+v, want back at the summary", s)
	}

	// A criterion changed by the learner is theirs; one kept keeps its author.
	c.Terms.Criteria = append(c.Terms.Criteria, contract.Criterion{Text: "Mo watches one review", ProposedBy: mo})
	say("edit criterion 1")
	say("Two teammates run a review with my checklist")
	if got := c.Terms.Criteria; len(got) != 2 || got[0] != (contract.Criterion{Text: "Two teammates run a review with my checklist", ProposedBy: lee}) ||
		got[1].ProposedBy != mo {
		t.Errorf("criteria %+v", got)
	}

	// "back" leaves the item unchanged and ends the edit.
	say("edit goal 1")
	say("back")
	if s.EditItem != 0 || c.Terms.Goals[0] != before.Goals[0] {
		t.Errorf("back from editing a goal: %+v, goals %+v", s, c.Terms.Goals)
	}

	// Out of range, and a part that is no list.
	for _, typed := range []string{"edit goal 2", "edit evidence 0", "edit title 1"} {
		was := c.Terms.Clone()
		got := say(typed)
		if s.EditItem != 0 || len(contract.Diff(was, c.Terms)) > 0 || got == "" {
			t.Errorf("%q: %+v\n%s", typed, s, got)
		}
	}

	// Removing the only goal leaves the draft without one.
	s = Session{User: lee, State: StateSummary, ContractID: c.ID}
	say("edit goal 1")
	say("delete")
	if len(c.Terms.Goals) != 0 || s.State != StateSummary {
		t.Errorf("after deleting goal 1: goals %+v, %+v", c.Terms.Goals, s)
	}
	if !slices.Equal(c.Terms.Evidence, before.Evidence) {
		t.Errorf("evidence changed: %q", c.Terms.Evidence)
	}
}

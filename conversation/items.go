package conversation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Editing one goal, activity, piece of evidence or success criterion
// ("edit goal 2") rather than the whole list. The session's state is the
// part's own step (StateGoal for a goal) and Session.EditItem the number of the
// item being changed; enter clears it, so every other way out of the step
// ends the edit.

// listPart is a part of the contract that is a list of items.
type listPart struct {
	state State
	noun  string // one item, capitalised as the first word of a sentence
}

// listParts are the parts whose items can be edited one at a time, by the
// part's field name.
var listParts = map[string]listPart{
	contract.FieldGoals:      {StateGoal, "Goal"},
	contract.FieldActivities: {StateActivities, "Activity"},
	contract.FieldEvidence:   {StateEvidence, "Evidence"},
	contract.FieldCriteria:   {StateCriteria, "Criterion"},
}

// listPartOf is the list part whose items a state edits.
func listPartOf(st State) (listPart, bool) {
	for _, lp := range listParts {
		if lp.state == st {
			return lp, true
		}
	}
	return listPart{}, false
}

// cutItem splits "goal 2" into the part's name and the item number.
func cutItem(name string) (string, int, bool) {
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(name[i+1:], "#"))
	if err != nil {
		return "", 0, false
	}
	return strings.TrimSpace(name[:i]), n, true
}

// items are the texts of a list part of the terms.
func items(tm contract.Terms, st State) []string {
	switch st {
	case StateGoal:
		out := make([]string, len(tm.Goals))
		for i, g := range tm.Goals {
			out[i] = g.Text
		}
		return out
	case StateActivities:
		return tm.Activities
	case StateEvidence:
		return tm.Evidence
	case StateCriteria:
		out := make([]string, len(tm.Criteria))
		for i, c := range tm.Criteria {
			out[i] = c.Text
		}
		return out
	}
	return nil
}

// editItem starts changing item n of a list part; it comes back to where
// the learner was once done.
func (t *turn) editItem(name string, n int) {
	p, ok := partNamed(name)
	lp, isList := listParts[p.name]
	if !ok || !isList {
		t.reply(editHelpMsg(t.draftedFor(t.c)))
		return
	}
	have := items(t.c.Terms, lp.state)
	if n < 1 || n > len(have) {
		t.reply(noSuchItemMsg(lp, p, n, len(have)))
		return
	}
	if lp.state == StateCriteria && t.c.Terms.Criteria[n-1].Fixed {
		t.reply(note("The template's criteria stay", fixedRefusal(&contract.FixedError{Dropped: []string{have[n-1]}})))
		return
	}
	if t.s.State == StateStopped {
		if prev, ok := t.pop(); ok {
			t.s.State = prev
		}
	}
	if t.s.State != lp.state || t.s.EditItem != n {
		t.push(entry(t.s.State))
	}
	t.s.Editing, t.s.Pending = true, nil
	t.s.State, t.s.EditItem = lp.state, n
	t.reply(t.prompt(nil))
}

// editingItem is the list part and item number being changed, if any.
func (t *turn) editingItem() (listPart, int, bool) {
	lp, ok := listPartOf(t.s.State)
	if !ok || t.s.EditItem < 1 || t.s.EditItem > len(items(t.c.Terms, t.s.State)) {
		return listPart{}, 0, false
	}
	return lp, t.s.EditItem, true
}

// setItem replaces (or, for "delete", removes) the item being changed.
func (t *turn) setItem(text string) {
	lp, n, _ := t.editingItem()
	i := n - 1
	remove := normalize(text) == "delete" || normalize(text) == "remove"
	ok := t.edit(func(tm *contract.Terms) {
		switch lp.state {
		case StateGoal:
			if remove {
				tm.Goals = append(tm.Goals[:i:i], tm.Goals[i+1:]...)
			} else {
				tm.Goals[i].Text = text
			}
		case StateActivities:
			tm.Activities = replaceItem(tm.Activities, i, text, remove)
		case StateEvidence:
			tm.Evidence = replaceItem(tm.Evidence, i, text, remove)
		case StateCriteria:
			if remove {
				tm.Criteria = append(tm.Criteria[:i:i], tm.Criteria[i+1:]...)
			} else if tm.Criteria[i].Text != text {
				tm.Criteria[i] = contract.Criterion{Text: text, ProposedBy: t.in.User}
			}
		}
	})
	if !ok {
		return
	}
	done := fmt.Sprintf("%s %d changed.", lp.noun, n)
	if remove {
		done = fmt.Sprintf("%s %d removed.", lp.noun, n)
	}
	t.advance(message.T(done))
}

// replaceItem returns list with item i replaced by text, or removed.
func replaceItem(list []string, i int, text string, remove bool) []string {
	out := append([]string(nil), list[:i]...)
	if !remove {
		out = append(out, text)
	}
	return append(out, list[i+1:]...)
}

// itemPrompt asks for the new version of one item.
func itemPrompt(lead text, lp listPart, n int, current, val string) message.Message {
	return msg(fmt.Sprintf("Change %s %d", strings.ToLower(lp.noun), n), withLead(lead,
		section(bold(fmt.Sprintf("%s %d", lp.noun, n)), " is now:\n", current),
		section("Type the new version, or ", code("delete"), " to remove it."),
		actions(button("Keep as is", ActionKeep, val, message.Primary)),
	)...)
}

// noSuchItemMsg answers "edit goal 5" when there are fewer.
func noSuchItemMsg(lp listPart, p part, n, have int) message.Message {
	noun := strings.ToLower(lp.noun)
	if have == 0 {
		return note("Nothing to change yet", fmt.Sprintf("There's no %s %d: your draft has no %s yet. Type ", noun, n, p.label),
			code("edit "+p.name), " to add them.")
	}
	if have > 1 {
		return note("Which one?", fmt.Sprintf("There's no %s %d: you have %d. Type ", noun, n, have), code("edit "+noun),
			fmt.Sprintf(" with a number from 1 to %d, like ", have), code(fmt.Sprintf("edit %s 1", noun)), ".")
	}
	return note("Which one?", fmt.Sprintf("There's no %s %d: you have just one. Type ", noun, n), code(fmt.Sprintf("edit %s 1", noun)), ".")
}

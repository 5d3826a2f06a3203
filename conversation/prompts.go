package conversation

import (
	"errors"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// A card's buttons answer the question the card asked (ActionValue.Prompt),
// and a click whose question has passed is refused privately, with the card
// updated to say so in place of its buttons.

const (
	suggestionPrefix = "sg:" // + a hash of the goal typed and the suggestion
	checkInPrefix    = "ci:" // + how many check-ins the learner had made
)

// suggestionPrompt names the coached suggestion a card offers.
func suggestionPrompt(p *Pending) string {
	if p == nil {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(p.Original))
	h.Write([]byte{0})
	h.Write([]byte(p.Suggestion))
	return suggestionPrefix + strconv.FormatUint(h.Sum64(), 36)
}

// checkInPrompt names a check-in prompt by the check-ins made before it:
// it is answered by the next one, and only once.
func checkInPrompt(c *contract.Contract) string {
	return checkInPrefix + strconv.Itoa(len(c.CheckIns))
}

// checkInsBefore reads a check-in prompt's name; false when the card names
// none (it was rendered before prompts were named).
func checkInsBefore(prompt string) (int, bool) {
	s, ok := strings.CutPrefix(prompt, checkInPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// promptValue is what a button answering a prompt about c carries.
func promptValue(c *contract.Contract, prompt string) string {
	return ActionValue{ContractID: c.ID, Version: c.Version, Prompt: prompt}.Encode()
}

// passed answers a click whose question has passed: privately, in one
// line, and on the card clicked, which shows the same line in place of its
// buttons.
func (t *turn) passed(summary string, line text) {
	t.ephemeral(message.Message{Summary: summary, Blocks: blocks{section(line)}})
	t.updateSource(t.in.Source, passedCardMsg(summary, line, t.c))
}

// passedCardMsg replaces a card whose buttons no longer apply.
func passedCardMsg(summary string, line text, c *contract.Contract) message.Message {
	bs := blocks{section(append(txt("⏭ "), line...))}
	if c != nil {
		bs = append(bs, message.Context{Text: txt(titleOf(c.InForce()))})
	}
	return msg(summary, bs...)
}

// suggestionClick takes or declines the coached suggestion of the card
// clicked, when it is the one waiting.
func (t *turn) suggestionClick(id ActionID) {
	v, _ := ParseActionValue(t.in.Value)
	waiting := t.s.State == StateGoalCoach && t.s.Pending != nil
	switch {
	case waiting && v.Prompt == "":
		// A card from before suggestions were named: show the one
		// waiting rather than guess which the click meant.
		t.reprompt(txt("That card is from an earlier version of me. Here's the suggestion waiting for your latest goal."))
		return
	case waiting && v.Prompt == suggestionPrompt(t.s.Pending):
	case waiting:
		t.passed("That suggestion has passed", txt("That suggestion was for a goal you typed earlier. The one waiting is for “",
			clipString(t.s.Pending.Original, 80), "”: choose on its card, or type a new version."))
		return
	case v.Prompt == "":
		t.reprompt(txt("That button is from an earlier step. Here's where we are now."))
		return
	default:
		// Chosen already: the card shows the choice, so it stays.
		t.ephemeral(note("That suggestion has passed", "That suggestion has passed: you're ", t.doing(), " now."))
		return
	}
	p := *t.s.Pending
	if id == ActionUseSuggestion {
		if p.Suggestion == "" {
			t.reprompt(nil)
			return
		}
		t.updateSource(t.in.Source, msg("A suggestion for your goal", section("✅ You used the suggestion: ", p.Suggestion)))
		t.acceptGoal(p.Suggestion)
		return
	}
	t.updateSource(t.in.Source, msg("A suggestion for your goal", section("✅ You kept your goal: ", p.Original)))
	t.acceptGoal(p.Original)
}

// checkInClickable reports whether the check-in card clicked still asks
// its question: nobody has checked in since it was sent. A card named no
// prompt (rendered before prompts were named) asks the one waiting, if
// any. Otherwise it answers privately, saying which check-in is the latest.
func (t *turn) checkInClickable(v ActionValue, verb string) bool {
	c := t.c
	if err := c.Check(contract.RecordCheckIn, t.in.User, 0); err != nil {
		t.refuse(err, verb)
		return false
	}
	n, named := checkInsBefore(v.Prompt)
	switch {
	case named && n == len(c.CheckIns):
		return true
	case !named && (len(c.CheckIns) == 0 || c.CheckInWaiting()):
		return true
	}
	ci, _ := c.LastCheckIn()
	t.passed("You've checked in since", txt("You've checked in since this was sent: ", bold(checkInLabel(ci.Status)),
		" on ", formatDate(ci.At), ", which stays your latest check-in. Type ", code("status"), " to see where your contract is."))
	return false
}

// passedDecision updates the card of a decision refused because a newer
// version replaced the one it shows, so its buttons are not offered again.
// A card refused for its contract's status keeps what it shows: the first
// of two quick clicks has put the outcome there. Digests, listing other
// contracts, stay as they are, and so do cards clicked by someone not a
// party.
func (t *turn) passedDecision(err error) {
	var stale *contract.StaleError
	if t.in.Kind != ActionInput || t.c == nil || !isParty(t.c, t.in.User) || !errors.As(err, &stale) {
		return
	}
	if v, perr := ParseActionValue(t.in.Value); perr == nil && v.Digest {
		return
	}
	m := refusalMsg(err, "", t.c)
	if len(m.Blocks) == 1 {
		if s, ok := m.Blocks[0].(message.Section); ok {
			t.updateSource(t.in.Source, passedCardMsg(m.Summary, s.Text, t.c))
		}
	}
}

// isParty reports whether user takes part in c: its learner, approver or
// advocate.
func isParty(c *contract.Contract, user string) bool {
	if user == "" || c.HiddenFrom(user) {
		return false
	}
	for _, p := range c.Parties() {
		if p == user {
			return true
		}
	}
	return false
}

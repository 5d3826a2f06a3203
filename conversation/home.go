package conversation

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Home: the bot's home for a person (Slack's App Home tab, or `home` in a
// DM): their contracts with where each stands and what comes next, the
// decisions and assessments waiting for them, and a button to start.

// HomeInput says the person opened the bot's home (Slack's App Home tab).
const HomeInput InputKind = "home"

// PublishHome shows View as User's home (Slack's App Home tab). A platform
// without one leaves it.
type PublishHome struct {
	User string
	View message.Message
}

func (PublishHome) effect() {}

const (
	// maxHomeItems is how many contracts each part of the home lists,
	// keeping it well inside Slack's 100 blocks for a Home tab.
	maxHomeItems = 12
)

// onHome publishes the home of the person who opened it.
func (t *turn) onHome() {
	t.out = append(t.out, PublishHome{User: t.in.User, View: HomeView(t.in.User, t.env.Contracts, t.env.Now)})
}

// home answers `home` in a DM with the same view.
func (t *turn) home() { t.reply(HomeView(t.in.User, t.env.Contracts, t.env.Now)) }

// HomeView is user's home: cs are their contracts (as learner, approver or
// advocate), now the time.
func HomeView(user string, cs []*contract.Contract, now time.Time) message.Message {
	var mine, waiting, others []*contract.Contract
	for _, c := range cs {
		switch {
		case c == nil || c.HiddenFrom(user):
		case c.Learner == user:
			mine = append(mine, c)
		case waitsFor(c, user):
			waiting = append(waiting, c)
		default:
			others = append(others, c)
		}
	}
	bs := blocks{
		message.Header{Text: "Your learning contracts"},
		actions(button("New contract", ActionStartNew, "", message.Primary)),
	}
	if len(waiting) > 0 {
		bs = append(bs, section(bold("Waiting for you")))
		bs = append(bs, homeItems(waiting, user, now)...)
	}
	bs = append(bs, section(bold("Your contracts")))
	switch {
	case len(mine) == 0 && len(waiting)+len(others) > 0:
		bs = append(bs, message.Context{Text: txt("None of your own yet.")})
	case len(mine) == 0:
		bs = append(bs, message.Context{Text: txt("None yet. Press ", bold("New contract"), " (or type ", code("new"), " in Messages) to draft one: a goal, how you'll learn it, and how you'll show it.")})
	}
	bs = append(bs, homeItems(mine, user, now)...)
	if len(others) > 0 {
		bs = append(bs, section(bold("Contracts you support")))
		bs = append(bs, homeItems(others, user, now)...)
	}
	bs = append(bs, message.Context{Text: txt("Updated ", now.UTC().Format("Mon 2 Jan 15:04 UTC"), ". Type ", code("help"), " in Messages for everything you can do.")})
	return msg("Your learning contracts", bs...)
}

// waitsFor reports whether c waits for user's decision or assessment.
func waitsFor(c *contract.Contract, user string) bool {
	if c.Approver != user && c.Advocate != user {
		return false
	}
	switch c.Status {
	case contract.Proposed, contract.Renegotiating:
		return !c.SignedBy(user, c.Version)
	case contract.Submitted:
		return c.Approver == user
	}
	return false
}

func homeItems(cs []*contract.Contract, user string, now time.Time) blocks {
	var bs blocks
	for i, c := range cs {
		if i == maxHomeItems {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more: type ", len(cs)-maxHomeItems), code("list"), " in Messages.")})
			break
		}
		line := txt(bold(titleOf(c.InForce())), "\n", statusLabel(c.Status))
		if c.Learner != user {
			line = append(line, txt(" · ", at(c.Learner), "'s")...)
		}
		if d := draftedText(c, user); len(d) > 0 {
			line = append(append(line, txt(" · ")...), d...)
		}
		if next := homeNext(c, user, now); next != "" {
			line = append(line, txt(" · ", next)...)
		}
		s := section(line)
		b := button("Open", ActionShowRecord, value(c), message.Default)
		if c.Drafter() == user && editable(c.Status) {
			b = button("Open", ActionOpen, value(c), message.Default)
		}
		s.Accessory = &b
		bs = append(bs, s)
	}
	return bs
}

// homeNext says what comes next for c, from user's side.
func homeNext(c *contract.Contract, user string, now time.Time) string {
	switch c.Status {
	case contract.Draft, contract.ChangesRequested:
		if c.Drafter() == user {
			return "yours to finish and send"
		}
	case contract.InPeerReview:
		return "with the learning set for feedback"
	case contract.Proposed, contract.Renegotiating:
		if waitsFor(c, user) {
			return fmt.Sprintf("version %d waits for your decision", c.Version)
		}
		return fmt.Sprintf("version %d waits for a signature", c.Version)
	case contract.Submitted:
		if c.Approver == user {
			return "handed in: yours to assess"
		}
		return "handed in, waiting for the assessment"
	case contract.Paused:
		return "paused"
	}
	for _, d := range c.Plan(now) {
		if d.User != user {
			continue
		}
		switch d.Kind {
		case contract.DueCheckIn, contract.DueMidpoint:
			return "next check-in " + d.At.Format("Mon 2 Jan")
		case contract.DueImpact:
			return "we'll ask how it changed your work on " + d.At.Format("Mon 2 Jan")
		}
	}
	if c.Status == contract.Active && !c.InForce().Deadline.IsZero() {
		return "due " + c.InForce().Deadline.Format("Mon 2 Jan 2006")
	}
	return ""
}

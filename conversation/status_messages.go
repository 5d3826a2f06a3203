package conversation

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Where a contract is: status, the list of contracts, and what is said
// when there is nothing to carry on with.

// stateText explains a contract's status as the reason nothing was done.
func stateText(c *contract.Contract) text {
	switch c.Status {
	case contract.Active:
		return txt("This contract is already active.")
	case contract.ChangesRequested:
		return txt("Changes were requested on this version, so it's back with ", at(c.Learner), " for now.")
	case contract.Draft, contract.InPeerReview:
		if c.Version > 0 {
			return txt("It's back with ", at(c.Learner), ", who is revising it.")
		}
		return txt("This contract hasn't been sent for approval yet.")
	case contract.Proposed:
		return txt(fmt.Sprintf("It's waiting for a decision on version %d, so it can't be changed right now.", c.Version))
	case contract.Withdrawn:
		return txt("This contract was withdrawn.")
	case contract.Completed:
		return txt("This contract is already completed.")
	case contract.Submitted:
		return txt("The evidence for this contract has already been submitted.")
	case contract.Paused:
		return txt("This contract is paused.")
	case contract.Renegotiating:
		return txt(fmt.Sprintf("A change to this contract (version %d) is waiting to be signed; version %d stays in force until then.", c.Version, c.Signed))
	}
	return txt("That can't be done with this contract right now.")
}

var statusLabels = map[contract.Status]string{
	contract.Draft: "Draft, not sent yet", contract.InPeerReview: "With your learning set for review",
	contract.Proposed: "Waiting for approval", contract.ChangesRequested: "Changes requested",
	contract.Active: "Active", contract.Renegotiating: "Being renegotiated", contract.Submitted: "Evidence submitted",
	contract.Completed: "Completed", contract.Paused: "Paused", contract.Withdrawn: "Withdrawn",
}

func statusLabel(s contract.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// statusLabelFor is the status as user reads it: a version someone else
// proposed to the learner (an amendment, terms drafted for them) waits
// for the learner, and a learning set reviews the learner's draft, not
// the reader's.
func statusLabelFor(c *contract.Contract, user string) string {
	switch {
	case c.Status == contract.Proposed && user == c.Learner && !c.SignedBy(user, c.Version):
		if r, ok := c.Revision(c.Version); ok && r.ProposedBy != c.Learner {
			return "Waiting for your signature"
		}
	case c.Status == contract.InPeerReview && user != c.Learner:
		return "With the learner's learning set for review"
	}
	return statusLabel(c.Status)
}

// idleMsg answers text when no draft is under way.
func idleMsg(c *contract.Contract, user string) message.Message {
	if c != nil && c.DraftedBy == user && c.Learner != user && (c.Status == contract.Proposed || editable(c.Status)) {
		return draftedIdleMsg(c)
	}
	if c != nil && c.Learner == user && c.Status == contract.Proposed {
		return note("Your contract is with your approver", "Your contract is with ", at(c.Approver), fmt.Sprintf(" for approval (version %d). ", c.Version),
			"I'll let you know when they answer. Type ", code("status"), " to check on it, or ", code("new"), " to start another.")
	}
	if c != nil && c.Learner == user && editable(c.Status) {
		return note("Your draft is waiting", "Your draft is waiting for you. Type ", code("resume"), " to carry on, or ", code("help"), " to see what else you can do.")
	}
	return note("Hi! I help you write learning contracts", "Hi! I help you write a learning contract and agree it with your manager. Type ",
		code("new"), " to start one, ", code("list"), " to see yours, or ", code("help"), ".")
}

// notEditableMsg explains why the current contract can't be edited.
func notEditableMsg(c *contract.Contract, user string) message.Message {
	if c != nil && c.DraftedBy == user && c.Learner != user && (c.Status == contract.Proposed || editable(c.Status)) {
		return draftedIdleMsg(c)
	}
	if c == nil || c.Learner != user {
		return note("No draft to edit", "There's no draft to edit right now. Type ", code("new"), " to start one.")
	}
	if c.Status == contract.Proposed {
		return note("Your contract is with your approver", "It's with ", at(c.Approver), fmt.Sprintf(" for approval (version %d), so it can't be edited right now. ", c.Version),
			"If they ask for changes, you can revise it then.")
	}
	if c.Status == contract.Active {
		return activeEditHint(c)
	}
	return note("That can't be edited now", stateText(c))
}

// activeEditHint offers ways to change a signed contract: a proposal that
// the other party signs.
func activeEditHint(c *contract.Contract) message.Message {
	val := value(c)
	return msg("That can't be edited now",
		section("This contract is signed and active, so it can't be edited directly. You can propose a change for ",
			mentions(approvers(c)), " to sign; until then, the signed version stays in force."),
		actions(button("Propose a new deadline", ActionNewDeadline, val, message.Default),
			button("Change the scope", ActionChangeScope, val, message.Default)),
	)
}

func statusMsg(c *contract.Contract, user string, doing string, now, today time.Time) message.Message {
	if c == nil {
		return note("No contract in progress", "You don't have a contract on the go. Type ", code("new"), " to start one, or ", code("list"), " to see all of yours.")
	}
	head := txt(bold(statusLabelFor(c, user)))
	switch {
	case c.Status == contract.Renegotiating:
		head = append(head, txt(fmt.Sprintf(" · version %d in force, version %d proposed", c.Signed, c.Version))...)
	case shownVersion(c) > 0:
		head = append(head, txt(fmt.Sprintf(" · version %d", shownVersion(c)))...)
	}
	head = append(head, txt("\n", titleOf(c.InForce()))...)
	if from := templateLine(c); from != nil {
		head = append(append(head, txt("\n")...), from...)
	}
	var detail text
	switch c.Status {
	case contract.Draft, contract.InPeerReview:
		if m := c.Missing(now); len(m) > 0 {
			detail = txt("Still needed before it can be sent: ", andList(m), ".")
		} else {
			detail = txt("Complete and ready to send.")
		}
	case contract.Proposed:
		if w := c.AwaitingSignature(); len(w) > 0 {
			detail = append(append(txt("Still to sign: "), mentions(w)...), txt(".")...)
		}
		if r, ok := c.Revision(c.Version); ok && user == c.Learner && r.ProposedBy != user && !c.SignedBy(user, c.Version) {
			detail = txt("It waits for you: ", bold("Accept & sign"), ", ", bold("Edit / counter"), " or ", bold("Decline"), " on the card ",
				at(r.ProposedBy), " sent you.")
			if c.DraftedBy == "" {
				detail = txt("It waits for you: ", bold("Accept & sign"), " or ", bold("Counter"), " on the card ", at(r.ProposedBy), " sent you.")
			}
		}
	case contract.Renegotiating:
		detail = append(append(txt(fmt.Sprintf("A change (version %d) is waiting for ", c.Version)), mentions(c.AwaitingSignature())...),
			txt(fmt.Sprintf(" to sign. Version %d stays in force until then.", c.Signed))...)
	case contract.ChangesRequested:
		detail = txt(at(c.Approver), " asked for changes. Type ", code("resume"), " to revise it.")
	case contract.Active, contract.Submitted, contract.Completed:
		detail = append(append(txt("Signed by "), mentions(c.Parties())...), txt(fmt.Sprintf(" on version %d.", c.Signed))...)
	case contract.Paused:
		detail = txt("Paused since ", formatDate(c.PausedAt))
		if c.PauseReason != "" {
			detail = append(detail, txt(" (", c.PauseReason, ")")...)
		}
		detail = append(detail, txt(": no check-ins or reminders until it's resumed.")...)
		if user == c.Learner {
			detail = append(detail, txt(" Type ", code("resume"), " to pick it up again.")...)
		}
	}
	if d := draftedText(c, user); len(d) > 0 {
		head = append(append(head, txt("\n")...), d...)
	}
	bs := blocks{section(head)}
	if len(detail) > 0 {
		bs = append(bs, section(detail))
	}
	if a := c.AdvocateOf(); a != "" {
		bs = append(bs, message.Context{Text: txt("Workplace advocate: ", at(a))})
	}
	bs = append(bs, privateBlocks(c.InForce())...)
	fin, btns := finishStatusText(c, user)
	if len(fin) > 0 {
		bs = append(bs, section(fin))
	}
	if alive(c.Status) {
		bs = append(bs, checkInHistory(c, now, today)...)
	}
	if user == c.Learner && (c.Status == contract.Active || c.Status == contract.Renegotiating) {
		btns = []message.Button{submitButton(c), button("End early", ActionEndEarly, value(c), message.Default)}
	}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	if user == c.Learner && c.Status == contract.Completed {
		bs = append(bs, section(consentText(c)), consentButtons(c, fromLibraryList, false))
	}
	if doing != "" {
		bs = append(bs, message.Context{Text: txt("Right now you're ", doing, ".")})
	}
	return msg("Where your contract is", bs...)
}

// shownVersion is the version to name for a contract: the one in force once
// signed (a declined proposal is not), else the latest proposal.
func shownVersion(c *contract.Contract) int {
	if c.Signed > 0 && (c.Status == contract.Active || c.Status == contract.Paused) {
		return c.Signed
	}
	return c.Version
}

// maxHistory is how many check-ins status shows.
const maxHistory = 3

// checkInHistory shows the latest check-ins, newest first, and when the
// next one is.
func checkInHistory(c *contract.Contract, now, today time.Time) blocks {
	var bs blocks
	if n := len(c.CheckIns); n > 0 {
		x := txt(bold("Check-ins"))
		for i := n - 1; i >= 0 && i >= n-maxHistory; i-- {
			ci := c.CheckIns[i]
			x = append(x, txt("\n• ", formatDate(ci.At), ": ", checkInLabel(ci.Status))...)
			if ci.Happened != "" {
				x = append(x, txt(" — ", clipString(ci.Happened, 120))...)
			}
		}
		if n > maxHistory {
			x = append(x, txt(fmt.Sprintf("\n…and %d earlier", n-maxHistory))...)
		}
		bs = append(bs, section(x))
	}
	var line text
	if next, ok := nextCheckIn(c, now); ok {
		line = txt("Next check-in: around ", formatDate(next), ". ")
	}
	line = append(line, timeLeftText(c, today)...)
	if len(line) > 0 {
		bs = append(bs, message.Context{Text: line})
	}
	return bs
}

func roleOf(c *contract.Contract, user string) string {
	switch user {
	case c.Learner:
		return "learner"
	case c.Approver:
		return "approver"
	case c.Advocate:
		return "advocate"
	}
	return "participant"
}

// maxListed is how many contracts "list" shows.
const maxListed = 40

func listMsg(cs []*contract.Contract, user string) message.Message {
	if len(cs) == 0 {
		return note("No contracts yet", "You don't have any contracts yet. Type ", code("new"), " to start one.")
	}
	bs := blocks{message.Header{Text: "Your learning contracts"}}
	for i, c := range cs {
		if c == nil {
			continue
		}
		if i == maxListed {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more.", len(cs)-maxListed))})
			break
		}
		line := txt(titleOf(c.InForce()), "\n", statusLabelFor(c, user), " · you're the ", roleOf(c, user))
		if v := shownVersion(c); v > 0 {
			line = append(line, txt(fmt.Sprintf(" · version %d", v))...)
		}
		if d := draftedText(c, user); len(d) > 0 {
			line = append(append(line, txt(" · ")...), d...)
		}
		s := section(line)
		if c.Drafter() == user && editable(c.Status) {
			b := button("Open", ActionOpen, value(c), message.Default)
			s.Accessory = &b
		}
		bs = append(bs, s)
	}
	return msg("Your learning contracts", bs...)
}

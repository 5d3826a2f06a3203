package conversation

import (
	"errors"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// keepAliveButtons are the buttons about a signed contract: on check-ins,
// reminders and the answers to them.
var keepAliveButtons = map[ActionID]func(*turn){
	ActionOnTrack:        func(t *turn) { t.checkIn(contract.OnTrack) },
	ActionBehind:         func(t *turn) { t.checkIn(contract.Behind) },
	ActionBlocked:        func(t *turn) { t.checkIn(contract.Blocked) },
	ActionSnooze:         (*turn).snooze,
	ActionPause:          (*turn).pauseClick,
	ActionResumeContract: (*turn).resumeClick,
	ActionNewDeadline:    (*turn).newDeadline,
	ActionSendDeadline:   (*turn).sendDeadlineClick,
	ActionChangeScope:    (*turn).openRenegotiation,
	ActionAskHelp:        (*turn).askHelpClick,
	ActionDecline:        (*turn).decline,
	ActionReplyCheckIn:   (*turn).replyCheckInClick,
	ActionLetsTalk:       (*turn).letsTalkClick,
	ActionDeclineReason:  (*turn).declineReasonClick,
}

// onDue handles a scheduled item that came due: it sends the check-in or
// reminder the contract's plan holds for now. An item the plan no longer
// holds (the contract moved on, or it was sent already) does nothing. A
// digest is about all the approver's contracts (see sendDigest).
//
// The item is queued, not sent: its message carries a Nudge, and it counts
// as sent when the platform took it (onDelivered).
func (t *turn) onDue() {
	if IsDigest(t.in) {
		t.sendDigest()
		return
	}
	if t.c == nil || t.c.ID != t.in.Contract {
		return
	}
	c := t.c
	d, ok := c.DueNowFor(contract.DueKind(t.in.DueKind), t.in.User, t.env.Now, t.env.Location)
	if !ok || d.User != t.in.User {
		return
	}
	send := func(m message.Message) {
		t.out = append(t.out, Send{User: d.User, Message: m,
			Nudge: &Nudge{Contract: c.ID, Kind: string(d.Kind), At: d.At, User: d.User}})
	}
	var support message.Message
	if d.Kind == contract.DueSupport {
		support = t.supportMsg(c) // before Queue: what is news until now
	}
	c.Queue(d, t.env.Now)
	t.dirty = true
	switch d.Kind {
	case contract.DueSupport:
		send(support)
	case contract.DueCheckIn, contract.DueMidpoint, contract.DueCheckInMissed:
		send(checkInPromptMsg(c, d.Kind, t.today()))
	case contract.DueDeadlineSoon, contract.DueDeadlineTomorrow, contract.DueOverdue:
		send(deadlineNudgeMsg(c, d.Kind, t.today()))
	case contract.DueApprovalReminder:
		send(approvalReminderMsg(c, d.User))
	case contract.DueReviewReminder:
		send(reviewReminderMsg(c, d.User))
	case contract.DueReviewSlow:
		send(gatheredMsg(c, "slow"))
	case contract.DueImpact:
		send(impactPromptMsg(c, c.ImpactDay(d)))
	case contract.DueImpactApprover:
		send(impactApproverMsg(c, c.ImpactDay(d)))
	}
}

// onDelivered records that the platform took a nudge's message: the item
// counts as sent. A second confirmation, or one for an item never queued,
// changes nothing.
func (t *turn) onDelivered() {
	if t.c == nil || t.c.ID != t.in.Contract {
		return
	}
	d := contract.Due{Kind: contract.DueKind(t.in.DueKind), At: t.in.DueAt, User: t.in.User}
	if t.c.Taken(d, t.env.Now) {
		t.dirty = true
	}
}

// checkIn records how it's going, then asks what happened.
func (t *turn) checkIn(status string) {
	v, ok := t.target(t.in.Value)
	if !ok || !t.checkInClickable(v, "check in on") {
		return
	}
	c := t.c
	if !t.decide(c.DoCheckIn(t.in.User, status, t.env.Now), "check in on") {
		return
	}
	t.updateSource(t.in.Source, promptAnsweredMsg(c, checkInOutcome(status)))
	t.beginFollowUp(StateHappened)
	t.reply(t.followUpPrompt(nil))
}

// updateSource replaces the message a button was on, when it is known.
func (t *turn) updateSource(ref MessageRef, m message.Message) {
	if ref.Known() {
		t.update(ref, m)
	}
}

// settleCard answers a click with m in place of the card clicked, or as a
// reply when that card cannot be replaced.
func (t *turn) settleCard(m message.Message) {
	if t.in.Source.Known() {
		t.update(t.in.Source, m)
		return
	}
	t.reply(m)
}

// beginFollowUp asks a follow-up question about the loaded contract. A
// drafting dialog under way on another contract is set aside.
func (t *turn) beginFollowUp(st State) {
	s := &t.s
	if drafting(s.State) && s.ContractID != "" && s.ContractID != t.c.ID && s.Aside == nil {
		s.Aside = &Aside{ContractID: s.ContractID, State: s.State, Back: slices.Clone(s.Back)}
	}
	s.ContractID = t.c.ID
	s.State, s.Back, s.Pending, s.Editing, s.Date, s.EditItem = st, nil, nil, false, "", 0
}

// endFollowUp ends the follow-up question. A drafting dialog it interrupted
// is waiting again, stopped; endFollowUp reports whether there is one.
func (t *turn) endFollowUp() bool {
	t.idle()
	a := t.s.Aside
	t.s.Aside = nil
	if a == nil {
		return false
	}
	back := a.Back
	if a.State != StateStopped {
		back = append(back, a.State)
	}
	if len(back) > maxBack {
		back = back[len(back)-maxBack:]
	}
	t.s.ContractID, t.s.State, t.s.Back = a.ContractID, StateStopped, back
	return true
}

// followUpPrompt is the question of the current follow-up state.
func (t *turn) followUpPrompt(lead text) message.Message {
	c := t.c
	switch t.s.State {
	case StateHappened:
		ci, _ := c.LastCheckIn()
		return happenedPrompt(lead, ci.Status, value(c))
	case StateNext:
		return nextPrompt(lead, value(c))
	case StateNewDeadline:
		return newDeadlinePrompt(lead, c, t.examples())
	case StateConfirmDate:
		if d, ok := t.understood(); ok {
			return confirmDeadlineMsg(lead, c, d)
		}
		return newDeadlinePrompt(lead, c, t.examples())
	case StateHelpNote:
		return helpNotePrompt(lead, c)
	case StatePauseReason:
		return pauseReasonPrompt(lead, c)
	case StateNewAdvocate:
		return newAdvocatePrompt(lead, c)
	}
	if m, ok := t.finishPrompt(lead); ok {
		return m
	}
	return t.helpMsg()
}

// followUpAnswer takes typed text as the answer to a follow-up question.
func (t *turn) followUpAnswer(text string) {
	if text == "" {
		t.reply(t.followUpPrompt(txt("I didn't catch that.")))
		return
	}
	if t.finishAnswer(text) {
		return
	}
	switch t.s.State {
	case StateHappened:
		if t.decide(t.c.NoteCheckIn(t.in.User, text, "", t.env.Now), "check in on") {
			t.s.State = StateNext
			t.reply(t.followUpPrompt(txt("Thanks.")))
		}
	case StateNext:
		if t.decide(t.c.NoteCheckIn(t.in.User, "", text, t.env.Now), "check in on") {
			t.finishCheckIn()
		}
	case StateNewDeadline:
		t.proposeDeadline(text)
	case StateConfirmDate:
		t.confirmDeadline(text)
	case StateHelpNote:
		t.askForHelp(text)
	case StatePauseReason:
		if t.decide(t.c.NotePause(t.in.User, text, t.env.Now), "pause") {
			t.endFollowUp()
			t.reply(pauseNotedMsg(t.c, true))
		}
	case StateNewAdvocate:
		t.newAdvocate(text)
	}
}

// skipFollowUp passes over an optional follow-up question.
func (t *turn) skipFollowUp() {
	if t.finishSkip() {
		return
	}
	switch t.s.State {
	case StateHappened:
		t.s.State = StateNext
		t.reply(t.followUpPrompt(nil))
	case StateNext:
		t.finishCheckIn()
	case StateNewDeadline, StateConfirmDate:
		t.reply(t.followUpPrompt(txt("I need a date to propose. To keep the deadline as it is, type ", code("cancel"), ".")))
	case StateNewAdvocate:
		t.reply(t.followUpPrompt(txt("To keep the advocate as it is, type ", code("cancel"), ".")))
	case StateHelpNote:
		t.askForHelp("")
	case StatePauseReason:
		t.endFollowUp()
		t.reply(pauseNotedMsg(t.c, false))
	}
}

// skipClick handles a follow-up question's Skip button.
func (t *turn) skipClick(f followUp) {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if v, _ := ParseActionValue(t.in.Value); !t.inFollowUp() || t.s.State != f.state || v.Item > 0 && v.Item != t.s.Item {
		t.ephemeral(note("That question has been answered",
			"That question has been answered already. Type ", code("status"), " to see where your contract is."))
		return
	}
	t.skipFollowUp()
}

// stopFollowUp leaves a follow-up question unanswered.
func (t *turn) stopFollowUp() {
	st, c := t.s.State, t.c
	aside := t.endFollowUp()
	t.reply(followUpStoppedMsg(st, c, aside))
}

// finishCheckIn thanks the learner; behind or blocked, it offers ways to
// adjust the contract or get help.
func (t *turn) finishCheckIn() {
	c := t.c
	ci, _ := c.LastCheckIn()
	aside := t.endFollowUp()
	next, _ := nextCheckIn(c, t.env.Now)
	t.reply(checkInDoneMsg(c, ci.Status, next, aside))
}

// nextCheckIn is the date of the next check-in planned (regular or
// mid-point).
func nextCheckIn(c *contract.Contract, now time.Time) (time.Time, bool) {
	for _, d := range c.Plan(now) {
		if d.Kind == contract.DueCheckIn || d.Kind == contract.DueMidpoint {
			return d.At, true
		}
	}
	return time.Time{}, false
}

// snooze puts the waiting check-in off until tomorrow.
func (t *turn) snooze() {
	v, ok := t.target(t.in.Value)
	if !ok || !t.checkInClickable(v, "snooze") {
		return
	}
	c := t.c
	err := c.DoSnooze(t.in.User, t.env.Now)
	if errors.Is(err, contract.ErrNothingToSnooze) {
		t.reply(nothingToSnoozeMsg(c, t.env.Now))
		return
	}
	if !t.decide(err, "snooze") {
		return
	}
	t.updateSource(t.in.Source, promptAnsweredMsg(c, txt("😴 Snoozed: I'll ask again tomorrow.")))
	t.reply(snoozedMsg(c))
}

// pauseClick pauses the contract from a check-in.
func (t *turn) pauseClick() {
	if _, ok := t.target(t.in.Value); ok {
		t.pause(t.in.Source)
	}
}

// pauseCommand pauses the learner's current contract.
func (t *turn) pauseCommand() {
	c := t.sessionContract()
	if c == nil || c.Learner != t.in.User || !alive(c.Status) {
		t.say("Nothing to pause", "There's no active contract of yours to pause right now. Type ", code("list"), " to see your contracts.")
		return
	}
	t.pause(MessageRef{})
}

// pause stops the nudges and asks, optionally, why.
func (t *turn) pause(src MessageRef) {
	c := t.c
	if !t.decide(c.DoPause(t.in.User, "", t.env.Now), "pause") {
		return
	}
	t.updateSource(src, promptAnsweredMsg(c, txt("⏸ You paused this contract.")))
	t.beginFollowUp(StatePauseReason)
	t.reply(t.followUpPrompt(nil))
}

// resumeClick resumes the contract whose Resume button was clicked.
func (t *turn) resumeClick() {
	if _, ok := t.target(t.in.Value); ok {
		t.resumeContract()
	}
}

// resumeContract picks the loaded paused contract up again.
func (t *turn) resumeContract() {
	c := t.c
	if !t.decide(c.DoResume(t.in.User, t.env.Now), "resume") {
		return
	}
	aside := false
	if t.s.State == StatePauseReason && t.s.ContractID == c.ID {
		aside = t.endFollowUp()
	}
	next, _ := nextCheckIn(c, t.env.Now)
	t.reply(resumedMsg(c, next, t.today(), aside))
}

// askHelpClick asks what would help, to pass on to the approver.
func (t *turn) askHelpClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if err := t.c.Check(contract.AskForHelp, t.in.User, 0); err != nil {
		t.refuse(err, "ask for help with")
		return
	}
	t.beginFollowUp(StateHelpNote)
	t.reply(t.followUpPrompt(nil))
}

// askForHelp tells the approver the learner could use a hand.
func (t *turn) askForHelp(note string) {
	c := t.c
	if !t.decide(c.DoAskForHelp(t.in.User, note, t.env.Now), "ask for help with") {
		return
	}
	aside := t.endFollowUp()
	t.reply(helpSentMsg(c, aside))
}

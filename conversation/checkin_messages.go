package conversation

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages that keep a signed contract alive: check-ins, reminders,
// pausing and renegotiation. Reminders are friendly and never threatening.

// daysTo counts the days from today to the deadline (negative once past).
func daysTo(deadline, today time.Time) int {
	return int(deadline.Sub(today) / (24 * time.Hour))
}

// timeLeft says how long is left, in words.
func timeLeft(n int) string {
	switch {
	case n == 1:
		return "1 day left"
	case n < 14:
		return fmt.Sprintf("%d days left", n)
	case n%7 == 0:
		return fmt.Sprintf("%d weeks left", n/7)
	}
	return fmt.Sprintf("about %d weeks left", (n+3)/7)
}

// timeLeftText is a context line with the time left and the deadline of
// the terms in force.
func timeLeftText(c *contract.Contract, today time.Time) text {
	d := c.Deadline()
	if d.IsZero() {
		return nil
	}
	switch n := daysTo(d, today); {
	case n < 0:
		return txt("📅 The deadline was ", formatDate(d))
	case n == 0:
		return txt("⏳ The deadline is today (", formatDate(d), ")")
	default:
		return txt("⏳ ", timeLeft(n), " · deadline ", formatDate(d))
	}
}

var checkInLabels = map[string]string{contract.OnTrack: "On track", contract.Behind: "Behind", contract.Blocked: "Blocked"}

func checkInLabel(status string) string {
	if l, ok := checkInLabels[status]; ok {
		return l
	}
	return status
}

// checkInButtons answer a check-in prompt.
func checkInButtons(c *contract.Contract) message.Actions {
	val := promptValue(c, checkInPrompt(c))
	return actions(
		button("On track", ActionOnTrack, val, message.Primary),
		button("Behind", ActionBehind, val, message.Default),
		button("Blocked", ActionBlocked, val, message.Default),
		button("Snooze a day", ActionSnooze, val, message.Default),
		button("Pause", ActionPause, val, message.Default),
	)
}

// quoted is a contract's title in quotes, as plain text.
func quoted(c *contract.Contract) text { return txt("“", titleOf(c.InForce()), "”") }

func checkInPromptMsg(c *contract.Contract, k contract.DueKind, today time.Time) message.Message {
	summary, opening := "Time for a quick check-in", txt("👋 Time for a quick check-in on ", quoted(c), ". How's it going?")
	switch k {
	case contract.DueMidpoint:
		summary = "Halfway there: time for a check-in"
		opening = txt("🏁 You're about halfway through ", quoted(c), ". A good moment to take stock: how's it going?")
	case contract.DueCheckInMissed:
		summary = "A gentle nudge about your check-in"
		opening = txt("👋 Just a gentle nudge about your check-in on ", quoted(c), ". No pressure: whenever you have a minute, how's it going?")
	}
	bs := blocks{section(opening)}
	if left := timeLeftText(c, today); len(left) > 0 {
		bs = append(bs, message.Context{Text: left})
	}
	return msg(summary, append(bs, checkInButtons(c),
		message.Context{Text: txt("Snooze a day if now's not a good time. Pause if you're on leave or in crunch time: the reminders stop until you resume.")})...)
}

// promptAnsweredMsg replaces a check-in prompt once it is answered, so its
// buttons are not used twice.
func promptAnsweredMsg(c *contract.Contract, outcome text) message.Message {
	return msg("Your check-in", section(outcome), message.Context{Text: txt(titleOf(c.InForce()))})
}

func checkInOutcome(status string) text {
	return txt("✅ You checked in: ", bold(checkInLabel(status)), ".")
}

func happenedPrompt(lead text, status, val string) message.Message {
	if len(lead) == 0 {
		switch status {
		case contract.OnTrack:
			lead = txt("Great to hear! 🙌")
		default:
			lead = txt("Thanks for telling me.")
		}
	}
	return msg("What happened since last time?", withLead(lead,
		section(bold("What happened since last time?"), " A sentence or two is plenty."),
		actions(button("Skip", ActionSkipHappened, val, message.Default)),
	)...)
}

func nextPrompt(lead text, val string) message.Message {
	return msg("What's next?", withLead(lead,
		section(bold("And what's next?"), " What will you do before the next check-in?"),
		actions(button("Skip", ActionSkipNext, val, message.Default)),
	)...)
}

// asideNote reminds the learner of the draft a question interrupted.
func asideNote() message.Context {
	return message.Context{Text: txt("Your draft is where you left it: type ", code("resume"), " to carry on.")}
}

func withAside(bs blocks, aside bool) blocks {
	if aside {
		return append(bs, asideNote())
	}
	return bs
}

func checkInDoneMsg(c *contract.Contract, status string, next time.Time, aside bool) message.Message {
	nextNote := ""
	if !next.IsZero() {
		nextNote = "The next check-in is around " + formatDate(next) + "."
	}
	val := value(c)
	var bs blocks
	switch {
	case status == contract.OnTrack:
		bs = blocks{section("🙌 Thanks, that's your check-in done. Keep it up!")}
		if nextNote != "" {
			bs = append(bs, message.Context{Text: txt(nextNote)})
		}
		if c.Status == contract.Active {
			bs = append(bs, section("Finished already? Hand in your evidence whenever you're ready."),
				actions(button("Submit evidence", ActionSubmitEvidence, val, message.Default)))
		}
		return msg("Thanks for checking in", withAside(bs, aside)...)
	case status == contract.Blocked:
		bs = blocks{section("Thanks for saying so: being blocked happens, and it's good to say it early.")}
	default:
		bs = blocks{section("Thanks for being honest: plans often need adjusting, and that's what check-ins are for.")}
	}
	if c.Status == contract.Renegotiating {
		bs = append(bs, section(fmt.Sprintf("Your proposed change (version %d) is waiting for ", c.Version), mentions(c.AwaitingSignature()),
			". Would a hand help in the meantime?"),
			actions(button("Ask my manager for help", ActionAskHelp, val, message.Default)))
	} else {
		bs = append(bs, section("Would any of these help?"),
			actions(button("Propose a new deadline", ActionNewDeadline, val, message.Default),
				button("Change the scope", ActionChangeScope, val, message.Default),
				button("Ask my manager for help", ActionAskHelp, val, message.Default)))
	}
	bs = append(bs, message.Context{Text: txt("Or carry on as you are. ", nextNote)})
	return msg("Thanks for checking in", withAside(bs, aside)...)
}

func followUpStoppedMsg(st State, c *contract.Contract, aside bool) message.Message {
	var bs blocks
	switch st {
	case StateNewDeadline:
		bs = blocks{section("OK, the deadline stays as it is.")}
	case StateNewAdvocate:
		bs = blocks{section("OK, nothing changed: ", quoted(c), " is still with ", mentions(c.AwaitingSignature()), ".")}
	case StateHelpNote:
		bs = blocks{section("OK, I haven't sent anything to ", at(c.Approver), ".")}
	case StatePauseReason:
		bs = blocks{section("OK. ", quoted(c), " stays paused until you're ready."),
			actions(button("Resume", ActionResumeContract, value(c), message.Primary))}
	default:
		bs = blocks{section("OK, stopped there. Your check-in is saved.")}
	}
	return msg("Stopped for now", withAside(bs, aside)...)
}

func nothingToSnoozeMsg(c *contract.Contract, now time.Time) message.Message {
	x := txt("You've already checked in, so there's nothing to snooze. 🙌")
	if next, ok := nextCheckIn(c, now); ok {
		x = append(x, txt(" The next check-in is around ", formatDate(next), ".")...)
	}
	return note("Nothing to snooze", x)
}

func snoozedMsg(c *contract.Contract) message.Message {
	return msg("Snoozed until tomorrow",
		section("😴 No problem, I'll ask again tomorrow."),
		message.Context{Text: txt(titleOf(c.InForce()))})
}

func pauseReasonPrompt(lead text, c *contract.Contract) message.Message {
	val := value(c)
	return msg("Paused", withLead(lead,
		section("⏸ ", quoted(c), " is paused. I won't send any check-ins or reminders until you resume: take the time you need."),
		section(bold("Want to say why?"), " It's optional (leave, crunch time, anything) and it's kept with the contract."),
		actions(button("Skip", ActionSkipPauseReason, val, message.Default),
			button("Resume", ActionResumeContract, val, message.Default)),
		message.Context{Text: txt("Type ", code("resume"), " whenever you're ready.")},
	)...)
}

// pauseNotedMsg ends the pause question; noted says a reason was given.
func pauseNotedMsg(c *contract.Contract, noted bool) message.Message {
	lead := "No problem. "
	if noted {
		lead = "Noted, thanks. "
	}
	return msg("Paused for now",
		section(lead, quoted(c), " stays paused until you're ready: press ", bold("Resume"), " or type ", code("resume"), "."),
		actions(button("Resume", ActionResumeContract, value(c), message.Primary)),
	)
}

func resumedMsg(c *contract.Contract, next, today time.Time, aside bool) message.Message {
	x := txt("▶️ Welcome back! ", quoted(c), " is active again.")
	if c.Status == contract.Renegotiating {
		x = txt("▶️ Welcome back! ", quoted(c), fmt.Sprintf(" is back on. Your proposed change (version %d) is still waiting to be signed.", c.Version))
	}
	bs := blocks{section(x)}
	line := timeLeftText(c, today)
	if !next.IsZero() {
		line = append(txt("Next check-in: around ", formatDate(next), ". "), line...)
	}
	if len(line) > 0 {
		bs = append(bs, message.Context{Text: line})
	}
	return msg("Welcome back", withAside(bs, aside)...)
}

func newDeadlinePrompt(lead text, c *contract.Contract, examples []string) message.Message {
	cur := c.InForce().Deadline
	return msg("What new deadline would you like?", withLead(lead,
		section("📅 ", bold("What new deadline would you like to propose?"), " The current one is ", formatDate(cur), ". I'll send it to ",
			mentions(approvers(c)), " to sign; the current deadline stays until they do."),
		message.Context{Text: append(examplesText(examples), txt(". Type ", code("cancel"), " to leave it as it is.")...)},
	)...)
}

// confirmDeadlineMsg shows the new deadline as understood, with a word when
// it falls on a weekend, before it goes to the approver.
func confirmDeadlineMsg(lead text, c *contract.Contract, d time.Time) message.Message {
	x := txt("📅 I read that as ", bold(formatDate(d)), ". Shall I send it to ", mentions(approvers(c)), " to sign?")
	if w := weekendNote(d); w != nil {
		x = append(x, txt(" ")...)
		x = append(x, w...)
	}
	send := ActionValue{ContractID: c.ID, Version: c.Version, Prompt: datePrompt(d)}.Encode()
	return msg("Is "+formatDate(d)+" right?", withLead(lead,
		section(x),
		actions(button("Send "+formatDate(d), ActionSendDeadline, send, message.Primary),
			button("Pick another date", ActionNewDeadline, value(c), message.Default)),
		message.Context{Text: txt("Or type another date, or ", code("cancel"), " to leave the deadline as it is.")},
	)...)
}

func helpNotePrompt(lead text, c *contract.Contract) message.Message {
	return msg("What would help?", withLead(lead,
		section("🤝 ", bold("What would help?"), " I'll pass your words on to ", at(c.Approver), " as you write them."),
		actions(button("Skip", ActionSkipHelpNote, value(c), message.Default)),
		message.Context{Text: txt("Or press Skip to just let them know you'd like a hand. Type ", code("cancel"), " to leave it.")},
	)...)
}

func helpSentMsg(c *contract.Contract, aside bool) message.Message {
	return msg("Your manager knows you'd like a hand", withAside(blocks{
		section("📨 Done: I'll let ", at(c.Approver), " know you could use a hand with ", quoted(c), ", in their working hours. Their answer comes here."),
	}, aside)...)
}

// maxNote is how much of each check-in note is shown to someone else, so
// both notes fit one section.
const maxNote = 1000

// checkInText shows a check-in: when, how it was going, the notes.
func checkInText(ci contract.CheckIn) text {
	x := txt(bold("Latest check-in"), " (", formatDate(ci.At), "): ", checkInLabel(ci.Status))
	if ci.Happened != "" {
		x = append(x, txt("\n", italic("What happened:"), " ", clipString(ci.Happened, maxNote))...)
	}
	if ci.Next != "" {
		x = append(x, txt("\n", italic("What's next:"), " ", clipString(ci.Next, maxNote))...)
	}
	return x
}

func deadlineNudgeMsg(c *contract.Contract, k contract.DueKind, today time.Time) message.Message {
	d := c.Deadline()
	n := daysTo(d, today)
	when := txt(" (", formatDate(d), ")")
	var summary string
	var body text
	val := value(c)
	var btns []message.Button
	newDeadline := button("Propose a new deadline", ActionNewDeadline, val, message.Default)
	scope := button("Change the scope", ActionChangeScope, val, message.Default)
	help := button("Ask my manager for help", ActionAskHelp, val, message.Default)
	switch {
	case k == contract.DueOverdue || n < 0:
		summary = "The deadline has passed"
		body = txt("🌱 The deadline for ", quoted(c), " was ", formatDate(d), ". Finished? Hand in your evidence. Plans change too, and that's OK: if you need more time or a smaller scope, propose a change and ",
			mentions(approvers(c)), " can sign it; if something's in the way, ask them for a hand.")
		btns = []message.Button{submitButton(c), newDeadline, scope, help}
	case k == contract.DueDeadlineTomorrow || n <= 1:
		summary, body = "The deadline is tomorrow", txt("⏰ The deadline for ", quoted(c), " is tomorrow", when, ".")
		if n == 0 {
			summary, body = "The deadline is today", txt("⏰ The deadline for ", quoted(c), " is today", when, ".")
		}
		body = append(body, txt(" Good luck with the final stretch, you've got this! If it needs a little longer, that's OK: propose a new deadline.")...)
		btns = []message.Button{submitButton(c), newDeadline}
	default:
		summary = fmt.Sprintf("%d days to go", n)
		lead := fmt.Sprintf("📅 %d days to go on ", n)
		if n == 7 {
			summary, lead = "One week to go", "📅 One week to go on "
		}
		body = txt(lead, quoted(c), when, ". How's it coming along? If you need more time or a smaller scope, that's fine: you can propose a change for ",
			mentions(approvers(c)), " to sign.")
		btns = []message.Button{submitButton(c), newDeadline, scope}
	}
	bs := blocks{section(body)}
	if c.Status == contract.Renegotiating {
		bs = append(bs, section(fmt.Sprintf("Your proposed change (version %d) is waiting for ", c.Version), mentions(c.AwaitingSignature()), " to sign."))
		btns = nil
		if k == contract.DueOverdue {
			btns = []message.Button{help}
		}
	}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	return msg(summary, bs...)
}

// --- renegotiation ---

func renegotiationSentMsg(c *contract.Contract, aside bool) message.Message {
	return msg("Your proposed change is on its way", withAside(blocks{
		section("📨 Sent to ", mentions(c.AwaitingSignature()), fmt.Sprintf(" (version %d). Until it's signed, version %d stays in force, so nothing changes yet. I'll let you know the answer.", c.Version, c.Signed)),
	}, aside)...)
}

func renegotiationRequestMsg(c *contract.Contract, recipient string) message.Message {
	r, _ := c.Revision(c.Version)
	var bs blocks
	if r.ProposedBy == c.Learner {
		bs = blocks{section("📝 ", at(c.Learner), fmt.Sprintf(" would like to change their learning contract. Version %d stays in force until you both sign version %d.", c.Signed, c.Version))}
	} else {
		bs = blocks{section("📝 ", at(r.ProposedBy), fmt.Sprintf(" proposed a change to your learning contract (version %d) and signed it. Version %d stays in force until you sign too.", c.Version, c.Signed))}
	}
	if r.Comment != "" {
		bs = append(bs, section(italic("Their note:"), " ", r.Comment))
	}
	if ci, ok := c.LastCheckIn(); ok && r.ProposedBy == c.Learner && ci.Version == c.Signed {
		bs = append(bs, section(checkInText(ci)))
	}
	return signCard(c, recipient, bs, "A change to a learning contract is waiting for you")
}

func renegotiatedMsg(c *contract.Contract, signer string, pending []string) message.Message {
	if len(pending) > 0 {
		return msg("Your proposed change was signed",
			section("✅ ", at(signer), fmt.Sprintf(" signed version %d. It comes into force once ", c.Version), mentions(pending), " signs too."),
			message.Context{Text: txt(titleOf(c.Terms))})
	}
	bs := blocks{section("🎉 ", at(signer), fmt.Sprintf(" signed the change to your learning contract. Version %d is in force now.", c.Version))}
	bs = append(bs, diffBlocks(baseOf(c, c.Version), changesSince(c, c.Version))...)
	return msg("Your proposed change is in force", append(bs, message.Context{Text: txt(titleOf(c.Terms))})...)
}

func declinedOutcome(decliner string, signed int) text {
	return txt("↩️ Declined by ", at(decliner), fmt.Sprintf(" — version %d stays in force.", signed))
}

func declinedMsg(c *contract.Contract, decliner string) message.Message {
	return note("Your proposed change was declined",
		"↩️ ", at(decliner), " would rather keep the current terms of ", quoted(c),
		fmt.Sprintf(" for now, so version %d stays in force. A quick chat might help; you can propose another change any time.", c.Signed))
}

func approvalReminderMsg(c *contract.Contract, recipient string) message.Message {
	r, _ := c.Revision(c.Version)
	since := formatDate(r.At)
	intro := txt("👋 A gentle reminder: ", at(c.Learner), fmt.Sprintf("'s learning contract has been waiting for you since %s (version %d). No rush; here it is again, whenever you have a moment.", since, c.Version))
	switch {
	case c.Status == contract.Renegotiating && recipient == c.Learner:
		intro = txt("👋 A gentle reminder: ", at(r.ProposedBy), fmt.Sprintf(" proposed a change to your learning contract (version %d) on %s. Version %d stays in force until you decide. Here it is again, whenever you're ready.", c.Version, since, c.Signed))
	case c.Status == contract.Renegotiating:
		intro = txt("👋 A gentle reminder: ", at(r.ProposedBy), fmt.Sprintf(" proposed a change to their learning contract (version %d) on %s. Version %d stays in force until you decide. No rush; here it is again, whenever you have a moment.", c.Version, since, c.Signed))
	case recipient == c.Learner:
		intro = txt("👋 A gentle reminder: ", at(r.ProposedBy), fmt.Sprintf(" proposed version %d of your learning contract on %s, and it's waiting for you. Here it is again, whenever you're ready.", c.Version, since))
	}
	return signCard(c, recipient, blocks{section(intro)}, "A learning contract is waiting for you")
}

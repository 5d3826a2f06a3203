package conversation

import (
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of check-ins both ways: the approver's news of a Blocked
// check-in or a request for help, the reply form, and the answer the
// learner gets.

// supportAlertMsg tells the approver that the learner reported Blocked or
// asked for a hand, with the latest check-in and the ways to answer it, or
// only that they paused or resumed the contract.
func supportAlertMsg(c *contract.Contract, news contract.News, today time.Time) message.Message {
	if !news.Trouble() {
		return pauseNewsMsg(c, news)
	}
	summary := "A learner could use a hand"
	lead := txt("🤝 ", at(c.Learner), " could use a hand with ", quoted(c), ".")
	if len(news.Help) == 0 {
		summary = "A learner is blocked"
		lead = txt("🚧 ", at(c.Learner), " says they're blocked on ", quoted(c), ".")
	}
	bs := blocks{section(lead)}
	if line := pauseLine(c, news); len(line) > 0 {
		bs = append(bs, section(line))
	}
	for _, n := range news.Help {
		if n != "" {
			bs = append(bs, section(italic("Their note:"), " ", clipString(n, maxNote)))
		}
	}
	btns := message.Actions{}
	if ci, ok := c.LastCheckIn(); ok {
		bs = append(bs, section(checkInText(ci)))
		i := len(c.CheckIns) - 1
		btns.Buttons = append(btns.Buttons,
			button("Reply", ActionReplyCheckIn, replyValue(c, i, false), message.Primary),
			button("Let's talk", ActionLetsTalk, replyValue(c, i, false), message.Default))
	}
	if left := timeLeftText(c, today); len(left) > 0 {
		bs = append(bs, message.Context{Text: left})
	}
	btns.Buttons = append(btns.Buttons, button("Propose a change", ActionChangeScope, value(c), message.Default))
	hint := txt("A quick chat often does the trick. If the terms need to change, ", bold("Propose a change"),
		" sends ", at(c.Learner), " a new version to sign; the signed one stays in force until then.")
	if len(btns.Buttons) > 1 {
		hint = append(txt(bold("Reply"), " sends ", at(c.Learner), " a few words; ", bold("Let's talk"),
			" tells them you'd like to talk it through. "), hint...)
	}
	return msg(summary, append(bs, btns, message.Context{Text: hint})...)
}

// pauseLine says that the contract was paused or resumed since the last
// news; empty when neither.
func pauseLine(c *contract.Contract, news contract.News) text {
	var x text
	switch {
	case news.Paused && news.Resumed:
		x = txt("⏸ They paused it for a while and have resumed it since.")
	case news.Paused:
		x = txt("⏸ They paused it: check-ins stop until they resume.")
	case news.Resumed:
		x = txt("▶️ They resumed it: check-ins start again.")
	default:
		return nil
	}
	if news.Paused && news.PauseReason != "" {
		x = append(x, txt("\n", italic("Why:"), " ", clipString(news.PauseReason, maxNote))...)
	}
	return x
}

// pauseNewsMsg tells the approver that the learner paused or resumed the
// contract.
func pauseNewsMsg(c *contract.Contract, news contract.News) message.Message {
	summary, lead := "A learning contract was paused", txt("⏸ ", at(c.Learner), " paused ", quoted(c), ": check-ins stop until they resume.")
	switch {
	case news.Paused && news.Resumed:
		summary, lead = "A learning contract was paused and resumed", txt("⏸ ", at(c.Learner), " paused ", quoted(c), " for a while and has resumed it since: check-ins go on.")
	case news.Resumed:
		summary, lead = "A learning contract was resumed", txt("▶️ ", at(c.Learner), " resumed ", quoted(c), ": check-ins start again.")
	}
	bs := blocks{section(lead)}
	if news.Paused && news.PauseReason != "" {
		bs = append(bs, section(italic("Their reason:"), " ", clipString(news.PauseReason, maxNote)))
	}
	return msg(summary, append(bs, message.Context{Text: txt("Nothing for you to do; a friendly word can help.")})...)
}

// replyModal is the approver's form to answer check-in i.
func replyModal(c *contract.Contract, i int, v ActionValue) message.Modal {
	ci := c.CheckIns[i]
	return message.Modal{
		CallbackID: CallbackReplyCheckIn, PrivateData: v.Encode(),
		Title: "Reply to a check-in", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section(at(c.Learner), " checked in on ", quoted(c), " on ", formatDate(ci.At), ": ", bold(checkInLabel(ci.Status)), ".",
				" They'll see your words as written."),
			message.Input{ID: FieldReply, Label: "Your reply", Multiline: true, Optional: true, MaxLength: 3000,
				Placeholder: "e.g. Ana runs reviews on Thursdays: ask her to let you sit in."},
			message.Choice{ID: FieldTalk, Label: "Talk it through", Multi: true, Optional: true,
				Options: []message.Option{{Label: "Let's talk: I'd like to find a moment together", Value: TalkYes}}},
		},
	}
}

// checkInAnsweredMsg gives the learner the approver's answer to a
// check-in.
func checkInAnsweredMsg(c *contract.Contract, ci contract.CheckIn, approver, text string, talk bool) message.Message {
	about := txt(" your check-in on ", quoted(c), " (", formatDate(ci.At), ", ", checkInLabel(ci.Status), ")")
	var bs blocks
	switch {
	case text != "":
		bs = append(bs, section("💬 ", at(approver), " answered", about, ":"), section(text))
		if talk {
			bs = append(bs, section("📅 And they'd like to talk it through: find a moment together, or message them directly."))
		}
	default:
		bs = append(bs, section("📅 ", at(approver), " would like to talk about", about, ". Find a moment together, or message them directly."))
	}
	return msg("Your approver answered your check-in", append(bs, message.Context{Text: txt(titleOf(c.InForce()))})...)
}

// replyOutcome says what the approver's answer was, on their card.
func replyOutcome(c *contract.Contract, text string, talk bool) text {
	switch {
	case text != "" && talk:
		return txt("💬 You replied, and offered to talk it through: ", clipString(text, maxNote), "\n", at(c.Learner), " has your answer.")
	case text != "":
		return txt("💬 You replied: ", clipString(text, maxNote), "\n", at(c.Learner), " has your answer.")
	}
	return txt("📅 You offered to talk it through. ", at(c.Learner), " knows.")
}

// repliedCardMsg is the approver's card once they answered: the check-in,
// then their answer in place of the reply buttons.
func repliedCardMsg(c *contract.Contract, ci contract.CheckIn, outcome text) message.Message {
	return msg("Your reply was sent",
		section(at(c.Learner), " · ", quoted(c)),
		section(checkInText(ci)),
		section(outcome),
		actions(button("Propose a change", ActionChangeScope, value(c), message.Default)),
	)
}

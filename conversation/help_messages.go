package conversation

import (
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// What can be typed, and answers to what can't.

// helpMsg lists the commands that apply (see turn.helpLines), where the
// person is (doing), how check-ins work on kept (the learner's signed
// contract), and for an approver how decisions are made.
func helpMsg(cmds []command, roles role, doing string, kept *contract.Contract) message.Message {
	x := txt(bold("Here's what you can type here"))
	for _, c := range cmds {
		x = append(x, txt("\n", code(c.usageOf()), " — ", c.helpFor(roles))...)
	}
	where := txt("Right now there's no draft under way.")
	if doing != "" {
		where = txt("Right now you're ", doing, ".")
	}
	bs := blocks{section(x)}
	if kept != nil {
		bs = append(bs, section(checkInsHelp(kept)))
	}
	if roles&approver != 0 {
		bs = append(bs, section(bold("Approving"), "\nWhen a contract is waiting for you, I send it to you as a card: approve and sign it, "+
			"request changes or propose an amendment with its buttons. Once it's signed, I pass on a learner's request for a hand, "+
			"and each week I send you a digest: decisions waiting for you, recent check-ins and who might need support. "+
			"To draft a contract for someone yourself, type draft-for and mention them."))
	}
	return msg("What you can do here", append(bs, message.Context{Text: where})...)
}

// checkInsHelp explains check-ins on the learner's signed contract.
func checkInsHelp(c *contract.Contract) text {
	when := "at the mid-point"
	if cad := c.InForce().Cadence.String(); cad != "" {
		when = cad + " and at the mid-point"
	}
	return txt(bold("Check-ins"), "\nI'll check in on ", quoted(c), " ", when, ": answer ", bold("On track"), ", ", bold("Behind"),
		" or ", bold("Blocked"), ", or ", bold("Snooze a day"), ". Behind or blocked? You can propose a new deadline or a smaller scope, or ask ",
		at(c.Approver), " for a hand.")
}

// editHelpMsg names the parts "edit" takes; fixedApprover leaves out the
// approver, for someone drafting a contract for its learner (they are its
// approver).
func editHelpMsg(fixedApprover bool) message.Message {
	x := txt("Which part would you like to change? Try ")
	var names []string
	for _, p := range parts {
		if !(fixedApprover && p.name == contract.FieldApprover) {
			names = append(names, p.name)
		}
	}
	for i, name := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			x = append(x, txt(" or ")...)
		default:
			x = append(x, txt(", ")...)
		}
		x = append(x, code("edit "+name))
	}
	return note("Which part?", x, ".")
}

// unknownCommand answers a slash command the table doesn't know, with the
// command it is likely a typo of (meant, when not empty).
func unknownCommand(meant string) message.Message {
	if meant != "" {
		return note("Did you mean "+meant+"?", "I don't know that command. Did you mean ", code(meant), "? Type ", code("help"), " to see what you can do.")
	}
	return note("I don't know that command", "I don't know that command. Type ", code("help"), " to see what you can do.")
}

// didYouMeanMsg asks whether a typed word was meant as a command; when the
// word could answer the current question, sending it again does that.
func didYouMeanMsg(meant, typed string, answer bool) message.Message {
	if !answer {
		return note("Did you mean "+meant+"?", "Did you mean ", code(meant), "? Type ", code(meant), " for that, or ", code("help"), " to see what you can do.")
	}
	return note("Did you mean "+meant+"?", "Did you mean ", code(meant), "? Type ", code(meant), " for that, or send “", typed,
		"” again and I'll take it as your answer.")
}

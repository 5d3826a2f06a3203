package conversation

import (
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// What can be typed, and answers to what can't.

// helpMsg lists the commands that apply (see turn.helpLines), where the
// person is (doing), how check-ins work on kept (the learner's signed
// contract), and for an approver how decisions are made.
func helpMsg(cmds []command, doing string, kept *contract.Contract, approver bool) message.Message {
	x := txt(bold("Here's what you can type here"))
	for _, c := range cmds {
		x = append(x, txt("\n", code(c.usageOf()), " — ", c.help)...)
	}
	where := txt("Right now there's no draft under way.")
	if doing != "" {
		where = txt("Right now you're ", doing, ".")
	}
	bs := blocks{section(x)}
	if kept != nil {
		bs = append(bs, section(checkInsHelp(kept)))
	}
	if approver {
		bs = append(bs, section(bold("Approving"), "\nWhen a contract is waiting for you, I send it to you as a card: approve and sign it, "+
			"request changes or propose an amendment with its buttons."))
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

// editHelpMsg names the parts "edit" takes.
func editHelpMsg() message.Message {
	x := txt("Which part would you like to change? Try ")
	for i, p := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1:
			x = append(x, txt(" or ")...)
		default:
			x = append(x, txt(", ")...)
		}
		x = append(x, code("edit "+p.name))
	}
	return note("Which part?", x, ".")
}

func unknownCommand(cmd string) message.Message {
	return note("I don't know that command", "I don't know that command. Type ", code("help"), " to see what you can do.")
}

package conversation

import (
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// What can be typed, and answers to what can't.

// helpMsg lists the commands; with kept (the learner's signed contract) it
// also says how check-ins work.
func helpMsg(doing string, kept *contract.Contract) message.Message {
	lines := [][2]string{
		{"new", "start a new learning contract"},
		{"back", "go to the previous step; what you entered is kept"},
		{"skip", "skip an optional step"},
		{"edit goals", "change one part (also title, activities, evidence, criteria, deadline, cadence, approver)"},
		{"cancel", "stop for now; your draft is kept"},
		{"resume", "carry on where you left off"},
		{"status", "where your contract is and who still has to sign"},
		{"list", "all your contracts"},
	}
	x := txt(bold("Here's what you can type here"))
	for _, l := range lines {
		x = append(x, txt("\n", code(l[0]), " — ", l[1])...)
	}
	where := txt("Right now there's no draft under way.")
	if doing != "" {
		where = txt("Right now you're ", doing, ".")
	}
	bs := blocks{section(x)}
	if kept != nil {
		bs = append(bs, section(checkInsHelp(kept)))
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
		at(c.Approver), " for a hand.\n", code("pause"), " — pause check-ins and reminders (leave, crunch time)\n",
		code("resume"), " — pick a paused contract up again")
}

func editHelpMsg() message.Message {
	return note("Which part?", "Which part would you like to change? Try ", code("edit title"), ", ", code("edit goals"), ", ",
		code("edit activities"), ", ", code("edit evidence"), ", ", code("edit criteria"), ", ", code("edit deadline"), ", ",
		code("edit cadence"), " or ", code("edit approver"), ".")
}

func unknownCommand(cmd string) message.Message {
	return note("I don't know that command", "I don't know that command. Type ", code("help"), " to see what you can do.")
}

package conversation

import (
	"errors"
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/coach"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of the drafting dialog: the questions of each step, coaching,
// the summary and sending it to the approver.

func goalSaved(n int) string { return fmt.Sprintf("Goal %d saved.", n) }

func welcomeMsg(user string) message.Message {
	return msg("Let's write your learning contract",
		section("👋 Hi ", at(user), "! Let's write your learning contract together: your goals, how you'll learn, "+
			"the evidence you'll produce and how it will be judged. Then I'll send it to your manager to agree and sign."),
		section(bold("First, a title."), " What is this contract about, in a few words?"),
		message.Context{Text: txt("For example: Running effective design reviews. Type ", code("help"), ", ",
			code("back"), " or ", code("cancel"), " at any point.")},
	)
}

func confirmNewMsg(c *contract.Contract) message.Message {
	return msg("You have a draft in progress",
		section("You have a draft in progress: ", titleOf(c.Terms), ". Carry on with it, or start a new one? (The draft is kept either way.)"),
		actions(button("Carry on with it", ActionResume, value(c), message.Primary),
			button("Start a new one", ActionStartNew, "", message.Default)),
	)
}

// ask is the question of a single-answer step.
type ask struct {
	summary  string
	question text
	hint     text
	buttons  []message.Button
	optional bool
}

func asks(st State, examples []string) ask {
	switch st {
	case StateTitle:
		return ask{summary: "What's the title?", question: txt(bold("What's the title of your contract?"), " A few words is plenty.")}
	case StateActivities:
		return ask{summary: "How will you learn it?", optional: true,
			question: txt(bold("How will you learn it?"), " List activities and resources: courses, books, shadowing, a side project. One per line, or separated by ", code(";"), "."),
			hint:     txt("Not sure yet? Skip this and add them later.")}
	case StateEvidence:
		return ask{summary: "What evidence will you produce?",
			question: txt(bold("What evidence will you produce?"), " Something your manager can look at: a write-up, a demo, a pull request, a recorded talk. One per line, or separated by ", code(";"), "."),
		}
	case StateCriteria:
		return ask{summary: "How should it be judged?",
			question: txt(bold("How should your evidence be judged?"), " Propose one or more success criteria; your manager can add theirs before you both sign. One per line, or separated by ", code(";"), "."),
			hint:     txt("For example: A teammate can run a review with my checklist without help.")}
	case StateDeadline:
		return ask{summary: "By when?", question: txt(bold("By when?"), " Tell me in your own words."), hint: examplesText(examples)}
	case StateCadence:
		return ask{summary: "How often should we check in?", optional: true,
			question: txt(bold("How often should we check in?"), " A short check-in helps catch drift early."),
			hint:     txt("Or type something like ", code("every 10 days"), "."),
			buttons: []message.Button{button("Weekly", ActionWeekly, "", message.Default),
				button("Fortnightly", ActionFortnightly, "", message.Default)}}
	case StateApprover:
		return ask{summary: "Who will approve it?",
			question: txt(bold("Who will approve and sign it?"), " Mention your manager or learning facilitator, like ", code("@Mo"), ".")}
	case StateSupport:
		return ask{summary: "What support will you need?", optional: true,
			question: txt(bold("What support will you need?"), " Time in your week, a budget, access to a system, someone's help."),
			hint:     privateHint()}
	case StateEthics:
		return ask{summary: "Any ethical considerations?", optional: true,
			question: txt(bold("Any ethical considerations?"), " Confidential data, people's consent, a conflict of interest: anything to handle with care."),
			hint:     privateHint()}
	}
	return ask{summary: "Type help to see what you can do", question: txt("Type ", code("help"), " to see what you can do.")}
}

// drafterAsks are the questions worded for someone drafting a contract for
// its learner (draft-for), where they differ from the learner's.
func drafterAsks(st State, a ask) ask {
	switch st {
	case StateTitle:
		a.question = txt(bold("What's the title of the contract?"), " A few words is plenty.")
	case StateActivities:
		a.summary = "How will they learn it?"
		a.question = txt(bold("How will they learn it?"), " List activities and resources: courses, books, shadowing, a side project. One per line, or separated by ", code(";"), ".")
		a.hint = txt("Not sure yet? Skip this: they can add them when they answer.")
	case StateEvidence:
		a.summary = "What evidence will they produce?"
		a.question = txt(bold("What evidence will they produce?"), " Something you can look at: a write-up, a demo, a pull request, a recorded talk. One per line, or separated by ", code(";"), ".")
	case StateCriteria:
		a.question = txt(bold("How should their evidence be judged?"), " Propose one or more success criteria; they can add theirs before you both sign. One per line, or separated by ", code(";"), ".")
		a.hint = txt("For example: A teammate can run a review with their checklist without help.")
	}
	return a
}

// askMsg is a step's question, with what is already there and a button to
// keep it; forOther words it for someone drafting for the learner.
func askMsg(st State, lead, current text, val string, examples []string, forOther bool) message.Message {
	a := asks(st, examples)
	if forOther {
		a = drafterAsks(st, a)
	}
	var bs blocks
	if len(lead) > 0 {
		bs = append(bs, section(lead))
	}
	bs = append(bs, section(a.question))
	if len(current) > 0 {
		bs = append(bs, section(italic("Currently:"), "\n", current))
	}
	var btns []message.Button
	for _, b := range a.buttons {
		b.Value = val
		btns = append(btns, b)
	}
	if len(current) > 0 {
		btns = append(btns, button("Keep as is", ActionKeep, val, message.Primary))
	} else if a.optional {
		btns = append(btns, button("Skip", ActionSkip, val, message.Default))
	}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	if len(a.hint) > 0 {
		bs = append(bs, message.Context{Text: a.hint})
	}
	return msg(a.summary, bs...)
}

func goalPrompt(lead text, n int, forOther bool) message.Message {
	q := txt(bold(fmt.Sprintf("What's goal %d?", n)), " (Type ", code("back"), " if you'd rather not add another.)")
	var hint text
	switch {
	case n == 1 && forOther:
		q = txt(bold("What's their first goal?"), " Start with what they'll be able to do: an action verb (explain, build, lead, compare…), what it applies to, and how you'll both tell it's met.")
		hint = txt("For example: Explain our deployment pipeline to a new teammate without notes.")
	case n == 1:
		q = txt(bold("What's your first goal?"), " Start with what you'll be able to do: an action verb (explain, build, lead, compare…), what it applies to, and how you'll tell it's met.")
		hint = txt("For example: Explain our deployment pipeline to a new teammate without notes.")
	}
	bs := withLead(lead, section(q))
	if len(hint) > 0 {
		bs = append(bs, message.Context{Text: hint})
	}
	return msg("What's your goal?", bs...)
}

func coachMsg(lead text, p *Pending, adv coach.Advice, val string) message.Message {
	body := txt("That's a good start. A few things would make it easier to agree on:")
	for _, pr := range adv.Problems {
		body = append(body, txt("\n• ", pr)...)
	}
	bs := withLead(lead, section(body))
	var btns []message.Button
	if adv.Suggestion != "" {
		bs = append(bs, section(bold("How about:"), "\n", adv.Suggestion))
		btns = append(btns, button("Use suggestion", ActionUseSuggestion, val, message.Primary))
	}
	btns = append(btns, button("Keep mine", ActionKeepMine, val, message.Default))
	bs = append(bs, actions(btns...),
		message.Context{Text: txt("Or type a new version of your goal.")})
	return msg("A suggestion for your goal", bs...)
}

func masteryPrompt(lead text, val string, forOther bool) message.Message {
	q := "How will you show you've mastered it?"
	if forOther {
		q = "How will they show they've mastered it?"
	}
	return msg(q, withLead(lead,
		section(bold(q), " For example: a demo to the team, a write-up, teaching someone else."),
		actions(button("Skip", ActionSkip, val, message.Default)),
	)...)
}

func goalsMsg(lead text, goals []contract.Goal, val string) message.Message {
	return msg("Your goals so far", withLead(lead,
		section(bold("Your goals so far"), "\n", goalsText(goals)),
		actions(button("Add another goal", ActionAddGoal, val, message.Default),
			button("Done with goals", ActionGoalsDone, val, message.Primary),
			button("Start goals over", ActionGoalsOver, val, message.Default)),
	)...)
}

func deadlineRetryMsg(err error, examples []string) message.Message {
	var (
		why text
		wd  *deadline.WeekdayError
	)
	switch {
	case errors.Is(err, deadline.ErrPast):
		why = txt("That date is today or already past. Pick a day in the future.")
	case errors.As(err, &wd):
		why = txt(formatDate(wd.Date), " is a ", wd.Date.Weekday().String(), ", not a ", wd.Named.String(), ".")
	case errors.Is(err, deadline.ErrTooFar):
		why = txt("That's more than two years away. A nearer date keeps the contract alive, and you can always extend it later.")
	default:
		why = txt("Sorry, I couldn't read that as a date.")
	}
	return msg("Let's try that date again",
		section(why, " ", bold("By when?")),
		message.Context{Text: examplesText(examples)},
	)
}

// weekendNote remarks on a deadline that falls on a weekend, naming the
// Friday before; nil on a weekday.
func weekendNote(d time.Time) text {
	if !deadline.Weekend(d) {
		return nil
	}
	fri := d.AddDate(0, 0, -1)
	if d.Weekday() == time.Sunday {
		fri = d.AddDate(0, 0, -2)
	}
	return txt("Note: that's a ", d.Weekday().String(), "; if you meant the working day before, type ", code(fri.Format("Monday 2 Jan")), ".")
}

func approverErrorMsg(err error) message.Message {
	switch {
	case errors.Is(err, errSelf):
		return note("Pick someone else to approve", "You can't approve your own contract: the point is to agree it with someone who supports your learning. Mention your manager or facilitator, like ", code("@Mo"), ".")
	case errors.Is(err, errBot):
		return note("Pick a person to approve", "That's a bot, and a contract needs a person to sign it. Mention your manager or facilitator, like ", code("@Mo"), ".")
	}
	return note("Mention your approver", "Please mention them with @ so I know exactly who it is, like ", code("@Mo"), ".")
}

func summaryMsg(c *contract.Contract, lead text, now time.Time) message.Message {
	summary := "Your contract is ready to check"
	missing := c.Missing(now)
	if len(missing) > 0 {
		summary = "Your contract so far"
	}
	if len(lead) == 0 {
		lead = txt("Here's your contract. Check it over, use ", bold("Edit"), " to change anything, then send it to your manager.")
		if len(missing) > 0 {
			lead = txt("Here's your contract so far. Before it can be sent it still needs ", andList(missing), ": use the ", bold("Edit"), " buttons to fill them in.")
		}
	}
	bs := blocks{section(lead)}
	bs = append(bs, termsBlocks(c, c.Terms, true)...)
	btns := actions(button("Send to my manager", ActionSend, value(c), message.Primary),
		button("Share with my learning set", ActionShare, value(c), message.Default))
	bs = append(bs, btns,
		message.Context{Text: txt("You can also type ", code("edit deadline"), " (or any part), ", code("back"), " or ", code("cancel"), ".")})
	return msg(summary, bs...)
}

func summaryHintMsg() message.Message {
	return note("Your contract is ready to check", "Your contract is ready to check. Press ", bold("Send to my manager"),
		" when you're happy, or use ", bold("Edit"), " on any part (or type ", code("edit goals"), ", ", code("edit deadline"), " and so on).")
}

var fillLabels = map[string]string{
	contract.FieldGoals: "Add a goal", contract.FieldEvidence: "Add evidence", contract.FieldCriteria: "Add success criteria",
	contract.FieldDeadline: "Set the deadline", contract.FieldApprover: "Choose an approver",
	contract.FieldAdvocate: "Name an advocate",
}

func incompleteMsg(c *contract.Contract, inc *contract.IncompleteError) message.Message {
	missing := andList(inc.Missing)
	var btns []message.Button
	seen := map[string]bool{}
	for _, f := range inc.Fields {
		p, ok := partNamed(f)
		if !ok || seen[f] {
			continue
		}
		seen[f] = true
		btns = append(btns, button(fillLabels[f], p.edit, value(c), message.Default))
	}
	bs := blocks{section("Almost there! Before I can send it, the contract still needs ", missing, ".")}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	return msg("Almost there: a few parts are missing", bs...)
}

func sentMsg(c *contract.Contract) message.Message {
	if a := c.AdvocateOf(); a != "" {
		return note("Sent to your approver and advocate", "📨 Sent to ", at(c.Approver), " for approval and to ", at(a),
			fmt.Sprintf(" as your workplace advocate (version %d). It becomes active once all three of you have signed; I'll let you know as they answer.", c.Version))
	}
	return note("Sent to your approver", "📨 Sent to ", at(c.Approver), fmt.Sprintf(" (version %d). I'll let you know as soon as they answer.", c.Version))
}

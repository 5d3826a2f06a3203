package conversation

import (
	"errors"
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of drafting for someone: refusals of draft-for, the drafter's
// welcome and summary, the learner's card and the answers to it.

func draftForErrorMsg(err error) message.Message {
	switch {
	case errors.Is(err, errSeveral):
		return note("One person at a time", "A contract has one learner, so mention one person: ", code("draft-for @Lee"),
			". Run it again for the next one. Nothing was started.")
	case errors.Is(err, errSelf):
		return note("That's you", "To draft a contract of your own, type ", code("new"),
			": you'll then choose someone to approve it. Nothing was started.")
	case errors.Is(err, errBot):
		return note("Pick a person", "That's a bot, and a learning contract needs a person to learn and sign it. Mention a colleague, like ",
			code("draft-for @Lee"), ".")
	}
	return note("Who is it for?", "Mention who you're drafting the contract for, like ", code("draft-for @Lee"),
		". You'll be its approver, and they can accept it, change it or decline it.")
}

func alreadyDraftingMsg(c *contract.Contract) message.Message {
	return msg("You're already drafting for them",
		section("You already have a contract for ", at(c.Learner), " on the go: ", titleOf(c.Terms), " (", statusLabel(c.Status),
			versionSuffix(c), "). Open it instead? A second one would only confuse things."),
		actions(button("Open it", ActionOpen, value(c), message.Primary)),
	)
}

func versionSuffix(c *contract.Contract) string {
	if c.Version == 0 {
		return ""
	}
	return fmt.Sprintf(", version %d", c.Version)
}

// draftForIntro opens the drafting of a contract for learner.
func draftForIntro(learner string) text {
	return txt("👋 Let's draft a learning contract for ", at(learner), ": their goals, how they'll learn, the evidence they'll produce "+
		"and how it will be judged. You're its approver, so I won't ask for one. When you send it, ", at(learner),
		" can accept and sign it, change it and send it back, or decline it; they see nothing of it until then.")
}

func draftForWelcomeMsg(learner string) message.Message {
	return msg("Let's draft a learning contract for them",
		section(draftForIntro(learner)),
		section(bold("First, a title."), " What is this contract about, in a few words?"),
		message.Context{Text: txt("Type ", code("help"), ", ", code("back"), " or ", code("cancel"), " at any point.")},
	)
}

// draftedSummaryLead is the lead of the drafter's summary.
func draftedSummaryLead(c *contract.Contract, missing []string) text {
	if len(missing) > 0 {
		return txt("Here's the contract for ", at(c.Learner), " so far. Before it can be sent it still needs ", andList(missing),
			": use the ", bold("Edit"), " buttons to fill them in.")
	}
	return txt("Here's the contract for ", at(c.Learner), ". Check it over, use ", bold("Edit"), " to change anything, then send it to them: ",
		"sending signs it as approver, and they accept it, change it or decline it.")
}

func draftedSummaryMsg(c *contract.Contract, lead text, now time.Time) message.Message {
	missing := c.Missing(now)
	summary := "The contract is ready to send"
	if len(missing) > 0 {
		summary = "The contract so far"
	}
	if len(lead) == 0 {
		lead = draftedSummaryLead(c, missing)
	}
	bs := blocks{section(lead)}
	bs = append(bs, termsBlocks(c, c.Terms, true)...)
	bs = append(bs, actions(button("Send to the learner", ActionSend, value(c), message.Primary)),
		message.Context{Text: txt("You can also type ", code("edit deadline"), " (or any part), ", code("back"), " or ", code("cancel"), ".")})
	return msg(summary, bs...)
}

func sentForMsg(c *contract.Contract) message.Message {
	return note("Sent to the learner", "📨 Sent to ", at(c.Learner), fmt.Sprintf(" (version %d), with your signature as approver. ", c.Version),
		"I'll let you know when they answer: they can accept and sign it, send you their own version, or decline it.")
}

// draftedForMsg is the learner's card for terms drafted for them.
func draftedForMsg(c *contract.Contract) message.Message {
	intro := blocks{section("📝 ", at(c.DraftedBy), fmt.Sprintf(" drafted a learning contract for you (version %d) and signed it as your approver. ", c.Version),
		"Read it through: accept and sign it as it is, edit it and send your version back, or decline it.")}
	if r, ok := c.Revision(c.Version); ok && r.Comment != "" {
		intro = append(intro, section(italic("Their note:"), " ", r.Comment))
	}
	return signCard(c, c.Learner, intro, "A learning contract was drafted for you")
}

func declinedDraftOutcome(c *contract.Contract) text {
	return txt(fmt.Sprintf("↩️ You declined version %d, drafted by ", c.Version), at(c.DraftedBy), ". The contract is withdrawn.")
}

func declinedDraftMsg(c *contract.Contract) message.Message {
	return note("Your draft was declined", "↩️ ", at(c.Learner), " declined the learning contract you drafted for them, ", quoted(c),
		fmt.Sprintf(" (version %d), so it's withdrawn. A conversation might help; you can draft another any time.", c.Version))
}

// draftedText says who drafted c for whom, from user's side; nil for a
// contract its learner drafted.
func draftedText(c *contract.Contract, user string) text {
	switch {
	case c.DraftedBy == "" || c.DraftedBy == c.Learner:
		return nil
	case user == c.Learner:
		return txt("drafted by ", at(c.DraftedBy), " for you")
	case user == c.DraftedBy:
		return txt("you drafted it for ", at(c.Learner))
	}
	return txt("drafted by ", at(c.DraftedBy), " for ", at(c.Learner))
}

func fixedApproverMsg(c *contract.Contract) message.Message {
	return note("The approver stays", at(c.DraftedBy), " drafted this contract for ", at(c.Learner),
		" and is its approver, so that part doesn't change. Type ", code("edit"), " to see the others.")
}

func acceptedDraftMsg(c *contract.Contract, learner string, pending []string) message.Message {
	if len(pending) == 0 {
		return msg("Your draft was accepted",
			section("✅ ", at(learner), fmt.Sprintf(" accepted the learning contract you drafted for them and signed it. Version %d is active now.", c.Version)),
			message.Context{Text: txt(titleOf(c.Terms))})
	}
	return msg("Your draft was accepted",
		section("✅ ", at(learner), fmt.Sprintf(" accepted the learning contract you drafted for them and signed version %d. Waiting for ", c.Version), mentions(pending), " to sign."),
		message.Context{Text: txt(titleOf(c.Terms))})
}

// draftedIdleMsg answers text from someone whose contract drafted for
// another is with them, or is being drafted.
func draftedIdleMsg(c *contract.Contract) message.Message {
	if c.Status == contract.Proposed {
		return note("It's with the learner", "The contract you drafted for ", at(c.Learner), fmt.Sprintf(" is with them (version %d). ", c.Version),
			"I'll let you know when they answer. Type ", code("status"), " to check on it.")
	}
	if c.Drafter() != c.DraftedBy {
		return note("It's with the learner", at(c.Learner), " is preparing their own version of the contract you drafted. I'll send it to you when it's ready.")
	}
	return note("Your draft is waiting", "The contract you're drafting for ", at(c.Learner), " is waiting. Type ", code("resume"), " to carry on.")
}

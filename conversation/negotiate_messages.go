package conversation

import (
	"errors"
	"fmt"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of the negotiation: the approver's card, the learner's answer
// to an amendment, the outcomes that replace used buttons, and refusals.

func approvalRequestMsg(c *contract.Contract) message.Message {
	v := c.Version
	intro := txt("📝 ", at(c.Learner), " would like you to approve their learning contract. Read it through, then approve and sign it, ask for changes, or propose an amendment.")
	summary := "A learning contract is waiting for your approval"
	if v > 1 {
		intro = txt("📝 ", at(c.Learner), fmt.Sprintf(" sent a new version of their learning contract (version %d). Here's what changed since version %d, and the whole contract below.", v, v-1))
		summary = "A revised learning contract is waiting for your approval"
	}
	return signCard(c, c.Approver, blocks{section(intro)}, summary)
}

// signCard asks recipient to sign the current version: the intro, what
// changed, the terms, and the buttons for their part (the approver's
// decision, or the learner's answer to the approver's proposal).
func signCard(c *contract.Contract, recipient string, intro blocks, summary string) message.Message {
	v := c.Version
	bs := intro
	if recipient == c.Approver {
		bs = append(bs, peerReviewBlocks(c)...)
	}
	if v > 1 {
		bs = append(bs, diffBlocks(baseOf(c, v), changesSince(c, v))...)
		bs = append(bs, advocateChangeBlocks(c, v)...)
		bs = append(bs, message.Divider{})
	}
	bs = append(bs, termsBlocks(c, termsOf(c, v), false)...)
	btns, hint := decisionButtons(c, recipient, value(c))
	return msg(summary, append(bs, btns, message.Context{Text: hint})...)
}

// decisionButtons are recipient's buttons on the current version, carrying
// val, and a line on what they do: the approver's decision, or the
// learner's answer to the approver's proposal.
func decisionButtons(c *contract.Contract, recipient, val string) (message.Actions, text) {
	v := c.Version
	renegotiating := c.Status == contract.Renegotiating
	switch {
	case recipient != "" && recipient == c.AdvocateOf():
		return advocateButtons(c, recipient, val)
	case recipient == c.Learner && renegotiating:
		return actions(button("Accept & sign", ActionAccept, val, message.Primary),
				button("Decline", ActionDecline, val, message.Default)),
			txt(fmt.Sprintf("Accept & sign puts version %d in force. Decline keeps version %d.", v, c.Signed))
	case recipient == c.Learner && c.DraftedBy != "":
		return actions(button("Accept & sign", ActionAccept, val, message.Primary),
				button("Edit / counter", ActionCounter, val, message.Default),
				button("Decline", ActionDeclineDraft, val, message.Danger)),
			txt("Accept & sign makes the contract active. Edit / counter lets you change it and send your version back to ", at(c.Approver),
				". Decline turns it down; you can say why.")
	case recipient == c.Learner:
		return actions(button("Accept & sign", ActionAccept, val, message.Primary),
				button("Counter", ActionCounter, val, message.Default)),
			txt("Accept & sign makes the contract active. Counter lets you edit it and send your own version back.")
	case renegotiating:
		return actions(button("Approve & sign", ActionApprove, val, message.Primary),
				button("Decline", ActionDecline, val, message.Default)),
			txt(fmt.Sprintf("Version %d. Approving puts it in force; declining keeps version %d.", v, c.Signed))
	case c.AdvocateOf() != "":
		return actions(button("Approve & sign", ActionApprove, val, message.Primary),
				button("Request changes", ActionRequestChanges, val, message.Default),
				button("Propose an amendment", ActionAmend, val, message.Default)),
			append(txt(fmt.Sprintf("Version %d. Still to sign: ", v)), append(stillToSign(c, recipient),
				txt(". With ", at(c.AdvocateOf()), " as workplace advocate, it's active once all three of you have signed.")...)...)
	default:
		return actions(button("Approve & sign", ActionApprove, val, message.Primary),
				button("Request changes", ActionRequestChanges, val, message.Default),
				button("Propose an amendment", ActionAmend, val, message.Default)),
			txt(fmt.Sprintf("Version %d. Approving signs this version together with ", v), at(c.Learner), ".")
	}
}

// decidedMsg is a contract card whose buttons have been used: the outcome,
// then the terms of the version it was for.
func decidedMsg(c *contract.Contract, v int, summary string, outcome text) message.Message {
	bs := blocks{section(outcome), message.Divider{}}
	bs = append(bs, termsBlocks(c, termsOf(c, v), false)...)
	return msg(summary, bs...)
}

func signedOutcome(c *contract.Contract, signer string, pending []string) text {
	if len(pending) == 0 {
		return txt("✅ Approved and signed by ", at(signer), fmt.Sprintf(" — version %d", c.Version))
	}
	return append(txt("✅ Signed by ", at(signer), fmt.Sprintf(" — version %d. Waiting for ", c.Version)), append(mentions(pending), txt(" to sign.")...)...)
}

func approvedMsg(c *contract.Contract, approver string, pending []string) message.Message {
	if len(pending) == 0 {
		return msg("Your learning contract is active",
			section("🎉 ", at(approver), fmt.Sprintf(" approved and signed your learning contract (version %d). It's active now: good luck, you've got this!", c.Version)),
			message.Context{Text: txt(titleOf(c.Terms))},
		)
	}
	return msg("Your learning contract was signed",
		section("✅ ", at(approver), fmt.Sprintf(" signed your learning contract (version %d). It becomes active once ", c.Version), mentions(pending), " signs too."),
		message.Context{Text: txt(titleOf(c.Terms))},
	)
}

func changesOutcome(approver string, v int) text {
	return txt("✏️ Changes requested by ", at(approver), fmt.Sprintf(" — version %d", v))
}

func changesRequestedMsg(c *contract.Contract, approver, comments string) message.Message {
	return msg("Your approver asked for changes",
		section("✏️ ", at(approver), fmt.Sprintf(" would like some changes to your learning contract (version %d):", c.Version)),
		section(comments),
		actions(button("Revise", ActionRevise, value(c), message.Primary)),
		message.Context{Text: txt("Revise opens your contract so you can edit any part and send it back.")},
	)
}

func reviseLead(c *contract.Contract) text {
	x := txt(at(c.Approver), " asked for these changes:\n")
	x = append(x, txt(c.Requested)...)
	return append(x, txt("\n\nEdit any part below, then press ", bold("Send to my manager"), " to send them the new version.")...)
}

func amendedOutcome(approver, learner string, v int) text {
	return txt("✏️ Amendment proposed by ", at(approver), fmt.Sprintf(" — version %d. Waiting for ", v), at(learner), ".")
}

func amendmentMsg(c *contract.Contract, approver, comment string) message.Message {
	bs := blocks{section("✏️ ", at(approver), fmt.Sprintf(" proposed an amendment to your learning contract (version %d). They've signed it; it's your turn.", c.Version))}
	if comment != "" {
		bs = append(bs, section(italic("Their note:"), " ", comment))
	}
	return signCard(c, c.Learner, bs, "Your approver proposed an amendment")
}

func acceptedOutcome(c *contract.Contract, pending []string) text {
	if len(pending) == 0 {
		return txt(fmt.Sprintf("✅ You accepted and signed version %d. The contract is active.", c.Version))
	}
	return append(txt(fmt.Sprintf("✅ You signed version %d. Waiting for ", c.Version)), append(mentions(pending), txt(" to sign.")...)...)
}

func acceptedMsg(c *contract.Contract, learner string, pending []string) message.Message {
	if r, ok := c.Revision(c.Version); ok && r.ProposedBy == c.DraftedBy && r.Base == 0 {
		return acceptedDraftMsg(c, learner, pending)
	}
	if len(pending) == 0 {
		return msg("Your amendment was accepted",
			section("✅ ", at(learner), fmt.Sprintf(" accepted your amendment and signed. Version %d is active now.", c.Version)),
			message.Context{Text: txt(titleOf(c.Terms))})
	}
	return msg("Your amendment was accepted",
		section("✅ ", at(learner), fmt.Sprintf(" accepted your amendment and signed version %d. Waiting for ", c.Version), mentions(pending), " to sign."),
		message.Context{Text: txt(titleOf(c.Terms))})
}

func counterOutcome(v int) text {
	return txt(fmt.Sprintf("↩️ You're countering version %d.", v))
}

func counterLead(c *contract.Contract) text {
	return txt("Make the changes you'd like, then press ", bold("Send to my manager"), " to send ", at(c.Approver), " your version. What they proposed is the starting point.")
}

func counterNoticeMsg(c *contract.Contract) message.Message {
	return note("A counter-proposal is on its way",
		"↩️ ", at(c.Learner), fmt.Sprintf(" is preparing a counter-proposal to version %d. I'll send it to you when it's ready.", c.Version))
}

// refusalMsg answers a lifecycle error in words.
func refusalMsg(err error, verb string, c *contract.Contract) message.Message {
	var (
		stale  *contract.StaleError
		denied *contract.DeniedError
		state  *contract.StateError
	)
	switch {
	case errors.As(err, &stale):
		return note("This was for an earlier version", fmt.Sprintf("This was for version %d; the contract is at version %d now.", stale.Clicked, stale.Current))
	case errors.As(err, &denied):
		if len(denied.Allowed) == 0 {
			return note("You can't do that here", "You can't "+verb+" this contract.")
		}
		return note("You can't do that here", append(append(txt("Only "), mentions(denied.Allowed)...), txt(" can "+verb+" this contract.")...))
	case errors.As(err, &state):
		return note("That can't be done now", stateText(c))
	case errors.Is(err, contract.ErrAlreadySigned):
		x := txt(fmt.Sprintf("You've already signed version %d.", c.Version))
		if w := c.AwaitingSignature(); len(w) > 0 {
			x = append(append(append(x, txt(" Waiting for ")...), mentions(w)...), txt(".")...)
		}
		return note("You've already signed", x)
	case errors.As(err, new(*contract.FixedError)):
		var fe *contract.FixedError
		errors.As(err, &fe)
		return note("The template's criteria stay", fixedRefusal(fe))
	case errors.Is(err, contract.ErrNotAmended):
		return note("Nothing to counter", "There's no amendment to counter: this version is your own proposal, waiting for ", at(c.Approver), ".")
	}
	return note("That didn't work", "Sorry, that didn't work. Type ", code("help"), " to see what you can do.")
}

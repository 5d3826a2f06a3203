package conversation

import (
	"errors"
	"fmt"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of the drafting steps after the approver: the workplace
// advocate and the private notes.

func advocatePrompt(lead, current text, val string, required bool) message.Message {
	bs := withLead(lead, section(bold("Would someone at work back your plan?"),
		" A workplace advocate (a colleague, a team lead, someone from another team) confirms the plan fits your work, can comment on it, and signs it too. Mention them, like ",
		code("@Wen"), "."))
	if len(current) > 0 {
		bs = append(bs, section(italic("Currently:"), "\n", current))
	}
	var btns []message.Button
	if len(current) > 0 {
		btns = append(btns, button("Keep as is", ActionKeep, val, message.Primary))
	}
	if !required {
		btns = append(btns, button("Skip", ActionSkip, val, message.Default))
	}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	hint := txt("Optional: skip it, or type ", code("none"), " to name nobody. You can add one later with ", code("edit advocate"), ".")
	if required {
		hint = txt("Your template asks for a workplace advocate, so the contract needs one before it can be sent.")
	}
	return msg("Who is your workplace advocate?", append(bs, message.Context{Text: hint})...)
}

// privateHint says who sees the private notes.
func privateHint() text {
	return txt("🔒 Only you, your approver and your advocate see this. It stays out of your learning set unless you tick it in when you share your draft.")
}

func advocateErrorMsg(err error, named string, skippable bool) message.Message {
	summary := "Pick someone else as advocate"
	switch {
	case errors.Is(err, errBot):
		summary = "Pick a person as advocate"
	case errors.Is(err, errNoMention):
		summary = "Mention your advocate"
	}
	x := advocateErrorText(err, named)
	if skippable {
		x = append(x, txt(" You can also skip this step.")...)
	}
	return note(summary, x)
}

// advocateErrorText says why the person named cannot be the advocate.
func advocateErrorText(err error, named string) text {
	switch {
	case errors.Is(err, errSelf):
		return txt("You can't be your own advocate: it's someone at work who backs your plan. Mention a colleague, like ", code("@Wen"), ".")
	case errors.Is(err, errBot):
		return txt("That's a bot, and an advocate needs to be a person who signs. Mention a colleague, like ", code("@Wen"), ".")
	case errors.Is(err, errSameAdvocate):
		return txt(at(named), " approves your contract already. An advocate is a second person at work who backs your plan: mention someone else.")
	}
	return txt("Please mention them with @ so I know exactly who it is, like ", code("@Wen"), ".")
}

// newAdvocatePrompt asks for another advocate for a proposal waiting for
// signatures.
func newAdvocatePrompt(lead text, c *contract.Contract) message.Message {
	now := txt("no workplace advocate")
	if a := c.AdvocateOf(); a != "" {
		now = txt(at(a), " as workplace advocate")
	}
	q := append(txt(bold("Who should be your workplace advocate?"), " Mention them, like ", code("@Wen"), ", or type ", code("none"), ". Version "+fmt.Sprint(c.Version)+" names "), now...)
	q = append(q, txt(". A change is sent as a new version, which ", at(c.Approver), " and the advocate sign again.")...)
	return msg("Who should be your workplace advocate?", withLead(lead, section(q),
		message.Context{Text: txt("Type ", code("cancel"), " to keep it as it is.")})...)
}

func approverIsAdvocateMsg(named string) message.Message {
	return note("Pick someone else to approve", at(named), " is your workplace advocate. Name someone else to approve it, or change your advocate first (",
		code("edit advocate"), ").")
}

// ambiguousPeopleMsg answers a message that names two people for one role:
// nothing is taken.
func ambiguousPeopleMsg(p people) message.Message {
	role, named := "approves it", p.approvers
	if len(p.advocates) > 1 {
		role, named = "is your advocate", p.advocates
	}
	return note("Who is who?", "You mentioned ", mentions(named), ", and I'd rather not guess who ", role,
		". Nothing is changed yet: mention one person, or say who is who, like ", code("@Mo, with @Wen as my advocate"), ".")
}

// namedLead confirms who a message named.
func namedLead(p people) text {
	switch {
	case p.approver != "" && p.advocate != "":
		return txt("Noted: ", at(p.approver), " approves it and ", at(p.advocate), " is your workplace advocate.")
	case p.advocate != "":
		return txt("Noted: ", at(p.advocate), " is your workplace advocate.")
	}
	return nil
}

// advocateRequestMsg asks the advocate to read, comment on and sign the
// version just proposed.
func advocateRequestMsg(c *contract.Contract) message.Message {
	v := c.Version
	r, _ := c.Revision(v)
	intro := txt("🤝 ", at(c.Learner), " named you as their workplace advocate for this learning contract. As advocate you confirm the plan fits the workplace: read it through, comment if something would not work, and sign it.")
	summary := "A learning contract names you as workplace advocate"
	switch {
	case c.DraftedBy != "" && r.ProposedBy == c.DraftedBy && r.Base == 0:
		intro = txt("🤝 ", at(r.ProposedBy), " drafted a learning contract for ", at(c.Learner), " that names you as workplace advocate. As advocate you confirm the plan fits the workplace: read it through, comment if something would not work, and sign it.")
	case v > 1 && r.ProposedBy != "" && r.ProposedBy != c.Learner:
		intro = txt("🤝 ", at(r.ProposedBy), " proposed an amendment to ", at(c.Learner), fmt.Sprintf("'s learning contract (version %d), which you support as workplace advocate. Here's what changed since version %d, and the whole contract below.", v, baseOf(c, v)))
		summary = "A new version of a learning contract you support"
	case v > 1:
		intro = txt("🤝 ", at(c.Learner), fmt.Sprintf(" sent a new version of their learning contract (version %d), which names you as workplace advocate. Here's what changed since version %d, and the whole contract below.", v, baseOf(c, v)))
		summary = "A new version of a learning contract you support"
	}
	return signCard(c, c.AdvocateOf(), blocks{section(intro)}, summary)
}

// advocateButtons are the advocate's buttons on a pending version, and a
// line saying who is still to sign and where a comment goes.
func advocateButtons(c *contract.Contract, recipient, val string) (message.Actions, text) {
	hint := append(txt(fmt.Sprintf("Version %d. Still to sign: ", c.Version)), stillToSign(c, recipient)...)
	hint = append(hint, txt(". A comment reaches ", mentions(othersOf(c, recipient)), " and is kept with the contract.")...)
	return actions(button("Sign as advocate", ActionAdvocateSign, val, message.Primary),
		button("Comment", ActionAdvocateComment, val, message.Default)), hint
}

// advocateChangeBlocks shows a change of advocate between version v and
// its base, which the terms' diff does not.
func advocateChangeBlocks(c *contract.Contract, v int) blocks {
	r, ok := c.Revision(v)
	base, okBase := c.Revision(baseOf(c, v))
	if !ok || !okBase || r.Advocate == base.Advocate {
		return nil
	}
	who := func(u string) message.Span {
		if u == "" {
			return italic("none")
		}
		return at(u)
	}
	return blocks{section(bold("Workplace advocate"), "\n", who(base.Advocate), " → ", who(r.Advocate))}
}

func advocateSignedOutcome(c *contract.Contract, pending []string) text {
	if len(pending) == 0 {
		return txt(fmt.Sprintf("✅ You signed version %d as workplace advocate. Everyone has signed: the contract is active.", c.Version))
	}
	return append(append(txt(fmt.Sprintf("✅ You signed version %d as workplace advocate. Waiting for ", c.Version)), mentions(pending)...), txt(" to sign.")...)
}

// advocateSignedMsg tells the learner (or an approver who has signed)
// that the advocate signed, and who is still to sign.
func advocateSignedMsg(c *contract.Contract, by string, pending []string, renegotiating bool) message.Message {
	if len(pending) == 0 {
		done := fmt.Sprintf(" signed as workplace advocate. Everyone has signed version %d. It's active now.", c.Version)
		if renegotiating {
			done = fmt.Sprintf(" signed as workplace advocate. Everyone has signed version %d: it's in force now.", c.Version)
		}
		return msg("The learning contract is active", section("🎉 ", at(by), done), message.Context{Text: txt(titleOf(c.Terms))})
	}
	return msg("The advocate signed",
		section("✅ ", at(by), fmt.Sprintf(" signed version %d as workplace advocate. Waiting for ", c.Version), mentions(pending), " to sign."),
		message.Context{Text: txt(titleOf(c.Terms))})
}

// advocateActiveMsg tells the advocate that the version they signed is
// in force, now that signer signed it too.
func advocateActiveMsg(c *contract.Contract, signer string) message.Message {
	return msg("A learning contract you support is active",
		section("🎉 ", at(signer), fmt.Sprintf(" signed version %d of ", c.Version), at(c.Learner), "'s learning contract, which you support as workplace advocate. Everyone has signed: it's in force now."),
		message.Context{Text: txt(titleOf(c.Terms))})
}

// advocateReleasedMsg tells a former advocate that the new version names
// someone else.
func advocateReleasedMsg(c *contract.Contract, former string) message.Message {
	other := "names another workplace advocate"
	if c.AdvocateOf() == "" {
		other = "names no workplace advocate"
	}
	return note("You're no longer asked to sign",
		at(c.Learner), " sent a new version of ", quoted(c), fmt.Sprintf(" (version %d) that %s, so your signature isn't needed any more. Thank you for your support!", c.Version, other))
}

func adviseModal(c *contract.Contract, v ActionValue) message.Modal {
	return message.Modal{CallbackID: CallbackAdvise, PrivateData: v.Encode(), Title: "Comment as advocate", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("Does the plan fit the workplace? Is the support realistic? Your comment goes to ", mentions(othersOf(c, c.AdvocateOf())),
				fmt.Sprintf(" with your name, about version %d, and is kept in the contract's history.", c.Version)),
			message.Input{ID: FieldComment, Label: "Your comment", Multiline: true, MaxLength: contract.MaxNote},
		}}
}

func advisedMsg(c *contract.Contract, by, comment string) message.Message {
	return msg("The workplace advocate commented",
		section("💬 ", at(by), fmt.Sprintf(", the workplace advocate, commented on version %d of ", c.Version), quoted(c), ":"),
		section(comment))
}

func advisedNoteMsg(others []string) message.Message {
	return note("Comment sent", "📨 Thanks: ", mentions(others), " will see your comment, and it's kept with the contract.")
}

// stillToSign names who has yet to sign the current version, recipient
// as "you".
func stillToSign(c *contract.Contract, recipient string) text {
	var others []string
	you := false
	for _, u := range c.AwaitingSignature() {
		if u == recipient {
			you = true
			continue
		}
		others = append(others, u)
	}
	x := mentions(others)
	switch {
	case you && len(others) == 0:
		return txt("you")
	case you && len(others) == 1:
		return append(txt("you and "), x...)
	case you:
		return append(txt("you, "), x...)
	}
	return x
}

func notAdvocateMsg(advocate string) message.Message {
	if advocate == "" {
		return note("You can't do that here", "This contract has no workplace advocate now, so there's nothing to sign as advocate.")
	}
	return note("You can't do that here", "Only ", at(advocate), ", the workplace advocate of this contract, can sign as advocate.")
}

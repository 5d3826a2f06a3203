package conversation

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
)

func setWhereMsg() message.Message {
	return note("Run it in the channel", "To make a learning set, invite me to the shared channel you'd like to use (",
		code("/invite @learnpact"), "), then run ", code("/contract learning-set"),
		" there. Its members can then review each other's draft contracts.")
}

func setHelpMsg() message.Message {
	return note("Learning set commands", "In a learning set's channel: ", code("/contract learning-set"), " makes it one, and ",
		code("/contract learning-set reviewers 3"), " asks for three reviewers per draft. Anywhere: ",
		code("/contract away until 3 March"), " pauses review requests, ", code("/contract away off"), " picks them up again.")
}

func setExistsMsg(s learningset.Set) message.Message {
	return note("Already a learning set", s.Label(), fmt.Sprintf(" is already a learning set: each shared draft gets %d reviewers.", s.Size()))
}

func setOfferMsg(s learningset.Set) message.Message {
	return msg("Make this channel a learning set?",
		section("👋 Hi! I help people draft learning contracts. Shall I make ", bold(s.Label()),
			" a learning set? Members can then share their drafts here as a thread and I'll ask two of them, in turn, for critical feedback before the draft goes to a manager."),
		actions(button("Make this a learning set", ActionCreateSet, s.Channel, message.Primary)),
		message.Context{Text: txt("Nothing changes until someone says yes. Private parts of a draft stay out unless its learner ticks them in.")})
}

func setCreatedMsg(s learningset.Set, by string) message.Message {
	return msg("This channel is now a learning set",
		section("🤝 ", bold(s.Label()), " is now a learning set, set up by ", at(by), "."),
		section(fmt.Sprintf("When a member shares a draft learning contract here, I'll post its key parts as a thread and ask %d members to review it, least asked first. Anyone may reply in the thread; replies reach the learner with who said them.", s.Size())),
		message.Context{Text: txt("Away for a while? ", code("/contract away until 3 March"), ". Different number of reviewers? ", code("/contract learning-set reviewers 3"), ".")})
}

func reviewersChangedMsg(by string, n int) message.Message {
	return note("Reviewers changed", at(by), fmt.Sprintf(" set this learning set to ask %d reviewer%s per draft.", n, plural(n)))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func awayMsg(sets []learningset.View, until time.Time, back bool) message.Message {
	var names []string
	for _, v := range sets {
		names = append(names, v.Set.Label())
	}
	if back {
		return note("Welcome back", "Welcome back! I'll ask you to review drafts in ", andList(names), " again.")
	}
	return note("Away noted", "Noted: I won't ask you to review drafts in ", andList(names), " before ", formatDate(until), ".")
}

func noSetMsg() message.Message {
	return note("You're not in a learning set yet",
		"You're not in a learning set yet. A learning set is a shared channel where peers review each other's drafts: ask your team to invite me to one and run ",
		code("/contract learning-set"), " there. You can still send your draft straight to your manager.")
}

func notShareableMsg(c *contract.Contract, user string) message.Message {
	if c == nil || c.Learner != user {
		return note("No draft to share", "You have no draft open to share. Type ", code("list"), " to see your contracts.")
	}
	return note("Not a draft any more", "This contract is ", statusLabel(c.Status), ", so it can't be shared for peer review now.")
}

func sharePromptMsg(c *contract.Contract) message.Message {
	return msg("Share your draft with your learning set",
		section("Your learning set can give critical feedback on your draft before your manager sees it."),
		actions(button("Share with my learning set", ActionShare, value(c), message.Primary)))
}

// sharedDraftMsg is the thread root posted in the learning set.
func sharedDraftMsg(c *contract.Contract, sh contract.Share, reviewers []string, support, ethics bool) message.Message {
	tm := c.Terms
	lead := txt("📣 ", at(c.Learner), " would like critical feedback on their draft learning contract")
	if sh.Round > 1 {
		lead = append(lead, txt(fmt.Sprintf(" (round %d, revised after earlier feedback)", sh.Round))...)
	}
	lead = append(lead, txt(".")...)
	deadline := txt(italic("not set yet"))
	if !tm.Deadline.IsZero() {
		deadline = txt(formatDate(tm.Deadline))
	}
	bs := blocks{
		message.Header{Text: clipString("Draft for review: "+titleOf(tm), maxHeader)},
		section(lead),
		section(bold("Goals"), "\n", orNone(goalsText(tm.Goals), "none yet")),
		section(bold("Activities and resources"), "\n", orNone(bullets(tm.Activities), "none yet")),
		section(bold("Evidence"), "\n", orNone(bullets(tm.Evidence), "none yet")),
		section(bold("Success criteria"), "\n", orNone(criteriaText(tm.Criteria), "none yet")),
		message.Fields{Fields: []message.Field{{Label: "Deadline", Value: deadline}, {Label: "Check-ins", Value: orNone(txt(cadenceLabel(tm.Cadence)), "not set")}}},
	}
	if support && tm.Support != "" {
		bs = append(bs, section(bold("Support needed"), "\n", tm.Support))
	}
	if ethics && tm.Ethics != "" {
		bs = append(bs, section(bold("Ethical considerations"), "\n", tm.Ethics))
	}
	if sh.Note != "" {
		bs = append(bs, section(bold("The learner asks"), "\n", sh.Note))
	}
	who := txt("Everyone here is welcome to reply in the thread.")
	if len(reviewers) > 0 {
		who = txt("Reviewers: ", mentions(reviewers), ". Anyone else here is welcome to reply too.")
	}
	bs = append(bs, section(who),
		actions(button("Give feedback", ActionFeedback, value(c), message.Primary), button("Not this week", ActionDeclineReview, value(c), message.Default)),
		message.Context{Text: txt("Reply in this thread, or use ", bold("Give feedback"), " for four short prompts. Feedback goes to the learner with your name; they decide what to change.")})
	return msg("Draft for review from a learning set member", bs...)
}

func sharedMsg(c *contract.Contract, s learningset.Set, reviewers []string) message.Message {
	if len(reviewers) == 0 {
		return note("Shared with your learning set", "Shared with ", bold(s.Label()),
			". Nobody there is free to review right now, so I named no one, but anyone may reply in the thread. I'll pass on what they say.")
	}
	return note("Shared with your learning set", "Shared with ", bold(s.Label()), ". I've asked ", mentions(reviewers),
		" for feedback; I'll bring it to you here, with who said what. You can keep editing meanwhile.")
}

func notMemberMsg(c *contract.Contract, set string) message.Message {
	return note("Only the learning set reviews this", "Thanks for wanting to help! Only members of ", set, " review ",
		at(c.Learner), "'s draft, so I haven't recorded anything.")
}

func feedbackNoticeMsg(by, learner string) message.Message {
	return note("Feedback given", "✅ ", at(by), " gave feedback through the form; it went to ", at(learner), ".")
}

func thanksMsg(c *contract.Contract) message.Message {
	return note("Thanks for your feedback", "Thanks! I've passed your feedback to ", at(c.Learner), ", with your name.")
}

func replacedMsg(decliner string, repl []string) message.Message {
	if len(repl) == 0 {
		return note("A reviewer can't this week", at(decliner), " can't review this week, and nobody else is free just now. Anyone here is welcome to reply.")
	}
	return note("A reviewer can't this week", at(decliner), " can't review this week. ", mentions(repl), ", could you take a look instead?")
}

func declinedThanksMsg(repl []string) message.Message {
	if len(repl) == 0 {
		return note("No problem", "No problem, thanks for saying so. I won't ask you again this week.")
	}
	return note("No problem", "No problem, thanks for saying so. I've asked ", mentions(repl), " instead, and won't ask you again this week.")
}

func reviewReminderMsg(c *contract.Contract, user string) message.Message {
	sh, _ := c.CurrentShare()
	return msg("A draft is waiting for your feedback",
		section("👋 A gentle reminder: ", at(c.Learner), " asked for your feedback on their draft ", bold(titleOf(c.Terms)),
			" in the learning set. A few lines in the thread are plenty, or use the form."),
		actions(button("Give feedback", ActionFeedback, ActionValue{ContractID: c.ID, Version: c.Version, Ref: MessageRef{Channel: sh.Channel, TS: sh.TS}}.Encode(), message.Primary),
			button("Not this week", ActionDeclineReview, value(c), message.Default)))
}

// feedbackBlocks lists feedback, each point with who said it.
func feedbackBlocks(fs []contract.Feedback) blocks {
	var bs blocks
	for _, f := range fs {
		x := txt(at(f.By))
		if f.Source == contract.FromThread {
			x = append(x, txt(" in the thread:\n", f.Text)...)
		} else {
			x = append(x, txt(":")...)
			for _, p := range []struct{ q, a string }{
				{"Goals specific? ", f.Specific}, {"Evidence convincing? ", f.Evidence},
				{"Timeline realistic? ", f.Timeline}, {"Suggestion: ", f.Suggestion},
			} {
				if p.a != "" {
					x = append(x, txt("\n• ", italic(p.q), p.a)...)
				}
			}
		}
		bs = append(bs, section(x))
	}
	return bs
}

// gatheredMsg brings the round's feedback to the learner: when everyone
// asked has answered, or (slow) when some are taking their time.
func gatheredMsg(c *contract.Contract, mode string) message.Message {
	fs := c.RoundFeedback()
	waiting := c.Waiting()
	summary := "Your learning set reviewed your draft"
	lead := txt("🗣️ Your learning set has reviewed your draft ", bold(titleOf(c.Terms)), ". Here's what they said:")
	if mode == "slow" {
		summary = "Some reviewers haven't answered yet"
		verb := " haven't"
		if len(waiting) == 1 {
			verb = " hasn't"
		}
		lead = txt("⏳ ", mentions(waiting), verb, " reviewed your draft yet. No need to wait: you can go ahead without them.")
		if len(fs) > 0 {
			lead = append(lead, txt(" Here's the feedback so far:")...)
		}
	}
	if len(fs) == 0 && mode != "slow" {
		lead = txt("Nobody in the learning set was able to review your draft this time. You can revise it or send it to your manager as it is.")
	}
	bs := blocks{section(lead)}
	bs = append(bs, feedbackBlocks(fs)...)
	bs = append(bs, nextStepButtons(c), message.Context{Text: txt("Your manager sees that peers reviewed your draft, and what they said unless you send it keeping their comments private.")})
	return msg(summary, bs...)
}

func nextStepButtons(c *contract.Contract) message.Actions {
	return actions(button("Revise draft", ActionReviseDraft, value(c), message.Primary),
		button("Send to my manager", ActionSend, value(c), message.Default),
		button("Send, comments private", ActionSendPrivately, value(c), message.Default))
}

func moreFeedbackMsg(c *contract.Contract, f contract.Feedback) message.Message {
	bs := blocks{section("More feedback on your draft ", bold(titleOf(c.Terms)), ":")}
	bs = append(bs, feedbackBlocks([]contract.Feedback{f})...)
	return msg("More feedback on your draft", append(bs, nextStepButtons(c))...)
}

// peerReviewBlocks tell the approver that peers reviewed the draft and,
// unless the learner kept it private, what they said.
//
// A later version shows only what peers said since the approver's last
// look (the previous version), which earlier cards already showed.
func peerReviewBlocks(c *contract.Contract) blocks {
	fs, since := c.Feedback, ""
	if c.Version > 1 {
		fs, since = c.FeedbackSince(c.Version-1), fmt.Sprintf("Since version %d, ", c.Version-1)
	}
	who := contract.Authors(fs)
	if len(who) == 0 {
		return nil
	}
	if c.HideFeedback {
		lead := "Peer reviewed by "
		if since != "" {
			lead = since + "peer reviewed by "
		}
		note := append(txt("🤝 ", lead), mentions(who)...)
		note = append(note, txt(" in the learning set; ", at(c.Learner), " kept their comments private.")...)
		return blocks{message.Context{Text: note}}
	}
	lead := "Reviewed by "
	if since != "" {
		lead = since + "reviewed by "
	}
	bs := blocks{section(bold("Peer review"), "\n", lead, mentions(who), " in the learning set. What they said:")}
	if len(fs) > 10 {
		fs = fs[len(fs)-10:]
	}
	return append(append(bs, feedbackBlocks(fs)...), message.Divider{})
}

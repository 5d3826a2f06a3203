package conversation

import (
	"fmt"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Messages of finishing a contract: handing in evidence, assessment,
// reflection, completion, ending early and the impact check-backs.

const (
	maxEvidenceShown = 500 // characters of a text evidence shown on a card
	maxEvidenceLines = 20  // pieces of evidence listed on a card
)

var ratingLabels = map[contract.Rating]string{contract.Met: "✅ Met", contract.Partly: "🟡 Partly", contract.NotYet: "⏳ Not yet"}

func ratingLabel(r contract.Rating) string {
	if l, ok := ratingLabels[r]; ok {
		return l
	}
	return string(r)
}

var impactLabels = map[string]string{contract.ImpactALot: "Yes, a lot", contract.ImpactSomewhat: "Somewhat", contract.ImpactNotYet: "Not yet"}

func impactLabel(a string) string {
	if l, ok := impactLabels[a]; ok {
		return l
	}
	return a
}

// itemValue is what a button about one item of c carries.
func itemValue(c *contract.Contract, item int) string {
	return ActionValue{ContractID: c.ID, Version: c.Version, Item: item}.Encode()
}

// workValue is what a button on a card about the submitted work carries.
func workValue(c *contract.Contract) string {
	return ActionValue{ContractID: c.ID, Version: c.Version, Submission: c.CurrentSubmission()}.Encode()
}

func submitButton(c *contract.Contract) message.Button {
	return button("Submit evidence", ActionSubmitEvidence, value(c), message.Primary)
}

// counted is a count with its noun: "1 piece", "2 pieces".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func noWorkMsg() message.Message {
	return note("No contract to finish here", "There's no contract of yours under way here. Type ", code("list"),
		" to see your contracts and open the one you mean, then try again.")
}

func answeredMsg() message.Message {
	return note("That question has been answered",
		"That question has been answered already. Type ", code("status"), " to see where your contract is.")
}

func alreadySubmittedMsg(c *contract.Contract) message.Message {
	if c.Status == contract.Completed {
		return note("Completed already", "🎉 ", quoted(c), " is completed already: nothing more to hand in. Type ", code("status"), " to see it.")
	}
	if c.Assessed() {
		return msg("Assessed already", section("You handed in ", quoted(c), " and ", at(c.Approver), " has assessed it. What's left is your reflection."),
			actions(button("Reflect and finish", ActionReflect, value(c), message.Primary)))
	}
	return note("Handed in already", "📨 You handed in ", quoted(c), " already; it's with ", at(c.Approver),
		" for assessment. If they'd like more evidence, they'll say so and I'll ask you for it.")
}

// --- handing in evidence ---

func handInIntro(c *contract.Contract) text {
	return txt("📦 Let's hand in the evidence for ", quoted(c), ". For each piece, send a link, share a file here, or type a short text.")
}

func handInPrompt(lead text, c *contract.Contract, item int) message.Message {
	ev := c.InForce().Evidence
	val := itemValue(c, item)
	done := button("Done: rate my criteria", ActionEvidenceDone, val, message.Primary)
	if item >= 1 && item <= len(ev) {
		return msg("Evidence: "+clipString(ev[item-1], 100), withLead(lead,
			section(bold(fmt.Sprintf("Evidence %d of %d: ", item, len(ev))), "“", ev[item-1], "”"),
			section("Send a link, share a file, or type it here."),
			actions(button("Skip this one", ActionSkipEvidence, val, message.Default), done),
			message.Context{Text: txt("Files stay where you share them; I keep their name and link. Type ", code("cancel"), " to stop: what you handed in is kept.")},
		)...)
	}
	return msg("Anything else?", withLead(lead,
		section(bold("Anything else?"), " Evidence the contract didn't foresee is welcome too: send a link, share a file or type it. Otherwise, on to your self-assessment."),
		actions(done),
		message.Context{Text: txt(counted(len(newEvidence(c)), "piece", "pieces"), " of evidence handed in so far.")},
	)...)
}

// evidenceTaken says what was just handed in.
func evidenceTaken(es []contract.EvidenceItem) text {
	var names []string
	for _, e := range es {
		switch e.Kind {
		case contract.EvidenceLink:
			names = append(names, "the link")
		case contract.EvidenceFile:
			names = append(names, "“"+e.File.Name+"”")
		default:
			names = append(names, "your text")
		}
	}
	return txt("✅ Got it: ", andList(names), " is handed in.")
}

func filesNotKeptMsg(fs []contract.File, c *contract.Contract) message.Message {
	var names []string
	for _, f := range fs {
		names = append(names, "“"+f.Name+"”")
	}
	x := txt("📎 I see ", andList(names), ", but I only keep files you hand in as evidence.")
	if c != nil && (c.Status == contract.Active || c.Status == contract.Renegotiating) {
		return msg("Hand it in as evidence?", section(x, " To hand it in for ", quoted(c), ", start here and share it again."),
			actions(submitButton(c)))
	}
	return msg("Files are kept only as evidence", section(x, " Type ", code("submit"), " when you're ready to hand in evidence for an active contract."))
}

// evidenceLines lists evidence, each piece with what the contract named
// it for.
func evidenceLines(c *contract.Contract, es []contract.EvidenceItem) text {
	ev := c.InForce().Evidence
	var x text
	for i, e := range es {
		if i == maxEvidenceLines {
			x = append(x, txt(fmt.Sprintf("\n…and %d more", len(es)-maxEvidenceLines))...)
			break
		}
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt("• ")...)
		switch e.Kind {
		case contract.EvidenceLink:
			x = append(x, txt("🔗 ", message.Link(e.URL, clipString(e.URL, 80)))...)
		case contract.EvidenceFile:
			if contract.IsURL(e.File.Permalink) {
				x = append(x, txt("📎 ", message.Link(e.File.Permalink, e.File.Name))...)
			} else {
				x = append(x, txt("📎 ", e.File.Name)...)
			}
		default:
			x = append(x, txt("📝 “", clipString(e.Text, maxEvidenceShown), "”")...)
		}
		if e.Of >= 1 && e.Of <= len(ev) {
			x = append(x, txt(" — for “", clipString(ev[e.Of-1], 80), "”")...)
		} else {
			x = append(x, txt(" — extra")...)
		}
	}
	return x
}

// --- the self-assessment ---

func criterionText(c *contract.Contract, i int) string {
	cs := c.InForce().Criteria
	if i < 1 || i > len(cs) {
		return ""
	}
	return cs[i-1].Text
}

func ratePrompt(lead text, c *contract.Contract, i int) message.Message {
	n := len(c.InForce().Criteria)
	val := itemValue(c, i)
	return msg(fmt.Sprintf("Criterion %d of %d", i, n), withLead(lead,
		section(bold(fmt.Sprintf("Success criterion %d of %d: ", i, n)), "“", criterionText(c, i), "”"),
		section("How did you do against it?"),
		actions(button("Met", ActionRateMet, val, message.Default),
			button("Partly", ActionRatePartly, val, message.Default),
			button("Not yet", ActionRateNotYet, val, message.Default)),
	)...)
}

func rateAnsweredMsg(c *contract.Contract, i int, r contract.Rating) message.Message {
	return msg("Your rating", section(fmt.Sprintf("Criterion %d: “", i), criterionText(c, i), "” — you rated it ", bold(ratingLabel(r)), "."))
}

func rateNotePrompt(lead text, c *contract.Contract, i int) message.Message {
	return msg("A note on your rating", withLead(lead,
		section(bold("A note on it?"), " What shows it, or what's missing? A sentence is plenty."),
		actions(button("Skip", ActionSkipRateNote, itemValue(c, i), message.Default)),
	)...)
}

// ratingsText lists the criteria with the learner's and the approver's
// ratings of each in submission n, and the replies.
func ratingsText(c *contract.Contract, n int) text {
	var x text
	for i, cr := range c.InForce().Criteria {
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt(fmt.Sprintf("%d. “", i+1), cr.Text, "”")...)
		if a, ok := c.Rated(c.Learner, n, i+1); ok {
			x = append(x, txt("\n    ", at(c.Learner), ": ", bold(ratingLabel(a.Rating)))...)
			if a.Note != "" {
				x = append(x, txt(" — ", clipString(a.Note, maxEvidenceShown))...)
			}
		}
		if a, ok := c.Rated(c.Approver, n, i+1); ok {
			x = append(x, txt("\n    ", at(c.Approver), ": ", bold(ratingLabel(a.Rating)))...)
			if a.Note != "" {
				x = append(x, txt(" — ", clipString(a.Note, maxEvidenceShown))...)
			}
		}
		for _, cm := range c.Comments {
			if cm.Submission == n && cm.Criterion == i+1 {
				x = append(x, txt("\n    ↪ ", at(cm.By), ": ", clipString(cm.Text, maxEvidenceShown))...)
			}
		}
	}
	return x
}

func submittedMsg(c *contract.Contract, aside bool) message.Message {
	lead := "📨 Handed in! "
	if s, ok := c.LastSubmission(); ok && s.Early {
		lead = "🎉 Handed in early! "
	}
	return msg("Your evidence is handed in", withAside(blocks{
		section(lead, at(c.Approver), " has your evidence and your self-assessment of ", quoted(c), ", and will rate each criterion beside yours."),
		message.Context{Text: txt("No more check-ins or deadline reminders for this contract. I'll let you know when it's assessed.")},
	}, aside)...)
}

// workBlocks are the evidence and ratings of the work, for the cards.
func workBlocks(c *contract.Contract, n int) blocks {
	return blocks{
		section(bold("Evidence"), "\n", evidenceLines(c, c.SubmissionEvidence(n))),
		section(bold("Success criteria"), "\n", ratingsText(c, n)),
	}
}

// earlyNote says that the work came before the deadline: finished early.
func earlyNote(c *contract.Contract) string {
	if s, ok := c.LastSubmission(); ok && s.Early && !c.Deadline().IsZero() {
		return " early (the deadline is " + formatDate(c.Deadline()) + ")"
	}
	return ""
}

func submissionNote(c *contract.Contract) string {
	if n := c.CurrentSubmission(); n > 1 {
		return fmt.Sprintf(" (handed in again: submission %d)", n)
	}
	return ""
}

// assessCardMsg asks the approver to assess the submitted work.
func assessCardMsg(c *contract.Contract) message.Message {
	val := workValue(c)
	bs := blocks{message.Header{Text: clipString("Ready for your assessment: "+titleOf(c.InForce()), maxHeader)},
		section("📨 ", at(c.Learner), " handed in their evidence", earlyNote(c), " and rated themselves against each success criterion", submissionNote(c), ".")}
	bs = append(bs, workBlocks(c, c.CurrentSubmission())...)
	return msg("Ready for your assessment", append(bs,
		actions(button("Assess", ActionAssess, val, message.Primary), button("Ask for more evidence", ActionAskMore, val, message.Default)),
		message.Context{Text: txt("Judge the work against the criteria you agreed. Where you see it differently, say why: ", at(c.Learner), " can reply. Or ask for more evidence with a new date.")},
	)...)
}

// evidenceCardMsg shows an advocate the submitted work.
func evidenceCardMsg(c *contract.Contract) message.Message {
	bs := blocks{section("📨 ", at(c.Learner), " handed in the evidence for ", quoted(c), submissionNote(c), ". As their advocate, you can see it and comment.")}
	bs = append(bs, workBlocks(c, c.CurrentSubmission())...)
	return msg("Evidence handed in", append(bs, actions(button("Comment", ActionCommentWork, workValue(c), message.Default)))...)
}

func workMovedOnMsg(c *contract.Contract, clicked int) message.Message {
	x := txt(fmt.Sprintf("This card was for submission %d of ", clicked), quoted(c), ". ")
	switch c.Status {
	case contract.Submitted:
		x = append(x, txt(fmt.Sprintf("It's at submission %d now: use the newest card.", c.CurrentSubmission()))...)
	case contract.Completed:
		x = append(x, txt("The contract is completed now.")...)
	case contract.Active, contract.Renegotiating:
		x = append(x, txt("More evidence was asked for; ", at(c.Learner), " is gathering it.")...)
	default:
		x = append(x, stateText(c)...)
	}
	return msg("This card is out of date", section(x), message.Context{Text: txt("Nothing was changed.")})
}

func assessModal(c *contract.Contract, v ActionValue) message.Modal {
	n := c.CurrentSubmission()
	bs := blocks{section("Rate each success criterion. ", at(c.Learner), "'s own rating is shown with each; where yours differs, say why: they can reply.")}
	for i, cr := range c.InForce().Criteria {
		self := txt("no rating")
		if a, ok := c.Rated(c.Learner, n, i+1); ok {
			self = txt(bold(ratingLabel(a.Rating)))
			if a.Note != "" {
				self = append(self, txt(" — ", clipString(a.Note, 300))...)
			}
		}
		bs = append(bs,
			section(bold(fmt.Sprintf("%d. ", i+1)), clipString(cr.Text, 500), "\n", at(c.Learner), ": ", self),
			message.Choice{ID: FieldRating(i + 1), Label: fmt.Sprintf("Your rating of criterion %d", i+1), Options: []message.Option{
				{Label: "Met", Value: string(contract.Met)}, {Label: "Partly", Value: string(contract.Partly)}, {Label: "Not yet", Value: string(contract.NotYet)}}},
			message.Input{ID: FieldRatingNote(i + 1), Label: "Your comment (say why where you differ)", Multiline: true, Optional: true, MaxLength: contract.MaxNote},
		)
	}
	return message.Modal{CallbackID: CallbackAssess, PrivateData: v.Encode(), Title: "Assess the work", Submit: "Save", Close: "Cancel", Blocks: bs}
}

func askMoreModal(c *contract.Contract, v ActionValue) message.Modal {
	return message.Modal{CallbackID: CallbackAskMore, PrivateData: v.Encode(), Title: "Ask for more evidence", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("The contract goes back to ", at(c.Learner), " as active, with a new date for the evidence. Nothing they handed in is lost."),
			message.Input{ID: FieldComment, Label: "What more would you like to see?", Multiline: true, MaxLength: contract.MaxNote,
				Placeholder: "e.g. A short survey of the teammates who used the checklist"},
			message.Input{ID: FieldDue, Label: "New date", Placeholder: "e.g. in 2 weeks, or 2027-04-02"},
		}}
}

func commentModal(c *contract.Contract, v ActionValue) message.Modal {
	return message.Modal{CallbackID: CallbackComment, PrivateData: v.Encode(), Title: "Comment on the work", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("Your comment goes to ", mentions(othersOf(c, "")), " with your name."),
			message.Input{ID: FieldComment, Label: "Your comment", Multiline: true, MaxLength: contract.MaxNote},
		}}
}

// workDecidedMsg replaces an assessment card once it was used.
func workDecidedMsg(c *contract.Contract, n int, summary string, outcome text) message.Message {
	bs := blocks{section(outcome), message.Divider{}}
	bs = append(bs, workBlocks(c, n)...)
	return msg(summary, append(bs, message.Context{Text: txt(titleOf(c.InForce()))})...)
}

func assessedMsg(c *contract.Contract) message.Message {
	d := c.Differ(c.CurrentSubmission())
	bs := blocks{section("📋 ", at(c.Approver), " assessed ", quoted(c), ". Here are your ratings side by side:"),
		section(ratingsText(c, c.CurrentSubmission()))}
	btns := []message.Button{button("Reflect and finish", ActionReflect, value(c), message.Primary)}
	if len(d) > 0 {
		bs = append(bs, section("You see ", counted(len(d), "criterion", "criteria"), " differently. That's a conversation, not a verdict: you can reply to ", at(c.Approver), "'s comments first."))
		btns = append([]message.Button{button("Reply", ActionReplyAssess, value(c), message.Primary)}, button("Reflect and finish", ActionReflect, value(c), message.Default))
	}
	return msg("Your work is assessed", append(bs, actions(btns...),
		message.Context{Text: txt("Then three short questions to reflect, and the contract is complete.")})...)
}

func moreAskedMsg(c *contract.Contract, approver string) message.Message {
	s, _ := c.LastSubmission()
	return msg("More evidence, please", section("↩️ ", at(approver), " would like more evidence for ", quoted(c), " by ", bold(formatDate(s.Due)), "."),
		section(italic("Their note:"), " ", s.MoreComment),
		actions(submitButton(c)),
		message.Context{Text: txt("The contract is active again, with check-ins to the new date. What you handed in is kept: add to it, rate yourself again and hand it in.")})
}

func commentedMsg(c *contract.Contract, by, text string) message.Message {
	return msg("A comment on the work", section("💬 ", at(by), " commented on the evidence for ", quoted(c), ":"), section(text))
}

func waitingForAssessmentMsg(c *contract.Contract) message.Message {
	return note("Not assessed yet", "⏳ ", at(c.Approver), " hasn't assessed ", quoted(c), " yet. I'll let you know when they have; then you reflect on it and it's complete.")
}

func replyPrompt(lead text, c *contract.Contract, i int) message.Message {
	a, _ := c.Rated(c.Approver, c.CurrentSubmission(), i)
	s, _ := c.Rated(c.Learner, c.CurrentSubmission(), i)
	bs := withLead(lead,
		section(bold(fmt.Sprintf("Criterion %d: ", i)), "“", criterionText(c, i), "”\nYou: ", bold(ratingLabel(s.Rating)), " · ", at(c.Approver), ": ", bold(ratingLabel(a.Rating))))
	if a.Note != "" {
		bs = append(bs, section(italic("Their comment:"), " ", a.Note))
	}
	return msg("Your reply", append(bs, section(bold("Your reply?"), " I'll pass it on as you write it."),
		actions(button("Skip", ActionSkipReply, itemValue(c, i), message.Default)))...)
}

func replyMsg(c *contract.Contract, i int, text string) message.Message {
	return msg("A reply to your assessment", section("💬 ", at(c.Learner), fmt.Sprintf(" replied about criterion %d of ", i), quoted(c), " (“", criterionText(c, i), "”):"),
		section(text))
}

var reflectQuestions = map[State]struct{ summary, question string }{
	StateLearned:     {"What did you learn?", "What did you learn?"},
	StateDifferently: {"What would you do differently?", "What would you do differently next time?"},
	StateChange:      {"What will you change?", "What will you change in your work now?"},
}

func reflectPrompt(lead text, c *contract.Contract, st State) message.Message {
	q := reflectQuestions[st]
	ids := map[State]ActionID{StateLearned: ActionSkipLearned, StateDifferently: ActionSkipDifferently, StateChange: ActionSkipChange}
	n := map[State]int{StateLearned: 1, StateDifferently: 2, StateChange: 3}[st]
	return msg(q.summary, withLead(lead,
		section(bold(fmt.Sprintf("%d of 3: ", n)), bold(q.question)),
		actions(button("Skip", ids[st], value(c), message.Default)),
	)...)
}

// impactPlanText says when the impact check-backs come.
func impactPlanText(c *contract.Contract) string {
	if len(c.ImpactDays) == 0 {
		return ""
	}
	var ds []string
	for _, d := range c.ImpactDays {
		ds = append(ds, fmt.Sprintf("%d", d))
	}
	return "I'll check back in " + andList(ds) + " days to see whether it changed how you work."
}

func reflectionText(r *contract.Reflection) text {
	if r == nil {
		return nil
	}
	var x text
	for _, q := range []struct{ label, answer string }{
		{"What I learned", r.Learned}, {"What I'd do differently", r.Differently}, {"What I'll change in my work", r.Change}} {
		if q.answer == "" {
			continue
		}
		if len(x) > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt(bold(q.label+": "), clipString(q.answer, 600))...)
	}
	return x
}

// completedMsg is the summary both parties get at completion.
func completedMsg(c *contract.Contract, recipient string, aside bool) message.Message {
	lead := txt("🎉 ", quoted(c), " is complete. Well done!")
	if recipient != c.Learner {
		lead = txt("🎉 ", at(c.Learner), " completed ", quoted(c), ". Here's the summary.")
	}
	bs := blocks{message.Header{Text: clipString("Completed: "+titleOf(c.InForce()), maxHeader)}, section(lead),
		section(bold("Success criteria"), "\n", ratingsText(c, c.CurrentSubmission()))}
	if r := reflectionText(c.Reflection); len(r) > 0 {
		bs = append(bs, section(bold("Reflection"), "\n", r))
	}
	ctx := "No more check-ins or reminders for this contract."
	if recipient == c.Learner {
		if p := impactPlanText(c); p != "" {
			ctx += " " + p
		}
	}
	return msg("Contract completed", withAside(append(bs, message.Context{Text: txt(ctx)}), aside)...)
}

// --- ending early ---

func endEarlyMsg(c *contract.Contract) message.Message {
	return msg("End this contract early?",
		section("How would you like to end ", quoted(c), "?"),
		section("• ", bold("I've finished early"), ": hand in your evidence now, and ", at(c.Approver), " assesses it.\n• ",
			bold("It's no longer relevant"), ": plans change. The contract is withdrawn, without blame, and ", at(c.Approver), " is told."),
		actions(button("I've finished early", ActionSubmitEvidence, value(c), message.Primary),
			button("It's no longer relevant", ActionRetire, value(c), message.Default)),
	)
}

func retireNotePrompt(lead text, c *contract.Contract) message.Message {
	return msg("No longer relevant", withLead(lead,
		section(bold("Anything you'd like "), at(c.Approver), bold(" to know?"), " Optional: a team change, a new priority. Then I withdraw ", quoted(c), "."),
		actions(button("Skip", ActionSkipRetireNote, value(c), message.Default)),
		message.Context{Text: txt("Type ", code("cancel"), " to keep the contract going.")},
	)...)
}

func retiredMsg(c *contract.Contract, aside bool) message.Message {
	return msg("Contract withdrawn", withAside(blocks{
		section("🌱 Done: ", quoted(c), " is withdrawn as no longer relevant. No blame: plans change. ", at(c.Approver), " has been told."),
		message.Context{Text: txt("No more check-ins or reminders for it. Type ", code("new"), " whenever you'd like to start another.")},
	}, aside)...)
}

func retiredNoticeMsg(c *contract.Contract) message.Message {
	bs := blocks{section("🌱 ", at(c.Learner), " withdrew ", quoted(c), ": it's no longer relevant. No action needed.")}
	if c.EndNote != "" {
		bs = append(bs, section(italic("Their note:"), " ", c.EndNote))
	}
	return msg("A contract is no longer relevant", bs...)
}

// --- impact check-backs ---

func impactButtons(c *contract.Contract, day int) message.Actions {
	val := itemValue(c, day)
	return actions(button("Yes, a lot", ActionImpactALot, val, message.Default),
		button("Somewhat", ActionImpactSomewhat, val, message.Default),
		button("Not yet", ActionImpactNotYet, val, message.Default))
}

func impactPromptMsg(c *contract.Contract, day int) message.Message {
	return msg("Has this changed how you work?",
		section("👋 ", fmt.Sprintf("It's been %d days since you completed ", day), quoted(c), "."),
		section(bold("Has it changed how you work?")),
		impactButtons(c, day),
		message.Context{Text: txt("Your answer is kept with the contract, for you and ", at(c.Approver), ".")})
}

func impactApproverMsg(c *contract.Contract, day int) message.Message {
	return msg("Have you seen a difference?",
		section("👋 ", at(c.Learner), " completed ", quoted(c), fmt.Sprintf(" %d days ago.", day)),
		section(bold("Have you seen a difference in how they work?")),
		impactButtons(c, day),
		message.Context{Text: txt("I'll ask you just this once.")})
}

func impactAnsweredMsg(c *contract.Contract, by, answer string) message.Message {
	return msg("Your answer", section("You answered ", bold(impactLabel(answer)), "."), message.Context{Text: txt(titleOf(c.InForce()))})
}

func impactExamplePrompt(lead text, c *contract.Contract) message.Message {
	return msg("An example?", withLead(lead,
		section(bold("An example?"), " A sentence about something you do differently now (or what's in the way)."),
		actions(button("Skip", ActionSkipImpactExample, value(c), message.Default)),
	)...)
}

func impactThanksMsg(c *contract.Contract, aside bool) message.Message {
	return msg("Thanks", withAside(blocks{section("🙏 Thanks! That's kept with ", quoted(c), ".")}, aside)...)
}

// finishStatusText says, for the status, where a finishing contract is.
func finishStatusText(c *contract.Contract, user string) (text, []message.Button) {
	switch c.Status {
	case contract.Submitted:
		if c.Assessed() {
			if user == c.Learner {
				return txt("📋 Assessed by ", at(c.Approver), ". What's left is your reflection."),
					[]message.Button{button("Reflect and finish", ActionReflect, value(c), message.Primary)}
			}
			return txt("📋 Assessed. ", at(c.Learner), " is reflecting on it."), nil
		}
		return txt("📨 Evidence handed in", submissionNote(c), "; waiting for ", at(c.Approver), "'s assessment."), nil
	case contract.Completed:
		x := txt("🎉 Completed on ", formatDate(c.CompletedAt), ".")
		if r := reflectionText(c.Reflection); len(r) > 0 {
			x = append(x, txt("\n")...)
			x = append(x, r...)
		}
		for _, im := range c.Impacts {
			x = append(x, txt(fmt.Sprintf("\nAfter %d days, ", im.Day), at(im.By), ": ", bold(impactLabel(im.Answer)))...)
			if im.Example != "" {
				x = append(x, txt(" — ", clipString(im.Example, 300))...)
			}
		}
		return x, nil
	case contract.Withdrawn:
		if c.EndReason == contract.NoLongerRelevant {
			return txt("🌱 Withdrawn: no longer relevant."), nil
		}
	}
	return nil, nil
}

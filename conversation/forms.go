package conversation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
)

// The forms (modals): asking for changes, amending, renegotiating, sharing
// a draft and giving feedback; and what is said when a form is refused.

// Modal callback ids; a modal's PrivateData is an ActionValue carrying the
// contract, the version and the card to update.
const (
	CallbackRequestChanges = "request_changes"
	CallbackAmend          = "amend"
	CallbackRenegotiate    = "renegotiate"
)

// Form field ids of the modals that are not contract fields. A form that
// changes terms names each input by its contract field (contract.FieldTitle,
// contract.FieldGoals and so on).
const (
	FieldComments = "comments"
	FieldComment  = "comment"
)

// Learning-set modals and their fields. FieldPrivate's options are
// contract fields: contract.FieldSupport and contract.FieldEthics.
const (
	CallbackShare    = "share"
	CallbackFeedback = "feedback"

	FieldSet        = "set"
	FieldPrivate    = "private"
	FieldNote       = "note"
	FieldSpecific   = "specific"
	FieldConvincing = "convincing"
	FieldTimeline   = "timeline"
	FieldSuggestion = "suggestion"
)

func requestChangesModal(c *contract.Contract, v ActionValue) message.Modal {
	return message.Modal{
		CallbackID: CallbackRequestChanges, PrivateData: v.Encode(),
		Title: "Request changes", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("What would you like ", at(c.Learner), fmt.Sprintf(" to change in version %d? They'll see your words as written.", c.Version)),
			message.Input{ID: FieldComments, Label: "Your comments", Multiline: true, MaxLength: 3000,
				Placeholder: "e.g. Could the evidence include a demo to the team?"},
		},
	}
}

func amendModal(c *contract.Contract, v ActionValue) message.Modal {
	bs := blocks{section("Change what you'd like to amend. ", at(c.Learner),
		" will see exactly what changed and can accept or counter. Proposing it signs the new version for you.")}
	bs = append(bs, termsInputs(c.Terms)...)
	bs = append(bs, message.Input{ID: FieldComment, Label: "A note to the learner", Multiline: true, Optional: true, MaxLength: 3000})
	return message.Modal{
		CallbackID: CallbackAmend, PrivateData: v.Encode(),
		Title: "Propose an amendment", Submit: "Propose", Close: "Cancel",
		Blocks: bs,
	}
}

func renegotiateModal(c *contract.Contract, actor string, v ActionValue) message.Modal {
	other := c.Approver
	intro := txt("Change what you'd like: a new deadline, a smaller scope. ", at(other),
		" will see exactly what changed. The signed version stays in force until you both sign the new one.")
	if actor != c.Learner {
		other = c.Learner
		intro = txt("Change what you'd like. ", at(other), " will see exactly what changed and can accept or decline. The signed version stays in force until you both sign the new one.")
	}
	bs := append(blocks{section(intro)}, termsInputs(c.InForce())...)
	bs = append(bs, message.Input{ID: FieldComment, Label: "A note to go with it", Multiline: true, Optional: true, MaxLength: 3000})
	return message.Modal{
		CallbackID: CallbackRenegotiate, PrivateData: v.Encode(),
		Title: "Propose a change", Submit: "Send", Close: "Cancel",
		Blocks: bs,
	}
}

func shareModal(c *contract.Contract, sets []learningset.View, v ActionValue) message.Modal {
	bs := blocks{section("Your goals, activities, evidence, success criteria and deadline go to the set as a thread, naming the reviewers I ask. What you tick below is shared too.")}
	if len(sets) > 1 {
		ch := message.Choice{ID: FieldSet, Label: "Which learning set?"}
		for _, s := range sets {
			ch.Options = append(ch.Options, message.Option{Label: s.Set.Label(), Value: s.Set.Channel})
			if s.Set.Channel == c.LearningSet {
				ch.Initial = []string{s.Set.Channel}
			}
		}
		if ch.Initial == nil {
			ch.Initial = []string{sets[0].Set.Channel}
		}
		bs = append(bs, ch)
	}
	var private []message.Option
	if c.Terms.Support != "" {
		private = append(private, message.Option{Label: "Support I need", Value: contract.FieldSupport})
	}
	if c.Terms.Ethics != "" {
		private = append(private, message.Option{Label: "Ethical considerations", Value: contract.FieldEthics})
	}
	if len(private) > 0 {
		bs = append(bs, message.Choice{ID: FieldPrivate, Label: "Also share (private unless ticked)", Options: private, Multi: true, Optional: true})
	}
	bs = append(bs, message.Input{ID: FieldNote, Label: "Anything you'd like reviewers to look at?", Optional: true, Multiline: true, MaxLength: 500,
		Placeholder: "e.g. Is the second goal too big for six weeks?"})
	return message.Modal{CallbackID: CallbackShare, PrivateData: v.Encode(), Title: "Share for feedback", Submit: "Share", Close: "Cancel", Blocks: bs}
}

func feedbackModal(c *contract.Contract, v ActionValue) message.Modal {
	in := func(id, label, ph string) message.Input {
		return message.Input{ID: id, Label: label, Placeholder: ph, Multiline: true, Optional: true, MaxLength: contract.MaxFeedback}
	}
	return message.Modal{CallbackID: CallbackFeedback, PrivateData: v.Encode(), Title: "Give feedback", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("Critical, kind and specific helps most. ", at(c.Learner), " sees your answers with your name. Answer any of these:"),
			in(FieldSpecific, "Are the goals specific?", "e.g. Goal 2 could say which tool and by when."),
			in(FieldConvincing, "Is the evidence convincing?", "e.g. A demo would show it better than a write-up."),
			in(FieldTimeline, "Is the timeline realistic?", "e.g. Six weeks looks tight with the release in March."),
			in(FieldSuggestion, "One suggestion", "e.g. Pair with someone who has done it."),
		}}
}

// termsInputs are the fields of a form that changes terms, filled with tm.
func termsInputs(tm contract.Terms) blocks {
	goals := make([]string, len(tm.Goals))
	for i, g := range tm.Goals {
		goals[i] = goalLine(g)
	}
	crit := make([]string, len(tm.Criteria))
	for i, cr := range tm.Criteria {
		crit[i] = cr.Text
	}
	return blocks{
		message.Input{ID: contract.FieldTitle, Label: "Title", Initial: tm.Title},
		message.Input{ID: contract.FieldGoals, Label: "Goals, one per line", Multiline: true, Initial: strings.Join(goals, "\n")},
		message.Input{ID: contract.FieldActivities, Label: "Activities and resources, one per line", Multiline: true, Optional: true, Initial: strings.Join(tm.Activities, "\n")},
		message.Input{ID: contract.FieldEvidence, Label: "Evidence, one per line", Multiline: true, Initial: strings.Join(tm.Evidence, "\n")},
		message.Input{ID: contract.FieldCriteria, Label: "Success criteria, one per line", Multiline: true, Initial: strings.Join(crit, "\n")},
		message.Input{ID: contract.FieldDeadline, Label: "Deadline", Initial: isoDate(tm.Deadline), Placeholder: "e.g. 2027-03-20 or in 8 weeks"},
	}
}

// retryFormMsg explains why a form was not applied, with a button to open it
// again.
func retryFormMsg(why text, label string, id ActionID, v ActionValue) message.Message {
	return msg("That didn't go through",
		section(why),
		actions(button(label, id, v.Encode(), message.Primary)),
		message.Context{Text: txt("Nothing was changed.")},
	)
}

func problemsText(lead string, problems []string) text {
	x := txt(lead)
	for _, p := range problems {
		x = append(x, txt("\n• ", p)...)
	}
	return x
}

func deadlineProblem(err error, typed string) string {
	switch {
	case errors.Is(err, deadline.ErrPast):
		return "The deadline “" + typed + "” is today or already past."
	case errors.Is(err, deadline.ErrTooFar):
		return "The deadline “" + typed + "” is more than two years away."
	default:
		return "I couldn't read the deadline “" + typed + "” as a date (try YYYY-MM-DD)."
	}
}

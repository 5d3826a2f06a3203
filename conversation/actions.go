package conversation

import (
	"errors"
	"net/url"
	"strconv"
)

// ActionID names what a button does. Buttons that concern a contract carry an
// ActionValue (contract id and version) as their value.
type ActionID string

// Drafting buttons, shown to the learner.
const (
	ActionStartNew      ActionID = "lp_new"            // start another draft
	ActionFromTemplate  ActionID = "lp_from_template"  // start a draft from a template
	ActionStartBlank    ActionID = "lp_start_blank"    // start the draft without a template
	ActionPickTemplate  ActionID = "lp_pick_template"  // the menu of templates (its value: the template id)
	ActionTemplateForm  ActionID = "lp_template_form"  // open the picked template's form again
	ActionResume        ActionID = "lp_resume"         // carry on with the draft
	ActionUseSuggestion ActionID = "lp_use_suggestion" // take the coached goal
	ActionKeepMine      ActionID = "lp_keep_mine"      // keep the goal as written
	ActionAddGoal       ActionID = "lp_add_goal"
	ActionGoalsDone     ActionID = "lp_goals_done"
	ActionGoalsOver     ActionID = "lp_goals_over" // clear the goals and start again
	ActionSkip          ActionID = "lp_skip"       // skip an optional step
	ActionKeep          ActionID = "lp_keep"       // keep the value a step already has
	ActionWeekly        ActionID = "lp_weekly"
	ActionFortnightly   ActionID = "lp_fortnightly"
	ActionSend          ActionID = "lp_send" // send to the approver
	ActionOpen          ActionID = "lp_open" // open a draft from the list
)

// Edit buttons jump from the summary to one part of the contract.
const (
	ActionEditTitle      ActionID = "lp_edit_title"
	ActionEditGoals      ActionID = "lp_edit_goals"
	ActionEditActivities ActionID = "lp_edit_activities"
	ActionEditEvidence   ActionID = "lp_edit_evidence"
	ActionEditCriteria   ActionID = "lp_edit_criteria"
	ActionEditDeadline   ActionID = "lp_edit_deadline"
	ActionEditCadence    ActionID = "lp_edit_cadence"
	ActionEditApprover   ActionID = "lp_edit_approver"
	ActionEditAdvocate   ActionID = "lp_edit_advocate"
	ActionEditSupport    ActionID = "lp_edit_support"
	ActionEditEthics     ActionID = "lp_edit_ethics"
)

// The workplace advocate's buttons on a version proposed.
const (
	ActionAdvocateSign    ActionID = "lp_advocate_sign"    // sign as advocate
	ActionAdvocateComment ActionID = "lp_advocate_comment" // open the comment form
)

// Decision buttons: the approver's on a proposal, the learner's on a change
// request or an amendment.
const (
	ActionApprove        ActionID = "lp_approve"
	ActionRequestChanges ActionID = "lp_request_changes"
	ActionAmend          ActionID = "lp_amend"
	ActionRevise         ActionID = "lp_revise"
	ActionAccept         ActionID = "lp_accept"
	ActionCounter        ActionID = "lp_counter"
)

// Keeping a contract alive: the learner's check-in buttons (on check-ins and
// reminders), the follow-ups they lead to, and the decision on a
// renegotiation.
const (
	ActionOnTrack        ActionID = "lp_on_track"
	ActionBehind         ActionID = "lp_behind"
	ActionBlocked        ActionID = "lp_blocked"
	ActionSnooze         ActionID = "lp_snooze"
	ActionPause          ActionID = "lp_pause"
	ActionResumeContract ActionID = "lp_resume_contract"
	ActionNewDeadline    ActionID = "lp_new_deadline"
	// ActionSendDeadline sends the new deadline the learner typed, once
	// they have seen the date it was read as.
	ActionSendDeadline ActionID = "lp_send_deadline"
	// ActionChangeScope opens the form to propose changed terms, for the
	// learner or the approver.
	ActionChangeScope ActionID = "lp_change_scope"
	ActionAskHelp     ActionID = "lp_ask_help"
	ActionDecline     ActionID = "lp_decline"

	ActionSkipHappened    ActionID = "lp_skip_happened"
	ActionSkipNext        ActionID = "lp_skip_next"
	ActionSkipHelpNote    ActionID = "lp_skip_help_note"
	ActionSkipPauseReason ActionID = "lp_skip_pause_reason"
)

// Finishing a contract: handing in evidence, assessment, reflection,
// ending early and the impact check-backs.
const (
	ActionSubmitEvidence ActionID = "lp_submit_evidence" // start handing in evidence (learner)
	ActionEvidenceDone   ActionID = "lp_evidence_done"   // no more evidence: rate the criteria
	ActionRateMet        ActionID = "lp_rate_met"
	ActionRatePartly     ActionID = "lp_rate_partly"
	ActionRateNotYet     ActionID = "lp_rate_not_yet"
	ActionAssess         ActionID = "lp_assess"       // open the assessment form (approver)
	ActionAskMore        ActionID = "lp_ask_more"     // open the form asking for more evidence
	ActionCommentWork    ActionID = "lp_comment_work" // open the comment form (advocate)
	ActionReplyAssess    ActionID = "lp_reply_assess" // reply where the ratings differ (learner)
	ActionReflect        ActionID = "lp_reflect"      // the closing prompts (learner)
	ActionEndEarly       ActionID = "lp_end_early"    // finished early, or no longer relevant
	ActionRetire         ActionID = "lp_retire"       // no longer relevant
	ActionImpactALot     ActionID = "lp_impact_a_lot"
	ActionImpactSomewhat ActionID = "lp_impact_somewhat"
	ActionImpactNotYet   ActionID = "lp_impact_not_yet"

	ActionSkipEvidence      ActionID = "lp_skip_evidence"
	ActionSkipRateNote      ActionID = "lp_skip_rate_note"
	ActionSkipReply         ActionID = "lp_skip_reply"
	ActionSkipLearned       ActionID = "lp_skip_learned"
	ActionSkipDifferently   ActionID = "lp_skip_differently"
	ActionSkipChange        ActionID = "lp_skip_change"
	ActionSkipImpactExample ActionID = "lp_skip_impact_example"
	ActionSkipRetireNote    ActionID = "lp_skip_retire_note"
)

// Learning-set buttons: sharing a draft with peers, their feedback, and the
// learner's next step.
const (
	ActionShare         ActionID = "lp_share"          // open the share form (learner)
	ActionCreateSet     ActionID = "lp_set_create"     // make a channel a learning set
	ActionFeedback      ActionID = "lp_feedback"       // open the feedback form (peer)
	ActionDeclineReview ActionID = "lp_review_decline" // "not this week" (asked reviewer)
	ActionReviseDraft   ActionID = "lp_revise_draft"   // back to the draft after feedback
	ActionSendPrivately ActionID = "lp_send_private"   // send, keeping peers' comments private
)

// ActionValue is what a contract button (or a modal's private data) carries:
// the contract and the version it was rendered for, and for modals the
// message the click came from so it can be updated after submission.
type ActionValue struct {
	ContractID string
	Version    int
	Ref        MessageRef
	// Digest marks a button on an approver's digest: a decision made there
	// leaves the digest as it is, as it lists other contracts too.
	Digest bool
	// Submission is the submission of the work a card is about (an
	// assessment card), so a click on a card of an earlier one is
	// answered, not applied; 0 when the card is about none.
	Submission int
	// Item is what in the contract a button is about: a success
	// criterion (from 1) or an impact check (days after completion).
	Item int
	// Prompt names the question within that version that the card asks,
	// for buttons whose meaning depends on more than the version: the
	// coached suggestion it offers (suggestionPrompt) or the check-ins it
	// follows (checkInPrompt). Empty on cards rendered before prompts were
	// named; their clicks are judged on what is current.
	Prompt string
	// Template is the template ("id@version") a form drafting from one
	// was filled from, so a form for another one is answered, not used.
	Template string
}

// maxPrompt bounds a prompt name read from a button, maxTemplateRef a
// template reference.
const (
	maxPrompt      = 64
	maxTemplateRef = 80
)

// Encode renders the value compactly (well under Slack's 2000-character
// limit for button values).
func (v ActionValue) Encode() string {
	q := url.Values{}
	q.Set("c", v.ContractID)
	q.Set("v", strconv.Itoa(v.Version))
	if v.Ref.TS != "" {
		q.Set("ch", v.Ref.Channel)
		q.Set("ts", v.Ref.TS)
	}
	if v.Digest {
		q.Set("d", "1")
	}
	if v.Submission > 0 {
		q.Set("s", strconv.Itoa(v.Submission))
	}
	if v.Item > 0 {
		q.Set("i", strconv.Itoa(v.Item))
	}
	if v.Prompt != "" {
		q.Set("p", v.Prompt)
	}
	if v.Template != "" {
		q.Set("t", v.Template)
	}
	return q.Encode()
}

// ParseActionValue reads a value written by Encode.
func ParseActionValue(s string) (ActionValue, error) {
	q, err := url.ParseQuery(s)
	if err != nil {
		return ActionValue{}, err
	}
	v := ActionValue{ContractID: q.Get("c"), Ref: MessageRef{Channel: q.Get("ch"), TS: q.Get("ts")}, Digest: q.Get("d") == "1", Prompt: q.Get("p"), Template: q.Get("t")}
	if v.ContractID == "" || len(v.ContractID) > 64 {
		return ActionValue{}, errors.New("action value: no contract id")
	}
	if len(v.Prompt) > maxPrompt {
		return ActionValue{}, errors.New("action value: prompt too long")
	}
	if len(v.Template) > maxTemplateRef {
		return ActionValue{}, errors.New("action value: template too long")
	}
	if v.Version, err = strconv.Atoi(q.Get("v")); err != nil || v.Version < 0 {
		return ActionValue{}, errors.New("action value: bad version")
	}
	for key, n := range map[string]*int{"s": &v.Submission, "i": &v.Item} {
		if s := q.Get(key); s != "" {
			if *n, err = strconv.Atoi(s); err != nil || *n < 0 || *n > 100000 {
				return ActionValue{}, errors.New("action value: bad " + key)
			}
		}
	}
	return v, nil
}

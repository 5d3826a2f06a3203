package conversation

// ActionID names what a button does. Buttons that concern a contract carry an
// ActionValue (contract id and version) as their value.
type ActionID string

// Drafting buttons, shown to the learner.
const (
	ActionStartNew      ActionID = "lp_new"            // start another draft
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

// Modal callback ids; a modal's PrivateData is an ActionValue carrying the
// contract, the version and the card to update.
const (
	CallbackRequestChanges = "request_changes"
	CallbackAmend          = "amend"
	CallbackRenegotiate    = "renegotiate"
)

// Form field ids of the modals.
const (
	FieldComments = "comments"
	FieldTitle    = "title"
	FieldGoals    = "goals"
	FieldActivity = "activities"
	FieldEvidence = "evidence"
	FieldCriteria = "criteria"
	FieldDeadline = "deadline"
	FieldComment  = "comment"
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

// Learning-set modals and their fields.
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

	// PrivateSupport and PrivateEthics are the options of FieldPrivate.
	PrivateSupport = "support"
	PrivateEthics  = "ethics"
)

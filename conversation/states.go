package conversation

import "github.com/learnpact/learnpact/conversation/contract"

// States of the drafting dialog.
const (
	StateIdle       State = ""           // no dialog under way
	StateTitle      State = "title"      // waiting for the title
	StateGoal       State = "goal"       // waiting for a goal
	StateGoalCoach  State = "goal_coach" // a vague goal: Use suggestion / Keep mine
	StateMastery    State = "mastery"    // how mastery of the last goal is shown
	StateGoals      State = "goals"      // the goals so far: add another / done
	StateActivities State = "activities" // activities and resources
	StateEvidence   State = "evidence"
	StateCriteria   State = "criteria"
	StateDeadline   State = "deadline"
	StateCadence    State = "cadence"
	StateApprover   State = "approver"
	StateAdvocate   State = "advocate" // a workplace advocate (optional unless the template asks)
	StateSupport    State = "support"  // support needed (optional, private)
	StateEthics     State = "ethics"   // ethical considerations (optional, private)
	StateSummary    State = "summary"  // the whole draft, ready to send
	StateStopped    State = "stopped"  // after cancel; Back's top is where to resume
)

// Follow-up questions about an active contract, asked after a button on a
// check-in or a reminder; the session's contract is the one asked about.
const (
	StateHappened    State = "checkin_happened" // what happened since last time
	StateNext        State = "checkin_next"     // what's next
	StateNewDeadline State = "new_deadline"     // the deadline to propose
	StateConfirmDate State = "confirm_deadline" // the date understood, before it is sent
	StateHelpNote    State = "help_note"        // what would help, for the approver
	StatePauseReason State = "pause_reason"     // why the contract is paused
	StateNewAdvocate State = "new_advocate"     // another advocate for a proposal waiting for signatures
)

// Follow-up questions about finishing a contract (see finish.go); the
// session's Item says which evidence, criterion or check they are on.
const (
	StateHandIn        State = "hand_in"         // evidence: a link, a file or text
	StateRate          State = "self_rate"       // the learner rates a criterion
	StateRateNote      State = "self_rate_note"  // and says why
	StateReply         State = "assess_reply"    // the reply to the approver's comment
	StateLearned       State = "reflect_learned" // the three closing prompts
	StateDifferently   State = "reflect_differently"
	StateChange        State = "reflect_change"
	StateImpactExample State = "impact_example" // an example of the change
	StateRetireNote    State = "retire_note"    // why it is no longer relevant
)

// followUp is a follow-up question: its Skip button (none when it cannot be
// skipped), the statuses of the contract where it still makes sense, and
// what the learner is doing, for help and status.
type followUp struct {
	state    State
	skip     ActionID
	statuses []contract.Status
	doing    string
}

var followUps = []followUp{
	{StateHappened, ActionSkipHappened, []contract.Status{contract.Active, contract.Renegotiating},
		"checking in: saying what happened since last time"},
	{StateNext, ActionSkipNext, []contract.Status{contract.Active, contract.Renegotiating},
		"checking in: saying what's next"},
	{StateNewDeadline, "", []contract.Status{contract.Active}, "proposing a new deadline"},
	{StateConfirmDate, "", []contract.Status{contract.Active}, "checking the new deadline before I send it"},
	{StateHelpNote, ActionSkipHelpNote, []contract.Status{contract.Active, contract.Renegotiating},
		"asking your manager for a hand"},
	{StatePauseReason, ActionSkipPauseReason, []contract.Status{contract.Paused},
		"saying why you paused (optional)"},
	{StateNewAdvocate, "", []contract.Status{contract.Proposed}, "naming another workplace advocate"},
	{StateHandIn, ActionSkipEvidence, []contract.Status{contract.Active, contract.Renegotiating},
		"handing in your evidence"},
	{StateRate, "", []contract.Status{contract.Active, contract.Renegotiating},
		"rating yourself against a success criterion"},
	{StateRateNote, ActionSkipRateNote, []contract.Status{contract.Active, contract.Renegotiating},
		"saying how you met a success criterion (optional)"},
	{StateReply, ActionSkipReply, []contract.Status{contract.Submitted},
		"replying to your approver's comment (optional)"},
	{StateLearned, ActionSkipLearned, []contract.Status{contract.Submitted},
		"reflecting: what you learned (optional)"},
	{StateDifferently, ActionSkipDifferently, []contract.Status{contract.Submitted},
		"reflecting: what you'd do differently (optional)"},
	{StateChange, ActionSkipChange, []contract.Status{contract.Submitted},
		"reflecting: what you'll change in your work (optional)"},
	{StateImpactExample, ActionSkipImpactExample, []contract.Status{contract.Completed},
		"giving an example of how your work changed (optional)"},
	{StateRetireNote, ActionSkipRetireNote, []contract.Status{contract.Active, contract.Renegotiating, contract.Paused},
		"saying why the contract is no longer relevant (optional)"},
}

// followUpOf returns the follow-up question of a state.
func followUpOf(s State) (followUp, bool) {
	for _, f := range followUps {
		if f.state == s {
			return f, true
		}
	}
	return followUp{}, false
}

// followUpBySkip returns the follow-up question a Skip button belongs to.
func followUpBySkip(id ActionID) (followUp, bool) {
	for _, f := range followUps {
		if f.skip == id && id != "" {
			return f, true
		}
	}
	return followUp{}, false
}

// maxBack bounds the "back" stack kept in the session.
const maxBack = 16

// part is one part of a contract that the dialog asks for, in drafting
// order. Goals span several states; the others have one.
type part struct {
	name     string // as typed after "edit", and the contract field
	label    string // for people
	state    State  // where editing it starts
	edit     ActionID
	optional bool
	why      string // why a required part cannot be skipped
	doing    string // what the learner is doing at this step, for help
}

var parts = []part{
	{name: contract.FieldTitle, label: "title", state: StateTitle, edit: ActionEditTitle,
		why: "a title is how you and your manager will find this contract later", doing: "giving your contract a title"},
	{name: contract.FieldGoals, label: "goals", state: StateGoals, edit: ActionEditGoals,
		why: "goals are the heart of the contract: it needs at least one", doing: "writing your goals"},
	{name: contract.FieldActivities, label: "activities and resources", state: StateActivities, edit: ActionEditActivities,
		optional: true, doing: "listing activities and resources"},
	{name: contract.FieldEvidence, label: "evidence", state: StateEvidence, edit: ActionEditEvidence,
		why: "evidence is what your manager will see, so signing means agreeing on something concrete", doing: "describing the evidence you'll produce"},
	{name: contract.FieldCriteria, label: "success criteria", state: StateCriteria, edit: ActionEditCriteria,
		why: "success criteria are how you'll both judge the evidence, and you propose them first", doing: "proposing success criteria"},
	{name: contract.FieldDeadline, label: "deadline", state: StateDeadline, edit: ActionEditDeadline,
		why: "a deadline keeps the contract moving, and you can renegotiate it later", doing: "choosing a deadline"},
	{name: contract.FieldCadence, label: "check-ins", state: StateCadence, edit: ActionEditCadence,
		optional: true, doing: "choosing how often we check in"},
	{name: contract.FieldApprover, label: "approver", state: StateApprover, edit: ActionEditApprover,
		why: "someone has to agree to the contract and sign it with you", doing: "choosing who approves it"},
	{name: contract.FieldAdvocate, label: "workplace advocate", state: StateAdvocate, edit: ActionEditAdvocate,
		optional: true, why: "your template asks for a workplace advocate to sign it with you", doing: "naming a workplace advocate (optional)"},
	{name: contract.FieldSupport, label: "support needed", state: StateSupport, edit: ActionEditSupport,
		optional: true, doing: "saying what support you'll need (optional, private)"},
	{name: contract.FieldEthics, label: "ethical considerations", state: StateEthics, edit: ActionEditEthics,
		optional: true, doing: "noting ethical considerations (optional, private)"},
}

// partOf returns the part a drafting state belongs to.
func partOf(s State) (part, bool) {
	switch s {
	case StateGoal, StateGoalCoach, StateMastery:
		s = StateGoals
	case StateStart, StatePickTemplate, StateTemplateForm:
		s = StateTitle
	}
	for _, p := range parts {
		if p.state == s {
			return p, true
		}
	}
	return part{}, false
}

// partNamed finds a part by what follows "edit" (or its contract field).
func partNamed(name string) (part, bool) {
	aliases := map[string]string{
		"goal": contract.FieldGoals, "activity": contract.FieldActivities, "resources": contract.FieldActivities,
		"activities and resources": contract.FieldActivities, "criterion": contract.FieldCriteria,
		"success criteria": contract.FieldCriteria, "date": contract.FieldDeadline, "checkins": contract.FieldCadence,
		"check-ins": contract.FieldCadence, "check-in": contract.FieldCadence, "check ins": contract.FieldCadence,
		"manager": contract.FieldApprover, "workplace advocate": contract.FieldAdvocate,
		"support needed": contract.FieldSupport, "ethical considerations": contract.FieldEthics,
		"ethical notes": contract.FieldEthics, "ethics notes": contract.FieldEthics,
	}
	if a, ok := aliases[name]; ok {
		name = a
	}
	for _, p := range parts {
		if p.name == name {
			return p, true
		}
	}
	return part{}, false
}

// partByEdit finds the part an Edit button is for.
func partByEdit(id ActionID) (part, bool) {
	for _, p := range parts {
		if p.edit == id {
			return p, true
		}
	}
	return part{}, false
}

// nextPart is the part after p in drafting order, or false after the last.
func nextPart(p part) (part, bool) {
	for i := range parts {
		if parts[i].name == p.name && i+1 < len(parts) {
			return parts[i+1], true
		}
	}
	return part{}, false
}

// drafting reports whether s is a state of the drafting dialog (summary and
// stopped included).
func drafting(s State) bool {
	if s == StateSummary || s == StateStopped {
		return true
	}
	_, ok := partOf(s)
	return ok
}

// alive reports whether a contract is being kept alive: signed, with
// check-ins (or paused from them).
func alive(st contract.Status) bool {
	switch st {
	case contract.Active, contract.Renegotiating, contract.Paused:
		return true
	}
	return false
}

// editable reports whether the learner may change the contract's terms.
func editable(st contract.Status) bool {
	switch st {
	case contract.Draft, contract.InPeerReview, contract.ChangesRequested:
		return true
	}
	return false
}

// Package contract is the learning contract: its terms, versions, signatures
// and lifecycle rules. It is pure: no I/O, no clock it was not given.
package contract

import (
	"time"
)

// Status is where a contract is in its lifecycle.
type Status string

const (
	Draft            Status = "draft"
	InPeerReview     Status = "in_peer_review"
	Proposed         Status = "proposed"
	ChangesRequested Status = "changes_requested"
	Active           Status = "active"
	Renegotiating    Status = "renegotiating"
	Submitted        Status = "submitted"
	Completed        Status = "completed"
	Paused           Status = "paused"
	Withdrawn        Status = "withdrawn"
)

// Goal is one learning goal and how mastery will be shown.
type Goal struct {
	Text    string `json:"text"`
	Mastery string `json:"mastery,omitempty"`
}

// Criterion is one success criterion and who proposed it. Fixed marks a
// criterion of the template the contract started from: the standard,
// kept in every version (see FixedError).
type Criterion struct {
	Text       string `json:"text"`
	ProposedBy string `json:"proposed_by,omitempty"`
	Fixed      bool   `json:"fixed,omitempty"`
}

// Cadence is how often check-ins happen, in days (7 weekly, 14 fortnightly).
type Cadence int

const (
	Weekly      Cadence = 7
	Fortnightly Cadence = 14
)

// Terms are the negotiable parts of a contract: what is proposed, signed and
// diffed between versions.
type Terms struct {
	Title      string      `json:"title"`
	Goals      []Goal      `json:"goals"`
	Activities []string    `json:"activities"`
	Evidence   []string    `json:"evidence"`
	Criteria   []Criterion `json:"criteria"`
	Support    string      `json:"support,omitempty"`
	Ethics     string      `json:"ethics,omitempty"`
	Deadline   time.Time   `json:"deadline"` // a date, at 00:00 UTC
	Cadence    Cadence     `json:"cadence"`
}

// Signature records that someone agreed to one version of the terms.
type Signature struct {
	By      string    `json:"by"`
	Version int       `json:"version"`
	At      time.Time `json:"at"`
}

// Revision is one proposed version of the terms.
type Revision struct {
	Version int `json:"version"`
	// Base is the version this one was diffed against: the previous
	// proposal, or for a renegotiation the version in force.
	Base       int       `json:"base,omitempty"`
	Terms      Terms     `json:"terms"`
	ProposedBy string    `json:"proposed_by"`
	At         time.Time `json:"at"`
	Comment    string    `json:"comment,omitempty"`
	// Advocate is the workplace advocate asked to sign this version.
	Advocate string `json:"advocate,omitempty"`
}

// Event is one entry of the contract's history.
type Event struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Kind    string    `json:"kind"`
	Version int       `json:"version,omitempty"`
	Field   string    `json:"field,omitempty"`
	Old     string    `json:"old,omitempty"`
	New     string    `json:"new,omitempty"`
	Comment string    `json:"comment,omitempty"`
}

// Contract is a learning contract between a learner and an approver.
type Contract struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
	Team     string `json:"team"`

	Learner     string `json:"learner"`
	Approver    string `json:"approver,omitempty"`
	Advocate    string `json:"advocate,omitempty"`
	LearningSet string `json:"learning_set,omitempty"`
	// Template is the template ("id@version") the terms started from;
	// AdvocateRequired says that template wants an advocate to sign, so
	// the contract cannot be proposed without one.
	Template         string `json:"template,omitempty"`
	AdvocateRequired bool   `json:"advocate_required,omitempty"`
	// TemplateTitle is that template's title, as it was when the draft
	// started from it.
	TemplateTitle string `json:"template_title,omitempty"`
	// DraftedBy is who drafted the terms when it was not the learner (an
	// approver drafting for a learner); empty when the learner did.
	DraftedBy string `json:"drafted_by,omitempty"`

	// Terms is the working copy: the draft being edited, or the latest
	// proposal.
	Terms Terms `json:"terms"`
	// Version is the latest proposed version (0 while never proposed).
	Version int `json:"version"`
	// Signed is the version in force once active (0 until then).
	Signed int `json:"signed,omitempty"`

	Status     Status      `json:"status"`
	Revisions  []Revision  `json:"revisions,omitempty"`
	Signatures []Signature `json:"signatures,omitempty"`
	History    []Event     `json:"history,omitempty"`
	// Requested holds the approver's latest change request comment.
	Requested string `json:"requested,omitempty"`

	// Shares are the rounds of peer review in a learning set, Reviews the
	// reviewers asked, Feedback what peers said, oldest first.
	Shares   []Share    `json:"shares,omitempty"`
	Reviews  []Review   `json:"reviews,omitempty"`
	Feedback []Feedback `json:"feedback,omitempty"`
	// HideFeedback keeps the peers' comments from the approver, who still
	// sees that peers reviewed the draft.
	HideFeedback bool `json:"hide_feedback,omitempty"`

	// CheckIns are the learner's check-ins, oldest first.
	CheckIns []CheckIn `json:"check_ins,omitempty"`
	// Replies are the approver's answers to check-ins, oldest first.
	Replies []Reply `json:"replies,omitempty"`
	// Nudges are the scheduled messages sent (check-in prompts and
	// reminders): the platform took them. Oldest first; reports, digests
	// and "missed a check-in" count these. Records kept before queued and
	// sent were told apart are all here.
	Nudges []Nudge `json:"nudges,omitempty"`
	// Queued are the scheduled messages handed to the platform's outbox
	// and not yet taken (see Queue and Taken). Plan reads them with Nudges
	// so nothing is sent twice.
	Queued []Nudge `json:"queued,omitempty"`
	// Snoozed is when the learner last snoozed a check-in.
	Snoozed time.Time `json:"snoozed,omitzero"`
	// PausedFrom is the status a paused contract resumes to; PausedAt,
	// PauseReason and ResumedAt describe the latest pause.
	PausedFrom  Status    `json:"paused_from,omitempty"`
	PausedAt    time.Time `json:"paused_at,omitzero"`
	PauseReason string    `json:"pause_reason,omitempty"`
	ResumedAt   time.Time `json:"resumed_at,omitzero"`

	// Evidence is what the learner handed in, oldest first; Submissions
	// the times they handed the work in; Assessments the ratings of each
	// success criterion (the learner's and the approver's, per
	// submission); Comments the exchange about them (see finish.go).
	Evidence    []EvidenceItem `json:"evidence,omitempty"`
	Submissions []Submission   `json:"submissions,omitempty"`
	Assessments []Assessment   `json:"assessments,omitempty"`
	Comments    []Comment      `json:"comments,omitempty"`
	// Reflection is the learner's closing reflection; CompletedAt when the
	// contract was completed; ImpactDays the impact check-backs (days
	// after completion) it was completed with; Impacts their answers.
	Reflection  *Reflection `json:"reflection,omitempty"`
	CompletedAt time.Time   `json:"completed_at,omitzero"`
	ImpactDays  []int       `json:"impact_days,omitempty"`
	Impacts     []Impact    `json:"impacts,omitempty"`
	// EndReason says why it ended early (FinishedEarly, NoLongerRelevant),
	// EndNote what the learner added.
	EndReason string `json:"end_reason,omitempty"`
	EndNote   string `json:"end_note,omitempty"`
	// Library is whether the learner lets colleagues see the completed
	// contract as an example, named or anonymous (see Consent); not
	// shared when empty.
	Library Consent `json:"library,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Rev is the storage revision, incremented on every save; stores write
	// a contract only when the stored Rev matches.
	Rev int64 `json:"rev"`
}

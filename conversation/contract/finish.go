package contract

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// How a contract ends. An active contract is submitted (evidence and the
// learner's self-assessment), assessed by the approver against each
// success criterion, reflected on and completed; the approver may instead
// ask for more evidence, which makes it active again with a new date. An
// active contract that is no longer relevant is withdrawn without blame.
//
//	active ─Submit→ submitted ─Assess (every criterion)→ Complete → completed → impact checks
//	  ↑                │
//	  └──AskForMore────┘ (a new date; the next submission)
//	active|renegotiating|paused ─Retire→ withdrawn (EndReason NoLongerRelevant)

// More actions (see Action).
const (
	AddEvidence  Action = "add_evidence" // hand in a link, a file or text
	SelfAssess   Action = "self_assess"  // the learner rates a criterion
	Submit       Action = "submit"       // hand the work in for assessment
	Assess       Action = "assess"       // the approver rates a criterion
	AskForMore   Action = "ask_more"     // the approver asks for more evidence
	Remark       Action = "remark"       // comment on the work, or reply to a comment
	Complete     Action = "complete"     // the learner reflects; the contract is done
	Retire       Action = "retire"       // withdraw an active contract: no longer relevant
	AnswerImpact Action = "impact"       // answer an impact check-back
)

// RoleMember is anyone named on the contract: learner, approver, advocate.
const RoleMember Role = RoleParty + 1

func init() {
	rules[AddEvidence] = rule{from: []Status{Active, Renegotiating}, who: RoleLearner}
	rules[SelfAssess] = rule{from: []Status{Active, Renegotiating}, who: RoleLearner}
	rules[Submit] = rule{from: []Status{Active}, who: RoleLearner}
	rules[Assess] = rule{from: []Status{Submitted}, who: RoleApprover}
	rules[AskForMore] = rule{from: []Status{Submitted}, who: RoleApprover}
	rules[Remark] = rule{from: []Status{Submitted, Completed}, who: RoleMember}
	rules[Complete] = rule{from: []Status{Submitted}, who: RoleLearner}
	rules[Retire] = rule{from: []Status{Active, Renegotiating, Paused}, who: RoleLearner}
	rules[AnswerImpact] = rule{from: []Status{Completed}, who: RoleParty}
}

// Evidence kinds: how a piece of evidence was handed in.
const (
	EvidenceLink = "link"
	EvidenceFile = "file"
	EvidenceText = "text"
)

// File is a file shared on the platform, kept by reference: its bytes stay
// with the platform.
type File struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Permalink string `json:"permalink,omitempty"`
	Type      string `json:"type,omitempty"` // MIME type, when the platform says
	Size      int64  `json:"size,omitempty"` // bytes, when the platform says
}

// EvidenceItem is one piece of evidence the learner handed in: a link, a
// file or text (Kind says which).
type EvidenceItem struct {
	// Of is the piece of evidence the terms in force name that it is for,
	// counting from 1 (InForce().Evidence[Of-1]); 0 for evidence the
	// contract did not foresee.
	Of   int    `json:"of"`
	Kind string `json:"kind"`
	URL  string `json:"url,omitempty"`
	File *File  `json:"file,omitempty"`
	Text string `json:"text,omitempty"`
	// Submission is the submission it was handed in for (see Submission).
	Submission int       `json:"submission"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// Submission is one time the learner handed the work in. The approver
// either assesses it (Assessed) or asks for more evidence (More*), which
// starts the next submission.
type Submission struct {
	N  int       `json:"n"` // 1 for the first
	At time.Time `json:"at"`
	// Early says it came before the deadline in force.
	Early bool `json:"early,omitempty"`
	// Assessed is when the approver rated the last criterion.
	Assessed time.Time `json:"assessed,omitzero"`
	// MoreAt, MoreComment and Due are set when the approver asked for
	// more evidence instead: when, what for, and the new date.
	MoreAt      time.Time `json:"more_at,omitzero"`
	MoreComment string    `json:"more_comment,omitempty"`
	Due         time.Time `json:"due,omitzero"` // a date, at 00:00 UTC
}

// Rating is how well a success criterion was met.
type Rating string

const (
	Met    Rating = "met"
	Partly Rating = "partly"
	NotYet Rating = "not_yet"
)

// Assessment is one person's rating of one success criterion in one
// submission: the learner's self-assessment, or the approver's.
type Assessment struct {
	Submission int `json:"submission"`
	// Criterion counts from 1: InForce().Criteria[Criterion-1].
	Criterion int       `json:"criterion"`
	By        string    `json:"by"`
	Rating    Rating    `json:"rating"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"at"`
}

// Comment is a remark in the exchange about the work: the learner's reply
// to the approver's note where their ratings differ, or an advocate's (or
// anyone's) comment on the evidence.
type Comment struct {
	Submission int `json:"submission"`
	// Criterion counts from 1; 0 is the work as a whole.
	Criterion int       `json:"criterion"`
	By        string    `json:"by"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// Reflection is the learner's answers to the three closing prompts; an
// empty answer was skipped.
type Reflection struct {
	Learned     string    `json:"learned,omitempty"`     // what did you learn
	Differently string    `json:"differently,omitempty"` // what would you do differently
	Change      string    `json:"change,omitempty"`      // what will you change in your work now
	At          time.Time `json:"at"`
}

// Why a contract ended early (Contract.EndReason).
const (
	FinishedEarly    = "finished_early"     // submitted before the deadline
	NoLongerRelevant = "no_longer_relevant" // withdrawn without blame
)

// Limits on what people hand in, in characters.
const (
	MaxEvidenceText = 4000
	MaxNote         = 2000
	MaxURL          = 2000
)

// Errors of the finishing steps.
var (
	ErrBadRating    = errors.New("contract: the rating must be met, partly or not yet")
	ErrNoCriterion  = errors.New("contract: no such success criterion")
	ErrNoEvidence   = errors.New("contract: no evidence handed in since the last submission")
	ErrNotSelfRated = errors.New("contract: the learner has not rated every criterion")
	ErrNotAssessed  = errors.New("contract: the approver has not rated every criterion")
	ErrAssessed     = errors.New("contract: the approver has assessed this submission already")
	ErrBadDue       = errors.New("contract: the new date must be in the future")
	ErrAnswered     = errors.New("contract: already answered")
	ErrEmpty        = errors.New("contract: nothing was written")
)

// BadEvidenceError says why a piece of evidence was refused.
type BadEvidenceError struct{ Reason string }

func (e *BadEvidenceError) Error() string { return "contract: evidence refused: " + e.Reason }

// TooLongError says that a text is over its limit.
type TooLongError struct {
	What       string
	Len, Limit int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("contract: %s is %d characters, the limit is %d", e.What, e.Len, e.Limit)
}

// StaleSubmissionError says that an action was aimed at an older
// submission (a card from before the approver asked for more evidence).
type StaleSubmissionError struct {
	Clicked, Current int
}

func (e *StaleSubmissionError) Error() string {
	return fmt.Sprintf("action for submission %d, contract is at submission %d", e.Clicked, e.Current)
}

// CurrentSubmission is the number of the submission under way: the one
// evidence and self-assessment go to while active, the one being assessed
// once submitted.
func (c *Contract) CurrentSubmission() int {
	switch c.Status {
	case Submitted, Completed:
		return len(c.Submissions)
	}
	return len(c.Submissions) + 1
}

// LastSubmission returns the latest submission.
func (c *Contract) LastSubmission() (Submission, bool) {
	if n := len(c.Submissions); n > 0 {
		return c.Submissions[n-1], true
	}
	return Submission{}, false
}

// Deadline is the date in force: the signed terms' deadline, or the new
// date of the latest request for more evidence.
func (c *Contract) Deadline() time.Time {
	d := c.InForce().Deadline
	for _, s := range c.Submissions {
		if !s.Due.IsZero() {
			d = s.Due
		}
	}
	return d
}

// checkSubmission is Check, then that submission (0: whatever is current)
// is the current one.
func (c *Contract) checkSubmission(a Action, actor string, submission int) error {
	if err := c.Check(a, actor, 0); err != nil {
		return err
	}
	if cur := c.CurrentSubmission(); submission != 0 && submission != cur {
		return &StaleSubmissionError{Clicked: submission, Current: cur}
	}
	return nil
}

// CheckEvidence reports whether e may be handed in: a link must be an
// http(s) URL, a file must name its platform id, text must not be empty,
// nothing over its limit, and Of must name evidence the terms list.
func (c *Contract) CheckEvidence(e EvidenceItem) error {
	if e.Of < 0 || e.Of > len(c.InForce().Evidence) {
		return &BadEvidenceError{Reason: "the contract names no such evidence"}
	}
	switch e.Kind {
	case EvidenceLink:
		if n := len([]rune(e.URL)); n > MaxURL {
			return &TooLongError{What: "the link", Len: n, Limit: MaxURL}
		}
		if !IsURL(e.URL) {
			return &BadEvidenceError{Reason: "a link must be a web address starting with https:// or http://"}
		}
	case EvidenceFile:
		if e.File == nil || e.File.ID == "" {
			return &BadEvidenceError{Reason: "the file has no id"}
		}
	case EvidenceText:
		if strings.TrimSpace(e.Text) == "" {
			return ErrEmpty
		}
		if n := len([]rune(e.Text)); n > MaxEvidenceText {
			return &TooLongError{What: "the evidence", Len: n, Limit: MaxEvidenceText}
		}
	default:
		return &BadEvidenceError{Reason: fmt.Sprintf("unknown kind %q", e.Kind)}
	}
	return nil
}

// IsURL reports whether s is an absolute http or https URL with a host.
func IsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsAny(s, " \t\n")
}

// DoAddEvidence hands in a piece of evidence for the current submission.
func (c *Contract) DoAddEvidence(actor string, e EvidenceItem, now time.Time) error {
	if err := c.Check(AddEvidence, actor, 0); err != nil {
		return err
	}
	if err := c.CheckEvidence(e); err != nil {
		return err
	}
	if e.File != nil {
		f := *e.File
		e.File = &f
	}
	e.Submission, e.By, e.At = c.CurrentSubmission(), actor, now
	c.Evidence = append(c.Evidence, e)
	c.record(now, actor, "evidence_added", "", "", e.Kind)
	c.UpdatedAt = now
	return nil
}

// SubmissionEvidence lists the evidence handed in for submission n and
// before: what the approver assesses.
func (c *Contract) SubmissionEvidence(n int) []EvidenceItem {
	var out []EvidenceItem
	for _, e := range c.Evidence {
		if e.Submission <= n {
			out = append(out, e)
		}
	}
	return out
}

func validRating(r Rating) bool { return r == Met || r == Partly || r == NotYet }

func (c *Contract) checkCriterion(i int) error {
	if i < 1 || i > len(c.InForce().Criteria) {
		return ErrNoCriterion
	}
	return nil
}

func checkNote(what, s string) error {
	if n := len([]rune(s)); n > MaxNote {
		return &TooLongError{What: what, Len: n, Limit: MaxNote}
	}
	return nil
}

// DoSelfAssess records the learner's rating of criterion i (from 1) for
// the current submission, replacing an earlier one.
func (c *Contract) DoSelfAssess(actor string, i int, r Rating, note string, now time.Time) error {
	if err := c.Check(SelfAssess, actor, 0); err != nil {
		return err
	}
	return c.rate(actor, i, r, note, now)
}

func (c *Contract) rate(actor string, i int, r Rating, note string, now time.Time) error {
	if err := c.checkCriterion(i); err != nil {
		return err
	}
	if !validRating(r) {
		return ErrBadRating
	}
	if err := checkNote("the note", note); err != nil {
		return err
	}
	a := Assessment{Submission: c.CurrentSubmission(), Criterion: i, By: actor, Rating: r, Note: note, At: now}
	if j := slices.IndexFunc(c.Assessments, func(x Assessment) bool {
		return x.Submission == a.Submission && x.Criterion == i && x.By == actor
	}); j >= 0 {
		c.Assessments[j] = a
	} else {
		c.Assessments = append(c.Assessments, a)
	}
	c.UpdatedAt = now
	return nil
}

// Rated returns by's rating of criterion i (from 1) in submission n.
func (c *Contract) Rated(by string, n, i int) (Assessment, bool) {
	for _, a := range c.Assessments {
		if a.By == by && a.Submission == n && a.Criterion == i {
			return a, true
		}
	}
	return Assessment{}, false
}

// Unrated lists the criteria (from 1) by has not rated in submission n.
func (c *Contract) Unrated(by string, n int) []int {
	var out []int
	for i := range c.InForce().Criteria {
		if _, ok := c.Rated(by, n, i+1); !ok {
			out = append(out, i+1)
		}
	}
	return out
}

// Differ lists the criteria (from 1) the learner and the approver rated
// differently in submission n.
func (c *Contract) Differ(n int) []int {
	var out []int
	for i := range c.InForce().Criteria {
		s, ok1 := c.Rated(c.Learner, n, i+1)
		a, ok2 := c.Rated(c.Approver, n, i+1)
		if ok1 && ok2 && s.Rating != a.Rating {
			out = append(out, i+1)
		}
	}
	return out
}

// DoSubmit hands the work in: evidence new since the last submission and
// a self-assessment of every criterion. The contract becomes submitted and
// leaves the check-in and deadline nudges.
func (c *Contract) DoSubmit(actor string, now time.Time) error {
	if err := c.Check(Submit, actor, 0); err != nil {
		return err
	}
	n := c.CurrentSubmission()
	if !slices.ContainsFunc(c.Evidence, func(e EvidenceItem) bool { return e.Submission == n }) {
		return ErrNoEvidence
	}
	if len(c.Unrated(c.Learner, n)) > 0 {
		return ErrNotSelfRated
	}
	s := Submission{N: n, At: now}
	if d := c.Deadline(); !d.IsZero() && day(now).Before(d) {
		s.Early = true
		if n == 1 {
			c.EndReason = FinishedEarly
		}
	}
	c.Submissions = append(c.Submissions, s)
	c.record(now, actor, "submitted", "status", string(c.Status), string(Submitted))
	c.Status = Submitted
	c.UpdatedAt = now
	return nil
}

// DoAssess records the approver's rating of criterion i (from 1) for
// submission n (0: the current one), replacing an earlier one; the note is
// their comment where the ratings differ. Once every criterion is rated the
// submission is assessed.
func (c *Contract) DoAssess(actor string, n, i int, r Rating, note string, now time.Time) error {
	if err := c.checkSubmission(Assess, actor, n); err != nil {
		return err
	}
	if err := c.rate(actor, i, r, note, now); err != nil {
		return err
	}
	cur := c.CurrentSubmission()
	if s := &c.Submissions[cur-1]; s.Assessed.IsZero() && len(c.Unrated(actor, cur)) == 0 {
		s.Assessed = now
		c.record(now, actor, "assessed", "", "", "")
	}
	return nil
}

// Assessed reports whether the approver has rated every criterion of the
// current submission.
func (c *Contract) Assessed() bool {
	s, ok := c.LastSubmission()
	return ok && (c.Status == Submitted || c.Status == Completed) && !s.Assessed.IsZero()
}

// DoAskForMore sends submission n (0: the current one) back: the approver
// wants more evidence by the new date due. The contract is active again,
// and the next submission starts.
func (c *Contract) DoAskForMore(actor string, n int, comment string, due, now time.Time) error {
	if err := c.checkSubmission(AskForMore, actor, n); err != nil {
		return err
	}
	if c.Assessed() {
		return ErrAssessed
	}
	if !day(due).After(day(now)) {
		return ErrBadDue
	}
	if err := checkNote("the comment", comment); err != nil {
		return err
	}
	s := &c.Submissions[len(c.Submissions)-1]
	s.MoreAt, s.MoreComment, s.Due = now, comment, day(due)
	s.Assessed = time.Time{}
	c.record(now, actor, "more_evidence_asked", "status", string(Submitted), string(Active))
	c.History[len(c.History)-1].Comment = comment
	c.Status = Active
	c.UpdatedAt = now
	return nil
}

// DoComment adds a comment on criterion i (from 1; 0 for the work as a
// whole) of the current submission: the learner's reply to the approver's
// note, or an advocate's comment.
func (c *Contract) DoComment(actor string, i int, text string, now time.Time) error {
	if err := c.Check(Remark, actor, 0); err != nil {
		return err
	}
	if i != 0 {
		if err := c.checkCriterion(i); err != nil {
			return err
		}
	}
	if strings.TrimSpace(text) == "" {
		return ErrEmpty
	}
	if err := checkNote("the comment", text); err != nil {
		return err
	}
	c.Comments = append(c.Comments, Comment{Submission: c.CurrentSubmission(), Criterion: i, By: actor, Text: text, At: now})
	c.record(now, actor, "commented", "", "", "")
	c.UpdatedAt = now
	return nil
}

// DoComplete records the learner's reflection and completes the contract,
// once the approver has assessed it. impactDays are the days after
// completion to check back on its impact (see Plan).
func (c *Contract) DoComplete(actor string, r Reflection, impactDays []int, now time.Time) error {
	if err := c.Check(Complete, actor, 0); err != nil {
		return err
	}
	if !c.Assessed() {
		return ErrNotAssessed
	}
	for what, s := range map[string]string{"what you learned": r.Learned, "what you would do differently": r.Differently, "what you will change": r.Change} {
		if err := checkNote(what, s); err != nil {
			return err
		}
	}
	r.At = now
	c.Reflection = &r
	c.CompletedAt = now
	c.ImpactDays = slices.Clone(impactDays)
	c.record(now, actor, "completed", "status", string(Submitted), string(Completed))
	c.Status = Completed
	c.UpdatedAt = now
	return nil
}

// DoRetire withdraws an active (renegotiating, paused) contract that is no
// longer relevant, without blame; note says why, if the learner likes.
func (c *Contract) DoRetire(actor, note string, now time.Time) error {
	if err := c.Check(Retire, actor, 0); err != nil {
		return err
	}
	if err := checkNote("the note", note); err != nil {
		return err
	}
	c.record(now, actor, "withdrawn", "status", string(c.Status), string(Withdrawn))
	c.History[len(c.History)-1].Comment = note
	c.EndReason, c.EndNote = NoLongerRelevant, note
	c.Status = Withdrawn
	c.UpdatedAt = now
	return nil
}

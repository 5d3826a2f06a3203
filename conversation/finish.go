package conversation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/message"
)

// Finishing a contract: the learner hands in evidence (links, files shared
// in the DM, text), rates themselves against each success criterion and
// submits; the approver assesses each criterion on a form beside the
// learner's rating, or asks for more evidence with a new date; where the
// ratings differ the learner may reply; the learner reflects and the
// contract is completed; impact check-backs follow. An active contract
// may also end early because it is no longer relevant.

// Modal callback ids and fields of the finishing forms.
const (
	CallbackAssess  = "assess"
	CallbackAskMore = "ask_more"
	CallbackComment = "comment_work"

	FieldDue = "due"
)

// FieldRating and FieldRatingNote name the assessment form's rating and
// comment of criterion i (from 1).
func FieldRating(i int) string     { return "rating_" + strconv.Itoa(i) }
func FieldRatingNote(i int) string { return "note_" + strconv.Itoa(i) }

// MaxFileBytes is the largest file taken as evidence; bigger ones are
// better shared as a link.
const MaxFileBytes = 100 << 20

// finishButtons are the buttons about finishing a contract.
var finishButtons = map[ActionID]func(*turn){
	ActionSubmitEvidence: (*turn).submitClick,
	ActionEvidenceDone:   (*turn).evidenceDoneClick,
	ActionRateMet:        func(t *turn) { t.rateClick(contract.Met) },
	ActionRatePartly:     func(t *turn) { t.rateClick(contract.Partly) },
	ActionRateNotYet:     func(t *turn) { t.rateClick(contract.NotYet) },
	ActionAssess:         func(t *turn) { t.openWorkModal(contract.Assess, "assess", assessModal) },
	ActionAskMore:        func(t *turn) { t.openWorkModal(contract.AskForMore, "ask for more evidence on", askMoreModal) },
	ActionCommentWork:    func(t *turn) { t.openWorkModal(contract.Remark, "comment on", commentModal) },
	ActionReplyAssess:    (*turn).replyClick,
	ActionReflect:        (*turn).reflectClick,
	ActionEndEarly:       (*turn).endEarlyClick,
	ActionRetire:         (*turn).retireClick,
	ActionImpactALot:     func(t *turn) { t.impactClick(contract.ImpactALot) },
	ActionImpactSomewhat: func(t *turn) { t.impactClick(contract.ImpactSomewhat) },
	ActionImpactNotYet:   func(t *turn) { t.impactClick(contract.ImpactNotYet) },
}

// ownContract is the session's contract when the actor is its learner.
func (t *turn) ownContract() *contract.Contract {
	c := t.sessionContract()
	if c == nil || c.Learner != t.in.User || t.in.User == "" {
		return nil
	}
	return c
}

// --- handing in evidence ---

// submitCommand starts handing in evidence for the learner's contract, or
// finishes the evidence when they are handing it in already ("done").
func (t *turn) submitCommand() {
	c := t.ownContract()
	if c == nil || !(alive(c.Status) || c.Status == contract.Submitted || c.Status == contract.Completed) {
		t.reply(noWorkMsg())
		return
	}
	if t.inFollowUp() && t.s.State == StateHandIn {
		t.evidenceDone()
		return
	}
	t.handIn()
}

// submitClick starts handing in evidence for the contract of the button.
func (t *turn) submitClick() {
	if _, ok := t.target(t.in.Value); ok {
		t.handIn()
	}
}

// handIn asks for the first piece of evidence of the loaded contract.
func (t *turn) handIn() {
	c := t.c
	switch {
	case t.in.User != c.Learner:
		t.refuse(&contract.DeniedError{Action: contract.AddEvidence, Actor: t.in.User, Allowed: []string{c.Learner}}, "hand in evidence for")
		return
	case c.Status == contract.Submitted || c.Status == contract.Completed:
		t.reply(alreadySubmittedMsg(c))
		return
	case c.Status == contract.Paused:
		t.say("This contract is paused", "⏸ ", quoted(c), " is paused. Type ", code("resume"), " first, then hand in your evidence.")
		return
	}
	if err := c.Check(contract.AddEvidence, t.in.User, 0); err != nil {
		t.refuse(err, "hand in evidence for")
		return
	}
	if t.inFollowUp() && t.s.ContractID == c.ID && t.s.State == StateHandIn {
		t.reply(t.followUpPrompt(txt("Here's where we were.")))
		return
	}
	t.beginFollowUp(StateHandIn)
	t.s.Item = 1
	t.reply(t.followUpPrompt(handInIntro(c)))
}

// extras is the hand-in item after the pieces the contract names: evidence
// it did not foresee.
func extras(c *contract.Contract) int { return len(c.InForce().Evidence) + 1 }

// handInAnswer takes typed text as evidence: a link when it is one word
// that looks like a web address, text otherwise. "done" moves on.
func (t *turn) handInAnswer(text string) {
	switch normalize(text) {
	case "done", "that's all", "thats all", "finished", "no more":
		t.evidenceDone()
		return
	}
	e := contract.EvidenceItem{Kind: contract.EvidenceText, Text: text}
	if looksLikeLink(text) {
		e = contract.EvidenceItem{Kind: contract.EvidenceLink, URL: text}
	}
	t.addEvidence(e)
}

// looksLikeLink reports whether typed text is meant as a link: one word
// with a scheme, starting with www. or http, or with a dot and a slash.
func looksLikeLink(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	l := strings.ToLower(s)
	return strings.Contains(l, "://") || strings.HasPrefix(l, "www.") || strings.HasPrefix(l, "http") ||
		strings.Contains(l, ".") && strings.Contains(l, "/")
}

// addEvidence hands in e for the current item and asks for the next.
func (t *turn) addEvidence(es ...contract.EvidenceItem) {
	c := t.c
	of := t.s.Item
	if of >= extras(c) || of < 0 {
		of = 0
	}
	var got []contract.EvidenceItem
	for _, e := range es {
		e.Of = of
		if err := c.DoAddEvidence(t.in.User, e, t.env.Now); err != nil {
			t.reply(t.followUpPrompt(evidenceProblem(err, e)))
			if len(got) > 0 {
				t.dirty = true
			}
			return
		}
		got = append(got, e)
	}
	t.dirty = true
	if t.s.Item < extras(c) {
		t.s.Item++
	}
	t.reply(t.followUpPrompt(evidenceTaken(got)))
}

// onFiles takes files shared in the DM: evidence while handing it in;
// otherwise they are not kept, and the learner is told how to hand them in.
func (t *turn) onFiles() {
	if !t.inFollowUp() || t.s.State != StateHandIn {
		t.reply(filesNotKeptMsg(t.in.Files, t.ownContract()))
		return
	}
	var es []contract.EvidenceItem
	for _, f := range t.in.Files {
		if f.Size > MaxFileBytes {
			t.reply(t.followUpPrompt(txt("“", f.Name, "” is ", megabytes(f.Size), ", larger than the ", megabytes(MaxFileBytes),
				" I take as evidence. Share a link to it instead (from your drive or wiki). Nothing was handed in.")))
			return
		}
		es = append(es, contract.EvidenceItem{Kind: contract.EvidenceFile, File: &f})
	}
	t.addEvidence(es...)
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
}

// skipEvidence passes over a piece of evidence; after the last, it moves on.
func (t *turn) skipEvidence() {
	if t.s.Item >= extras(t.c) {
		t.evidenceDone()
		return
	}
	t.s.Item++
	t.reply(t.followUpPrompt(nil))
}

func (t *turn) evidenceDoneClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if !t.inFollowUp() || t.s.State != StateHandIn || t.s.ContractID != t.c.ID {
		t.ephemeral(answeredMsg())
		return
	}
	t.evidenceDone()
}

// evidenceDone moves from evidence to the self-assessment, once some
// evidence was handed in for this submission.
func (t *turn) evidenceDone() {
	c := t.c
	if len(newEvidence(c)) == 0 {
		t.reply(t.followUpPrompt(txt("You haven't handed in any evidence yet: I need at least one link, file or text before your manager can assess it.")))
		return
	}
	t.s.State, t.s.Item = StateRate, 1
	t.reply(t.followUpPrompt(txt("Thanks, that's your evidence. Now rate yourself against each success criterion: ",
		"your manager sees your rating beside theirs.")))
}

// newEvidence is the evidence handed in for the submission under way.
func newEvidence(c *contract.Contract) []contract.EvidenceItem {
	var out []contract.EvidenceItem
	n := c.CurrentSubmission()
	for _, e := range c.Evidence {
		if e.Submission == n {
			out = append(out, e)
		}
	}
	return out
}

// --- the self-assessment ---

func (t *turn) rateClick(r contract.Rating) {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	if !t.inFollowUp() || t.s.State != StateRate || t.s.ContractID != t.c.ID || v.Item != t.s.Item {
		t.ephemeral(answeredMsg())
		return
	}
	t.rate(r)
}

// rateAnswer takes a typed rating.
func (t *turn) rateAnswer(text string) {
	r, ok := ratingNamed(normalize(text))
	if !ok {
		t.reply(t.followUpPrompt(txt("Choose ", bold("Met"), ", ", bold("Partly"), " or ", bold("Not yet"), " (or type one of them).")))
		return
	}
	t.rate(r)
}

func ratingNamed(s string) (contract.Rating, bool) {
	switch strings.NewReplacer("_", " ", "-", " ", ".", "", "!", "").Replace(s) {
	case "met", "yes":
		return contract.Met, true
	case "partly", "partially", "part":
		return contract.Partly, true
	case "not yet", "notyet", "no":
		return contract.NotYet, true
	}
	return "", false
}

// rate records the learner's rating of the current criterion and asks
// for a note.
func (t *turn) rate(r contract.Rating) {
	i := t.s.Item
	if !t.decide(t.c.DoSelfAssess(t.in.User, i, r, "", t.env.Now), "rate") {
		return
	}
	t.updateSource(t.in.Source, rateAnsweredMsg(t.c, i, r))
	t.s.State = StateRateNote
	t.reply(t.followUpPrompt(nil))
}

// rateNote adds the learner's note to their rating, then moves on.
func (t *turn) rateNote(note string) {
	c, i := t.c, t.s.Item
	a, ok := c.Rated(c.Learner, c.CurrentSubmission(), i)
	if !ok {
		t.s.State = StateRate
		t.reply(t.followUpPrompt(nil))
		return
	}
	if err := c.DoSelfAssess(t.in.User, i, a.Rating, note, t.env.Now); err != nil {
		t.reply(t.followUpPrompt(problemText(err)))
		return
	}
	t.dirty = true
	t.nextRating()
}

// nextRating asks about the next criterion, or submits after the last.
func (t *turn) nextRating() {
	if t.s.Item < len(t.c.InForce().Criteria) {
		t.s.State, t.s.Item = StateRate, t.s.Item+1
		t.reply(t.followUpPrompt(nil))
		return
	}
	t.submitWork()
}

// submitWork hands the work in: the approver gets the assessment card and
// an advocate the evidence.
func (t *turn) submitWork() {
	c := t.c
	err := c.DoSubmit(t.in.User, t.env.Now)
	switch {
	case errors.Is(err, contract.ErrNoEvidence):
		t.s.State, t.s.Item = StateHandIn, 1
		t.reply(t.followUpPrompt(txt("There's no evidence handed in yet.")))
		return
	case errors.Is(err, contract.ErrNotSelfRated):
		t.s.State, t.s.Item = StateRate, c.Unrated(c.Learner, c.CurrentSubmission())[0]
		t.reply(t.followUpPrompt(txt("One criterion still needs your rating.")))
		return
	}
	if !t.decide(err, "submit") {
		return
	}
	aside := t.endFollowUp()
	t.reply(submittedMsg(c, aside))
	t.send(c.Approver, assessCardMsg(c))
	if adv := c.AdvocateOf(); adv != "" {
		t.send(adv, evidenceCardMsg(c))
	}
}

// --- the approver's assessment, more evidence, comments ---

// openWorkModal opens a form about the submitted work, after checking
// that the actor may act on the submission of the card.
func (t *turn) openWorkModal(a contract.Action, verb string, build func(*contract.Contract, ActionValue) message.Modal) {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	if !t.mayActOnWork(a, verb, v) {
		return
	}
	ref := t.in.Source
	if v.Ref.TS != "" {
		ref = v.Ref
	}
	av := ActionValue{ContractID: t.c.ID, Version: t.c.Version, Submission: t.c.CurrentSubmission(), Ref: ref}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: build(t.c, av)})
}

// mayActOnWork checks an action on the submission a card or form was for,
// and answers privately when it may not be done.
func (t *turn) mayActOnWork(a contract.Action, verb string, v ActionValue) bool {
	c := t.c
	if err := c.Check(a, t.in.User, 0); err != nil {
		var state *contract.StateError
		if errors.As(err, &state) && v.Submission > 0 {
			t.ephemeral(workMovedOnMsg(c, v.Submission))
			return false
		}
		t.refuse(err, verb)
		return false
	}
	if v.Submission != 0 && v.Submission != c.CurrentSubmission() {
		t.ephemeral(workMovedOnMsg(c, v.Submission))
		return false
	}
	if (a == contract.Assess || a == contract.AskForMore) && c.Assessed() {
		t.ephemeral(note("Assessed already", "You've assessed this already. ", at(c.Learner), " is reflecting on it now."))
		return false
	}
	return true
}

// submitAssessment rates every criterion from the form; where the
// approver's rating differs from the learner's, a comment is needed.
func (t *turn) submitAssessment() {
	v, ok := t.target(t.in.PrivateData)
	if !ok || !t.mayActOnWork(contract.Assess, "assess", v) {
		return
	}
	c := t.c
	n := c.CurrentSubmission()
	type rated struct {
		r    contract.Rating
		note string
	}
	var rs []rated
	var problems []string
	for i := range c.InForce().Criteria {
		r, ok := ratingNamed(normalize(t.in.Form[FieldRating(i+1)]))
		note := strings.TrimSpace(t.in.Form[FieldRatingNote(i+1)])
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("Criterion %d needs a rating.", i+1))
		case len([]rune(note)) > contract.MaxNote:
			problems = append(problems, fmt.Sprintf("Your comment on criterion %d is %d characters; please keep it under %d.", i+1, len([]rune(note)), contract.MaxNote))
		default:
			if self, ok := c.Rated(c.Learner, n, i+1); ok && self.Rating != r && note == "" {
				problems = append(problems, fmt.Sprintf("You rated criterion %d differently from %s: a comment helps them understand why.", i+1, "the learner"))
			}
		}
		rs = append(rs, rated{r, note})
	}
	if len(problems) > 0 {
		t.ephemeral(retryFormMsg(problemsText("The assessment wasn't saved:", problems), "Open the assessment again", ActionAssess, v))
		return
	}
	for i, x := range rs {
		if !t.decide(c.DoAssess(t.in.User, n, i+1, x.r, x.note, t.env.Now), "assess") {
			return
		}
	}
	t.updateSource(v.Ref, workDecidedMsg(c, n, "Assessed", txt("✅ You assessed this work. ", at(c.Learner), " can reply where your ratings differ, then reflects on it.")))
	t.send(c.Learner, assessedMsg(c))
}

// submitAskMore sends the work back for more evidence by a new date.
func (t *turn) submitAskMore() {
	v, ok := t.target(t.in.PrivateData)
	if !ok || !t.mayActOnWork(contract.AskForMore, "ask for more evidence on", v) {
		return
	}
	c := t.c
	comment := strings.TrimSpace(t.in.Form[FieldComment])
	typed := strings.TrimSpace(t.in.Form[FieldDue])
	var problems []string
	if comment == "" {
		problems = append(problems, "Say what more you'd like to see, so "+"the learner"+" knows what to bring.")
	} else if len([]rune(comment)) > contract.MaxNote {
		problems = append(problems, fmt.Sprintf("Your comment is %d characters; please keep it under %d.", len([]rune(comment)), contract.MaxNote))
	}
	due, err := deadline.Parse(typed, t.env.Now, t.env.Location)
	if err != nil {
		problems = append(problems, strings.Replace(deadlineProblem(err, typed), "deadline", "new date", 1))
	}
	if len(problems) > 0 {
		t.ephemeral(retryFormMsg(problemsText("Nothing was sent:", problems), "Open the form again", ActionAskMore, v))
		return
	}
	if !t.decide(c.DoAskForMore(t.in.User, v.Submission, comment, due, t.env.Now), "ask for more evidence on") {
		return
	}
	t.updateSource(v.Ref, workDecidedMsg(c, v.Submission, "More evidence asked for",
		txt("↩️ You asked for more evidence by ", formatDate(due), ". I'll send it back to you when ", at(c.Learner), " hands it in.")))
	t.send(c.Learner, moreAskedMsg(c, t.in.User))
}

// submitComment adds a comment on the work (an advocate's, or anyone's on
// the contract) and passes it on to the others.
func (t *turn) submitComment() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	c := t.c
	text := strings.TrimSpace(t.in.Form[FieldComment])
	err := c.DoComment(t.in.User, 0, text, t.env.Now)
	if errors.Is(err, contract.ErrEmpty) {
		t.ephemeral(retryFormMsg(txt("Please write your comment."), "Open the form again", ActionCommentWork, v))
		return
	}
	var long *contract.TooLongError
	if errors.As(err, &long) {
		t.ephemeral(retryFormMsg(problemText(err), "Open the form again", ActionCommentWork, v))
		return
	}
	if !t.decide(err, "comment on") {
		return
	}
	t.ephemeral(note("Comment sent", "📨 Thanks: ", mentions(othersOf(c, t.in.User)), " will see your comment."))
	for _, u := range othersOf(c, t.in.User) {
		t.send(u, commentedMsg(c, t.in.User, text))
	}
}

// othersOf are the learner and the approver, but for the actor.
func othersOf(c *contract.Contract, actor string) []string {
	var out []string
	for _, u := range []string{c.Learner, c.Approver} {
		if u != "" && u != actor {
			out = append(out, u)
		}
	}
	return out
}

// --- the learner's replies and reflection ---

func (t *turn) replyClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	c := t.c
	if !t.mayReflect() {
		return
	}
	d := c.Differ(c.CurrentSubmission())
	if len(d) == 0 {
		t.reflect()
		return
	}
	t.beginFollowUp(StateReply)
	t.s.Item = d[0]
	t.reply(t.followUpPrompt(nil))
}

// mayReflect checks that the learner may reply and reflect now.
func (t *turn) mayReflect() bool {
	c := t.c
	if err := c.Check(contract.Complete, t.in.User, 0); err != nil {
		if c.Status == contract.Completed && t.in.User == c.Learner {
			t.reply(note("Completed already", "🎉 ", quoted(c), " is completed already. Type ", code("status"), " to see it."))
			return false
		}
		t.refuse(err, "reflect on")
		return false
	}
	if !c.Assessed() {
		t.reply(waitingForAssessmentMsg(c))
		return false
	}
	return true
}

// replyAnswer passes the learner's reply on to the approver and moves to
// the next criterion where they differ, then to the reflection.
func (t *turn) replyAnswer(text string) {
	c, i := t.c, t.s.Item
	if err := c.DoComment(t.in.User, i, text, t.env.Now); err != nil {
		t.reply(t.followUpPrompt(problemText(err)))
		return
	}
	t.dirty = true
	t.send(c.Approver, replyMsg(c, i, text))
	t.nextReply(txt("📨 Sent to ", at(c.Approver), "."))
}

func (t *turn) nextReply(lead text) {
	c := t.c
	for _, i := range c.Differ(c.CurrentSubmission()) {
		if i > t.s.Item {
			t.s.Item = i
			t.reply(t.followUpPrompt(lead))
			return
		}
	}
	t.startReflection(lead)
}

func (t *turn) reflectClick() {
	if _, ok := t.target(t.in.Value); ok && t.mayReflect() {
		t.reflect()
	}
}

// reflectCommand starts the reflection on the learner's contract.
func (t *turn) reflectCommand() {
	c := t.ownContract()
	if c == nil {
		t.reply(noWorkMsg())
		return
	}
	if c.Status == contract.Active || c.Status == contract.Renegotiating {
		t.say("Hand in your evidence first", "First hand in your evidence for ", quoted(c), ": type ", code("submit"),
			". Once ", at(c.Approver), " has assessed it, you reflect on it and the contract is complete.")
		return
	}
	if t.mayReflect() {
		t.reflect()
	}
}

func (t *turn) reflect() {
	if t.inFollowUp() && t.s.ContractID == t.c.ID && reflecting(t.s.State) {
		t.reply(t.followUpPrompt(txt("Here's where we were.")))
		return
	}
	t.beginFollowUp(StateLearned)
	t.startReflection(nil)
}

func reflecting(s State) bool {
	return s == StateLearned || s == StateDifferently || s == StateChange
}

func (t *turn) startReflection(lead text) {
	t.s.State, t.s.Item = StateLearned, 0
	t.s.Reflection = &contract.Reflection{}
	if len(lead) > 0 {
		lead = append(lead, txt(" ")...)
	}
	t.reply(t.followUpPrompt(append(lead, txt("Three short questions to close, and any of them can be skipped.")...)))
}

// reflectAnswer keeps the answer to the current prompt and asks the next;
// after the last one the contract is completed.
func (t *turn) reflectAnswer(text string) {
	if n := len([]rune(text)); n > contract.MaxNote {
		t.reply(t.followUpPrompt(txt(fmt.Sprintf("That's %d characters; a few sentences are plenty (at most %d). I haven't kept it yet: could you shorten it? Your message is still above to copy from.", n, contract.MaxNote))))
		return
	}
	r := t.s.Reflection
	if r == nil {
		r = &contract.Reflection{}
		t.s.Reflection = r
	}
	switch t.s.State {
	case StateLearned:
		r.Learned = text
	case StateDifferently:
		r.Differently = text
	case StateChange:
		r.Change = text
	}
	t.nextReflection()
}

func (t *turn) nextReflection() {
	switch t.s.State {
	case StateLearned:
		t.s.State = StateDifferently
	case StateDifferently:
		t.s.State = StateChange
	default:
		t.complete()
		return
	}
	t.reply(t.followUpPrompt(nil))
}

// complete records the reflection and completes the contract; both get a
// summary.
func (t *turn) complete() {
	c := t.c
	var r contract.Reflection
	if t.s.Reflection != nil {
		r = *t.s.Reflection
	}
	days := t.env.ImpactDays
	if days == nil {
		days = contract.DefaultImpactDays
	}
	if !t.decide(c.DoComplete(t.in.User, r, days, t.env.Now), "complete") {
		return
	}
	aside := t.endFollowUp()
	t.reply(completedMsg(c, c.Learner, aside))
	t.reply(consentCardMsg(c, false))
	t.send(c.Approver, completedMsg(c, c.Approver, false))
}

// --- ending early ---

// endCommand offers the two ways to end an active contract early.
func (t *turn) endCommand() {
	c := t.ownContract()
	if c == nil || !alive(c.Status) {
		t.reply(noWorkMsg())
		return
	}
	t.reply(endEarlyMsg(c))
}

func (t *turn) endEarlyClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if t.in.User != t.c.Learner {
		t.refuse(&contract.DeniedError{Action: contract.Retire, Actor: t.in.User, Allowed: []string{t.c.Learner}}, "end")
		return
	}
	t.reply(endEarlyMsg(t.c))
}

func (t *turn) retireClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if err := t.c.Check(contract.Retire, t.in.User, 0); err != nil {
		t.refuse(err, "withdraw")
		return
	}
	t.beginFollowUp(StateRetireNote)
	t.reply(t.followUpPrompt(nil))
}

// retire withdraws the contract as no longer relevant, and tells the
// approver.
func (t *turn) retire(note string) {
	c := t.c
	err := c.DoRetire(t.in.User, note, t.env.Now)
	var long *contract.TooLongError
	if errors.As(err, &long) {
		t.reply(t.followUpPrompt(problemText(err)))
		return
	}
	if !t.decide(err, "withdraw") {
		return
	}
	aside := t.endFollowUp()
	t.reply(retiredMsg(c, aside))
	t.send(c.Approver, retiredNoticeMsg(c))
}

// --- impact check-backs ---

func (t *turn) impactClick(answer string) {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if !t.decide(c.DoAnswerImpact(t.in.User, v.Item, answer, "", t.env.Now), "answer about") {
		return
	}
	t.updateSource(t.in.Source, impactAnsweredMsg(c, t.in.User, answer))
	if t.in.User != c.Learner {
		t.reply(note("Thank you", "🙏 Thanks: that's kept with ", at(c.Learner), "'s contract for reports."))
		return
	}
	t.beginFollowUp(StateImpactExample)
	t.s.Item = v.Item
	t.reply(t.followUpPrompt(nil))
}

// impactExample adds the learner's example to their answer.
func (t *turn) impactExample(example string) {
	c, d := t.c, t.s.Item
	answer := ""
	for _, im := range c.Impacts {
		if im.Day == d && im.By == c.Learner {
			answer = im.Answer
		}
	}
	if err := c.DoAnswerImpact(t.in.User, d, answer, example, t.env.Now); err != nil {
		t.reply(t.followUpPrompt(problemText(err)))
		return
	}
	t.dirty = true
	aside := t.endFollowUp()
	t.reply(impactThanksMsg(c, aside))
}

// --- the follow-up questions of finishing ---

// finishPrompt is the question of a finishing follow-up state.
func (t *turn) finishPrompt(lead text) (message.Message, bool) {
	c := t.c
	switch t.s.State {
	case StateHandIn:
		return handInPrompt(lead, c, t.s.Item), true
	case StateRate:
		return ratePrompt(lead, c, t.s.Item), true
	case StateRateNote:
		return rateNotePrompt(lead, c, t.s.Item), true
	case StateReply:
		return replyPrompt(lead, c, t.s.Item), true
	case StateLearned, StateDifferently, StateChange:
		return reflectPrompt(lead, c, t.s.State), true
	case StateImpactExample:
		return impactExamplePrompt(lead, c), true
	case StateRetireNote:
		return retireNotePrompt(lead, c), true
	}
	return message.Message{}, false
}

// finishAnswer takes typed text as the answer to a finishing follow-up.
func (t *turn) finishAnswer(text string) bool {
	switch t.s.State {
	case StateHandIn:
		t.handInAnswer(text)
	case StateRate:
		t.rateAnswer(text)
	case StateRateNote:
		t.rateNote(text)
	case StateReply:
		t.replyAnswer(text)
	case StateLearned, StateDifferently, StateChange:
		t.reflectAnswer(text)
	case StateImpactExample:
		t.impactExample(text)
	case StateRetireNote:
		t.retire(text)
	default:
		return false
	}
	return true
}

// finishSkip passes over an optional finishing question.
func (t *turn) finishSkip() bool {
	switch t.s.State {
	case StateHandIn:
		t.skipEvidence()
	case StateRate:
		t.reply(t.followUpPrompt(txt("Each criterion needs a rating, even ", bold("Not yet"), ": it's how you and your manager compare notes.")))
	case StateRateNote:
		t.nextRating()
	case StateReply:
		t.nextReply(nil)
	case StateLearned, StateDifferently, StateChange:
		t.nextReflection()
	case StateImpactExample:
		aside := t.endFollowUp()
		t.reply(impactThanksMsg(t.c, aside))
	case StateRetireNote:
		t.retire("")
	default:
		return false
	}
	return true
}

// problemText says why something typed was not taken.
func problemText(err error) text {
	var long *contract.TooLongError
	switch {
	case errors.As(err, &long):
		return txt(fmt.Sprintf("That's %d characters, more than the %d I can keep. Nothing was saved: could you shorten it?", long.Len, long.Limit))
	case errors.Is(err, contract.ErrEmpty):
		return txt("I didn't catch that.")
	}
	return txt("That didn't work: ", err.Error(), ".")
}

// evidenceProblem says why a piece of evidence was refused.
func evidenceProblem(err error, e contract.EvidenceItem) text {
	var bad *contract.BadEvidenceError
	if errors.As(err, &bad) && e.Kind == contract.EvidenceLink {
		return txt("“", clipString(e.URL, 100), "” isn't a web address I can link to: a link must start with ", code("https://"),
			" (or ", code("http://"), "). Nothing was handed in; send it again, or type it as text.")
	}
	if errors.As(err, &bad) {
		return txt("I couldn't take that: ", bad.Reason, ". Nothing was handed in.")
	}
	return problemText(err)
}

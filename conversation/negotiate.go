package conversation

import (
	"errors"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/message"
)

// onAction handles a button click.
func (t *turn) onAction() {
	id := ActionID(t.in.ActionID)
	switch id {
	case ActionApprove:
		t.approve()
	case ActionRequestChanges:
		t.openModal(contract.RequestChanges, "request changes to", requestChangesModal)
	case ActionAmend:
		t.openModal(contract.Amend, "propose an amendment to", amendModal)
	case ActionRevise:
		t.revise()
	case ActionAccept:
		t.accept()
	case ActionCounter:
		t.counter()
	case ActionDeclineDraft:
		t.declineDraft()
	case ActionSend:
		t.sendClick()
	case ActionOpen:
		t.open()
	case ActionStartNew:
		t.startNew()
	case ActionFromTemplate:
		t.fromTemplateClick()
	case ActionStartBlank:
		t.startBlankClick()
	case ActionPickTemplate:
		t.pickTemplate(t.in.Value)
	case ActionTemplateForm:
		t.templateFormClick()
	case ActionResume:
		t.resume()
	case ActionShare:
		t.shareClick()
	case ActionCreateSet:
		if v, ok := t.set(t.in.Channel); ok {
			t.createSet(v)
		} else {
			t.ephemeral(setWhereMsg())
		}
	case ActionFeedback:
		t.feedbackClick()
	case ActionDeclineReview:
		t.declineReview()
	case ActionReviseDraft:
		t.reviseDraft()
	case ActionSendPrivately:
		t.sendPrivately()
	case ActionAdvocateSign:
		t.advocateSign()
	case ActionAdvocateComment:
		t.adviseClick()
	case ActionForgetMe:
		t.forgetClick()
	case ActionKeepMyData:
		t.keepClick()
	default:
		if f, ok := finishButtons[id]; ok {
			f(t)
			return
		}
		if f, ok := libraryButtons[id]; ok {
			f(t)
			return
		}
		if f, ok := withdrawButtons[id]; ok {
			f(t)
			return
		}
		if f, ok := recordButtons[id]; ok {
			f(t)
			return
		}
		if f, ok := keepAliveButtons[id]; ok {
			f(t)
			return
		}
		if f, ok := followUpBySkip(id); ok {
			t.skipClick(f)
			return
		}
		if p, ok := partByEdit(id); ok {
			t.editClick(p)
			return
		}
		if states, ok := draftButtons[id]; ok {
			t.draftButton(id, states)
			return
		}
		t.ephemeral(note("I don't know that button any more",
			"I don't know that button any more — type ", message.Code("help"), "."))
	}
}

// onSubmit handles a modal submission.
func (t *turn) onSubmit() {
	switch t.in.CallbackID {
	case CallbackRequestChanges:
		t.submitChanges()
	case CallbackAmend:
		t.submitAmend()
	case CallbackRenegotiate:
		t.submitRenegotiation()
	case CallbackShare:
		t.submitShare()
	case CallbackFeedback:
		t.submitFeedback()
	case CallbackReplyCheckIn:
		t.submitReply()
	case CallbackDeclineReason:
		t.submitDeclineReason()
	case CallbackAssess:
		t.submitAssessment()
	case CallbackAskMore:
		t.submitAskMore()
	case CallbackComment:
		t.submitComment()
	case CallbackAdvise:
		t.submitAdvice()
	case CallbackFromTemplate:
		t.submitTemplate()
	default:
		t.ephemeral(note("That form has expired", "That form has expired. Type ", message.Code("help"), " to see what you can do."))
	}
}

// target reads which contract a click or form is about. It answers and
// returns false when the value is unreadable or the contract is gone.
func (t *turn) target(raw string) (ActionValue, bool) {
	v, err := ParseActionValue(raw)
	if err != nil {
		t.ephemeral(note("I couldn't tell which contract that was for",
			"I couldn't tell which contract that was for. Type ", message.Code("list"), " to see your contracts."))
		return v, false
	}
	if t.c == nil || t.c.ID != v.ContractID {
		t.ephemeral(contractGoneMsg())
		return v, false
	}
	return v, true
}

func contractGoneMsg() message.Message {
	return note("I can't find that contract",
		"I can't find that contract any more; it may have been withdrawn. Type ", message.Code("list"), " to see your contracts.")
}

// refuse answers a decision that the lifecycle does not allow, privately.
func (t *turn) refuse(err error, verb string) {
	t.ephemeral(refusalMsg(err, verb, t.c))
	t.passedDecision(err)
}

// decide applies a lifecycle result: refused, or the contract is to be saved.
func (t *turn) decide(err error, verb string) bool {
	if err != nil {
		t.refuse(err, verb)
		return false
	}
	t.dirty = true
	return true
}

// approve signs the proposal as approver.
func (t *turn) approve() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if t.in.User == c.Learner {
		t.refuse(&contract.DeniedError{Action: contract.Sign, Actor: t.in.User, Allowed: approvers(c)}, "approve")
		return
	}
	if t.in.User == c.AdvocateOf() {
		t.advocateSign()
		return
	}
	renegotiating := c.Status == contract.Renegotiating
	if !t.decide(c.DoSign(t.in.User, v.Version, t.env.Now), "approve") {
		return
	}
	pending := c.AwaitingSignature()
	summary := "Approved and signed"
	if len(pending) > 0 {
		summary = "Signed"
	}
	t.decided(v, t.in.Source, c.Version, summary, signedOutcome(c, t.in.User, pending))
	t.tellActive()
	if renegotiating {
		t.send(c.Learner, renegotiatedMsg(c, t.in.User, pending))
		return
	}
	t.send(c.Learner, approvedMsg(c, t.in.User, pending))
}

// decided shows the outcome of a decision on version v of the loaded
// contract where it was made: the card whose button was used (at ref) is
// replaced by the outcome and the terms. A digest lists other contracts
// too, so a decision made from one leaves it as it is and is answered with
// the outcome instead.
func (t *turn) decided(av ActionValue, ref MessageRef, v int, summary string, outcome text) {
	if av.Digest {
		t.reply(msg(summary, section(outcome), message.Context{Text: txt(titleOf(termsOf(t.c, v)))}))
		return
	}
	t.update(ref, decidedMsg(t.c, v, summary, outcome))
}

// openModal opens a decision form after checking that the actor may decide.
func (t *turn) openModal(a contract.Action, verb string, build func(*contract.Contract, ActionValue) message.Modal) {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	if err := t.c.Check(a, t.in.User, v.Version); err != nil {
		t.refuse(err, verb)
		return
	}
	ref := t.in.Source
	switch {
	case v.Digest:
		ref = MessageRef{} // the digest stays as it is
	case v.Ref.TS != "":
		ref = v.Ref
	}
	av := ActionValue{ContractID: t.c.ID, Version: t.c.Version, Ref: ref, Digest: v.Digest}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: build(t.c, av)})
}

// submitChanges sends the proposal back to the learner with comments.
func (t *turn) submitChanges() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	c := t.c
	comments := strings.TrimSpace(t.in.Form[FieldComments])
	if comments == "" {
		if err := c.Check(contract.RequestChanges, t.in.User, v.Version); err != nil {
			t.refuse(err, "request changes to")
			return
		}
		t.ephemeral(retryFormMsg(message.T("Please say what you'd like changed, so ", message.Mention(c.Learner), " knows what to revise."),
			"Write your comments", ActionRequestChanges, v))
		return
	}
	if !t.decide(c.DoRequestChanges(t.in.User, v.Version, comments, t.env.Now), "request changes to") {
		return
	}
	t.decided(v, v.Ref, c.Version, "Changes requested", changesOutcome(t.in.User, c.Version))
	t.send(c.Learner, changesRequestedMsg(c, t.in.User, comments))
}

// submitAmend proposes the approver's changed terms as a new version.
func (t *turn) submitAmend() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	c := t.c
	if err := c.Check(contract.Amend, t.in.User, v.Version); err != nil {
		t.refuse(err, "propose an amendment to")
		return
	}
	terms, problems := t.formTerms(c.Terms)
	if len(problems) > 0 {
		t.ephemeral(retryFormMsg(problemsText("The amendment wasn't sent:", problems), "Open the amendment again", ActionAmend, v))
		return
	}
	if len(contract.Diff(c.Terms, terms)) == 0 {
		t.ephemeral(note("Nothing changed",
			"You haven't changed any of the terms, so there's nothing to amend. To agree to it as it is, use ",
			message.Bold("Approve & sign"), "; to ask for changes in words, use ", message.Bold("Request changes"), "."))
		return
	}
	old := c.Version
	comment := strings.TrimSpace(t.in.Form[FieldComment])
	if !t.decide(c.DoAmend(t.in.User, v.Version, terms, comment, t.env.Now), "propose an amendment to") {
		return
	}
	t.decided(v, v.Ref, old, "Amendment proposed", amendedOutcome(t.in.User, c.Learner, c.Version))
	t.send(c.Learner, amendmentMsg(c, t.in.User, comment))
	t.tellAdvocate()
}

// formTerms reads an amendment or renegotiation form over the terms it was
// filled from. Fields the form lacks keep their value; criteria the actor
// adds are theirs.
func (t *turn) formTerms(base contract.Terms) (contract.Terms, []string) {
	form := t.in.Form
	tm := base.Clone()
	get := func(id string) (string, bool) {
		v, ok := form[id]
		return strings.TrimSpace(v), ok
	}
	var problems []string
	if s, ok := get(contract.FieldTitle); ok {
		tm.Title = strings.Join(strings.Fields(s), " ")
	}
	if s, ok := get(contract.FieldGoals); ok {
		tm.Goals = goalsFrom(splitLines(s))
	}
	if s, ok := get(contract.FieldActivities); ok {
		tm.Activities = splitLines(s)
	}
	if s, ok := get(contract.FieldEvidence); ok {
		tm.Evidence = splitLines(s)
	}
	if s, ok := get(contract.FieldCriteria); ok {
		tm.Criteria = criteriaFrom(splitLines(s), base.Criteria, t.in.User)
	}
	if s, ok := get(contract.FieldDeadline); ok && s != isoDate(base.Deadline) {
		d, err := deadline.Parse(s, t.env.Now, t.env.Location)
		if err != nil {
			problems = append(problems, deadlineProblem(err, s))
		} else {
			tm.Deadline = d
		}
	}
	if len(tm.Goals) == 0 {
		problems = append(problems, "It needs at least one goal.")
	}
	if len(tm.Evidence) == 0 {
		problems = append(problems, "It needs the evidence the learner will produce.")
	}
	if len(tm.Criteria) == 0 {
		problems = append(problems, "It needs at least one success criterion.")
	}
	var fixed *contract.FixedError
	if errors.As(contract.CheckFixed(base, tm), &fixed) {
		problems = append(problems, fixedRefusal(fixed).String())
	}
	return tm, problems
}

// revise takes the learner from a change request to their contract's summary.
func (t *turn) revise() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if t.in.User != c.Learner {
		t.refuse(&contract.DeniedError{Action: contract.Edit, Actor: t.in.User, Allowed: []string{c.Learner}}, "revise")
		return
	}
	if err := c.Check(contract.Edit, t.in.User, v.Version); err != nil {
		t.refuse(err, "revise")
		return
	}
	t.openSummary(reviseLead(c))
}

// accept signs the approver's amendment as learner.
func (t *turn) accept() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if !t.decide(c.DoSign(t.in.User, v.Version, t.env.Now), "accept") {
		return
	}
	pending := c.AwaitingSignature()
	t.update(t.in.Source, decidedMsg(c, c.Version, "Accepted and signed", acceptedOutcome(c, pending)))
	if c.Approver != t.in.User {
		t.send(c.Approver, acceptedMsg(c, t.in.User, pending))
	}
	t.tellActive()
}

// counter turns the approver's amendment into a draft the learner edits.
func (t *turn) counter() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if !t.decide(c.Counter(t.in.User, v.Version, t.env.Now), "counter") {
		return
	}
	t.update(t.in.Source, decidedMsg(c, c.Version, "Countered", counterOutcome(c.Version)))
	t.openSummary(counterLead(c))
	t.send(c.Approver, counterNoticeMsg(c))
}

// sendClick proposes the contract whose summary was clicked.
func (t *turn) sendClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if t.in.User != t.c.Drafter() {
		t.refuse(&contract.DeniedError{Action: contract.Propose, Actor: t.in.User, Allowed: []string{t.c.Drafter()}}, "send")
		return
	}
	t.propose()
}

// open shows a contract chosen from the list: its summary when the learner
// may edit it, its status otherwise. Only its parties see it: to anyone
// else it is as if there were no such contract.
func (t *turn) open() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if !isParty(t.c, t.in.User) {
		t.ephemeral(contractGoneMsg())
		return
	}
	if !t.draftOf(t.c) {
		t.reply(statusMsg(t.c, t.in.User, "", t.env.Now, t.today()))
		return
	}
	t.openDraft()
}

// editClick jumps to one part of the contract whose Edit button was clicked.
func (t *turn) editClick(p part) {
	if t.in.Value != "" || t.c == nil {
		if _, ok := t.target(t.in.Value); !ok {
			return
		}
	}
	if !t.draftOf(t.c) {
		if p.name == contract.FieldAdvocate && t.askNewAdvocate(t.c) {
			return
		}
		t.reply(notEditableMsg(t.c, t.in.User))
		return
	}
	if t.sessionContract() == nil || !drafting(t.s.State) {
		t.s.ContractID = t.c.ID
		t.idle()
		t.s.State = StateSummary
	}
	t.jump(p.state)
}

// approvers are who may approve a contract besides the learner.
func approvers(c *contract.Contract) []string {
	var out []string
	for _, p := range c.Parties() {
		if p != c.Learner {
			out = append(out, p)
		}
	}
	return out
}

package conversation

import (
	"errors"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Drafting the workplace advocate and the private notes (support needed,
// ethical considerations), the steps after the approver.

// errSameAdvocate says that the advocate named is the approver.
var errSameAdvocate = errors.New("advocate is the approver")

// skippable reports whether the learner may pass over part p: an optional
// part, except the advocate when the contract's template asks for one.
func (t *turn) skippable(p part) bool {
	if p.name == contract.FieldAdvocate && t.c.AdvocateRequired {
		return false
	}
	return p.optional
}

// namePeople reads the approver and the advocate a message names, at the
// approver or the advocate step, checks them all, and only then takes
// them: a message that names two approvers, or someone who may not sign,
// changes nothing.
func (t *turn) namePeople(text string, at State) {
	if at == StateAdvocate && noOne(text) {
		t.noAdvocate()
		return
	}
	p, err := readPeople(text, at)
	if err != nil {
		if at == StateAdvocate {
			t.reply(advocateErrorMsg(err, "", !t.c.AdvocateRequired))
			return
		}
		t.reply(approverErrorMsg(err))
		return
	}
	if t.c.DraftedBy != "" && (at == StateApprover || p.approver != "") {
		t.reply(fixedApproverMsg(t.c))
		return
	}
	if len(p.approvers) > 1 || len(p.advocates) > 1 {
		t.reply(ambiguousPeopleMsg(p))
		return
	}
	if p.approver != "" {
		if err := checkPerson(p.approver, t.in.User, t.env.BotUser); err != nil {
			t.reply(approverErrorMsg(err))
			return
		}
		if err := t.env.Approvers.Check(t.c.Learner, p.approver, t.env.ApproverGroup); err != nil {
			t.reply(approverRefusedMsg(err, p.approver))
			return
		}
	}
	approver, advocate := t.c.Approver, t.c.Advocate
	if p.approver != "" {
		approver = p.approver
	}
	if p.advocate != "" {
		advocate = p.advocate
	}
	if p.advocate != "" {
		if err := checkPerson(p.advocate, t.in.User, t.env.BotUser); err != nil {
			t.reply(advocateErrorMsg(err, p.advocate, !t.c.AdvocateRequired))
			return
		}
	}
	if advocate != "" && advocate == approver {
		if p.advocate != "" {
			t.reply(advocateErrorMsg(errSameAdvocate, advocate, !t.c.AdvocateRequired))
		} else {
			t.reply(approverIsAdvocateMsg(approver))
		}
		return
	}
	if p.approver != "" {
		if err := t.c.SetApprover(t.in.User, p.approver, t.env.Now); err != nil {
			t.refuse(err, "edit")
			return
		}
	}
	if p.advocate != "" {
		if err := t.c.SetAdvocate(t.in.User, p.advocate, t.env.Now); err != nil {
			t.refuse(err, "edit")
			return
		}
	}
	t.dirty = true
	lead := namedLead(p)
	switch {
	case at == StateApprover && p.approver == "":
		// Only the advocate was named: the approver is still to come.
		t.reprompt(lead)
	case at == StateAdvocate || p.advocate == "" || t.s.Editing:
		t.advance(lead)
	default:
		// Both in one message: the advocate step is answered too.
		t.push(StateApprover)
		t.s.State = StateAdvocate
		t.advance(lead)
	}
}

// noAdvocate answers "nobody" at the advocate step: the advocate named
// before is removed, unless the template asks for one.
func (t *turn) noAdvocate() {
	if t.c.AdvocateRequired {
		p, _ := partOf(StateAdvocate)
		t.reprompt(message.T("I can't skip the ", p.label, ": ", p.why, "."))
		return
	}
	if t.c.Advocate != "" {
		if err := t.c.SetAdvocate(t.in.User, "", t.env.Now); err != nil {
			t.refuse(err, "edit")
			return
		}
		t.dirty = true
		t.advance(message.T("No advocate, then."))
		return
	}
	t.advance(nil)
}

// setNote takes the support needed or the ethical considerations; "none"
// clears them.
func (t *turn) setNote(text string, set func(*contract.Terms, string)) {
	if noOne(text) {
		text = ""
	}
	if n := utf8.RuneCountInString(text); n > contract.MaxNote {
		t.reprompt(problemText(&contract.TooLongError{What: "the note", Len: n, Limit: contract.MaxNote}))
		return
	}
	if t.edit(func(tm *contract.Terms) { set(tm, text) }) {
		t.advance(nil)
	}
}

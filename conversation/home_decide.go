package conversation

import (
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// ActionDecide, on a home's "Waiting for you" item, brings back the card
// the person decides on: the approval request, the advocate's card, the
// renegotiation or the assessment. A decision that has passed shows the
// record instead.
const ActionDecide ActionID = "lp_decide"

// decision is the card waiting for user's decision on c, and the label of
// the home button that brings it back; false when nothing waits for them.
func decision(c *contract.Contract, user string) (label string, card func() message.Message, ok bool) {
	switch c.Status {
	case contract.Proposed:
		if c.SignedBy(user, c.Version) {
			break
		}
		switch user {
		case c.Approver:
			return "Decide", func() message.Message { return approvalRequestMsg(c) }, true
		case c.Advocate:
			return "Sign", func() message.Message { return advocateRequestMsg(c) }, true
		}
	case contract.Renegotiating:
		if !c.SignedBy(user, c.Version) && user != c.Learner && isParty(c, user) {
			return "Decide", func() message.Message { return renegotiationRequestMsg(c, user) }, true
		}
	case contract.Submitted:
		if user == c.Approver && !c.Assessed() {
			return "Assess", func() message.Message { return assessCardMsg(c) }, true
		}
	}
	return "", nil, false
}

// decideClick answers ActionDecide: the card waiting for the person, or
// the record when the decision has been made since the home was drawn.
func (t *turn) decideClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if _, card, ok := decision(t.c, t.in.User); ok {
		t.reply(card())
		return
	}
	t.showRecord(t.c, false)
}

package e2e

import (
	"testing"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestAmendmentEndToEnd: the manager proposes an amendment in a modal (a bad
// date keeps the form open with the problem shown, nothing lost), the
// learner accepts and signs it.
func TestAmendmentEndToEnd(t *testing.T) {
	h := newHarness(t, stores["redis"](t))
	summary := h.draft()
	h.click(learner, summary, string(conversation.ActionSend))
	card := h.expect(manager, "would like you to approve")

	h.click(manager, card, string(conversation.ActionAmend))
	if err := h.ws.Await(h.ctx(), func() bool { _, ok := h.ws.OpenModal(manager); return ok }); err != nil {
		t.Fatal("no amendment form opened")
	}
	if err := h.ws.Submit(h.ctx(), manager, map[string]string{contract.FieldDeadline: "whenever"}); err != nil {
		t.Fatal(err)
	}
	v, open := h.ws.OpenModal(manager)
	if !open || v.Errors[contract.FieldDeadline] == "" {
		t.Fatalf("a bad date closed the form or showed no problem: open=%v errors=%v", open, v.Errors)
	}
	if c := h.contracts(learner)[0]; c.Version != 1 || c.Status != contract.Proposed {
		t.Fatalf("a refused amendment changed the contract: %s v%d", c.Status, c.Version)
	}
	if err := h.ws.Submit(h.ctx(), manager, map[string]string{
		contract.FieldDeadline:    "2027-04-30",
		conversation.FieldComment: "A bit longer, please.",
	}); err != nil {
		t.Fatal(err)
	}
	amended := h.expect(learner, "A bit longer, please.")
	h.click(learner, amended, string(conversation.ActionAccept))
	h.expect(manager, "active")

	c := h.contracts(learner)[0]
	if c.Status != contract.Active || c.Version != 2 || !c.SignedBy(learner, 2) || !c.SignedBy(manager, 2) {
		t.Fatalf("contract is %s v%d, signatures %+v", c.Status, c.Version, c.Signatures)
	}
	if got := c.Terms.Deadline.Format("2006-01-02"); got != "2027-04-30" {
		t.Errorf("deadline = %s, want the amended 2027-04-30", got)
	}
	if r, _ := c.Revision(2); r.ProposedBy != manager {
		t.Errorf("version 2 proposed by %q, want the manager", r.ProposedBy)
	}
}

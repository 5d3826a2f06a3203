package e2e

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

// TestCheckInRenegotiation: a week after signing the learner gets a check-in,
// answers Behind, proposes a new deadline, and the manager signs it. The
// signed version stays in force until then.
func TestCheckInRenegotiation(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			summary := h.draft()
			h.click(learner, summary, string(conversation.ActionSend))
			card := h.expect(manager, "would like you to approve")
			h.click(manager, card, string(conversation.ActionApprove))
			h.expect(learner, "active")

			if st := h.sweep(24 * time.Hour); st.Sent != 0 {
				t.Fatalf("a nudge went out the day after signing: %+v", st)
			}
			st := h.sweep(6 * time.Hour * 24)
			if st.Sent != 1 {
				t.Fatalf("a week after signing the sweep sent %d nudges, want 1 check-in: %+v", st.Sent, st)
			}
			checkIn := h.expect(learner, "quick check-in")
			if again := h.sweep(time.Minute); again.Sent != 0 {
				t.Errorf("the check-in went out twice: %+v", again)
			}

			h.click(learner, checkIn, string(conversation.ActionBehind))
			h.expect(learner, "What happened since last time?")
			h.say(learner, "Two reviews were cancelled")
			next := h.expect(learner, "what's next?")
			h.click(learner, next, string(conversation.ActionSkip))
			offer := h.expect(learner, "Would any of these help?")
			h.click(learner, offer, string(conversation.ActionNewDeadline))
			h.expect(learner, "What new deadline")
			h.say(learner, "in 12 weeks")
			confirm := h.expect(learner, "I read that as")
			h.click(learner, confirm, string(conversation.ActionSendDeadline))
			h.expect(learner, "stays in force")
			change := h.expect(manager, "would like to change their learning contract")

			before := h.contracts(learner)[0]
			if before.Status != contract.Renegotiating || before.Signed != 1 {
				t.Fatalf("while pending the contract is %s with version %d in force", before.Status, before.Signed)
			}
			h.click(manager, change, string(conversation.ActionApprove))
			h.expect(learner, "signed")

			c := h.contracts(learner)[0]
			if c.Status != contract.Active || c.Signed != 2 || !c.SignedBy(learner, 2) || !c.SignedBy(manager, 2) {
				t.Fatalf("after signing the change the contract is %s, version %d in force, signatures %+v", c.Status, c.Signed, c.Signatures)
			}
			if !c.InForce().Deadline.After(before.InForce().Deadline) {
				t.Errorf("deadline in force %s did not move past %s", c.InForce().Deadline, before.InForce().Deadline)
			}
			if len(c.CheckIns) != 1 || c.CheckIns[0].Status != contract.Behind {
				t.Errorf("check-ins = %+v", c.CheckIns)
			}
		})
	}
}

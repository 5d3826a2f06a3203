package conversation

import (
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

// TestStatusLabelFor: the status reads right for each reader: a learner's
// own proposal waits for approval, an amendment waits for the learner,
// and a learning set reviews the learner's draft, not the approver's.
func TestStatusLabelFor(t *testing.T) {
	fx := fixtures(t)
	amended := fx["proposed"].Clone()
	terms := amended.Terms.Clone()
	terms.Evidence = append(terms.Evidence, "A demo")
	if err := amended.DoAmend(mo, 1, terms, "", start); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		c    *contract.Contract
		user string
		want string
	}{
		{fx["proposed"], lee, "Waiting for approval"},
		{fx["proposed"], mo, "Waiting for approval"},
		{amended, lee, "Waiting for your signature"},
		{amended, mo, "Waiting for approval"},
		{fx["in_peer_review"], lee, "With your learning set for review"},
		{fx["in_peer_review"], mo, "With the learner's learning set for review"},
		{fx["active"], lee, "Active"},
	}
	for _, tc := range tests {
		if got := statusLabelFor(tc.c, tc.user); got != tc.want {
			t.Errorf("%s to %s: %q, want %q", tc.c.Status, tc.user, got, tc.want)
		}
	}
}

package contract

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// fromTemplate is a draft whose first criterion is the template's.
func fromTemplate(t *testing.T) *Contract {
	t.Helper()
	c := New("c1", "slack", "T1", learner, now)
	tm := complete()
	tm.Criteria = []Criterion{{Text: "The update ends on time", ProposedBy: "presenting@1", Fixed: true}, {Text: "Mine", ProposedBy: learner}}
	must(t, c.SetTerms(learner, tm, now))
	must(t, c.SetApprover(learner, approver, now))
	return c
}

// The template's criteria are the standard: every way of changing terms
// refuses to drop or reword them, and lets criteria be added.
func TestFixedCriteriaStay(t *testing.T) {
	dropped := func(t *testing.T, err error) {
		t.Helper()
		var fe *FixedError
		if !errors.As(err, &fe) || len(fe.Dropped) != 1 || fe.Dropped[0] != "The update ends on time" {
			t.Fatalf("error = %v, want FixedError naming the template's criterion", err)
		}
	}
	without := func(c *Contract) Terms {
		tm := c.Terms.Clone()
		tm.Criteria = []Criterion{{Text: "Mine", ProposedBy: learner}, {Text: "The update ends roughly on time", ProposedBy: learner}}
		return tm
	}

	c := fromTemplate(t)
	dropped(t, c.SetTerms(learner, without(c), now))
	if got := c.Terms.FixedCriteria(); len(got) != 1 || len(c.Terms.Criteria) != 2 {
		t.Errorf("refused edit changed the draft: %+v", c.Terms.Criteria)
	}
	// Typed again by the learner (another case, spacing): still the
	// template's, marked fixed; a criterion of their own is added.
	tm := c.Terms.Clone()
	tm.Criteria = []Criterion{{Text: "the update  ends on time", ProposedBy: learner}, {Text: "Mine"}, {Text: "Two attendees say so"}}
	must(t, c.SetTerms(learner, tm, now))
	if cr := c.Terms.Criteria[0]; !cr.Fixed || cr.Text != "The update ends on time" || len(c.Terms.Criteria) != 3 {
		t.Errorf("criteria = %+v", c.Terms.Criteria)
	}

	must(t, c.DoPropose(learner, "", now))
	dropped(t, c.DoAmend(approver, 1, without(c), "simpler", now))
	if c.Version != 1 {
		t.Errorf("refused amendment made version %d", c.Version)
	}
	must(t, c.DoSign(approver, 1, now))
	at := now.Add(24 * time.Hour)
	dropped(t, c.DoRenegotiate(learner, 1, without(c), "", at))
	if c.Status != Active {
		t.Errorf("refused renegotiation left the contract %s", c.Status)
	}
	tm = c.Terms.Clone()
	tm.Deadline = tm.Deadline.AddDate(0, 0, 14)
	must(t, c.DoRenegotiate(learner, 1, tm, "", at))
	if got := c.Terms.FixedCriteria(); len(got) != 1 {
		t.Errorf("fixed after renegotiating: %v", got)
	}
}

// Contracts stored before criteria could be fixed read as before, and a
// criterion that is not fixed is written as before.
func TestFixedJSONCompatible(t *testing.T) {
	var cr Criterion
	if err := json.Unmarshal([]byte(`{"text":"Old","proposed_by":"ULEE"}`), &cr); err != nil || cr.Fixed || cr.Text != "Old" {
		t.Fatalf("old criterion = %+v, %v", cr, err)
	}
	b, _ := json.Marshal(Criterion{Text: "Mine", ProposedBy: learner})
	if strings.Contains(string(b), "fixed") {
		t.Errorf("a criterion of the learner's is written %s", b)
	}
	b, _ = json.Marshal(Criterion{Text: "Standard", Fixed: true})
	if !strings.Contains(string(b), `"fixed":true`) {
		t.Errorf("a fixed criterion is written %s", b)
	}
}

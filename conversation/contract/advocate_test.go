package contract

import (
	"errors"
	"slices"
	"testing"
)

// withAdvocate is a draft naming an approver and an advocate.
func withAdvocate(t *testing.T) *Contract {
	t.Helper()
	c := inStatus(t, Draft)
	if err := c.SetAdvocate(learner, advocate, now); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAdvocateSignsBeforeActive(t *testing.T) {
	c := withAdvocate(t)
	must(t, c.DoPropose(learner, "", now))
	if r, _ := c.Revision(1); r.Advocate != advocate {
		t.Errorf("version 1 names advocate %q", r.Advocate)
	}
	if got := c.AwaitingSignature(); !slices.Equal(got, []string{approver, advocate}) {
		t.Fatalf("awaiting %v after proposing", got)
	}
	must(t, c.DoSign(approver, 1, now))
	if c.Status != Proposed || !slices.Equal(c.AwaitingSignature(), []string{advocate}) {
		t.Fatalf("after the approver signed: %s, awaiting %v", c.Status, c.AwaitingSignature())
	}
	if err := c.DoSign(stranger, 1, now); !isDenied(err) {
		t.Errorf("a stranger signed: %v", err)
	}
	must(t, c.DoSign(advocate, 1, now))
	if c.Status != Active || c.Signed != 1 {
		t.Errorf("after all three signed: %s, signed %d", c.Status, c.Signed)
	}
	if err := c.DoSign(advocate, 1, now); err == nil {
		t.Error("the advocate signed twice")
	}
}

func TestAdvocateMayNotBeLearnerOrApprover(t *testing.T) {
	c := inStatus(t, Draft)
	must(t, c.SetAdvocate(learner, approver, now))
	if got := c.Parties(); !slices.Equal(got, []string{learner, approver}) {
		t.Errorf("an approver named advocate is a party twice: %v", got)
	}
	c.AdvocateRequired = true
	var inc *IncompleteError
	if err := c.DoPropose(learner, "", now); !errors.As(err, &inc) || !slices.Contains(inc.Fields, FieldAdvocate) {
		t.Errorf("proposed with the approver as the required advocate: %v", err)
	}
}

func TestAdvise(t *testing.T) {
	c := withAdvocate(t)
	if err := c.DoAdvise(advocate, 0, "looks good", now); err == nil {
		t.Error("the advocate commented on a draft never proposed")
	}
	must(t, c.DoPropose(learner, "", now))
	for _, who := range []string{learner, approver, stranger} {
		if err := c.DoAdvise(who, 1, "hello", now); !isDenied(err) {
			t.Errorf("%s commented as advocate: %v", who, err)
		}
	}
	if err := c.DoAdvise(advocate, 1, "  ", now); !errors.Is(err, ErrEmpty) {
		t.Errorf("an empty comment: %v", err)
	}
	must(t, c.DoAdvise(advocate, 1, " Friday afternoons are free for this. ", now))
	cs := c.AdvocateComments()
	if len(cs) != 1 || cs[0].Actor != advocate || cs[0].Comment != "Friday afternoons are free for this." || cs[0].Version != 1 {
		t.Fatalf("advocate comments %+v", cs)
	}
	must(t, c.DoRequestChanges(approver, 1, "more", now))
	must(t, c.DoAdvise(advocate, 1, "agreed", now))
	must(t, c.DoPropose(learner, "", now))
	var stale *StaleError
	if err := c.DoAdvise(advocate, 1, "late", now); !errors.As(err, &stale) {
		t.Errorf("a comment on version 1 once version 2 is proposed: %v", err)
	}
}

// TestChangingTheAdvocate: a new advocate takes a new version, and the old
// advocate's signature counts for nothing.
func TestChangingTheAdvocate(t *testing.T) {
	c := withAdvocate(t)
	must(t, c.DoPropose(learner, "", now))
	must(t, c.DoSign(advocate, 1, now))
	must(t, c.DoRequestChanges(approver, 1, "a different advocate, please", now))
	const wen = "UWEN"
	if err := c.SetAdvocate(approver, wen, now); !isDenied(err) {
		t.Errorf("the approver changed the advocate: %v", err)
	}
	must(t, c.SetAdvocate(learner, wen, now))
	if err := c.DoSign(advocate, 1, now); err == nil {
		t.Error("the former advocate signed")
	}
	must(t, c.DoPropose(learner, "", now))
	if c.Version != 2 {
		t.Fatalf("version %d after proposing a new advocate", c.Version)
	}
	if r, _ := c.Revision(2); r.Advocate != wen {
		t.Errorf("version 2 names advocate %q", r.Advocate)
	}
	if got := c.AwaitingSignature(); !slices.Equal(got, []string{approver, wen}) {
		t.Errorf("awaiting %v", got)
	}
	if err := c.DoSign(advocate, 2, now); !isDenied(err) {
		t.Errorf("the former advocate signed version 2: %v", err)
	}
	must(t, c.DoSign(approver, 2, now))
	if c.Status == Active {
		t.Fatal("active without the new advocate")
	}
	must(t, c.DoSign(wen, 2, now))
	if c.Status != Active {
		t.Errorf("status %s after all three signed", c.Status)
	}
	var changed bool
	for _, e := range c.History {
		if e.Kind == EventAdvocate && e.Old == advocate && e.New == wen {
			changed = true
		}
	}
	if !changed {
		t.Error("the history does not show the change of advocate")
	}
}

// TestAdvocateSignsAmendmentsAndRenegotiations: every new version waits
// for the advocate too.
func TestAdvocateSignsAmendmentsAndRenegotiations(t *testing.T) {
	c := withAdvocate(t)
	must(t, c.DoPropose(learner, "", now))
	amended := c.Terms.Clone()
	amended.Title = "Running better design reviews"
	must(t, c.DoAmend(approver, 1, amended, "", now))
	if got := c.AwaitingSignature(); !slices.Equal(got, []string{learner, advocate}) {
		t.Fatalf("awaiting %v after an amendment", got)
	}
	must(t, c.DoSign(learner, 2, now))
	if c.Status != Proposed {
		t.Fatalf("status %s without the advocate's signature on the amendment", c.Status)
	}
	must(t, c.DoSign(advocate, 2, now))
	if c.Status != Active || c.Signed != 2 {
		t.Fatalf("status %s signed %d", c.Status, c.Signed)
	}

	later := c.Terms.Clone()
	later.Deadline = later.Deadline.AddDate(0, 0, 14)
	must(t, c.DoRenegotiate(learner, 0, later, "", now))
	must(t, c.DoAdvise(advocate, 3, "fine by me", now))
	must(t, c.DoSign(approver, 3, now))
	if c.Status != Renegotiating || c.Signed != 2 {
		t.Fatalf("status %s signed %d before the advocate signed the renegotiation", c.Status, c.Signed)
	}
	must(t, c.DoSign(advocate, 3, now))
	if c.Status != Active || c.Signed != 3 {
		t.Errorf("status %s signed %d after all three signed", c.Status, c.Signed)
	}
}

// TestChangeAdvocateWhileProposed: a new advocate for a proposal waiting
// for signatures is a new version; the signatures on the earlier one
// count for nothing.
func TestChangeAdvocateWhileProposed(t *testing.T) {
	c := withAdvocate(t)
	must(t, c.DoPropose(learner, "", now))
	must(t, c.DoSign(advocate, 1, now))
	const wen = "UWEN"
	if err := c.ChangeAdvocate(approver, wen, now); !isDenied(err) {
		t.Errorf("the approver changed the advocate: %v", err)
	}
	if err := c.ChangeAdvocate(learner, advocate, now); !errors.Is(err, ErrNoChange) {
		t.Errorf("the same advocate: %v", err)
	}
	must(t, c.ChangeAdvocate(learner, wen, now))
	if c.Version != 2 || c.Status != Proposed || c.Advocate != wen {
		t.Fatalf("version %d %s advocate %q", c.Version, c.Status, c.Advocate)
	}
	if r, _ := c.Revision(2); r.Advocate != wen || len(Diff(r.Terms, c.Terms)) != 0 {
		t.Errorf("version 2: advocate %q, terms changed %v", r.Advocate, Diff(r.Terms, c.Terms))
	}
	if got := c.AwaitingSignature(); !slices.Equal(got, []string{approver, wen}) {
		t.Errorf("awaiting %v", got)
	}
	if err := c.DoSign(approver, 1, now); err == nil {
		t.Error("the approver signed version 1 after it was replaced")
	}
	must(t, c.DoSign(approver, 2, now))
	must(t, c.DoSign(wen, 2, now))
	if c.Status != Active || c.Signed != 2 {
		t.Errorf("%s signed %d", c.Status, c.Signed)
	}

	req := withAdvocate(t)
	req.AdvocateRequired = true
	must(t, req.DoPropose(learner, "", now))
	var inc *IncompleteError
	if err := req.ChangeAdvocate(learner, "", now); !errors.As(err, &inc) || req.Advocate != advocate || req.Version != 1 {
		t.Errorf("removed the advocate the template asks for: %v, advocate %q, version %d", err, req.Advocate, req.Version)
	}
}

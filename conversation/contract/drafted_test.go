package contract

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// drafted builds a contract that approver drafts for learner, taken to
// one of the steps of its negotiation.
func drafted(t *testing.T, step string) *Contract {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	c := NewDraftFor("c1", "slack", "T1", learner, approver, now)
	must(c.SetTerms(approver, complete(), now))
	if step == "draft" {
		return c
	}
	must(c.DoPropose(approver, "", now))
	switch step {
	case "proposed":
		return c
	case "declined":
		must(c.DoDeclineDrafted(learner, 1, now))
		return c
	}
	must(c.Counter(learner, 1, now))
	if step == "countered" {
		return c
	}
	tm := c.Terms.Clone()
	tm.Deadline = tm.Deadline.AddDate(0, 0, 7)
	must(c.SetTerms(learner, tm, now))
	must(c.DoPropose(learner, "", now))
	if step == "counter proposed" {
		return c
	}
	must(c.DoSign(approver, 2, now))
	return c
}

// TestDraftedForWhoMayFireWhat checks every action of the lifecycle, at
// each step of a contract drafted for a learner, for the learner, the
// drafter and a stranger: who may fire it (Check says nil), and that
// nobody else may.
func TestDraftedForWhoMayFireWhat(t *testing.T) {
	may := map[string]map[Action][]string{
		"draft": {Edit: {approver}, Propose: {approver}, Withdraw: {approver}},
		"proposed": {Propose: {learner}, Sign: {learner}, RequestChanges: {approver}, Amend: {approver},
			Withdraw: {learner}, CounterAmendment: {learner}, DeclineDrafted: {learner}},
		"countered": {Edit: {learner}, Propose: {learner}, Withdraw: {learner}},
		"counter proposed": {Propose: {learner}, Sign: {approver}, RequestChanges: {approver}, Amend: {approver},
			Withdraw: {learner}, CounterAmendment: {learner}, DeclineDrafted: {learner}},
		"active": {Renegotiate: {learner, approver}, RecordCheckIn: {learner}, Snooze: {learner}, Pause: {learner},
			AskForHelp: {learner}, ReplyCheckIn: {approver}, AddEvidence: {learner}, SelfAssess: {learner},
			Submit: {learner}, Retire: {learner}},
		"declined": {},
	}
	var actions []Action
	for a := range rules {
		actions = append(actions, a)
	}
	sort.Slice(actions, func(i, j int) bool { return actions[i] < actions[j] })
	for _, step := range []string{"draft", "proposed", "countered", "counter proposed", "active", "declined"} {
		c := drafted(t, step)
		for _, a := range actions {
			for _, actor := range []string{learner, approver, stranger} {
				err := c.Check(a, actor, 0)
				if want := slices.Contains(may[step][a], actor); (err == nil) != want {
					t.Errorf("%s (%s v%d): %s by %s: %v, want allowed %v", step, c.Status, c.Version, a, actor, err, want)
				}
			}
		}
	}
}

func TestDraftedForNegotiation(t *testing.T) {
	c := drafted(t, "draft")
	if c.Learner != learner || c.Approver != approver || c.DraftedBy != approver || c.Drafter() != approver {
		t.Fatalf("drafted for: learner %s approver %s drafted by %s drafter %s", c.Learner, c.Approver, c.DraftedBy, c.Drafter())
	}
	if !c.HiddenFrom(learner) || c.HiddenFrom(approver) || c.HiddenFrom(stranger) {
		t.Error("before it is sent, only the learner does not see it")
	}
	var d *DeniedError
	if err := c.SetTerms(learner, complete(), now); !errors.As(err, &d) || !reflect.DeepEqual(d.Allowed, []string{approver}) {
		t.Errorf("the learner editing a draft drafted for them: %v", err)
	}
	if err := c.DoPropose(approver, "have a look", now); err != nil {
		t.Fatal(err)
	}
	if c.Status != Proposed || c.Version != 1 || !c.SignedBy(approver, 1) || c.SignedBy(learner, 1) {
		t.Fatalf("sent: %s v%d, signatures %+v", c.Status, c.Version, c.Signatures)
	}
	if c.HiddenFrom(learner) || c.Drafter() != learner {
		t.Error("once sent, the learner sees it and holds the pen")
	}
	if err := c.DoPropose(approver, "", now); !errors.As(err, &d) {
		t.Errorf("the drafter sending again once sent: %v", err)
	}
	if err := c.Counter(learner, 1, now); err != nil || c.Status != ChangesRequested {
		t.Fatalf("counter: %v %s", err, c.Status)
	}
	tm := c.Terms.Clone()
	tm.Criteria = append(tm.Criteria, Criterion{Text: "Ana reviews the write-up", ProposedBy: learner})
	if err := c.SetTerms(approver, tm, now); !errors.As(err, &d) {
		t.Errorf("the drafter editing the learner's counter: %v", err)
	}
	if err := c.SetTerms(learner, tm, now); err != nil {
		t.Fatal(err)
	}
	if err := c.DoPropose(learner, "", now); err != nil || c.Version != 2 || !c.SignedBy(learner, 2) {
		t.Fatalf("counter sent: %v v%d", err, c.Version)
	}
	if err := c.Counter(learner, 2, now); !errors.Is(err, ErrNotAmended) {
		t.Errorf("countering one's own counter: %v", err)
	}
	if err := c.DoDeclineDrafted(learner, 2, now); !errors.Is(err, ErrNotDrafted) {
		t.Errorf("declining one's own counter: %v", err)
	}
	if err := c.DoSign(approver, 2, now); err != nil || c.Status != Active || c.Signed != 2 {
		t.Fatalf("signed: %v %s v%d", err, c.Status, c.Signed)
	}
	var kinds []string
	for _, e := range c.History {
		if e.Kind != "changed" {
			kinds = append(kinds, e.Kind+":"+e.Actor)
		}
	}
	want := []string{"created:" + approver, "proposed:" + approver, "countered:" + learner, "proposed:" + learner,
		"signed:" + approver, "activated:" + approver}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("history %v, want %v", kinds, want)
	}
	if r, _ := c.Revision(2); r.Base != 1 || len(Diff(mustRevision(t, c, 1).Terms, r.Terms)) != 1 {
		t.Errorf("the counter's diff against the drafted version: base %d, %+v", r.Base, Diff(mustRevision(t, c, 1).Terms, r.Terms))
	}
}

func mustRevision(t *testing.T, c *Contract, v int) Revision {
	t.Helper()
	r, ok := c.Revision(v)
	if !ok {
		t.Fatalf("no version %d", v)
	}
	return r
}

// TestDraftedForSignedAsIs: the learner accepting the drafted terms as they
// are ends in the same active contract as a counter does: both signed the
// version in force.
func TestDraftedForSignedAsIs(t *testing.T) {
	c := drafted(t, "proposed")
	if err := c.DoSign(learner, 1, now); err != nil {
		t.Fatal(err)
	}
	if c.Status != Active || c.Signed != 1 || len(c.AwaitingSignature()) != 0 {
		t.Errorf("accepted: %s signed v%d awaiting %v", c.Status, c.Signed, c.AwaitingSignature())
	}
}

func TestDraftedForDeclined(t *testing.T) {
	c := drafted(t, "proposed")
	if err := c.DoDeclineDrafted(approver, 1, now); !errors.As(err, new(*DeniedError)) {
		t.Errorf("the drafter declining their own proposal: %v", err)
	}
	if err := c.DoDeclineDrafted(learner, 7, now); !errors.As(err, new(*StaleError)) {
		t.Errorf("declining a stale version: %v", err)
	}
	if err := c.DoDeclineDrafted(learner, 1, now); err != nil || c.Status != Withdrawn {
		t.Fatalf("declined: %v %s", err, c.Status)
	}
	if v, err := c.NoteDecline(learner, "not this quarter", now); err != nil || v != 1 {
		t.Errorf("reason: v%d %v", v, err)
	}
	if e := c.History[len(c.History)-1]; e.Kind != "declined" || e.Comment != "not this quarter" || e.New != string(Withdrawn) {
		t.Errorf("decline event %+v", e)
	}
	own := inStatus(t, Proposed)
	if err := own.DoDeclineDrafted(learner, 1, now); !errors.Is(err, ErrNotDrafted) {
		t.Errorf("declining a contract the learner drafted: %v", err)
	}
}

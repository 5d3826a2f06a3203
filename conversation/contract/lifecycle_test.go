package contract

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	learner  = "ULEE"
	approver = "UMO"
	advocate = "UADA"
	stranger = "USAM"
)

var now = time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)

func complete() Terms {
	return Terms{
		Title:      "Running design reviews",
		Goals:      []Goal{{Text: "Run three design reviews", Mastery: "a checklist"}},
		Activities: []string{"Shadow Ana"},
		Evidence:   []string{"A write-up"},
		Criteria:   []Criterion{{Text: "Two teammates use the checklist", ProposedBy: learner}},
		Deadline:   time.Date(2027, 3, 12, 0, 0, 0, 0, time.UTC),
		Cadence:    Weekly,
	}
}

// inStatus builds a contract in the given status, one way or another.
func inStatus(t *testing.T, st Status) *Contract {
	t.Helper()
	c := New("c1", "slack", "T1", learner, now)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetTerms(learner, complete(), now))
	must(c.SetApprover(learner, approver, now))
	switch st {
	case Draft:
		return c
	case Withdrawn:
		must(c.DoWithdraw(learner, now))
		return c
	}
	must(c.DoPropose(learner, "", now))
	switch st {
	case ChangesRequested:
		must(c.DoRequestChanges(approver, 1, "more", now))
	case Active:
		must(c.DoSign(approver, 1, now))
	}
	if c.Status != st {
		t.Fatalf("built %s, want %s", c.Status, st)
	}
	return c
}

func TestCheckWhoMayFireWhat(t *testing.T) {
	type want int
	const (
		ok want = iota
		denied
		stale
		state
		signed
	)
	tests := []struct {
		status  Status
		action  Action
		actor   string
		version int
		want    want
	}{
		{Draft, Edit, learner, 0, ok},
		{Draft, Edit, approver, 0, denied},
		{Draft, Edit, stranger, 0, denied},
		{Draft, Propose, learner, 0, ok},
		{Draft, Propose, approver, 0, denied},
		{Draft, Sign, approver, 0, state},
		{Draft, RequestChanges, approver, 0, state},
		{Draft, Withdraw, learner, 0, ok},
		{Draft, Withdraw, approver, 0, denied},

		{Proposed, Sign, approver, 1, ok},
		{Proposed, Sign, stranger, 1, denied},
		{Proposed, Sign, learner, 1, signed},
		{Proposed, Sign, approver, 2, stale},
		{Proposed, RequestChanges, approver, 1, ok},
		{Proposed, RequestChanges, learner, 1, denied},
		{Proposed, RequestChanges, approver, 7, stale},
		{Proposed, Amend, approver, 1, ok},
		{Proposed, Amend, stranger, 1, denied},
		{Proposed, Edit, learner, 0, state},
		{Proposed, Propose, learner, 0, ok},
		{Proposed, CounterAmendment, learner, 1, ok}, // Counter itself refuses a non-amendment
		{Proposed, CounterAmendment, approver, 1, denied},

		{ChangesRequested, Edit, learner, 1, ok},
		{ChangesRequested, Edit, learner, 2, stale},
		{ChangesRequested, Sign, approver, 1, state},
		{ChangesRequested, Amend, approver, 1, state},
		{ChangesRequested, Propose, learner, 0, ok},

		{Active, Sign, approver, 1, state},
		{Active, Sign, approver, 0, state},
		{Active, Sign, stranger, 1, denied},
		{Active, RequestChanges, approver, 1, state},
		{Active, Edit, learner, 0, state},
		{Active, Withdraw, learner, 0, state},

		{Withdrawn, Propose, learner, 0, state},

		{Active, Renegotiate, learner, 1, ok},
		{Active, Renegotiate, approver, 0, ok},
		{Active, Renegotiate, stranger, 1, denied},
		{Active, Renegotiate, learner, 2, stale},
		{Active, Decline, approver, 1, state},
		{Active, RecordCheckIn, learner, 0, ok},
		{Active, RecordCheckIn, approver, 0, denied},
		{Active, Snooze, learner, 0, ok},
		{Active, Pause, learner, 0, ok},
		{Active, Pause, approver, 0, denied},
		{Active, Resume, learner, 0, state},
		{Active, AskForHelp, learner, 0, ok},
		{Active, AskForHelp, approver, 0, denied},
		{Proposed, Renegotiate, learner, 1, state},
		{Proposed, RecordCheckIn, learner, 0, state},
		{Proposed, Decline, approver, 1, state},
		{Proposed, Pause, learner, 0, state},
		{Draft, Resume, learner, 0, state},
	}
	for _, tc := range tests {
		c := inStatus(t, tc.status)
		err := c.Check(tc.action, tc.actor, tc.version)
		var (
			d   *DeniedError
			s   *StaleError
			se  *StateError
			got want
		)
		switch {
		case err == nil:
			got = ok
		case errors.As(err, &d):
			got = denied
		case errors.As(err, &s):
			got = stale
		case errors.As(err, &se):
			got = state
		case errors.Is(err, ErrAlreadySigned):
			got = signed
		default:
			t.Errorf("%s %s by %s: unexpected error %v", tc.status, tc.action, tc.actor, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: %s by %s at v%d: got %d (%v), want %d", tc.status, tc.action, tc.actor, tc.version, got, err, tc.want)
		}
	}
}

func TestCheckUnknownAction(t *testing.T) {
	if err := inStatus(t, Draft).Check("dance", learner, 0); err == nil {
		t.Error("an unknown action was allowed")
	}
}

func TestDeniedNamesWhoMay(t *testing.T) {
	c := inStatus(t, Proposed)
	var d *DeniedError
	if err := c.Check(Sign, stranger, 1); !errors.As(err, &d) || !reflect.DeepEqual(d.Allowed, []string{approver}) {
		t.Errorf("sign by a stranger: %v (allowed %v)", err, d)
	}
	if err := c.Check(RequestChanges, learner, 1); !errors.As(err, &d) || !reflect.DeepEqual(d.Allowed, []string{approver}) {
		t.Errorf("request changes by the learner: %v", err)
	}
	c = New("c2", "slack", "T1", learner, now)
	if err := c.Check(Amend, approver, 0); !errors.As(err, &d) || len(d.Allowed) != 0 {
		t.Errorf("amend with no approver named: %v", err)
	}
}

func TestProposeIncomplete(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Terms)
		appr   string
		fields []string
		// advocate: the template asks for one, and who is named
		needsAdvocate bool
		advocate      string
	}{
		{"empty", func(t *Terms) { *t = Terms{} }, "", []string{FieldGoals, FieldEvidence, FieldCriteria, FieldDeadline, FieldApprover}, false, ""},
		{"past deadline", func(t *Terms) { t.Deadline = now.Truncate(24 * time.Hour) }, approver, []string{FieldDeadline}, false, ""},
		{"self approval", func(*Terms) {}, learner, []string{FieldApprover}, false, ""},
		{"no criteria", func(t *Terms) { t.Criteria = nil }, approver, []string{FieldCriteria}, false, ""},
		{"advocate asked for", func(*Terms) {}, approver, []string{FieldAdvocate}, true, ""},
		{"approver as advocate", func(*Terms) {}, approver, []string{FieldAdvocate}, true, approver},
	}
	for _, tc := range tests {
		c := New("c1", "slack", "T1", learner, now)
		c.AdvocateRequired, c.Advocate = tc.needsAdvocate, tc.advocate
		tm := complete()
		tc.edit(&tm)
		if err := c.SetTerms(learner, tm, now); err != nil {
			t.Fatal(err)
		}
		if tc.appr != "" {
			if err := c.SetApprover(learner, tc.appr, now); err != nil {
				t.Fatal(err)
			}
		}
		err := c.DoPropose(learner, "", now)
		var inc *IncompleteError
		if !errors.As(err, &inc) {
			t.Errorf("%s: %v, want IncompleteError", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(inc.Fields, tc.fields) || len(inc.Missing) != len(inc.Fields) {
			t.Errorf("%s: fields %v missing %v, want fields %v", tc.name, inc.Fields, inc.Missing, tc.fields)
		}
		if c.Version != 0 || c.Status != Draft {
			t.Errorf("%s: an incomplete proposal changed the contract: v%d %s", tc.name, c.Version, c.Status)
		}
	}
}

// TestNegotiation runs a whole negotiation and checks versions, signatures
// and history at each step.
func TestNegotiation(t *testing.T) {
	c := inStatus(t, Draft)
	step := func(name string, err error, status Status, version int) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.Status != status || c.Version != version {
			t.Fatalf("%s: %s v%d, want %s v%d", name, c.Status, c.Version, status, version)
		}
	}
	step("propose", c.DoPropose(learner, "first go", now), Proposed, 1)
	if !c.SignedBy(learner, 1) || c.SignedBy(approver, 1) {
		t.Error("the proposer signs their proposal, nobody else does")
	}
	step("request changes", c.DoRequestChanges(approver, 1, "add a demo", now), ChangesRequested, 1)
	if c.Requested != "add a demo" {
		t.Errorf("requested %q", c.Requested)
	}
	tm := c.Terms.Clone()
	tm.Evidence = append(tm.Evidence, "A demo")
	step("edit", c.SetTerms(learner, tm, now), ChangesRequested, 1)
	step("propose again", c.DoPropose(learner, "", now), Proposed, 2)
	if c.Requested != "" {
		t.Error("a new proposal keeps the old change request")
	}
	amended := c.Terms.Clone()
	amended.Criteria = append(amended.Criteria, Criterion{Text: "Mo observes one", ProposedBy: approver})
	step("amend", c.DoAmend(approver, 2, amended, "sit in", now), Proposed, 3)
	if !c.SignedBy(approver, 3) || c.SignedBy(learner, 3) {
		t.Error("the amendment is signed by the approver only")
	}
	if err := c.Check(Sign, approver, 3); !errors.Is(err, ErrAlreadySigned) {
		t.Errorf("approver signing their own amendment: %v", err)
	}
	if err := c.DoSign(approver, 2, now); !errors.As(err, new(*StaleError)) {
		t.Errorf("signing version 2 after the amendment: %v", err)
	}
	step("counter", c.Counter(learner, 3, now), ChangesRequested, 3)
	tm = c.Terms.Clone()
	tm.Deadline = tm.Deadline.AddDate(0, 0, 7)
	step("edit counter", c.SetTerms(learner, tm, now), ChangesRequested, 3)
	step("propose counter", c.DoPropose(learner, "", now), Proposed, 4)
	if err := c.Counter(learner, 4, now); !errors.Is(err, ErrNotAmended) {
		t.Errorf("countering one's own proposal: %v", err)
	}
	step("sign", c.DoSign(approver, 4, now), Active, 4)
	if c.Signed != 4 || len(c.AwaitingSignature()) != 0 {
		t.Errorf("signed %d awaiting %v", c.Signed, c.AwaitingSignature())
	}
	if len(c.Revisions) != 4 {
		t.Fatalf("%d revisions", len(c.Revisions))
	}
	for i, by := range []string{learner, learner, approver, learner} {
		if r := c.Revisions[i]; r.Version != i+1 || r.ProposedBy != by {
			t.Errorf("revision %d: v%d by %s, want by %s", i, r.Version, r.ProposedBy, by)
		}
	}
	if r, _ := c.Revision(3); len(r.Terms.Criteria) != 2 || r.Terms.Criteria[1].ProposedBy != approver || r.Comment != "sit in" {
		t.Errorf("revision 3 %+v", r)
	}

	var kinds []string
	changed := map[int][]string{}
	for _, e := range c.History {
		kinds = append(kinds, e.Kind)
		if e.Kind == "changed" {
			changed[e.Version] = append(changed[e.Version], e.Field)
		}
	}
	wantKinds := "created approver proposed changes_requested proposed proposed countered proposed signed activated"
	if got := strings.Join(withoutChanged(kinds), " "); got != wantKinds {
		t.Errorf("history %q, want %q", got, wantKinds)
	}
	wantChanged := map[int][]string{
		1: {FieldTitle, FieldGoals, FieldActivities, FieldEvidence, FieldCriteria, FieldDeadline, FieldCadence},
		2: {FieldEvidence}, 3: {FieldCriteria}, 4: {FieldDeadline},
	}
	if !reflect.DeepEqual(changed, wantChanged) {
		t.Errorf("changed fields %v, want %v", changed, wantChanged)
	}
	for _, e := range c.History {
		if e.Kind == "changed" && e.Version == 4 && (e.Old != "2027-03-12" || e.New != "2027-03-19") {
			t.Errorf("deadline change %q → %q", e.Old, e.New)
		}
		if e.Kind == "changes_requested" && (e.Comment != "add a demo" || e.Actor != approver) {
			t.Errorf("change request event %+v", e)
		}
	}
}

func withoutChanged(kinds []string) []string {
	var out []string
	for _, k := range kinds {
		if k != "changed" {
			out = append(out, k)
		}
	}
	return out
}

func TestAdvocateMustSignToo(t *testing.T) {
	c := inStatus(t, Draft)
	c.Advocate = advocate
	if err := c.DoPropose(learner, "", now); err != nil {
		t.Fatal(err)
	}
	if err := c.DoSign(approver, 1, now); err != nil {
		t.Fatal(err)
	}
	if c.Status != Proposed || !reflect.DeepEqual(c.AwaitingSignature(), []string{advocate}) {
		t.Fatalf("after the approver: %s, awaiting %v", c.Status, c.AwaitingSignature())
	}
	var d *DeniedError
	if err := c.Check(Sign, stranger, 1); !errors.As(err, &d) || !reflect.DeepEqual(d.Allowed, []string{advocate}) {
		t.Errorf("a stranger is told who may sign: %v", err)
	}
	if err := c.DoSign(advocate, 1, now); err != nil || c.Status != Active || c.Signed != 1 {
		t.Errorf("after the advocate: %v %s", err, c.Status)
	}
}

func TestRequiredAdvocateNamed(t *testing.T) {
	c := inStatus(t, Draft)
	c.AdvocateRequired, c.Advocate = true, advocate
	if err := c.DoPropose(learner, "", now); err != nil {
		t.Fatalf("a named advocate fills the template's signer: %v", err)
	}
}

func TestPartiesAreDistinct(t *testing.T) {
	c := &Contract{Learner: learner, Approver: approver, Advocate: approver}
	if got := c.Parties(); !reflect.DeepEqual(got, []string{learner, approver}) {
		t.Errorf("parties %v", got)
	}
	c.Advocate = learner
	if got := c.Parties(); !reflect.DeepEqual(got, []string{learner, approver}) {
		t.Errorf("parties %v", got)
	}
}

func TestRevisionsDoNotShareTerms(t *testing.T) {
	c := inStatus(t, Proposed)
	if err := c.DoRequestChanges(approver, 1, "x", now); err != nil {
		t.Fatal(err)
	}
	c.Terms.Goals[0].Text = "changed in place"
	c.Terms.Evidence[0] = "changed in place"
	if r, _ := c.Revision(1); r.Terms.Goals[0].Text == "changed in place" || r.Terms.Evidence[0] == "changed in place" {
		t.Error("editing the working terms rewrote the proposed version")
	}
}

func TestClone(t *testing.T) {
	c := inStatus(t, Proposed)
	c.Rev = 7
	d := c.Clone()
	if !reflect.DeepEqual(c, d) {
		t.Fatal("the clone differs")
	}
	d.Terms.Goals[0].Text = "x"
	d.Terms.Criteria[0].ProposedBy = "x"
	d.Revisions[0].Terms.Activities[0] = "x"
	d.Signatures[0].By = "x"
	d.History[0].Kind = "x"
	if c.Terms.Goals[0].Text == "x" || c.Terms.Criteria[0].ProposedBy == "x" || c.Revisions[0].Terms.Activities[0] == "x" ||
		c.Signatures[0].By == "x" || c.History[0].Kind == "x" {
		t.Error("changing the clone changed the original")
	}
	if (*Contract)(nil).Clone() != nil {
		t.Error("a nil clone is not nil")
	}
}

func TestDiff(t *testing.T) {
	a := complete()
	tests := []struct {
		name string
		edit func(*Terms)
		want []Change
	}{
		{"same", func(*Terms) {}, nil},
		{"title", func(t *Terms) { t.Title = "New" }, []Change{{FieldTitle, "Running design reviews", "New"}}},
		{"mastery", func(t *Terms) { t.Goals[0].Mastery = "" }, []Change{{FieldGoals, "Run three design reviews (shown by: a checklist)", "Run three design reviews"}}},
		{"added goal", func(t *Terms) { t.Goals = append(t.Goals, Goal{Text: "Lead one"}) },
			[]Change{{FieldGoals, "Run three design reviews (shown by: a checklist)", "Run three design reviews (shown by: a checklist)\nLead one"}}},
		{"criterion author only", func(t *Terms) { t.Criteria[0].ProposedBy = approver }, nil},
		{"deadline and cadence", func(t *Terms) { t.Deadline = t.Deadline.AddDate(0, 1, 0); t.Cadence = 10 },
			[]Change{{FieldDeadline, "2027-03-12", "2027-04-12"}, {FieldCadence, "weekly", "every 10 days"}}},
		{"cleared", func(t *Terms) { t.Activities = nil; t.Deadline = time.Time{} },
			[]Change{{FieldActivities, "Shadow Ana", ""}, {FieldDeadline, "2027-03-12", ""}}},
	}
	for _, tc := range tests {
		b := a.Clone()
		tc.edit(&b)
		if got := Diff(a, b); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestCadenceString(t *testing.T) {
	for c, want := range map[Cadence]string{0: "", 1: "daily", Weekly: "weekly", Fortnightly: "fortnightly", 10: "every 10 days"} {
		if got := c.String(); got != want {
			t.Errorf("Cadence(%d) = %q, want %q", c, got, want)
		}
	}
}

package conversation

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// fixtures are a contract in each interesting status, taken through the
// contract's lifecycle the way the flows take it (the transcripts in
// bot/testdata show those turns): on start Lee drafts “Running design
// reviews” (weekly check-ins, due in 8 weeks) and sends it to Mo, who asks
// for more evidence; Lee sends it again and Mo signs version 2 (active). A
// week on the check-in comes due (prompted); Lee is behind and proposes a
// deadline 12 weeks from then (renegotiating), then pauses. The same draft
// shared with a learning set, where Sam and Pat are asked to review it, is
// in peer review.
func fixtures(t testing.TB) map[string]*contract.Contract {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*contract.Contract{}
	keep := func(name string, c *contract.Contract) {
		out[name] = c.Clone()
		out[name].Rev = 3 // as loaded from a store, so tests see Step keep it
	}

	c := contract.New("c1", "slack", "T1", lee, start)
	must(c.SetTerms(lee, contract.Terms{Title: "Running design reviews", Cadence: contract.Weekly}, start))
	keep("draft", c)
	must(c.SetTerms(lee, fixtureTerms(), start))
	must(c.SetApprover(lee, mo, start))
	must(c.DoPropose(lee, "", start))
	keep("proposed", c)
	must(c.DoRequestChanges(mo, 1, "More evidence, please.", start))
	keep("changes_requested", c)
	must(c.DoPropose(lee, "", start))
	must(c.DoSign(mo, 2, start))
	keep("active", c)

	// From active, Lee hands in a link and rates the criterion Met (submitted),
	// Mo rates it Partly (assessed), and Lee reflects (completed).
	f := c.Clone()
	done := start.AddDate(0, 0, 30)
	must(f.DoAddEvidence(lee, contract.EvidenceItem{Of: 1, Kind: contract.EvidenceLink, URL: "https://wiki.example.com/reviews"}, done))
	must(f.DoSelfAssess(lee, 1, contract.Met, "Bo and Cy use it", done))
	must(f.DoSubmit(lee, done))
	keep("submitted", f)
	must(f.DoAssess(mo, 0, 1, contract.Partly, "Cy still asks you", done))
	keep("assessed", f)
	must(f.DoComplete(lee, contract.Reflection{Learned: "Checklists travel"}, contract.DefaultImpactDays, done))
	keep("completed", f)

	d, ok := c.DueNow(contract.DueCheckIn, start.AddDate(0, 0, 7), time.UTC)
	if !ok {
		t.Fatal("no check-in a week after signing")
	}
	now := d.At
	c.Sent(d, now)
	keep("prompted", c)
	must(c.DoCheckIn(lee, contract.Behind, now))
	later := c.InForce()
	y, m, day := now.Date()
	later.Deadline = time.Date(y, m, day, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 12*7)
	must(c.DoRenegotiate(lee, 0, later, "", now))
	keep("renegotiating", c)
	must(c.DoPause(lee, "", now))
	keep("paused", c)

	c = contract.New("c1", "slack", "T1", lee, start)
	must(c.SetTerms(lee, fixtureTerms(), start))
	must(c.SetApprover(lee, mo, start))
	must(c.ShareDraft(lee, "CSET", false, "", []string{sam, "UPAT"}, start))
	c.Posted(1, "1700000000.000014")
	keep("in_peer_review", c)
	for k, c := range out {
		if string(c.Status) != k && k != "prompted" && k != "assessed" {
			t.Fatalf("fixture %s is %s", k, c.Status)
		}
	}
	return out
}

// fixtureTerms are the terms of the fixtures.
func fixtureTerms() contract.Terms {
	return contract.Terms{
		Title:      "Running design reviews",
		Goals:      []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}},
		Activities: []string{"Shadow Ana's reviews", "read the Design Review Handbook"},
		Evidence:   []string{"A write-up of three reviews"},
		Criteria:   []contract.Criterion{{Text: "Two teammates use my checklist without help", ProposedBy: lee}},
		Deadline:   time.Date(2027, 3, 12, 0, 0, 0, 0, time.UTC),
		Cadence:    contract.Weekly,
	}
}

// TestDueFixturesSend checks the fuzz corpus's due items against the
// fixtures: each comes due and sends one message to its recipient.
func TestDueFixturesSend(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		fixture string
		user    string
		days    int
		kind    contract.DueKind
	}{
		{"active", lee, 7, contract.DueCheckIn}, {"active", lee, 28, contract.DueMidpoint}, {"prompted", lee, 9, contract.DueCheckInMissed},
		{"proposed", mo, 4, contract.DueApprovalReminder}, {"renegotiating", mo, 12, contract.DueApprovalReminder}, {"active", lee, 57, contract.DueOverdue},
	}
	for _, tc := range tests {
		env := testEnv()
		env.Now = env.Now.AddDate(0, 0, tc.days)
		in := Input{Kind: DueInput, User: tc.user, DueKind: string(tc.kind), Contract: "c1"}
		res := Step(env, Session{User: tc.user}, fx[tc.fixture], in)
		if res.Contract == nil || len(res.Effects) != 1 {
			t.Errorf("%s %s after %d days: saved %v, %d effects", tc.fixture, tc.kind, tc.days, res.Contract != nil, len(res.Effects))
			continue
		}
		if s, ok := res.Effects[0].(Send); !ok || s.User != tc.user {
			t.Errorf("%s %s: effect %+v", tc.fixture, tc.kind, res.Effects[0])
		}
	}
}

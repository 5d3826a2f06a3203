package scheduler_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
)

// TestPlannerFinish: once the work is handed in, the contract's check-ins
// and deadline reminders are cancelled; once completed, its impact
// check-backs are scheduled (the next learner's check and the approver's
// one question), and the approver's digest goes on meanwhile.
func TestPlannerFinish(t *testing.T) {
	ctx := context.Background()
	p := scheduler.NewPlanner(scheduler.PlannerConfig{})
	items := map[string]storage.DueItem{} // what the engine keeps, by id
	t0 := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	c := contract.New("c1", "slack", team, learner, t0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetTerms(learner, contract.Terms{Title: "Reviews", Goals: []contract.Goal{{Text: "Run reviews"}}, Evidence: []string{"A write-up"},
		Criteria: []contract.Criterion{{Text: "Used by two"}}, Deadline: t0.AddDate(0, 2, 0).Truncate(24 * time.Hour), Cadence: contract.Weekly}, t0))
	must(c.SetApprover(learner, manager, t0))
	must(c.DoPropose(learner, "", t0))
	must(c.DoSign(manager, 1, t0))
	turn := func(before, after *contract.Contract, now time.Time) {
		t.Helper()
		ch, err := p.Plan(ctx, bot.TurnOutcome{Platform: "slack", Team: team, Input: conversation.Input{Kind: conversation.TextInput, User: learner},
			Before: before, After: after, Now: now})
		must(err)
		for _, it := range ch.Schedule {
			items[it.ID] = it
		}
		for _, id := range ch.Cancel {
			delete(items, id)
		}
	}
	scheduled := func() []string {
		t.Helper()
		var ids []string
		for id := range items {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}
	turn(nil, c, t0)
	if ids := scheduled(); !slices.Contains(ids, "c1:checkin") || !slices.Contains(ids, "c1:overdue") {
		t.Fatalf("an active contract scheduled %v", ids)
	}

	at := t0.AddDate(0, 0, 20)
	active := c.Clone()
	must(c.DoAddEvidence(learner, contract.EvidenceItem{Of: 1, Kind: contract.EvidenceLink, URL: "https://example.com/w"}, at))
	must(c.DoSelfAssess(learner, 1, contract.Met, "", at))
	must(c.DoSubmit(learner, at))
	turn(active, c, at)
	digest := scheduler.DigestID("slack", team, manager)
	if ids := scheduled(); !slices.Equal(ids, []string{digest}) {
		t.Fatalf("a submitted contract keeps %v, want only the approver's digest", ids)
	}

	submitted := c.Clone()
	must(c.DoAssess(manager, 0, 1, contract.Met, "", at))
	must(c.DoComplete(learner, contract.Reflection{}, []int{30, 90}, at))
	turn(submitted, c, at)
	ids := scheduled()
	if !slices.Equal(ids, []string{"c1:impact", "c1:impact_approver", digest}) {
		t.Fatalf("a completed contract scheduled %v", ids)
	}
	it, err := scheduler.Decode(items["c1:impact"].Data)
	must(err)
	if it.User != learner || it.Local != "2027-03-06T09:00" {
		t.Errorf("the 30-day check is %+v, want the learner's, on 6 March at 09:00 local time", it)
	}
}

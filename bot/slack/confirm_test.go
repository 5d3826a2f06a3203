package slack

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// TestOutboxConfirmsNudge: a check-in that came due is queued, not sent,
// while Slack refuses chat.postMessage; once Slack took it the contract
// counts it as sent, once, and the outbox is empty.
func TestOutboxConfirmsNudge(t *testing.T) {
	ps := people(2)
	learner, approver := ps[0].ID, ps[1].ID
	e := newOutboxEnv(t, ps)
	store := memory.New()
	engine := newEngine(bot.Config{Store: store, Now: e.clock.Now, Log: e.log.logger()})
	a, err := New(Config{BotToken: e.ws.Token(), SigningSecret: e.ws.Secret(), APIURL: e.api.URL + "/api/",
		Outbox: store.Outbox("slack"), Now: e.clock.Now}, engine, e.log.logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	ctx := t.Context()
	team := e.ws.TeamID()

	// An active contract with weekly check-ins, signed eight days ago.
	signed := e.clock.Now().AddDate(0, 0, -8)
	c := contract.New("c1", "slack", team, learner, signed)
	tm := contract.Terms{Title: "Running design reviews", Goals: []contract.Goal{{Text: "Run three design reviews"}},
		Evidence: []string{"A write-up"}, Criteria: []contract.Criterion{{Text: "Two teammates use the checklist", ProposedBy: learner}},
		Deadline: signed.AddDate(0, 0, 42).Truncate(24 * 60 * 60 * 1e9), Cadence: contract.Weekly}
	for _, err := range []error{c.SetTerms(learner, tm, signed), c.SetApprover(learner, approver, signed),
		c.DoPropose(learner, "", signed), c.DoSign(approver, 1, signed)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	key := func(u string) storage.UserKey { return storage.UserKey{Platform: "slack", Team: team, User: u} }
	if err := store.Save(ctx, storage.TurnWrite{User: key(learner),
		Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: []storage.UserKey{key(learner), key(approver)}}}); err != nil {
		t.Fatal(err)
	}
	load := func() *contract.Contract {
		t.Helper()
		data, _, err := store.Contract(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		var c contract.Contract
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}

	e.ws.FailRandomly(methodPost, 0, 1, 0, 1) // every chat.postMessage fails
	due := conversation.Input{Kind: conversation.DueInput, User: learner, DueKind: string(contract.DueCheckIn), Contract: "c1"}
	if err := engine.Handle(ctx, bot.Turn{Platform: a, Team: team, Input: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.FlushOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	if c := load(); c.SentCount(contract.DueCheckIn) != 0 || len(c.Queued) != 1 {
		t.Fatalf("before Slack took the check-in: sent %v, queued %v; want queued only", c.Nudges, c.Queued)
	}
	if _, again := load().DueNow(contract.DueCheckIn, e.clock.Now(), nil); again {
		t.Fatal("a queued check-in is due again")
	}

	e.ws.FailRandomly(methodPost, 0, 0, 0, 0)
	e.clock.Advance(5 * time.Minute * 5 / 4) // past any backoff
	if delivered, _ := e.drain(t, a); delivered != 1 {
		t.Fatalf("delivered %d messages, want the check-in", delivered)
	}
	c = load()
	if n := c.SentCount(contract.DueCheckIn); n != 1 || len(c.Queued) != 0 {
		t.Fatalf("after Slack took the check-in: sent %v, queued %v; want sent once", c.Nudges, c.Queued)
	}
	if c.Nudges[0].Taken.IsZero() {
		t.Error("the sent check-in has no time Slack took it")
	}
	if got := len(e.ws.DM(learner)); got != 1 {
		t.Errorf("the learner got %d messages, want the check-in", got)
	}
	checkEmpty(t, store.Outbox("slack"))

	// The message delivered again (a lease ran out) confirms again:
	// nothing changes.
	n := conversation.Nudge{Contract: "c1", Kind: string(contract.DueCheckIn), At: c.Nudges[0].For, User: learner}
	if err := engine.Handle(ctx, bot.Confirmation(a, team, n)); err != nil {
		t.Fatal(err)
	}
	if c := load(); c.SentCount(contract.DueCheckIn) != 1 || len(c.Queued) != 0 {
		t.Errorf("after a second confirmation: sent %v, queued %v", c.Nudges, c.Queued)
	}
}

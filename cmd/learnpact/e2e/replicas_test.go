package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
)

// replica is one more bot process on the harness's store and sandbox: its
// own engine, Slack adapter and scheduler.
func (h *harness) replica(handler func(scheduler.Handler) scheduler.Handler) *scheduler.Scheduler {
	h.t.Helper()
	dueStore := h.store.Due
	engine := h.newEngine(false)
	a, err := slackbot.New(slackbot.Config{BotToken: h.ws.Token(), SigningSecret: h.ws.Secret(), APIURL: h.srv.URL + "/api/"},
		engine, slog.New(slog.DiscardHandler))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { a.Shutdown(context.Background()) })
	var hd scheduler.Handler = engine
	if handler != nil {
		hd = handler(engine)
	}
	s, err := scheduler.New(scheduler.Config{
		Due: dueStore, Handler: hd, Now: h.ws.Clock().Now, Batch: 200,
		Platforms: map[string]bot.Platform{a.Name(): a},
		Log:       slog.New(slog.DiscardHandler),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// activeContracts stores n active contracts of the learner, signed now,
// with their check-ins scheduled as the planner schedules them.
func (h *harness) activeContracts(n int) {
	h.t.Helper()
	ctx := context.Background()
	now := h.ws.Clock().Now()
	team := h.ws.TeamID()
	key := storage.UserKey{Platform: "slack", Team: team, User: learner}
	dueStore := h.store.Due
	var items []storage.DueItem
	for i := range n {
		c := contract.New(fmt.Sprintf("k%05d", i), "slack", team, learner, now)
		c.Terms.Title = fmt.Sprintf("Contract #%05d", i)
		c.Terms.Goals = []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}}
		c.Terms.Evidence = []string{"A write-up"}
		c.Terms.Criteria = []contract.Criterion{{Text: "Two teammates use the checklist", ProposedBy: learner}}
		c.Terms.Deadline = now.AddDate(0, 0, 42).Truncate(24 * time.Hour)
		if err := c.SetApprover(learner, manager, now); err != nil {
			h.t.Fatal(err)
		}
		if err := c.DoPropose(learner, "", now); err != nil {
			h.t.Fatal(err)
		}
		if err := c.DoSign(manager, 1, now); err != nil {
			h.t.Fatal(err)
		}
		data, err := json.Marshal(c)
		if err != nil {
			h.t.Fatal(err)
		}
		if err := h.store.Turns.Save(ctx, storage.TurnWrite{User: key, Contract: &storage.ContractWrite{ID: c.ID, Data: data}}); err != nil {
			h.t.Fatal(err)
		}
		for _, d := range c.Plan(now) {
			if d.Kind != contract.DueCheckIn {
				continue
			}
			items = append(items, scheduler.PlannedItem("slack", team, c.ID, d))
		}
	}
	if len(items) != n {
		h.t.Fatalf("%d check-ins planned for %d contracts", len(items), n)
	}
	for i := 0; i < len(items); i += 1000 {
		if err := dueStore.Schedule(ctx, items[i:min(i+1000, len(items))]...); err != nil {
			h.t.Fatal(err)
		}
	}
}

var titleRE = regexp.MustCompile(`Contract #(\d{5})`)

// checkInsPerContract counts, at the sandbox, the check-in messages the
// learner got for each contract.
func (h *harness) checkInsPerContract() map[int]int {
	counts := map[int]int{}
	for _, m := range h.ws.DM(learner) {
		if m.User == learner || m.Text != "Time for a quick check-in" {
			continue
		}
		if sub := titleRE.FindStringSubmatch(textOf(m)); sub != nil {
			i, _ := strconv.Atoi(sub[1])
			counts[i]++
		}
	}
	return counts
}

func replicaItems() int {
	if n, err := strconv.Atoi(os.Getenv("LEARNPACT_E2E_REPLICA_ITEMS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

// TestReplicasDeliverOnce: two bot processes sweep one redis-server's due
// check-ins at the same time; the sandbox receives each exactly once.
func TestReplicasDeliverOnce(t *testing.T) {
	n := replicaItems()
	h := newHarness(t, stores["redis"](t))
	h.activeContracts(n)
	h.ws.Clock().Advance(7 * 24 * time.Hour) // Monday 10:00 London, a week on

	a, b := h.replica(nil), h.replica(nil)
	var wg sync.WaitGroup
	var sent atomic.Int64
	for _, s := range []*scheduler.Scheduler{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := s.Sweep(context.Background())
			if err != nil {
				t.Error(err)
			}
			sent.Add(int64(st.Sent))
		}()
	}
	wg.Wait()
	counts := h.checkInsPerContract()
	if len(counts) != n || int(sent.Load()) != n {
		t.Fatalf("%d contracts got a check-in (%d sent), want %d", len(counts), sent.Load(), n)
	}
	for i, c := range counts {
		if c != 1 {
			t.Errorf("contract %d got %d check-ins", i, c)
		}
	}
}

// killer is a Handler whose process dies after a number of turns: from then
// on nothing it claimed is finished.
type killer struct {
	next   scheduler.Handler
	left   atomic.Int64
	cancel context.CancelFunc
}

func (k *killer) Handle(ctx context.Context, t bot.Turn) error {
	if k.left.Add(-1) < 0 {
		k.cancel()
		return ctx.Err()
	}
	return k.next.Handle(ctx, t)
}

// TestReplicaKilledMidSweep: one of two processes dies partway through its
// batch; after the lease runs out the survivor delivers what it held. Every
// contract gets its check-in, none more than twice.
func TestReplicaKilledMidSweep(t *testing.T) {
	n := replicaItems()
	h := newHarness(t, stores["redis"](t))
	h.activeContracts(n)
	h.ws.Clock().Advance(7 * 24 * time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	k := &killer{cancel: cancel}
	k.left.Store(int64(n / 10))
	doomed := h.replica(func(next scheduler.Handler) scheduler.Handler { k.next = next; return k })
	survivor := h.replica(nil)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); doomed.Sweep(ctx) }()
	go func() {
		defer wg.Done()
		if _, err := survivor.Sweep(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	// Past the dead process's leases, its unfinished items go out. The one
	// it died on may have been sent, and that contract's nudge for the day
	// is taken: it waits for the next working day.
	for _, d := range []time.Duration{3 * time.Minute, 24 * time.Hour} {
		h.ws.Clock().Advance(d)
		if _, err := survivor.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	counts := h.checkInsPerContract()
	twice := 0
	for i := range n {
		switch c := counts[i]; {
		case c == 0:
			t.Errorf("contract %d never got its check-in", i)
		case c == 2:
			twice++
		case c > 2:
			t.Errorf("contract %d got %d check-ins", i, c)
		}
	}
	if twice > 1 {
		t.Errorf("%d contracts got their check-in twice; only the one in flight when the process died may", twice)
	}
}

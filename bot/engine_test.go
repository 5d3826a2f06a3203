package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const (
	team    = "T1"
	learner = "ULEE"
	manager = "UMO"
)

// recorder is the recording platform of engine tests, counting what it
// was asked to show.
type recorder struct{ *bottest.Platform }

func newRecorder() recorder { return recorder{bottest.NewPlatform()} }

// count is how many deliveries of kind hold text containing contains.
func (r recorder) count(kind bottest.Kind, contains string) int {
	n := 0
	for _, d := range r.Deliveries() {
		if d.Kind == kind && strings.Contains(messagetest.Text(d.Message), contains) {
			n++
		}
	}
	return n
}

// barrier holds the first n Loads until all n have happened, so n turns
// start from the same stored revision.
type barrier struct {
	storage.Store
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func newBarrier(s storage.Store, n int) *barrier {
	return &barrier{Store: s, waiting: n, release: make(chan struct{})}
}

func (b *barrier) Load(ctx context.Context, u storage.UserKey, id, event string) (storage.Snapshot, error) {
	snap, err := b.Store.Load(ctx, u, id, event)
	b.mu.Lock()
	if b.waiting > 0 {
		b.waiting--
		if b.waiting == 0 {
			close(b.release)
		}
		b.mu.Unlock()
		select {
		case <-b.release:
		case <-ctx.Done():
		}
		return snap, err
	}
	b.mu.Unlock()
	return snap, err
}

func openRedis(t testing.TB) *redisstore.Store {
	srv := redistest.Start(t)
	s, err := redisstore.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// proposed stores a contract that learner proposed to manager (version 1).
func proposed(t testing.TB, s storage.Store) *contract.Contract {
	c := contract.New("c1", "slack", team, learner, now)
	c.Terms.Title = "Running design reviews"
	c.Terms.Goals = []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}}
	c.Terms.Evidence = []string{"A write-up of three reviews"}
	c.Terms.Criteria = []contract.Criterion{{Text: "Two teammates use the checklist without help", ProposedBy: learner}}
	c.Terms.Deadline = now.AddDate(0, 2, 0).Truncate(24 * time.Hour)
	if err := c.SetApprover(learner, manager, now); err != nil {
		t.Fatal(err)
	}
	if err := c.DoPropose(learner, "", now); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	key := storage.UserKey{Platform: "slack", Team: team, User: learner}
	users := []storage.UserKey{key, {Platform: "slack", Team: team, User: manager}}
	if err := s.Save(context.Background(), storage.TurnWrite{User: key, Session: []byte(`{"user":"ULEE","state":"idle"}`), CurrentContract: c.ID, Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: users}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func newEngine(t testing.TB, cfg bot.Config) *bot.Engine {
	t.Helper()
	e, err := bot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func stored(t testing.TB, s storage.Store, id string) *contract.Contract {
	data, _, err := s.Contract(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	c := new(contract.Contract)
	if err := json.Unmarshal(data, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConcurrentApprovalsConflict has two approvals start from the same
// stored revision: the loser is re-run on the fresh contract, so there is
// one signature and one "approved" outcome.
func TestConcurrentApprovalsConflict(t *testing.T) {
	s := memory.New()
	c := proposed(t, s)
	p := newRecorder()
	e := newEngine(t, bot.Config{Store: newBarrier(s, 2), Now: func() time.Time { return now }})
	// The approval card both clicks come from.
	card, err := p.Post(context.Background(), "DUMO", message.Message{Summary: "Approve?"})
	if err != nil {
		t.Fatal(err)
	}
	approve := conversation.Input{
		Kind: conversation.ActionInput, User: manager, Channel: "DUMO",
		ActionID: string(conversation.ActionApprove),
		Value:    conversation.ActionValue{ContractID: c.ID, Version: 1}.Encode(),
		Source:   card,
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.Handle(context.Background(), bot.Turn{Platform: p, Team: team, Input: approve}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	got := stored(t, s, c.ID)
	if got.Status != contract.Active {
		t.Fatalf("status = %s, want active", got.Status)
	}
	signed := 0
	for _, sig := range got.Signatures {
		if sig.By == manager {
			signed++
		}
	}
	if signed != 1 {
		t.Errorf("manager signed %d times, want 1", signed)
	}
	if n := p.count(bottest.Updated, ""); n != 1 {
		t.Errorf("card updated %d times, want 1: %+v", n, p.Deliveries())
	}
	if n := p.count(bottest.Ephemeral, ""); n != 1 {
		t.Errorf("%d private answers, want 1 (for the second click): %+v", n, p.Deliveries())
	}
}

// BenchmarkTurn measures one drafting turn (load, Step, save, effects) on a
// real redis-server and reports Redis round trips per turn.
func BenchmarkTurn(b *testing.B) {
	s := openRedis(b)
	var trips counter
	s.Client().AddHook(&trips)
	p := newRecorder()
	e := newEngine(b, bot.Config{Store: s, Now: func() time.Time { return now }})
	ctx := context.Background()
	turn := func(text string) {
		in := conversation.Input{Kind: conversation.TextInput, User: learner, Channel: "DULEE", Text: text}
		if err := e.Handle(ctx, bot.Turn{Platform: p, Team: team, Input: in}); err != nil {
			b.Fatal(err)
		}
	}
	turn("new")
	turn("Running design reviews")
	turn("Run three design reviews using a checklist the team adopts")
	turn("skip")
	turn("edit activities")
	trips.reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Each pair is two turns: answer the activities step (the
		// contract changes), then jump back to it.
		turn("Shadow Ana's reviews; read the handbook")
		turn("edit activities")
	}
	b.StopTimer()
	b.ReportMetric(float64(trips.n.Load())/float64(2*b.N), "roundtrips/turn")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/turn")
}

func TestNewRequiresStore(t *testing.T) {
	if _, err := bot.New(bot.Config{}); err == nil || !strings.Contains(err.Error(), "no store") {
		t.Errorf("New without a store = %v, want an error about the store", err)
	}
}

// planner records the outcomes it is asked to plan, and answers with ch,
// or fails with err.
type planner struct {
	mu  sync.Mutex
	got []bot.TurnOutcome
	ch  storage.DueChanges
	err error
}

func (p *planner) Plan(_ context.Context, o bot.TurnOutcome) (storage.DueChanges, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, o)
	return p.ch, p.err
}

// TestPlannerPlansTurn: the planner is asked once about a turn, with the
// contract before and after it, and its changes are saved with the turn.
// Its error fails the turn before anything is saved: the person is told,
// and the turn's answer does not go out.
func TestPlannerPlansTurn(t *testing.T) {
	s := openRedis(t)
	proposed(t, s)
	checkIn := storage.DueItem{ID: "c1:checkin", At: now.Add(time.Hour), Data: []byte("check-in")}
	pl := &planner{ch: storage.DueChanges{Schedule: []storage.DueItem{checkIn}}}
	e := newEngine(t, bot.Config{Store: s, Planner: pl, Now: func() time.Time { return now }})
	approve := conversation.Input{
		Kind: conversation.ActionInput, User: manager, Channel: "DUMO",
		ActionID: string(conversation.ActionApprove),
		Value:    conversation.ActionValue{ContractID: "c1", Version: 1}.Encode(),
	}
	if err := e.Handle(context.Background(), bot.Turn{Platform: newRecorder(), Team: team, Input: approve}); err != nil {
		t.Fatal(err)
	}
	if len(pl.got) != 1 {
		t.Fatalf("the planner was asked about %d turns, want 1", len(pl.got))
	}
	o := pl.got[0]
	if o.Platform != "slack" || o.Team != team || o.Input.User != manager || !o.Now.Equal(now) {
		t.Errorf("outcome %+v", o)
	}
	if o.Before == nil || o.Before.Status != contract.Proposed || o.After == nil || o.After.Status != contract.Active {
		t.Errorf("before %+v, after %+v; want proposed, then active", o.Before, o.After)
	}
	cs, err := s.Claim(context.Background(), checkIn.At, 10, time.Minute)
	if err != nil || len(cs) != 1 || cs[0].Item.ID != checkIn.ID {
		t.Errorf("claimed %+v (err %v), want the planned check-in", cs, err)
	}

	pl.err = errors.New("no plan")
	p := newRecorder()
	key := storage.UserKey{Platform: "slack", Team: team, User: learner}
	before, err := s.Load(context.Background(), key, "", "")
	if err != nil {
		t.Fatal(err)
	}
	in := conversation.Input{Kind: conversation.TextInput, User: learner, Channel: "DULEE", Text: "new"}
	err = e.Handle(context.Background(), bot.Turn{Platform: p, Team: team, Input: in})
	if !errors.Is(err, pl.err) {
		t.Errorf("Handle = %v, want the planner's error", err)
	}
	if after, err := s.Load(context.Background(), key, "", ""); err != nil || !bytes.Equal(after.Session, before.Session) {
		t.Errorf("the unplanned turn saved session %s (err %v), want %s as before", after.Session, err, before.Session)
	}
	if n := p.count(bottest.Sent, "went wrong on my side"); n != 1 {
		t.Errorf("%d apologies for a turn not saved, want 1: %+v", n, p.Deliveries())
	}
	if n := p.count(bottest.Sent, "First, a title"); n != 0 {
		t.Errorf("the unsaved turn's answer went out %d times, want never: %+v", n, p.Deliveries())
	}
}

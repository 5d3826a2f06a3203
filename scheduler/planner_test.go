package scheduler_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

const (
	team    = "T1"
	learner = "ULEE"
	manager = "UMO"
)

// newEngine returns an engine on s whose turns a planner follows, with
// digests at the spec's times, at the time now returns.
func newEngine(t testing.TB, s storage.Store, digests string, now func() time.Time) *bot.Engine {
	t.Helper()
	sched, err := scheduler.ParseDigestSchedule(digests)
	if err != nil {
		t.Fatal(err)
	}
	planner := scheduler.NewPlanner(scheduler.PlannerConfig{Digests: sched})
	e, err := bot.New(bot.Config{Store: s, Planner: planner, Now: now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// openStore returns a store on a fresh redis-server.
func openStore(t testing.TB) *redis.Store { return openRedis(t, redistest.Start(t)) }

// dms is a Platform that records the summaries of the messages it is asked
// to send, by recipient.
type dms struct {
	mu   sync.Mutex
	sent []string // "USER: summary\ntext"
}

var _ bot.Platform = (*dms)(nil)

func (p *dms) Name() string { return "slack" }
func (p *dms) SendDM(_ context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	var b strings.Builder
	b.WriteString(user + ": " + m.Summary)
	for _, bl := range m.Blocks {
		if s, ok := bl.(message.Section); ok {
			b.WriteString("\n" + s.Text.String())
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, b.String())
	return conversation.MessageRef{Channel: "D" + user, TS: "1.0"}, nil
}
func (p *dms) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (p *dms) Update(context.Context, conversation.MessageRef, message.Message) error { return nil }
func (p *dms) Ephemeral(context.Context, string, string, message.Message) error       { return nil }
func (p *dms) OpenModal(context.Context, string, message.Modal) error                 { return nil }

// count counts the messages sent to user that contain text.
func (p *dms) count(user, text string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.sent {
		if strings.HasPrefix(s, user+": ") && strings.Contains(s, text) {
			n++
		}
	}
	return n
}

// stored returns the stored contract id.
func stored(t testing.TB, s storage.Store, id string) *contract.Contract {
	t.Helper()
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

// ready stores a complete draft of learner's, naming approver, with the
// learner at its summary.
func ready(t *testing.T, s storage.Store, id, learner, approver string, at time.Time) {
	t.Helper()
	c := contract.New(id, "slack", team, learner, at)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetTerms(learner, contract.Terms{
		Title:    "Running design reviews",
		Goals:    []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}},
		Evidence: []string{"A write-up of three reviews"},
		Criteria: []contract.Criterion{{Text: "Two teammates use the checklist without help", ProposedBy: learner}},
		Deadline: at.AddDate(0, 2, 0).Truncate(24 * time.Hour),
		Cadence:  contract.Weekly,
	}, at))
	must(c.SetApprover(learner, approver, at))
	data, err := json.Marshal(c)
	must(err)
	key := storage.UserKey{Platform: "slack", Team: team, User: learner}
	sess := `{"user":"` + learner + `","state":"summary","contract_id":"` + id + `"}`
	must(s.Save(context.Background(), storage.TurnWrite{User: key, Session: []byte(sess), CurrentContract: id, Contract: &storage.ContractWrite{ID: id, Data: data, Users: []storage.UserKey{key}}}))
}

// send is the learner's click on "Send to my manager".
func send(learner, id string) conversation.Input {
	return conversation.Input{Kind: conversation.ActionInput, User: learner, Channel: "D" + learner,
		ActionID: string(conversation.ActionSend), Value: conversation.ActionValue{ContractID: id}.Encode()}
}

func digestTurn(user string) conversation.Input {
	return conversation.Input{Kind: conversation.DueInput, User: user, DueKind: string(contract.DueDigest)}
}

// digestAt returns when the approver's digest is scheduled, or the zero
// time when it is not. It claims what is due by then and gives it back.
func digestAt(t *testing.T, d storage.DueStore, approver string, by time.Time) time.Time {
	t.Helper()
	ctx := context.Background()
	claims, err := d.Claim(ctx, by, 1000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var at time.Time
	for _, c := range claims {
		if c.Item.ID == scheduler.DigestID("slack", team, approver) {
			at = c.Item.At
		}
		if err := d.Release(ctx, c, c.Item.At); err != nil {
			t.Fatal(err)
		}
	}
	return at
}

// TestDigestSchedule: saving a proposal schedules the approver's digest
// for the next Monday at 09:00, and the digest turn the one after.
func TestDigestSchedule(t *testing.T) {
	s := openStore(t)
	p := &dms{}
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // a Wednesday
	e := newEngine(t, s, "", func() time.Time { return clock })
	ctx := context.Background()
	handle := func(in conversation.Input) {
		t.Helper()
		if err := e.Handle(ctx, bot.Turn{Platform: p, Team: team, Input: in}); err != nil {
			t.Fatal(err)
		}
	}
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	later := monday.AddDate(0, 1, 0)

	ready(t, s, "c1", learner, manager, clock)
	handle(send(learner, "c1"))
	if c := stored(t, s, "c1"); c.Status != contract.Proposed {
		t.Fatalf("status %s", c.Status)
	}
	if at := digestAt(t, s, manager, later); !at.Equal(monday) {
		t.Errorf("the approver's digest is at %s, want %s", at, monday)
	}
	if at := digestAt(t, s, learner, later); !at.IsZero() {
		t.Errorf("the learner has a digest at %s", at)
	}

	// On Monday morning the digest waits for the manager's working hours
	// (they are in New York, say) while the approval reminder goes out:
	// the reminder's turn leaves the digest due, not a week out.
	clock = monday.Add(time.Hour)
	handle(conversation.Input{Kind: conversation.DueInput, User: manager, DueKind: string(contract.DueApprovalReminder), Contract: "c1"})
	if n := p.count(manager, "A gentle reminder"); n != 1 {
		t.Fatalf("%d reminders sent: %+v", n, p.sent)
	}
	if at := digestAt(t, s, manager, later); !at.Equal(monday) {
		t.Errorf("a turn while the digest waited moved it to %s, want %s", at, monday)
	}

	clock = monday.Add(5 * time.Hour)
	handle(digestTurn(manager))
	if n := p.count(manager, "Your week in learning contracts"); n != 1 {
		t.Fatalf("%d digests sent: %+v", n, p.sent)
	}
	if n := p.count(manager, "“Running design reviews” from @ULEE"); n != 1 {
		t.Errorf("the digest does not show the proposal: %+v", p.sent)
	}
	next := monday.AddDate(0, 0, 7)
	if at := digestAt(t, s, manager, later); !at.Equal(next) {
		t.Errorf("after the digest, the next is at %s, want %s", at, next)
	}

	// An hour on, the manager asks for changes: the plan changes, and the
	// digest just sent does not come back.
	clock = monday.Add(6 * time.Hour)
	handle(conversation.Input{Kind: conversation.SubmitInput, User: manager, CallbackID: conversation.CallbackRequestChanges,
		PrivateData: conversation.ActionValue{ContractID: "c1", Version: 1}.Encode(),
		Form:        map[string]string{conversation.FieldComments: "A demo, please"}})
	if c := stored(t, s, "c1"); c.Status != contract.ChangesRequested {
		t.Fatalf("status %s", c.Status)
	}
	if at := digestAt(t, s, manager, later); !at.Equal(next) {
		t.Errorf("a save on digest day moved the digest to %s, want %s", at, next)
	}

	// An approver's first proposal on digest day gets that day's digest.
	ready(t, s, "c2", "UKAI", "UANA", clock)
	handle(send("UKAI", "c2"))
	if at := digestAt(t, s, "UANA", later); !at.Equal(monday) {
		t.Errorf("a first proposal on digest day schedules the digest at %s, want %s", at, monday)
	}

	// The next week's digest comes due on time (with nothing to say: the
	// contract is back with the learner); the learner's new version an
	// hour later does not bring it back.
	clock = next.Add(30 * time.Second)
	handle(digestTurn(manager))
	clock = next.Add(time.Hour)
	handle(send(learner, "c1"))
	if c := stored(t, s, "c1"); c.Status != contract.Proposed || c.Version != 2 {
		t.Fatalf("status %s, version %d", c.Status, c.Version)
	}
	if at, want := digestAt(t, s, manager, later), next.AddDate(0, 0, 7); !at.Equal(want) {
		t.Errorf("a save on digest day moved the digest to %s, want %s", at, want)
	}

	// Someone who approves nothing gets no digest, and no next one.
	handle(digestTurn(learner))
	if n := p.count(manager, "Your week in learning contracts") + p.count(learner, "Your week in learning contracts"); n != 1 {
		t.Errorf("%d digests sent, want the manager's first only", n)
	}
	if at := digestAt(t, s, learner, later); !at.IsZero() {
		t.Errorf("the learner's digest was scheduled at %s", at)
	}
}

// TestDigestSpec: the planner's digest schedule sets the digest time.
func TestDigestSpec(t *testing.T) {
	s := openStore(t)
	p := &dms{}
	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	e := newEngine(t, s, "30 8 * * FRI", func() time.Time { return wednesday })
	ready(t, s, "c1", learner, manager, wednesday)
	if err := e.Handle(context.Background(), bot.Turn{Platform: p, Team: team, Input: send(learner, "c1")}); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
	if at := digestAt(t, s, manager, wednesday.AddDate(0, 1, 0)); !at.Equal(want) {
		t.Errorf("digest at %s, want %s", at, want)
	}
}

package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fakeJob is a message of a platform that posts text to conversations.
type fakeJob struct {
	Head
	To   string `json:"to"`
	Text string `json:"text"`
}

func (j *fakeJob) Header() *Head        { return &j.Head }
func (j *fakeJob) Conversation() string { return j.To }

// fakeSender takes every message at once, unless fail says otherwise for
// its text, and records what it took.
type fakeSender struct {
	mu   sync.Mutex
	took []string // "conversation: text"
	fail map[string]error
}

func (s *fakeSender) Decode(data []byte) (Job, error) {
	j := new(fakeJob)
	if err := json.Unmarshal(data, j); err != nil {
		return nil, err
	}
	if j.To == "" {
		return nil, errors.New("no conversation")
	}
	return j, nil
}

func (s *fakeSender) Key(_ context.Context, j Job) string { return j.Conversation() }

func (s *fakeSender) Next(_ context.Context, j Job) Call {
	return Call{Method: "post", Channel: j.Conversation()}
}

func (s *fakeSender) Send(_ context.Context, oj Job, c Call) (Sent, error) {
	j := oj.(*fakeJob)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail[j.Text]; err != nil {
		return Sent{}, err
	}
	s.took = append(s.took, j.To+": "+j.Text)
	return Sent{Ref: conversation.MessageRef{Channel: c.Channel, TS: "ts-" + j.Text}}, nil
}

var errRefused = errors.New("refused")

func (s *fakeSender) Classify(err error) (Outcome, time.Duration) {
	if errors.Is(err, errRefused) {
		return Permanent, 0
	}
	return Retryable, 0
}

func (s *fakeSender) taken() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.took)
}

// noLimits lets everything go at once.
type noLimits struct{}

func (noLimits) ConversationReady(_ Call, now time.Time) time.Time { return now }
func (noLimits) MethodReady(_ string, now time.Time) time.Time     { return now }
func (noLimits) Take(Call, time.Time)                              {}
func (noLimits) Limited(_ Call, _, now time.Time, d time.Duration) time.Time {
	return now.Add(max(d, MinRateLimitWait))
}
func (noLimits) Every(time.Time) time.Duration { return 0 }
func (noLimits) Prune(time.Time)               {}

// platform is the drain's platform: only its name matters here.
type platform struct{}

func (platform) Name() string { return "fake" }
func (platform) SendDM(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (platform) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (platform) Update(context.Context, conversation.MessageRef, message.Message) error { return nil }
func (platform) Ephemeral(context.Context, string, string, message.Message) error       { return nil }
func (platform) OpenModal(context.Context, string, message.Modal) error                 { return nil }

// settleCounter is an outbox store that counts how messages are marked
// done.
type settleCounter struct {
	storage.DueStore
	mu      sync.Mutex
	batches []int
	singles int
}

func (s *settleCounter) Done(ctx context.Context, c storage.Claim) error {
	s.mu.Lock()
	s.singles++
	s.mu.Unlock()
	return s.DueStore.Done(ctx, c)
}

func (s *settleCounter) DoneAll(ctx context.Context, claims ...storage.Claim) ([]error, error) {
	s.mu.Lock()
	s.batches = append(s.batches, len(claims))
	s.mu.Unlock()
	return s.DueStore.DoneAll(ctx, claims...)
}

// env is a drain on a memory store and a clock that stands still.
type env struct {
	d      *Drain
	store  *settleCounter
	sender *fakeSender
	now    time.Time

	mu    sync.Mutex
	turns []bot.Turn
	fail  error // what Handle returns
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: &settleCounter{DueStore: memory.New().Outbox("fake")}, sender: &fakeSender{fail: map[string]error{}}, now: start}
	d, err := New(Config{Name: "fake", Store: e.store, Sender: e.sender, Limiter: noLimits{}, Platform: platform{},
		Handle: e.handle, Now: func() time.Time { return e.now }, SettleEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	e.d = d
	return e
}

func (e *env) handle(_ context.Context, t bot.Turn) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	e.turns = append(e.turns, t)
	return nil
}

func (e *env) queue(t *testing.T, j *fakeJob) {
	t.Helper()
	if err := e.d.Enqueue(t.Context(), j); err != nil {
		t.Fatal(err)
	}
}

// left is how many messages the store still holds, claimed or not.
func (e *env) left(t *testing.T) int {
	t.Helper()
	cs, err := e.store.DueStore.Claim(t.Context(), e.now.Add(365*24*time.Hour), 10_000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := e.store.DueStore.Release(t.Context(), c, c.Item.At); err != nil {
			t.Fatal(err)
		}
	}
	return len(cs)
}

// TestSettlesInBatches: what every platform's drain delivered is marked
// done a hundred at a time and when the pass ends, never one by one.
func TestSettlesInBatches(t *testing.T) {
	e := newEnv(t)
	const n = 2*SettleBatch + SettleBatch/2
	for i := range n {
		e.queue(t, &fakeJob{To: fmt.Sprintf("C%03d", i), Text: fmt.Sprint(i)})
	}
	sent, err := e.d.Flush(t.Context())
	if err != nil || sent != n {
		t.Fatalf("Flush = %d, %v; want %d delivered", sent, err, n)
	}
	if want := []int{SettleBatch, SettleBatch, SettleBatch / 2}; !slices.Equal(e.store.batches, want) || e.store.singles != 0 {
		t.Errorf("marked done in batches of %v and %d one by one; want batches of %v", e.store.batches, e.store.singles, want)
	}
	if got := e.left(t); got != 0 {
		t.Errorf("%d messages left in the store", got)
	}
}

// TestRecordsBeforeSettling: a nudge's message is confirmed, and a shared
// draft's post recorded where it went, by turns of their own before they
// are settled; a message whose record fails stays in the store, to be
// delivered and recorded again.
func TestRecordsBeforeSettling(t *testing.T) {
	e := newEnv(t)
	nudge := &conversation.Nudge{Contract: "c1", Kind: "checkin", At: start, User: "U1"}
	shared := &conversation.Shared{Contract: "c2", Round: 1, Learner: "U2"}
	e.queue(t, &fakeJob{Head: Head{Nudge: nudge, Team: "T1"}, To: "D1", Text: "nudge"})
	e.queue(t, &fakeJob{Head: Head{Shared: shared, Team: "T1"}, To: "CSET", Text: "draft"})
	if sent, err := e.d.Flush(t.Context()); err != nil || sent != 2 {
		t.Fatalf("Flush = %d, %v; want 2 delivered", sent, err)
	}
	want := []conversation.Input{nudge.Input(), shared.Input(conversation.MessageRef{Channel: "CSET", TS: "ts-draft"})}
	var got []conversation.Input
	for _, turn := range e.turns {
		if turn.Team != "T1" || turn.Platform.Name() != "fake" {
			t.Errorf("a record ran on %s/%s, want fake/T1", turn.Platform.Name(), turn.Team)
		}
		got = append(got, turn.Input)
	}
	// The two conversations' calls go at once: their records come in
	// either order.
	slices.SortFunc(got, func(a, b conversation.Input) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	if !slices.EqualFunc(got, want, func(a, b conversation.Input) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Errorf("records %+v\nwant %+v", got, want)
	}
	if n := e.left(t); n != 0 {
		t.Errorf("%d messages left after their records", n)
	}

	e.fail = errors.New("store down")
	e.queue(t, &fakeJob{Head: Head{Shared: shared, Team: "T1"}, To: "CSET", Text: "again"})
	if sent, err := e.d.Flush(t.Context()); err != nil || sent != 1 {
		t.Fatalf("Flush = %d, %v; want 1 delivered", sent, err)
	}
	if n := e.left(t); n != 1 {
		t.Errorf("%d messages left after a failed record, want the draft, to be delivered again", n)
	}
}

// TestDropsRefused: a message the platform refuses is dropped and its
// conversation goes on; one that fails may go later, in order.
func TestDropsRefused(t *testing.T) {
	e := newEnv(t)
	e.sender.fail["bad"] = errRefused
	e.sender.fail["flaky"] = errors.New("503")
	for _, text := range []string{"bad", "after bad"} {
		e.queue(t, &fakeJob{To: "C1", Text: text})
	}
	for _, text := range []string{"flaky", "after flaky"} {
		e.queue(t, &fakeJob{To: "C2", Text: text})
	}
	if _, err := e.d.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := e.sender.taken(), []string{"C1: after bad"}; !slices.Equal(got, want) {
		t.Errorf("took %q, want %q: the failed message holds its conversation back", got, want)
	}
	delete(e.sender.fail, "flaky")
	next, _ := e.d.NextPending(e.now)
	if next.IsZero() || next.Sub(e.now) > 2*time.Second {
		t.Fatalf("the failed message waits until %s, want about a second", next)
	}
	e.now = next
	if _, err := e.d.Step(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if got, want := e.sender.taken(), []string{"C1: after bad", "C2: flaky", "C2: after flaky"}; !slices.Equal(got, want) {
		t.Errorf("took %q, want %q", got, want)
	}
	if n := e.left(t); n != 0 {
		t.Errorf("%d messages left", n)
	}
}

func TestBackoff(t *testing.T) {
	for n, base := range map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 9: 256 * time.Second, 10: maxBackoff, 100: maxBackoff} {
		for range 20 {
			if d := Backoff(n); d < base || d >= base*5/4 {
				t.Errorf("Backoff(%d) = %s, want %s plus less than a quarter", n, d, base)
			}
		}
	}
}

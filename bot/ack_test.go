package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// queuer is a recorder that queues what it can, as a platform with an
// outbox does, and says how it was asked.
type queuer struct {
	recorder
	mu     sync.Mutex
	queued []string // effect type and lane, per item queued
	wakes  int
	direct []string // who SendDMNow sent to
}

func (q *queuer) Queue(ctx context.Context, t bot.Turn, ef conversation.Effect) (storage.DueItem, bool, error) {
	var what string
	switch ef := ef.(type) {
	case conversation.Send:
		what = "send " + ef.User
	case conversation.Post:
		what = "post " + ef.Channel
	case conversation.Reply:
		return storage.DueItem{}, false, errors.New("a reply was not resolved")
	default:
		return storage.DueItem{}, false, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, what+" "+bot.LaneFrom(ctx).String())
	return storage.DueItem{ID: what, At: now, Data: []byte(what)}, true, nil
}

func (q *queuer) Wake() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wakes++
}

func (q *queuer) SendDMNow(_ context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	q.mu.Lock()
	q.direct = append(q.direct, user)
	q.mu.Unlock()
	return conversation.MessageRef{}, nil
}

// TestTurnQueuedWithItsSave: a Queuer platform's messages are saved with
// the turn in the store's outbox, in the turn's lane, and the outbox is
// woken once; the event is applied, Saved hears of it before anything is
// sent, and a redelivery does nothing.
func TestTurnQueuedWithItsSave(t *testing.T) {
	s := memory.New()
	q := &queuer{recorder: newRecorder()}
	e := newEngine(t, bot.Config{Store: s, Now: func() time.Time { return now }})
	var saved []error
	in := conversation.Input{Kind: conversation.TextInput, User: learner, Channel: "DULEE", Text: "new"}
	turn := bot.Turn{Platform: q, Team: team, Input: in, Event: "slack:Ev1", Saved: func(err error) {
		if n := len(q.Deliveries()); n != 0 {
			t.Errorf("%d effects carried out before the turn was reported saved", n)
		}
		saved = append(saved, err)
	}}
	for range 2 {
		if err := e.Handle(context.Background(), turn); err != nil {
			t.Fatal(err)
		}
	}
	if len(saved) != 2 || saved[0] != nil || saved[1] != nil {
		t.Errorf("Saved heard %v, want nil for the turn and nil for its redelivery", saved)
	}
	if len(q.queued) != 1 || q.queued[0] != "post DULEE reply" || q.wakes != 1 || len(q.Deliveries()) != 0 {
		t.Errorf("queued %q, woke %d times, sent %+v; want the answer queued once in the reply lane, one wake, nothing sent", q.queued, q.wakes, q.Deliveries())
	}
	claims, err := s.Outbox("slack").Claim(context.Background(), now.Add(time.Minute), 10, time.Minute)
	if err != nil || len(claims) != 1 || string(claims[0].Item.Data) != "post DULEE" {
		t.Errorf("outbox holds %+v (err %v), want the queued answer", claims, err)
	}
	snap, err := s.Load(context.Background(), storage.UserKey{Platform: "slack", Team: team, User: learner}, "", "slack:Ev1")
	if err != nil || !snap.Applied {
		t.Errorf("event applied = %v (err %v), want true", snap.Applied, err)
	}
}

// TestScheduledTurnQueuedAsNudge: what a scheduled turn sends is queued
// in the nudge lane.
func TestScheduledTurnQueuedAsNudge(t *testing.T) {
	s := memory.New()
	c := proposed(t, s)
	q := &queuer{recorder: newRecorder()}
	e := newEngine(t, bot.Config{Store: s, Now: func() time.Time { return now.AddDate(0, 0, 3) }})
	in := conversation.Input{Kind: conversation.DueInput, User: manager, DueKind: "approval_reminder", Contract: c.ID}
	if err := e.Handle(context.Background(), bot.Turn{Platform: q, Team: team, Input: in}); err != nil {
		t.Fatal(err)
	}
	if len(q.queued) == 0 {
		t.Fatal("the reminder was not queued")
	}
	for _, what := range q.queued {
		if what[len(what)-len(" nudge"):] != " nudge" {
			t.Errorf("queued %q, want the nudge lane", what)
		}
	}
}

// failingStore fails every Load.
type failingStore struct{ storage.Store }

func (failingStore) Load(context.Context, storage.UserKey, string, string) (storage.Snapshot, error) {
	return storage.Snapshot{}, errors.New("store down")
}

// TestFailureBeforeSave: a turn whose store fails reports the error to
// Saved; the person is told directly (past the outbox) unless the
// platform will deliver the event again.
func TestFailureBeforeSave(t *testing.T) {
	for _, retries := range []bool{true, false} {
		q := &queuer{recorder: newRecorder()}
		e := newEngine(t, bot.Config{Store: failingStore{memory.New()}, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)})
		var saved error
		in := conversation.Input{Kind: conversation.TextInput, User: learner, Channel: "DULEE", Text: "new"}
		err := e.Handle(context.Background(), bot.Turn{Platform: q, Team: team, Input: in, Event: "slack:Ev1", Retries: retries,
			Saved: func(err error) { saved = err }})
		if err == nil || saved == nil {
			t.Errorf("retries %v: Handle = %v, Saved heard %v; want the store's error", retries, err, saved)
		}
		wantApologies := 1
		if retries {
			wantApologies = 0
		}
		if len(q.direct) != wantApologies || len(q.queued) != 0 || len(q.Deliveries()) != 0 {
			t.Errorf("retries %v: direct DMs to %q, queued %q, sent %+v; want %d apology sent directly", retries, q.direct, q.queued, q.Deliveries(), wantApologies)
		}
	}
}

package scheduler_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
)

var errStoreDown = errors.New("store down")

// faultyStore is a store that can be down, failing every write and load,
// and can be set to go down right after the next turn it saves, as a
// store that a crash or a network split cuts off there would.
type faultyStore struct {
	fullStore
	down, downAfterSave atomic.Bool
}

func (f *faultyStore) up() error {
	if f.down.Load() {
		return errStoreDown
	}
	return nil
}

func (f *faultyStore) Load(ctx context.Context, user storage.UserKey, contractID, event string) (storage.Snapshot, error) {
	if err := f.up(); err != nil {
		return storage.Snapshot{}, err
	}
	return f.fullStore.Load(ctx, user, contractID, event)
}

func (f *faultyStore) Save(ctx context.Context, w storage.TurnWrite) error {
	if err := f.up(); err != nil {
		return err
	}
	err := f.fullStore.Save(ctx, w)
	if err == nil && f.downAfterSave.Swap(false) {
		f.down.Store(true)
	}
	return err
}

func (f *faultyStore) Schedule(ctx context.Context, items ...storage.DueItem) error {
	if err := f.up(); err != nil {
		return err
	}
	return f.fullStore.Schedule(ctx, items...)
}

func (f *faultyStore) Cancel(ctx context.Context, ids ...string) error {
	if err := f.up(); err != nil {
		return err
	}
	return f.fullStore.Cancel(ctx, ids...)
}

func (f *faultyStore) Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error) {
	if err := f.up(); err != nil {
		return false, err
	}
	return f.fullStore.Lock(ctx, name, ttl, now)
}

// approveEvent is the approver's click on Approve for c1, as a Slack
// event that Slack delivers again when it is refused.
func approveEvent(p bot.Platform, refused *int) bot.Turn {
	return bot.Turn{Platform: p, Team: team, Event: "slack:EvApprove", Retries: true,
		Input: conversation.Input{
			Kind: conversation.ActionInput, User: manager, Channel: "D" + manager, ActionID: string(conversation.ActionApprove),
			Value: conversation.ActionValue{ContractID: "c1", Version: 1}.Encode(),
		},
		Saved: func(err error) {
			if err != nil {
				*refused++
			}
		},
	}
}

// TestTurnSavesItsScheduledWork: a turn that makes a contract active saves
// its check-ins and the approver's digest with it, in one step. When the
// store goes down right after the save, the contract is active and its
// check-in still comes a week later; when the save itself fails, nothing
// is saved, the event is refused, and Slack's redelivery saves it all.
func TestTurnSavesItsScheduledWork(t *testing.T) {
	for _, name := range []string{"embedded", "redis"} {
		t.Run(name, func(t *testing.T) {
			for _, fault := range []string{"down after the save", "down during the save"} {
				t.Run(fault, func(t *testing.T) {
					s := &faultyStore{fullStore: fullStores[name](t)}
					f := newTurns(t, s, day(4, 10, 0)) // a Wednesday
					ready(t, s, "c1", learner, manager, f.clock.Now())
					f.handle(send(learner, "c1"))

					refused := 0
					if fault == "down after the save" {
						s.downAfterSave.Store(true)
					} else {
						s.down.Store(true)
					}
					f.e.Handle(context.Background(), approveEvent(f.p, &refused))
					s.down.Store(false)
					if fault == "down during the save" {
						if refused != 1 {
							t.Fatalf("the event was refused %d times, want once", refused)
						}
						if c := stored(t, s, "c1"); c.Status != contract.Proposed {
							t.Fatalf("a failed save left c1 %s", c.Status)
						}
					}
					// Slack delivers the event again: refused, or not known
					// to have been acknowledged.
					if err := f.e.Handle(context.Background(), approveEvent(f.p, &refused)); err != nil {
						t.Fatal(err)
					}
					if c := stored(t, s, "c1"); c.Status != contract.Active {
						t.Fatalf("c1 is %s, want active", c.Status)
					}
					// The approver's Monday digest, then the learner's
					// check-in a week after approval: the approval reminder
					// of the proposed contract is gone, the check-in is
					// there.
					wantStats(t, f.sweepAt(day(9, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
					wantStats(t, f.sweepAt(day(11, 9, 0)), scheduler.Stats{Claimed: 1, Sent: 1})
					if n := f.p.count(learner, prompt); n != 1 {
						t.Errorf("%d check-ins sent, want 1: %q", n, f.p.sent)
					}
				})
			}
		})
	}
}

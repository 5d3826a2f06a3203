package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/memory"
)

// publisher is a platform that posts at once, past any outbox.
type publisher struct{}

func (publisher) Name() string { return "slack" }
func (publisher) SendDM(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (publisher) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (publisher) Update(context.Context, conversation.MessageRef, message.Message) error {
	return nil
}
func (publisher) Ephemeral(context.Context, string, string, message.Message) error {
	return nil
}
func (publisher) OpenModal(context.Context, string, message.Modal) error { return nil }
func (publisher) PostNow(_ context.Context, ch string, _ message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{Channel: ch, TS: "1700000000.000100"}, nil
}

// TestReplyRacingItsThread: a reply can reach one replica after the
// draft is visible in the channel but before another replica's turn has
// recorded its thread; it is parked, and run by that turn.
func TestReplyRacingItsThread(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store, err := embedded.Open(filepath.Join(t.TempDir(), "lp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := contract.New("c1", "slack", "T1", "ULEE", now)
	c.Shares = []contract.Share{{Round: 1, Channel: "CSET"}}
	data, _ := json.Marshal(c)
	learner := storage.UserKey{Platform: "slack", Team: "T1", User: "ULEE"}
	if err := store.Save(ctx, storage.TurnWrite{User: learner, Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: []storage.UserKey{learner}}}); err != nil {
		t.Fatal(err)
	}
	replica := func() *Engine {
		e, err := New(Config{Store: store, Docs: store, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	sharer, other := replica(), replica()
	p := publisher{}
	shared := conversation.Shared{Contract: c.ID, Round: 1, Learner: "ULEE"}
	// The turn that shares the draft notes the posting before its save.
	if err := sharer.notePosting(ctx, "slack", "T1", []conversation.Post{{Channel: "CSET", Shared: &shared}}); err != nil {
		t.Fatal(err)
	}

	// The draft is in the channel; its thread is not recorded yet.
	root := conversation.MessageRef{Channel: "CSET", TS: "1700000000.000100"}
	reply := conversation.Input{Kind: conversation.ThreadInput, User: "UPEER", Channel: "CSET", Thread: root.TS, Text: "Looks good"}
	replyTurn := Turn{Platform: p, Team: "T1", Input: reply, Event: "slack:EvReply"}
	var safe error = errors.New("not told")
	replyTurn.Saved = func(err error) { safe = err }
	if err := other.Handle(ctx, replyTurn); err != nil {
		t.Fatal(err)
	}
	if safe != nil {
		t.Fatalf("the early reply was not safe to acknowledge: %v", safe)
	}
	peer := storage.UserKey{Platform: "slack", Team: "T1", User: "UPEER"}
	if snap, err := store.Load(ctx, peer, c.ID, replyTurn.Event); err != nil || snap.Applied {
		t.Fatalf("the early reply ran before its thread was known (applied %v, %v)", snap.Applied, err)
	}

	// The turn that records the post runs the parked reply.
	if err := sharer.Handle(ctx, Posting(p, "T1", shared, root)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Doc(ctx, learningset.ThreadKey("slack", "T1", "CSET", root.TS)); err != nil {
		t.Fatalf("thread not recorded: %v", err)
	}
	got, _, err := store.Contract(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var after contract.Contract
	if err := json.Unmarshal(got, &after); err != nil {
		t.Fatal(err)
	}
	if after.Shares[0].TS != root.TS {
		t.Errorf("the share records ts %q, want %q", after.Shares[0].TS, root.TS)
	}
	if snap, err := store.Load(ctx, peer, c.ID, replyTurn.Event); err != nil || !snap.Applied {
		t.Errorf("the parked reply was not run with its contract (applied %v, %v)", snap.Applied, err)
	}

	// With nothing being posted, talk in another thread is nothing to do,
	// and is not parked.
	other2 := reply
	other2.Thread = "1700000000.000200"
	if id, parked, err := other.threadContract(ctx, "slack", "T1", other2, "slack:EvOther"); err != nil || id != "" || parked {
		t.Fatalf("another thread: %q, parked %v, %v", id, parked, err)
	}
}

// TestConcurrentSetChanges: turns creating and changing learning sets at
// once lose none of each other's changes, in the sets or in their index.
func TestConcurrentSetChanges(t *testing.T) {
	const (
		channels = 2
		writers  = 32
	)
	const team = "T1"
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store := memory.New()
	e, err := New(Config{Store: store, Docs: store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := publisher{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			ch := fmt.Sprintf("C%d", w%channels)
			user := fmt.Sprintf("U%d", w)
			create := learningset.New("slack", team, ch, "set-"+ch, user, now)
			for _, change := range []conversation.SetChange{
				{Channel: ch, Create: &create},
				{Channel: ch, Change: learningset.Change{Assign: []string{user}}},
			} {
				if err := e.changeSet(t.Context(), p, team, change); err != nil {
					t.Errorf("%s: %v", user, err)
					return
				}
			}
		})
	}
	wg.Wait()
	channelsIndexed, _, err := e.setIndex(t.Context(), "slack", team)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(channelsIndexed)
	if want := []string{"C0", "C1"}; !slices.Equal(channelsIndexed, want) {
		t.Errorf("index lists %q, want %q", channelsIndexed, want)
	}
	for c := range channels {
		ch := fmt.Sprintf("C%d", c)
		data, _, err := store.Doc(t.Context(), learningset.Key("slack", team, ch))
		if err != nil {
			t.Fatal(err)
		}
		var s learningset.Set
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		if s.Seq != writers/channels || len(s.Members) != writers/channels {
			t.Errorf("set %s: seq %d, members %v; want each of its %d writers assigned once", ch, s.Seq, s.Members, writers/channels)
		}
		for u, m := range s.Members {
			if m.Assigned != 1 {
				t.Errorf("set %s: %s assigned %d times, want 1", ch, u, m.Assigned)
			}
		}
	}
}

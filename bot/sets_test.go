package bot

import (
	"context"
	"encoding/json"
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

// slowPublisher is a platform whose shared-draft posts stay in flight
// until the test lets them finish.
type slowPublisher struct {
	entered, finish chan struct{}
}

func (p *slowPublisher) Name() string { return "slack" }
func (p *slowPublisher) SendDM(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (p *slowPublisher) Post(context.Context, string, message.Message) (conversation.MessageRef, error) {
	return conversation.MessageRef{}, nil
}
func (p *slowPublisher) Update(context.Context, conversation.MessageRef, message.Message) error {
	return nil
}
func (p *slowPublisher) Ephemeral(context.Context, string, string, message.Message) error {
	return nil
}
func (p *slowPublisher) OpenModal(context.Context, string, message.Modal) error { return nil }
func (p *slowPublisher) PostNow(_ context.Context, ch string, _ message.Message) (conversation.MessageRef, error) {
	close(p.entered)
	<-p.finish
	return conversation.MessageRef{Channel: ch, TS: "1700000000.000100"}, nil
}

// missFirst lets a test act right after the first lookup of a document
// finds nothing.
type missFirst struct {
	storage.Docs
	once   sync.Once
	missed chan struct{}
}

func (d *missFirst) Doc(ctx context.Context, key string) ([]byte, int64, error) {
	data, rev, err := d.Docs.Doc(ctx, key)
	if err != nil {
		d.once.Do(func() { close(d.missed) })
	}
	return data, rev, err
}

// TestReplyRacingItsThread: a reply can reach the bot after the draft is
// visible in the channel but before its thread is recorded; it still finds
// its contract.
func TestReplyRacingItsThread(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store, err := embedded.Open(filepath.Join(t.TempDir(), "lp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := contract.New("c1", "slack", "T1", "ULEE", now)
	data, _ := json.Marshal(c)
	key := storage.UserKey{Platform: "slack", Team: "T1", User: "ULEE"}
	if err := store.Save(ctx, storage.TurnWrite{User: key, Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: []storage.UserKey{key}}}); err != nil {
		t.Fatal(err)
	}
	docs := &missFirst{Docs: store, missed: make(chan struct{})}
	e, err := New(Config{Store: store, Docs: docs, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := &slowPublisher{entered: make(chan struct{}), finish: make(chan struct{})}
	turn := Turn{Platform: p, Team: "T1"}

	posted := make(chan error, 1)
	go func() {
		posted <- e.post(ctx, turn, conversation.Post{Channel: "CSET", Shared: &conversation.Shared{Contract: c.ID, Round: 1}})
	}()
	<-p.entered // the draft is in the channel; its thread is not recorded yet
	go func() {
		<-docs.missed // the reply's lookup has found nothing so far
		close(p.finish)
	}()
	reply := conversation.Input{Kind: conversation.ThreadInput, User: "UPEER", Channel: "CSET", Thread: "1700000000.000100"}
	id, err := e.threadContract(ctx, "slack", "T1", reply)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	if id != c.ID {
		t.Fatalf("the reply found contract %q, want %q", id, c.ID)
	}
	if _, _, err := store.Doc(ctx, learningset.ThreadKey("slack", "T1", "CSET", "1700000000.000100")); err != nil {
		t.Fatalf("thread not recorded: %v", err)
	}

	// With nothing being posted, talk in another thread is answered at once.
	other := reply
	other.Thread = "1700000000.000200"
	if id, err := e.threadContract(ctx, "slack", "T1", other); err != nil || id != "" {
		t.Fatalf("another thread: %q, %v", id, err)
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
	p := &slowPublisher{}
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

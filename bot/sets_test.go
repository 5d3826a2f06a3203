package bot

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
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
	if err := store.Save(ctx, key, nil, "", &storage.ContractWrite{ID: c.ID, Data: data, Users: []storage.UserKey{key}}); err != nil {
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

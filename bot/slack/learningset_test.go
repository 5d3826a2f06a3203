package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	"github.com/learnpact/learnpact/storage/memory"
)

// setEnv is the sandbox delivering events to an adapter in HTTP mode whose
// turns are recorded, not run; both share the sandbox clock.
type setEnv struct {
	ws    *sandbox.Workspace
	clock *sandbox.Clock
	a     *Adapter
	turns chan bot.Turn
}

func newSetEnv(t *testing.T, outbox storage.DueStore) *setEnv {
	t.Helper()
	e := &setEnv{clock: sandbox.NewClock(outboxStart), turns: make(chan bot.Turn, 100)}
	botSrv := httptest.NewUnstartedServer(nil)
	e.ws = sandbox.New(sandbox.Config{Clock: e.clock, BotURL: "http://" + botSrv.Listener.Addr().String()})
	api := httptest.NewServer(e.ws.APIHandler())
	t.Cleanup(api.Close)
	a, err := newAdapter(Config{BotToken: e.ws.Token(), SigningSecret: e.ws.Secret(), APIURL: api.URL + "/api/",
		Now: e.clock.Now, Workers: 2, Outbox: outbox}, newEngine(bot.Config{Store: memory.New(), Log: discardLog()}), discardLog(), defaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	a.handle = func(_ context.Context, turn bot.Turn) error {
		e.turns <- turn
		return nil
	}
	e.a = a
	botSrv.Config.Handler = a.Handler()
	botSrv.Start()
	t.Cleanup(botSrv.Close)
	t.Cleanup(func() { a.Shutdown(context.Background()) })
	return e
}

// finish waits for every accepted turn and returns their inputs, sorted
// by kind and user (turns of different users run on different workers).
func (e *setEnv) finish(t *testing.T) []conversation.Input {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	close(e.turns)
	var out []conversation.Input
	for turn := range e.turns {
		out = append(out, turn.Input)
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i].Kind, out[i].User) < fmt.Sprint(out[j].Kind, out[j].User)
	})
	return out
}

func TestLearningSetTurns(t *testing.T) {
	e := newSetEnv(t, nil)
	ctx := t.Context()
	root, err := e.a.Post(ctx, sandbox.LearningSet, message.Message{Summary: "Ada's draft for review"})
	if err != nil {
		t.Fatal(err)
	}
	bot := "<@" + sandbox.BotUser + ">"
	// A reply that mentions the bot arrives as message and app_mention:
	// one turn.
	if err := e.ws.Post(ctx, sandbox.PeerLee, sandbox.LearningSet, bot+" the criteria are clear", root.TS); err != nil {
		t.Fatal(err)
	}
	if err := e.ws.Post(ctx, sandbox.PeerKim, sandbox.LearningSet, "Add a deadline &amp; a demo", root.TS); err != nil {
		t.Fatal(err)
	}
	if err := e.ws.Post(ctx, sandbox.PeerPat, sandbox.LearningSet, "just chatting", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.ws.Post(ctx, sandbox.PeerSam, sandbox.LearningSet, bot+" help", ""); err != nil {
		t.Fatal(err)
	}
	// Someone else joining starts no turn; the bot being added does.
	if err := e.ws.Join(ctx, sandbox.Manager, sandbox.LearningSet); err != nil {
		t.Fatal(err)
	}
	ch, err := e.ws.CreateChannel("set-two", sandbox.Learner)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ws.InviteBot(ctx, sandbox.Learner, ch); err != nil {
		t.Fatal(err)
	}
	if err := e.ws.Join(ctx, sandbox.PeerPat, ch); err != nil {
		t.Fatal(err)
	}

	got := e.finish(t)
	want := []conversation.Input{
		{Kind: conversation.JoinInput, User: sandbox.Learner, Channel: ch},
		{Kind: conversation.TextInput, User: sandbox.PeerSam, Channel: sandbox.LearningSet, Text: "help", Public: true},
		{Kind: conversation.ThreadInput, User: sandbox.PeerLee, Channel: sandbox.LearningSet, Thread: root.TS, Text: bot + " the criteria are clear"},
		{Kind: conversation.ThreadInput, User: sandbox.PeerKim, Channel: sandbox.LearningSet, Thread: root.TS, Text: "Add a deadline & a demo"},
	}
	sort.Slice(want, func(i, j int) bool {
		return fmt.Sprint(want[i].Kind, want[i].User) < fmt.Sprint(want[j].Kind, want[j].User)
	})
	if len(got) != len(want) {
		t.Fatalf("turns = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if !equalInput(got[i], want[i]) {
			t.Errorf("turn %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestRoster(t *testing.T) {
	e := newSetEnv(t, nil)
	ctx := t.Context()
	calls := func() int { return e.ws.Calls("conversations.info") + e.ws.Calls("conversations.members") }

	info, err := e.a.Channel(ctx, sandbox.LearningSet)
	want := []string{sandbox.Learner, sandbox.PeerPat, sandbox.PeerSam, sandbox.PeerLee, sandbox.PeerKim}
	if err != nil || info.ID != sandbox.LearningSet || info.Name != sandbox.LearningSetName || !slices.Equal(info.Members, want) {
		t.Fatalf("Channel = %+v, %v; want members %v", info, err, want)
	}
	n := calls()
	info.Members[0] = "changed by the caller"
	if again, _ := e.a.Channel(ctx, sandbox.LearningSet); calls() != n || !slices.Equal(again.Members, want) {
		t.Errorf("second read: %d more calls, members %v", calls()-n, again.Members)
	}

	// A member joining ends the cache at once.
	if err := e.ws.Join(ctx, sandbox.Manager, sandbox.LearningSet); err != nil {
		t.Fatal(err)
	}
	info, err = e.a.Channel(ctx, sandbox.LearningSet)
	if err != nil || !slices.Contains(info.Members, sandbox.Manager) || calls() == n {
		t.Errorf("after Mo joined: %+v, %v (%d calls)", info, err, calls()-n)
	}
	// So does one leaving.
	if err := e.ws.Leave(ctx, sandbox.PeerSam, sandbox.LearningSet); err != nil {
		t.Fatal(err)
	}
	if info, _ = e.a.Channel(ctx, sandbox.LearningSet); slices.Contains(info.Members, sandbox.PeerSam) {
		t.Errorf("after Sam left: %v", info.Members)
	}

	// Otherwise it lasts a minute of the adapter's clock.
	n = calls()
	e.clock.Advance(59 * time.Second)
	if _, err := e.a.Channel(ctx, sandbox.LearningSet); err != nil || calls() != n {
		t.Errorf("within the minute: %v, %d calls", err, calls()-n)
	}
	e.clock.Advance(time.Second)
	if _, err := e.a.Channel(ctx, sandbox.LearningSet); err != nil || calls() == n {
		t.Errorf("after the minute: %v, %d calls", err, calls()-n)
	}

	_, err = e.a.Channel(ctx, "C99NONE")
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "channel_not_found" {
		t.Errorf("unknown channel: %v", err)
	}
	if _, err := e.a.Channel(ctx, ""); err == nil {
		t.Error("a channel without an id answered")
	}
}

func TestRosterPages(t *testing.T) {
	e := newSetEnv(t, nil)
	e.a.roster.pageSize = 2
	everyone := []string{sandbox.Learner, sandbox.Manager, sandbox.Advocate, sandbox.PeerPat, sandbox.PeerSam, sandbox.PeerLee, sandbox.PeerKim}
	ch, err := e.ws.CreateChannel("set-of-eight", append([]string{sandbox.BotUser}, everyone...)...)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.a.Channel(t.Context(), ch)
	if err != nil || info.Name != "set-of-eight" || !slices.Equal(info.Members, everyone) {
		t.Errorf("Channel = %+v, %v", info, err)
	}
	if n := e.ws.Calls("conversations.members"); n != 4 {
		t.Errorf("%d pages read, want 4 (8 members, 2 a page)", n)
	}
}

func TestPostThread(t *testing.T) {
	e := newSetEnv(t, nil)
	ctx := t.Context()
	root, err := e.a.Post(ctx, sandbox.LearningSet, message.Message{Summary: "Draft"})
	if err != nil {
		t.Fatal(err)
	}
	reply := message.Message{Summary: "Thanks", Blocks: []message.Block{message.Section{Text: message.T(message.Mention(sandbox.PeerLee), " and ", message.Mention(sandbox.PeerKim), ", please review")}}}
	ref, err := e.a.PostThread(ctx, root, reply)
	if err != nil {
		t.Fatal(err)
	}
	th := e.ws.Thread(sandbox.LearningSet, root.TS)
	if len(th) != 2 || th[1].TS != ref.TS || ref.Channel != sandbox.LearningSet || th[1].ThreadTS != root.TS {
		t.Fatalf("thread = %+v, ref %+v", th, ref)
	}
	// Reviewers are pinged: mentions go out as <@U…>.
	var blocks []struct {
		Text struct{ Text string } `json:"text"`
	}
	if err := json.Unmarshal(th[1].Blocks, &blocks); err != nil || len(blocks) != 1 ||
		!strings.HasPrefix(blocks[0].Text.Text, "<@"+sandbox.PeerLee+"> and <@"+sandbox.PeerKim+">") {
		t.Errorf("reply blocks %s do not mention the reviewers (%v)", th[1].Blocks, err)
	}
	if _, err := e.a.PostThread(ctx, conversation.MessageRef{Channel: sandbox.LearningSet}, reply); err == nil {
		t.Error("a reply without a root was sent")
	}
}

func TestPostThreadOutbox(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := newSetEnv(t, s.Outbox("slack"))
	ctx := t.Context()
	_, rootTS, err := slackapi.New(e.ws.Token(), slackapi.OptionAPIURL(e.a.cfg.APIURL)).PostMessageContext(ctx, sandbox.LearningSet, slackapi.MsgOptionText("Draft", false))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := e.a.PostThread(ctx, conversation.MessageRef{Channel: sandbox.LearningSet, TS: rootTS}, message.Message{Summary: "Feedback summary"})
	if err != nil || ref != (conversation.MessageRef{}) {
		t.Fatalf("queued reply: %+v, %v", ref, err)
	}
	if n, err := e.a.FlushOutbox(ctx); err != nil || n != 1 {
		t.Fatalf("flush: %d, %v", n, err)
	}
	if th := e.ws.Thread(sandbox.LearningSet, rootTS); len(th) != 2 || th[1].Text != "Feedback summary" {
		t.Errorf("thread = %+v", th)
	}
}

// TestPostNowPassesTheOutbox: a shared draft's root must be posted at once,
// even with an outbox, so its thread can be remembered.
func TestPostNowPassesTheOutbox(t *testing.T) {
	s, err := embedded.Open(filepath.Join(t.TempDir(), "learnpact.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := newSetEnv(t, s.Outbox("slack"))
	ctx := t.Context()
	ref, err := e.a.PostNow(ctx, sandbox.LearningSet, message.Message{Summary: "Draft for review"})
	if err != nil || ref.TS == "" || ref.Channel != sandbox.LearningSet {
		t.Fatalf("PostNow: %+v, %v", ref, err)
	}
	if n, err := e.a.FlushOutbox(ctx); err != nil || n != 0 {
		t.Fatalf("PostNow queued something: %d, %v", n, err)
	}
	if got, ok := e.ws.Message(sandbox.MessageRef{Channel: ref.Channel, TS: ref.TS}); !ok || got.Text != "Draft for review" {
		t.Fatalf("posted message: %+v %v", got, ok)
	}
}

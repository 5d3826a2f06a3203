package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// newStateEnv is newEnv for a workspace kept in path, closed at cleanup.
func newStateEnv(t *testing.T, path string, clock *Clock, log *slog.Logger) *env {
	t.Helper()
	bot := &testBot{t: t}
	botSrv := httptest.NewServer(bot)
	t.Cleanup(botSrv.Close)
	api := httptest.NewUnstartedServer(nil)
	w := New(Config{BotURL: botSrv.URL, URL: "http://" + api.Listener.Addr().String(), Clock: clock, StatePath: path, Log: log})
	t.Cleanup(func() { w.Close() })
	bot.secret = w.Secret()
	api.Config.Handler = w.APIHandler()
	api.Start()
	t.Cleanup(api.Close)
	return &env{w: w, api: api, bot: bot, client: slackapi.New(w.Token(), slackapi.OptionAPIURL(api.URL+"/api/"))}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func readState(t *testing.T, path string) savedState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatalf("state file: %v", err)
	}
	return st
}

func savedMessages(st savedState, channel string) []Message {
	for _, c := range st.Conversations {
		if c.ID == channel {
			return c.Messages
		}
	}
	return nil
}

// awaitSave runs change and waits for the saver to write a state that
// includes it. The save lock is held during change, so the write cannot
// start before change is over.
func awaitSave(t *testing.T, w *Workspace, change func()) {
	t.Helper()
	p := w.persist
	p.mu.Lock()
	saved := p.saved
	change()
	p.mu.Unlock()
	select {
	case <-saved:
	case <-time.After(10 * time.Second):
		t.Fatal("the workspace was not saved after a change")
	}
}

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	ctx := context.Background()

	if err := e.w.SendDM(ctx, Learner, "I want to learn <Go> & more"); err != nil {
		t.Fatal(err)
	}
	_, cardTS, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("v1", false), card())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := e.client.UpdateMessageContext(ctx, "D01ADA", cardTS, slackapi.MsgOptionText("Approved", false)); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Post(ctx, PeerPat, LearningSet, "Feedback on my contract, please", ""); err != nil {
		t.Fatal(err)
	}
	parent := e.w.Channel(LearningSet)[0].TS
	if _, _, err := e.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("Thanks!", false), slackapi.MsgOptionTS(parent)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PostEphemeralContext(ctx, LearningSet, PeerSam, slackapi.MsgOptionText("only you", false)); err != nil {
		t.Fatal(err)
	}
	home := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, CallbackID: "home", PrivateMetadata: "p=1", Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
		slackapi.NewActionBlock("", slackapi.NewButtonBlockElement("new_contract", "", plain("New contract"))),
	}}}
	if _, err := e.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: Learner, View: home}); err != nil {
		t.Fatal(err)
	}
	trigger := clickForTrigger(t, e, Manager)
	if _, err := e.client.OpenViewContext(ctx, trigger, modal("Ask for changes", commentInput())); err != nil {
		t.Fatal(err)
	}

	dm, mgr, channel, thread := e.w.DM(Learner), e.w.DM(Manager), e.w.Channel(LearningSet), e.w.Thread(LearningSet, parent)
	wantHome, _ := e.w.Home(Learner)
	if len(dm) != 2 || dm[1].Updated != 1 || len(thread) != 2 || len(channel) != 2 || !channel[1].Ephemeral || channel[0].ReplyCount != 1 {
		t.Fatalf("before the restart: DM %+v, channel %+v, thread %+v", dm, channel, thread)
	}
	if err := e.w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{e.w.Token(), e.w.Secret(), trigger} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the state file holds a secret or trigger id %q", secret)
		}
	}

	// The same instant again: restored timestamps must still be in the past.
	r := newStateEnv(t, path, NewClock(start), nil)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"DM", r.w.DM(Learner), dm},
		{"manager's DM", r.w.DM(Manager), mgr},
		{"channel", r.w.Channel(LearningSet), channel},
		{"thread", r.w.Thread(LearningSet, parent), thread},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s after a restart:\n got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}
	if got, ok := r.w.Home(Learner); !ok || !reflect.DeepEqual(got, wantHome) {
		t.Errorf("home after a restart = %+v, %v; want %+v", got, ok, wantHome)
	}
	if v, ok := r.w.OpenModal(Manager); ok {
		t.Errorf("a modal survived the restart: %+v", v)
	}

	_, ts, err := r.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("welcome back", false))
	if err != nil {
		t.Fatal(err)
	}
	if last := dm[len(dm)-1].TS; tsMicros(ts) <= tsMicros(channel[len(channel)-1].TS) || tsMicros(ts) <= tsMicros(last) {
		t.Errorf("new message ts %s is not after the restored ones (%s)", ts, last)
	}
	// The id counter is restored too: a new view gets a new id.
	res, err := r.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: Manager, View: home})
	if err != nil {
		t.Fatal(err)
	}
	if res.ID == wantHome.ID {
		t.Errorf("a new home view reused the restored id %s", res.ID)
	}
	// Restored messages still work: the bot can update its card.
	if _, _, _, err := r.client.UpdateMessageContext(ctx, "D01ADA", cardTS, slackapi.MsgOptionText("Signed", false)); err != nil {
		t.Errorf("update a restored message: %v", err)
	}
}

func TestStateClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewWallClock(), nil)
	// A clock jump alone is saved, without Close.
	awaitSave(t, e.w, func() { e.w.Clock().Advance(72 * time.Hour) })
	if st := readState(t, path); st.ClockOffset == nil || *st.ClockOffset != 72*time.Hour {
		t.Fatalf("saved clock offset = %v, want 72h", st.ClockOffset)
	}
	if err := e.w.Close(); err != nil {
		t.Fatal(err)
	}

	r := newStateEnv(t, path, NewWallClock(), nil)
	if d := time.Until(r.w.Clock().Now()); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("restored wall clock is %v ahead, want 72h", d)
	}
	if err := r.w.Close(); err != nil {
		t.Fatal(err)
	}
	// A clock that stands still keeps the time it was made with.
	f := newStateEnv(t, path, NewClock(start), nil)
	if got := f.w.Clock().Now(); !got.Equal(start) {
		t.Errorf("frozen clock moved to %v", got)
	}
}

func TestStateSavesBurstOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	const n = 20
	awaitSave(t, e.w, func() {
		for i := range n {
			if _, _, err := e.client.PostMessageContext(context.Background(), Learner, slackapi.MsgOptionText(fmt.Sprint("burst ", i), false)); err != nil {
				t.Fatal(err)
			}
		}
	})
	// The first write after the burst holds all of it.
	if got := savedMessages(readState(t, path), "D01ADA"); len(got) != n || got[n-1].Text != fmt.Sprint("burst ", n-1) {
		t.Errorf("saved %d messages after a burst of %d: %+v", len(got), n, got)
	}
}

func TestStateCapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	const extra = 5
	for i := range maxSavedMessages + extra {
		if res := e.w.chatPostMessage(args{"channel": encodeJSON(Learner), "text": encodeJSON(fmt.Sprint("msg ", i))}); res["ok"] != true {
			t.Fatalf("post %d: %v", i, res)
		}
	}
	last := e.w.DM(Learner)[maxSavedMessages+extra-1]
	if err := e.w.Close(); err != nil {
		t.Fatal(err)
	}
	r := newStateEnv(t, path, NewClock(start), nil)
	got := r.w.DM(Learner)
	if len(got) != maxSavedMessages || got[0].Text != fmt.Sprint("msg ", extra) || got[len(got)-1].TS != last.TS {
		t.Fatalf("restored %d messages, first %q; want the newest %d", len(got), got[0].Text, maxSavedMessages)
	}
	if res := r.w.chatPostMessage(args{"channel": encodeJSON(Learner), "text": encodeJSON("next")}); res["ok"] != true || tsMicros(res["ts"].(string)) <= tsMicros(last.TS) {
		t.Errorf("post after restoring a capped state: %v (last restored ts %s)", res, last.TS)
	}
}

func TestStateUnreadable(t *testing.T) {
	for name, setup := range map[string]func(path string) error{
		"not JSON":      func(path string) error { return os.WriteFile(path, []byte("{\"version\":1,\"conv"), 0o600) },
		"wrong version": func(path string) error { return os.WriteFile(path, []byte(`{"version":99}`), 0o600) },
		"wrong shape":   func(path string) error { return os.WriteFile(path, []byte(`{"version":1,"conversations":{}}`), 0o600) },
		"a directory":   func(path string) error { return os.Mkdir(path, 0o700) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sandbox.json")
			if err := setup(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			var log syncBuffer
			e := newStateEnv(t, path, NewClock(start), slog.New(slog.NewTextHandler(&log, nil)))
			if got := e.w.DM(Learner); len(got) != 0 {
				t.Errorf("DM = %+v, want empty", got)
			}
			if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), "cannot restore") {
				t.Errorf("log = %q, want a warning", log.String())
			}
			aside, _ := os.ReadFile(path + ".corrupt") // a directory moved aside reads as nothing
			if _, statErr := os.Stat(path + ".corrupt"); statErr != nil || !bytes.Equal(aside, before) {
				t.Errorf("moved aside: %q, %v; want the old file", aside, statErr)
			}

			if _, _, err := e.client.PostMessageContext(context.Background(), Learner, slackapi.MsgOptionText("fresh", false)); err != nil {
				t.Fatal(err)
			}
			if err := e.w.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			r := newStateEnv(t, path, NewClock(start), nil)
			if got := r.w.DM(Learner); len(got) != 1 || got[0].Text != "fresh" {
				t.Errorf("after saving over an unreadable file: %+v", got)
			}
		})
	}
}

func TestStateSkipsEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	state := `{"version":1,"last_ts":0,"seq":3,
		"conversations":[
			{"id":"D01ADA","messages":[
				{"channel":"elsewhere","ts":"1736758800.000001","user":"U01ADA","text":"kept","reply_count":7},
				{"ts":"yesterday","user":"U01ADA","text":"bad ts"},
				{"ts":"1736758800.000001","user":"U01ADA","text":"repeated ts"},
				{"ts":"1736758800.000002","user":"U00LP","text":"kept too","ephemeral_for":"U02MO","blocks":null},
				{"ts":"1736758800.000003","user":"U00LP","text":"blocks not a list","blocks":{}}]},
			{"id":"C99GONE","messages":[{"ts":"1736758800.000003","text":"gone"}]}],
		"homes":[
			{"id":"V0000000042","type":"home","user":"U01ADA","hash":"h","blocks":null},
			{"id":"V0000000043","type":"home","user":"U99NOBODY","hash":"h","blocks":[]},
			{"id":"V0000000044","type":"modal","user":"U02MO","hash":"h","blocks":[]}]}`
	if err := os.WriteFile(path, []byte(state), 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	e := newStateEnv(t, path, NewClock(start), slog.New(slog.NewTextHandler(&log, nil)))
	got := e.w.DM(Learner)
	want := []Message{
		{Channel: "D01ADA", TS: "1736758800.000001", User: Learner, Text: "kept"},
		{Channel: "D01ADA", TS: "1736758800.000002", User: BotUser, Text: "kept too"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DM = %+v\nwant %+v", got, want)
	}
	if !strings.Contains(log.String(), "count=6") {
		t.Errorf("log = %q, want 6 skipped entries", log.String())
	}
	if v, ok := e.w.Home(Learner); !ok || v.ID != "V0000000042" || string(v.Blocks) != "[]" {
		t.Errorf("home = %+v, %v", v, ok)
	}
	if _, ok := e.w.Home(Manager); ok {
		t.Error("a modal was restored as a home")
	}
	if _, err := os.Stat(path + ".corrupt"); err == nil {
		t.Error("a readable file was moved aside")
	}
	// Counters never go back: ids and timestamps continue after the
	// restored ones.
	res, err := e.client.PublishViewContext(context.Background(), slackapi.PublishViewContextRequest{UserID: Manager, View: slackapi.HomeTabViewRequest{
		Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{slackapi.NewDividerBlock()}},
	}})
	if err != nil || res.ID <= "V0000000042" {
		t.Errorf("new view id %v, %v; want after V0000000042", res, err)
	}
}

func TestStateConcurrentSaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	ctx := context.Background()
	const posters, each = 4, 25
	done := make(chan struct{})
	saved := make(chan error, 1)
	go func() { // saves as fast as it can while the posts go on
		for {
			select {
			case <-done:
				saved <- nil
				return
			default:
			}
			if err := e.w.save(); err != nil {
				saved <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for p := range posters {
		wg.Go(func() {
			for i := range each {
				text := fmt.Sprintf("poster %d message %d", p, i)
				if _, _, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText(text, false)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	if err := <-saved; err != nil {
		t.Fatalf("save: %v", err)
	}
	if err := e.w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}

	r := newStateEnv(t, path, NewClock(start), nil)
	got := r.w.DM(Learner)
	if len(got) != posters*each {
		t.Fatalf("restored %d messages, want %d", len(got), posters*each)
	}
	for i := 1; i < len(got); i++ {
		if tsMicros(got[i].TS) <= tsMicros(got[i-1].TS) {
			t.Fatalf("timestamps not increasing: %s then %s", got[i-1].TS, got[i].TS)
		}
	}
	if tmp, _ := filepath.Glob(path + ".tmp-*"); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

func TestCloseWithoutStatePath(t *testing.T) {
	e := newEnv(t)
	if err := e.w.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

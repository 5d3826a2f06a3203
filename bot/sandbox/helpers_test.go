package sandbox

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// start is the sandbox time of the tests: a winter Monday, 09:00 UTC.
var start = time.Date(2025, 1, 13, 9, 0, 0, 0, time.UTC)

// delivery is one request the test bot received.
type delivery struct {
	Path   string
	Header http.Header
	Body   []byte
	req    *http.Request
}

// testBot is an HTTP receiver standing in for the bot: it verifies every
// request with slack-go's verifier, records it and answers with answer.
type testBot struct {
	t      *testing.T
	secret string

	mu     sync.Mutex
	got    []delivery
	answer func(d delivery) (int, string)
}

func (b *testBot) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		b.t.Errorf("read body: %v", err)
		return
	}
	sv, err := slackapi.NewSecretsVerifier(r.Header, b.secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		b.t.Errorf("%s: signature does not verify: %v", r.URL.Path, err)
		http.Error(rw, "bad signature", http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	d := delivery{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, req: r}
	b.mu.Lock()
	b.got = append(b.got, d)
	answer := b.answer
	b.mu.Unlock()
	status, out := http.StatusOK, ""
	if answer != nil {
		status, out = answer(d)
	}
	if out != "" && out[0] == '{' {
		rw.Header().Set("Content-Type", "application/json")
	}
	rw.WriteHeader(status)
	_, _ = io.WriteString(rw, out)
}

func (b *testBot) deliveries() []delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]delivery(nil), b.got...)
}

func (b *testBot) last(t *testing.T) delivery {
	t.Helper()
	got := b.deliveries()
	if len(got) == 0 {
		t.Fatal("the bot received nothing")
	}
	return got[len(got)-1]
}

func (b *testBot) setAnswer(f func(d delivery) (int, string)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.answer = f
}

// env is a sandbox with its API served, a test bot and a slack-go client.
type env struct {
	w      *Workspace
	api    *httptest.Server
	bot    *testBot
	client *slackapi.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	bot := &testBot{t: t}
	botSrv := httptest.NewServer(bot)
	t.Cleanup(botSrv.Close)
	api := httptest.NewUnstartedServer(nil)
	w := New(Config{BotURL: botSrv.URL, URL: "http://" + api.Listener.Addr().String(), Clock: NewClock(start)})
	bot.secret = w.Secret()
	api.Config.Handler = w.APIHandler()
	api.Start()
	t.Cleanup(api.Close)
	return &env{w: w, api: api, bot: bot, client: slackapi.New(w.Token(), slackapi.OptionAPIURL(api.URL+"/api/"))}
}

// slackErr returns the Slack error code of err ("" when err is nil).
func slackErr(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("not a Slack error response: %v (%T)", err, err)
	}
	return se.Err
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// testTimeout bounds each end-to-end test; waits inside it are woken by the
// sandbox's change notifications, not by polling.
const testTimeout = 30 * time.Second

// TestSandboxEndToEnd runs the program in sandbox mode on each store: the
// demo learner talks to the bot in their DM, and what they drafted, and
// the conversation itself, survive a restart.
func TestSandboxEndToEnd(t *testing.T) {
	stores := map[string]func(t *testing.T) map[string]string{
		"embedded": func(t *testing.T) map[string]string {
			return map[string]string{"LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")}
		},
		"redis": func(t *testing.T) map[string]string {
			return map[string]string{
				"REDIS_URL":      redistest.Start(t).URL(),
				"LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db"), // the sandbox's file
			}
		},
	}
	const title = "Running design reviews"
	for name, storeEnv := range stores {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			env := storeEnv(t)
			env["ADDR"] = "127.0.0.1:0"

			m := startMain(t, env)
			if got := get(t, m.URL()+"/healthz"); got != "ok" {
				t.Errorf("GET /healthz = %q, want ok", got)
			}
			ws := m.sandbox
			for i, text := range []string{"help", "new", title} {
				say(ctx, t, ws, text)
				awaitReplies(ctx, t, ws, i+1)
			}
			// Close lets turns in progress finish: the answer to a message
			// sent just before closing arrives before Close returns. An
			// open page's event stream must not hold it up.
			stream := openEvents(t, m.URL())
			defer stream.Close()
			say(ctx, t, ws, "help")
			if err := m.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			before := botReplies(ws)
			if len(before) != 4 {
				t.Errorf("bot replies after close = %d, want 4", len(before))
			}
			if _, err := os.Stat(env["LEARNPACT_DATA"] + ".sandbox.json"); err != nil {
				t.Errorf("sandbox state not saved next to LEARNPACT_DATA: %v", err)
			}

			// The new sandbox shows the conversation so far. The store
			// remembers the event ids it has seen: the new sandbox's ids
			// must not repeat them.
			m = startMain(t, env)
			ws = m.sandbox
			restored := func() bool {
				got := botReplies(ws)
				return len(got) >= len(before) && reflect.DeepEqual(got[:len(before)], before)
			}
			if err := ws.Await(ctx, restored); err != nil {
				t.Fatalf("after a restart, the DM shows %d bot replies, want the earlier %d: %v", len(botReplies(ws)), len(before), err)
			}
			session(ctx, t, m, storage.UserKey{Platform: "slack", Team: ws.TeamID(), User: sandbox.Learner})
			say(ctx, t, ws, "list")
			awaitReplies(ctx, t, ws, len(before)+1)
			if list := botReplies(ws)[len(before)]; !strings.Contains(list.Text+string(list.Blocks), title) {
				t.Errorf("after a restart, list = %s %s; want the draft %q", list.Text, list.Blocks, title)
			}
		})
	}
}

// TestHTTPMode runs the program against Slack's Web API and Events API
// as real Slack would use them, with a sandbox workspace standing in for
// Slack.
func TestHTTPMode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var slackAPI atomic.Pointer[http.Handler]
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*slackAPI.Load()).ServeHTTP(w, r)
	}))
	defer api.Close()

	const token, secret = "xoxb-test-token", "test-signing-secret"
	cfg, err := LoadConfig(envFrom(map[string]string{
		"ADDR":                 "127.0.0.1:0",
		"LEARNPACT_DATA":       filepath.Join(t.TempDir(), "learnpact.db"),
		"SLACK_BOT_TOKEN":      token,
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        api.URL + "/api/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg)
	var out bytes.Buffer
	m.Stdout, m.Log = &out, testLogger(t)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.sandbox != nil || out.Len() > 0 {
		t.Errorf("HTTP mode started the sandbox (printed %q)", out.String())
	}
	ws := sandbox.New(sandbox.Config{BotURL: m.URL(), URL: api.URL, BotToken: token, SigningSecret: secret, Log: testLogger(t)})
	h := ws.APIHandler()
	slackAPI.Store(&h)

	say(ctx, t, ws, "help")
	awaitReplies(ctx, t, ws, 1)
	resp, err := http.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / in HTTP mode = %s, want 404 (no sandbox page)", resp.Status)
	}
	if err := m.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestServe runs the command as main does, and stops it as SIGTERM would.
func TestServe(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pr, pw := io.Pipe()
	env := envFrom(map[string]string{
		"ADDR":           "127.0.0.1:0",
		"LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db"),
		"LOG_LEVEL":      "warn",
	})
	code := make(chan int, 1)
	go func() {
		code <- cli(ctx, nil, env, pw, t.Output())
		pw.Close()
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v", err)
	}
	url := regexp.MustCompile(`^learnpact sandbox: open (http://127\.0\.0\.1:[1-9][0-9]*)\n$`).FindStringSubmatch(line)
	if url == nil {
		t.Fatalf("printed %q; want the sandbox address", line)
	}
	go io.Copy(io.Discard, pr)
	if got := get(t, url[1]+"/healthz"); got != "ok" {
		t.Errorf("GET /healthz = %q, want ok", got)
	}
	stop()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit code = %d, want 0", c)
		}
	case <-time.After(testTimeout):
		t.Fatal("serve did not stop")
	}
}

// TestRunReportsStoreInUse checks that a second server on the same data
// file fails with a message that says what to do.
func TestRunReportsStoreInUse(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")}
	startMain(t, env)
	cfg, err := LoadConfig(envFrom(env))
	if err != nil {
		t.Fatal(err)
	}
	second := NewMain(cfg)
	second.Stdout, second.Log = io.Discard, testLogger(t)
	err = second.Run(context.Background())
	if err == nil {
		second.Close()
		t.Fatal("a second server opened the same data file")
	}
	if !strings.Contains(err.Error(), "set LEARNPACT_DATA to another file") {
		t.Errorf("error = %v; want it to say what to set", err)
	}
}

func startMain(t *testing.T, env map[string]string) *Main {
	t.Helper()
	cfg, err := LoadConfig(envFrom(env))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 10 * time.Second
	var out bytes.Buffer
	m := NewMain(cfg)
	m.Stdout, m.Log = &out, testLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if want := "learnpact sandbox: open " + m.URL() + "\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(m.URL()) {
		t.Errorf("URL = %q, want the bound loopback port", m.URL())
	}
	return m
}

// openEvents opens the sandbox page's event stream, as a browser does.
func openEvents(t *testing.T, base string) io.ReadCloser {
	t.Helper()
	token := regexp.MustCompile(`<meta name="sandbox-token" content="([^"]+)">`).FindStringSubmatch(get(t, base+"/"))
	if token == nil {
		t.Fatal("no page token on the sandbox page")
	}
	resp, err := http.Get(base + "/events?token=" + token[1])
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET /events: %s", resp.Status)
	}
	return resp.Body
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// say sends text from the demo learner to the bot's DM.
func say(ctx context.Context, t *testing.T, ws *sandbox.Workspace, text string) {
	t.Helper()
	if err := ws.SendDM(ctx, sandbox.Learner, text); err != nil {
		t.Fatalf("learner says %q: %v", text, err)
	}
}

// awaitReplies waits until the bot has sent the learner n messages.
func awaitReplies(ctx context.Context, t *testing.T, ws *sandbox.Workspace, n int) {
	t.Helper()
	if err := ws.Await(ctx, func() bool { return len(botReplies(ws)) >= n }); err != nil {
		t.Fatalf("waiting for %d bot replies (have %d): %v", n, len(botReplies(ws)), err)
	}
}

// botReplies returns the bot's messages in the learner's DM.
func botReplies(ws *sandbox.Workspace) []sandbox.Message {
	var out []sandbox.Message
	for _, msg := range ws.DM(sandbox.Learner) {
		if msg.User == ws.BotUserID() {
			out = append(out, msg)
		}
	}
	return out
}

// session returns the stored session of key, which must exist.
func session(ctx context.Context, t *testing.T, m *Main, key storage.UserKey) conversation.Session {
	t.Helper()
	snap, err := m.store.Load(ctx, key, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var s conversation.Session
	if err := json.Unmarshal(snap.Session, &s); err != nil || s.User != key.User {
		t.Fatalf("stored session of %s = %s (%v)", key.User, snap.Session, err)
	}
	return s
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, resp.Status, body)
	}
	return string(body)
}

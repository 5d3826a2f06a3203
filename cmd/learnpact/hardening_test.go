package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/storage"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// lockedBuffer is a log destination tests can read while the server writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSandboxTeamsEndpointRefusesWebPages reproduces the cross-origin
// attack on the sandbox's unauthenticated /api/messages: a page on another
// origin, open in the person's browser, posts an activity as text/plain
// (a request browsers send without asking) naming an intranet service URL.
// The sandbox refuses it: nothing is stored and nothing reaches that URL,
// while the Bot Framework Emulator's own requests still work.
func TestSandboxTeamsEndpointRefusesWebPages(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no browser at %s (%v): install chromium (make test does this)", chromiumPath, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var logs lockedBuffer
	m := startMainLogging(t, map[string]string{"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")}, &logs)

	var intranetHits atomic.Int32
	intranet := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		intranetHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"x"}`)
	}))
	defer intranet.Close()
	activity := func(user string) []byte {
		b, _ := json.Marshal(map[string]any{
			"type": "message", "id": "m-" + user, "channelId": "emulator", "serviceUrl": intranet.URL + "/",
			"from":         map[string]any{"id": user, "name": user},
			"recipient":    map[string]any{"id": "bot", "name": "learnpact"},
			"conversation": map[string]any{"id": "conv-" + user, "conversationType": "personal"},
			"text":         "new",
		})
		return b
	}
	attackPage := fmt.Sprintf(`<!doctype html><title>cat pictures</title><script>
window.result = "";
fetch(%q, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: %q})
  .then(() => { window.result = "answered"; }, e => { window.result = "failed: " + e; });
</script>`, m.URL()+"/api/messages", activity("attacker"))
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, attackPage)
	}))
	defer attacker.Close()

	tab := openBrowser(t)
	stepCtx, stepCancel := context.WithTimeout(tab, 20*time.Second)
	defer stepCancel()
	if err := chromedp.Do(stepCtx, chromedp.Navigate(attacker.URL+"/")); err != nil {
		t.Fatalf("open the attack page: %v", err)
	}
	result, err := chromedp.Run(stepCtx, chromedp.PollFunction[string](`() => window.result`, chromedp.WithPollingInterval(25*time.Millisecond)))
	if err != nil {
		t.Fatalf("the attack page did not run: %v", err)
	}
	if result != "answered" {
		t.Fatalf("the attack page's request: %s", result)
	}
	// The answer came after the check: a taken activity is saved before it
	// is answered, so a session would be there by now.
	if snap, err := m.store.Load(ctx, storage.UserKey{Platform: "teams", User: "attacker"}, "", ""); err != nil || len(snap.Session) != 0 {
		t.Errorf("the page's activity was taken: session %s (%v)", snap.Session, err)
	}
	if !strings.Contains(logs.String(), "cross-origin request") && !strings.Contains(logs.String(), "application/json") {
		t.Errorf("the server did not log refusing the page's request; log:\n%s", logs.String())
	}

	// A foreign Host (DNS rebinding) is refused too.
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/api/messages", bytes.NewReader(activity("rebound")))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}

	// The emulator, on this machine, is served: its reply reaches the
	// service URL it named.
	resp, err := http.Post(m.URL()+"/api/messages", "application/json", bytes.NewReader(activity("emulator-user")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the emulator's activity: %s", resp.Status)
	}
	if snap, err := m.store.Load(ctx, storage.UserKey{Platform: "teams", User: "emulator-user"}, "", ""); err != nil || len(snap.Session) == 0 {
		t.Errorf("the emulator's activity was not taken: %v", err)
	}
}

// startMainLogging is startMain with the server's log in logs.
func startMainLogging(t *testing.T, env map[string]string, logs io.Writer) *Main {
	t.Helper()
	cfg, err := LoadConfig(envFrom(env))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 10 * time.Second
	m := NewMain(cfg)
	m.Stdout, m.Log = io.Discard, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// openBrowser starts headless Chromium with a fresh profile and returns its
// tab; the browser stops when the test ends.
func openBrowser(t *testing.T) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true))
	t.Cleanup(cancelAlloc)
	tab, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return tab
}

// TestServerDropsSlowIdleAndExcessConnections reproduces the resource
// findings against short configured limits: headers or a body trickled
// past the read timeouts, keep-alive connections idle past the idle
// timeout, and connections past the limit are all closed by the server,
// and /healthz answers again once they are gone.
func TestServerDropsSlowIdleAndExcessConnections(t *testing.T) {
	api := httptest.NewServer(http.NotFoundHandler())
	defer api.Close()
	cfg, err := LoadConfig(envFrom(map[string]string{
		"ADDR":                 "127.0.0.1:0",
		"LEARNPACT_DATA":       filepath.Join(t.TempDir(), "learnpact.db"),
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": "secret",
		"SLACK_API_URL":        api.URL + "/api/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP = HTTPLimits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond,
		WriteTimeout: 5 * time.Second, IdleTimeout: 200 * time.Millisecond, MaxConnections: 3}
	m := NewMain(cfg)
	m.Stdout, m.Log = io.Discard, testLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.srv.WriteTimeout != cfg.HTTP.WriteTimeout {
		t.Errorf("write timeout %v, want %v", m.srv.WriteTimeout, cfg.HTTP.WriteTimeout)
	}
	addr := strings.TrimPrefix(m.URL(), "http://")
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// The test's own bound: the server's limits are far shorter.
		c.SetDeadline(time.Now().Add(5 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	// closedByServer reads until the server closes the connection, taking
	// whatever answer it sent first.
	closedByServer := func(what string, r *bufio.Reader) {
		t.Helper()
		if _, err := io.Copy(io.Discard, r); err != nil {
			t.Errorf("%s: the connection was still open at the test's deadline (%v)", what, err)
		}
	}

	// Headers trickled: closed at the header timeout.
	c, r := dial()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	closedByServer("headers trickled", r)

	// A signed-looking request whose body never ends: closed at the read
	// timeout, not held while the body trickles in.
	c, r = dial()
	io.WriteString(c, "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"+
		"X-Slack-Request-Timestamp: "+strconv.FormatInt(time.Now().Unix(), 10)+"\r\nX-Slack-Signature: v0="+strings.Repeat("0", 64)+"\r\n\r\n{")
	closedByServer("body trickled", r)

	// Three idle keep-alive connections fill the limit; a fourth is turned
	// away at once.
	var idle []*bufio.Reader
	for range 3 {
		c, r := dial()
		healthz(t, c, r)
		idle = append(idle, r)
	}
	c, r = dial()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(r, nil)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a connection past the limit: %v %v, want 503", resp, err)
	}
	resp.Body.Close()
	// The idle ones are closed at the idle timeout, and their places freed.
	for i, r := range idle {
		closedByServer(fmt.Sprintf("idle connection %d", i), r)
	}
	c, r = dial()
	healthz(t, c, r)
}

// healthz asks for /healthz on a kept-alive connection.
func healthz(t *testing.T, c net.Conn, r *bufio.Reader) {
	t.Helper()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Fatalf("GET /healthz: %s %q", resp.Status, body)
	}
}

// TestSandboxEventStreamOutlivesTimeouts: the sandbox page's event stream
// is the one long request, and keeps delivering past the server's read and
// write timeouts.
func TestSandboxEventStreamOutlivesTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cfg, err := LoadConfig(envFrom(map[string]string{"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")}))
	if err != nil {
		t.Fatal(err)
	}
	const limit = 200 * time.Millisecond
	cfg.HTTP = HTTPLimits{ReadHeaderTimeout: limit, ReadTimeout: limit, WriteTimeout: limit, IdleTimeout: limit, MaxConnections: 100}
	m := NewMain(cfg)
	m.Stdout, m.Log = io.Discard, testLogger(t)
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	stream := openEvents(t, m.URL())
	defer stream.Close()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stream)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// The server's own header timeout is the clock: a connection opened
	// after the stream and closed by that timeout means the stream's
	// deadlines, had it kept them, have passed.
	c, err := net.Dial("tcp", strings.TrimPrefix(m.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /healthz HTTP/1.1\r\n")
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("the trickling connection was not closed: %v", err)
	}
	// The learner's message reaches the page's stream as it is posted.
	// Its delivery to the bot is a request like any other, held to the
	// 200 ms limits, which a busy machine may miss: only the stream counts.
	if err := m.sandbox.SendDM(ctx, sandbox.Learner, "help"); err != nil {
		t.Logf("the message's delivery to the bot: %v", err)
	}
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the event stream ended at the server's timeouts")
			}
			if strings.HasPrefix(line, "data:") {
				return
			}
		case <-ctx.Done():
			t.Fatal("no event on the stream after the timeouts")
		}
	}
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/learnpact/learnpact/bot/sandbox"
)

// TestBrowserPageAcrossRestart keeps a sandbox page open while the sandbox
// restarts: with its state file the tab carries on with the token it has
// (its event stream reconnects, and the clock buttons work); without it,
// the page loads itself again with the new token.
func TestBrowserPageAcrossRestart(t *testing.T) {
	requireChromium(t)
	path := filepath.Join(t.TempDir(), "learnpact.db.sandbox.json")
	at := time.Date(2027, 1, 16, 21, 0, 0, 0, time.UTC)
	var handler atomic.Pointer[http.Handler]
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	var ws *sandbox.Workspace
	start := func() {
		ws = sandbox.New(sandbox.Config{URL: srv.URL, Clock: sandbox.NewClock(at), StatePath: path})
		t.Cleanup(func() { ws.Close() })
		h := ws.Handler()
		handler.Store(&h)
	}
	restart := func() {
		if err := ws.Close(); err != nil {
			t.Fatal(err)
		}
		start()
		srv.CloseClientConnections() // the old process's connections end with it
	}
	post := func(text string) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"channel": ws.DMChannel(sandbox.Learner), "text": text})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/chat.postMessage", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+ws.Token())
		// A connection of its own: a restart closes the ones kept alive,
		// and a POST is not tried again on one closed meanwhile.
		req.Close = true
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var tab context.Context
	// shown waits until js (a function of args) returns a non-empty
	// string, and returns it; a page that loads itself again meanwhile is
	// waited for again.
	shown := func(what, js string, args ...any) string {
		t.Helper()
		deadline := time.Now().Add(stepTimeout)
		for {
			ctx, cancel := context.WithDeadline(tab, deadline)
			v, err := chromedp.Run(ctx, chromedp.PollFunction[string](js, chromedp.WithPollingArgs(args...), chromedp.WithPollingInterval(25*time.Millisecond)))
			cancel()
			if err == nil {
				return v
			}
			if time.Now().After(deadline) {
				status, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('[data-testid="status"]').textContent`))
				t.Fatalf("waiting for %s: %v (status: %q)", what, err, status)
			}
		}
	}
	message := func(text string) string {
		return `() => [...document.querySelectorAll('[data-testid="message"]')].some(m => m.textContent.includes(` + jsString(text) + `)) ? "yes" : ""`
	}
	pageToken := `() => document.querySelector('meta[name="sandbox-token"]').content`

	start()
	post("Before the restart")
	tab = openBrowser(t)
	if _, err := chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#as="+sandbox.Learner)); err != nil {
		t.Fatal(err)
	}
	shown("the message from before", message("Before the restart"))
	first := shown("the page token", pageToken)

	restart()
	post("After a restart that kept the state file")
	shown("the message sent after the restart", message("After a restart that kept the state file"))
	if got := shown("the page token", pageToken); got != first {
		t.Errorf("the page was loaded again although its token still works")
	}
	if _, err := chromedp.Run(tab, chromedp.Click(chromedp.CSS(`[data-testid="clock-plus-hour"]`))); err != nil {
		t.Fatal(err)
	}
	shown("the clock an hour on", `(want) => Date.parse(document.querySelector('[data-testid="clock-time"]').dateTime) === Date.parse(want) ? "yes" : ""`,
		at.Add(time.Hour).Format(time.RFC3339))
	if got := ws.Clock().Now(); !got.Equal(at.Add(time.Hour)) {
		t.Errorf("the sandbox clock is %v after +1 hour from the open tab", got)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	os.Remove(path) // Close saved it again
	start()
	srv.CloseClientConnections()
	post("A fresh workspace")
	shown("the fresh workspace's message", message("A fresh workspace"))
	if got := shown("the page token", pageToken); got == first {
		t.Errorf("the page kept a token the fresh workspace refuses")
	}
	shown("an empty status line", `() => document.querySelector('[data-testid="status"]').textContent === "" ? "yes" : ""`)
}

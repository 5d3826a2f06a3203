package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage/memory"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// fakeClock is a wall clock moved by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// probe is GET url: the status and the body.
func probe(t *testing.T, url string) (int, string) {
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
	return resp.StatusCode, string(body)
}

// TestReadyzRedis: /readyz says ready while Redis answers, and fails
// with a reason once it is stopped (after the cached answer's second),
// while /healthz, the liveness check, still says ok; during shutdown it
// fails too.
func TestReadyzRedis(t *testing.T) {
	srv := redistest.Start(t)
	cfg, err := LoadConfig(envFrom(map[string]string{"ADDR": "127.0.0.1:0", "REDIS_URL": srv.URL(),
		"LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")})) // the sandbox's state file beside it
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 10 * time.Second
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	m := NewMain(cfg)
	m.Stdout, m.Log, m.readyNow = io.Discard, testLogger(t), clock.Now
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	if code, body := probe(t, m.URL()+"/readyz"); code != http.StatusOK || body != "ready" {
		t.Fatalf("GET /readyz with Redis up = %d %q, want 200 ready", code, body)
	}
	srv.Kill()
	if code, _ := probe(t, m.URL()+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz within a second of the last check = %d, want the cached 200", code)
	}
	clock.Add(readyTTL)
	if code, body := probe(t, m.URL()+"/readyz"); code != http.StatusServiceUnavailable || body != "store unreachable" {
		t.Errorf("GET /readyz with Redis stopped = %d %q, want 503 store unreachable", code, body)
	}
	if code, body := probe(t, m.URL()+"/healthz"); code != http.StatusOK || body != "ok" {
		t.Errorf("GET /healthz with Redis stopped = %d %q, want 200 ok", code, body)
	}
	m.draining.Store(true)
	if code, body := probe(t, m.URL()+"/readyz"); code != http.StatusServiceUnavailable || body != "shutting down" {
		t.Errorf("GET /readyz while draining = %d %q, want 503 shutting down", code, body)
	}
}

// TestReadiness: the store is asked at most once a second however often
// the load balancer probes; a closed store, or shutting down, is not
// ready.
func TestReadiness(t *testing.T) {
	store := memory.New()
	var pings int
	var draining bool
	clock := &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	r := &readiness{
		ping:     func(ctx context.Context) error { pings++; return store.Ping(ctx) },
		draining: func() bool { return draining },
		now:      clock.Now,
		log:      slog.New(slog.NewTextHandler(&logs, nil)),
	}
	get := func() (int, string) {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w.Code, w.Body.String()
	}
	for range 5 {
		if code, body := get(); code != http.StatusOK || body != "ready" {
			t.Fatalf("open store: %d %q, want 200 ready", code, body)
		}
	}
	if pings != 1 {
		t.Errorf("store pinged %d times for 5 probes within a second, want 1", pings)
	}
	store.Close()
	clock.Add(readyTTL)
	if code, body := get(); code != http.StatusServiceUnavailable || body != "store unreachable" {
		t.Errorf("closed store: %d %q, want 503 store unreachable", code, body)
	}
	if !bytes.Contains(logs.Bytes(), []byte(memory.ErrClosed.Error())) {
		t.Errorf("the store's error was not logged: %s", logs.String())
	}
	draining = true
	clock.Add(readyTTL)
	before := pings
	if code, body := get(); code != http.StatusServiceUnavailable || body != "shutting down" {
		t.Errorf("draining: %d %q, want 503 shutting down", code, body)
	}
	if pings != before {
		t.Error("the store was pinged while shutting down")
	}
	if !errors.Is(store.Ping(context.Background()), memory.ErrClosed) {
		t.Error("memory store Ping after Close is not ErrClosed")
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// scrape reads one sample of /metrics by its name and labels as written
// there (`learnpact_turns_total{kind="text",outcome="saved",platform="slack"}`);
// 0 when absent.
func scrape(t *testing.T, base, sample string) float64 {
	t.Helper()
	_, body := probe(t, base+"/metrics")
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if ok && name == sample {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return f
		}
	}
	return 0
}

// TestMetricsAndLogsOfARun drives the sandbox through a few turns with
// JSON logs at debug level, scrapes /metrics before and after, and scans
// the logs: the counters move, every line is JSON, each turn's line has a
// request id, and no token, secret or typed text is ever logged.
func TestMetricsAndLogsOfARun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var logs lockedBuffer
	m := startMainLogging(t, map[string]string{"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")}, &logs)
	ws := m.sandbox
	const turns = `learnpact_turns_total{kind="text",outcome="saved",platform="slack"}`
	const acks = `learnpact_ack_seconds_count{code="200",platform="slack"}`
	before, acksBefore := scrape(t, m.URL(), turns), scrape(t, m.URL(), acks)

	typed := []string{"new", "Quokka-typed design reviews 4711", "Run seven Wombat-typed reviews with a checklist"}
	for i, text := range typed {
		say(ctx, t, ws, text)
		awaitReplies(ctx, t, ws, i+1)
	}
	if got := scrape(t, m.URL(), turns); got < before+3 {
		t.Errorf("%s went from %v to %v after three typed turns", turns, before, got)
	}
	if got := scrape(t, m.URL(), acks); got < acksBefore+3 {
		t.Errorf("%s went from %v to %v", acks, acksBefore, got)
	}
	// A 429 from Slack is counted by method, and the reply still comes.
	const limited = `learnpact_rate_limited_total{method="chat.postMessage",platform="slack"}`
	ws.FailNext("chat.postMessage", http.StatusTooManyRequests, 0, 1)
	say(ctx, t, ws, "help")
	awaitReplies(ctx, t, ws, len(typed)+1)
	if got := scrape(t, m.URL(), limited); got != 1 {
		t.Errorf("%s = %v, want 1", limited, got)
	}
	_, body := probe(t, m.URL()+"/metrics")
	for _, want := range []string{`learnpact_outbox_messages{platform="slack"}`, `learnpact_outbox_oldest_seconds{platform="slack"}`,
		"learnpact_turn_seconds_bucket", "learnpact_due_lag_seconds_count", `learnpact_store_errors_total{op="save"}`} {
		if !strings.Contains(body, want) && !strings.Contains(body, "# HELP "+want) {
			t.Errorf("/metrics has no %s", want)
		}
	}

	secrets := []string{ws.Token(), ws.Secret()}
	if tok := regexp.MustCompile(`<meta name="sandbox-token" content="([^"]+)">`).FindStringSubmatch(get(t, m.URL()+"/")); tok != nil {
		secrets = append(secrets, tok[1])
	}
	lines, withID := 0, 0
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("a log line is not JSON: %s", sc.Text())
			continue
		}
		if rec["msg"] == "turn" && rec["request_id"] != nil {
			withID++
		}
		for _, s := range secrets {
			if strings.Contains(sc.Text(), s) {
				t.Errorf("a log line holds a token: %s", sc.Text())
			}
		}
		for _, s := range typed[1:] {
			if strings.Contains(sc.Text(), s) {
				t.Errorf("a log line holds typed text: %s", sc.Text())
			}
		}
	}
	if lines == 0 || withID < len(typed) {
		t.Errorf("%d log lines, %d turn lines with a request id; want at least %d", lines, withID, len(typed))
	}
}

// TestReadyzRefusedCredentials: when Slack refuses the bot token
// (auth.test: invalid_auth), /readyz says so; /healthz still answers.
func TestReadyzRefusedCredentials(t *testing.T) {
	var calls atomic.Int32
	second := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			if calls.Add(1) == 2 {
				close(second)
			}
		}
		w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
	}))
	defer api.Close()
	cfg, err := LoadConfig(envFrom(map[string]string{
		"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db"),
		"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL + "/api/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg)
	m.Stdout, m.Log = nil, testLogger(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	<-second // the first answer was taken in before auth.test was asked again
	if code, body := probe(t, m.URL()+"/readyz"); code != http.StatusServiceUnavailable || body != "platform credentials refused" {
		t.Errorf("/readyz = %d %q, want 503 platform credentials refused", code, body)
	}
	if code, _ := probe(t, m.URL()+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
}

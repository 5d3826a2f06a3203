package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// fakeWorld is Slack's Web API and Microsoft's token endpoint, answering
// as told.
type fakeWorld struct {
	scopes     []string
	date       time.Time
	socketOK   bool
	teamsOK    bool
	slack, tok *httptest.Server
}

func newFakeWorld(t *testing.T, w *fakeWorld) *fakeWorld {
	w.slack = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Date", w.date.UTC().Format(http.TimeFormat))
		switch {
		case strings.HasSuffix(r.URL.Path, "/auth.test") && r.Header.Get("Authorization") == "Bearer xoxb-doctor":
			rw.Header().Set("X-OAuth-Scopes", strings.Join(w.scopes, ","))
			io.WriteString(rw, `{"ok":true,"user_id":"U0BOT","team":"Acme"}`)
		case strings.HasSuffix(r.URL.Path, "/apps.connections.open") && w.socketOK:
			io.WriteString(rw, `{"ok":true,"url":"wss://example.invalid/"}`)
		default:
			io.WriteString(rw, `{"ok":false,"error":"invalid_auth"}`)
		}
	}))
	w.tok = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if !w.teamsOK {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"error":"invalid_client"}`)
			return
		}
		io.WriteString(rw, `{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ0"}`)
	}))
	t.Cleanup(w.slack.Close)
	t.Cleanup(w.tok.Close)
	return w
}

func runDoctor(t *testing.T, w *fakeWorld, redisURL string, now time.Time) (*doctor, string) {
	t.Helper()
	cfg, err := LoadConfig(envFrom(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-doctor", "SLACK_APP_TOKEN": "xapp-doctor", "SLACK_API_URL": w.slack.URL + "/api/",
		"REDIS_URL": redisURL, "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db"),
		"MICROSOFT_APP_ID": teamsAppID, "MICROSOFT_APP_PASSWORD": "secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := &doctor{cfg: cfg, client: &http.Client{Timeout: 5 * time.Second}, teamsTokenURL: w.tok.URL, now: func() time.Time { return now }}
	d.run(context.Background())
	var out bytes.Buffer
	d.print(&out)
	return d, out.String()
}

// TestDoctorSaysWhatToFix: a token without files:write, a clock two
// minutes off, Socket Mode refused, Redis without an append-only file and
// Teams credentials refused each get a line with what to do.
func TestDoctorSaysWhatToFix(t *testing.T) {
	srv := redistest.Start(t) // started with appendonly no
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	var scopes []string
	for _, s := range slackbot.Scopes {
		if s != "files:write" {
			scopes = append(scopes, s)
		}
	}
	w := newFakeWorld(t, &fakeWorld{scopes: scopes, date: now.Add(-2 * time.Minute)})
	d, out := runDoctor(t, w, srv.URL(), now)
	t.Logf("doctor's checklist:\n%s", out)
	if !d.failed() {
		t.Errorf("doctor found nothing to fix:\n%s", out)
	}
	for _, want := range []string{
		"✓ Redis answers",
		"! Redis keeps no append-only file (appendonly no)\n    → set appendonly yes",
		"✓ Slack accepts the bot token (bot U0BOT in Acme)",
		"✗ the bot token lacks scopes of manifest.yaml: files:write\n    → add them",
		"✗ this clock is 2m0s off Slack's",
		"✗ Socket Mode refused: invalid_auth",
		"✗ Microsoft refuses the Teams credentials",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor's checklist lacks %q:\n%s", want, out)
		}
	}
}

// TestDoctorAllGood: with everything in order, nothing fails.
func TestDoctorAllGood(t *testing.T) {
	srv := redistest.Start(t)
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer c.Close()
	if err := c.ConfigSet(context.Background(), "appendonly", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	w := newFakeWorld(t, &fakeWorld{scopes: slackbot.Scopes, date: now.Add(3 * time.Second), socketOK: true, teamsOK: true})
	d, out := runDoctor(t, w, srv.URL(), now)
	if d.failed() || strings.Contains(out, "!") {
		t.Errorf("doctor complains about a sound setup:\n%s", out)
	}
	for _, want := range []string{"✓ Redis keeps an append-only file", "✓ the bot token has every scope", "✓ the clock is within 30s", "✓ Socket Mode", "✓ Microsoft issues a token"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor's checklist lacks %q:\n%s", want, out)
		}
	}
}

// Doctor says how many templates drafts may start from, and warns when a
// template directory holds none.
func TestDoctorTemplates(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want string
	}{
		{"", "✓ templates: the 3 shipped examples"},
		{t.TempDir(), "! templates: " + os.TempDir()},
	} {
		cfg, err := LoadConfig(envFrom(map[string]string{"LEARNPACT_TEMPLATES": tc.dir}))
		if err != nil {
			t.Fatal(err)
		}
		d := &doctor{cfg: cfg}
		d.templates()
		var out bytes.Buffer
		d.print(&out)
		if !strings.HasPrefix(out.String(), tc.want) {
			t.Errorf("LEARNPACT_TEMPLATES=%q: doctor says %q, want %q…", tc.dir, out.String(), tc.want)
		}
	}
}

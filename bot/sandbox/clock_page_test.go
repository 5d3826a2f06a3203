package sandbox

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The page's clock controls: +1 hour, the person's next working morning
// and a date and time on their wall clock; the clock never goes back.
func TestPageClockControls(t *testing.T) {
	p := newPageEnv(t) // Mon 13 Jan 2025 09:00 UTC
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	steps := []struct {
		as   string
		body map[string]any
		want string // the clock after, in UTC
	}{
		{Learner, map[string]any{"advance": "1h"}, "2025-01-13T10:00:00Z"},
		// London, Monday 10:00: Tuesday 09:00.
		{Learner, map[string]any{"to": "morning"}, "2025-01-14T09:00:00Z"},
		// New York, Tuesday 04:00: the same day's 09:00.
		{Manager, map[string]any{"to": "morning"}, "2025-01-14T14:00:00Z"},
		// A date on Sydney's wall clock (UTC+11 in January).
		{PeerKim, map[string]any{"to": "2025-01-18T06:30"}, "2025-01-17T19:30:00Z"},
		// London, Friday 19:30: Monday 09:00.
		{Learner, map[string]any{"to": "morning"}, "2025-01-20T09:00:00Z"},
	}
	for _, s := range steps {
		body := map[string]any{"as": s.as}
		for k, v := range s.body {
			body[k] = v
		}
		if status, resp := p.uiPost(t, "/ui/clock", body, nil); status != http.StatusOK {
			t.Fatalf("clock %v as %s: %d %v", s.body, s.as, status, resp)
		}
		if got := p.w.Clock().Now(); !got.Equal(at(s.want)) {
			t.Fatalf("after %v as %s the clock is %v, want %s", s.body, s.as, got.UTC(), s.want)
		}
	}
	before := p.w.Clock().Now()
	for _, bad := range []map[string]any{
		{"as": Learner, "to": "2025-01-20T08:59"}, // the past
		{"as": Learner, "to": "2025-01-20T09:00"}, // now
		{"as": Learner, "to": "2026-01-22T09:00"}, // more than a year on
		{"as": Learner, "to": "tomorrow"},
		{"as": Learner, "to": "2025-02-30T09:00"},
		{"as": "U99NOBODY", "to": "morning"},
		{"as": BotUser, "to": "morning"},
	} {
		if status, resp := p.uiPost(t, "/ui/clock", bad, nil); status != http.StatusBadRequest || resp["error"] == "" {
			t.Errorf("clock %v: %d %v, want 400 with a reason", bad, status, resp)
		}
	}
	if got := p.w.Clock().Now(); !got.Equal(before) {
		t.Errorf("refused moves changed the clock to %v", got)
	}
}

// "Next working morning" follows the working hours the sandbox is given.
func TestPageClockWorkingMorningFromConfig(t *testing.T) {
	p := newPageEnv(t)
	var asked *time.Location
	p.w.morning = func(now time.Time, loc *time.Location) time.Time {
		asked = loc
		return now.Add(50 * time.Hour)
	}
	if status, resp := p.uiPost(t, "/ui/clock", map[string]any{"as": PeerLee, "to": "morning"}, nil); status != http.StatusOK {
		t.Fatalf("%d %v", status, resp)
	}
	if got := p.w.Clock().Now(); !got.Equal(start.Add(50 * time.Hour)) {
		t.Errorf("clock %v, want the configured morning", got)
	}
	if asked == nil || asked.String() != "Asia/Kolkata" {
		t.Errorf("working morning asked in %v, want the person's zone", asked)
	}
}

// The page's controls are on the page.
func TestPageHasClockControls(t *testing.T) {
	p := newPageEnv(t)
	_, body := p.get(t, "/")
	for _, id := range []string{"clock-plus-hour", "clock-morning", "clock-to", "clock-go"} {
		if !strings.Contains(body, `data-testid="`+id+`"`) {
			t.Errorf("the page has no %s", id)
		}
	}
}

// A tab left open keeps working after a restart: the page token is kept
// in the state file, on file before anything else changes.
func TestPageTokenSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	e := newStateEnv(t, path, NewClock(start), nil)
	tok := e.w.pageToken
	onFile := func() string {
		p := e.w.persist
		p.mu.Lock()
		saved := p.saved
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), tok) {
			p.mu.Unlock()
			return tok
		}
		p.mu.Unlock()
		select {
		case <-saved:
		case <-time.After(10 * time.Second):
			t.Fatal("the new workspace was not saved")
		}
		return readState(t, path).PageToken
	}
	if got := onFile(); got != tok {
		t.Fatalf("page token on file %q, want %q", got, tok)
	}
	// Killed, not closed: the next process reads what is on file.
	r := newStateEnv(t, path, NewClock(start), nil)
	if r.w.pageToken != tok {
		t.Errorf("after a restart the page token is %q, want %q", r.w.pageToken, tok)
	}
	r.w.Close()

	// A token that is not one the sandbox makes is not taken.
	st := readState(t, path)
	for _, bad := range []string{"", "short", strings.Repeat("G", 32)} {
		st.PageToken = bad
		writeState(t, path, st)
		n := newStateEnv(t, path, NewClock(start), nil)
		if n.w.pageToken == bad || !pageTokenPattern.MatchString(n.w.pageToken) {
			t.Errorf("a saved token %q gave the page token %q", bad, n.w.pageToken)
		}
		n.w.Close()
	}
}

// writeState writes a state file as the workspace would.
func writeState(t *testing.T, path string, st savedState) {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

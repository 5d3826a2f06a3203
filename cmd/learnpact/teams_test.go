package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/storage"
)

// emulator stands in for the Bot Framework Emulator's connector: it takes
// the bot's replies without a token, as the emulator does.
type emulator struct {
	*httptest.Server
	mu      sync.Mutex
	replies []string // texts of the cards and messages the bot sent
	got     chan struct{}
}

func newEmulator(t *testing.T) *emulator {
	e := &emulator{got: make(chan struct{}, 64)}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.replies = append(e.replies, r.Method+" "+r.URL.Path+" "+string(body))
		e.mu.Unlock()
		e.got <- struct{}{}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"a1"}`)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *emulator) await(ctx context.Context, t *testing.T, want string) {
	t.Helper()
	for {
		e.mu.Lock()
		for _, r := range e.replies {
			if strings.Contains(r, want) {
				e.mu.Unlock()
				return
			}
		}
		e.mu.Unlock()
		select {
		case <-e.got:
		case <-ctx.Done():
			t.Fatalf("the bot never sent %q to the Teams connector; got %q", want, e.replies)
		}
	}
}

// TestTwoPlatformsOneProcess runs the program once and talks to it from
// the sandbox Slack workspace and from Teams (unauthenticated, as the Bot
// Framework Emulator does on this machine) at the same time: one store,
// one scheduler, identities kept per platform.
func TestTwoPlatformsOneProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	m := startMain(t, map[string]string{"ADDR": "127.0.0.1:0", "LEARNPACT_DATA": filepath.Join(t.TempDir(), "learnpact.db")})
	if got := len(m.platforms()); got != 2 {
		t.Fatalf("%d platforms served, want Slack and Teams", got)
	}
	emu := newEmulator(t)

	say(ctx, t, m.sandbox, "new")
	act := map[string]any{
		"type": "message", "id": "m1", "channelId": "emulator", "serviceUrl": emu.URL + "/",
		"from":         map[string]any{"id": sandbox.Learner, "name": "Ada on Teams"},
		"recipient":    map[string]any{"id": "bot", "name": "learnpact"},
		"conversation": map[string]any{"id": "conv-1", "conversationType": "personal"},
		"text":         "new",
	}
	body, _ := json.Marshal(act)
	resp, err := http.Post(m.URL()+"/api/messages", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST /api/messages = %d", resp.StatusCode)
	}
	emu.await(ctx, t, "a title")
	awaitReplies(ctx, t, m.sandbox, 1)

	// The same user id on both platforms is two people with a draft each,
	// asked whether to start from one of the shipped templates.
	slackSess := session(ctx, t, m, storage.UserKey{Platform: "slack", Team: m.sandbox.TeamID(), User: sandbox.Learner})
	if slackSess.ContractID == "" || slackSess.State != conversation.StateStart {
		t.Fatalf("Slack session: %+v", slackSess)
	}
	// Without a tenant (the emulator sends none) the Teams team is empty.
	teamsSess := session(ctx, t, m, storage.UserKey{Platform: "teams", User: sandbox.Learner})
	if teamsSess.ContractID == "" || teamsSess.ContractID == slackSess.ContractID {
		t.Fatalf("Teams session %+v, Slack's contract %s", teamsSess, slackSess.ContractID)
	}
	c, _, err := m.store.Contract(ctx, teamsSess.ContractID)
	if err != nil || !strings.Contains(string(c), `"platform":"teams"`) {
		t.Fatalf("Teams contract: %s, %v", c, err)
	}
}

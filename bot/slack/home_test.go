package slack

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func homeEvent(eventID, user, tab string) string {
	return mustJSON(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": eventID,
		"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": tab, "event_ts": "1.1"},
	})
}

// publishedHomes returns the views.publish calls, by user.
func publishedHomes(t *testing.T, api *fakeAPI) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, c := range api.Calls("views.publish") {
		var req struct {
			UserID string          `json:"user_id"`
			View   json.RawMessage `json:"view"`
		}
		if err := json.Unmarshal(c.Body, &req); err != nil {
			t.Fatalf("views.publish body %s: %v", c.Body, err)
		}
		out[req.UserID] = append(out[req.UserID], string(req.View))
	}
	return out
}

// TestAppHomeOpened: opening the Home tab publishes the person's home; the
// Messages tab publishes nothing; a turn that starts a contract refreshes
// the home.
func TestAppHomeOpened(t *testing.T) {
	h := newHarness(t, defaultLimits, nil)
	for _, ev := range []string{homeEvent("Ev1", "U1", "home"), homeEvent("Ev2", "U2", "messages")} {
		if resp := h.postEvent(t, ev, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	h.postEvent(t, dmEvent("Ev3", "U1", "new"), nil)
	h.postEvent(t, mustJSON(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": "Ev4",
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1", "text": "Facilitating retros", "ts": "1.2"},
	}), nil)
	h.finish(t)
	homes := publishedHomes(t, h.api)
	if len(homes["U2"]) != 0 {
		t.Errorf("the Messages tab published %d homes", len(homes["U2"]))
	}
	got := homes["U1"]
	if len(got) < 2 {
		t.Fatalf("U1's homes: %d published, want the one opened and one after the draft began", len(got))
	}
	if !strings.Contains(got[0], `"type":"home"`) || !strings.Contains(got[0], "Your learning contracts") || !strings.Contains(got[0], "New contract") {
		t.Errorf("first home: %s", got[0])
	}
	if last := got[len(got)-1]; !strings.Contains(last, "Facilitating retros") {
		t.Errorf("the home after the draft began does not show it: %s", last)
	}
}

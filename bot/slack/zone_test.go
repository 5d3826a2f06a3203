package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// storeProposed stores a contract ULEE proposed to UMO (version 1, due
// 2027-03-19).
func storeProposed(t *testing.T, s storage.Store, now time.Time) {
	t.Helper()
	c := contract.New("c1", "slack", "T1", "ULEE", now)
	c.Terms.Title = "Running design reviews"
	c.Terms.Goals = []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}}
	c.Terms.Evidence = []string{"A write-up of three reviews"}
	c.Terms.Criteria = []contract.Criterion{{Text: "Two teammates use the checklist without help", ProposedBy: "ULEE"}}
	c.Terms.Deadline = time.Date(2027, 3, 19, 0, 0, 0, 0, time.UTC)
	if err := c.SetApprover("ULEE", "UMO", now); err != nil {
		t.Fatal(err)
	}
	if err := c.DoPropose("ULEE", "", now); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	learner := storage.UserKey{Platform: "slack", Team: "T1", User: "ULEE"}
	users := []storage.UserKey{learner, {Platform: "slack", Team: "T1", User: "UMO"}}
	if err := s.Save(context.Background(), storage.TurnWrite{User: learner, Session: []byte(`{"user":"ULEE"}`), CurrentContract: c.ID, Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: users}}); err != nil {
		t.Fatal(err)
	}
}

// amendDeadline is UMO's amendment form for c1 with a new deadline typed.
func amendDeadline(typed string) string {
	return mustJSON(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UMO"}, "team": map[string]any{"id": "T1"},
		"view": map[string]any{"callback_id": "amend", "private_metadata": "c=c1&v=1",
			"state": map[string]any{"values": map[string]any{
				"deadline": map[string]any{"deadline": map[string]any{"type": "plain_text_input", "value": typed}},
			}}},
	})
}

// TestModalDatesInThePersonsZone: the amendment form is checked, while
// Slack waits for the answer, in the approver's own time zone, the zone
// Step then reads it in. A date the form accepts is applied, and a date
// Step would refuse keeps the form open. Near midnight UTC the two used to
// disagree, as the form was checked in UTC.
func TestModalDatesInThePersonsZone(t *testing.T) {
	tests := []struct {
		name   string
		zone   string    // the approver's, "" when not known yet
		now    time.Time // when the form is sent
		typed  string
		accept bool
	}{
		// 23:30 on Wed 20 Jan in Los Angeles is 07:30 on the 21st in UTC:
		// the 21st is tomorrow for the approver, not today.
		{"tomorrow, behind UTC", "America/Los_Angeles", time.Date(2027, 1, 21, 7, 30, 0, 0, time.UTC), "2027-01-21", true},
		// 08:00 on Thu 21 Jan in Tokyo is 23:00 on the 20th in UTC: the
		// 21st is today for the approver, so it is refused before the form
		// closes rather than after.
		{"today, ahead of UTC", "Asia/Tokyo", time.Date(2027, 1, 20, 23, 0, 0, 0, time.UTC), "2027-01-21", false},
		{"today, zone not known yet", "", time.Date(2027, 1, 20, 23, 0, 0, 0, time.UTC), "2027-01-20", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessAt(t, defaultLimits, nil, func() time.Time { return tc.now })
			storeProposed(t, h.store, tc.now.AddDate(0, 0, -7))
			h.api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"ok":true,"user":{"id":"UMO","tz":%q}}`, tc.zone)
			})
			if tc.zone != "" {
				// The approver's click that opened the form was a turn,
				// which learned their zone.
				if got := h.a.Location(t.Context(), "UMO"); got.String() != tc.zone {
					t.Fatalf("zone %v, want %s", got, tc.zone)
				}
			}
			asked := len(h.api.Calls("users.info"))

			resp := h.postInteraction(t, amendDeadline(tc.typed))
			body := readBody(t, resp)
			if n := len(h.api.Calls("users.info")); !tc.accept && n != asked {
				t.Errorf("answering the form asked Slack for the time zone (%d users.info calls)", n-asked)
			}
			turns := h.finish(t)
			c := new(contract.Contract)
			data, _, err := h.store.Contract(context.Background(), "c1")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, c); err != nil {
				t.Fatal(err)
			}
			if !tc.accept {
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"deadline"`) || !strings.Contains(body, "today or already past") {
					t.Errorf("the form was not kept open on the deadline: %d %s", resp.StatusCode, body)
				}
				if len(turns) != 0 || c.Version != 1 {
					t.Errorf("a refused form ran %d turns; contract at version %d", len(turns), c.Version)
				}
				return
			}
			if resp.StatusCode != http.StatusOK || body != "" {
				t.Fatalf("the form was refused: %d %s", resp.StatusCode, body)
			}
			if len(turns) != 1 {
				t.Fatalf("%d turns, want the submission's", len(turns))
			}
			if c.Version != 2 || c.Terms.Deadline.Format(time.DateOnly) != tc.typed {
				t.Errorf("Step did not apply the amendment: version %d, deadline %s", c.Version, c.Terms.Deadline.Format(time.DateOnly))
			}
		})
	}
}

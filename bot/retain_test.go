package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// TestRetainClosed: closed contracts older than the retention period go,
// from the store and from their parties' lists; younger closed ones and
// old contracts still under way stay.
func TestRetainClosed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2029, 6, 1, 9, 0, 0, 0, time.UTC)
	s := memory.New()
	e, err := bot.New(bot.Config{Store: s, Docs: s, Erase: s, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	lee := storage.UserKey{Platform: "slack", Team: "T1", User: "ULEE"}
	for _, c := range []contract.Contract{
		{ID: "old-done", Status: contract.Completed, UpdatedAt: now.AddDate(-3, 0, 0)},
		{ID: "old-withdrawn", Status: contract.Withdrawn, UpdatedAt: now.AddDate(-2, 0, -1)},
		{ID: "young-done", Status: contract.Completed, UpdatedAt: now.AddDate(-1, 0, 0)},
		{ID: "old-active", Status: contract.Active, UpdatedAt: now.AddDate(-3, 0, 0)},
	} {
		c.Platform, c.Team, c.Learner, c.Approver = "slack", "T1", "ULEE", "UMO"
		data, _ := json.Marshal(c)
		if err := s.Save(ctx, storage.TurnWrite{User: lee, Contract: &storage.ContractWrite{ID: c.ID, Data: data, Users: []storage.UserKey{lee}}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.RetainClosed(ctx, 2*365*24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("RetainClosed deleted %d (%v), want 2", n, err)
	}
	for _, id := range []string{"old-done", "old-withdrawn"} {
		if _, _, err := s.Contract(ctx, id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s is still stored (%v)", id, err)
		}
	}
	if ids, _ := s.Contracts(ctx, lee); len(ids) != 2 || ids[0] != "young-done" || ids[1] != "old-active" {
		t.Errorf("Lee's contracts = %v, want young-done and old-active", ids)
	}
}

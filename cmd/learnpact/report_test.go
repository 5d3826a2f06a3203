package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/report/reporttest"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// TestReportCommand writes contracts into an embedded store and reads the
// report the command makes of them.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "lp.db")
	s, err := embedded.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	for i := range 6 {
		at := created
		if i == 0 {
			at = created.AddDate(0, -1, 0) // before -since
		}
		c := contract.New(fmt.Sprintf("c%d", i), "slack", "T1", fmt.Sprintf("U%d", i), at)
		c.Approver = "UA"
		if i >= 3 {
			c.Status, c.CompletedAt = contract.Completed, at.AddDate(0, 2, 0)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		u := storage.UserKey{Platform: "slack", Team: "T1", User: c.Learner}
		if err := s.Save(t.Context(), storage.TurnWrite{User: u, Contract: &storage.ContractWrite{ID: c.ID, Data: b, Users: []storage.UserKey{u}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "LEARNPACT_DATA" {
			return data
		}
		return ""
	}
	out := filepath.Join(dir, "report.csv")
	var stdout, stderr bytes.Buffer
	if code := cli(t.Context(), []string{"report", "-since", "2027-01-01", "-o", out}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if r[0] == "all" {
			got[r[3]] = r[4]
		}
	}
	if got["contracts"] != "5" || got["completed"] != "3" {
		t.Errorf("contracts %q, completed %q; want 5 and 3 (one is before -since)", got["contracts"], got["completed"])
	}
	if !strings.Contains(stderr.String(), "5 contracts by 5 learners") {
		t.Errorf("summary: %s", stderr.String())
	}
	if code := cli(t.Context(), []string{"report", "-since", "January"}, env, &stdout, &stderr); code != 2 {
		t.Errorf("a bad date: exit %d, want 2", code)
	}
}

// TestReportOfASeededStore: the report the command makes from a Redis
// store seeded with 1,000 contracts across the lifecycle matches the
// figures worked out by hand (reporttest.Figures).
func TestReportOfASeededStore(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range reporttest.Seed() {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		u := storage.UserKey{Platform: c.Platform, Team: c.Team, User: c.Learner}
		approver := storage.UserKey{Platform: c.Platform, Team: c.Team, User: c.Approver}
		w := storage.TurnWrite{User: u, Contract: &storage.ContractWrite{ID: c.ID, Data: b, Users: []storage.UserKey{u, approver}}}
		if err := s.Save(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "report.csv")
	env := func(k string) string {
		if k == "REDIS_URL" {
			return srv.URL()
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	if code := cli(t.Context(), []string{"report", "-o", out}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	got := map[string]string{}
	for _, r := range rows {
		if r[0] == "all" {
			got[r[3]] = r[4]
		}
	}
	w := reporttest.Figures
	want := map[string]string{
		"contracts": fmt.Sprint(w.Contracts), "learners": fmt.Sprint(w.Learners),
		"drafted": fmt.Sprint(w.Funnel.Drafted), "peer_reviewed": fmt.Sprint(w.Funnel.PeerReviewed),
		"proposed": fmt.Sprint(w.Funnel.Proposed), "signed": fmt.Sprint(w.Funnel.Signed),
		"submitted": fmt.Sprint(w.Funnel.Submitted), "completed": fmt.Sprint(w.Funnel.Completed),
		"impact_answered":          fmt.Sprint(w.Funnel.ImpactAnswered),
		"median_days_to_agreement": "2.0", "median_rounds": "2.0",
		"checkins_sent": fmt.Sprint(w.CheckIns.Total), "checkins_answered": fmt.Sprint(w.CheckIns.Of),
		"submitted_on_time": fmt.Sprint(w.OnTime.Of),
		"impact_a_lot":      fmt.Sprint(w.Impact.ALot), "impact_somewhat": fmt.Sprint(w.Impact.Somewhat), "impact_not_yet": fmt.Sprint(w.Impact.NotYet),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

package report_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/report"
	"github.com/learnpact/learnpact/conversation/report/reporttest"
)

var (
	seed = reporttest.Seed
	base = reporttest.Base
)

const day = 24 * time.Hour

// TestSeededReport checks the report of the seeded contracts against the
// figures worked out by hand from their rules (reporttest.Figures).
func TestSeededReport(t *testing.T) {
	r := report.Build(seed(), report.Options{Now: base.Add(400 * day)})
	want := reporttest.Figures
	if r.Figures != want {
		t.Errorf("figures:\n got %+v\nwant %+v", r.Figures, want)
	}
	var names []string
	for _, g := range r.Groups {
		names = append(names, g.Kind+":"+g.Name)
	}
	wantGroups := []string{"approver:A0", "approver:A1", "approver:A2", "approver:A3", "approver:A4", "approver:A5", "approver:A6", "approver:A7", "workspace:T1", "workspace:T2"}
	if !slices.Equal(names, wantGroups) {
		t.Errorf("groups %q, want %q (the approver of three learners left out)", names, wantGroups)
	}
	for _, g := range r.Groups {
		switch g.Kind + ":" + g.Name {
		case "approver:A0": // i = 8, 16, … 992
			if g.Contracts != 124 {
				t.Errorf("A0 has %d contracts, want 124", g.Contracts)
			}
		case "workspace:T2": // i = 600-999: ≥6 is 4 of each 10
			if g.Contracts != 400 || g.Funnel.Submitted != 160 {
				t.Errorf("T2: %d contracts, %d submitted; want 400, 160", g.Contracts, g.Funnel.Submitted)
			}
		}
	}
	wantThemes := []report.Theme{{"clear", 500}, {"leadership", 500}, {"present", 500}, {"queries", 500}, {"report", 500}, {"update", 500}, {"write", 500}}
	if !slices.Equal(r.Themes, wantThemes) {
		t.Errorf("themes %v, want %v", r.Themes, wantThemes)
	}
	wantBlockers := []report.Theme{{"access", 100}, {"waiting", 100}, {"warehouse", 100}}
	if !slices.Equal(r.Blockers, wantBlockers) {
		t.Errorf("blockers %v, want %v", r.Blockers, wantBlockers)
	}
}

func TestReportSinceAndApprover(t *testing.T) {
	cs := seed()
	// Contract i is created i hours after base: from i = 900 on.
	r := report.Build(cs, report.Options{Since: base.Add(900 * time.Hour), Now: base.Add(400 * day)})
	if r.Contracts != 100 || r.Funnel.Completed != 20 {
		t.Errorf("since: %d contracts, %d completed; want 100, 20", r.Contracts, r.Funnel.Completed)
	}
	own := report.Build(cs, report.Options{Approver: "small", Now: base})
	if own.Contracts != 3 || len(own.Groups) != 0 {
		t.Errorf("an approver's own report: %d contracts, %d groups; want 3 and none", own.Contracts, len(own.Groups))
	}
}

func TestThemesNeedFiveContracts(t *testing.T) {
	cs := seed()[:4]
	for _, c := range cs {
		c.Terms.Title = "Negotiate vendor contracts"
	}
	if th := report.Build(cs, report.Options{Now: base}).Themes; len(th) != 0 {
		t.Errorf("themes of 4 contracts: %v; want none", th)
	}
}

func TestCSV(t *testing.T) {
	r := report.Build(seed(), report.Options{Now: base.Add(400 * day), Since: base})
	r.Groups = append(r.Groups, report.Group{Kind: "approver", Name: "=HYPERLINK(\"http://x\")"})
	var b bytes.Buffer
	if err := report.WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	find := func(section, group, metric string) string {
		for _, row := range rows {
			if row[0] == section && row[2] == group && row[3] == metric {
				return row[4]
			}
		}
		return ""
	}
	for _, c := range []struct{ section, group, metric, want string }{
		{"all", "", "completed", "200"},
		{"all", "", "checkin_response_pct", "91.7"},
		{"all", "", "median_days_to_agreement", "2.0"},
		{"group", "T1", "contracts", "600"},
		{"theme", "", "leadership", "500"},
		{"report", "", "period", "since 2025-01-06"},
	} {
		if got := find(c.section, c.group, c.metric); got != c.want {
			t.Errorf("%s %s %s = %q, want %q", c.section, c.group, c.metric, got, c.want)
		}
	}
	if !strings.Contains(b.String(), `'=HYPERLINK`) && !slices.ContainsFunc(rows, func(row []string) bool { return row[2] == `'=HYPERLINK("http://x")` }) {
		t.Error("a value starting with = was not escaped")
	}
	if rows[0][0] != "section" || len(rows[0]) != 5 {
		t.Errorf("header %q", rows[0])
	}
}

func TestSummary(t *testing.T) {
	s := report.Summary(report.Build(seed(), report.Options{Now: base.Add(400 * day)}))
	for _, want := range []string{"1000 contracts by 1000 learners", "signed 600", "2200 of 2400 (92%)", "300 of 400 (75%)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

var base = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// seed makes 1,000 contracts spread over the lifecycle by their number i,
// so that each figure can be worked out by hand (see TestSeededReport):
//
//   - i%10 odd: shared with a learning set for review;
//   - i%10 ≥ 2: proposed, in 1+i%3 versions a day apart;
//   - i%10 ≥ 4: signed, (i%3)+1 days after the first proposal, then
//     prompted to check in four times a week apart, and answering all four
//     (two when i%5 = 0); with i%10 = 7 the first answer is Blocked,
//     waiting for access to the warehouse;
//   - i%10 ≥ 6: handed in, 50 days after creation (70 when i%4 = 0), with
//     the deadline at 60 days;
//   - i%10 ≥ 8: completed;
//   - i%10 = 9: the impact check answered: a lot, somewhat or not yet as
//     (i/10)%3 is 0, 1 or 2, after an earlier "not yet".
//
// Contracts 0-599 are in workspace T1, the rest in T2. Contracts 0-2 have
// approver "small" (too few learners to show), the others A0-A7 by i%8.
func seed() []*contract.Contract {
	var cs []*contract.Contract
	for i := range 1000 {
		created := base.Add(time.Duration(i) * time.Hour)
		c := &contract.Contract{
			ID: fmt.Sprintf("c%04d", i), Platform: "slack", Team: "T1",
			Learner: fmt.Sprintf("U%04d", i), Approver: fmt.Sprintf("A%d", i%8),
			Status: contract.Draft, CreatedAt: created,
		}
		if i >= 600 {
			c.Team = "T2"
		}
		if i < 3 {
			c.Approver = "small"
		}
		c.Terms = contract.Terms{Title: "Write SQL queries", Goals: []contract.Goal{{Text: "Write queries for the weekly report"}},
			Deadline: created.Truncate(day).Add(60 * day)}
		if i%2 == 0 {
			c.Terms.Title, c.Terms.Goals = "Present to leadership", []contract.Goal{{Text: "Give a clear leadership update"}}
		}
		stage := i % 10
		if stage%2 == 1 {
			c.Shares = []contract.Share{{}}
		}
		if stage >= 2 {
			c.Status = contract.Proposed
			for v := 1; v <= 1+i%3; v++ {
				c.Revisions = append(c.Revisions, contract.Revision{Version: v, Terms: c.Terms, At: created.Add(time.Duration(v) * day)})
			}
			c.Version = len(c.Revisions)
		}
		if stage >= 4 {
			active := c.Revisions[0].At.Add(time.Duration(i%3+1) * day)
			c.Status, c.Signed = contract.Active, c.Version
			c.History = append(c.History, contract.Event{At: active, Kind: "activated"})
			answers := 4
			if i%5 == 0 {
				answers = 2
			}
			for k := 1; k <= 4; k++ {
				prompt := active.Add(time.Duration(7*k) * day)
				c.Nudges = append(c.Nudges, contract.Nudge{Kind: contract.DueCheckIn, At: prompt, For: prompt})
				if k <= answers {
					ci := contract.CheckIn{At: prompt.Add(3 * time.Hour), By: c.Learner, Status: contract.OnTrack}
					if stage == 7 && k == 1 {
						ci.Status, ci.Happened = contract.Blocked, "Waiting for access to the warehouse"
					}
					c.CheckIns = append(c.CheckIns, ci)
				}
			}
		}
		if stage >= 6 {
			at := created.Add(50 * day)
			if i%4 == 0 {
				at = created.Add(70 * day)
			}
			c.Status, c.Submissions = contract.Submitted, []contract.Submission{{N: 1, At: at}}
		}
		if stage >= 8 {
			c.Status, c.CompletedAt = contract.Completed, c.Submissions[0].At.Add(3*day)
		}
		if stage == 9 {
			answer := []string{contract.ImpactALot, contract.ImpactSomewhat, contract.ImpactNotYet}[(i/10)%3]
			c.Impacts = []contract.Impact{
				{Day: 30, By: c.Learner, Answer: contract.ImpactNotYet, At: c.CompletedAt.Add(30 * day)},
				{Day: 90, By: c.Learner, Answer: answer, At: c.CompletedAt.Add(90 * day)},
				{Day: 90, By: c.Approver, Answer: contract.ImpactNotYet, At: c.CompletedAt.Add(91 * day)},
			}
		}
		cs = append(cs, c)
	}
	return cs
}

// TestSeededReport checks the report of seed against figures worked out
// by hand from its rules.
func TestSeededReport(t *testing.T) {
	r := Build(seed(), Options{Now: base.Add(400 * day)})
	want := Figures{
		Contracts: 1000, Learners: 1000,
		// stage counts: odd 500, ≥2 800, ≥4 600, ≥6 400, ≥8 200, =9 100.
		Funnel: Funnel{Drafted: 1000, PeerReviewed: 500, Proposed: 800, Signed: 600, Submitted: 400, Completed: 200, ImpactAnswered: 100},
		// i mod 30 fixes i%10 and i%3: each of i%3 = 0, 1, 2 has 33·6+2 =
		// 200 signed contracts, taking 1, 2 and 3 days and 1, 2 and 3
		// rounds: the medians are 2 days and 2 rounds.
		Agreement: 2 * day, Rounds: 2,
		// 600 signed × 4 prompts; the 100 with i%10 = 5 answer 2 of them.
		CheckIns: Rate{Of: 2200, Total: 2400},
		// of the 400 handed in, i%20 ∈ {8, 16} (100) are late.
		OnTime: Rate{Of: 300, Total: 400},
		// i%10 = 9: i/10 runs 0-99; 34 have (i/10)%3 = 0, 33 each the others.
		Impact: Impact{ALot: 34, Somewhat: 33, NotYet: 33},
	}
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
	wantThemes := []Theme{{"clear", 500}, {"leadership", 500}, {"present", 500}, {"queries", 500}, {"report", 500}, {"update", 500}, {"write", 500}}
	if !slices.Equal(r.Themes, wantThemes) {
		t.Errorf("themes %v, want %v", r.Themes, wantThemes)
	}
	wantBlockers := []Theme{{"access", 100}, {"waiting", 100}, {"warehouse", 100}}
	if !slices.Equal(r.Blockers, wantBlockers) {
		t.Errorf("blockers %v, want %v", r.Blockers, wantBlockers)
	}
}

func TestReportSinceAndApprover(t *testing.T) {
	cs := seed()
	// Contract i is created i hours after base: from i = 900 on.
	r := Build(cs, Options{Since: base.Add(900 * time.Hour), Now: base.Add(400 * day)})
	if r.Contracts != 100 || r.Funnel.Completed != 20 {
		t.Errorf("since: %d contracts, %d completed; want 100, 20", r.Contracts, r.Funnel.Completed)
	}
	own := Build(cs, Options{Approver: "small", Now: base})
	if own.Contracts != 3 || len(own.Groups) != 0 {
		t.Errorf("an approver's own report: %d contracts, %d groups; want 3 and none", own.Contracts, len(own.Groups))
	}
}

func TestThemesNeedFiveContracts(t *testing.T) {
	cs := seed()[:4]
	for _, c := range cs {
		c.Terms.Title = "Negotiate vendor contracts"
	}
	if th := Build(cs, Options{Now: base}).Themes; len(th) != 0 {
		t.Errorf("themes of 4 contracts: %v; want none", th)
	}
}

func TestCSV(t *testing.T) {
	r := Build(seed(), Options{Now: base.Add(400 * day), Since: base})
	r.Groups = append(r.Groups, Group{Kind: "approver", Name: "=HYPERLINK(\"http://x\")"})
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
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
		{"report", "", "period", "since 2027-01-04"},
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
	s := Summary(Build(seed(), Options{Now: base.Add(400 * day)}))
	for _, want := range []string{"1000 contracts by 1000 learners", "signed 600", "2200 of 2400 (92%)", "300 of 400 (75%)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

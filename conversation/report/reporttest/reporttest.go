// Package reporttest makes a set of 1,000 contracts spread over the
// lifecycle whose report figures are worked out by hand, for the tests of
// the report and of the commands that make it from a store.
package reporttest

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/report"
)

// Base is when the first seeded contract was created; contract i was
// created i hours later.
var Base = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// Seed makes 1,000 contracts spread over the lifecycle by their number i,
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
func Seed() []*contract.Contract {
	var cs []*contract.Contract
	for i := range 1000 {
		created := Base.Add(time.Duration(i) * time.Hour)
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

// Now is a time when every seeded contract's check-ins have gone out.
var Now = Base.Add(400 * day)

// Figures are the figures of Seed's report at Now, worked out by hand from
// its rules:
//
//   - the stages count i%10 odd 500, ≥2 800, ≥4 600, ≥6 400, ≥8 200, =9 100;
//   - i mod 30 fixes i%10 and i%3: each of i%3 = 0, 1, 2 has 33·6+2 = 200
//     signed contracts, taking 1, 2 and 3 days and 1, 2 and 3 versions, so
//     the medians are 2 days and 2 versions;
//   - 600 signed contracts × 4 prompts, the 100 with i%10 = 5 answering 2;
//   - of the 400 handed in, those with i%20 ∈ {8, 16} (100) are late;
//   - i%10 = 9 has i/10 from 0 to 99: 34 have (i/10)%3 = 0, 33 each other.
var Figures = report.Figures{
	Contracts: 1000, Learners: 1000,
	Funnel:    report.Funnel{Drafted: 1000, PeerReviewed: 500, Proposed: 800, Signed: 600, Submitted: 400, Completed: 200, ImpactAnswered: 100},
	Agreement: 2 * day, Rounds: 2,
	CheckIns: report.Rate{Of: 2200, Total: 2400},
	OnTime:   report.Rate{Of: 300, Total: 400},
	Impact:   report.Impact{ALot: 34, Somewhat: 33, NotYet: 33},
}

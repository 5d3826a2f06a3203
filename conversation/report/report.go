// Package report sums up contracts for L&D and approvers: how far
// contracts get (the funnel), how long agreement takes, whether check-ins
// are answered, whether work is handed in on time, what impact people
// report, and the topics and blockers many contracts share. It counts
// groups, never ranks people: figures by workspace or approver appear only
// for groups of at least MinGroup learners, and no figure names a learner.
package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// MinGroup is the fewest learners a group (a workspace, an approver's
// learners) must have to be shown on its own.
const MinGroup = 5

// Options choose what a report covers.
type Options struct {
	// Since keeps the contracts created from then on; zero keeps all.
	Since time.Time
	// Now is when the report is made.
	Now time.Time
	// Approver, when set, keeps only that approver's learners' contracts
	// (an approver's own report) and leaves out the breakdown by group.
	Approver string
}

// Report is the summary of a set of contracts.
type Report struct {
	Since, Now time.Time
	Approver   string
	Figures
	// Groups are the same figures by workspace and by approver, for groups
	// of at least MinGroup learners, by kind then name.
	Groups []Group
	// Themes are words many contracts' titles and goals share; Blockers
	// words many Blocked check-ins share. Each names at least minTheme
	// contracts; most frequent first, at most maxThemes.
	Themes   []Theme
	Blockers []Theme
}

// Figures are the counts and rates of one set of contracts.
type Figures struct {
	Contracts int
	Learners  int
	Funnel    Funnel
	// Agreement is the median time from the first proposal to the contract
	// coming into force, over the contracts that did; Rounds the median
	// number of versions proposed by then.
	Agreement time.Duration
	Rounds    float64
	// CheckIns are the check-in prompts that went out, and how many got an
	// answer before the next one.
	CheckIns Rate
	// OnTime are the contracts handed in (submitted), and how many of them
	// on or before the deadline in force.
	OnTime Rate
	// Impact counts each learner's latest answer to the impact check-back.
	Impact Impact
}

// Funnel counts the contracts that reached each stage.
type Funnel struct {
	Drafted, PeerReviewed, Proposed, Signed, Submitted, Completed, ImpactAnswered int
}

// Rate is Of out of Total.
type Rate struct{ Of, Total int }

// Percent is the rate in percent, 0 when there is nothing to count.
func (r Rate) Percent() float64 {
	if r.Total == 0 {
		return 0
	}
	return 100 * float64(r.Of) / float64(r.Total)
}

// Impact counts answers to "has this changed how you work?".
type Impact struct{ ALot, Somewhat, NotYet int }

// Group is the figures of one workspace or one approver's learners.
type Group struct {
	Kind string // "workspace" or "approver"
	Name string // the workspace (team) id or the approver's user id
	Figures
}

// Theme is a word and how many contracts use it.
type Theme struct {
	Word      string
	Contracts int
}

// Build makes the report of cs under opts.
func Build(cs []*contract.Contract, opts Options) Report {
	kept := make([]*contract.Contract, 0, len(cs))
	for _, c := range cs {
		if !opts.Since.IsZero() && c.CreatedAt.Before(opts.Since) {
			continue
		}
		if opts.Approver != "" && c.Approver != opts.Approver {
			continue
		}
		kept = append(kept, c)
	}
	r := Report{Since: opts.Since, Now: opts.Now, Approver: opts.Approver, Figures: figures(kept, opts.Now)}
	r.Themes = themes(kept, topicWords)
	r.Blockers = themes(kept, blockerWords)
	if opts.Approver == "" {
		r.Groups = groups(kept, opts.Now)
	}
	return r
}

// groups breaks cs down by workspace and by approver, keeping the groups
// of at least MinGroup learners.
func groups(cs []*contract.Contract, now time.Time) []Group {
	by := map[[2]string][]*contract.Contract{}
	for _, c := range cs {
		by[[2]string{"workspace", c.Team}] = append(by[[2]string{"workspace", c.Team}], c)
		if c.Approver != "" {
			by[[2]string{"approver", c.Approver}] = append(by[[2]string{"approver", c.Approver}], c)
		}
	}
	var out []Group
	for k, members := range by {
		f := figures(members, now)
		if f.Learners >= MinGroup {
			out = append(out, Group{Kind: k[0], Name: k[1], Figures: f})
		}
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name)) })
	return out
}

func figures(cs []*contract.Contract, now time.Time) Figures {
	var f Figures
	learners := map[string]bool{}
	var agreement []time.Duration
	var rounds []float64
	for _, c := range cs {
		f.Contracts++
		learners[c.Team+"/"+c.Learner] = true
		funnel(&f.Funnel, c)
		if d, n, ok := agreed(c); ok {
			agreement = append(agreement, d)
			rounds = append(rounds, float64(n))
		}
		sent, answered := checkIns(c, now)
		f.CheckIns.Total += sent
		f.CheckIns.Of += answered
		if len(c.Submissions) > 0 {
			f.OnTime.Total++
			if onTime(c) {
				f.OnTime.Of++
			}
		}
		switch latestImpact(c) {
		case contract.ImpactALot:
			f.Impact.ALot++
		case contract.ImpactSomewhat:
			f.Impact.Somewhat++
		case contract.ImpactNotYet:
			f.Impact.NotYet++
		}
	}
	f.Learners = len(learners)
	f.Agreement = median(agreement)
	f.Rounds = median(rounds)
	return f
}

func funnel(f *Funnel, c *contract.Contract) {
	f.Drafted++
	if len(c.Shares) > 0 || len(c.Feedback) > 0 {
		f.PeerReviewed++
	}
	if c.Version > 0 || len(c.Revisions) > 0 {
		f.Proposed++
	}
	if _, ok := activation(c); ok {
		f.Signed++
	}
	if len(c.Submissions) > 0 {
		f.Submitted++
	}
	if !c.CompletedAt.IsZero() || c.Status == contract.Completed {
		f.Completed++
	}
	if latestImpact(c) != "" {
		f.ImpactAnswered++
	}
}

// activation is when the contract first came into force.
func activation(c *contract.Contract) (time.Time, bool) {
	for _, e := range c.History {
		if e.Kind == "activated" {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// agreed returns the time from the first proposal to activation and the
// versions proposed by then.
func agreed(c *contract.Contract) (time.Duration, int, bool) {
	active, ok := activation(c)
	if !ok || len(c.Revisions) == 0 {
		return 0, 0, false
	}
	n := 0
	for _, r := range c.Revisions {
		if !r.At.After(active) {
			n++
		}
	}
	return active.Sub(c.Revisions[0].At), n, true
}

// checkIns counts the check-in prompts that went out before now and those
// answered by a check-in before the next prompt.
func checkIns(c *contract.Contract, now time.Time) (sent, answered int) {
	var prompts []time.Time
	for _, n := range c.Nudges {
		if (n.Kind == contract.DueCheckIn || n.Kind == contract.DueMidpoint) && !n.At.After(now) {
			prompts = append(prompts, n.At)
		}
	}
	slices.SortFunc(prompts, time.Time.Compare)
	for i, p := range prompts {
		next := now
		if i+1 < len(prompts) {
			next = prompts[i+1]
		}
		sent++
		for _, ci := range c.CheckIns {
			if !ci.At.Before(p) && ci.At.Before(next) {
				answered++
				break
			}
		}
	}
	return sent, answered
}

// onTime reports whether the first submission came on or before the
// deadline in force (the whole of its day counts).
func onTime(c *contract.Contract) bool {
	deadline := c.InForce().Deadline
	if deadline.IsZero() {
		return true
	}
	return c.Submissions[0].At.Before(deadline.AddDate(0, 0, 1))
}

// latestImpact is the learner's latest impact answer, or "".
func latestImpact(c *contract.Contract) string {
	answer := ""
	var at time.Time
	for _, im := range c.Impacts {
		if im.By == c.Learner && !im.At.Before(at) {
			answer, at = im.Answer, im.At
		}
	}
	return answer
}

// median of xs; 0 for none.
func median[T time.Duration | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

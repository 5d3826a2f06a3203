// Package learningset is a learning set: a shared channel whose members
// review each other's draft contracts. It keeps who was asked to review how
// often, who declined and who is away, and picks reviewers fairly. It is
// pure: members come from the platform, times from the caller.
package learningset

import (
	"slices"
	"strings"
	"time"
)

const (
	// DefaultReviewers is how many reviewers a shared draft gets unless
	// the set says otherwise.
	DefaultReviewers = 2
	// MaxReviewers bounds the reviewers a set may ask for.
	MaxReviewers = 5
	// Rest is how long someone who declined a review is not asked again.
	Rest = 7 * 24 * time.Hour
)

// Set is one learning set. Its members are the channel's members, read from
// the platform each time; Members here only holds the bookkeeping of those
// who were ever asked, declined or went away.
type Set struct {
	Platform  string    `json:"platform"`
	Team      string    `json:"team"`
	Channel   string    `json:"channel"`
	Name      string    `json:"name,omitempty"` // the channel's name, without '#'
	Reviewers int       `json:"reviewers,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Seq counts assignments, so the least recently asked can go first.
	Seq     int               `json:"seq,omitempty"`
	Members map[string]Member `json:"members,omitempty"`
}

// Member is what the set remembers of one person.
type Member struct {
	// Assigned counts the reviews they were asked for and did not decline.
	Assigned int `json:"assigned,omitempty"`
	// Last is the Seq of their latest assignment (0: never asked).
	Last      int       `json:"last,omitempty"`
	Declined  time.Time `json:"declined,omitzero"`
	AwayUntil time.Time `json:"away_until,omitzero"`
}

// New makes a channel a learning set.
func New(platform, team, channel, name, by string, now time.Time) Set {
	return Set{Platform: platform, Team: team, Channel: channel, Name: name, CreatedBy: by, CreatedAt: now}
}

// Key is where a set is stored.
func Key(platform, team, channel string) string {
	return "set:" + platform + ":" + team + ":" + channel
}

// IndexKey is where the list of a team's learning sets is stored.
func IndexKey(platform, team string) string { return "sets:" + platform + ":" + team }

// ThreadKey is where the contract of a draft shared as a thread root is
// stored, so replies in the thread find their contract.
func ThreadKey(platform, team, channel, ts string) string {
	return "thread:" + platform + ":" + team + ":" + channel + ":" + ts
}

// Size is how many reviewers a shared draft gets.
func (s Set) Size() int {
	if s.Reviewers <= 0 {
		return DefaultReviewers
	}
	return min(s.Reviewers, MaxReviewers)
}

// Label is how the set is named to people: "#name", or the channel id.
func (s Set) Label() string {
	if s.Name != "" {
		return "#" + strings.TrimPrefix(s.Name, "#")
	}
	return s.Channel
}

// Available reports whether a member can be asked at now: not away and not
// resting after a decline.
func (s Set) Available(user string, now time.Time) bool {
	m := s.Members[user]
	if now.Before(m.AwayUntil) {
		return false
	}
	return m.Declined.IsZero() || !now.Before(m.Declined.Add(Rest))
}

// Pick chooses up to n reviewers among members, leaving out those in
// exclude (the learner, people asked already) and those not available:
// the least loaded first, then the least recently asked, then in the
// order members are given.
func (s Set) Pick(members, exclude []string, n int, now time.Time) []string {
	var cand []string
	for _, u := range members {
		if u == "" || slices.Contains(exclude, u) || slices.Contains(cand, u) || !s.Available(u, now) {
			continue
		}
		cand = append(cand, u)
	}
	slices.SortStableFunc(cand, func(a, b string) int {
		ma, mb := s.Members[a], s.Members[b]
		if ma.Assigned != mb.Assigned {
			return ma.Assigned - mb.Assigned
		}
		return ma.Last - mb.Last
	})
	return cand[:min(n, len(cand))]
}

// Change is what a turn does to a set.
type Change struct {
	Assign    []string  `json:"assign,omitempty"`
	Decline   string    `json:"decline,omitempty"`
	Reviewers int       `json:"reviewers,omitempty"`
	Away      string    `json:"away,omitempty"` // a member going away until AwayUntil (zero: back)
	AwayUntil time.Time `json:"away_until,omitzero"`
}

// Apply makes a change at now.
func (s *Set) Apply(c Change, now time.Time) {
	if s.Members == nil {
		s.Members = map[string]Member{}
	}
	for _, u := range c.Assign {
		s.Seq++
		m := s.Members[u]
		m.Assigned++
		m.Last = s.Seq
		s.Members[u] = m
	}
	if u := c.Decline; u != "" {
		m := s.Members[u]
		m.Assigned = max(0, m.Assigned-1)
		m.Declined = now
		s.Members[u] = m
	}
	if c.Reviewers > 0 {
		s.Reviewers = min(c.Reviewers, MaxReviewers)
	}
	if u := c.Away; u != "" {
		m := s.Members[u]
		m.AwayUntil = c.AwayUntil
		s.Members[u] = m
	}
}

// View is a set as a turn sees it: the stored set (Exists false for a
// channel that is not a learning set yet) and the channel's members now.
type View struct {
	Set     Set
	Exists  bool
	Members []string
}

// Has reports whether user is a member of the channel now.
func (v View) Has(user string) bool { return user != "" && slices.Contains(v.Members, user) }

package learningset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func members(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("U%02d", i))
	}
	return out
}

// TestFairOverHundredShares shares 100 drafts in a set of 8, two
// reviewers each, members taking turns to share: after every share, no
// member has reviewed more than once more than any other who was available
// for it (everyone but that draft's learner), and over the whole run the
// counts differ by at most the one share each member sat out as learner.
func TestFairOverHundredShares(t *testing.T) {
	for offset := range 8 {
		ms := members(8)
		s := New("slack", "T1", "C1", "set", "U00", t0)
		now := t0
		for i := range 100 {
			learner := ms[(i+offset)%len(ms)]
			got := s.Pick(ms, []string{learner}, s.Size(), now)
			if len(got) != 2 || slices.Contains(got, learner) || got[0] == got[1] {
				t.Fatalf("offset %d: picked %v for %s", offset, got, learner)
			}
			s.Apply(Change{Assign: got}, now)
			lo, hi := 1<<30, 0
			for _, u := range ms {
				if u != learner {
					lo, hi = min(lo, s.Members[u].Assigned), max(hi, s.Members[u].Assigned)
				}
			}
			if hi-lo > 1 {
				t.Fatalf("offset %d, share %d (learner %s): available members reviewed %d..%d times: %+v", offset, i, learner, lo, hi, s.Members)
			}
			now = now.Add(time.Hour)
		}
		lo, hi, total := 1<<30, 0, 0
		for _, u := range ms {
			n := s.Members[u].Assigned
			lo, hi, total = min(lo, n), max(hi, n), total+n
		}
		if total != 200 || hi-lo > 2 {
			t.Fatalf("offset %d: reviews per member range %d..%d (total %d)", offset, lo, hi, total)
		}
	}
}

// TestFairAmongAvailable shares 100 drafts by learners at random, and one
// reviewer in ten declines (resting a week) and is replaced: nobody picked
// ever had more reviews than someone available who was left out.
func TestFairAmongAvailable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ms := members(8)
	s := New("slack", "T1", "C1", "set", "U00", t0)
	now := t0
	for i := range 100 {
		learner := ms[rng.IntN(len(ms))]
		var avail []string
		for _, u := range ms {
			if u != learner && s.Available(u, now) {
				avail = append(avail, u)
			}
		}
		got := s.Pick(ms, []string{learner}, 2, now)
		// Whoever was picked had no more reviews than anyone available who
		// was left out.
		for _, p := range got {
			for _, a := range avail {
				if !slices.Contains(got, a) && s.Members[p].Assigned > s.Members[a].Assigned {
					t.Fatalf("share %d: picked %s (%d) over %s (%d)", i, p, s.Members[p].Assigned, a, s.Members[a].Assigned)
				}
			}
		}
		s.Apply(Change{Assign: got}, now)
		if rng.IntN(10) == 0 {
			d := got[0]
			s.Apply(Change{Decline: d}, now)
			repl := s.Pick(ms, append([]string{learner}, got...), 1, now)
			if len(repl) != 1 || repl[0] == d {
				t.Fatalf("share %d: replacement %v for %s", i, repl, d)
			}
			s.Apply(Change{Assign: repl}, now)
			if s.Available(d, now.Add(Rest-time.Minute)) || !s.Available(d, now.Add(Rest)) {
				t.Fatalf("%s should rest exactly a week", d)
			}
		}
		now = now.Add(6 * time.Hour)
	}
}

func TestRotatesAmongEquals(t *testing.T) {
	ms := members(5)
	s := New("slack", "T1", "C1", "set", "U00", t0)
	seen := map[string]int{}
	for range 4 {
		got := s.Pick(ms, []string{"U00"}, 1, t0)
		s.Apply(Change{Assign: got}, t0)
		seen[got[0]]++
	}
	if len(seen) != 4 {
		t.Fatalf("four shares with one reviewer should ask four different people: %v", seen)
	}
}

func TestAwayAndExcluded(t *testing.T) {
	ms := members(4)
	s := New("slack", "T1", "C1", "set", "U00", t0)
	s.Apply(Change{Away: "U01", AwayUntil: t0.AddDate(0, 0, 3)}, t0)
	got := s.Pick(ms, []string{"U00"}, 5, t0)
	if !slices.Equal(got, []string{"U02", "U03"}) {
		t.Fatalf("away member picked or learner not excluded: %v", got)
	}
	if got := s.Pick(ms, []string{"U00"}, 5, t0.AddDate(0, 0, 3)); len(got) != 3 {
		t.Fatalf("member back from leave not picked: %v", got)
	}
	if got := s.Pick(nil, nil, 2, t0); len(got) != 0 {
		t.Fatalf("no members, picked %v", got)
	}
}

func TestSizeAndLabel(t *testing.T) {
	s := New("slack", "T1", "C1", "", "U00", t0)
	if s.Size() != DefaultReviewers || s.Label() != "C1" {
		t.Fatalf("defaults: %d %q", s.Size(), s.Label())
	}
	s.Apply(Change{Reviewers: 99}, t0)
	s.Name = "growth"
	if s.Size() != MaxReviewers || s.Label() != "#growth" {
		t.Fatalf("after change: %d %q", s.Size(), s.Label())
	}
}

// BenchmarkPick picks two reviewers in a set of 50 with a year of history.
func BenchmarkPick(b *testing.B) {
	ms := members(50)
	s := New("slack", "T1", "C1", "set", "U00", t0)
	for i := range 500 {
		s.Apply(Change{Assign: s.Pick(ms, []string{ms[i%50]}, 2, t0)}, t0)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if got := s.Pick(ms, []string{ms[i%50]}, 2, t0); len(got) != 2 {
			b.Fatal(got)
		}
	}
}

// TestLeastRecentlyAskedFirst: among members asked as often, the one asked
// longest ago comes first.
func TestLeastRecentlyAskedFirst(t *testing.T) {
	ms := members(4) // U00 is the learner
	s := New("slack", "T1", "C1", "set", "U00", t0)
	for i, want := range []string{"U01", "U02", "U03", "U01", "U02", "U03", "U01"} {
		got := s.Pick(ms, []string{"U00"}, 1, t0)
		if len(got) != 1 || got[0] != want {
			t.Fatalf("share %d: picked %v, want %s (asked least recently)", i+1, got, want)
		}
		s.Apply(Change{Assign: got}, t0)
	}
}

// TestDeclineIsNotCounted: a review declined does not count as one: after
// resting, the member who declined comes before those who reviewed.
func TestDeclineIsNotCounted(t *testing.T) {
	ms := members(5) // U00 is the learner
	s := New("slack", "T1", "C1", "set", "U00", t0)
	first := s.Pick(ms, []string{"U00"}, 2, t0)
	if !slices.Equal(first, []string{"U01", "U02"}) {
		t.Fatalf("first share picked %v", first)
	}
	s.Apply(Change{Assign: first}, t0)
	s.Apply(Change{Decline: "U02"}, t0)
	repl := s.Pick(ms, []string{"U00", "U01", "U02"}, 1, t0)
	if !slices.Equal(repl, []string{"U03"}) {
		t.Fatalf("replacement %v, want U03", repl)
	}
	s.Apply(Change{Assign: repl}, t0)
	if n := s.Members["U02"].Assigned; n != 0 {
		t.Errorf("U02 declined their only review and counts %d", n)
	}
	later := t0.Add(Rest)
	if got := s.Pick(ms, []string{"U00"}, 2, later); !slices.Equal(got, []string{"U04", "U02"}) {
		t.Fatalf("after the rest picked %v, want U04 and U02, who have reviewed nothing", got)
	}
}

// TestPickMatchesModel drives a set through random shares, declines and
// absences, and checks every pick against the rule computed here from the
// events alone (not from the set's own counts): available members other
// than the excluded, fewest reviews asked and not declined first, then the
// one asked longest ago (never asked first), then in the members' order.
func TestPickMatchesModel(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 99))
		ms := members(6)
		s := New("slack", "T1", "C1", "set", "U00", t0)
		asks := map[string][]int{} // member → ask numbers, in order
		declined := map[string]int{}
		restUntil := map[string]time.Time{}
		awayUntil := map[string]time.Time{}
		seq := 0
		now := t0
		expect := func(exclude []string, n int) []string {
			var cand []string
			for _, u := range ms {
				if slices.Contains(exclude, u) || now.Before(restUntil[u]) || now.Before(awayUntil[u]) {
					continue
				}
				cand = append(cand, u)
			}
			load := func(u string) int { return len(asks[u]) - declined[u] }
			last := func(u string) int {
				if a := asks[u]; len(a) > 0 {
					return a[len(a)-1]
				}
				return 0
			}
			var out []string
			for len(out) < n && len(cand) > 0 {
				best := 0
				for i, u := range cand {
					b := cand[best]
					if load(u) < load(b) || load(u) == load(b) && last(u) < last(b) {
						best = i
					}
				}
				out = append(out, cand[best])
				cand = slices.Delete(cand, best, best+1)
			}
			return out
		}
		assign := func(us []string) {
			for _, u := range us {
				seq++
				asks[u] = append(asks[u], seq)
			}
			s.Apply(Change{Assign: us}, now)
		}
		for i := range 200 {
			learner := ms[rng.IntN(len(ms))]
			want := expect([]string{learner}, 2)
			got := s.Pick(ms, []string{learner}, 2, now)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, share %d: picked %v, want %v", seed, i, got, want)
			}
			assign(got)
			if len(got) > 0 && rng.IntN(4) == 0 {
				d := got[rng.IntN(len(got))]
				declined[d]++
				restUntil[d] = now.Add(Rest)
				s.Apply(Change{Decline: d}, now)
				want := expect(append([]string{learner}, got...), 1)
				repl := s.Pick(ms, append([]string{learner}, got...), 1, now)
				if !slices.Equal(repl, want) {
					t.Fatalf("seed %d, share %d: replacement %v, want %v", seed, i, repl, want)
				}
				assign(repl)
			}
			if rng.IntN(10) == 0 {
				u := ms[rng.IntN(len(ms))]
				awayUntil[u] = now.Add(time.Duration(rng.IntN(72)) * time.Hour)
				s.Apply(Change{Away: u, AwayUntil: awayUntil[u]}, now)
			}
			now = now.Add(time.Duration(1+rng.IntN(48)) * time.Hour)
		}
	}
}

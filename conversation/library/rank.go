package library

import (
	"cmp"
	"math"
	"slices"
)

// Posting says that an example holds a term: Count times, in an example
// of Len terms.
type Posting struct {
	ID    string
	Count int
	Len   int
}

// Index is what ranking needs from a team's index for one search: how
// many examples it holds and their total length (in terms), and for each
// term searched the examples that hold it.
type Index struct {
	Docs     int
	TotalLen int64
	Postings map[string][]Posting
}

// Hit is an example found, with its score.
type Hit struct {
	ID    string
	Score float64
}

// BM25's parameters: how fast a term's weight saturates with its count
// (k1), and how much an example's length tempers it (b). The usual values.
const (
	k1 = 1.2
	b  = 0.75
)

// Rank scores the examples holding any of the terms with Okapi BM25 and
// returns the best first (ties by id), at most limit of them (all when
// limit ≤ 0).
func Rank(ix Index, terms []string, limit int) []Hit {
	if ix.Docs <= 0 || len(terms) == 0 {
		return nil
	}
	avg := float64(ix.TotalLen) / float64(ix.Docs)
	if avg <= 0 {
		avg = 1
	}
	n := 0
	for _, t := range terms {
		n = max(n, len(ix.Postings[t]))
	}
	scores := make(map[string]float64, n)
	seen := map[string]bool{}
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := ix.Postings[t]
		if len(ps) == 0 {
			continue
		}
		w := idf(ix.Docs, len(ps))
		for _, p := range ps {
			if p.Count <= 0 {
				continue
			}
			tf := float64(p.Count)
			norm := k1 * (1 - b + b*float64(max(p.Len, 1))/avg)
			scores[p.ID] += w * tf * (k1 + 1) / (tf + norm)
		}
	}
	return best(scores, limit)
}

// before orders hits best first, ties by id.
func before(x, y Hit) int {
	if c := cmp.Compare(y.Score, x.Score); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

// best returns the limit best hits (all when limit ≤ 0), best first. For
// a few of many it keeps only those few as it goes.
func best(scores map[string]float64, limit int) []Hit {
	if limit <= 0 || limit >= len(scores) {
		hits := make([]Hit, 0, len(scores))
		for id, s := range scores {
			hits = append(hits, Hit{ID: id, Score: s})
		}
		slices.SortFunc(hits, before)
		return hits
	}
	top := make([]Hit, 0, limit+1)
	for id, s := range scores {
		h := Hit{ID: id, Score: s}
		if len(top) == limit && before(h, top[limit-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, h, before)
		top = slices.Insert(top, i, h)
		if len(top) > limit {
			top = top[:limit]
		}
	}
	return top
}

// idf is BM25's inverse document frequency of a term held by n of docs
// examples, in the form that never goes negative.
func idf(docs, n int) float64 {
	n = min(n, docs)
	return math.Log(1 + (float64(docs-n)+0.5)/(float64(n)+0.5))
}

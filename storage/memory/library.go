package memory

import (
	"context"
	"fmt"
	"maps"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Library = (*Store)(nil)

// libraryIndex is the index of the library of past contracts: per team,
// the examples' terms and the postings of each term. Guarded by Store.mu.
type libraryIndex struct {
	teamOf map[string]string // example id → team
	teams  map[string]*teamIndex
}

type teamIndex struct {
	examples map[string]map[string]int // id → term → count
	lens     map[string]int            // id → length
	total    int64
	postings map[string]map[string]int // term → id → count
}

func newLibraryIndex() libraryIndex {
	return libraryIndex{teamOf: map[string]string{}, teams: map[string]*teamIndex{}}
}

// drop removes an example; the caller holds Store.mu.
func (l *libraryIndex) drop(id string) {
	team, ok := l.teamOf[id]
	if !ok {
		return
	}
	delete(l.teamOf, id)
	ti := l.teams[team]
	for term := range ti.examples[id] {
		delete(ti.postings[term], id)
		if len(ti.postings[term]) == 0 {
			delete(ti.postings, term)
		}
	}
	ti.total -= int64(ti.lens[id])
	delete(ti.examples, id)
	delete(ti.lens, id)
	if len(ti.examples) == 0 {
		delete(l.teams, team)
	}
}

// IndexExample implements storage.Library.
func (s *Store) IndexExample(ctx context.Context, team, id string, terms map[string]int) error {
	if err := storage.CheckExample(team, id, terms); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	l := &s.library
	l.drop(id)
	if len(terms) == 0 {
		return nil
	}
	ti := l.teams[team]
	if ti == nil {
		ti = &teamIndex{examples: map[string]map[string]int{}, lens: map[string]int{}, postings: map[string]map[string]int{}}
		l.teams[team] = ti
	}
	l.teamOf[id] = team
	ti.examples[id] = maps.Clone(terms)
	n := storage.ExampleLen(terms)
	ti.lens[id] = n
	ti.total += int64(n)
	for term, c := range terms {
		if ti.postings[term] == nil {
			ti.postings[term] = map[string]int{}
		}
		ti.postings[term][id] = c
	}
	return nil
}

// DropExample implements storage.Library.
func (s *Store) DropExample(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("memory: drop example: empty id")
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.library.drop(id)
	return nil
}

// LibraryTerms implements storage.Library.
func (s *Store) LibraryTerms(ctx context.Context, team string, terms []string) (storage.LibraryIndex, error) {
	if err := storage.CheckSearch(team, terms); err != nil {
		return storage.LibraryIndex{}, fmt.Errorf("memory: %w", err)
	}
	if err := s.lock(ctx); err != nil {
		return storage.LibraryIndex{}, err
	}
	defer s.mu.Unlock()
	out := storage.LibraryIndex{Postings: map[string][]storage.Posting{}}
	ti := s.library.teams[team]
	if ti == nil {
		return out, nil
	}
	out.Docs, out.TotalLen = len(ti.examples), ti.total
	for _, term := range terms {
		ids := ti.postings[term]
		if len(ids) == 0 {
			continue
		}
		ps := make([]storage.Posting, 0, len(ids))
		for id, n := range ids {
			ps = append(ps, storage.Posting{ID: id, Count: n, Len: ti.lens[id]})
		}
		out.Postings[term] = ps
	}
	return out, nil
}

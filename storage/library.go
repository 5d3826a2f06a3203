package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Library keeps the index of the library of past contracts: for each team,
// an inverted index from terms to the examples (completed contracts their
// learners agreed to show) that hold them. The bot's replicas share it
// through the store, so an example dropped by one (consent withdrawn, the
// contract deleted) is gone from every replica's search at once. Ranking
// is the caller's (package conversation/library scores with BM25 what
// LibraryTerms returns).
//
// Teams are named by the caller ("slack:T1"); an example is a contract id
// and belongs to one team. Bad arguments (an empty team or id, an empty or
// over-long term, a count below 1, more than MaxExampleTerms terms) are
// errors, never panics.
type Library interface {
	// IndexExample adds the example id to team's index with its terms
	// (term → how often it occurs), replacing what was indexed for id
	// before, in whichever team. An example without terms is dropped.
	IndexExample(ctx context.Context, team, id string, terms map[string]int) error
	// DropExample removes the example id from the index; an id not
	// indexed is no error. Eraser.DeleteContract drops the contract's
	// example too.
	DropExample(ctx context.Context, id string) error
	// LibraryTerms returns what ranking needs to search team's index for
	// terms: how many examples it holds, their total length (the sum of
	// their terms' counts), and for each term the examples holding it with
	// its count and their length. Terms nobody holds are left out.
	LibraryTerms(ctx context.Context, team string, terms []string) (LibraryIndex, error)
}

// LibraryIndex is what Library.LibraryTerms returns.
type LibraryIndex struct {
	Docs     int
	TotalLen int64
	Postings map[string][]Posting
}

// Posting is an example holding a term: Count times, in Len terms.
type Posting struct {
	ID    string
	Count int
	Len   int
}

// Limits of Library's arguments.
const (
	MaxExampleTerms = 5000 // distinct terms of one example
	MaxTermBytes    = 64   // one term
	MaxSearchTerms  = 64   // terms of one LibraryTerms
)

// CheckExample reports an example that cannot be indexed.
func CheckExample(team, id string, terms map[string]int) error {
	switch {
	case team == "":
		return errors.New("example without team")
	case id == "":
		return errors.New("example without id")
	case len(terms) > MaxExampleTerms:
		return fmt.Errorf("example %s: %d terms, more than %d", id, len(terms), MaxExampleTerms)
	}
	for t, n := range terms {
		if err := CheckTerm(t); err != nil {
			return fmt.Errorf("example %s: %w", id, err)
		}
		if n < 1 {
			return fmt.Errorf("example %s: term %q counted %d times", id, t, n)
		}
	}
	return nil
}

// CheckSearch reports a LibraryTerms that cannot be run.
func CheckSearch(team string, terms []string) error {
	if team == "" {
		return errors.New("search without team")
	}
	if len(terms) > MaxSearchTerms {
		return fmt.Errorf("search of %d terms, more than %d", len(terms), MaxSearchTerms)
	}
	for _, t := range terms {
		if err := CheckTerm(t); err != nil {
			return err
		}
	}
	return nil
}

// CheckTerm reports a term that cannot be indexed: empty, too long, or
// holding a space or control character (stores keep terms in keys).
func CheckTerm(t string) error {
	switch {
	case t == "":
		return errors.New("empty term")
	case len(t) > MaxTermBytes:
		return fmt.Errorf("term of %d bytes, more than %d", len(t), MaxTermBytes)
	case strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("term %q holds a space or control character", t)
	}
	return nil
}

// ExampleLen is the length of an example: the sum of its terms' counts.
func ExampleLen(terms map[string]int) int {
	n := 0
	for _, c := range terms {
		n += c
	}
	return n
}

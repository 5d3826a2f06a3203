package library

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxQuery is the longest search accepted, in characters; MaxQueryTerms
// the most terms a search keeps (the first ones).
const (
	MaxQuery      = 300
	MaxQueryTerms = 12
)

// Why a search cannot be run; each is answered plainly.
var (
	// ErrEmptyQuery: nothing was typed, or only punctuation.
	ErrEmptyQuery = errors.New("library: nothing to search for")
	// ErrWildcard: "*" or another pattern without words ("show me
	// everything" is not a search).
	ErrWildcard = errors.New("library: a pattern without words")
	// ErrCommonWords: only words too common to find anything by.
	ErrCommonWords = errors.New("library: only common words")
)

// QueryTooLongError says a search was longer than MaxQuery.
type QueryTooLongError struct{ Len int }

func (e *QueryTooLongError) Error() string {
	return fmt.Sprintf("library: a search of %d characters, more than %d", e.Len, MaxQuery)
}

// Query is a parsed search: the distinct terms to rank by, in the order
// typed.
type Query struct {
	Terms []string
}

// ParseQuery reads what a person typed to search the library. Wildcards
// and punctuation are ignored inside words ("kube*" searches "kube"); a
// search with no word left is an error saying why (ErrEmptyQuery,
// ErrWildcard, ErrCommonWords), as is one too long (QueryTooLongError).
func ParseQuery(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxQuery {
		return Query{}, &QueryTooLongError{Len: n}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	var q Query
	for _, t := range Tokens(s) {
		if !slices.Contains(q.Terms, t) && len(q.Terms) < MaxQueryTerms {
			q.Terms = append(q.Terms, t)
		}
	}
	if len(q.Terms) > 0 {
		return q, nil
	}
	switch {
	case len(words(stripMentions(s))) > 0:
		return Query{}, ErrCommonWords
	case strings.ContainsAny(s, "*?%"):
		return Query{}, ErrWildcard
	}
	return Query{}, ErrEmptyQuery
}

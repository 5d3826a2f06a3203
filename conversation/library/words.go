// Package library is the library of past contracts, as pure functions:
// the words an example is found by (Tokens, Terms), the search a person
// types (ParseQuery), the ranking of examples (Rank, BM25) and what an
// example shows (ExampleOf), anonymous when its learner asked for that.
//
// The index itself is kept in the store, per team (storage.Library): the
// bot's replicas share it, so a learner withdrawing consent takes their
// contract out of every replica's search at once. This package only
// scores what the store hands back.
package library

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTerm is the longest word indexed or searched, in bytes; longer ones
// are cut.
const MaxTerm = 40

// Tokens splits text into the terms it is indexed and searched by:
// lowercased words of letters and digits, mentions of people (<@U123>)
// left out, common words (stopwords) dropped, and each word reduced to a
// rough stem ("reviews", "reviewing" and "reviewed" are all "review").
func Tokens(text string) []string {
	var out []string
	for _, w := range words(stripMentions(text)) {
		if stopwords[w] {
			continue
		}
		if t := Stem(w); t != "" && !stopwords[t] {
			out = append(out, t)
		}
	}
	return out
}

// words splits text into lowercased runs of letters and digits (an
// apostrophe inside a word is dropped with what follows it: "team's" is
// "team").
func words(text string) []string {
	var (
		out  []string
		b    strings.Builder
		skip bool
	)
	flush := func() {
		if b.Len() > 0 {
			w := b.String()
			if len(w) > MaxTerm {
				w = cut(w, MaxTerm)
			}
			out = append(out, w)
		}
		b.Reset()
		skip = false
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !skip {
				b.WriteRune(unicode.ToLower(r))
			}
		case (r == '\'' || r == '’') && b.Len() > 0:
			skip = true
		default:
			flush()
		}
	}
	flush()
	return out
}

// cut shortens s to at most n bytes, at a rune boundary.
func cut(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// stripMentions removes the mentions of people in text: Slack writes
// "<@U123>" or "<@U123|name>", Teams "<at>Name</at>".
func stripMentions(text string) string {
	if !strings.Contains(text, "<") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "<")
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		rest := text[i:]
		switch {
		case strings.HasPrefix(rest, "<@"), strings.HasPrefix(rest, "<!"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				b.WriteString(rest)
				return b.String()
			}
			b.WriteString(" ")
			text = rest[end+1:]
		case strings.HasPrefix(rest, "<at>"):
			end := strings.Index(rest, "</at>")
			if end < 0 {
				b.WriteString(rest)
				return b.String()
			}
			b.WriteString(" ")
			text = rest[end+len("</at>"):]
		default:
			b.WriteString("<")
			text = rest[1:]
		}
	}
}

// Stem reduces an English word to a rough stem by its common endings
// ("stemming-lite": plurals, -ing, -ed, -ly, -ies), so that the forms of a
// word find each other. Words of three letters or fewer, and words with
// digits, stay as they are. It is not a linguist: "news" stays "news",
// and what it gets wrong it gets wrong the same way for index and search.
func Stem(w string) string {
	if len(w) <= 3 || strings.ContainsFunc(w, unicode.IsDigit) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		return undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		return undouble(w[:len(w)-2])
	case strings.HasSuffix(w, "ly") && len(w) > 5:
		return w[:len(w)-2]
	case strings.HasSuffix(w, "es") && len(w) > 4 && strings.ContainsAny(w[len(w)-3:len(w)-2], "xz"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && len(w) > 3:
		return w[:len(w)-1]
	}
	return w
}

// undouble drops the last letter of a stem that ends in a doubled
// consonant ("plann" of "planning" is "plan"), and drops a trailing "e"
// nowhere: "writ" of "writing" and "write" then differ, which is the
// price of staying small.
func undouble(s string) string {
	n := len(s)
	if n >= 2 && s[n-1] == s[n-2] && !strings.ContainsRune("aeiouls", rune(s[n-1])) {
		return s[:n-1]
	}
	return s
}

// stopwords are words too common to find anything by.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
		before being below between both but by can could did do does doing down during each few for from further
		had has have having he her here hers herself him himself his how i if in into is it its itself just
		let me more most my myself no nor not now of off on once only or other our ours ourselves out over own
		same she should so some such than that the their theirs them themselves then there these they this those
		through to too under until up very was we were what when where which while who whom why will with would
		you your yours yourself yourselves also get got learn learned learning want wanted how-to
		s t d ll m o re ve y`) {
		m[w] = true
	}
	return m
}()

// Stopword reports whether a lowercased word is too common to search by.
func Stopword(w string) bool { return stopwords[w] }

package bot

import (
	"regexp"
	"slices"

	"github.com/learnpact/learnpact/conversation/message"
)

// authorKeys name who an object of a stored document is by (feedback,
// comments, assessments, history events, a Teams account).
var authorKeys = []string{"by", "actor", "proposed_by", "reviewer", "user", "id"}

// ownWords are the fields of such an object that hold what its author
// wrote or is called; they are emptied when the author is forgotten.
var ownWords = map[string]bool{
	"text": true, "comment": true, "comments": true, "note": true, "happened": true, "next": true,
	"specific": true, "evidence": true, "timeline": true, "suggestion": true, "example": true,
	"more_comment": true, "old": true, "new": true, "learned": true, "differently": true, "change": true,
	"reason": true, "pause_reason": true, "end_note": true, "name": true,
}

// roleWords are fields of a contract that hold what the person in a role
// wrote: the approver's request for changes.
var roleWords = map[string][]string{"approver": {"requested"}}

// kept are subtrees whose words stay whoever proposed them: a contract's
// terms belong to the contract, and its learner keeps them.
var kept = map[string]bool{"terms": true}

// scrubber removes one person from decoded JSON documents: their id
// becomes message.FormerColleague (or, in a list or as a map key, goes),
// and their own words in objects by them are emptied.
type scrubber struct {
	user    string
	mention *regexp.Regexp // the id inside text, as a whole word
}

func newScrubber(user string) scrubber {
	return scrubber{user: user, mention: regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(user) + `($|[^0-9A-Za-z])`)}
}

// by reports whether a decoded JSON object is by the person.
func (s scrubber) by(m map[string]any) bool {
	for _, k := range authorKeys {
		if v, ok := m[k].(string); ok && v == s.user {
			return true
		}
	}
	return false
}

// mentions reports whether v names the person anywhere.
func (s scrubber) mentions(v any) bool {
	switch v := v.(type) {
	case string:
		return v == s.user || s.mention.MatchString(v)
	case []any:
		return slices.ContainsFunc(v, s.mentions)
	case map[string]any:
		for k, x := range v {
			if k == s.user || s.mention.MatchString(k) || s.mentions(x) {
				return true
			}
		}
	}
	return false
}

// scrub returns v without the person; words inside kept subtrees stay.
func (s scrubber) scrub(v any, words bool) any {
	switch v := v.(type) {
	case string:
		if v == s.user {
			return message.FormerColleague
		}
		return s.mention.ReplaceAllString(v, "${1}"+message.FormerColleague+"${2}")
	case []any:
		out := make([]any, 0, len(v))
		for _, x := range v {
			if x == s.user {
				continue // a list of people: they leave it
			}
			out = append(out, s.scrub(x, words))
		}
		return out
	case map[string]any:
		theirs := words && s.by(v)
		blank := map[string]bool{}
		for role, keys := range roleWords {
			if r, ok := v[role].(string); ok && r == s.user && words {
				for _, k := range keys {
					blank[k] = true
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			if k == s.user {
				continue // keyed by them (time away, declines): gone
			}
			if str, ok := x.(string); ok && (theirs && ownWords[k] || blank[k]) && str != "" {
				out[k] = ""
				continue
			}
			out[s.scrub(k, words).(string)] = s.scrub(x, words && !kept[k])
		}
		return out
	}
	return v
}

// authored collects the objects in v that are by the person, outside kept
// subtrees: their words in someone else's contract.
func (s scrubber) authored(v any, out []any) []any {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			out = s.authored(x, out)
		}
	case map[string]any:
		if s.by(v) {
			return append(out, v)
		}
		for k, x := range v {
			if !kept[k] {
				out = s.authored(x, out)
			}
		}
	}
	return out
}

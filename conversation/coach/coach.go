// Package coach reviews a learning goal the way a good facilitator would: a
// goal needs an action someone could see (explain, build, lead …), an object,
// and a way to tell it is met. Goals that miss get a concrete rewrite that
// keeps the learner's subject, never a bare rejection. The rules are plain
// word lists; nothing leaves the process.
package coach

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Advice is the coach's verdict on one goal.
type Advice struct {
	OK         bool     // measurable as written
	Problems   []string // short, friendly reasons, e.g. "“learn about” can't be observed"
	Suggestion string   // a concrete rewrite when !OK (never empty then)
}

const (
	maxInput      = 2000 // bytes of a goal worth reading
	maxObject     = 80   // runes of the learner's subject kept in a rewrite
	maxGoal       = 140  // runes of the learner's goal kept in a rewrite
	maxPhrase     = 40   // runes of a vague phrase quoted in a problem
	maxSuggestion = 300  // runes
)

// Problems the coach reports.
const (
	problemEmpty     = "there's no goal yet: say what you'll be able to do"
	problemNoVerb    = "it doesn't say what you'll do: start with a verb like explain, build or lead"
	problemNoMeasure = "nothing says how you'll know it's met"
	problemNoNumber  = "say by how much, e.g. 20% faster or two fewer escalations"
)

// exampleGoal is offered when there is nothing to rewrite.
const exampleGoal = "Explain one topic from my job to my team in a 10-minute session, and answer their questions without notes"

// Review judges one goal.
func Review(goal string) Advice {
	g := newGoal(goal)
	if len(g.key) == 0 {
		return Advice{Problems: []string{problemEmpty}, Suggestion: exampleGoal}
	}
	return g.review(0)
}

// goal is the text split into words: orig as typed, key lower-cased and
// stripped of surrounding punctuation for matching.
type goal struct {
	orig, key []string
	measured  bool // a qualifier says how to tell it is met
	numbered  bool // the qualifier includes a number
}

func newGoal(s string) goal {
	if len(s) > maxInput {
		s = cutBytes(s, maxInput)
	}
	s = strings.ToValidUTF8(s, "")
	if shouting(s) {
		s = strings.ToLower(s)
	}
	var g goal
	for _, w := range strings.Fields(s) {
		k := strings.ToLower(strings.ReplaceAll(w, "’", "'"))
		k = strings.TrimFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '%' })
		if k == "" && len(g.key) == 0 {
			continue // leading bullets and dashes
		}
		g.orig, g.key = append(g.orig, w), append(g.key, k)
	}
	g.measured, g.numbered = measures(g.key)
	return g
}

// review judges the goal from word i on (after any "I will", "to" …).
func (g goal) review(i int) Advice {
	i = g.skipPrefix(i)
	i = g.skipAdverbs(i)
	if i >= len(g.key) {
		return Advice{Problems: []string{problemEmpty}, Suggestion: exampleGoal}
	}
	head := baseVerb(g.key[i])
	kind := verbs[head]
	if abstract := g.abstractObject(i + 1); abstract != "" && softVerbs[head] {
		return g.vague(i, head+" "+abstract, kind)
	}
	switch kind {
	case vagueVerb, activityVerb:
		return g.vague(i, "", kind)
	case notVerb:
		a := Advice{Problems: []string{problemNoVerb}, Suggestion: suggestFor(g.object(i))}
		if !g.measured {
			a.Problems = append(a.Problems, problemNoMeasure)
		}
		return a
	case doneVerb:
		return Advice{OK: true}
	case changeVerb:
		if g.numbered {
			return Advice{OK: true}
		}
		return Advice{Problems: []string{problemNoNumber}, Suggestion: g.withMeasure(i, kind)}
	}
	if g.measured {
		return Advice{OK: true}
	}
	return Advice{Problems: []string{problemNoMeasure}, Suggestion: g.withMeasure(i, kind)}
}

// vague advises on a goal whose verb at i can't be observed. phrase names
// the problem; when empty, it is the verb and the words that go with it.
func (g goal) vague(i int, phrase string, kind verbKind) Advice {
	j := g.skipConnectors(i + 1)
	if phrase == "" {
		phrase = clip(strings.Join(trimTrailing(g.key[i:j], possessives), " "), maxPhrase)
	}
	problem := fmt.Sprintf("“%s” can't be observed", phrase)
	if kind == activityVerb {
		problem = fmt.Sprintf("“%s” is an activity, not what you'll be able to do", phrase)
	}
	// "learn how to build APIs": the goal inside is "build APIs".
	if j < len(g.key) && g.key[j-1] == "to" && isAction(verbs[baseVerb(g.key[j])]) {
		inner := g.review(j)
		inner.OK = false
		inner.Problems = append([]string{problem}, inner.Problems...)
		if inner.Suggestion == "" {
			inner.Suggestion = g.text(j, maxGoal)
		}
		return inner
	}
	a := Advice{Problems: []string{problem}, Suggestion: suggestFor(g.object(j))}
	if !g.measured {
		a.Problems = append(a.Problems, problemNoMeasure)
	}
	return a
}

// withMeasure keeps the learner's goal and adds a way to tell it is met.
func (g goal) withMeasure(i int, kind verbKind) string {
	words := append([]string{capitalize(baseVerbForm(g.orig[i], g.key[i]))}, g.orig[i+1:]...)
	text := clip(strings.TrimRight(strings.Join(words, " "), ".!?;:,"), maxGoal)
	suffix := measureSuffix[kind]
	if (kind == makeVerb || kind == analyseVerb) && hasAny(g.key[i+1:], dataWords) {
		suffix = "%s to answer three real reporting questions from my team, reviewed by a colleague"
	}
	return finish(fmt.Sprintf(suffix, text))
}

// object is the learner's subject from word i: up to the first clause
// break, without a trailing "skills", at most maxObject runes.
func (g goal) object(i int) subject {
	end := i
	for end < len(g.orig) && !clauseBreak[g.key[end]] {
		w := g.orig[end]
		end++
		if strings.ContainsAny(w[len(w)-1:], ",;:.!?(") {
			break
		}
	}
	key := trimTrailing(g.key[i:end], abstractNouns)
	words := g.orig[i : i+len(key)]
	text := strings.Trim(strings.Join(words, " "), ",;:.!?() \"'")
	return subject{text: clip(text, maxObject), key: key, orig: words}
}

// text is the goal from word i as typed, at most max runes.
func (g goal) text(i, max int) string {
	s := strings.TrimRight(strings.Join(g.orig[i:], " "), ".!?;:,")
	return finish(capitalize(clip(s, max)))
}

func (g goal) skipPrefix(i int) int {
	for again := true; again; {
		again = false
		for _, p := range prefixes {
			if hasPrefix(g.key[i:], p) {
				i += len(p)
				again = true
			}
		}
	}
	return i
}

func (g goal) skipAdverbs(i int) int {
	for n := 0; n < 2 && i < len(g.key)-1; n++ {
		k := g.key[i]
		if verbs[baseVerb(k)] != notVerb || !(adverbs[k] || len(k) > 4 && strings.HasSuffix(k, "ly")) {
			break
		}
		i++
	}
	return i
}

// skipConnectors passes the words that go with a vague verb: "about",
// "better at", "an understanding of", "how to", "the basics of" …
func (g goal) skipConnectors(i int) int {
	for i < len(g.key) {
		k := g.key[i]
		switch {
		case connectors[k], abstractNouns[k]:
			i++
		case k == "how" && i+1 < len(g.key) && g.key[i+1] == "to":
			i += 2
		case k == "the" && i+1 < len(g.key) && basics[g.key[i+1]]:
			i += 2
		default:
			return i
		}
	}
	return i
}

// abstractObject returns the abstract noun ("skills", "confidence") among
// the first words from i, as in "build my confidence", or "".
func (g goal) abstractObject(i int) string {
	for j := i; j < len(g.key) && j < i+4; j++ {
		if abstractNouns[g.key[j]] {
			return g.key[j]
		}
		if clauseBreak[g.key[j]] {
			break
		}
	}
	return ""
}

// measures reports whether the words say how to tell the goal is met, and
// whether they include a number.
func measures(key []string) (measured, numbered bool) {
	for i, k := range key {
		switch {
		case k == "":
		case unicode.IsDigit(rune(k[0])), strings.Contains(k, "%"), numberWords[k]:
			return true, true
		case qualifierWords[k]:
			measured = true
		case k == "by" && i+1 < len(key) && dateWords[key[i+1]]:
			measured = true
		case k == "to" && audience(key[i+1:]):
			measured = true
		default:
			for _, p := range qualifierPhrases {
				if hasPrefix(key[i:], p) {
					measured = true
				}
			}
		}
	}
	return measured, false
}

// audience reports whether the words name people, as in "to my team".
func audience(key []string) bool {
	for j := 0; j < len(key) && j < 3; j++ {
		if audienceWords[key[j]] {
			return true
		}
		if !determiners[key[j]] {
			return false
		}
	}
	return false
}

// subject is the part of a vague goal the rewrite keeps.
type subject struct {
	text      string   // as typed, clipped
	key, orig []string // its words
}

// suggestFor rewrites a vague goal about s as a concrete one.
func suggestFor(s subject) string {
	for _, t := range topics {
		for j, k := range s.key {
			if matchesAny(k, t.words) {
				if strings.Contains(t.template, "%s") {
					return finish(fmt.Sprintf(t.template, clip(strings.Trim(s.orig[j], ",;:.!?()\"'"), maxObject)))
				}
				return t.template
			}
		}
	}
	if s.text == "" {
		return exampleGoal
	}
	if questionWords[s.key[0]] {
		return finish(fmt.Sprintf("Explain %s to my team in a 10-minute session, and answer their questions without notes", s.text))
	}
	return finish(fmt.Sprintf("Explain what matters most about %s to my team in a 10-minute session, and answer their questions without notes", s.text))
}

// baseVerb returns the dictionary form of w when w is a known verb in any
// simple inflection ("analysed", "leading", "taught"), else w.
func baseVerb(w string) string {
	if _, ok := verbs[w]; ok {
		return w
	}
	if b, ok := irregular[w]; ok {
		return b
	}
	for _, r := range [][2]string{
		{"ies", "y"}, {"ied", "y"}, {"es", ""}, {"s", ""}, {"ed", ""}, {"ed", "e"}, {"d", ""},
		{"ing", ""}, {"ing", "e"},
	} {
		if stem, ok := strings.CutSuffix(w, r[0]); ok && len(stem) > 1 {
			if _, ok := verbs[stem+r[1]]; ok {
				return stem + r[1]
			}
			// running → run, planned → plan
			if n := len(stem); n > 2 && stem[n-1] == stem[n-2] && r[1] == "" {
				if _, ok := verbs[stem[:n-1]]; ok {
					return stem[:n-1]
				}
			}
		}
	}
	return w
}

// baseVerbForm turns an inflected verb as typed ("Building") into its
// dictionary form, keeping words that are not inflected as they are.
func baseVerbForm(orig, key string) string {
	if b := baseVerb(key); b != key {
		return b
	}
	return orig
}

func isAction(k verbKind) bool { return k != notVerb && k != vagueVerb && k != activityVerb }

func hasPrefix(key, p []string) bool {
	if len(key) < len(p) {
		return false
	}
	for i := range p {
		if key[i] != p[i] {
			return false
		}
	}
	return true
}

func hasAny(key []string, words []string) bool {
	for _, k := range key {
		if matchesAny(k, words) {
			return true
		}
	}
	return false
}

// matchesAny reports whether k is one of words; a word ending in "*"
// matches as a prefix.
func matchesAny(k string, words []string) bool {
	for _, w := range words {
		if p, ok := strings.CutSuffix(w, "*"); ok && strings.HasPrefix(k, p) || k == w {
			return true
		}
	}
	return false
}

func trimTrailing(key []string, drop map[string]bool) []string {
	for len(key) > 1 && drop[key[len(key)-1]] {
		key = key[:len(key)-1]
	}
	return key
}

// shouting reports whether s is several words in capitals only.
func shouting(s string) bool {
	upper := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			upper++
		}
	}
	return upper > 3 && len(strings.Fields(s)) > 1
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// clip shortens s to at most max runes, at a word boundary when one is near,
// marking the cut with "…".
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := []rune(s)[:max-1]
	if i := strings.LastIndexByte(string(cut), ' '); i > len(string(cut))/2 {
		return strings.TrimRight(string(cut)[:i], ",;:.!? ") + "…"
	}
	return string(cut) + "…"
}

// cutBytes shortens s to at most n bytes without splitting a character.
func cutBytes(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// finish bounds a suggestion's length.
func finish(s string) string { return clip(s, maxSuggestion) }

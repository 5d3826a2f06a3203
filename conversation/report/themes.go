package report

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/learnpact/learnpact/conversation/contract"
)

const (
	// minTheme is the fewest contracts a theme must name: fewer could
	// point at one person.
	minTheme = MinGroup
	// maxThemes is the most themes of each kind shown.
	maxThemes = 10
)

// topicWords are the words of a contract's title and goals.
func topicWords(c *contract.Contract) []string {
	t := c.InForce()
	texts := []string{t.Title}
	for _, g := range t.Goals {
		texts = append(texts, g.Text)
	}
	return words(texts...)
}

// blockerWords are the words of the notes of a contract's Blocked
// check-ins.
func blockerWords(c *contract.Contract) []string {
	var texts []string
	for _, ci := range c.CheckIns {
		if ci.Status == contract.Blocked {
			texts = append(texts, ci.Happened, ci.Next)
		}
	}
	return words(texts...)
}

// themes counts, for each word, the contracts whose words include it, and
// keeps those of at least minTheme contracts, most frequent first.
func themes(cs []*contract.Contract, of func(*contract.Contract) []string) []Theme {
	count := map[string]int{}
	for _, c := range cs {
		seen := map[string]bool{}
		for _, w := range of(c) {
			if !seen[w] {
				seen[w] = true
				count[w]++
			}
		}
	}
	var out []Theme
	for w, n := range count {
		if n >= minTheme {
			out = append(out, Theme{Word: w, Contracts: n})
		}
	}
	slices.SortFunc(out, func(a, b Theme) int {
		return cmp.Or(cmp.Compare(b.Contracts, a.Contracts), cmp.Compare(a.Word, b.Word))
	})
	return out[:min(len(out), maxThemes)]
}

// words splits texts into lower-case words of four letters or more,
// leaving out common words and anything that looks like a mention, a
// link or a number.
func words(texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, f := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
			return !unicode.IsLetter(r) && r != '-' && r != '<' && r != '@' && r != ':' && r != '/'
		}) {
			f = strings.Trim(f, "-")
			switch {
			case len([]rune(f)) < 4, stop[f], strings.ContainsAny(f, "<@:/"):
				continue
			}
			out = append(out, f)
		}
	}
	return out
}

// stop are common words that say nothing about a topic.
var stop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`about after again also because been before being better
		between both could does doing done during each every first from have having into just
		learn learning less like make more most much need next only other over same should some
		such than that their them then there these they this those through time under until very
		want week weeks well were what when where which while will with within without would your
		able work working goal goals get getting give using used make makes made take takes
		daily weekly monthly`) {
		stop[w] = true
	}
}

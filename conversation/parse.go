package conversation

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/learnpact/learnpact/conversation/contract"
)

// normalize turns typed text into a command word: lower case, single spaces,
// no slash-command prefix and no punctuation after the words (a lone "?"
// stays, as it asks for help).
func normalize(text string) string {
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	s = strings.TrimPrefix(s, "/contract")
	s = strings.TrimSpace(strings.TrimPrefix(s, "/"))
	if s == "?" {
		return s
	}
	return strings.TrimRightFunc(s, func(r rune) bool { return r == '.' || r == '!' || r == '?' })
}

var bullet = regexp.MustCompile(`^(?:[-*•–]|\d{1,2}[.)])\s+`)

// splitList reads a list typed in one message: one item per line, or items
// separated by "; ". Bullets and numbering are dropped.
func splitList(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, item := range strings.Split(line, "; ") {
			item = strings.TrimSpace(bullet.ReplaceAllString(strings.TrimSpace(item), ""))
			if item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// splitLines reads one item per line (forms, where semicolons are text).
func splitLines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(bullet.ReplaceAllString(strings.TrimSpace(line), "")); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// criteriaFrom turns typed criteria into Criteria, keeping who proposed the
// ones that were already there and crediting the rest to by.
func criteriaFrom(lines []string, old []contract.Criterion, by string) []contract.Criterion {
	out := make([]contract.Criterion, 0, len(lines))
	for _, l := range lines {
		c := contract.Criterion{Text: l, ProposedBy: by}
		for _, o := range old {
			if o.Text == l && o.ProposedBy != "" {
				c.ProposedBy = o.ProposedBy
				break
			}
		}
		out = append(out, c)
	}
	return out
}

const shownBy = " (shown by: "

// goalLine writes a goal as one line of a form.
func goalLine(g contract.Goal) string {
	if g.Mastery == "" {
		return g.Text
	}
	return g.Text + shownBy + g.Mastery + ")"
}

// goalsFrom reads goals written by goalLine, one per line.
func goalsFrom(lines []string) []contract.Goal {
	out := make([]contract.Goal, 0, len(lines))
	for _, l := range lines {
		g := contract.Goal{Text: l}
		if i := strings.LastIndex(l, shownBy); i > 0 && strings.HasSuffix(l, ")") {
			g = contract.Goal{Text: strings.TrimSpace(l[:i]), Mastery: strings.TrimSpace(l[i+len(shownBy) : len(l)-1])}
		}
		out = append(out, g)
	}
	return out
}

var everyN = regexp.MustCompile(`^(?:every|each) (\d{1,3}|other|two|three|four) (days?|weeks?)$`)

// parseCadence reads "weekly", "fortnightly", "every 10 days" and the like.
func parseCadence(text string) (contract.Cadence, bool) {
	s := normalize(text)
	switch s {
	case "weekly", "every week", "each week", "once a week", "week":
		return contract.Weekly, true
	case "fortnightly", "biweekly", "bi-weekly", "every fortnight", "fortnight", "every other week", "every two weeks", "every 2 weeks":
		return contract.Fortnightly, true
	case "daily", "every day", "each day":
		return 1, true
	}
	m := everyN.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n := map[string]int{"other": 2, "two": 2, "three": 3, "four": 4}[m[1]]
	if n == 0 {
		n, _ = strconv.Atoi(m[1])
	}
	if strings.HasPrefix(m[2], "week") {
		n *= 7
	}
	if n < 1 || n > 90 {
		return 0, false
	}
	return contract.Cadence(n), true
}

// Approver errors, each with its own answer.
var (
	errNoMention = errors.New("no mention")
	errSelf      = errors.New("mentioned themselves")
	errBot       = errors.New("mentioned a bot")
)

var mention = regexp.MustCompile(`<@([^<>|\s]{1,256})(?:\|[^<>]*)?>`)

func isUpperAlnum(s string) bool {
	for _, r := range s {
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

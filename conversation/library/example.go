package library

import (
	"regexp"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// Example is a completed contract as colleagues see it in the library:
// its terms in force, the assessment's outcome and the learner's
// reflection. An anonymous example names nobody: Learner is empty and
// mentions of people in its text read "a colleague".
type Example struct {
	ID         string
	Title      string
	Goals      []contract.Goal
	Activities []string
	Evidence   []string
	Outcome    Outcome
	Reflection contract.Reflection
	// Learner is who learned it, for a named example; empty when
	// anonymous. The approver and advocate are never shown.
	Learner   string
	Consent   contract.Consent
	Completed time.Time
}

// Outcome is the approver's assessment of the last submission: how many
// success criteria were met, partly met and not met yet.
type Outcome struct {
	Met, Partly, NotYet int
}

// Criteria is how many criteria were assessed.
func (o Outcome) Criteria() int { return o.Met + o.Partly + o.NotYet }

// Colleague stands for a person an anonymous example mentions.
const Colleague = "a colleague"

// ExampleOf returns the example a contract is in the library, and false
// when it is not one: not completed, or its learner did not agree.
func ExampleOf(c *contract.Contract) (Example, bool) {
	if c == nil || !c.Shared() {
		return Example{}, false
	}
	t := c.InForce()
	e := Example{ID: c.ID, Title: t.Title, Goals: append([]contract.Goal(nil), t.Goals...),
		Activities: append([]string(nil), t.Activities...), Evidence: append([]string(nil), t.Evidence...),
		Consent: c.Library, Completed: c.CompletedAt}
	if c.Reflection != nil {
		e.Reflection = contract.Reflection{Learned: c.Reflection.Learned, Differently: c.Reflection.Differently, Change: c.Reflection.Change}
	}
	if s, ok := c.LastSubmission(); ok {
		for i := range t.Criteria {
			if a, ok := c.Rated(c.Approver, s.N, i+1); ok {
				switch a.Rating {
				case contract.Met:
					e.Outcome.Met++
				case contract.Partly:
					e.Outcome.Partly++
				default:
					e.Outcome.NotYet++
				}
			}
		}
	}
	if c.Library == contract.Named {
		// The learner agreed to be named; the people they mention did not.
		e.Learner = c.Learner
		e.anonymize(nil)
		return e, true
	}
	e.anonymize(c)
	return e, true
}

// mention matches how platforms write a mention of a person in text.
var mention = regexp.MustCompile(`<@[^<>]{0,256}>|<at>[^<>]{0,256}</at>`)

// anonymize replaces mentions of people, and the ids of the contract's
// parties written out (none when c is nil), with Colleague in every text
// of the example.
func (e *Example) anonymize(c *contract.Contract) {
	var ids []string
	if c != nil {
		for _, u := range append(c.Parties(), c.DraftedBy) {
			if u != "" {
				ids = append(ids, regexp.QuoteMeta(u))
			}
		}
	}
	var party *regexp.Regexp
	if len(ids) > 0 {
		party = regexp.MustCompile(`(^|[^0-9A-Za-z])(?:` + strings.Join(ids, "|") + `)($|[^0-9A-Za-z])`)
	}
	clean := func(s string) string {
		s = mention.ReplaceAllString(s, Colleague)
		if party != nil {
			s = party.ReplaceAllString(s, "${1}"+Colleague+"${2}")
		}
		return s
	}
	e.Title = clean(e.Title)
	for i := range e.Goals {
		e.Goals[i].Text, e.Goals[i].Mastery = clean(e.Goals[i].Text), clean(e.Goals[i].Mastery)
	}
	for i := range e.Activities {
		e.Activities[i] = clean(e.Activities[i])
	}
	for i := range e.Evidence {
		e.Evidence[i] = clean(e.Evidence[i])
	}
	r := &e.Reflection
	r.Learned, r.Differently, r.Change = clean(r.Learned), clean(r.Differently), clean(r.Change)
}

// Terms are the terms an example is found by, with how often each occurs:
// its title (counted twice: it says most about the topic), goals and how
// mastery is shown, activities, evidence and reflection.
func (e Example) Terms() map[string]int {
	out := map[string]int{}
	add := func(s string, n int) {
		for _, t := range Tokens(s) {
			out[t] += n
		}
	}
	add(e.Title, 2)
	for _, g := range e.Goals {
		add(g.Text, 1)
		add(g.Mastery, 1)
	}
	for _, s := range e.Activities {
		add(s, 1)
	}
	for _, s := range e.Evidence {
		add(s, 1)
	}
	add(e.Reflection.Learned, 1)
	add(e.Reflection.Differently, 1)
	add(e.Reflection.Change, 1)
	return out
}

// TopicOf is what a contract being drafted is about, to find examples
// like it: its title, or its first goal when it has no title yet.
func TopicOf(c *contract.Contract) string {
	if c == nil {
		return ""
	}
	if c.Terms.Title != "" {
		return c.Terms.Title
	}
	if len(c.Terms.Goals) > 0 {
		return c.Terms.Goals[0].Text
	}
	return ""
}

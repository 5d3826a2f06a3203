package conversation

import (
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/library"
)

// The library of past contracts: at completion the learner chooses whether
// colleagues may see the contract as an example (named, anonymous, or not
// at all, the default) and may change that at any time ("library", a
// completed contract's status); while drafting, once the title (or the
// first goal) is known, the bot offers a few similar examples from
// colleagues; "examples TOPIC" searches; an example can be opened whole.
// The engine runs the searches (NeedsExamples) and hands the examples in
// through Env.Examples, checked against each contract's current consent.

// Library buttons.
const (
	ActionShareNamed     ActionID = "lp_lib_named"     // share the completed contract with my name
	ActionShareAnonymous ActionID = "lp_lib_anonymous" // share it anonymously
	ActionShareNone      ActionID = "lp_lib_none"      // don't share it (or stop sharing it)
	ActionOpenExample    ActionID = "lp_example"       // open an example (value: ExampleValue)
)

// libraryButtons are the library's buttons.
var libraryButtons = map[ActionID]func(*turn){
	ActionShareNamed:     func(t *turn) { t.consentClick(contract.Named) },
	ActionShareAnonymous: func(t *turn) { t.consentClick(contract.Anonymous) },
	ActionShareNone:      func(t *turn) { t.consentClick(contract.NotShared) },
	ActionOpenExample:    (*turn).openExample,
}

// How many examples each use shows.
const (
	OfferedExamples  = 3 // offered while drafting
	SearchedExamples = 5 // found by "examples TOPIC"
)

// fromLibraryList marks a consent button on the "library" list
// (ActionValue.Prompt): the choice is confirmed, the list left as it is.
const fromLibraryList = "library"

// ExampleNeed is the search of the library a turn needs (NeedsExamples).
type ExampleNeed struct {
	// Query is what to search for: the topic typed, or the draft's title
	// or first goal. Empty when opening one example.
	Query string
	// Open is the example (a contract id) to show whole.
	Open string
	// Limit is how many examples to find.
	Limit int
	// NotBy leaves out the examples whose learner is this person: a
	// learner is never offered their own contracts.
	NotBy string
}

// NeedsExamples reports whether the turn needs examples from the library
// in Env.Examples, and which: an "examples" search, an example opened, or
// the examples offered once while drafting, when the title or first goal
// is typed or a template's form (with its title) is sent. c is the
// contract the turn loaded.
func NeedsExamples(s Session, c *contract.Contract, in Input) (ExampleNeed, bool) {
	switch in.Kind {
	case ActionInput:
		if ActionID(in.ActionID) == ActionOpenExample {
			id, ok := ParseExampleValue(in.Value)
			return ExampleNeed{Open: id, Limit: 1}, ok
		}
	case SubmitInput:
		if in.CallbackID == CallbackFromTemplate && c != nil && c.Learner == in.User && s.Offered != c.ID && editable(c.Status) {
			return ExampleNeed{Query: clipQuery(in.Form[contract.FieldTitle]), Limit: OfferedExamples, NotBy: in.User}, true
		}
	case TextInput, CommandInput:
		if cmd, args, ok := typedCommand(in); ok {
			if cmd.name == "examples" {
				return ExampleNeed{Query: args, Limit: SearchedExamples}, args != ""
			}
			return ExampleNeed{}, false
		}
		if in.Kind != TextInput || c == nil || c.ID != s.ContractID || c.Learner != in.User || s.Offered == c.ID || !editable(c.Status) {
			return ExampleNeed{}, false
		}
		switch {
		case s.State == StateTitle || s.State == StateStart:
			return ExampleNeed{Query: clipQuery(in.Text), Limit: OfferedExamples, NotBy: in.User}, true
		case s.State == StateGoal && len(c.Terms.Goals) == 0:
			return ExampleNeed{Query: clipQuery(c.Terms.Title + " " + in.Text), Limit: OfferedExamples, NotBy: in.User}, true
		}
	}
	return ExampleNeed{}, false
}

// clipQuery keeps the start of a long title or goal, as much as a search
// takes.
func clipQuery(s string) string {
	if utf8.RuneCountInString(s) <= library.MaxQuery {
		return s
	}
	return string([]rune(s)[:library.MaxQuery])
}

// ExampleValue is what an Open button of an example carries. It is not an
// ActionValue, so the turn loads no contract for it (ContractOf).
func ExampleValue(id string) string { return url.Values{"e": {id}}.Encode() }

// ParseExampleValue reads a value written by ExampleValue.
func ParseExampleValue(s string) (string, bool) {
	q, err := url.ParseQuery(s)
	id := q.Get("e")
	return id, err == nil && id != "" && len(id) <= 64
}

// offerExamples shows colleagues' examples like the draft, once per draft,
// beside the dialog (never in its way); nothing when none was found.
func (t *turn) offerExamples() {
	c := t.c
	if c == nil || t.s.Offered == c.ID {
		return
	}
	var found []library.Example
	for _, e := range t.env.Examples {
		if e.ID != c.ID && (e.Learner == "" || e.Learner != t.in.User) && len(found) < OfferedExamples {
			found = append(found, e)
		}
	}
	if len(found) == 0 {
		return
	}
	t.s.Offered = c.ID
	t.reply(offeredExamplesMsg(found))
}

// examplesCommand searches the library ("examples TOPIC").
func (t *turn) examplesCommand(args string) {
	if _, err := library.ParseQuery(args); err != nil {
		t.reply(badSearchMsg(args, err))
		return
	}
	t.reply(searchResultsMsg(args, t.env.Examples))
}

// openExample shows one example whole, if it is still in the library.
func (t *turn) openExample() {
	id, _ := ParseExampleValue(t.in.Value)
	i := slices.IndexFunc(t.env.Examples, func(e library.Example) bool { return e.ID == id })
	if i < 0 {
		t.ephemeral(exampleGoneMsg())
		return
	}
	t.reply(exampleMsg(t.env.Examples[i]))
}

// consentClick records whether the learner lets colleagues see their
// completed contract, and how.
func (t *turn) consentClick(s contract.Consent) {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if !t.decide(c.DoConsent(t.in.User, s, t.env.Now), "choose whether colleagues see") {
		return
	}
	if v.Prompt != fromLibraryList && t.in.Source.Known() {
		t.update(t.in.Source, consentCardMsg(c, true))
		return
	}
	t.reply(consentChosenMsg(c))
}

// libraryCommand lists the learner's completed contracts and whether
// colleagues may see each.
func (t *turn) libraryCommand() {
	var done []*contract.Contract
	for _, c := range t.env.Contracts {
		if c != nil && c.Learner == t.in.User && c.Status == contract.Completed {
			done = append(done, c)
		}
	}
	t.reply(libraryListMsg(done))
}

// ExamplesFor is the search of the library for a person's home: examples
// like their latest contract as learner that has a topic, n of them, never
// their own. False when they have no such contract.
func ExamplesFor(user string, cs []*contract.Contract, n int) (ExampleNeed, bool) {
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if c == nil || c.Learner != user {
			continue
		}
		if topic := library.TopicOf(c); topic != "" {
			return ExampleNeed{Query: clipQuery(topic), Limit: n, NotBy: user}, true
		}
	}
	return ExampleNeed{}, false
}

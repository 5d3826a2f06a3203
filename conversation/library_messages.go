package conversation

import (
	"errors"
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/conversation/message"
)

// maxLibraryListed is how many completed contracts "library" lists.
const maxLibraryListed = 20

// consentButtons offer the choices other than the current one (every
// one when all); prompt marks where they are shown (fromLibraryList, or
// none).
func consentButtons(c *contract.Contract, prompt string, all bool) message.Actions {
	val := ActionValue{ContractID: c.ID, Version: c.Version, Prompt: prompt}.Encode()
	var bs []message.Button
	for _, ch := range []struct {
		label string
		id    ActionID
		s     contract.Consent
	}{
		{"Share with my name", ActionShareNamed, contract.Named},
		{"Share anonymously", ActionShareAnonymous, contract.Anonymous},
		{"Don't share", ActionShareNone, contract.NotShared},
	} {
		if all || ch.s != c.Library {
			bs = append(bs, button(ch.label, ch.id, val, message.Default))
		}
	}
	return actions(bs...)
}

// consentText says whether colleagues may see a completed contract.
func consentText(c *contract.Contract) text {
	switch c.Library {
	case contract.Named:
		return txt("📚 Colleagues can see it as an example, with your name.")
	case contract.Anonymous:
		return txt("📚 Colleagues can see it as an example, anonymously: no names, and mentions of people left out.")
	}
	return txt("🔒 Not shared: colleagues don't see it.")
}

// whatIsShown says what an example shows, and what it never shows.
func whatIsShown() text {
	return txt("They'd see its title, goals, activities and evidence, the outcome of the assessment and your reflection: never your evidence itself, check-ins or anyone's comments.")
}

// consentCardMsg asks the learner at completion whether colleagues may
// see the contract as an example; once chosen (chosen), it shows the
// choice instead of the buttons.
func consentCardMsg(c *contract.Contract, chosen bool) message.Message {
	if chosen {
		return msg("Your choice for the library",
			section(bold("May colleagues learn from “"+titleOf(c.InForce())+"”?"), "\n", consentText(c)),
			message.Context{Text: txt("You can change this at any time: type ", code("library"), ".")})
	}
	return msg("May colleagues learn from this contract?",
		section(bold("May colleagues learn from “"+titleOf(c.InForce())+"”?"),
			"\nWhen someone drafts a contract on a similar topic, I can show them yours as an example. ", whatIsShown()),
		consentButtons(c, "", true),
		message.Context{Text: txt("Until you choose, it stays private. You can change your mind at any time: type ", code("library"), ".")})
}

// consentChosenMsg confirms a choice made from the list.
func consentChosenMsg(c *contract.Contract) message.Message {
	return note("Your choice for the library", quoted(c), ": ", consentText(c))
}

// libraryListMsg lists the learner's completed contracts and whether
// colleagues may see each, with buttons to change it.
func libraryListMsg(cs []*contract.Contract) message.Message {
	if len(cs) == 0 {
		return note("Nothing in the library yet", "You have no completed contracts yet. When you complete one, you choose whether colleagues may see it as an example: with your name, anonymously, or not at all.")
	}
	bs := blocks{message.Header{Text: "Your contracts in the library"},
		section("For each completed contract, whether colleagues may see it as an example. ", whatIsShown())}
	for i, c := range cs {
		if i == maxLibraryListed {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more; open one with ", len(cs)-maxLibraryListed), code("show ID"), " and change it from its status.")})
			break
		}
		bs = append(bs, section(bold(titleOf(c.InForce())), "\n", consentText(c)), consentButtons(c, fromLibraryList, false))
	}
	return msg("Your contracts in the library", bs...)
}

// outcomeText says how the approver assessed an example.
func outcomeText(o library.Outcome) string {
	n := o.Criteria()
	switch {
	case n == 0:
		return "no assessment recorded"
	case o.Met == n && n == 1:
		return "its success criterion met"
	case o.Met == n:
		return fmt.Sprintf("all %d success criteria met", n)
	}
	s := fmt.Sprintf("%d of %d success criteria met", o.Met, n)
	if o.Partly > 0 {
		s += fmt.Sprintf(", %d partly", o.Partly)
	}
	return s
}

// exampleLine is an example in a list: its title, first goal and outcome,
// with a button to open it.
func exampleLine(e library.Example) message.Section {
	x := txt(bold(clipString(titleOf(contract.Terms{Title: e.Title}), 150)))
	if len(e.Goals) > 0 {
		x = append(x, txt("\n", clipString(e.Goals[0].Text, 160))...)
		if n := len(e.Goals) - 1; n > 0 {
			x = append(x, txt(fmt.Sprintf(" (+%d more)", n))...)
		}
	}
	x = append(x, txt("\n", italic("Outcome: "+outcomeText(e.Outcome)))...)
	s := section(x)
	b := button("Open", ActionOpenExample, ExampleValue(e.ID), message.Default)
	s.Accessory = &b
	return s
}

// offeredExamplesMsg offers examples while drafting, beside the dialog.
func offeredExamplesMsg(es []library.Example) message.Message {
	bs := blocks{message.Context{Text: txt("💡 ", bold("Colleagues learned something similar."), " For ideas, not to copy: your draft carries on below.")}}
	for _, e := range es {
		bs = append(bs, exampleLine(e))
	}
	return msg("Colleagues learned something similar", bs...)
}

// searchResultsMsg answers "examples TOPIC".
func searchResultsMsg(query string, es []library.Example) message.Message {
	q := clipString(strings.Join(strings.Fields(query), " "), 80)
	if len(es) == 0 {
		return note("No examples found", "No examples about “", q, "” yet. The library holds colleagues' completed contracts that they agreed to share; try other words, such as the skill or tool.")
	}
	bs := blocks{message.Header{Text: clipString("Examples: "+q, maxHeader)}}
	for _, e := range es {
		bs = append(bs, exampleLine(e))
	}
	bs = append(bs, message.Context{Text: txt("Colleagues' completed contracts, shared with their agreement; the best matches first.")})
	return msg("Examples from colleagues", bs...)
}

// badSearchMsg says why a search could not be run.
func badSearchMsg(query string, err error) message.Message {
	try := txt(" For example: ", code("examples code review"), " or ", code("examples public speaking"), ".")
	var long *library.QueryTooLongError
	switch {
	case errors.As(err, &long):
		return note("That search is too long", append(txt(fmt.Sprintf("That's %d characters; a topic of a few words works best (at most %d).", long.Len, library.MaxQuery)), try...))
	case errors.Is(err, library.ErrWildcard):
		return note("Search with words", append(txt("I search by words, not patterns like ", code(clipString(strings.TrimSpace(query), 20)), ": name a topic."), try...))
	case errors.Is(err, library.ErrCommonWords):
		return note("Those words are too common", append(txt("Those words are too common to find anything by: name the skill, tool or topic."), try...))
	case strings.TrimSpace(query) == "":
		return note("What would you like examples of?", append(txt("Type ", code("examples"), " and a topic to see how colleagues learned it."), try...))
	}
	return note("No words to search for", append(txt("There are no words in that to search for: name a topic."), try...))
}

func exampleGoneMsg() message.Message {
	return note("That example isn't in the library any more",
		"That example isn't in the library any more: whoever learned it may have stopped sharing it. Type ", code("examples"), " and a topic to search again.")
}

// exampleMsg shows one example whole.
func exampleMsg(e library.Example) message.Message {
	by := txt("Shared anonymously by a colleague")
	if e.Learner != "" {
		by = txt("Learned by ", at(e.Learner))
	}
	if !e.Completed.IsZero() {
		by = append(by, txt(", completed ", e.Completed.UTC().Format("January 2006"))...)
	}
	bs := blocks{message.Header{Text: clipString(titleOf(contract.Terms{Title: e.Title}), maxHeader)}, message.Context{Text: by}}
	var goals text
	for i, g := range e.Goals {
		if i > 0 {
			goals = append(goals, txt("\n")...)
		}
		goals = append(goals, txt(fmt.Sprintf("%d. ", i+1), g.Text)...)
		if g.Mastery != "" {
			goals = append(goals, txt("\n    ", italic("Shown by: "+g.Mastery))...)
		}
	}
	bs = append(bs, section(bold("Goals"), "\n", orNone(goals, "none")),
		section(bold("Activities"), "\n", orNone(bullets(e.Activities), "none")),
		section(bold("Evidence"), "\n", orNone(bullets(e.Evidence), "none")),
		section(bold("Outcome"), "\n", capitalize(outcomeText(e.Outcome)), "."))
	if r := reflectionText(&e.Reflection); len(r) > 0 {
		bs = append(bs, section(bold("Reflection"), "\n", r))
	}
	bs = append(bs, message.Context{Text: txt("An example for ideas: your own contract is yours to shape.")})
	return msg("An example: "+clipString(titleOf(contract.Terms{Title: e.Title}), 100), bs...)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package conversation

import (
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
)

// startMsg welcomes a learner to a new draft when templates are set up:
// start from one, or start blank (typing a title does that too).
func startMsg(c *contract.Contract, user string, lead text, val string) message.Message {
	var bs blocks
	switch {
	case len(lead) > 0:
		bs = append(bs, section(lead))
	case c.DraftedBy != "":
		bs = append(bs, section(draftForIntro(c.Learner)))
	default:
		bs = append(bs, section("👋 Hi ", at(user), "! Let's write your learning contract together: your goals, how you'll learn, "+
			"the evidence you'll produce and how it will be judged. Then I'll send it to your manager to agree and sign."))
	}
	bs = append(bs,
		section(bold("Start from a template, or start blank?"), " A template is an outline from your L&D team: goals, activities and evidence to pick from, and the standard your work will be judged by."),
		actions(button("Start from a template", ActionFromTemplate, val, message.Primary),
			button("Start blank", ActionStartBlank, val, message.Default)),
		message.Context{Text: txt("Starting blank? First, a title: just type what this contract is about, in a few words. Type ", code("help"), ", ",
			code("back"), " or ", code("cancel"), " at any point.")},
	)
	return msg("Start from a template, or start blank?", bs...)
}

// pickMsg lists the templates, each with its summary, and the menu to pick
// one from.
func pickMsg(lead text, all []template.Template) message.Message {
	bs := withLead(lead, section(bold("Which template?"), " Pick one from the menu; next you'll choose what suits you from it and add your own."))
	for i, tp := range all {
		if i == maxMenuShown {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("%d more in the menu.", len(all)-maxMenuShown))})
			break
		}
		line := txt(bold(tp.Title))
		if tp.Summary != "" {
			line = append(line, txt(" — ", tp.Summary)...)
		}
		bs = append(bs, section(line))
	}
	sel := &message.Select{ActionID: string(ActionPickTemplate), Placeholder: "Choose a template"}
	for i, tp := range all {
		if i == maxMenu {
			break
		}
		sel.Options = append(sel.Options, message.Option{Label: tp.Title, Value: tp.ID})
	}
	bs = append(bs, message.Actions{Buttons: []message.Button{button("Start blank", ActionStartBlank, "", message.Default)}, Select: sel},
		message.Context{Text: txt("Or type the template's name.")})
	return msg("Which template?", bs...)
}

// templateFormMsg says the template's form is waiting, with a button that
// opens it.
func templateFormMsg(tp template.Template, lead text, v ActionValue) message.Message {
	bs := withLead(lead, section(bold(tp.Title), ": choose the goals, activities and evidence that suit you in the form, and add your own."),
		actions(button("Open the form", ActionTemplateForm, v.Encode(), message.Primary),
			button("Start blank", ActionStartBlank, v.Encode(), message.Default)))
	return msg("Fill in the template's form", bs...)
}

// templateModal is the form of a template: its menus to tick, fields for
// the learner's own additions, and its criteria, which are kept.
func templateModal(tp template.Template, v ActionValue) message.Modal {
	intro := txt(bold(tp.Title))
	if tp.Summary != "" {
		intro = append(intro, txt("\n", tp.Summary)...)
	}
	bs := blocks{
		section(intro),
		message.Input{ID: contract.FieldTitle, Label: "Title", Initial: tp.Title, MaxLength: maxTitleText},
	}
	menu := func(id, label string, prefix string, items []string) {
		if len(items) == 0 {
			return
		}
		ch := message.Choice{ID: id, Label: label, Multi: true, Optional: true}
		for i, it := range items {
			ch.Options = append(ch.Options, message.Option{Label: it, Value: fmt.Sprintf("%s%d", prefix, i+1)})
		}
		bs = append(bs, ch)
	}
	own := func(id, label, placeholder string) {
		bs = append(bs, message.Input{ID: id, Label: label, Placeholder: placeholder, Multiline: true, Optional: true, MaxLength: maxOwnField})
	}
	goals := make([]string, len(tp.Goals))
	for i, g := range tp.Goals {
		goals[i] = g.Text
	}
	menu(contract.FieldGoals, "Goals (each comes with ways to show mastery)", "g", goals)
	own(FieldOwnGoals, "Goals of your own, one per line", "e.g. Run the quarterly review (shown by: the slides and the notes)")
	menu(contract.FieldActivities, "Activities", "a", tp.Activities)
	menu(FieldResources, "Resources", "r", tp.Resources)
	own(FieldOwnActivities, "Activities and resources of your own, one per line", "e.g. Pair with Ana on Fridays")
	menu(contract.FieldEvidence, "Evidence", "e", tp.Evidence)
	own(FieldOwnEvidence, "Evidence of your own, one per line", "e.g. A short write-up for the team")
	bs = append(bs, section(bold("Success criteria: the template's standard"), " (kept in every contract from it)\n", bullets(tp.Criteria)))
	own(FieldOwnCriteria, "Success criteria of your own, one per line", "Different evidence, same standard: add what else should count")
	bs = append(bs, message.Context{Text: txt(fmt.Sprintf("Check-ins %s; deadline in %s. You can change both next.", tp.Cadence, durationText(tp.Duration)))})
	return message.Modal{CallbackID: CallbackFromTemplate, PrivateData: v.Encode(),
		Title: "From a template", Submit: "Use these", Close: "Cancel", Blocks: bs}
}

// durationText writes a template's duration in weeks, or days.
func durationText(days int) string {
	switch {
	case days%7 == 0 && days == 7:
		return "1 week"
	case days%7 == 0:
		return fmt.Sprintf("%d weeks", days/7)
	case days == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}

// templateAppliedLead says what the form put in the draft, before the
// deadline step.
func templateAppliedLead(tp template.Template, tm contract.Terms) text {
	return txt(fmt.Sprintf("Your draft is filled in from %s: %s, %s and %s, and the template's %s, which stay. ",
		tp.Title, count(len(tm.Goals), "goal"), count(len(tm.Activities), "activity or resource", "activities and resources"),
		count(len(tm.Evidence), "piece of evidence", "pieces of evidence"), count(len(tp.Criteria), "success criterion", "success criteria")),
		fmt.Sprintf("The template suggests %s, so the deadline below is %s from today.", durationText(tp.Duration), durationText(tp.Duration)))
}

// count writes n things: count(2, "goal") is "2 goals".
func count(n int, one string, many ...string) string {
	if n == 1 {
		return "1 " + one
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// staleFormLead answers a template form that is not for the current step,
// with what the learner wrote in it.
func staleFormLead(typed []string) text {
	return txt("That form is from an earlier step, so I haven't used it; your draft is unchanged." + typedNote(typed))
}

// templateLine says which template a contract came from, nil when none.
func templateLine(c *contract.Contract) text {
	if c == nil || c.Template == "" {
		return nil
	}
	if c.TemplateTitle == "" {
		return txt("From template ", c.Template)
	}
	return txt("From template ", bold(c.TemplateTitle), " (", c.Template, ")")
}

// fixedRefusal explains that the template's criteria stay.
func fixedRefusal(fe *contract.FixedError) text {
	return txt("The template's success criteria are the standard every contract from it is judged by, so they stay: ",
		"“"+strings.Join(fe.Dropped, "”, “")+"”", ". You can add criteria of your own: different evidence, same standard.")
}

package conversation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
)

// Drafting from a template: when templates are set up, a new draft starts
// with Start from a template / Start blank. From a template, the learner
// picks one from a menu, then fills in its form: the goals, activities,
// resources and evidence they tick, their own additions, and a title. The
// template's success criteria are kept (contract.Criterion.Fixed); its
// cadence and duration are the defaults. The dialog then goes on at the
// deadline, as a blank draft would.

// States of starting a draft when templates are set up. They belong to
// the title part: typed text at StateStart is the title of a blank draft.
const (
	StateStart        State = "start"         // Start from a template / Start blank
	StatePickTemplate State = "pick_template" // the menu of templates
	StateTemplateForm State = "template_form" // the form of the template picked (Session.Template)
)

// CallbackFromTemplate is the template form; its PrivateData is an
// ActionValue naming the draft and the template (id@version).
const CallbackFromTemplate = "from_template"

// Fields of the template form. The menus' option values are a letter and
// the item's number in the template: g1, a2, r1, e3.
const (
	FieldOwnGoals      = "own_goals"
	FieldResources     = "resources"
	FieldOwnActivities = "own_activities"
	FieldOwnEvidence   = "own_evidence"
	FieldOwnCriteria   = "own_criteria"
)

// Limits on what a learner adds in the template form.
const (
	maxOwnItems  = 25               // lines per field
	maxOwnText   = template.MaxText // characters per line
	maxOwnField  = 3000             // characters per field
	maxTitleText = 150              // characters of the title
	maxMenuShown = template.MaxMenu // templates described in the pick message
	maxMenu      = 100              // templates in the menu (Slack's limit on a select)
)

// templateStart reports whether a state is one of starting from a template.
func templateStart(s State) bool {
	return s == StateStart || s == StatePickTemplate || s == StateTemplateForm
}

// offersTemplates reports whether drafts may start from a template.
func (t *turn) offersTemplates() bool { return len(t.env.Templates.All()) > 0 }

// blankDraft reports whether the session's draft is still untouched, so
// starting from a template can use it rather than make another.
func (t *turn) blankDraft() bool {
	c := t.draft()
	return c != nil && c.Version == 0 && templateStart(t.s.State) && len(contract.Diff(contract.Terms{Cadence: c.Terms.Cadence}, c.Terms)) == 0
}

// fromTemplateClick starts a draft at the menu of templates (the home's
// From a template button, or Start from a template).
func (t *turn) fromTemplateClick() {
	if !t.offersTemplates() {
		t.say("No templates here", "No contract templates are set up here, so let's start from a blank page.")
		t.startNew()
		return
	}
	if !t.blankDraft() {
		if t.in.User == "" {
			t.help()
			return
		}
		t.newDraft()
	}
	t.s.Template = ""
	t.push(StateStart)
	t.enter(StatePickTemplate, nil)
}

// startBlankClick takes the draft to its title, without a template.
func (t *turn) startBlankClick() {
	if !t.blankDraft() {
		t.staleTemplateClick()
		return
	}
	t.s.Template = ""
	t.enter(StateTitle, message.T("A blank page it is."))
}

// staleTemplateClick answers a click on a start, menu or form button of a
// step already passed.
func (t *turn) staleTemplateClick() {
	if t.inDraft() {
		t.reprompt(message.T("That button is from an earlier step. Here's where we are now."))
		return
	}
	t.ephemeral(note("That button is from an earlier conversation",
		"That button is from an earlier conversation. Type ", code("new"), " to start a contract, or ", code("resume"), " to carry on with your draft."))
}

// pickTemplate takes the template chosen in the menu (its id) and opens
// its form.
func (t *turn) pickTemplate(id string) {
	if !t.blankDraft() || t.s.State == StateStart {
		t.staleTemplateClick()
		return
	}
	id = strings.TrimSpace(id)
	if id == "" {
		t.reprompt(message.T("Pick a template from the menu first."))
		return
	}
	tp, ok := t.env.Templates.Get(id)
	if !ok {
		t.s.State = StatePickTemplate
		t.reprompt(message.T("That template isn't offered any more. Here are the ones that are."))
		return
	}
	t.s.State, t.s.Template = StateTemplateForm, tp.Ref()
	t.openTemplateForm(tp, nil)
}

// pickTyped reads a template's title or id typed at the menu.
func (t *turn) pickTyped(text string) {
	want := normalize(text)
	for _, tp := range t.env.Templates.All() {
		if want == tp.ID || want == normalize(tp.Title) {
			t.pickTemplate(tp.ID)
			return
		}
	}
	t.reprompt(message.T("I don't know a template called “", text, "”. Pick one from the menu, or press ", bold("Start blank"), "."))
}

// openTemplateForm opens the form of tp, or, without a click to open it
// from, answers with a button that does.
func (t *turn) openTemplateForm(tp template.Template, lead text) {
	v := ActionValue{ContractID: t.c.ID, Template: tp.Ref()}
	if t.in.TriggerID == "" || t.in.Kind != ActionInput {
		t.reply(templateFormMsg(tp, lead, v))
		return
	}
	if len(lead) > 0 {
		t.reply(templateFormMsg(tp, lead, v))
	}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: templateModal(tp, v)})
}

// templateFormClick opens the picked template's form again.
func (t *turn) templateFormClick() {
	if !t.blankDraft() || t.s.State != StateTemplateForm {
		t.staleTemplateClick()
		return
	}
	if tp, lead, ok := t.pickedTemplate(); ok {
		t.openTemplateForm(tp, lead)
	}
}

// pickedTemplate is the template the session picked, as the library has it
// now. A template since removed takes the dialog back to the menu; one
// since changed is the new version, with a lead that says so.
func (t *turn) pickedTemplate() (template.Template, text, bool) {
	id, _, _ := strings.Cut(t.s.Template, "@")
	tp, ok := t.env.Templates.Get(id)
	if !ok {
		t.s.Template = ""
		t.enter(StatePickTemplate, message.T("The template you picked isn't offered any more; your draft is unchanged. Pick another, or start blank."))
		return tp, nil, false
	}
	if tp.Ref() == t.s.Template {
		return tp, nil, true
	}
	t.s.Template = tp.Ref()
	return tp, message.T("The template ", bold(tp.Title), fmt.Sprintf(" has been updated since you picked it (it's version %d now). Please check the new form.", tp.Version)), true
}

// submitTemplate applies the template form to the draft.
func (t *turn) submitTemplate() {
	v, ok := t.target(t.in.PrivateData)
	if !ok {
		return
	}
	typed := typedBack(t.in.Form)
	if !t.blankDraft() || t.s.State != StateTemplateForm || t.s.ContractID != v.ContractID || v.Template != t.s.Template {
		if t.inDraft() && t.s.State != StateStopped {
			t.reprompt(staleFormLead(typed))
			return
		}
		t.reply(note("That form is from an earlier step", staleFormLead(typed)))
		return
	}
	tp, lead, ok := t.pickedTemplate()
	if !ok {
		if len(typed) > 0 {
			t.reply(note("What you wrote", strings.TrimPrefix(typedNote(typed), "\n")))
		}
		return
	}
	if len(lead) > 0 {
		t.reply(templateFormMsg(tp, append(lead, txt(typedNote(typed))...), ActionValue{ContractID: t.c.ID, Template: tp.Ref()}))
		return
	}
	terms, problems := templateTerms(tp, t.in.Form, t.in.User)
	if len(problems) > 0 {
		t.reply(templateFormMsg(tp, problemsText("The form wasn't used:", problems), ActionValue{ContractID: t.c.ID, Template: tp.Ref()}))
		return
	}
	terms.Deadline = t.today().AddDate(0, 0, tp.Duration)
	if !t.edit(func(tm *contract.Terms) { *tm = terms }) {
		return
	}
	c := t.c
	c.Template, c.TemplateTitle, c.AdvocateRequired = tp.Ref(), tp.Title, tp.NeedsAdvocate()
	t.s.Template = ""
	t.s.Back = []State{StateTitle, StateGoals, StateActivities, StateEvidence, StateCriteria}
	t.offerExamples()
	t.enter(StateDeadline, templateAppliedLead(tp, terms))
}

// templateTerms reads the template form: the items ticked in tp's menus,
// the learner's own, and tp's criteria, kept. It returns the problems that
// keep the form from being used.
func templateTerms(tp template.Template, form map[string]string, learner string) (contract.Terms, []string) {
	var problems []string
	tm := contract.Terms{Cadence: tp.Cadence}
	tm.Title = strings.Join(strings.Fields(form[contract.FieldTitle]), " ")
	if p := titleProblem(tm.Title); p != "" {
		problems = append(problems, "Title: "+p)
	}
	picked := func(field, prefix, label string, n int) []int {
		var out []int
		for _, v := range strings.Split(form[field], ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			i, err := strconv.Atoi(strings.TrimPrefix(v, prefix))
			if !strings.HasPrefix(v, prefix) || err != nil || i < 1 || i > n {
				problems = append(problems, fmt.Sprintf("One of the %s ticked isn't in the template.", label))
				continue
			}
			if !slices.Contains(out, i-1) {
				out = append(out, i-1)
			}
		}
		slices.Sort(out)
		return out
	}
	own := func(field, label string) []string {
		lines, p := ownLines(form[field])
		if p != "" {
			problems = append(problems, "Your own "+label+": "+p)
		}
		return lines
	}
	for _, i := range picked(contract.FieldGoals, "g", "goals", len(tp.Goals)) {
		g := tp.Goals[i]
		tm.Goals = append(tm.Goals, contract.Goal{Text: g.Text, Mastery: strings.Join(g.Mastery, "; ")})
	}
	tm.Goals = append(tm.Goals, goalsFrom(own(FieldOwnGoals, "goals"))...)
	for _, i := range picked(contract.FieldActivities, "a", "activities", len(tp.Activities)) {
		tm.Activities = append(tm.Activities, tp.Activities[i])
	}
	for _, i := range picked(FieldResources, "r", "resources", len(tp.Resources)) {
		tm.Activities = append(tm.Activities, tp.Resources[i])
	}
	tm.Activities = appendNew(tm.Activities, own(FieldOwnActivities, "activities and resources"))
	for _, i := range picked(contract.FieldEvidence, "e", "pieces of evidence", len(tp.Evidence)) {
		tm.Evidence = append(tm.Evidence, tp.Evidence[i])
	}
	tm.Evidence = appendNew(tm.Evidence, own(FieldOwnEvidence, "pieces of evidence"))
	for _, cr := range tp.Criteria {
		tm.Criteria = append(tm.Criteria, contract.Criterion{Text: cr, Fixed: true})
	}
	for _, cr := range own(FieldOwnCriteria, "success criteria") {
		if !slices.ContainsFunc(tm.Criteria, func(c contract.Criterion) bool { return strings.EqualFold(c.Text, cr) }) {
			tm.Criteria = append(tm.Criteria, contract.Criterion{Text: cr, ProposedBy: learner})
		}
	}
	if len(problems) == 0 && len(tm.Goals) == 0 {
		problems = append(problems, "Tick at least one goal, or write one of your own.")
	}
	if len(problems) == 0 && len(tm.Evidence) == 0 {
		problems = append(problems, "Tick at least one piece of evidence, or write your own.")
	}
	return tm, problems
}

// appendNew appends the items of add that list lacks (case aside).
func appendNew(list, add []string) []string {
	for _, a := range add {
		if !slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, a) }) {
			list = append(list, a)
		}
	}
	return list
}

// validateTemplate checks the template form before it is accepted, so it
// stays open with the problem beside its field.
func validateTemplate(form map[string]string, problems map[string]string) {
	if p := titleProblem(strings.TrimSpace(form[contract.FieldTitle])); p != "" {
		problems[contract.FieldTitle] = p
	}
	for _, id := range []string{FieldOwnGoals, FieldOwnActivities, FieldOwnEvidence, FieldOwnCriteria} {
		if _, p := ownLines(form[id]); p != "" {
			problems[id] = p
		}
	}
	if _, ok := problems[FieldOwnGoals]; !ok && strings.TrimSpace(form[contract.FieldGoals]) == "" && len(splitLines(form[FieldOwnGoals])) == 0 {
		problems[FieldOwnGoals] = "Tick at least one goal above, or write one of your own here."
	}
	if _, ok := problems[FieldOwnEvidence]; !ok && strings.TrimSpace(form[contract.FieldEvidence]) == "" && len(splitLines(form[FieldOwnEvidence])) == 0 {
		problems[FieldOwnEvidence] = "Tick at least one piece of evidence above, or write your own here."
	}
}

// titleProblem is what is wrong with the title of a template form; "" when
// nothing.
func titleProblem(title string) string {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		return "Please give your contract a title."
	case n > maxTitleText:
		return fmt.Sprintf("Please keep the title to %d characters (it has %d).", maxTitleText, n)
	}
	return ""
}

// ownLines reads what a learner added in a field of a template form, one
// item per line, or says what is wrong with it (too long, too many lines).
func ownLines(raw string) ([]string, string) {
	lines := splitLines(raw)
	switch n := utf8.RuneCountInString(raw); {
	case n > maxOwnField:
		return nil, fmt.Sprintf("Please keep these to %d characters in all (there are %d).", maxOwnField, n)
	case len(lines) > maxOwnItems:
		return nil, fmt.Sprintf("Please keep to %d lines (there are %d).", maxOwnItems, len(lines))
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > maxOwnText {
			return nil, fmt.Sprintf("Please keep each line to %d characters (one has %d).", maxOwnText, n)
		}
	}
	return lines, ""
}

// typedBack is what the learner wrote in a form that could not be used,
// one line per field written, so nothing typed is lost; empty when they
// wrote nothing of their own.
func typedBack(form map[string]string) []string {
	labels := []struct{ id, label string }{{FieldOwnGoals, "Your goals"}, {FieldOwnActivities, "Your activities and resources"},
		{FieldOwnEvidence, "Your evidence"}, {FieldOwnCriteria, "Your success criteria"}}
	var out []string
	for _, l := range labels {
		lines := splitLines(form[l.id])
		if len(lines) == 0 {
			continue
		}
		s := strings.Join(lines, "; ")
		if utf8.RuneCountInString(s) > 1000 {
			s = string([]rune(s)[:1000]) + "…"
		}
		out = append(out, l.label+": "+s)
	}
	return out
}

func typedNote(typed []string) string {
	if len(typed) == 0 {
		return ""
	}
	return "\nWhat you wrote, to copy into it:\n" + strings.Join(typed, "\n")
}

// templateDoing describes the steps of starting from a template, for help
// and status.
func templateDoing(s State) string {
	switch s {
	case StateStart:
		return "choosing between a template and a blank page"
	case StatePickTemplate:
		return "choosing a template"
	case StateTemplateForm:
		return "filling in the template's form"
	}
	return ""
}

// templatePrompt is the question of a step of starting from a template.
func (t *turn) templatePrompt(lead text) message.Message {
	switch t.s.State {
	case StateStart:
		if len(lead) == 0 && t.draftedFor(t.c) {
			lead = draftForIntro(t.c.Learner)
		}
		return startMsg(t.c, t.in.User, lead, value(t.c))
	case StatePickTemplate:
		return pickMsg(lead, t.env.Templates.All())
	}
	id, _, _ := strings.Cut(t.s.Template, "@")
	tp, ok := t.env.Templates.Get(id)
	if !ok {
		t.s.State, t.s.Template = StatePickTemplate, ""
		return pickMsg(txt("The template you picked isn't offered any more. Pick another, or start blank."), t.env.Templates.All())
	}
	return templateFormMsg(tp, lead, ActionValue{ContractID: t.c.ID, Template: tp.Ref()})
}

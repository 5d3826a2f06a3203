package conversation

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
)

// presentingV2 is the shipped presenting template, revised.
const presentingV2 = `id: presenting
version: 2
title: Present with confidence
goals:
  - text: Give a clear update
criteria:
  - The update ends on time with a clear ask
`

func templateLibrary(t *testing.T, files fstest.MapFS) *template.Library {
	t.Helper()
	var fsys = template.Examples()
	if files != nil {
		fsys = files
	}
	lib, err := template.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// dialog drives Step turn after turn for one learner, as the engine would.
type dialog struct {
	t    *testing.T
	user string // whose dialog it is
	env  Env
	s    Session
	c    *contract.Contract
	res  Result
}

func newDialog(t *testing.T, lib *template.Library) *dialog {
	env := testEnv()
	env.Templates = lib
	return &dialog{t: t, user: lee, env: env, s: Session{User: lee}}
}

func (d *dialog) step(in Input) Result {
	d.t.Helper()
	if in.User == "" {
		in.User, in.Channel = d.user, "D"+d.user
	}
	d.res = Step(d.env, d.s, d.c, in)
	if in.User == d.user {
		d.s = d.res.Session
	}
	if d.res.Contract != nil {
		d.c = d.res.Contract
	}
	return d.res
}

func (d *dialog) say(text string) Result { return d.step(Input{Kind: TextInput, Text: text}) }
func (d *dialog) click(id ActionID, value string) Result {
	return d.step(Input{Kind: ActionInput, ActionID: string(id), Value: value, TriggerID: "trig"})
}

// modal is the form the last turn opened.
func (d *dialog) modal() message.Modal {
	d.t.Helper()
	for _, ef := range d.res.Effects {
		if m, ok := ef.(OpenModal); ok {
			return m.Modal
		}
	}
	d.t.Fatalf("no form opened; replies: %s", allText(d.res))
	return message.Modal{}
}

// skipNotes skips the optional steps after the approver (the advocate,
// support needed, ethical considerations) up to the summary.
func (d *dialog) skipNotes() {
	d.t.Helper()
	for i := 0; i < 5 && d.s.State != StateSummary; i++ {
		d.click(ActionSkip, value(d.c))
	}
}

func (d *dialog) submit(m message.Modal, form map[string]string) Result {
	return d.step(Input{Kind: SubmitInput, CallbackID: m.CallbackID, PrivateData: m.PrivateData, Form: form})
}

func (d *dialog) wants(state State, says string) {
	d.t.Helper()
	if d.s.State != state {
		d.t.Errorf("state %q, want %q (said: %s)", d.s.State, state, allText(d.res))
	}
	if got := allText(d.res); !strings.Contains(got, says) {
		d.t.Errorf("the bot said %q, want it to say %q", got, says)
	}
}

func choiceOf(t *testing.T, m message.Modal, id string) message.Choice {
	t.Helper()
	for _, b := range m.Blocks {
		if c, ok := b.(message.Choice); ok && c.ID == id {
			return c
		}
	}
	t.Fatalf("the form has no choice %q", id)
	return message.Choice{}
}

// toForm picks the presenting template and opens its form.
func toForm(t *testing.T, lib *template.Library) (*dialog, message.Modal) {
	d := newDialog(t, lib)
	d.say("new")
	d.wants(StateStart, "Start from a template, or start blank?")
	d.click(ActionFromTemplate, "")
	d.wants(StatePickTemplate, "Present with confidence — For anyone who gives updates")
	d.click(ActionPickTemplate, "presenting")
	if d.s.State != StateTemplateForm || d.s.Template != "presenting@1" {
		t.Fatalf("after the pick: %+v", d.s)
	}
	return d, d.modal()
}

// A learner drafts from a template: picks goals, an activity, a resource
// and evidence from its menus, adds an activity and a criterion of their
// own, keeps the suggested deadline and cadence, names an approver and
// sends. The template's criteria are in the proposal, marked fixed.
func TestDraftFromTemplate(t *testing.T) {
	d, m := toForm(t, templateLibrary(t, nil))
	if m.CallbackID != CallbackFromTemplate || len(choiceOf(t, m, contract.FieldGoals).Options) != 2 ||
		choiceOf(t, m, contract.FieldGoals).Options[1].Value != "g2" || !choiceOf(t, m, FieldResources).Multi {
		t.Fatalf("form = %+v", m)
	}
	d.submit(m, map[string]string{
		contract.FieldTitle: "  Present   the Q3 update ", contract.FieldGoals: "g1,g2", contract.FieldActivities: "a2",
		FieldResources: "r1", FieldOwnActivities: "Present at the all-hands\n\n", contract.FieldEvidence: "e1",
		FieldOwnCriteria: "The slides fit on five pages",
	})
	d.wants(StateDeadline, "Your draft is filled in from Present with confidence: 2 goals, 3 activities and resources")
	c := d.c
	tm := c.Terms
	if c.Template != "presenting@1" || c.TemplateTitle != "Present with confidence" || c.AdvocateRequired || tm.Title != "Present the Q3 update" {
		t.Errorf("contract: template %q %q advocate %v title %q", c.Template, c.TemplateTitle, c.AdvocateRequired, tm.Title)
	}
	if len(tm.Goals) != 2 || tm.Goals[0].Mastery != "Two of three attendees name the main point unprompted; The update ends on time with a decision or a clear next step" {
		t.Errorf("goals = %+v", tm.Goals)
	}
	if want := "Rehearse with a colleague and ask for one change|Book: Resonate, by Nancy Duarte|Present at the all-hands"; strings.Join(tm.Activities, "|") != want {
		t.Errorf("activities = %q", tm.Activities)
	}
	if got := tm.Criteria; len(got) != 3 || !got[0].Fixed || !got[1].Fixed || got[2].Fixed || got[2].ProposedBy != lee || got[0].Text != "The update ends on time with a clear ask" {
		t.Errorf("criteria = %+v", got)
	}
	if want := start.AddDate(0, 0, 56).Format("2006-01-02"); isoDate(tm.Deadline) != want || tm.Cadence != contract.Weekly {
		t.Errorf("deadline %s cadence %d, want %s weekly", isoDate(tm.Deadline), tm.Cadence, want)
	}
	d.wants(StateDeadline, "Keep as is")
	d.say("back")
	d.wants(StateCriteria, "How should your evidence be judged?")
	d.click(ActionKeep, value(c))
	d.wants(StateDeadline, "By when?")
	d.click(ActionKeep, value(c))
	d.wants(StateCadence, "How often should we check in?")
	d.click(ActionKeep, value(c))
	d.wants(StateApprover, "Who will approve and sign it?")
	d.say("<@UMO>")
	d.skipNotes()
	d.wants(StateSummary, "From template Present with confidence (presenting@1)")
	d.wants(StateSummary, "The update ends on time with a clear ask (the template's standard)")
	d.say("status")
	d.wants(StateSummary, "From template Present with confidence (presenting@1)")
	d.click(ActionSend, value(d.c))
	if d.c.Status != contract.Proposed {
		t.Fatalf("after send: %s; said %s", d.c.Status, allText(d.res))
	}
	r, _ := d.c.Revision(1)
	if fixed := r.Terms.FixedCriteria(); len(fixed) != 2 {
		t.Errorf("the proposal's fixed criteria = %q", fixed)
	}
}

// The template's criteria stay whichever way the terms are changed: the
// criteria step, editing one item, and the approver's amendment form.
func TestTemplateCriteriaKept(t *testing.T) {
	d, m := toForm(t, templateLibrary(t, nil))
	d.submit(m, map[string]string{contract.FieldTitle: "Present", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
	d.say("edit criteria")
	d.wants(StateCriteria, "How should your evidence be judged?")
	d.say("Only my own criterion")
	d.wants(StateCriteria, "so they stay: “The update ends on time with a clear ask”, “Attendees can say what was asked of them”")
	if len(d.c.Terms.Criteria) != 2 {
		t.Errorf("criteria after the refusal: %+v", d.c.Terms.Criteria)
	}
	d.say("The update ends on time with a clear ask\nattendees can say what was asked of them\nMy own")
	if got := d.c.Terms.Criteria; len(got) != 3 || !got[1].Fixed || got[1].Text != "Attendees can say what was asked of them" || got[2].ProposedBy != lee {
		t.Errorf("criteria = %+v", got)
	}
	d.say("edit criterion 1")
	d.wants(StateDeadline, "so they stay: “The update ends on time with a clear ask”.")
	d.say("edit criterion 3")
	d.say("delete")
	d.wants(StateDeadline, "Criterion 3 removed")
	if len(d.c.Terms.Criteria) != 2 {
		t.Errorf("the learner's own criterion was not removed: %+v", d.c.Terms.Criteria)
	}

	// The approver's amendment may add a criterion, not drop the
	// template's.
	d.click(ActionKeep, value(d.c))
	d.click(ActionKeep, value(d.c))
	d.say("<@UMO>")
	d.skipNotes()
	d.click(ActionSend, value(d.c))
	if d.c.Status != contract.Proposed {
		t.Fatalf("not sent: %s", allText(d.res))
	}
	amend := Input{Kind: SubmitInput, User: mo, CallbackID: CallbackAmend, PrivateData: value(d.c),
		Form: map[string]string{contract.FieldCriteria: "Attendees can say what was asked of them\nA new one"}}
	d.step(amend)
	if got := allText(d.res); !strings.Contains(got, "The amendment wasn't sent") || !strings.Contains(got, "“The update ends on time with a clear ask”") || d.c.Version != 1 {
		t.Errorf("amendment dropping a fixed criterion: v%d, said %s", d.c.Version, got)
	}
	amend.Form[contract.FieldCriteria] = "The update ends on time with a clear ask\nAttendees can say what was asked of them\nA new one"
	d.step(amend)
	if d.c.Version != 2 || len(d.c.Terms.FixedCriteria()) != 2 || len(d.c.Terms.Criteria) != 3 {
		t.Errorf("amendment adding a criterion: v%d %+v; said %s", d.c.Version, d.c.Terms.Criteria, allText(d.res))
	}
}

// Start blank, and a title typed at the start, are today's blank draft;
// without templates the start is unchanged.
func TestStartBlank(t *testing.T) {
	d := newDialog(t, templateLibrary(t, nil))
	d.say("new")
	d.click(ActionStartBlank, value(d.c))
	d.wants(StateTitle, "What's the title of your contract?")
	d.say("Design reviews")
	d.wants(StateGoal, "What's your first goal?")
	if d.c.Template != "" || d.c.Terms.Title != "Design reviews" {
		t.Errorf("contract %+v", d.c)
	}
	d.click(ActionStartBlank, value(d.c))
	d.wants(StateGoal, "That button is from an earlier step")

	d = newDialog(t, templateLibrary(t, nil))
	d.say("new")
	d.say("Design reviews")
	d.wants(StateGoal, "What's your first goal?")
	d.say("back")
	d.wants(StateTitle, "What's the title")

	d = newDialog(t, nil)
	d.say("new")
	d.wants(StateTitle, "First, a title.")
	d.click(ActionFromTemplate, "")
	d.wants(StateTitle, "No contract templates are set up here")
}

// Bad input while drafting from a template gets a clear answer and leaves
// the draft as it was.
func TestTemplateBadInput(t *testing.T) {
	t.Run("unknown template", func(t *testing.T) {
		d, _ := toForm(t, templateLibrary(t, nil))
		d.click(ActionPickTemplate, "no-such-template")
		d.wants(StatePickTemplate, "That template isn't offered any more")
		d.click(ActionPickTemplate, "")
		d.wants(StatePickTemplate, "Pick a template from the menu first")
		d.say("answer my own data questions with sql")
		if d.s.Template != "sql-basics@1" || len(d.res.Effects) == 0 {
			t.Errorf("typed name: session %+v", d.s)
		}
	})
	t.Run("too long", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		form := map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1",
			FieldOwnActivities: strings.Repeat("x", 10_000)}
		if p := Validate(Input{Kind: SubmitInput, CallbackID: CallbackFromTemplate, Form: form}, start, nil); !strings.Contains(p[FieldOwnActivities], "3000 characters in all (there are 10000)") {
			t.Errorf("Validate = %v", p)
		}
		form[FieldOwnGoals] = strings.Repeat("Lead a retro\n", 26)
		form[FieldOwnCriteria] = strings.Repeat("y", 301)
		p := Validate(Input{Kind: SubmitInput, CallbackID: CallbackFromTemplate, Form: form}, start, nil)
		if !strings.Contains(p[FieldOwnGoals], "25 lines (there are 26)") || !strings.Contains(p[FieldOwnCriteria], "300 characters (one has 301)") {
			t.Errorf("Validate = %v", p)
		}
		d.submit(m, form)
		d.wants(StateTemplateForm, "Your own activities and resources: Please keep these to 3000 characters in all (there are 10000).")
		d.wants(StateTemplateForm, "Your own goals: Please keep to 25 lines")
		if d.res.Contract != nil || d.c.Terms.Title != "" {
			t.Errorf("the draft changed: %+v", d.c.Terms)
		}
	})
	t.Run("nothing picked", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		form := map[string]string{contract.FieldTitle: "T"}
		p := Validate(Input{Kind: SubmitInput, CallbackID: CallbackFromTemplate, Form: form}, start, nil)
		if p[FieldOwnGoals] == "" || p[FieldOwnEvidence] == "" {
			t.Errorf("Validate = %v", p)
		}
		d.submit(m, form)
		d.wants(StateTemplateForm, "Tick at least one goal")
		d.submit(m, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g9", contract.FieldEvidence: "e1"})
		d.wants(StateTemplateForm, "One of the goals ticked isn't in the template")
	})
	t.Run("stale form", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		d.click(ActionPickTemplate, "feedback")
		form := d.modal()
		d.submit(m, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1", FieldOwnGoals: "Lead a retro"})
		d.wants(StateTemplateForm, "That form is from an earlier step")
		d.wants(StateTemplateForm, "Your goals: Lead a retro")
		if d.c.Template != "" || d.c.Terms.Title != "" {
			t.Errorf("the stale form was used: %+v", d.c.Terms)
		}
		d.submit(form, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
		d.wants(StateDeadline, "filled in from Give feedback")
		d.submit(form, map[string]string{contract.FieldTitle: "Other", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
		d.wants(StateDeadline, "That form is from an earlier step")
		if d.c.Terms.Title != "T" || !d.c.AdvocateRequired {
			t.Errorf("after a second submission: %q, advocate required %v", d.c.Terms.Title, d.c.AdvocateRequired)
		}
	})
	t.Run("template removed", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		d.env.Templates = templateLibrary(t, fstest.MapFS{"s.yaml": {Data: []byte(strings.Replace(presentingV2, "id: presenting", "id: other", 1))}})
		d.submit(m, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1", FieldOwnEvidence: "A demo"})
		d.wants(StatePickTemplate, "The template you picked isn't offered any more; your draft is unchanged")
		d.wants(StatePickTemplate, "Your evidence: A demo")
		if d.c.Template != "" {
			t.Errorf("used a removed template")
		}
	})
	t.Run("template changed", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		d.env.Templates = templateLibrary(t, fstest.MapFS{"p.yaml": {Data: []byte(presentingV2)}})
		d.submit(m, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1", FieldOwnEvidence: "A demo"})
		d.wants(StateTemplateForm, "has been updated since you picked it (it's version 2 now)")
		d.wants(StateTemplateForm, "Your evidence: A demo")
		if d.c.Template != "" || d.s.Template != "presenting@2" {
			t.Errorf("contract template %q, session %q", d.c.Template, d.s.Template)
		}
		d.click(ActionTemplateForm, "")
		v2 := d.modal()
		if len(choiceOf(t, v2, contract.FieldGoals).Options) != 1 {
			t.Errorf("the form is not the new version's: %+v", v2)
		}
		d.submit(v2, map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", FieldOwnEvidence: "A demo"})
		d.wants(StateDeadline, "filled in from Present with confidence")
		if d.c.Template != "presenting@2" {
			t.Errorf("contract template %q", d.c.Template)
		}
	})
	t.Run("someone else's form", func(t *testing.T) {
		d, m := toForm(t, templateLibrary(t, nil))
		d.step(Input{Kind: SubmitInput, User: mo, CallbackID: m.CallbackID, PrivateData: m.PrivateData,
			Form: map[string]string{contract.FieldTitle: "T", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"}})
		if d.res.Contract != nil || !strings.Contains(allText(d.res), "earlier step") {
			t.Errorf("another person's submission: saved %v, said %s", d.res.Contract != nil, allText(d.res))
		}
	})
}

// An approver drafting for a learner may start from a template too.
func TestDraftForFromTemplate(t *testing.T) {
	d := newDialog(t, templateLibrary(t, nil))
	d.user, d.s = mo, Session{User: mo}
	d.step(Input{Kind: CommandInput, Text: "draft-for <@ULEE>"})
	d.wants(StateStart, "Let's draft a learning contract for @ULEE")
	d.click(ActionFromTemplate, "")
	d.click(ActionPickTemplate, "sql-basics")
	d.submit(d.modal(), map[string]string{contract.FieldTitle: "SQL for the weekly report", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
	d.wants(StateDeadline, "filled in from Answer my own data questions with SQL")
	if c := d.c; c.Learner != lee || c.DraftedBy != mo || c.Template != "sql-basics@1" || len(c.Terms.FixedCriteria()) != 2 {
		t.Errorf("contract drafted for Lee: learner %s, drafted by %s, template %q, criteria %+v", c.Learner, c.DraftedBy, c.Template, c.Terms.Criteria)
	}
}

// A template whose signers include an advocate makes one part of a
// complete proposal: sending without one is answered with what is missing.
func TestTemplateAsksForAdvocate(t *testing.T) {
	d := newDialog(t, templateLibrary(t, nil))
	d.say("new")
	d.click(ActionFromTemplate, "")
	d.click(ActionPickTemplate, "feedback")
	d.submit(d.modal(), map[string]string{contract.FieldTitle: "Feedback", contract.FieldGoals: "g1", contract.FieldEvidence: "e1"})
	if !d.c.AdvocateRequired {
		t.Fatal("the feedback template's draft does not ask for an advocate")
	}
	d.click(ActionKeep, value(d.c))
	d.click(ActionKeep, value(d.c))
	d.say("<@UMO>")
	d.skipNotes()
	d.click(ActionSend, value(d.c))
	d.wants(StateSummary, "a workplace advocate (the template asks for one)")
	if d.c.Status != contract.Draft {
		t.Fatalf("sent without the advocate the template asks for: %s", d.c.Status)
	}
	d.say("edit advocate")
	d.say("<@UWEN>")
	d.click(ActionSend, value(d.c))
	if d.c.Status != contract.Proposed || d.c.Advocate != "UWEN" {
		t.Errorf("with an advocate named: %s, advocate %q; said %s", d.c.Status, d.c.Advocate, allText(d.res))
	}
}

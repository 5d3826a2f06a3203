package bottest

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
)

// templateSamples are the messages and the form of drafting from a
// template: the start, the menu, the form, the draft filled in from it,
// the template's criteria kept, and a form that came too late.
func templateSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner = "ULEE"
	lib, err := template.Load(template.Examples())
	if err != nil {
		t.Fatal(err)
	}
	s := sampler{NewWorld(t, now), msgs, modals}
	s.Templates(lib)
	s.Say(learner, "new")
	s.keep("template_start", Sent, learner)
	s.Click(learner, "Start from a template")
	s.keep("template_pick", Sent, learner)
	s.Choose(learner, "Give feedback people can act on")
	s.form("from_template", learner)
	s.Say(learner, "what now?")
	s.keep("template_form_waiting", Sent, learner)
	s.Submit(learner, map[string]string{contract.FieldGoals: "g1,g2", contract.FieldActivities: "a1", conversation.FieldResources: "r2",
		conversation.FieldOwnActivities: "Ask my team lead for one example a week", contract.FieldEvidence: "e2,e3",
		conversation.FieldOwnCriteria: "Two team members say feedback got more specific"})
	s.keep("template_applied", Sent, learner)
	s.Say(learner, "edit criterion 1")
	s.keep("template_criteria_kept", Sent, learner)
	s.Say(learner, "new")
	s.Click(learner, "Start a new one")
	s.Click(learner, "Start from a template")
	s.Choose(learner, "Present with confidence")
	s.Click(learner, "Start blank")
	s.Submit(learner, map[string]string{contract.FieldGoals: "g1", conversation.FieldOwnEvidence: "A demo to the team"})
	s.keep("template_stale_form", Sent, learner)
	s.Command("UKAI", "home")
	s.keep("home_templates", Sent, "UKAI")

	// A template with menus of 25 items: on Slack, more than ten check
	// boxes become a multi-select menu.
	long := "id: long\nversion: 1\ntitle: A long menu\ngoals: [{text: Lead a retro}]\ncriteria: [The team agrees on one change]\nactivities:\n"
	for i := range template.MaxMenu {
		long += fmt.Sprintf("  - Activity %d of the long menu\n", i+1)
	}
	big, err := template.Load(fstest.MapFS{"long.yaml": {Data: []byte(long)}})
	if err != nil {
		t.Fatal(err)
	}
	l := sampler{NewWorld(t, now), msgs, modals}
	l.Templates(big)
	l.Say(learner, "new")
	l.Click(learner, "Start from a template")
	l.Choose(learner, "A long menu")
	l.form("from_template_long", learner)
}

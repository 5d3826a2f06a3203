package bot_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/conversation/template"
)

// examples are the shipped templates.
func examples(t testing.TB) *template.Library {
	t.Helper()
	lib, err := template.Load(template.Examples())
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// TestTranscriptFromTemplate: Lee drafts from the presenting template:
// ticks a goal, an activity and two pieces of evidence, adds an activity
// and a criterion of their own, keeps the suggested deadline and cadence,
// tries to drop the template's criteria (refused), and sends; Mo signs.
// The signed contract keeps the template's criteria and says where it
// came from.
func TestTranscriptFromTemplate(t *testing.T) {
	w := newWorld(t, "Drafting from a template")
	w.Templates(examples(t))
	w.Say(lee, "new")
	w.Click(lee, "Start from a template")
	w.Choose(lee, "Present with confidence")
	w.Submit(lee, map[string]string{
		contract.FieldTitle: "Present the Q3 update", contract.FieldGoals: "g1", contract.FieldActivities: "a2",
		conversation.FieldOwnActivities: "Present at the all-hands", contract.FieldEvidence: "e1,e2",
		conversation.FieldOwnCriteria: "The slides fit on five pages",
	})
	w.Click(lee, "Keep as is")
	w.Click(lee, "Keep as is")
	w.Say(lee, "<@UMO|mo>")
	w.SkipNotes(lee)
	w.Say(lee, "edit criteria")
	w.Say(lee, "The slides fit on five pages")
	w.Click(lee, "Keep as is")
	w.Click(lee, "Send to my manager")
	if got := messagetest.Text(w.Last(bottest.Sent, mo)); !strings.Contains(got, "From template Present with confidence (presenting@1)") {
		t.Errorf("Mo's card does not say where the contract came from:\n%s", got)
	}
	w.Click(mo, "Approve & sign")
	c := w.Contract("c1")
	if c.Status != contract.Active || c.Template != "presenting@1" {
		t.Fatalf("contract %s from %q", c.Status, c.Template)
	}
	r, _ := c.Revision(c.Signed)
	if got := r.Terms.FixedCriteria(); len(got) != 2 || got[0] != "The update ends on time with a clear ask" {
		t.Errorf("the signed version's fixed criteria = %q", got)
	}
	golden(t, w, "from_template")
}

package bot_test

import (
	"os"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/approverpolicy"
)

// draftToApprover has Lee draft a contract up to naming an approver.
func draftToApprover(w interface {
	Say(user, text string)
	Click(user, label string)
}) {
	w.Say(lee, "new")
	w.Say(lee, "Running design reviews")
	w.Say(lee, "Run three design reviews using a checklist the team adopts")
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, "Shadow Ana's reviews; read the Design Review Handbook")
	w.Say(lee, "A write-up of three reviews")
	w.Say(lee, "Two teammates use my checklist without help")
	w.Say(lee, "in 8 weeks")
	w.Click(lee, "Weekly")
}

// TestTranscriptApproverPolicy: with APPROVERS naming a user group, or a
// list of each learner's approvers, a learner who names someone else is
// told why not and whom to name; the draft waits for a valid choice.
func TestTranscriptApproverPolicy(t *testing.T) {
	w := newWorld(t, "Who may approve: a user group, then a list")
	group, err := approverpolicy.Parse("@managers", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Platform.AddGroup("managers", mo, "UANA")
	w.Approvers(group)
	w.Logf("   (APPROVERS=@managers: Mo and Ana)\n")
	w.Quietly("Lee drafts a contract up to the approver", func() { draftToApprover(w) })
	w.Say(lee, "<@USAM|sam>")
	group1 := lastText(w, lee)
	w.Say(lee, "<@UMO|mo>")
	if c := w.Contract("c1"); c.Approver != mo {
		t.Fatalf("approver %q after naming a member of the group", c.Approver)
	}

	list := t.TempDir() + "/approvers.txt"
	if err := os.WriteFile(list, []byte("# learner = approvers\nULEE = UMO, UANA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listed, err := approverpolicy.Parse("file:"+list, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	w.Approvers(listed)
	w.Logf("   (APPROVERS=file:approvers.txt: Lee's approvers are Mo and Ana; Sam has none)\n")
	w.Say(lee, "edit approver")
	w.Say(lee, "<@USAM|sam>")
	list1 := lastText(w, lee)
	w.Say(lee, "<@UANA|ana>")
	w.Say(sam, "new")
	w.Quietly("Sam drafts a contract up to the approver", func() {
		w.Say(sam, "Public speaking")
		w.Say(sam, "Give a 10-minute talk at the all-hands without notes")
		w.Click(sam, "Skip")
		w.Click(sam, "Done with goals")
		w.Say(sam, "Toastmasters")
		w.Say(sam, "A recording of the talk")
		w.Say(sam, "Three colleagues say it was clear")
		w.Say(sam, "in 8 weeks")
		w.Click(sam, "Weekly")
	})
	w.Say(sam, "<@UMO|mo>")
	unlisted := lastText(w, sam)
	golden(t, w, "approver_policy")

	for _, tc := range []struct{ got, want string }{
		{group1, "@USAM isn't in @managers: here, only its members approve learning contracts."},
		{list1, "@USAM isn't one of your approvers in the list your organisation keeps. Mention @UMO or @UANA."},
		{unlisted, "you aren't on it yet. Ask your L&D team to add you; your draft is kept meanwhile."},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("got\n%s\nwant %q", tc.got, tc.want)
		}
	}
	if c := w.Contract("c1"); c.Approver != "UANA" {
		t.Errorf("Lee's approver %q, want Ana from the list", c.Approver)
	}
	if c := w.Contract("c2"); c.Approver != "" {
		t.Errorf("Sam's approver %q, want none", c.Approver)
	}
}

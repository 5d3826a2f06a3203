package bot_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// draftAndSendAs has user write a short contract and send it to approver.
func draftAndSendAs(w *bottest.World, user, title, approver string) {
	w.Say(user, "new")
	w.Say(user, title)
	w.Say(user, "Run three design reviews using a checklist the team adopts")
	w.Click(user, "Skip")
	w.Click(user, "Done with goals")
	w.Say(user, "Shadow Ana's reviews")
	w.Say(user, "A write-up of three reviews")
	w.Say(user, "Two teammates use my checklist without help")
	w.Say(user, "in 8 weeks")
	w.Click(user, "Weekly")
	w.Say(user, "<@"+approver+">")
	w.SkipNotes(user)
	w.Click(user, "Send to my manager")
}

// TestTranscriptForgetMe: Mo asks for changes on Lee's contract and keeps
// a draft of his own, then asks to be forgotten. After he confirms, his
// draft and session are gone, and in Lee's contract his comment is gone
// and he is "a former colleague"; Lee's contract is otherwise intact.
func TestTranscriptForgetMe(t *testing.T) {
	const secret = "MO-PRIVATE: please add a demo to the team"
	w := newWorld(t, "Forget me: confirm, then everything about Mo is deleted")
	w.Quietly("Lee sends a contract to Mo, Mo asks for changes, Mo starts a draft of his own", func() {
		draftAndSend(w)
		w.Click(mo, "Request changes")
		w.Submit(mo, map[string]string{conversation.FieldComments: secret})
		w.Say(mo, "new")
		w.Say(mo, "Mo's own plan")
	})
	w.Say(mo, "forget-me")
	w.Click(mo, "Keep my data")
	if n := len(w.StoredContracts()); n != 2 {
		t.Fatalf("after keeping his data %d contracts are stored, want 2", n)
	}
	w.Say(mo, "forget-me")
	w.Click(mo, "Delete everything")
	w.Say(lee, "status")
	golden(t, w, "privacy_forget_me")

	stored := w.StoredContracts()
	if len(stored) != 1 || stored["c1"] == "" {
		t.Fatalf("stored contracts after forgetting Mo: %v, want Lee's c1 only", slices.Collect(func(yield func(string) bool) {
			for id := range stored {
				yield(id)
			}
		}))
	}
	for _, gone := range []string{mo, secret, "Mo's own plan"} {
		if strings.Contains(stored["c1"], gone) {
			t.Errorf("Lee's contract still holds %q:\n%s", gone, stored["c1"])
		}
	}
	c := w.Contract("c1")
	if c.Approver != message.FormerColleague || c.Terms.Title != "Running design reviews" || c.Learner != lee {
		t.Errorf("Lee's contract after forgetting Mo: approver %q, title %q, learner %q", c.Approver, c.Terms.Title, c.Learner)
	}
	if s := w.Session(mo); s.ContractID != "" || s.State != "" {
		t.Errorf("Mo's session survived: %+v", s)
	}
	if got := lastText(w, lee); !strings.Contains(got, "a former colleague") {
		t.Errorf("Lee's status does not show a former colleague:\n%s", got)
	}
}

// TestMyDataListsEveryContract: Mo approves Lee's and Sam's contracts and
// drafts his own; his data file lists those three and what he wrote, and
// nothing of a contract he has no part in.
// TestForgetMeDropsUnsentDraftFor: an approver who is forgotten while
// drafting for a learner leaves no draft behind that nobody could open
// (the learner has not seen it, and only the drafter may edit it); a
// draft they already sent stays with the learner.
func TestForgetMeDropsUnsentDraftFor(t *testing.T) {
	w := newWorld(t, "Forget me: a drafter's unsent draft goes with them")
	w.Command(mo, "draft-for <@ULEE|lee>")
	w.Say(mo, "A plan Mo writes for Lee")
	if n := len(w.StoredContracts()); n != 1 {
		t.Fatalf("%d contracts stored after draft-for, want 1", n)
	}
	w.Say(mo, "forget-me")
	w.Click(mo, "Delete everything")
	if stored := w.StoredContracts(); len(stored) != 0 {
		t.Errorf("after forgetting the drafter, %d contracts are stored, want none: %v", len(stored), stored)
	}
	w.Say(lee, "list")
	if got := lastText(w, lee); strings.Contains(got, "A plan Mo writes") {
		t.Errorf("Lee's list shows the forgotten draft:\n%s", got)
	}
}

func TestMyDataListsEveryContract(t *testing.T) {
	w := newWorld(t, "My data")
	w.Quietly("three contracts with Mo in them, one without", func() {
		draftAndSend(w)                                    // c1: Lee → Mo
		draftAndSendAs(w, sam, "Sam's design reviews", mo) // c2: Sam → Mo
		draftAndSendAs(w, mo, "Mo's coaching plan", lee)   // c3: Mo → Lee
		draftAndSendAs(w, sam, "Sam's other plan", lee)    // c4: no Mo
		w.Click(mo, "Request changes")
		w.Submit(mo, map[string]string{conversation.FieldComments: "Mo's words on Sam's plan"})
	})
	w.Say(mo, "my-data")
	files := w.Platform.Files(mo)
	if len(files) != 1 || !strings.HasSuffix(files[0].Name, ".json") {
		t.Fatalf("Mo got files %v, want one JSON file", files)
	}
	var got bot.MyData
	if err := json.Unmarshal(files[0].Data, &got); err != nil {
		t.Fatalf("the file is not JSON: %v\n%s", err, files[0].Data)
	}
	var ids []string
	for _, raw := range got.Contracts {
		var c struct{ ID string }
		json.Unmarshal(raw, &c)
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"c1", "c2", "c3"}) {
		t.Errorf("Mo's data lists contracts %v, want c1, c2 and c3", ids)
	}
	if got.User != mo || got.Platform != bottest.PlatformName || len(got.Session) == 0 {
		t.Errorf("Mo's data: user %q platform %q session %s", got.User, got.Platform, got.Session)
	}
	if !strings.Contains(string(files[0].Data), "Mo's words on Sam's plan") {
		t.Error("Mo's data lacks the comment he wrote")
	}
	if strings.Contains(string(files[0].Data), "Sam's other plan") {
		t.Error("Mo's data holds a contract he has no part in")
	}
	if note := messagetest.Text(files[0].Comment); !strings.Contains(note, "everything I keep about you") {
		t.Errorf("the file came without its note: %s", note)
	}
}

package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// slides is a file Lee shares in the DM: the platform's reference only.
var slides = contract.File{ID: "F0SLIDES", Name: "review-checklist.pdf", Permalink: "https://files.example.com/F0SLIDES/review-checklist.pdf", Type: "application/pdf", Size: 48213}

// activeContract has Lee draft and send a contract, and Mo sign it.
func activeContract(w *bottest.World) {
	w.Quietly("Lee drafted “Running design reviews”, weekly check-ins, due in 8 weeks; Mo approved and signed it: version 1 is active", func() {
		draftAndSend(w)
		w.Click(mo, "Approve & sign")
	})
}

// handIn has Lee hand in a link, a file and a text, and rate the one
// criterion Met with a note.
func handIn(w *bottest.World) {
	w.Command(lee, "submit")
	w.Say(lee, "https://wiki.example.com/design-reviews/write-up")
	w.Share(lee, "", slides)
	w.Say(lee, "Ana says our reviews now take 40 minutes instead of 90")
	w.Click(lee, "Done: rate my criteria")
	w.Click(lee, "Met")
	w.Say(lee, "Bo and Cy ran reviews with it on their own")
}

func TestTranscriptFinishToImpact(t *testing.T) {
	w := newWorld(t, "Handing in evidence, assessment with a disagreement, reflection, completion and the impact check-back")
	activeContract(w)
	w.Wait(6 * 24 * time.Hour)
	w.Say(lee, "status")
	handIn(w)
	c := w.Contract("c1")
	if c.Status != contract.Submitted || len(c.Evidence) != 3 {
		t.Fatalf("after handing in: %s with %d evidence", c.Status, len(c.Evidence))
	}
	if f := c.Evidence[1].File; f == nil || *f != slides {
		t.Errorf("the file kept is %+v, want the platform's reference %+v", f, slides)
	}
	if len(c.Plan(w.Now())) != 0 {
		t.Errorf("a submitted contract still plans %v", c.Plan(w.Now()))
	}
	w.Click(mo, "Assess")
	w.Submit(mo, map[string]string{conversation.FieldRating(1): "partly", conversation.FieldRatingNote(1): "Cy still asks you before each review"})
	w.Click(lee, "Reply")
	w.Say(lee, "Cy has the checklist now and runs Thursday's review alone")
	w.Say(lee, "Short checklists get used; long ones don't")
	w.Say(lee, "skip")
	w.Say(lee, "I'll timebox every review to 45 minutes")
	c = w.Contract("c1")
	if c.Status != contract.Completed || c.Reflection == nil || c.Reflection.Differently != "" || c.Reflection.Change == "" {
		t.Fatalf("after reflecting: %s %+v", c.Status, c.Reflection)
	}
	if !strings.Contains(lastText(w, mo), "Completed") {
		t.Errorf("Mo did not get the summary: %q", lastText(w, mo))
	}
	w.Due("c1", contract.DueImpact)
	w.Click(lee, "Somewhat")
	w.Say(lee, "I timebox reviews and share the checklist up front")
	w.DigestDue(mo)
	golden(t, w, "finish_to_impact")

	c = w.Contract("c1")
	if len(c.Impacts) != 1 || c.Impacts[0].Day != 30 || c.Impacts[0].Answer != contract.ImpactSomewhat || c.Impacts[0].Example == "" {
		t.Errorf("impact kept: %+v", c.Impacts)
	}
	digest := lastText(w, mo)
	if !strings.Contains(digest, "Since they completed") || !strings.Contains(digest, "Somewhat") || strings.Contains(digest, "Drifting") {
		t.Errorf("the digest does not show the completion, or shows drift:\n%s", digest)
	}
}

func TestTranscriptFinishAskForMore(t *testing.T) {
	w := newWorld(t, "Asking for more evidence: back to active with a new date, handed in again, completed")
	activeContract(w)
	w.Wait(20 * 24 * time.Hour)
	handIn(w)
	card := w.Latest(mo)
	w.Click(mo, "Ask for more evidence")
	w.Submit(mo, map[string]string{conversation.FieldComment: "", conversation.FieldDue: "yesterday"})
	w.Click(mo, "Open the form again")
	w.Submit(mo, map[string]string{conversation.FieldComment: "A short survey of the teammates who used it", conversation.FieldDue: "in 3 weeks"})
	c := w.Contract("c1")
	if c.Status != contract.Active || c.Deadline().Equal(c.InForce().Deadline) {
		t.Fatalf("after asking for more: %s, deadline %v", c.Status, c.Deadline())
	}
	w.ClickOn(mo, card, "Assess")
	w.Command(lee, "status")
	w.Click(lee, "Submit evidence")
	w.Click(lee, "Skip this one")
	w.Say(lee, "https://forms.example.com/checklist-survey/results")
	w.Click(lee, "Done: rate my criteria")
	w.Say(lee, "met")
	w.Click(lee, "Skip")
	w.Click(mo, "Assess")
	w.Submit(mo, map[string]string{conversation.FieldRating(1): "met"})
	w.Click(lee, "Reflect and finish")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	golden(t, w, "finish_ask_for_more")

	c = w.Contract("c1")
	if c.Status != contract.Completed || len(c.Submissions) != 2 || len(c.Evidence) != 4 {
		t.Fatalf("completed: %s, %d submissions, %d evidence", c.Status, len(c.Submissions), len(c.Evidence))
	}
	if got := messagetest.Buttons(w.Latest(mo).Message); len(got) != 0 {
		t.Errorf("Mo's summary has buttons: %+v", got)
	}
}

func TestTranscriptFinishBadInput(t *testing.T) {
	w := newWorld(t, "Finishing: bad input gets a clear answer and loses nothing")
	activeContract(w)
	w.Say(lee, "reflect")
	w.Command(lee, "submit")
	w.Say(lee, "htps//wiki.example.com/write-up")
	w.Say(lee, "www.example.com/write-up")
	w.Share(lee, "", contract.File{ID: "F0BIG", Name: "review-recording.mov", Size: 300 << 20})
	w.Click(lee, "Done: rate my criteria")
	w.Say(lee, "A write-up of the three reviews is on the team wiki under Design reviews")
	w.Say(lee, "done")
	w.Say(lee, "brilliant")
	w.Say(lee, "skip")
	w.Click(lee, "Partly")
	w.Say(lee, "skip")
	c := w.Contract("c1")
	if c.Status != contract.Submitted || len(c.Evidence) != 1 {
		t.Fatalf("after handing in: %s, %d evidence", c.Status, len(c.Evidence))
	}
	card := w.Latest(mo)
	w.Command(lee, "submit")
	w.ClickOn(sam, card, "Assess")
	w.Say(lee, "reflect")
	w.Share(lee, "here you go", slides)
	w.Click(mo, "Assess")
	w.Submit(mo, map[string]string{conversation.FieldRating(1): "met"})
	w.Click(mo, "Open the assessment again")
	w.Submit(mo, map[string]string{conversation.FieldRating(1): "met", conversation.FieldRatingNote(1): "Both use it, I've seen it"})
	w.ClickOn(mo, card, "Ask for more evidence")
	w.Click(lee, "Reflect and finish")
	w.Logf("-> Lee types 10,000 characters: I learned a lot. I learned a lot. …\n")
	w.Do(conversation.Input{Kind: conversation.TextInput, User: lee, Channel: bottest.DM(lee), Text: strings.Repeat("I learned a lot. ", 600)[:10000]})
	if c := w.Contract("c1"); c.Status != contract.Submitted {
		t.Fatalf("a reflection of %d characters changed the contract to %s", 600*17, c.Status)
	}
	w.Say(lee, "Checklists travel further than slides")
	golden(t, w, "finish_bad_input")
}

func TestTranscriptFinishNoLongerRelevant(t *testing.T) {
	w := newWorld(t, "Ending early: no longer relevant, withdrawn without blame")
	activeContract(w)
	w.Say(lee, "end")
	w.Click(lee, "It's no longer relevant")
	w.Say(lee, "The team moved to async design docs, so reviews are rare now")
	golden(t, w, "finish_no_longer_relevant")

	c := w.Contract("c1")
	if c.Status != contract.Withdrawn || c.EndReason != contract.NoLongerRelevant || c.EndNote == "" || len(c.Plan(w.Now())) != 0 {
		t.Fatalf("withdrawn: %s %q %q, plan %v", c.Status, c.EndReason, c.EndNote, c.Plan(w.Now()))
	}
	if !strings.Contains(lastText(w, mo), "no longer relevant") {
		t.Errorf("Mo was not told: %q", lastText(w, mo))
	}
}

func TestTranscriptFinishAdvocateComments(t *testing.T) {
	w := newWorld(t, "An advocate sees the evidence and comments; the approver is asked once about impact")
	activeContract(w)
	c := w.Contract("c1")
	c.Advocate = sam
	w.Store(c)
	w.Logf("   (Sam is named as Lee's advocate)\n\n")
	handIn(w)
	w.Click(sam, "Comment")
	w.Submit(sam, map[string]string{conversation.FieldComment: "The checklist is great; the survey idea would make it stronger"})
	w.Click(mo, "Assess")
	w.Submit(mo, map[string]string{conversation.FieldRating(1): "met"})
	w.Click(lee, "Reflect and finish")
	w.Say(lee, "Checklists travel")
	w.Say(lee, "Ask for feedback sooner")
	w.Say(lee, "Timebox reviews")
	w.Due("c1", contract.DueImpact)
	w.Click(lee, "Yes, a lot")
	w.Click(lee, "Skip")
	w.Due("c1", contract.DueImpact)
	w.Due("c1", contract.DueImpactApprover)
	w.Click(mo, "Yes, a lot")
	golden(t, w, "finish_advocate_impact")

	c = w.Contract("c1")
	if len(c.Comments) != 1 || c.Comments[0].By != sam || len(c.Impacts) != 2 || c.Impacts[1].By != mo {
		t.Fatalf("comments %+v, impacts %+v", c.Comments, c.Impacts)
	}
	if p := c.Plan(w.Now()); len(p) != 0 {
		t.Errorf("after the last check-back the plan still holds %v", p)
	}
}

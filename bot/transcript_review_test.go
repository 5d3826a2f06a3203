package bot_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

const (
	pat      = "UPAT"
	outsider = "UOUT" // not in the learning set
)

// reviewWorld is a workspace with a learning set, #CSET: Lee the learner,
// Sam, Pat, Kai and Ana. Mo (the approver) and Out are not members.
func reviewWorld(t *testing.T, title string) *bottest.World {
	w := newWorld(t, title)
	w.Names(map[string]string{pat: "Pat", kai: "Kai", ana: "Ana", outsider: "Out"})
	w.AddChannel("CSET", lee, sam, pat, kai, ana)
	w.Joined(lee, "CSET")
	w.ClickInChannel(sam, "CSET", "Make this a learning set")
	return w
}

// draftOnly has Lee write a complete draft without sending it.
func draftOnly(w *bottest.World) {
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
	w.Say(lee, "<@UMO|mo>")
	w.SkipNotes(lee)
}

func TestTranscriptLearningSetReview(t *testing.T) {
	w := reviewWorld(t, "A draft reviewed by the learning set")
	draftOnly(w)
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, map[string]string{conversation.FieldNote: "Is <!channel> eight weeks enough?"})
	c := w.Contract("c1")
	asked := c.Waiting()
	if c.Status != contract.InPeerReview || len(asked) != 2 || slices.Contains(asked, lee) || slices.Contains(asked, mo) {
		t.Fatalf("after sharing: status %s, reviewers %v", c.Status, asked)
	}
	if sh, _ := c.CurrentShare(); sh.TS == "" {
		t.Fatal("the thread root was not recorded on the contract")
	}

	// A stranger's feedback is refused and changes nothing.
	w.ClickInChannel(outsider, "CSET", "Give feedback")
	if _, open := w.Platform.OpenForm(outsider); open || len(w.Contract("c1").Feedback) != 0 {
		t.Fatal("someone outside the set could give feedback")
	}
	// The learner cannot review their own draft.
	w.ReplyInThread(lee, "CSET", "Thanks all, take your time")

	// One reviewer declines and is replaced; the others answer.
	w.ClickInChannel(asked[0], "CSET", "Not this week")
	c = w.Contract("c1")
	repl := c.Waiting()
	if len(repl) != 2 || slices.Contains(repl, asked[0]) {
		t.Fatalf("after a decline, waiting for %v", repl)
	}
	w.ClickInChannel(repl[0], "CSET", "Give feedback")
	w.Submit(repl[0], map[string]string{conversation.FieldSpecific: "Goal 1 is clear.", conversation.FieldSuggestion: "Ask Ana to observe one review."})
	w.ReplyInThread(repl[1], "CSET", "The write-up could be a short demo instead.")
	c = w.Contract("c1")
	if len(c.Feedback) != 2 || len(c.Waiting()) != 0 {
		t.Fatalf("feedback %d, still waiting for %v", len(c.Feedback), c.Waiting())
	}
	if got := lastText(w, lee); !strings.Contains(got, "Goal 1 is clear.") || !strings.Contains(got, "short demo") {
		t.Fatalf("the learner's digest lacks the feedback:\n%s", got)
	}

	// The learner revises, then sends; the manager sees the peer review.
	w.Click(lee, "Revise draft")
	w.Say(lee, "edit evidence")
	w.Say(lee, "A 10-minute demo of three reviews")
	w.Click(lee, "Send to my manager")
	if got := lastText(w, mo); !strings.Contains(got, "Peer review") || !strings.Contains(got, "short demo") {
		t.Fatalf("the approval request does not show the peer review:\n%s", got)
	}
	// Talk in the thread after the draft went to the manager is not
	// feedback, and gets no answer.
	w.ReplyInThread(pat, "CSET", "Good luck with it!")
	if got := w.Contract("c1"); len(got.Feedback) != 2 || len(w.Turn().Deliveries) != 0 {
		t.Fatalf("a reply after the review: %d feedback, deliveries %+v", len(got.Feedback), w.Turn().Deliveries)
	}
	golden(t, w, "learning_set_review")
}

// TestAdvocateIsNoPeerReviewer: the contract's parties sign it, so none
// of them is asked for peer feedback, first or as a replacement: with Pat
// as advocate and four members besides Lee, the reviewers are two of Sam,
// Kai and Ana, and a decline is replaced by the third.
func TestAdvocateIsNoPeerReviewer(t *testing.T) {
	w := reviewWorld(t, "The advocate is not a peer reviewer")
	w.Say(lee, "new")
	w.Say(lee, "Running design reviews")
	w.Say(lee, "Run three design reviews using a checklist the team adopts")
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, "Shadow Ana's reviews")
	w.Say(lee, "A write-up of three reviews")
	w.Say(lee, "Two teammates use my checklist without help")
	w.Say(lee, "in 8 weeks")
	w.Click(lee, "Weekly")
	w.Say(lee, "<@UMO|mo> with <@UPAT|pat> as my advocate")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	if c := w.Contract("c1"); c.Advocate != pat {
		t.Fatalf("advocate %q, want Pat", c.Advocate)
	}
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, map[string]string{conversation.FieldNote: "Thoughts?"})
	asked := w.Contract("c1").Waiting()
	if len(asked) != 2 || slices.Contains(asked, pat) {
		t.Fatalf("reviewers %v: want two, never the advocate", asked)
	}
	w.ClickInChannel(asked[0], "CSET", "Not this week")
	if now := w.Contract("c1").Waiting(); len(now) != 2 || slices.Contains(now, pat) {
		t.Fatalf("after a decline, waiting for %v: the advocate was asked", now)
	}
}

// TestMoreFeedbackOncePerPerson: after the round was gathered, the learner
// hears of each new voice once, not of every reply.
func TestMoreFeedbackOncePerPerson(t *testing.T) {
	w := reviewWorld(t, "More feedback")
	draftOnly(w)
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, nil)
	for _, r := range w.Contract("c1").Waiting() {
		w.ReplyInThread(r, "CSET", "Fine by me.")
	}
	sent := func() int {
		n := 0
		for _, p := range w.Platform.Messages(lee) {
			if strings.Contains(messagetest.Text(p.Message), "More feedback") {
				n++
			}
		}
		return n
	}
	w.ReplyInThread(ana, "CSET", "One more thought.")
	w.ReplyInThread(ana, "CSET", "And another.")
	if got := sent(); got != 1 {
		t.Fatalf("the learner was told of more feedback %d times, want once", got)
	}
	if got := len(w.Contract("c1").Feedback); got != 4 {
		t.Fatalf("%d feedback stored, want 4", got)
	}
}

func TestTranscriptLearningSetSlowReviewers(t *testing.T) {
	w := reviewWorld(t, "Slow reviewers: a reminder, then the learner goes ahead")
	draftOnly(w)
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, nil)
	c := w.Contract("c1")
	asked := c.Waiting()
	w.Due("c1", contract.DueReviewReminder)
	w.Due("c1", contract.DueReviewReminder)
	c = w.Contract("c1")
	for _, r := range c.RoundReviews() {
		if r.Reminded.IsZero() {
			t.Fatalf("%s was not reminded", r.Reviewer)
		}
	}
	for _, d := range c.Plan(w.Now()) {
		if d.Kind == contract.DueReviewReminder {
			t.Fatalf("a second reminder is planned: %+v", d)
		}
	}
	w.ReplyInThread(asked[0], "CSET", "Looks good to me!")
	w.Due("c1", contract.DueReviewSlow)
	if got := lastText(w, lee); !strings.Contains(got, "go ahead without them") || !strings.Contains(got, "Looks good") {
		t.Fatalf("the learner was not told they may go ahead:\n%s", got)
	}
	w.Click(lee, "Send, comments private")
	c = w.Contract("c1")
	if c.Status != contract.Proposed || !c.HideFeedback {
		t.Fatalf("after sending privately: %s, hide %v", c.Status, c.HideFeedback)
	}
	if got := lastText(w, mo); strings.Contains(got, "Looks good") || !strings.Contains(got, "kept their comments private") {
		t.Fatalf("the approver saw private comments, or no note of the review:\n%s", got)
	}
	if len(c.Plan(w.Now())) == 0 || slices.ContainsFunc(c.Plan(w.Now()), func(d contract.Due) bool {
		return d.Kind == contract.DueReviewReminder || d.Kind == contract.DueReviewSlow
	}) {
		t.Fatalf("review items still planned after sending: %+v", c.Plan(w.Now()))
	}
	golden(t, w, "learning_set_slow")
}

func TestTranscriptLearningSetCommands(t *testing.T) {
	w := newWorld(t, "Setting up learning sets, and being away")
	w.Names(map[string]string{pat: "Pat"})
	w.AddChannel("CSET", lee, sam, pat)
	w.Command(lee, "learning-set")
	w.InChannel(lee, "CSET", "learning-set")
	w.InChannel(sam, "CSET", "learning-set")
	w.InChannel(sam, "CSET", "learning-set reviewers 9")
	w.InChannel(sam, "CSET", "learning-set reviewers 1")
	w.Command(pat, "away until 2027-02-01")
	if set := w.Set("CSET"); set.Available(pat, w.Now()) || set.Size() != 1 {
		t.Fatalf("set after commands: %+v", set)
	}
	draftOnly(w)
	w.Say(lee, "share")
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, nil)
	if got := w.Contract("c1").Waiting(); !slices.Equal(got, []string{sam}) {
		t.Fatalf("with Pat away and one reviewer, asked %v", got)
	}
	w.Command(pat, "away off")
	if !w.Set("CSET").Available(pat, w.Now()) {
		t.Fatal("Pat is still away")
	}
	golden(t, w, "learning_set_commands")
}

// TestTranscriptLearningSetAfterChanges: when the approver asks for
// changes, the learner can take the revision back to the set; the old
// thread is then only talk, and the approver sees the new round's review
// with the diff.
func TestTranscriptLearningSetAfterChanges(t *testing.T) {
	w := reviewWorld(t, "Back to the learning set after the approver asked for changes")
	draftOnly(w)
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, nil)
	first, _ := w.Contract("c1").CurrentShare()
	for _, r := range w.Contract("c1").Waiting() {
		w.ReplyInThread(r, "CSET", "Looks fine to me.")
	}
	w.Click(lee, "Send to my manager")
	card := w.Latest(mo)
	w.Click(mo, "Request changes")
	w.Submit(mo, map[string]string{conversation.FieldComments: "Could the evidence include a demo to the team?"})

	w.Click(lee, "Revise")
	w.ClickID(lee, conversation.ActionEditEvidence)
	w.Say(lee, "A write-up of three reviews; a demo to the team")
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, map[string]string{conversation.FieldNote: "Mo asked for a demo. Is this enough?"})
	c := w.Contract("c1")
	if c.Status != contract.InPeerReview || c.Round() != 2 || c.Version != 1 || len(c.Waiting()) != 2 {
		t.Fatalf("after sharing again: %s round %d version %d waiting %v", c.Status, c.Round(), c.Version, c.Waiting())
	}
	// The approver's old card says where the contract is.
	w.ClickOn(mo, card, "Approve & sign")
	if got := lastText(w, mo); !strings.Contains(got, "revising") {
		t.Fatalf("the approver's old card answered:\n%s", got)
	}
	// Talk in the first round's thread is not feedback on the second.
	w.ReplyUnder(pat, "CSET", first.TS, "Congrats on sending it!")
	if got := w.Contract("c1"); len(got.RoundFeedback()) != 0 {
		t.Fatalf("a reply in the old thread counted: %+v", got.RoundFeedback())
	}
	for _, r := range w.Contract("c1").Waiting() {
		w.ReplyInThread(r, "CSET", "The demo makes it convincing.")
	}
	if got := lastText(w, lee); !strings.Contains(got, "demo makes it convincing") || strings.Contains(got, "Looks fine") {
		t.Fatalf("the second round's digest:\n%s", got)
	}
	w.Click(lee, "Send to my manager")
	request := lastText(w, mo)
	for _, want := range []string{"What changed since version 1", "a demo to the team", "Peer review", "demo makes it convincing"} {
		if !strings.Contains(request, want) {
			t.Fatalf("the second request lacks %q:\n%s", want, request)
		}
	}
	if strings.Contains(request, "Looks fine") {
		t.Fatalf("the second request repeats the first round, which the approver saw with version 1:\n%s", request)
	}
	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Active || c.Version != 2 || len(c.Feedback) != 4 {
		t.Fatalf("at the end: %s version %d, %d feedback", c.Status, c.Version, len(c.Feedback))
	}
	golden(t, w, "learning_set_after_changes")
}

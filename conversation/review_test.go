package conversation

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

const (
	pat = "UPAT"
	out = "UOUT" // not in the learning set
)

// reviewSim is a workspace with a learning set, #CSET: Lee the learner,
// Sam, Pat, Kai and Ana. Mo (the approver) and Out are not members.
func reviewSim(t *testing.T, title string) *sim {
	s := newTestSim(t, title)
	for id, n := range map[string]string{pat: "Pat", kai: "Kai", ana: "Ana", out: "Out"} { // kai, ana: see digest_test.go
		s.names[id] = n
	}
	s.addChannel("CSET", lee, sam, pat, kai, ana)
	s.joined(lee, "CSET")
	s.clickInChannel(sam, "CSET", "Make this a learning set")
	return s
}

// draftOnly has Lee write a complete draft without sending it.
func draftOnly(s *sim) {
	s.say(lee, "new")
	s.say(lee, "Running design reviews")
	s.say(lee, "Run three design reviews using a checklist the team adopts")
	s.click(lee, "Skip")
	s.click(lee, "Done with goals")
	s.say(lee, "Shadow Ana's reviews; read the Design Review Handbook")
	s.say(lee, "A write-up of three reviews")
	s.say(lee, "Two teammates use my checklist without help")
	s.say(lee, "in 8 weeks")
	s.click(lee, "Weekly")
	s.say(lee, "<@UMO|mo>")
}

func TestTranscriptLearningSetReview(t *testing.T) {
	s := reviewSim(t, "A draft reviewed by the learning set")
	draftOnly(s)
	s.click(lee, "Share with my learning set")
	s.submit(lee, map[string]string{FieldNote: "Is <!channel> eight weeks enough?"})
	c := mustContract(t, s, "c1")
	asked := c.Waiting()
	if c.Status != contract.InPeerReview || len(asked) != 2 || slices.Contains(asked, lee) || slices.Contains(asked, mo) {
		t.Fatalf("after sharing: status %s, reviewers %v", c.Status, asked)
	}
	if sh, _ := c.CurrentShare(); sh.TS == "" {
		t.Fatal("the thread root was not recorded on the contract")
	}

	// A stranger's feedback is refused and changes nothing.
	s.clickInChannel(out, "CSET", "Give feedback")
	if s.modals[out].CallbackID != "" || len(mustContract(t, s, "c1").Feedback) != 0 {
		t.Fatal("someone outside the set could give feedback")
	}
	// The learner cannot review their own draft.
	s.replyInThread(lee, "CSET", "Thanks all, take your time")

	// One reviewer declines and is replaced; the others answer.
	s.clickInChannel(asked[0], "CSET", "Not this week")
	c = mustContract(t, s, "c1")
	repl := c.Waiting()
	if len(repl) != 2 || slices.Contains(repl, asked[0]) {
		t.Fatalf("after a decline, waiting for %v", repl)
	}
	s.clickInChannel(repl[0], "CSET", "Give feedback")
	s.submit(repl[0], map[string]string{FieldSpecific: "Goal 1 is clear.", FieldSuggestion: "Ask Ana to observe one review."})
	s.replyInThread(repl[1], "CSET", "The write-up could be a short demo instead.")
	c = mustContract(t, s, "c1")
	if len(c.Feedback) != 2 || len(c.Waiting()) != 0 {
		t.Fatalf("feedback %d, still waiting for %v", len(c.Feedback), c.Waiting())
	}
	if got := lastText(s, lee); !strings.Contains(got, "Goal 1 is clear.") || !strings.Contains(got, "short demo") {
		t.Fatalf("the learner's digest lacks the feedback:\n%s", got)
	}

	// The learner revises, then sends; the manager sees the peer review.
	s.click(lee, "Revise draft")
	s.say(lee, "edit evidence")
	s.say(lee, "A 10-minute demo of three reviews")
	s.click(lee, "Send to my manager")
	if got := lastText(s, mo); !strings.Contains(got, "Peer review") || !strings.Contains(got, "short demo") {
		t.Fatalf("the approval request does not show the peer review:\n%s", got)
	}
	// Talk in the thread after the draft went to the manager is not
	// feedback, and gets no answer.
	s.replyInThread(pat, "CSET", "Good luck with it!")
	if got := mustContract(t, s, "c1"); len(got.Feedback) != 2 || len(s.last) != 0 {
		t.Fatalf("a reply after the review: %d feedback, effects %v", len(got.Feedback), s.last)
	}
	golden(t, s, "learning_set_review")
}

// TestMoreFeedbackOncePerPerson: after the round was gathered, the learner
// hears of each new voice once, not of every reply.
func TestMoreFeedbackOncePerPerson(t *testing.T) {
	s := reviewSim(t, "More feedback")
	draftOnly(s)
	s.click(lee, "Share with my learning set")
	s.submit(lee, nil)
	for _, r := range mustContract(t, s, "c1").Waiting() {
		s.replyInThread(r, "CSET", "Fine by me.")
	}
	sent := func() int {
		n := 0
		for _, p := range s.inbox[lee] {
			if strings.Contains(messageText(p.msg), "More feedback") {
				n++
			}
		}
		return n
	}
	s.replyInThread(ana, "CSET", "One more thought.")
	s.replyInThread(ana, "CSET", "And another.")
	if got := sent(); got != 1 {
		t.Fatalf("the learner was told of more feedback %d times, want once", got)
	}
	if got := len(mustContract(t, s, "c1").Feedback); got != 4 {
		t.Fatalf("%d feedback stored, want 4", got)
	}
}

func TestTranscriptLearningSetSlowReviewers(t *testing.T) {
	s := reviewSim(t, "Slow reviewers: a reminder, then the learner goes ahead")
	draftOnly(s)
	s.click(lee, "Share with my learning set")
	s.submit(lee, nil)
	c := mustContract(t, s, "c1")
	asked := c.Waiting()
	s.due("c1", contract.DueReviewReminder)
	s.due("c1", contract.DueReviewReminder)
	c = mustContract(t, s, "c1")
	for _, r := range c.RoundReviews() {
		if r.Reminded.IsZero() {
			t.Fatalf("%s was not reminded", r.Reviewer)
		}
	}
	for _, d := range c.Plan(s.now) {
		if d.Kind == contract.DueReviewReminder {
			t.Fatalf("a second reminder is planned: %+v", d)
		}
	}
	s.replyInThread(asked[0], "CSET", "Looks good to me!")
	s.due("c1", contract.DueReviewSlow)
	if got := lastText(s, lee); !strings.Contains(got, "go ahead without them") || !strings.Contains(got, "Looks good") {
		t.Fatalf("the learner was not told they may go ahead:\n%s", got)
	}
	s.click(lee, "Send, comments private")
	c = mustContract(t, s, "c1")
	if c.Status != contract.Proposed || !c.HideFeedback {
		t.Fatalf("after sending privately: %s, hide %v", c.Status, c.HideFeedback)
	}
	if got := lastText(s, mo); strings.Contains(got, "Looks good") || !strings.Contains(got, "kept their comments private") {
		t.Fatalf("the approver saw private comments, or no note of the review:\n%s", got)
	}
	if len(c.Plan(s.now)) == 0 || slices.ContainsFunc(c.Plan(s.now), func(d contract.Due) bool {
		return d.Kind == contract.DueReviewReminder || d.Kind == contract.DueReviewSlow
	}) {
		t.Fatalf("review items still planned after sending: %+v", c.Plan(s.now))
	}
	golden(t, s, "learning_set_slow")
}

func TestTranscriptLearningSetCommands(t *testing.T) {
	s := newTestSim(t, "Setting up learning sets, and being away")
	s.names[pat] = "Pat"
	s.addChannel("CSET", lee, sam, pat)
	s.command(lee, "learning-set")
	s.inChannel(lee, "CSET", "learning-set")
	s.inChannel(sam, "CSET", "learning-set")
	s.inChannel(sam, "CSET", "learning-set reviewers 9")
	s.inChannel(sam, "CSET", "learning-set reviewers 1")
	s.command(pat, "away until 2027-02-01")
	if s.sets["CSET"].Available(pat, s.now) || s.sets["CSET"].Size() != 1 {
		t.Fatalf("set after commands: %+v", s.sets["CSET"])
	}
	draftOnly(s)
	s.say(lee, "share")
	s.click(lee, "Share with my learning set")
	s.submit(lee, nil)
	if got := mustContract(t, s, "c1").Waiting(); !slices.Equal(got, []string{sam}) {
		t.Fatalf("with Pat away and one reviewer, asked %v", got)
	}
	s.command(pat, "away off")
	if !s.sets["CSET"].Available(pat, s.now) {
		t.Fatal("Pat is still away")
	}
	golden(t, s, "learning_set_commands")
}

// TestTranscriptLearningSetAfterChanges: when the approver asks for
// changes, the learner can take the revision back to the set; the old
// thread is then only talk, and the approver sees the new round's review
// with the diff.
func TestTranscriptLearningSetAfterChanges(t *testing.T) {
	s := reviewSim(t, "Back to the learning set after the approver asked for changes")
	draftOnly(s)
	s.click(lee, "Share with my learning set")
	s.submit(lee, nil)
	first, _ := mustContract(t, s, "c1").CurrentShare()
	for _, r := range mustContract(t, s, "c1").Waiting() {
		s.replyInThread(r, "CSET", "Looks fine to me.")
	}
	s.click(lee, "Send to my manager")
	card := s.latest(mo)
	s.click(mo, "Request changes")
	s.submit(mo, map[string]string{FieldComments: "Could the evidence include a demo to the team?"})

	s.click(lee, "Revise")
	s.clickID(lee, ActionEditEvidence)
	s.say(lee, "A write-up of three reviews; a demo to the team")
	s.click(lee, "Share with my learning set")
	s.submit(lee, map[string]string{FieldNote: "Mo asked for a demo. Is this enough?"})
	c := mustContract(t, s, "c1")
	if c.Status != contract.InPeerReview || c.Round() != 2 || c.Version != 1 || len(c.Waiting()) != 2 {
		t.Fatalf("after sharing again: %s round %d version %d waiting %v", c.Status, c.Round(), c.Version, c.Waiting())
	}
	// The approver's old card says where the contract is.
	s.clickOn(mo, card, "Approve & sign")
	if got := lastText(s, mo); !strings.Contains(got, "revising") {
		t.Fatalf("the approver's old card answered:\n%s", got)
	}
	// Talk in the first round's thread is not feedback on the second.
	s.replyUnder(pat, "CSET", first.TS, "Congrats on sending it!")
	if got := mustContract(t, s, "c1"); len(got.RoundFeedback()) != 0 {
		t.Fatalf("a reply in the old thread counted: %+v", got.RoundFeedback())
	}
	for _, r := range mustContract(t, s, "c1").Waiting() {
		s.replyInThread(r, "CSET", "The demo makes it convincing.")
	}
	if got := lastText(s, lee); !strings.Contains(got, "demo makes it convincing") || strings.Contains(got, "Looks fine") {
		t.Fatalf("the second round's digest:\n%s", got)
	}
	s.click(lee, "Send to my manager")
	request := lastText(s, mo)
	for _, want := range []string{"What changed since version 1", "a demo to the team", "Peer review", "demo makes it convincing"} {
		if !strings.Contains(request, want) {
			t.Fatalf("the second request lacks %q:\n%s", want, request)
		}
	}
	if strings.Contains(request, "Looks fine") {
		t.Fatalf("the second request repeats the first round, which the approver saw with version 1:\n%s", request)
	}
	s.click(mo, "Approve & sign")
	if c := mustContract(t, s, "c1"); c.Status != contract.Active || c.Version != 2 || len(c.Feedback) != 4 {
		t.Fatalf("at the end: %s version %d, %d feedback", c.Status, c.Version, len(c.Feedback))
	}
	golden(t, s, "learning_set_after_changes")
}

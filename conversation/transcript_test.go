package conversation

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	lee = "ULEE" // learner
	mo  = "UMO"  // approver
	sam = "USAM" // neither
)

var start = time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC) // a Friday

func newTestSim(t *testing.T, title string) *sim {
	t.Helper()
	s := newSim(start, map[string]string{lee: "Lee", mo: "Mo", sam: "Sam"})
	s.log = new(strings.Builder)
	s.logf("%s\n%s\n\nLee (ULEE) is the learner, Mo (UMO) the approver, Sam (USAM) neither.\n"+
		"-> is what a person does, <- what the bot does; [Label]* is a primary button.\n\n", title, strings.Repeat("=", len(title)))
	return s
}

// golden compares the transcript with testdata/<name>.transcript.txt.
func golden(t *testing.T, s *sim, name string) {
	t.Helper()
	if s.err != nil {
		t.Fatalf("flow failed: %v\n\ntranscript so far:\n%s", s.err, s.log)
	}
	got := s.log.String()
	path := filepath.Join("testdata", name+".transcript.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./conversation -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript %s differs from the golden file (run with -update and review the diff)\n\ngot:\n%s", path, got)
	}
}

// draftAndSend has Lee write a complete contract quickly and send it to Mo.
func draftAndSend(s *sim) {
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
	s.click(lee, "Send to my manager")
}

func mustContract(t *testing.T, s *sim, id string) *contract.Contract {
	t.Helper()
	c := s.contract(id)
	if c == nil {
		t.Fatalf("contract %s not stored", id)
	}
	return c
}

// lastText is the plain text of the newest message in the user's inbox.
func lastText(s *sim, user string) string { return messageText(s.latest(user).msg) }

func TestTranscriptDraftingHappyPath(t *testing.T) {
	s := newTestSim(t, "Drafting a contract, the happy path")
	s.say(lee, "hi")
	s.say(lee, "Running design reviews")
	s.say(lee, "Run three design reviews using a checklist the team adopts")
	s.say(lee, "The checklist, and notes from each review")
	s.click(lee, "Add another goal")
	s.say(lee, "Explain our review process to two new teammates without notes")
	s.click(lee, "Skip")
	s.click(lee, "Done with goals")
	s.say(lee, "Shadow Ana's reviews\nRead the Design Review Handbook")
	s.say(lee, "A write-up of three reviews; the checklist")
	s.say(lee, "Two teammates use my checklist without help")
	s.say(lee, "by the end of March")
	s.click(lee, "Fortnightly")
	s.say(lee, "<@UMO|mo>")
	s.click(lee, "Send to my manager")
	s.click(mo, "Approve & sign")
	golden(t, s, "drafting_happy_path")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Active || c.Version != 1 || c.Signed != 1 {
		t.Errorf("status %s version %d signed %d, want active 1 1", c.Status, c.Version, c.Signed)
	}
	want := contract.Terms{
		Title: "Running design reviews",
		Goals: []contract.Goal{
			{Text: "Run three design reviews using a checklist the team adopts", Mastery: "The checklist, and notes from each review"},
			{Text: "Explain our review process to two new teammates without notes"},
		},
		Activities: []string{"Shadow Ana's reviews", "Read the Design Review Handbook"},
		Evidence:   []string{"A write-up of three reviews", "the checklist"},
		Criteria:   []contract.Criterion{{Text: "Two teammates use my checklist without help", ProposedBy: lee}},
		Deadline:   time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC),
		Cadence:    contract.Fortnightly,
	}
	if d := contract.Diff(want, c.Terms); len(d) > 0 {
		t.Errorf("terms differ from what was typed: %+v", d)
	}
	if c.Approver != mo {
		t.Errorf("approver %q, want %q", c.Approver, mo)
	}
	if !strings.Contains(lastText(s, lee), "It's active now") {
		t.Errorf("learner was not told the contract is active: %q", lastText(s, lee))
	}
	if got := buttonsOf(s.latest(mo).msg); len(got) != 0 {
		t.Errorf("approver's card still has buttons after signing: %+v", got)
	}
}

func TestTranscriptDraftingCoached(t *testing.T) {
	s := newTestSim(t, "Drafting with a coached goal, deadline re-prompts, back and edits")
	s.say(lee, "/contract new")
	s.say(lee, "Go")
	s.say(lee, "learn about Go")
	s.click(lee, "Keep mine")
	s.click(lee, "Skip")
	s.click(lee, "Add another goal")
	s.say(lee, "get better at code reviews")
	s.say(lee, "back")
	s.say(lee, "Review ten pull requests with comments the authors act on")
	s.say(lee, "skip")
	s.click(lee, "Done with goals")
	s.say(lee, "skip")
	s.say(lee, "skip")
	s.say(lee, "back")
	s.say(lee, "A Go course; pairing with Ana")
	s.say(lee, "A small service in Go, reviewed by the team")
	s.say(lee, "The service passes review with no blocking comments")
	s.say(lee, "yesterday")
	s.say(lee, "in five years")
	s.say(lee, "when the moon is blue")
	s.say(lee, "2027-04-30")
	s.say(lee, "every 10 days")
	s.say(lee, "Mo")
	s.say(lee, "<@UBOT>")
	s.say(lee, "<@ULEE|lee>")
	s.say(lee, "<@UMO>")
	s.say(lee, "edit goals")
	s.click(lee, "Start goals over")
	s.say(lee, "Explain our deployment pipeline to a new teammate without notes")
	s.say(lee, "A walkthrough with Sam")
	s.click(lee, "Done with goals")
	golden(t, s, "drafting_coached")

	c := mustContract(t, s, "c1")
	if len(c.Terms.Goals) != 1 || c.Terms.Goals[0].Mastery != "A walkthrough with Sam" {
		t.Errorf("goals after starting over: %+v", c.Terms.Goals)
	}
	if c.Terms.Cadence != 10 || !c.Terms.Deadline.Equal(time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cadence %d deadline %s", c.Terms.Cadence, c.Terms.Deadline)
	}
	if sess := s.session(lee); sess.State != StateSummary || sess.Editing {
		t.Errorf("after editing goals the learner is at %q (editing %v), want the summary", sess.State, sess.Editing)
	}
}

func TestTranscriptKeepMineAfterOneRound(t *testing.T) {
	s := newSim(start, nil)
	s.say(lee, "new")
	s.say(lee, "Go")
	s.say(lee, "learn about Go")
	s.click(lee, "Keep mine")
	if s.err != nil {
		t.Fatal(s.err)
	}
	c := mustContract(t, s, "c1")
	if len(c.Terms.Goals) != 1 || c.Terms.Goals[0].Text != "learn about Go" {
		t.Errorf("the learner's own wording was not kept: %+v", c.Terms.Goals)
	}
}

func TestTranscriptRequestChangesReviseApprove(t *testing.T) {
	s := newTestSim(t, "Request changes, revise, approve (with the diff)")
	draftAndSend(s)
	s.click(mo, "Request changes")
	s.submit(mo, map[string]string{FieldComments: "  "})
	s.click(mo, "Write your comments")
	s.submit(mo, map[string]string{FieldComments: "Could the evidence include a demo to the team? And a nearer deadline, please."})
	s.click(lee, "Revise")
	s.clickID(lee, ActionEditEvidence)
	s.say(lee, "A write-up of three reviews; a demo to the team")
	s.say(lee, "edit deadline")
	s.say(lee, "in 6 weeks")
	s.click(lee, "Send to my manager")
	request := messageText(s.latest(mo).msg)
	s.click(mo, "Approve & sign")
	golden(t, s, "request_changes_revise_approve")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 {
		t.Errorf("status %s version %d signed %d, want active 2 2", c.Status, c.Version, c.Signed)
	}
	if !c.SignedBy(lee, 2) || !c.SignedBy(mo, 2) {
		t.Errorf("signatures %+v", c.Signatures)
	}
	for _, want := range []string{"What changed since version 1", "a demo to the team", "Fri 12 Mar 2027 → Fri 26 Feb 2027"} {
		if !strings.Contains(request, want) {
			t.Errorf("the approver's request for version 2 lacks %q:\n%s", want, request)
		}
	}
	if kinds := historyKinds(c); !strings.Contains(kinds, "changes_requested") || !strings.Contains(kinds, "activated") {
		t.Errorf("history %s", kinds)
	}
}

func TestTranscriptAmendmentAccept(t *testing.T) {
	s := newTestSim(t, "Amendment, accepted by the learner")
	draftAndSend(s)
	s.click(mo, "Propose an amendment")
	s.submit(mo, map[string]string{contract.FieldDeadline: "whenever"})
	if v := mustContract(t, s, "c1").Version; v != 1 {
		t.Fatalf("a bad deadline changed the contract to version %d", v)
	}
	s.click(mo, "Open the amendment again")
	s.submit(mo, map[string]string{
		contract.FieldDeadline: "2027-04-30",
		contract.FieldCriteria: "Two teammates use my checklist without help\nMo observes one review",
		FieldComment:           "Let's give it a bit longer and have me sit in on one.",
	})
	s.click(lee, "Accept & sign")
	golden(t, s, "amendment_accept")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 {
		t.Errorf("status %s version %d signed %d, want active 2 2", c.Status, c.Version, c.Signed)
	}
	want := []contract.Criterion{{Text: "Two teammates use my checklist without help", ProposedBy: lee}, {Text: "Mo observes one review", ProposedBy: mo}}
	if d := contract.Diff(contract.Terms{Criteria: want}, contract.Terms{Criteria: c.Terms.Criteria}); len(d) > 0 || c.Terms.Criteria[1].ProposedBy != mo || c.Terms.Criteria[0].ProposedBy != lee {
		t.Errorf("criteria %+v, want %+v", c.Terms.Criteria, want)
	}
	if r, _ := c.Revision(2); r.ProposedBy != mo || r.Comment == "" {
		t.Errorf("revision 2 %+v", r)
	}
}

func TestTranscriptAmendmentCounter(t *testing.T) {
	s := newTestSim(t, "Amendment, countered by the learner")
	draftAndSend(s)
	s.click(mo, "Propose an amendment")
	s.submit(mo, map[string]string{contract.FieldDeadline: "2027-02-26", contract.FieldTitle: "Design reviews, quickly"})
	s.click(lee, "Counter")
	s.say(lee, "edit deadline")
	s.say(lee, "2027-03-19")
	s.click(lee, "Send to my manager")
	s.click(mo, "Approve & sign")
	golden(t, s, "amendment_counter")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Active || c.Version != 3 || c.Signed != 3 {
		t.Errorf("status %s version %d signed %d, want active 3 3", c.Status, c.Version, c.Signed)
	}
	if c.Terms.Title != "Design reviews, quickly" {
		t.Errorf("the counter lost the amended title: %q", c.Terms.Title)
	}
	if !strings.Contains(messageText(s.inbox[mo][len(s.inbox[mo])-1].msg), "Approved and signed") {
		t.Error("the approver's card does not show the outcome")
	}
}

func TestTranscriptStrangerClicksApprove(t *testing.T) {
	s := newTestSim(t, "Someone else clicks the approver's buttons")
	draftAndSend(s)
	card := s.latest(mo)
	before := s.contracts["c1"].rev
	s.clickOn(sam, card, "Approve & sign")
	s.clickOn(sam, card, "Request changes")
	s.clickOn(lee, card, "Approve & sign")
	if s.contracts["c1"].rev != before {
		t.Error("a refused click changed the contract")
	}
	s.click(mo, "Approve & sign")
	s.clickOn(mo, card, "Approve & sign")
	s.clickOn(mo, card, "Propose an amendment")
	golden(t, s, "stranger_approve")
	if s.err == nil {
		for _, ef := range s.last {
			if _, ok := ef.(Ephemeral); !ok {
				t.Errorf("a refused click had a public effect %T", ef)
			}
		}
	}
}

func TestTranscriptStaleClick(t *testing.T) {
	s := newTestSim(t, "Clicks on an old version, an unknown button, a missing contract")
	draftAndSend(s)
	v1 := s.latest(mo)
	s.click(mo, "Request changes")
	s.submit(mo, map[string]string{FieldComments: "Please add a demo."})
	s.click(lee, "Revise")
	s.clickID(lee, ActionEditEvidence)
	s.say(lee, "A demo to the team")
	s.click(lee, "Send to my manager")
	before := s.contracts["c1"].rev
	s.clickOn(mo, v1, "Approve & sign")
	s.clickOn(mo, v1, "Propose an amendment")
	s.clickOn(lee, find(s, lee, "Revise"), "Revise")
	if s.contracts["c1"].rev != before {
		t.Error("a stale click changed the contract")
	}
	s.logf("-> Mo clicks a button from an older release of the bot\n")
	s.do(Input{Kind: ActionInput, User: mo, Channel: "DUMO", ActionID: "lp_old_thing", Value: "x"})
	s.logf("-> Mo clicks Approve on a contract that no longer exists\n")
	s.do(Input{Kind: ActionInput, User: mo, Channel: "DUMO", ActionID: string(ActionApprove),
		Value: ActionValue{ContractID: "c99", Version: 1}.Encode()})
	golden(t, s, "stale_click")
}

func TestTranscriptCancelResume(t *testing.T) {
	s := newTestSim(t, "Cancel, come back days later, resume; a second draft")
	s.say(lee, "hi")
	s.say(lee, "Public speaking")
	s.say(lee, "Give a 10-minute talk at the all-hands and take three questions")
	s.click(lee, "Skip")
	s.say(lee, "cancel")
	s.say(lee, "I will practise with Ana")
	s.say(lee, "back")
	s.now = s.now.Add(72 * time.Hour)
	s.say(lee, "hello")
	s.say(lee, "resume")
	s.click(lee, "Done with goals")
	s.say(lee, "Toastmasters; rehearse with Ana")
	s.say(lee, "new")
	s.click(lee, "Carry on with it")
	s.command(lee, "new")
	s.click(lee, "Start a new one")
	s.say(lee, "Writing design docs")
	s.say(lee, "list")
	s.click(lee, "Open")
	golden(t, s, "cancel_resume")

	sess := s.session(lee)
	if sess.ContractID != "c1" || sess.State != StateEvidence {
		t.Errorf("opening the first draft left the session at %q on %q", sess.State, sess.ContractID)
	}
	if c := mustContract(t, s, "c1"); len(c.Terms.Activities) != 2 {
		t.Errorf("activities %q", c.Terms.Activities)
	}
}

func TestTranscriptHelpStatusList(t *testing.T) {
	s := newTestSim(t, "Help, status, list, skip and edit at different steps")
	s.say(lee, "help")
	s.say(lee, "status")
	s.say(lee, "list")
	s.say(lee, "what is this?")
	s.command(lee, "")
	s.command(lee, "new")
	s.say(lee, "skip")
	s.say(lee, "Mentoring")
	s.say(lee, "HELP")
	s.say(lee, "status")
	s.say(lee, "edit deadline")
	s.say(lee, "in 3 months")
	s.say(lee, "edit nonsense")
	s.command(lee, "send")
	s.click(lee, "Add a goal")
	s.say(lee, "Mentor two juniors through their first on-call week")
	s.click(lee, "Skip")
	s.click(lee, "Done with goals")
	s.click(lee, "Add evidence")
	s.say(lee, "Notes from each mentoring session")
	s.command(lee, "frobnicate")
	s.say(lee, "edit title")
	s.click(lee, "Keep as is")
	golden(t, s, "help_status_list")

	s = newSim(start, nil)
	draftAndSend(s)
	s.say(mo, "list")
	if !strings.Contains(lastText(s, mo), "you're the approver") {
		t.Errorf("the approver's list does not show the role: %q", lastText(s, mo))
	}
	s.say(lee, "status")
	if got := lastText(s, lee); !strings.Contains(got, "Waiting for approval · version 1") || !strings.Contains(got, "Still to sign: @UMO") {
		t.Errorf("status while proposed: %q", got)
	}
	s.say(lee, "edit goals")
	if got := lastText(s, lee); !strings.Contains(got, "can't be edited right now") {
		t.Errorf("editing while proposed: %q", got)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

func historyKinds(c *contract.Contract) string {
	var ks []string
	for _, e := range c.History {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}

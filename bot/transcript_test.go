package bot_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	lee = "ULEE" // learner
	mo  = "UMO"  // approver
	sam = "USAM" // neither
)

var start = time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC) // a Friday

// newWorld is a world that writes a transcript, with Lee, Mo and Sam.
func newWorld(t *testing.T, title string) *bottest.World {
	t.Helper()
	w := bottest.NewWorld(t, start)
	w.Names(map[string]string{lee: "Lee", mo: "Mo", sam: "Sam"})
	w.Transcribe(title, "Lee (ULEE) is the learner, Mo (UMO) the approver, Sam (USAM) neither.")
	return w
}

// golden compares the transcript with testdata/<name>.transcript.txt.
func golden(t *testing.T, w *bottest.World, name string) {
	t.Helper()
	got := w.Transcript()
	path := filepath.Join("testdata", name+".transcript.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript %s differs from the golden file (run with -update and review the diff)\n\ngot:\n%s", path, got)
	}
}

// draftAndSend has Lee write a complete contract quickly and send it to Mo.
func draftAndSend(w *bottest.World) {
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
	w.Click(lee, "Send to my manager")
}

// lastText is the text of the newest message the user sees.
func lastText(w *bottest.World, user string) string { return messagetest.Text(w.Latest(user).Message) }

func historyKinds(c *contract.Contract) string {
	var ks []string
	for _, e := range c.History {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}

func TestTranscriptDraftingHappyPath(t *testing.T) {
	w := newWorld(t, "Drafting a contract, the happy path")
	w.Say(lee, "hi")
	w.Say(lee, "Running design reviews")
	w.Say(lee, "Run three design reviews using a checklist the team adopts")
	w.Say(lee, "The checklist, and notes from each review")
	w.Click(lee, "Add another goal")
	w.Say(lee, "Explain our review process to two new teammates without notes")
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, "Shadow Ana's reviews\nRead the Design Review Handbook")
	w.Say(lee, "A write-up of three reviews; the checklist")
	w.Say(lee, "Two teammates use my checklist without help")
	w.Say(lee, "by the end of March")
	w.Click(lee, "Fortnightly")
	w.Say(lee, "<@UMO|mo>")
	w.SkipNotes(lee)
	w.Click(lee, "Send to my manager")
	w.Click(mo, "Approve & sign")
	golden(t, w, "drafting_happy_path")

	c := w.Contract("c1")
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
	if !strings.Contains(lastText(w, lee), "It's active now") {
		t.Errorf("learner was not told the contract is active: %q", lastText(w, lee))
	}
	if got := messagetest.Buttons(w.Latest(mo).Message); len(got) != 0 {
		t.Errorf("approver's card still has buttons after signing: %+v", got)
	}
}

func TestTranscriptDraftingCoached(t *testing.T) {
	w := newWorld(t, "Drafting with a coached goal, deadline re-prompts, back and edits")
	w.Say(lee, "/contract new")
	w.Say(lee, "Go")
	w.Say(lee, "learn about Go")
	w.Click(lee, "Keep mine")
	w.Click(lee, "Skip")
	w.Click(lee, "Add another goal")
	w.Say(lee, "get better at code reviews")
	w.Say(lee, "back")
	w.Say(lee, "Review ten pull requests with comments the authors act on")
	w.Say(lee, "skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, "skip")
	w.Say(lee, "skip")
	w.Say(lee, "back")
	w.Say(lee, "A Go course; pairing with Ana")
	w.Say(lee, "A small service in Go, reviewed by the team")
	w.Say(lee, "The service passes review with no blocking comments")
	w.Say(lee, "yesterday")
	w.Say(lee, "in five years")
	w.Say(lee, "when the moon is blue")
	w.Say(lee, "2027-04-30")
	w.Say(lee, "every 10 days")
	w.Say(lee, "Mo")
	w.Say(lee, "<@UBOT>")
	w.Say(lee, "<@ULEE|lee>")
	w.Say(lee, "<@UMO>")
	w.SkipNotes(lee)
	w.Say(lee, "edit goals")
	w.Click(lee, "Start goals over")
	w.Say(lee, "Explain our deployment pipeline to a new teammate without notes")
	w.Say(lee, "A walkthrough with Sam")
	w.Click(lee, "Done with goals")
	golden(t, w, "drafting_coached")

	c := w.Contract("c1")
	if len(c.Terms.Goals) != 1 || c.Terms.Goals[0].Mastery != "A walkthrough with Sam" {
		t.Errorf("goals after starting over: %+v", c.Terms.Goals)
	}
	if c.Terms.Cadence != 10 || !c.Terms.Deadline.Equal(time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cadence %d deadline %s", c.Terms.Cadence, c.Terms.Deadline)
	}
	if sess := w.Session(lee); sess.State != conversation.StateSummary || sess.Editing {
		t.Errorf("after editing goals the learner is at %q (editing %v), want the summary", sess.State, sess.Editing)
	}
}

func TestTranscriptKeepMineAfterOneRound(t *testing.T) {
	w := bottest.NewWorld(t, start)
	w.Say(lee, "new")
	w.Say(lee, "Go")
	w.Say(lee, "learn about Go")
	w.Click(lee, "Keep mine")
	c := w.Contract("c1")
	if len(c.Terms.Goals) != 1 || c.Terms.Goals[0].Text != "learn about Go" {
		t.Errorf("the learner's own wording was not kept: %+v", c.Terms.Goals)
	}
}

func TestTranscriptRequestChangesReviseApprove(t *testing.T) {
	w := newWorld(t, "Request changes, revise, approve (with the diff)")
	draftAndSend(w)
	w.Click(mo, "Request changes")
	w.Submit(mo, map[string]string{conversation.FieldComments: "  "})
	w.Click(mo, "Write your comments")
	w.Submit(mo, map[string]string{conversation.FieldComments: "Could the evidence include a demo to the team? And a nearer deadline, please."})
	w.Click(lee, "Revise")
	w.ClickID(lee, conversation.ActionEditEvidence)
	w.Say(lee, "A write-up of three reviews; a demo to the team")
	w.Say(lee, "edit deadline")
	w.Say(lee, "in 6 weeks")
	w.Click(lee, "Send to my manager")
	request := lastText(w, mo)
	w.Click(mo, "Approve & sign")
	golden(t, w, "request_changes_revise_approve")

	c := w.Contract("c1")
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
	w := newWorld(t, "Amendment, accepted by the learner")
	draftAndSend(w)
	w.Click(mo, "Propose an amendment")
	w.Submit(mo, map[string]string{contract.FieldDeadline: "whenever"})
	if v := w.Contract("c1").Version; v != 1 {
		t.Fatalf("a bad deadline changed the contract to version %d", v)
	}
	w.Click(mo, "Open the amendment again")
	w.Submit(mo, map[string]string{
		contract.FieldDeadline:    "2027-04-30",
		contract.FieldCriteria:    "Two teammates use my checklist without help\nMo observes one review",
		conversation.FieldComment: "Let's give it a bit longer and have me sit in on one.",
	})
	w.Click(lee, "Accept & sign")
	golden(t, w, "amendment_accept")

	c := w.Contract("c1")
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
	w := newWorld(t, "Amendment, countered by the learner")
	draftAndSend(w)
	w.Click(mo, "Propose an amendment")
	w.Submit(mo, map[string]string{contract.FieldDeadline: "2027-02-26", contract.FieldTitle: "Design reviews, quickly"})
	w.Click(lee, "Counter")
	w.Say(lee, "edit deadline")
	w.Say(lee, "2027-03-19")
	w.Click(lee, "Send to my manager")
	w.Click(mo, "Approve & sign")
	golden(t, w, "amendment_counter")

	c := w.Contract("c1")
	if c.Status != contract.Active || c.Version != 3 || c.Signed != 3 {
		t.Errorf("status %s version %d signed %d, want active 3 3", c.Status, c.Version, c.Signed)
	}
	if c.Terms.Title != "Design reviews, quickly" {
		t.Errorf("the counter lost the amended title: %q", c.Terms.Title)
	}
	if !strings.Contains(lastText(w, mo), "Approved and signed") {
		t.Error("the approver's card does not show the outcome")
	}
}

func TestTranscriptStrangerClicksApprove(t *testing.T) {
	w := newWorld(t, "Someone else clicks the approver's buttons")
	draftAndSend(w)
	card := w.Latest(mo)
	before := w.Contract("c1").Rev
	w.ClickOn(sam, card, "Approve & sign")
	w.ClickOn(sam, card, "Request changes")
	w.ClickOn(lee, card, "Approve & sign")
	if w.Contract("c1").Rev != before {
		t.Error("a refused click changed the contract")
	}
	w.Click(mo, "Approve & sign")
	w.ClickOn(mo, card, "Approve & sign")
	w.ClickOn(mo, card, "Propose an amendment")
	golden(t, w, "stranger_approve")
	for _, d := range w.Turn().Deliveries {
		if d.Kind != bottest.Ephemeral {
			t.Errorf("a refused click had a public effect: %s for %s", d.Kind, d.User)
		}
	}
}

func TestTranscriptStaleClick(t *testing.T) {
	w := newWorld(t, "Clicks on an old version, an unknown button, a missing contract")
	draftAndSend(w)
	v1 := w.Latest(mo)
	w.Click(mo, "Request changes")
	w.Submit(mo, map[string]string{conversation.FieldComments: "Please add a demo."})
	w.Click(lee, "Revise")
	w.ClickID(lee, conversation.ActionEditEvidence)
	w.Say(lee, "A demo to the team")
	w.Click(lee, "Send to my manager")
	before := w.Contract("c1").Rev
	w.ClickOn(mo, v1, "Approve & sign")
	w.ClickOn(mo, v1, "Propose an amendment")
	w.ClickOn(lee, w.Find(lee, "Revise"), "Revise")
	if w.Contract("c1").Rev != before {
		t.Error("a stale click changed the contract")
	}
	w.Logf("-> Mo clicks a button from an older release of the bot\n")
	w.Do(conversation.Input{Kind: conversation.ActionInput, User: mo, Channel: bottest.DM(mo), ActionID: "lp_old_thing", Value: "x"})
	w.Logf("-> Mo clicks Approve on a contract that no longer exists\n")
	w.Do(conversation.Input{Kind: conversation.ActionInput, User: mo, Channel: bottest.DM(mo), ActionID: string(conversation.ActionApprove),
		Value: conversation.ActionValue{ContractID: "c99", Version: 1}.Encode()})
	golden(t, w, "stale_click")
}

func TestTranscriptCancelResume(t *testing.T) {
	w := newWorld(t, "Cancel, come back days later, resume; a second draft")
	w.Say(lee, "hi")
	w.Say(lee, "Public speaking")
	w.Say(lee, "Give a 10-minute talk at the all-hands and take three questions")
	w.Click(lee, "Skip")
	w.Say(lee, "cancel")
	w.Say(lee, "I will practise with Ana")
	w.Say(lee, "back")
	w.Advance(72 * time.Hour)
	w.Say(lee, "hello")
	w.Say(lee, "resume")
	w.Click(lee, "Done with goals")
	w.Say(lee, "Toastmasters; rehearse with Ana")
	w.Say(lee, "new")
	w.Click(lee, "Carry on with it")
	w.Command(lee, "new")
	w.Click(lee, "Start a new one")
	w.Say(lee, "Writing design docs")
	w.Say(lee, "list")
	w.Click(lee, "Open")
	golden(t, w, "cancel_resume")

	sess := w.Session(lee)
	if sess.ContractID != "c1" || sess.State != conversation.StateEvidence {
		t.Errorf("opening the first draft left the session at %q on %q", sess.State, sess.ContractID)
	}
	if c := w.Contract("c1"); len(c.Terms.Activities) != 2 {
		t.Errorf("activities %q", c.Terms.Activities)
	}
}

func TestTranscriptHelpStatusList(t *testing.T) {
	w := newWorld(t, "Help, status, list, skip and edit at different steps")
	w.Say(lee, "help")
	w.Say(lee, "status")
	w.Say(lee, "list")
	w.Say(lee, "what is this?")
	w.Command(lee, "")
	w.Command(lee, "new")
	w.Say(lee, "skip")
	w.Say(lee, "Mentoring")
	w.Say(lee, "HELP")
	w.Say(lee, "status")
	w.Say(lee, "edit deadline")
	w.Say(lee, "in 3 months")
	w.Say(lee, "edit nonsense")
	w.Command(lee, "send")
	w.Click(lee, "Add a goal")
	w.Say(lee, "Mentor two juniors through their first on-call week")
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Click(lee, "Add evidence")
	w.Say(lee, "Notes from each mentoring session")
	w.Command(lee, "frobnicate")
	w.Say(lee, "edit title")
	w.Click(lee, "Keep as is")
	golden(t, w, "help_status_list")

	w = bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Say(mo, "list")
	if !strings.Contains(lastText(w, mo), "you're the approver") {
		t.Errorf("the approver's list does not show the role: %q", lastText(w, mo))
	}
	w.Say(lee, "status")
	if got := lastText(w, lee); !strings.Contains(got, "Waiting for approval · version 1") || !strings.Contains(got, "Still to sign: @UMO") {
		t.Errorf("status while proposed: %q", got)
	}
	w.Say(lee, "edit goals")
	if got := lastText(w, lee); !strings.Contains(got, "can't be edited right now") {
		t.Errorf("editing while proposed: %q", got)
	}
}

// TestUserTextStaysPlain types hostile and huge text everywhere and checks
// it is stored as typed and shown only in plain spans.
func TestUserTextStaysPlain(t *testing.T) {
	hostile := "<!channel> *bold* <https://x|y> &amp;"
	huge := "Explain " + strings.Repeat("x", 10000-8-11) + " <!channel>"
	w := bottest.NewWorld(t, start)
	w.Say(lee, "new")
	w.Say(lee, hostile)
	w.Say(lee, huge)
	if w.Session(lee).State == conversation.StateGoalCoach {
		w.Click(lee, "Keep mine")
	}
	w.Say(lee, hostile)
	w.Click(lee, "Add another goal")
	w.Say(lee, hostile)
	if w.Session(lee).State == conversation.StateGoalCoach {
		w.Click(lee, "Keep mine")
	}
	w.Click(lee, "Skip")
	w.Click(lee, "Done with goals")
	w.Say(lee, hostile)
	w.Say(lee, hostile)
	w.Say(lee, hostile)
	w.Say(lee, "in 8 weeks")
	w.Click(lee, "Weekly")
	w.Say(lee, "<@UMO>")
	w.SkipNotes(lee)
	w.Click(lee, "Send to my manager")
	w.Click(mo, "Request changes")
	w.Submit(mo, map[string]string{conversation.FieldComments: hostile})
	w.Click(lee, "Revise")
	c := w.Contract("c1")
	if len(huge) != 10000 {
		t.Fatalf("the huge goal has %d characters", len(huge))
	}
	if c.Terms.Title != hostile || c.Terms.Goals[0].Text != huge || c.Terms.Goals[0].Mastery != hostile ||
		c.Terms.Goals[1].Text != hostile || c.Requested != hostile || c.Terms.Activities[0] != hostile ||
		c.Terms.Evidence[0] != hostile || c.Terms.Criteria[0].Text != hostile {
		t.Errorf("user text was not stored as typed: %+v", c.Terms)
	}
	seen := 0
	for _, d := range shown(w) {
		m := d.Message
		if strings.Contains(m.Summary, "<") {
			t.Errorf("%s: a summary carries user text: %q", d.User, m.Summary)
		}
		messagetest.ForEachSpan(m.Blocks, func(sp message.Span) {
			if strings.Contains(sp.Text, "<!channel>") || strings.Contains(sp.Text, "https://x|y") || strings.Contains(sp.Text, "xxxxxxxxxx") {
				seen++
				if sp.Kind != message.Plain {
					t.Errorf("%s: user text in a %v span: %q", d.User, sp.Kind, sp.Text)
				}
			}
		})
		messagetest.CheckLimits(t, d.User, m)
	}
	if seen < 10 {
		t.Errorf("user text appeared in only %d spans; the test is not looking at it", seen)
	}
}

// shown is every message the world's people were shown: sent, updated or
// ephemeral.
func shown(w *bottest.World) []bottest.Delivery {
	var out []bottest.Delivery
	for _, d := range w.Platform.Deliveries() {
		if d.Kind != bottest.Form {
			out = append(out, d)
		}
	}
	return out
}

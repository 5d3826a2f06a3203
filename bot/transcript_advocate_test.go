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

const wen = "UWEN" // the workplace advocate

const (
	supportNote = "Two hours a week for the reviews"
	ethicsNote  = "The reviews discuss unreleased designs"
)

// advocateWorld is a world with Lee, Mo, Wen and Sam.
func advocateWorld(t *testing.T, title string) *bottest.World {
	t.Helper()
	w := bottest.NewWorld(t, start)
	w.Names(map[string]string{lee: "Lee", mo: "Mo", sam: "Sam", wen: "Wen"})
	w.Transcribe(title, "Lee (ULEE) is the learner, Mo (UMO) the approver, Wen (UWEN) the workplace advocate, Sam (USAM) neither.")
	return w
}

// TestTranscriptAdvocate: the learner names the approver and the advocate
// in one message, adds private notes, goes back and keeps the advocate,
// drops the ethics note; once sent, the advocate is told, a stranger's
// clicks on the advocate's card are refused, the advocate's comment
// reaches learner and approver and stays in the history, and the
// contract is active only once all three have signed.
func TestTranscriptAdvocate(t *testing.T) {
	w := advocateWorld(t, "A workplace advocate and private notes")
	w.Quietly("Lee drafts a contract up to the approver", func() { bottest.DraftToApprover(w, lee) })
	w.Say(lee, "<@UMO|mo> with <@UWEN|wen> as my advocate")
	c := w.Contract("c1")
	if c.Approver != mo || c.Advocate != wen || w.Session(lee).State != conversation.StateSupport {
		t.Fatalf("after naming both: approver %q advocate %q, at %q", c.Approver, c.Advocate, w.Session(lee).State)
	}
	w.Say(lee, "back")
	if s := w.Session(lee); s.State != conversation.StateAdvocate || !strings.Contains(lastText(w, lee), "Currently:") {
		t.Fatalf("back from support goes to %q:\n%s", s.State, lastText(w, lee))
	}
	w.Click(lee, "Keep as is")
	w.Say(lee, supportNote)
	w.Say(lee, ethicsNote)
	w.Say(lee, "edit ethics")
	w.Say(lee, "none")
	c = w.Contract("c1")
	if c.Terms.Support != supportNote || c.Terms.Ethics != "" || w.Session(lee).State != conversation.StateSummary {
		t.Fatalf("support %q ethics %q at %q", c.Terms.Support, c.Terms.Ethics, w.Session(lee).State)
	}
	w.Say(lee, "edit ethics")
	w.Say(lee, ethicsNote)
	if got := lastText(w, lee); !strings.Contains(got, supportNote) || !strings.Contains(got, ethicsNote) || !strings.Contains(got, "@UWEN") {
		t.Fatalf("the summary does not show the advocate and the private notes:\n%s", got)
	}
	w.Click(lee, "Send to my manager")
	card := w.Latest(wen)
	if got := messagetest.Text(card.Message); !strings.Contains(got, "Sign as advocate") || !strings.Contains(got, supportNote) {
		t.Fatalf("the advocate's card:\n%s", got)
	}
	if got := lastText(w, mo); !strings.Contains(got, "you and @UWEN") || !strings.Contains(got, ethicsNote) {
		t.Fatalf("the approver's card does not say who is still to sign, or lacks the notes:\n%s", got)
	}

	// A stranger's clicks on the advocate's card change nothing.
	before := w.Contract("c1")
	w.ClickOn(sam, card, "Sign as advocate")
	w.ClickOn(sam, card, "Comment")
	w.ClickOn(mo, card, "Sign as advocate")
	if _, open := w.Platform.OpenForm(sam); open {
		t.Fatal("a stranger could open the advocate's comment form")
	}
	if after := w.Contract("c1"); len(after.Signatures) != len(before.Signatures) || len(after.History) != len(before.History) {
		t.Fatalf("clicks by others on the advocate's card changed the contract: %+v", after.Signatures)
	}

	w.Click(wen, "Comment")
	w.Submit(wen, map[string]string{conversation.FieldComment: " "})
	w.Click(wen, "Open the form again")
	w.Submit(wen, map[string]string{conversation.FieldComment: "Fridays are quiet here: book the reviews then."})
	for _, u := range []string{lee, mo} {
		if got := lastText(w, u); !strings.Contains(got, "Fridays are quiet") {
			t.Errorf("%s did not get the advocate's comment:\n%s", u, got)
		}
	}
	if cs := w.Contract("c1").AdvocateComments(); len(cs) != 1 || cs[0].Actor != wen || !strings.Contains(cs[0].Comment, "Fridays") {
		t.Errorf("the comment is not in the history: %+v", cs)
	}

	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Proposed {
		t.Fatalf("active (%s) before the advocate signed", c.Status)
	}
	if got := lastText(w, lee); !strings.Contains(got, "@UWEN") {
		t.Errorf("the learner is not told who is still to sign:\n%s", got)
	}
	w.Click(wen, "Sign as advocate")
	c = w.Contract("c1")
	if c.Status != contract.Active || c.Signed != 1 {
		t.Fatalf("status %s signed %d after all three signed", c.Status, c.Signed)
	}
	for _, u := range []string{lee, mo, wen} {
		if !c.SignedBy(u, 1) {
			t.Errorf("%s has not signed version 1", u)
		}
	}
	for _, u := range []string{lee, mo} {
		if got := lastText(w, u); !strings.Contains(got, "active") {
			t.Errorf("%s is not told the contract is active:\n%s", u, got)
		}
	}
	w.Say(lee, "status")
	if got := lastText(w, lee); !strings.Contains(got, supportNote) || !strings.Contains(got, "Workplace advocate") {
		t.Errorf("status lacks the advocate or the notes:\n%s", got)
	}
	golden(t, w, "advocate")
}

// TestTranscriptNamingPeople: a message naming two people for one role
// takes neither; "as my advocate" alone at the approver step names the
// advocate and asks for the approver; the advocate must differ from the
// learner, the approver and the bot; a template's advocate cannot be
// skipped, and sending without one goes to the advocate step.
func TestTranscriptNamingPeople(t *testing.T) {
	w := advocateWorld(t, "Naming the approver and the advocate")
	w.Quietly("Lee drafts a contract up to the approver", func() { bottest.DraftToApprover(w, lee) })
	w.Say(lee, "<@UMO|mo> <@UWEN|wen>")
	if c := w.Contract("c1"); c.Approver != "" || c.Advocate != "" || !strings.Contains(lastText(w, lee), "rather not guess") {
		t.Fatalf("two people for one role: approver %q advocate %q\n%s", c.Approver, c.Advocate, lastText(w, lee))
	}
	w.Say(lee, "<@UWEN|wen> as my advocate")
	if c := w.Contract("c1"); c.Approver != "" || c.Advocate != wen || w.Session(lee).State != conversation.StateApprover {
		t.Fatalf("the advocate alone: approver %q advocate %q at %q", c.Approver, c.Advocate, w.Session(lee).State)
	}
	w.Say(lee, "<@UWEN|wen>")
	if c := w.Contract("c1"); c.Approver != "" {
		t.Fatalf("the advocate was taken as the approver too")
	}
	w.Say(lee, "<@UMO|mo>")
	w.Say(lee, "<@ULEE|lee>")
	w.Say(lee, "<@UMO|mo>")
	w.Say(lee, "<@"+bottest.BotUser+">")
	if c := w.Contract("c1"); c.Advocate != wen {
		t.Fatalf("a refused advocate changed the advocate to %q", c.Advocate)
	}
	w.Say(lee, "none")
	if c := w.Contract("c1"); c.Advocate != "" || w.Session(lee).State != conversation.StateSupport {
		t.Fatalf("none: advocate %q at %q", c.Advocate, w.Session(lee).State)
	}
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")

	// A template that asks for an advocate.
	c := w.Contract("c1")
	c.AdvocateRequired = true
	w.Store(c)
	w.Logf("   (the contract's template asks for an advocate)\n")
	w.Say(lee, "send")
	if c := w.Contract("c1"); c.Status != contract.Draft || !strings.Contains(lastText(w, lee), "Name an advocate") {
		t.Fatalf("sent without the advocate the template asks for: %s\n%s", c.Status, lastText(w, lee))
	}
	w.Click(lee, "Name an advocate")
	w.Say(lee, "skip")
	w.Say(lee, "none")
	if s := w.Session(lee); s.State != conversation.StateAdvocate {
		t.Fatalf("skipped a required advocate: at %q", s.State)
	}
	w.Say(lee, "<@UWEN|wen>")
	w.Say(lee, "send")
	if c := w.Contract("c1"); c.Status != contract.Proposed || !slices.Equal(c.AwaitingSignature(), []string{mo, wen}) {
		t.Fatalf("status %s, awaiting %v", c.Status, c.AwaitingSignature())
	}
	golden(t, w, "advocate_naming")
}

// TestAdvocateAmendmentAndRenegotiation: an amendment and a renegotiation
// both wait for the advocate, who gets each new version with their own
// buttons, and the messages say who is still to sign.
func TestAdvocateAmendmentAndRenegotiation(t *testing.T) {
	w := bottest.NewWorld(t, start)
	bottest.DraftToApprover(w, lee)
	w.Say(lee, "<@UMO> and advocate <@UWEN>")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Click(lee, "Send to my manager")
	w.Click(mo, "Propose an amendment")
	w.Submit(mo, map[string]string{contract.FieldDeadline: "in 10 weeks"})
	if got := lastText(w, wen); !strings.Contains(got, "amendment") || !strings.Contains(got, "version 2") || !strings.Contains(got, "Sign as advocate") {
		t.Fatalf("the advocate's card for the amendment:\n%s", got)
	}
	w.Click(lee, "Accept & sign")
	if c := w.Contract("c1"); c.Status != contract.Proposed {
		t.Fatalf("the amendment is in force (%s) without the advocate", c.Status)
	}
	if got := lastText(w, mo); !strings.Contains(got, "Waiting for @UWEN") {
		t.Errorf("the approver is not told who is still to sign:\n%s", got)
	}
	w.Click(wen, "Sign as advocate")
	c := w.Contract("c1")
	if c.Status != contract.Active || c.Signed != 2 {
		t.Fatalf("status %s signed %d", c.Status, c.Signed)
	}

	// A renegotiation: the new deadline waits for approver and advocate.
	w.Say(lee, "edit deadline")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "in 12 weeks")
	w.Say(lee, "yes")
	if got := lastText(w, wen); !strings.Contains(got, "Sign as advocate") || strings.Contains(got, "Decline") {
		t.Fatalf("the advocate's card for the renegotiation:\n%s", got)
	}
	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Renegotiating || c.Signed != 2 {
		t.Fatalf("in force without the advocate: %s, signed %d", c.Status, c.Signed)
	}
	if got := lastText(w, lee); !strings.Contains(got, "@UWEN") {
		t.Errorf("the learner is not told who is still to sign:\n%s", got)
	}
	w.Click(wen, "Sign as advocate")
	if c := w.Contract("c1"); c.Status != contract.Active || c.Signed != 3 {
		t.Fatalf("after the advocate signed: %s, signed %d", c.Status, c.Signed)
	}
	for _, u := range []string{lee, mo} {
		if got := lastText(w, u); !strings.Contains(got, "in force") {
			t.Errorf("%s is not told version 3 is in force:\n%s", u, got)
		}
	}
}

// TestSharedDraftKeepsPrivateNotes: support needed and ethical
// considerations reach no one outside the contract's parties unless the
// learner ticks them in the share form, and then only what was ticked.
func TestSharedDraftKeepsPrivateNotes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ticked string
		shown  []string
	}{
		{"nothing ticked", "", nil},
		{"support ticked", contract.FieldSupport, []string{supportNote}},
		{"both ticked", contract.FieldSupport + "," + contract.FieldEthics, []string{supportNote, ethicsNote}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := reviewWorld(t, "Private notes")
			bottest.DraftToApprover(w, lee)
			w.Say(lee, "<@UMO> with <@UWEN> as my advocate")
			w.Say(lee, supportNote)
			w.Say(lee, ethicsNote)
			w.Click(lee, "Share with my learning set")
			form, _ := w.Platform.OpenForm(lee)
			if !strings.Contains(messagetest.RenderModal(form), "Support I need") {
				t.Fatalf("the share form offers no choice of private parts:\n%s", messagetest.RenderModal(form))
			}
			w.Submit(lee, map[string]string{conversation.FieldPrivate: tc.ticked})
			for _, r := range w.Contract("c1").Waiting() {
				w.ReplyInThread(r, "CSET", "Looks good")
			}
			seen := map[string]bool{}
			for _, d := range w.Platform.Deliveries() {
				if d.User == lee || d.User == mo || d.User == wen {
					continue
				}
				text := messagetest.Text(d.Message) + messagetest.RenderModal(d.Modal)
				for _, note := range []string{supportNote, ethicsNote} {
					if !strings.Contains(text, note) {
						continue
					}
					seen[note] = true
					if !slices.Contains(tc.shown, note) {
						t.Errorf("%s to %s%s shows %q, which the learner did not tick:\n%s", d.Kind, d.User, d.Channel, note, text)
					}
				}
			}
			for _, note := range tc.shown {
				if !seen[note] {
					t.Errorf("%q was ticked and not shared", note)
				}
			}
		})
	}
}

// TestDraftedForWithAdvocate: an approver drafting for a learner may name
// an advocate; the advocate is told when the draft is sent, and the
// contract is active once the learner accepts and the advocate signs.
func TestDraftedForWithAdvocate(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftFor(w)
	if s := w.Session(mo); s.State != conversation.StateSummary {
		t.Fatalf("the drafter is at %q after the check-ins, want the summary", s.State)
	}
	w.Say(mo, "edit advocate")
	w.Say(mo, "<@UWEN|wen>")
	w.Click(mo, "Send to the learner")
	if got := lastText(w, wen); !strings.Contains(got, "@UMO drafted a learning contract for @ULEE") || !strings.Contains(got, "Sign as advocate") {
		t.Fatalf("the advocate's card:\n%s", got)
	}
	w.Click(lee, "Accept & sign")
	if c := w.Contract("c1"); c.Status != contract.Proposed || !slices.Equal(c.AwaitingSignature(), []string{wen}) {
		t.Fatalf("after the learner accepted: %s, awaiting %v", c.Status, c.AwaitingSignature())
	}
	w.Click(wen, "Sign as advocate")
	c := w.Contract("c1")
	if c.Status != contract.Active {
		t.Fatalf("status %s after all three signed", c.Status)
	}
	for _, u := range []string{lee, mo, wen} {
		if !c.SignedBy(u, c.Version) {
			t.Errorf("%s has not signed", u)
		}
	}
}

// TestTranscriptChangeAdvocate: while the proposal waits for signatures,
// the learner names another advocate: a new version goes to the approver
// (showing the change) and the new advocate, the former advocate is told,
// and the signatures on the earlier version count for nothing.
func TestTranscriptChangeAdvocate(t *testing.T) {
	w := advocateWorld(t, "Another advocate while the proposal waits")
	var oldApproval, oldAdvocate bottest.Posted
	w.Quietly("Lee drafts a contract naming Mo and Wen, and sends it; Wen signs", func() {
		bottest.DraftToApprover(w, lee)
		w.Say(lee, "<@UMO|mo> with <@UWEN|wen> as my advocate")
		w.Click(lee, "Skip")
		w.Click(lee, "Skip")
		w.Click(lee, "Send to my manager")
		oldApproval, oldAdvocate = w.Latest(mo), w.Latest(wen)
		w.Click(wen, "Sign as advocate")
	})
	w.Say(lee, "edit advocate")
	w.Say(lee, "<@UMO|mo>")
	w.Say(lee, "<@USAM|sam>")
	c := w.Contract("c1")
	if c.Version != 2 || c.Advocate != sam || c.Status != contract.Proposed || !slices.Equal(c.AwaitingSignature(), []string{mo, sam}) {
		t.Fatalf("after naming Sam: version %d advocate %q %s, awaiting %v", c.Version, c.Advocate, c.Status, c.AwaitingSignature())
	}
	if got := lastText(w, mo); !strings.Contains(got, "@UWEN → @USAM") {
		t.Errorf("the approver's card does not show the change of advocate:\n%s", got)
	}
	if got := lastText(w, wen); !strings.Contains(got, "isn't needed any more") {
		t.Errorf("the former advocate was not told:\n%s", got)
	}
	w.ClickOn(mo, oldApproval, "Approve & sign")
	w.ClickOn(wen, oldAdvocate, "Sign as advocate")
	if c := w.Contract("c1"); len(c.Signatures) != 3 { // Lee's twice, Wen's once, on version 1
		t.Fatalf("clicks on the cards of version 1 signed: %+v", c.Signatures)
	}
	w.Click(mo, "Approve & sign")
	w.Click(sam, "Sign as advocate")
	c = w.Contract("c1")
	if c.Status != contract.Active || c.Signed != 2 || c.SignedBy(wen, 2) || !c.SignedBy(sam, 2) {
		t.Fatalf("%s signed %d, signatures %+v", c.Status, c.Signed, c.Signatures)
	}
	golden(t, w, "advocate_change")
}

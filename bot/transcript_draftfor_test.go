package bot_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/conversation/contract"
)

// draftFor has Mo draft "Running design reviews" for Lee, up to its
// summary.
func draftFor(w *bottest.World) {
	w.Command(mo, "draft-for <@ULEE|lee>")
	for _, step := range draftSteps {
		if step.click {
			w.Click(mo, step.text)
		} else {
			w.Say(mo, step.text)
		}
	}
}

// draftSteps are the answers and clicks of a draft from its title to its
// check-ins.
var draftSteps = []struct {
	text  string
	click bool
}{
	{"Running design reviews", false},
	{"Run three design reviews using a checklist the team adopts", false},
	{"Skip", true},
	{"Done with goals", true},
	{"Shadow Ana's reviews; read the Design Review Handbook", false},
	{"A write-up of three reviews", false},
	{"Two teammates use the checklist without help", false},
	{"in 8 weeks", false},
	{"Weekly", true},
}

// TestTranscriptDraftFor: Mo drafts a contract for Lee (the approver step
// skipped, Lee seeing nothing of it), sends it; Lee counters with a later
// deadline, Mo signs the counter, and the contract is active, signed by
// both on the counter's version.
func TestTranscriptDraftFor(t *testing.T) {
	w := newWorld(t, "An approver drafts a contract for a learner, who counters")
	draftFor(w)
	if s := w.Session(mo); s.State != "summary" {
		t.Fatalf("after the check-ins Mo is at %q, want the summary (no approver step)", s.State)
	}
	w.Say(lee, "list")
	hidden := lastText(w, lee)
	w.Command(mo, "status")
	w.Say(mo, "help")
	moHelp := lastText(w, mo)
	w.Command(mo, "home")
	moHome := lastText(w, mo)
	w.Command(lee, "home")
	leeHome := lastText(w, lee)
	w.Click(mo, "Send to the learner")
	card := lastText(w, lee)
	w.Say(lee, "status")
	leeStatus := lastText(w, lee)
	w.Command(mo, "list")
	moList := lastText(w, mo)
	w.Command(lee, "home")
	leeHomeSent := lastText(w, lee)
	w.Click(lee, "Edit / counter")
	w.Say(lee, "edit deadline")
	w.Say(lee, "in 10 weeks")
	w.Click(lee, "Send to my manager")
	diff := lastText(w, mo)
	w.Click(mo, "Approve & sign")
	w.Say(lee, "list")
	golden(t, w, "draft_for_counter")

	for _, tc := range []struct{ got, want string }{
		{hidden, "You don't have any contracts yet."},
		{moHelp, "send — send the draft to the person you're drafting it for"},
		{moHelp, "new — start a learning contract of your own"},
		{moHome, "you drafted it for @ULEE · yours to finish and send"},
		{leeHomeSent, "drafted by @UMO for you"},
		{card, "@UMO drafted a learning contract for you (version 1) and signed it as your approver."},
		{card, "Edit / counter"},
		{leeStatus, "drafted by @UMO for you"},
		{moList, "you drafted it for @ULEE"},
		{diff, "What changed since version 1"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("got\n%s\nwant %q", tc.got, tc.want)
		}
	}
	if strings.Contains(leeHome, "Running design reviews") {
		t.Errorf("Lee's home shows the draft before it is sent:\n%s", leeHome)
	}
	c := w.Contract("c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 || !c.SignedBy(lee, 2) || !c.SignedBy(mo, 2) {
		t.Errorf("status %s version %d signed %d signatures %+v, want active 2 2 by both", c.Status, c.Version, c.Signed, c.Signatures)
	}
	if c.Learner != lee || c.Approver != mo || c.DraftedBy != mo {
		t.Errorf("learner %s approver %s drafted by %s", c.Learner, c.Approver, c.DraftedBy)
	}
	if r1, _ := c.Revision(1); r1.ProposedBy != mo {
		t.Errorf("version 1 proposed by %s, want the drafter", r1.ProposedBy)
	}
	if d := contract.Diff(mustRev(t, c, 1).Terms, mustRev(t, c, 2).Terms); len(d) != 1 || d[0].Field != contract.FieldDeadline {
		t.Errorf("the counter changed %+v, want the deadline only", d)
	}
}

func mustRev(t *testing.T, c *contract.Contract, v int) contract.Revision {
	t.Helper()
	r, ok := c.Revision(v)
	if !ok {
		t.Fatalf("no version %d", v)
	}
	return r
}

// TestTranscriptDraftForRefused: draft-for without a mention, with two
// people, for oneself, for the bot, for someone the APPROVERS policy does
// not let the drafter approve, and for someone they are drafting for
// already: each is answered and nothing is started. Then the learner
// declines a draft, with a reason the drafter gets.
func TestTranscriptDraftForRefused(t *testing.T) {
	w := newWorld(t, "draft-for refused, and a drafted contract declined")
	w.Command(mo, "draft-for")
	noMention := lastText(w, mo)
	w.Command(mo, "draft-for <@ULEE|lee> <@USAM|sam>")
	two := lastText(w, mo)
	w.Command(mo, "draft-for <@UMO|mo>")
	self := lastText(w, mo)
	w.Command(mo, "draft-for <@UBOT|learnpact>")
	bot := lastText(w, mo)
	group, err := approverpolicy.Parse("@managers", nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Platform.AddGroup("managers", mo)
	w.Approvers(group)
	w.Logf("   (APPROVERS=@managers: Mo only)\n")
	w.Command(sam, "draft-for <@ULEE|lee>")
	stranger := lastText(w, sam)
	if n := len(w.Contracts()); n != 0 {
		t.Fatalf("refused draft-for commands stored %d contracts", n)
	}
	w.Quietly("Mo drafts a contract for Lee, as a member of @managers", func() { draftFor(w) })
	w.Command(mo, "draft-for <@ULEE|lee>")
	again := lastText(w, mo)
	w.Click(mo, "Open it")
	w.Click(mo, "Send to the learner")
	w.Command(mo, "draft-for <@ULEE|lee>")
	sent := lastText(w, mo)
	w.Click(lee, "Decline")
	w.Click(lee, "Add a reason")
	w.Submit(lee, map[string]string{conversation.FieldReason: "I'd rather start with the on-call rota this quarter."})
	w.Command(mo, "draft-for <@ULEE|lee>")
	golden(t, w, "draft_for_refused")

	for _, tc := range []struct{ got, want string }{
		{noMention, "Mention who you're drafting the contract for, like draft-for @Lee."},
		{two, "A contract has one learner, so mention one person"},
		{self, "To draft a contract of your own, type new"},
		{bot, "That's a bot"},
		{stranger, "Only members of @managers approve learning contracts here, so you can't draft one for @ULEE. Nothing was started."},
		{again, "You already have a contract for @ULEE on the go: Running design reviews"},
		{sent, "You already have a contract for @ULEE on the go: Running design reviews (Waiting for approval, version 1)"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("got\n%s\nwant %q", tc.got, tc.want)
		}
	}
	if n := len(w.Contracts()); n != 2 {
		t.Errorf("%d contracts, want the declined one and the new draft", n)
	}
	c := w.Contract("c1")
	if c.Status != contract.Withdrawn || c.History[len(c.History)-1].Comment == "" {
		t.Errorf("declined: %s, last event %+v", c.Status, c.History[len(c.History)-1])
	}
	if got := lastText(w, mo); !strings.Contains(got, "Let's draft a learning contract for @ULEE") {
		t.Errorf("after the decline Mo may draft for Lee again: %s", got)
	}
}

// TestDraftForEndsInTheSameContract: a contract Lee drafts and Mo approves,
// and the same terms Mo drafts for Lee and Lee accepts, end alike: active,
// both signatures on the version in force, the same terms in the record
// and the PDF, and the same check-ins and reminders planned.
func TestDraftForEndsInTheSameContract(t *testing.T) {
	own := bottest.NewWorld(t, start)
	own.Say(lee, "new")
	for _, step := range draftSteps {
		if step.click {
			own.Click(lee, step.text)
		} else {
			own.Say(lee, step.text)
		}
	}
	own.Say(lee, "<@UMO|mo>")
	own.SkipNotes(lee)
	own.Click(lee, "Send to my manager")
	own.Click(mo, "Approve & sign")
	own.Command(lee, "export")

	drafted := bottest.NewWorld(t, start)
	draftFor(drafted)
	drafted.Click(mo, "Send to the learner")
	drafted.Click(lee, "Accept & sign")
	drafted.Command(lee, "export")

	a, b := own.Contract("c1"), drafted.Contract("c1")
	for _, c := range []*contract.Contract{a, b} {
		if c.Status != contract.Active || c.Signed != 1 || !c.SignedBy(lee, 1) || !c.SignedBy(mo, 1) {
			t.Errorf("drafted by %q: %s, signed v%d, signatures %+v", c.DraftedBy, c.Status, c.Signed, c.Signatures)
		}
	}
	if d := contract.Diff(a.InForce(), b.InForce()); len(d) > 0 {
		t.Errorf("the terms in force differ: %+v", d)
	}
	planned := func(c *contract.Contract) []string {
		var out []string
		for _, d := range c.Plan(start) {
			out = append(out, fmt.Sprintf("%s %s %s", d.Kind, d.User, d.At.Format(time.RFC3339)))
		}
		return out
	}
	if pa, pb := planned(a), planned(b); !slices.Equal(pa, pb) || len(pa) == 0 {
		t.Errorf("planned\n%v\nand\n%v", pa, pb)
	}
	ra, rb := record.Build(a, start), record.Build(b, start)
	if ra.Status != rb.Status || !strings.Contains(spans(rb.Summary), "drafted by UMO") || strings.Contains(spans(ra.Summary), "drafted") {
		t.Errorf("records: %q and %q, summaries %q and %q", ra.Status, rb.Status, spans(ra.Summary), spans(rb.Summary))
	}
	if ha, hb := headings(ra), headings(rb); !slices.Equal(ha, hb) {
		t.Errorf("record sections %q and %q", ha, hb)
	}
	// The terms in force read alike, but for who proposed the criterion.
	if fa, fb := termFields(ra), termFields(rb); !reflect.DeepEqual(fa, fb) || len(fa) < 5 {
		t.Errorf("record terms\n%+v\nand\n%+v", fa, fb)
	}
	fa, fb := lastFile(t, own), lastFile(t, drafted)
	if !bytes.HasPrefix(fa.Data, []byte("%PDF")) || !bytes.HasPrefix(fb.Data, []byte("%PDF")) || fa.Name != fb.Name {
		t.Errorf("PDFs %q (%d bytes) and %q (%d bytes)", fa.Name, len(fa.Data), fb.Name, len(fb.Data))
	}
}

func headings(r record.Record) []string {
	var out []string
	for _, s := range r.Sections {
		out = append(out, s.Heading)
	}
	return out
}

// termFields are the fields of the record's first section, the terms in
// force, but for the success criteria.
func termFields(r record.Record) map[string]string {
	out := map[string]string{}
	for _, b := range r.Sections[0].Blocks {
		if e, ok := b.(record.Entry); ok {
			for _, f := range e.Fields {
				if f.Label != "Success criteria" {
					out[f.Label] = spans(f.Value)
				}
			}
		}
	}
	return out
}

func spans(x message.Text) string {
	var b strings.Builder
	for _, s := range x {
		b.WriteString(s.Text)
	}
	return b.String()
}

// lastFile is the last file w sent to Lee.
func lastFile(t *testing.T, w *bottest.World) *bot.File {
	t.Helper()
	for _, d := range slices.Backward(w.Turn().Deliveries) {
		if d.Kind == bottest.FileSent && d.User == lee && d.File != nil {
			return d.File
		}
	}
	t.Fatal("no file sent to Lee")
	return nil
}

// TestTranscriptDraftForFromTemplate: with templates set up, Mo drafts for
// Lee from the presenting template (the approver step skipped); Lee
// accepts it as it is. The signed contract keeps the template's criteria
// and says where it came from.
func TestTranscriptDraftForFromTemplate(t *testing.T) {
	w := newWorld(t, "An approver drafts a contract for a learner from a template")
	w.Templates(examples(t))
	w.Command(mo, "draft-for <@ULEE|lee>")
	w.Click(mo, "Start from a template")
	w.Choose(mo, "Present with confidence")
	w.Submit(mo, map[string]string{
		contract.FieldTitle: "Present the Q3 update", contract.FieldGoals: "g1", contract.FieldActivities: "a2",
		contract.FieldEvidence: "e1", conversation.FieldOwnCriteria: "The slides fit on five pages",
	})
	w.Click(mo, "Keep as is")
	w.Click(mo, "Keep as is")
	if s := w.Session(mo); s.State != "summary" {
		t.Fatalf("after the check-ins Mo is at %q, want the summary", s.State)
	}
	w.Click(mo, "Send to the learner")
	card := lastText(w, lee)
	w.Click(lee, "Accept & sign")
	golden(t, w, "draft_for_template")

	if !strings.Contains(card, "From template Present with confidence (presenting@1)") {
		t.Errorf("Lee's card does not say where the contract came from:\n%s", card)
	}
	c := w.Contract("c1")
	if c.Status != contract.Active || c.Template != "presenting@1" || c.DraftedBy != mo || !c.SignedBy(lee, 1) || !c.SignedBy(mo, 1) {
		t.Fatalf("contract %s from %q drafted by %q, signatures %+v", c.Status, c.Template, c.DraftedBy, c.Signatures)
	}
	if r, _ := c.Revision(c.Signed); len(r.Terms.FixedCriteria()) != 2 {
		t.Errorf("the signed version's fixed criteria = %q", r.Terms.FixedCriteria())
	}
}

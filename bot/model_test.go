package bot_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// The model-based test runs programs of random steps through the real
// engine: people type, click any button on any card ever shown (old ones
// and other people's included), submit the forms they have open, time
// passes and due items come due, and after every step the world is checked
// against what must always hold (see model.check). A program is a byte
// string, so the same interpreter serves a seeded run in go test and a
// fuzz target whose corpus holds the sequences of known bugs.

// The cast: Lee is the learner, Mo the approver, Wen an advocate when named,
// Pat a colleague in #team, Sam a stranger.
const (
	modelWen  = "UWEN"
	modelPat  = "UPAT"
	modelTeam = "CTEAM"
)

var modelCast = []string{lee, lee, lee, lee, lee, mo, mo, modelWen, modelPat, sam}

// secrets are words only Lee types, as titles or a pause reason: a message
// holding one shows that contract, so only its parties may see it.
var secrets = []string{"Lee's kiwi design reviews", "Lee's otter talks", "Family leave until March"}

// modelWords are what people type in their direct conversation with the
// bot: commands, drafting answers, and words that look like neither.
var modelWords = []string{
	"new", secrets[0], secrets[1], "get better at presenting", "hepl",
	"Run three design reviews using a checklist the team adopts", "A write-up of three reviews",
	"Two teammates use my checklist without help", "in 8 weeks", "<@UMO>", "<@USAM>", "status", "list",
	"help", "back", "skip", "cancel", "resume", "send", "pause", "edit goals", "edit title", "done",
	"Shadow Ana's reviews; read the handbook", "every 10 days", secrets[2], "hi", "stauts",
	"Ran my first review", "Book two more with Ana", "2027-04-30", "2027-05-21",
	"<@UWEN>", "<@UMO> with <@UWEN> as my advocate", "Two hours a week", "none", "edit advocate",
	"draft-for <@ULEE>",
}

// modelLabels name buttons for programs written by hand (see click).
var modelLabels = []string{
	"On track", "Behind", "Blocked", "Snooze a day", "Pause", "Use suggestion", "Keep mine",
	"Approve & sign", "Request changes", "Propose an amendment", "Accept & sign", "Counter", "Decline",
	"Open", "Skip", "Done with goals", "Add another goal", "Start goals over", "Weekly", "Fortnightly",
	"Keep as is", "Send to my manager", "Revise", "Propose a new deadline", "Change the scope",
	"Ask my manager for help", "Resume", "Sign as advocate", "Comment", "Send to the learner", "Edit / counter",
}

// modelForms are what people enter in a form they have open.
var modelForms = []map[string]string{
	{conversation.FieldComments: "Please add a demo to the team"},
	{contract.FieldDeadline: "2027-05-14"},
	{contract.FieldEvidence: "A demo to the team", conversation.FieldComment: "A demo says more"},
	{},
	{contract.FieldTitle: "Design reviews, shorter"},
}

// Step kinds: the first byte of each step.
const (
	opSay = iota
	opClick
	opClickAny // a card someone else saw: forwarded, or a crafted click
	opSubmit
	opWait
	opMention // Lee or Pat says @learnpact status in #team
	opDigest
	opAdvocate // Wen is named advocate of Lee's newest draft
	opCount
)

// card is a message as someone saw it, kept after it changed.
type card struct {
	seen  string // who saw it: a person, or a channel's members
	p     bottest.Posted
	typed string // the text whose answer it was (a goal's suggestion)
	// checkIns is how many check-ins its contract had when it was shown.
	checkIns map[string]int
}

// model is a world with everything shown in it and what was typed.
type model struct {
	t      testing.TB
	w      *bottest.World
	cards  []card
	corpus strings.Builder   // everything typed, submitted or chosen
	typed  map[string]string // what each person typed
	steps  []string          // what happened, for a failure's report
	fails  []string
}

func newModel(t testing.TB) *model {
	w := bottest.NewWorld(t, start)
	w.AddChannel(modelTeam, lee, mo, modelPat)
	return &model{t: t, w: w, typed: map[string]string{}}
}

// run interprets a program step by step, checking after each one.
func (m *model) run(prog []byte) {
	defer func() {
		if testing.Verbose() {
			m.t.Logf("steps:\n  %s", strings.Join(m.steps, "\n  "))
		}
	}()
	for i := 0; i+4 <= len(prog) && len(m.fails) == 0; i += 4 {
		m.step(prog[i], prog[i+1], prog[i+2], prog[i+3])
	}
	if len(m.fails) > 0 {
		m.t.Fatalf("after these steps:\n  %s\n%s", strings.Join(m.steps, "\n  "), strings.Join(m.fails, "\n"))
	}
}

func (m *model) step(op, a, b, c byte) {
	actor := modelCast[int(a)%len(modelCast)]
	before := m.snapshot()
	var in *conversation.Input
	var clicked *card
	var button message.Button
	switch op % opCount {
	case opSay:
		text := modelWords[int(b)%len(modelWords)]
		m.log("%s types %q", actor, text)
		m.corpus.WriteString(text + "\n")
		m.typed[actor] += text + "\n"
		m.w.Say(actor, text)
		in = &conversation.Input{Kind: conversation.TextInput, User: actor, Text: text}
	case opClick, opClickAny:
		k, bt, ok := m.pick(actor, op%opCount == opClickAny, b, c)
		if !ok {
			return
		}
		clicked, button = k, bt
		m.log("%s clicks [%s] on a card %s saw (%s)", actor, bt.Label, k.seen, k.p.Message.Summary)
		if bt.ActionID == string(conversation.ActionUseSuggestion) {
			m.corpus.WriteString(messagetest.Text(k.p.Message) + "\n")
		}
		m.w.ClickOn(actor, k.p, bt.Label)
		in = &conversation.Input{Kind: conversation.ActionInput, User: actor, ActionID: bt.ActionID, Value: bt.Value}
	case opSubmit:
		modal, ok := m.w.Platform.OpenForm(actor)
		if !ok {
			return
		}
		form := modelForms[int(b)%len(modelForms)]
		m.log("%s submits %q with %v", actor, modal.Title, form)
		for _, blk := range modal.Blocks {
			if x, ok := blk.(message.Input); ok {
				m.corpus.WriteString(x.Initial + "\n")
			}
		}
		for _, v := range form {
			m.corpus.WriteString(v + "\n")
		}
		m.w.Submit(actor, form)
		in = &conversation.Input{Kind: conversation.SubmitInput, User: actor}
	case opWait:
		d := time.Duration(int(b)%72+1) * time.Hour
		if c%2 == 1 {
			d = time.Duration(int(b)%8+1) * 24 * time.Hour
		}
		m.log("%s pass", d)
		m.w.Advance(d)
		m.due()
		return
	case opMention:
		who := lee
		if b%3 == 0 {
			who = modelPat
		}
		m.log("%s says in #team: @learnpact status", who)
		m.w.Mention(who, modelTeam, "status")
		in = &conversation.Input{Kind: conversation.TextInput, User: who, Text: "status"}
	case opDigest:
		m.log("Mo's digest comes due")
		m.w.DigestDue(mo)
	case opAdvocate:
		m.nameAdvocate()
		return
	}
	after := m.snapshot()
	m.seen(after)
	m.check(before, after, in, clicked, button)
}

// pick chooses a card with buttons and one of its buttons. b counts back
// from the newest card; c names a button (modelLabels) when a card has one
// so labelled, else picks among the card's buttons. Without any, only
// cards actor saw count.
func (m *model) pick(actor string, any bool, b, c byte) (*card, message.Button, bool) {
	want := ""
	if int(c) < len(modelLabels) {
		want = modelLabels[c]
	}
	var cands, labelled []int
	for i := len(m.cards) - 1; i >= 0; i-- {
		k := m.cards[i]
		if !any && !m.sees(actor, k.seen) {
			continue
		}
		bs := messagetest.Buttons(k.p.Message)
		if len(bs) == 0 {
			continue
		}
		cands = append(cands, i)
		if slices.ContainsFunc(bs, func(x message.Button) bool { return x.Label == want }) {
			labelled = append(labelled, i)
		}
	}
	if len(labelled) > 0 {
		k := &m.cards[labelled[int(b)%len(labelled)]]
		for _, x := range messagetest.Buttons(k.p.Message) {
			if x.Label == want {
				return k, x, true
			}
		}
	}
	if len(cands) == 0 {
		return nil, message.Button{}, false
	}
	k := &m.cards[cands[int(b)%len(cands)]]
	bs := messagetest.Buttons(k.p.Message)
	return k, bs[int(c)%len(bs)], true
}

// sees reports whether user sees what was shown to seen: their own
// conversation, or a channel they are in.
func (m *model) sees(user, seen string) bool {
	return user == seen || seen == modelTeam && slices.Contains([]string{lee, mo, modelPat}, user)
}

// audience is everyone who sees what was shown to seen.
func audience(seen string) []string {
	if seen == modelTeam {
		return []string{lee, mo, modelPat}
	}
	return []string{seen}
}

// due delivers every item the contracts plan for now, as the scheduler
// does.
func (m *model) due() {
	for _, c := range m.w.Contracts() {
		for _, d := range c.Plan(m.w.Now()) {
			if d.At.After(m.w.Now()) {
				continue
			}
			before := m.snapshot()
			m.log("%s comes due for %s", d.Kind, d.User)
			m.w.DeliverDue(d.User, c.ID, d.Kind)
			after := m.snapshot()
			m.seen(after)
			m.check(before, after, nil, nil, message.Button{})
		}
	}
}

// nameAdvocate names Wen advocate of Lee's newest draft, as an admin would.
func (m *model) nameAdvocate() {
	cs := m.w.Contracts()
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if c.Learner == lee && c.Status == contract.Draft && c.Advocate == "" {
			m.log("Wen is named advocate of %s", c.ID)
			c.Advocate = modelWen
			m.w.Store(c)
			return
		}
	}
}

// seen keeps what the latest turn showed: every card, as it was, with the
// contracts after the turn.
func (m *model) seen(after map[string]*contract.Contract) {
	counts := map[string]int{}
	for id, c := range after {
		counts[id] = len(c.CheckIns)
	}
	for _, d := range m.w.Turn().Deliveries {
		if d.Kind == bottest.Form {
			continue
		}
		k := card{seen: d.User, checkIns: counts,
			p: bottest.Posted{Ref: d.Ref, Channel: d.Channel, Thread: d.Thread, Message: d.Message}}
		if d.User == "" {
			k.seen = d.Channel
		}
		if d.Kind == bottest.Ephemeral {
			k.p.Only = d.User
		}
		if hasButton(d.Message, conversation.ActionKeepMine) {
			k.typed = m.coached(d.User)
		}
		m.cards = append(m.cards, k)
	}
}

// coached is the goal a suggestion card shown to user answers: the one
// waiting for a choice when it was shown.
func (m *model) coached(user string) string {
	if p := m.w.Session(user).Pending; p != nil {
		return p.Original
	}
	return ""
}

func hasButton(msg message.Message, id conversation.ActionID) bool {
	return slices.ContainsFunc(messagetest.Buttons(msg), func(b message.Button) bool { return b.ActionID == string(id) })
}

func (m *model) log(format string, args ...any) {
	m.steps = append(m.steps, fmt.Sprintf(format, args...))
}

func (m *model) failf(format string, args ...any) {
	m.fails = append(m.fails, fmt.Sprintf(format, args...))
}

// snapshot is every contract, by id.
func (m *model) snapshot() map[string]*contract.Contract {
	out := map[string]*contract.Contract{}
	for _, c := range m.w.Contracts() {
		out[c.ID] = c
	}
	return out
}

// decisions are the buttons that decide on the version they show.
var decisions = map[string]bool{
	string(conversation.ActionApprove): true, string(conversation.ActionAccept): true,
	string(conversation.ActionCounter): true, string(conversation.ActionDecline): true,
}

// check holds the world (the contracts before and after the turn) to what
// must always be true after a turn that in started (nil for a due item);
// clicked and button are the card and the button of a click.
func (m *model) check(before, after map[string]*contract.Contract, in *conversation.Input, clicked *card, button message.Button) {
	for id, c := range after {
		was := before[id]
		m.checkSignatures(c)
		m.checkTerms(c)
		if in == nil {
			continue
		}
		if ownChange(was, c) && !partyOf(was, c, in.User) {
			m.failf("%s changed contract %s, of which they are not a party", in.User, id)
		}
		if in.Kind == conversation.TextInput && was != nil {
			m.checkTyped(was, c, in.Text)
		}
		if clicked == nil || was == nil {
			continue
		}
		v, _ := conversation.ParseActionValue(button.Value)
		if decisions[button.ActionID] && ownChange(was, c) && v.ContractID == id && v.Version != was.Version {
			m.failf("[%s] on a card of version %d changed version %d of %s", button.Label, v.Version, was.Version, id)
		}
		m.checkCheckIns(was, c, clicked, button)
		m.checkGoals(was, c, clicked, button)
	}
	m.checkViews(after)
}

// checkSignatures: at most one signature per party per version, and only
// by parties.
func (m *model) checkSignatures(c *contract.Contract) {
	seen := map[string]bool{}
	for _, s := range c.Signatures {
		key := fmt.Sprintf("%s@%d", s.By, s.Version)
		if seen[key] {
			m.failf("%s signed version %d of %s twice", s.By, s.Version, c.ID)
		}
		seen[key] = true
		if !slices.Contains(c.Parties(), s.By) {
			m.failf("%s, not a party, signed %s", s.By, c.ID)
		}
	}
}

// checkTerms: every word in the terms was typed, submitted in a form, or is
// a suggestion on a card its learner chose: nothing is made up or taken
// from another card.
func (m *model) checkTerms(c *contract.Contract) {
	corpus := m.corpus.String()
	var parts []string
	for _, tm := range []contract.Terms{c.Terms, c.InForce()} {
		parts = append(parts, tm.Title)
		for _, g := range tm.Goals {
			parts = append(parts, g.Text, g.Mastery)
		}
		parts = append(parts, tm.Activities...)
		parts = append(parts, tm.Evidence...)
		for _, cr := range tm.Criteria {
			parts = append(parts, cr.Text)
		}
	}
	for _, p := range parts {
		if p != "" && !strings.Contains(corpus, p) {
			m.failf("contract %s holds %q, which nobody typed or chose", c.ID, p)
		}
	}
}

// checkTyped: typed text changes at most one part of the terms, and what
// it writes there is what was typed: nothing else is lost or changed.
func (m *model) checkTyped(was, c *contract.Contract, typed string) {
	changed := contract.Diff(was.Terms, c.Terms)
	fields := map[string]bool{}
	for _, ch := range changed {
		fields[ch.Field] = true
	}
	if len(fields) > 1 {
		m.failf("typing %q changed %d parts of %s: %+v", typed, len(fields), c.ID, changed)
	}
	written := map[string][]string{
		contract.FieldTitle: {c.Terms.Title}, contract.FieldActivities: c.Terms.Activities,
		contract.FieldEvidence: c.Terms.Evidence,
	}
	for i, g := range c.Terms.Goals {
		var o contract.Goal
		if i < len(was.Terms.Goals) {
			o = was.Terms.Goals[i]
		}
		if g.Text != o.Text {
			written[contract.FieldGoals] = append(written[contract.FieldGoals], g.Text)
		}
		if g.Mastery != o.Mastery {
			written[contract.FieldGoals] = append(written[contract.FieldGoals], g.Mastery)
		}
	}
	for f := range fields {
		for _, s := range written[f] {
			if s != "" && !strings.Contains(typed, s) {
				m.failf("typing %q wrote %q in the %s of %s", typed, s, f, c.ID)
			}
		}
	}
}

// checkCheckIns: a check-in comes only from a check-in card asked since the
// latest one, and one click adds one check-in; so the latest check-in is
// the answer to the latest prompt answered.
func (m *model) checkCheckIns(was, c *contract.Contract, clicked *card, button message.Button) {
	added := len(c.CheckIns) - len(was.CheckIns)
	switch {
	case added == 0:
	case added > 1:
		m.failf("one click added %d check-ins to %s", added, c.ID)
	case clicked.checkIns == nil:
		m.failf("a check-in from a card that asked none")
	case clicked.checkIns[c.ID] != len(was.CheckIns):
		m.failf("[%s] on a check-in card shown after %d check-ins was recorded after %d: an old prompt answered over a newer answer",
			button.Label, clicked.checkIns[c.ID], len(was.CheckIns))
	}
}

// checkGoals: a goal added from a suggestion card is the suggestion that
// card showed, or the goal typed for it.
func (m *model) checkGoals(was, c *contract.Contract, clicked *card, button message.Button) {
	if len(c.Terms.Goals) != len(was.Terms.Goals)+1 {
		return
	}
	goal := c.Terms.Goals[len(c.Terms.Goals)-1].Text
	switch button.ActionID {
	case string(conversation.ActionUseSuggestion):
		if !strings.Contains(messagetest.Text(clicked.p.Message), goal) {
			m.failf("Use suggestion on a card that did not show it saved %q", goal)
		}
	case string(conversation.ActionKeepMine):
		if goal != clicked.typed {
			m.failf("Keep mine on the card for %q saved %q", clicked.typed, goal)
		}
	}
}

// checkViews: what the latest turn showed about a contract (a secret only
// its learner typed) was shown only to its parties.
func (m *model) checkViews(after map[string]*contract.Contract) {
	for _, d := range m.w.Turn().Deliveries {
		if d.Kind == bottest.Form {
			continue
		}
		seen := d.User
		if seen == "" {
			seen = d.Channel
		}
		text := messagetest.Text(d.Message)
		for _, s := range secrets {
			if !strings.Contains(text, s) {
				continue
			}
			for _, u := range audience(seen) {
				if !m.mayKnow(after, u, s) {
					m.failf("%s was shown %q, of a contract they are not a party of (%s)", u, s, d.Message.Summary)
				}
			}
		}
	}
}

// mayKnow reports whether user typed secret, or is a party of a contract
// holding it that they may see (a learner sees nothing of a contract
// drafted for them before it is sent).
func (m *model) mayKnow(cs map[string]*contract.Contract, user, secret string) bool {
	if strings.Contains(m.typed[user], secret) {
		return true
	}
	for _, c := range cs {
		data, _ := json.Marshal(c)
		if strings.Contains(string(data), secret) && slices.Contains(c.Parties(), user) && !c.HiddenFrom(user) {
			return true
		}
	}
	return false
}

// ownChange reports whether what belongs to the parties changed: terms,
// versions, status, signatures, check-ins, who the parties are.
func ownChange(was, c *contract.Contract) bool {
	own := func(c *contract.Contract) string {
		if c == nil {
			return ""
		}
		b, _ := json.Marshal([]any{c.Terms, c.Version, c.Signed, c.Status, c.Signatures, c.CheckIns, c.Revisions,
			c.Learner, c.Approver, c.Advocate, c.PauseReason})
		return string(b)
	}
	return own(was) != own(c)
}

// partyOf reports whether user is a party of the contract as it was (or,
// when new, its learner or whoever drafts it for them).
func partyOf(was, c *contract.Contract, user string) bool {
	if was == nil {
		return c.Learner == user || c.DraftedBy != "" && c.DraftedBy == user
	}
	return slices.Contains(was.Parties(), user)
}

// randomProgram is a program of n steps from r, starting (by chance) from
// one of the seeds so that random steps also reach active contracts.
func randomProgram(r *rand.Rand, n int) []byte {
	var prog []byte
	seeds := modelSeeds()
	if r.IntN(3) > 0 {
		s := seeds[r.IntN(len(seeds))]
		prog = append(prog, s[:4*r.IntN(len(s)/4+1)]...)
	}
	for range n {
		op := byte(r.IntN(opCount))
		if r.IntN(4) > 0 { // mostly typing and clicking
			op = []byte{opSay, opClick, opClick, opClickAny}[r.IntN(4)]
		}
		prog = append(prog, op, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)))
	}
	return prog
}

var modelBudget = flag.Duration("model.budget", 3*time.Second, "how long TestModel runs random programs")

// modelSeed seeds TestModel's programs: program i is the same on every run.
const modelSeed = 2026

// TestModel runs the seeds, then seeded random programs of 100 steps
// through the engine for a fixed time (-model.budget, at most 500
// programs), checking the invariants after every step.
func TestModel(t *testing.T) {
	for i, s := range modelSeeds() {
		t.Run(fmt.Sprint("seed", i), func(t *testing.T) { newModel(t).run(s) })
	}
	r := rand.New(rand.NewPCG(modelSeed, 1))
	end := time.Now().Add(*modelBudget)
	n := 0
	for ; n < 500 && time.Now().Before(end); n++ {
		prog := randomProgram(r, 100)
		t.Run(fmt.Sprint(n), func(t *testing.T) { newModel(t).run(prog) })
	}
	t.Logf("%d random programs of 100 steps (seed %d)", n, modelSeed)
}

// FuzzModel runs programs from the fuzzer; the corpus starts with the
// sequences of the bugs the invariants guard against.
func FuzzModel(f *testing.F) {
	for _, s := range modelSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 4*200 {
			prog = prog[:4*200]
		}
		newModel(t).run(prog)
	})
}

// program writes programs by hand.
type program []byte

func wordIndex(text string) byte {
	i := slices.Index(modelWords, text)
	if i < 0 {
		panic("no word " + text)
	}
	return byte(i)
}

func labelIndex(label string) byte {
	i := slices.Index(modelLabels, label)
	if i < 0 {
		panic("no label " + label)
	}
	return byte(i)
}

func castIndex(user string) byte { return byte(slices.Index(modelCast, user)) }

func (p program) say(user string, words ...string) program {
	for _, w := range words {
		p = append(p, opSay, castIndex(user), wordIndex(w), 0)
	}
	return p
}

// click presses label on the back-th newest card user saw with it.
func (p program) click(user, label string, back int) program {
	return append(p, opClick, castIndex(user), byte(back), labelIndex(label))
}

// clickAny presses label on the back-th newest card anyone saw with it.
func (p program) clickAny(user, label string, back int) program {
	return append(p, opClickAny, castIndex(user), byte(back), labelIndex(label))
}

func (p program) submit(user string, form int) program {
	return append(p, opSubmit, castIndex(user), byte(form), 0)
}

func (p program) days(n int) program { return append(p, opWait, 0, byte(n-1), 1) }

func (p program) mention(user string) program {
	b := byte(1)
	if user == modelPat {
		b = 0
	}
	return append(p, opMention, 0, b, 0)
}

// drafted has Lee write a contract up to its summary.
func drafted() program {
	return program{}.say(lee, "new", secrets[0], "Run three design reviews using a checklist the team adopts").
		click(lee, "Skip", 0).click(lee, "Done with goals", 0).
		say(lee, "Shadow Ana's reviews; read the handbook", "A write-up of three reviews",
			"Two teammates use my checklist without help", "in 8 weeks").
		click(lee, "Weekly", 0).say(lee, "<@UMO>").click(lee, "Skip", 0).click(lee, "Skip", 0).click(lee, "Skip", 0)
}

// advocated has Lee write a contract naming Mo to approve and Wen as
// advocate in one message, and send it.
func advocated() program {
	return program{}.say(lee, "new", secrets[0], "Run three design reviews using a checklist the team adopts").
		click(lee, "Skip", 0).click(lee, "Done with goals", 0).
		say(lee, "Shadow Ana's reviews; read the handbook", "A write-up of three reviews",
			"Two teammates use my checklist without help", "in 8 weeks").
		click(lee, "Weekly", 0).say(lee, "<@UMO> with <@UWEN> as my advocate", "Two hours a week").click(lee, "Skip", 0).
		click(lee, "Send to my manager", 0)
}

// active has Mo approve Lee's contract.
func active() program {
	return drafted().click(lee, "Send to my manager", 0).click(mo, "Approve & sign", 0)
}

// modelSeeds are the sequences of known bugs, and starting points.
func modelSeeds() [][]byte {
	return [][]byte{
		// The advocate's buttons: a stranger's click on them, a comment,
		// a signature on an old version after a change request, the
		// last signature.
		advocated().clickAny(sam, "Sign as advocate", 0).clickAny(mo, "Sign as advocate", 0).
			click(modelWen, "Comment", 0).submit(modelWen, 2).click(mo, "Approve & sign", 0).
			click(modelWen, "Sign as advocate", 0).mention(lee),
		advocated().click(mo, "Request changes", 0).submit(mo, 0).click(modelWen, "Sign as advocate", 0).
			click(lee, "Revise", 0).say(lee, "send").click(modelWen, "Sign as advocate", 1).
			click(modelWen, "Sign as advocate", 0).click(mo, "Approve & sign", 0),
		// An old suggestion card applied the newest suggestion.
		program{}.say(lee, "new", secrets[1], "get better at presenting", "hepl").click(lee, "Use suggestion", 1),
		// An old check-in card took a second, contradictory answer.
		active().days(7).days(7).click(lee, "Blocked", 0).say(lee, "Ran my first review", "skip").
			click(lee, "On track", 1).say(lee, "status"),
		// lp_open showed a contract to anyone with its id; status in a
		// channel was posted there.
		drafted().say(lee, "list").clickAny(sam, "Open", 0).mention(lee),
		active().say(lee, "pause", secrets[2]).mention(lee),
		// Accept on an old amendment card signed the newest version.
		drafted().click(lee, "Send to my manager", 0).click(mo, "Propose an amendment", 0).submit(mo, 1).
			click(lee, "Counter", 0).click(lee, "Send to my manager", 0).click(mo, "Propose an amendment", 0).
			submit(mo, 2).click(lee, "Accept & sign", 1),
		// Decline on an old renegotiation card declined the newest.
		active().say(lee, "edit goals").click(lee, "Propose a new deadline", 0).say(lee, "2027-04-30").
			click(mo, "Decline", 0).say(lee, "edit goals").click(lee, "Propose a new deadline", 0).
			say(lee, "2027-05-21").click(mo, "Decline", 1),
		// Mo drafts for Lee: Lee sees nothing of it until it is sent,
		// and cannot send it; then counters it, and Mo signs.
		program{}.say(mo, "draft-for <@ULEE>", secrets[0], "Run three design reviews using a checklist the team adopts").
			click(mo, "Skip", 0).click(mo, "Done with goals", 0).
			say(mo, "Shadow Ana's reviews; read the handbook", "A write-up of three reviews",
				"Two teammates use my checklist without help", "in 8 weeks").click(mo, "Weekly", 0).
			say(lee, "list", "status", "resume", "send").clickAny(lee, "Send to the learner", 0).
			click(mo, "Send to the learner", 0).click(lee, "Edit / counter", 0).say(lee, "edit title", secrets[1]).
			click(lee, "Send to my manager", 0).click(mo, "Approve & sign", 0),
	}
}

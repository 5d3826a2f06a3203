package conversation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Step runs one turn of the dialog: it reads the session, the contract the
// input refers to (nil when none) and the input, and returns the new session,
// the contract to save and the effects to carry out. It is pure: the clock
// and ids come from env, and the contract passed in is never changed.
func Step(env Env, s Session, c *contract.Contract, in Input) Result {
	t := newTurn(env, s, c, in)
	switch in.Kind {
	case TextInput:
		t.onText(in.Text, false)
	case CommandInput:
		t.onText(in.Text, true)
	case ActionInput:
		t.onAction()
	case SubmitInput:
		t.onSubmit()
	case DueInput:
		t.onDue()
	case DeliveredInput:
		t.onDelivered()
	case PostedInput:
		t.onPosted()
	case ThreadInput:
		t.onThread()
	case JoinInput:
		t.onJoin()
	case HomeInput:
		t.onHome()
	}
	return t.result()
}

// NeedsList reports whether the turn needs the actor's contracts in Env:
// for "list", for "help" (which says what an approver can do), for a
// digest (IsDigest), for the home (HomeInput), and for "status" when the
// dialog holds no contract (one drafted for the actor may wait for them).
func NeedsList(s Session, in Input) bool {
	c, _, ok := typedCommand(in)
	return IsDigest(in) || in.Kind == HomeInput || ok && (c.needsList || c.name == "status" && s.ContractID == "")
}

// turn is the working state of one Step.
type turn struct {
	env   Env
	in    Input
	s     Session
	c     *contract.Contract // a copy of the loaded contract, or a new draft
	dirty bool               // c must be saved
	out   []Effect
	// typo is the word the last turn asked about ("did you mean …?"):
	// typed again, it is an answer.
	typo string
}

func newTurn(env Env, s Session, c *contract.Contract, in Input) *turn {
	if env.Location == nil {
		env.Location = time.UTC
	}
	s.Back = slices.Clone(s.Back)
	if s.Pending != nil {
		p := *s.Pending
		s.Pending = &p
	}
	if s.Reflection != nil {
		r := *s.Reflection
		s.Reflection = &r
	}
	if s.Aside != nil {
		a := *s.Aside
		a.Back = slices.Clone(a.Back)
		s.Aside = &a
	}
	if s.User == "" {
		s.User = in.User
	}
	env.Contracts = visible(env.Contracts, in.User)
	t := &turn{env: env, in: in, s: s, c: c.Clone(), typo: s.Typo}
	t.s.Typo = ""
	t.heal()
	return t
}

// heal makes a session that no longer matches its contract consistent: a
// deleted contract, a draft that was sent meanwhile, an unknown state.
func (t *turn) heal() {
	s := &t.s
	if ContractOf(t.in) == "" && s.ContractID != "" && (t.c == nil || t.c.ID != s.ContractID) {
		// The session's contract was asked for and is gone.
		*s = Session{User: s.User, UpdatedAt: s.UpdatedAt}
		return
	}
	_, asking := followUpOf(s.State)
	if (!drafting(s.State) && !asking || s.ContractID == "") && s.State != StateIdle {
		t.idle()
	}
	if f, ok := followUpOf(s.State); ok {
		if c := t.sessionContract(); c != nil && (c.Learner != s.User || !slices.Contains(f.statuses, c.Status)) {
			t.endFollowUp()
		}
	}
	if drafting(s.State) && t.sessionContract() != nil && t.draft() == nil {
		t.idle()
	}
	if s.State == StateGoalCoach && s.Pending == nil {
		s.State = StateGoal
	}
	if s.State != StateGoalCoach && s.State != StateStopped {
		s.Pending = nil
	}
	if s.State != StateTemplateForm {
		s.Template = ""
	}
	if _, ok := listPartOf(s.State); !ok {
		s.EditItem = 0
	}
	if c := t.draft(); c != nil && s.State == StateMastery && len(c.Terms.Goals) == 0 {
		s.State = StateGoal
	}
}

// idle ends the drafting dialog, keeping the current contract.
func (t *turn) idle() {
	t.s.State, t.s.Back, t.s.Pending, t.s.Editing = StateIdle, nil, nil, false
	t.s.Item, t.s.Reflection, t.s.Date, t.s.EditItem = 0, nil, "", 0
}

func (t *turn) result() Result {
	if _, ok := followUpOf(t.s.State); !ok {
		t.s.Aside = nil
	}
	r := Result{Session: t.s, Effects: t.out}
	if t.dirty {
		r.Contract = t.c
	}
	return r
}

// sessionContract is the loaded contract when it is the session's current
// one.
func (t *turn) sessionContract() *contract.Contract {
	if t.c != nil && t.s.ContractID != "" && t.c.ID == t.s.ContractID {
		return t.c
	}
	return nil
}

// draft is the session's contract when the actor may still edit it: its
// learner, or whoever is drafting it for them.
func (t *turn) draft() *contract.Contract {
	c := t.sessionContract()
	if c == nil || c.Drafter() != t.in.User || t.in.User == "" || !editable(c.Status) {
		return nil
	}
	return c
}

// inDraft reports whether a drafting dialog is under way (stopped included).
func (t *turn) inDraft() bool { return t.draft() != nil && drafting(t.s.State) }

// awaitsText reports whether typed text would answer a question now.
func (t *turn) awaitsText() bool {
	return t.inFollowUp() || t.inDraft() && t.s.State != StateStopped && t.s.State != StateSummary && t.s.State != StateGoals
}

// inFollowUp reports whether a follow-up question about the session's
// contract is waiting for an answer.
func (t *turn) inFollowUp() bool {
	_, ok := followUpOf(t.s.State)
	return ok && t.sessionContract() != nil
}

func (t *turn) reply(m message.Message)     { t.out = append(t.out, Reply{Message: m}) }
func (t *turn) ephemeral(m message.Message) { t.out = append(t.out, Ephemeral{Message: m}) }
func (t *turn) send(user string, m message.Message) {
	if user != "" {
		t.out = append(t.out, Send{User: user, Message: m})
	}
}
func (t *turn) update(ref MessageRef, m message.Message) {
	t.out = append(t.out, Update{Ref: ref, Message: m})
}

// say replies with one short paragraph.
func (t *turn) say(summary string, parts ...any) { t.reply(note(summary, parts...)) }

// onText handles typed text and slash commands: commands first (see
// commands), then the answer to the current step.
func (t *turn) onText(text string, command bool) {
	if len(t.in.Files) > 0 && !command {
		t.onFiles()
		return
	}
	if c, args, ok := typedCommand(t.in); ok && (c.accepts == nil || c.accepts(t)) {
		c.run(t, args)
		return
	}
	cmd := normalize(text)
	name, typo := t.suggestion(cmd)
	switch {
	case greetings[cmd]:
		t.greet()
	case command:
		t.reply(unknownCommand(name))
	case typo && cmd != t.typo:
		t.s.Typo = cmd
		t.reply(didYouMeanMsg(name, strings.TrimSpace(text), t.awaitsText()))
	default:
		t.answer(strings.TrimSpace(text))
	}
}

var greetings = map[string]bool{"hi": true, "hello": true, "hey": true, "hiya": true, "hi there": true, "hello there": true}

// help says what can be typed here, for the actor's roles and where they
// are, and how check-ins work when the learner's contract is under way.
func (t *turn) help() { t.reply(t.helpMsg()) }

func (t *turn) helpMsg() message.Message {
	doing := ""
	if t.inDraft() || t.inFollowUp() {
		doing = t.doing()
	}
	var kept *contract.Contract
	if c := t.sessionContract(); c != nil && c.Learner == t.in.User && alive(c.Status) {
		kept = c
	}
	return helpMsg(t.helpLines(), t.roles(), doing, kept)
}

// doing describes the current step for help and status.
func (t *turn) doing() string {
	switch t.s.State {
	case StateSummary:
		return "checking your contract before sending it"
	case StateStopped:
		return "taking a break from your draft (type resume to carry on)"
	case StateGoalCoach:
		return "choosing between your goal and a suggestion"
	case StateMastery:
		return "saying how you'll show you've mastered a goal"
	}
	if d := templateDoing(t.s.State); d != "" {
		return d
	}
	if lp, n, ok := t.editingItem(); ok {
		return fmt.Sprintf("changing %s %d", strings.ToLower(lp.noun), n)
	}
	if f, ok := followUpOf(t.s.State); ok {
		return f.doing
	}
	if p, ok := partOf(t.s.State); ok {
		return p.doing
	}
	return ""
}

// start begins a new draft, or asks first when one is under way.
func (t *turn) start() {
	if t.inDraft() {
		t.reply(confirmNewMsg(t.c))
		return
	}
	t.startNew()
}

// greet starts a draft, or welcomes the learner back to theirs.
func (t *turn) greet() {
	switch {
	case t.inFollowUp():
		t.reply(t.followUpPrompt(message.T("👋 Hi!")))
	case t.inDraft() && t.s.State == StateStopped:
		t.say("Welcome back", "👋 Welcome back! Your draft is waiting: type ", message.Code("resume"), " to carry on, or ", message.Code("new"), " to start another.")
	case t.inDraft():
		t.reprompt(message.T("👋 Welcome back! Here's where we were."))
	default:
		t.startNew()
	}
}

// startNew creates a draft and asks for its title.
func (t *turn) startNew() {
	if t.in.User == "" {
		t.help()
		return
	}
	t.newDraft()
	if t.offersTemplates() {
		t.s.State = StateStart
		t.reply(t.prompt(nil))
		return
	}
	t.reply(welcomeMsg(t.in.User))
}

// newDraft creates a draft and makes it the session's, at its title.
func (t *turn) newDraft() {
	id := ""
	if t.env.NewID != nil {
		id = t.env.NewID()
	}
	if id == "" {
		id = "c" + t.env.Now.UTC().Format("20060102150405.000000000")
	}
	t.c = contract.New(id, t.env.Platform, t.env.Team, t.in.User, t.env.Now)
	t.dirty = true
	t.s = Session{User: t.s.User, State: StateTitle, ContractID: id, UpdatedAt: t.s.UpdatedAt}
}

// answer takes typed text as the answer to the current step.
func (t *turn) answer(text string) {
	if t.inFollowUp() {
		t.followUpAnswer(text)
		return
	}
	if !t.inDraft() {
		t.reply(idleMsg(t.sessionContract(), t.in.User))
		return
	}
	if text == "" {
		t.reprompt(message.T("I didn't catch that."))
		return
	}
	if _, _, ok := t.editingItem(); ok {
		t.setItem(text)
		return
	}
	switch t.s.State {
	case StateStopped:
		t.say("Your draft is paused", "Your draft is paused. Type ", message.Code("resume"), " to carry on where you left off, or ", message.Code("help"), " to see what else you can do.")
	case StateTitle, StateStart:
		t.setTitle(text)
	case StatePickTemplate:
		t.pickTyped(text)
	case StateTemplateForm:
		t.reprompt(message.T("Fill in the form to carry on, or press ", message.Bold("Start blank"), "."))
	case StateGoal, StateGoalCoach:
		t.addGoal(text)
	case StateMastery:
		t.setMastery(text)
	case StateGoals:
		t.goalsText(text)
	case StateActivities:
		t.setActivities(text)
	case StateEvidence:
		t.setEvidence(text)
	case StateCriteria:
		t.setCriteria(text)
	case StateDeadline:
		t.setDeadline(text)
	case StateCadence:
		t.setCadence(text)
	case StateApprover:
		t.namePeople(text, StateApprover)
	case StateAdvocate:
		t.namePeople(text, StateAdvocate)
	case StateSupport:
		t.setNote(text, func(tm *contract.Terms, s string) { tm.Support = s })
	case StateEthics:
		t.setNote(text, func(tm *contract.Terms, s string) { tm.Ethics = s })
	case StateSummary:
		t.reply(summaryHintMsg())
	}
}

// reprompt shows the current step again, after a short lead.
func (t *turn) reprompt(lead message.Text) {
	if t.s.State == StateStopped {
		t.greet()
		return
	}
	t.reply(t.prompt(lead))
}

// enter moves to a state and asks its question.
func (t *turn) enter(st State, lead message.Text) {
	if st == StateGoals && len(t.c.Terms.Goals) == 0 {
		st = StateGoal
	}
	if st == StateGoalCoach && t.s.Pending == nil {
		st = StateGoal
	}
	if st != StateGoalCoach {
		t.s.Pending = nil
	}
	t.s.State, t.s.EditItem = st, 0
	t.reply(t.prompt(lead))
}

// advance finishes the current part: back to where an edit started, or on
// to the next part.
func (t *turn) advance(lead message.Text) {
	if t.s.Editing {
		t.s.Editing = false
		if st, ok := t.pop(); ok {
			t.enter(st, lead)
			return
		}
		t.enter(StateSummary, lead)
		return
	}
	cur, ok := partOf(t.s.State)
	if !ok {
		t.enter(StateSummary, lead)
		return
	}
	t.push(cur.state)
	next, ok := nextPart(cur)
	if ok && next.name == contract.FieldApprover && t.c.DraftedBy != "" {
		// The drafter is the approver; the advocate and the private
		// notes are the learner's to add.
		ok = false
	}
	if ok {
		t.enter(next.state, lead)
		return
	}
	t.enter(StateSummary, lead)
}

// entry is the state a part starts at, so "back" never lands mid-goal.
func entry(st State) State {
	if p, ok := partOf(st); ok {
		return p.state
	}
	return st
}

func (t *turn) push(st State) {
	if st == StateIdle || st == StateStopped {
		return
	}
	if n := len(t.s.Back); n > 0 && t.s.Back[n-1] == st {
		return
	}
	t.s.Back = append(t.s.Back, st)
	if len(t.s.Back) > maxBack {
		t.s.Back = slices.Clone(t.s.Back[len(t.s.Back)-maxBack:])
	}
}

// pop returns the most recent earlier state to go back to.
func (t *turn) pop() (State, bool) {
	for n := len(t.s.Back); n > 0; n = len(t.s.Back) {
		st := t.s.Back[n-1]
		t.s.Back = t.s.Back[:n-1]
		if drafting(st) && st != StateStopped && st != t.s.State {
			return st, true
		}
	}
	return StateIdle, false
}

// back returns to the previous step, keeping what was entered.
func (t *turn) back() {
	if !t.inDraft() {
		t.say("Nothing to go back to", "There's nothing to go back to right now. Type ", message.Code("help"), " to see what you can do.")
		return
	}
	switch {
	case t.s.State == StateStopped:
		t.say("Your draft is paused", "Your draft is paused. Type ", message.Code("resume"), " to carry on.")
	case t.s.State == StateGoalCoach:
		t.enter(StateGoal, message.T("Back to your goal: type it again however you like."))
	case t.s.State == StateMastery || (t.s.State == StateGoal && len(t.c.Terms.Goals) > 0):
		t.enter(StateGoals, nil)
	default:
		t.s.Editing = false
		st, ok := t.pop()
		if !ok {
			t.reprompt(message.T("This is the first step, so there's nothing before it."))
			return
		}
		t.enter(st, message.T("Going back — what you entered is kept."))
	}
}

// skip passes over an optional step, and says why a required one can't be.
func (t *turn) skip() {
	if t.inFollowUp() {
		t.skipFollowUp()
		return
	}
	if !t.inDraft() {
		t.say("Nothing to skip", "There's nothing to skip right now. Type ", message.Code("help"), " to see what you can do.")
		return
	}
	switch t.s.State {
	case StateStopped:
		t.say("Your draft is paused", "Your draft is paused. Type ", message.Code("resume"), " to carry on.")
	case StateMastery:
		t.enter(StateGoals, nil)
	case StateGoalCoach:
		t.reprompt(message.T("Choose ", message.Bold("Use suggestion"), " or ", message.Bold("Keep mine"), ", or type a new version of your goal."))
	case StateSummary:
		t.reply(summaryHintMsg())
	case StatePickTemplate, StateTemplateForm:
		t.reprompt(message.T("There's nothing to skip here: pick a template, or press ", message.Bold("Start blank"), " to write your own."))
	default:
		p, _ := partOf(t.s.State)
		if t.skippable(p) {
			t.advance(nil)
			return
		}
		t.reprompt(message.T("I can't skip the ", p.label, ": ", p.why, "."))
	}
}

// cancel stops the dialog and keeps the draft.
func (t *turn) cancel() {
	if t.inFollowUp() {
		t.stopFollowUp()
		return
	}
	if !t.inDraft() {
		t.say("Nothing to cancel", "There's nothing to cancel right now.")
		return
	}
	if t.s.State != StateStopped {
		t.s.Back = append(t.s.Back, t.s.State)
		t.s.State = StateStopped
	}
	t.say("Stopped for now", "No problem, I've stopped here and kept your draft. Type ", message.Code("resume"), " whenever you want to carry on.")
}

// resume carries on where the learner stopped.
func (t *turn) resume() {
	c := t.sessionContract()
	switch {
	case t.inFollowUp() && t.s.State == StatePauseReason:
		t.resumeContract()
	case t.inFollowUp():
		t.reply(t.followUpPrompt(message.T("Here's where we were.")))
	case t.inDraft() && t.s.State == StateStopped:
		st, ok := t.pop()
		if !ok {
			st = StateSummary
		}
		t.enter(st, message.T("Welcome back! Let's carry on."))
	case t.inDraft():
		t.reprompt(message.T("Here's where we were."))
	case t.draftOf(c):
		t.openDraft()
	case c != nil && c.Learner == t.in.User && c.Status == contract.Paused:
		t.resumeContract()
	default:
		t.say("Nothing to resume", "There's no draft to carry on with. Type ", message.Code("new"), " to start a learning contract, or ", message.Code("list"), " to see yours.")
	}
}

// draftOf reports whether c is a contract the actor may edit: as its
// learner, or drafting it for someone (see draft-for).
func (t *turn) draftOf(c *contract.Contract) bool {
	return c != nil && c.Drafter() == t.in.User && t.in.User != "" && editable(c.Status)
}

// openDraft makes c the session's contract and carries on with it: at the
// first part still empty of a draft never sent, else at its summary.
func (t *turn) openDraft() {
	if st, ok := firstGap(t.c); ok && t.c.Version == 0 {
		t.s.ContractID = t.c.ID
		t.idle()
		t.enter(st, message.T("Let's carry on with this draft."))
		return
	}
	t.openSummary(nil)
}

// firstGap is the first required part, in drafting order, that is empty.
func firstGap(c *contract.Contract) (State, bool) {
	tm := c.Terms
	switch {
	case strings.TrimSpace(tm.Title) == "":
		return StateTitle, true
	case len(tm.Goals) == 0:
		return StateGoals, true
	case len(tm.Evidence) == 0:
		return StateEvidence, true
	case len(tm.Criteria) == 0:
		return StateCriteria, true
	case tm.Deadline.IsZero():
		return StateDeadline, true
	case c.Approver == "":
		return StateApprover, true
	case c.AdvocateRequired && c.AdvocateOf() == "":
		return StateAdvocate, true
	}
	return StateIdle, false
}

// openSummary makes c the session's contract and shows its summary.
func (t *turn) openSummary(lead message.Text) {
	t.s.ContractID = t.c.ID
	t.idle()
	t.enter(StateSummary, lead)
}

// editCommand handles "edit" and "edit <part>".
func (t *turn) editCommand(name string) {
	if p, ok := partNamed(name); ok && p.name == contract.FieldAdvocate && !t.inDraft() && t.askNewAdvocate(t.sessionContract()) {
		return
	}
	if !t.inDraft() {
		t.reply(notEditableMsg(t.sessionContract(), t.in.User))
		return
	}
	if name == "" {
		t.jump(StateSummary)
		return
	}
	if part, n, ok := cutItem(name); ok {
		t.editItem(part, n)
		return
	}
	p, ok := partNamed(name)
	if !ok {
		t.reply(editHelpMsg(t.draftedFor(t.c)))
		return
	}
	t.jump(p.state)
}

// jump goes to a part from anywhere in the dialog; finishing it comes back.
func (t *turn) jump(st State) {
	if st == StateApprover && t.c.DraftedBy != "" {
		t.reply(fixedApproverMsg(t.c))
		return
	}
	if t.s.State == StateStopped {
		if prev, ok := t.pop(); ok {
			t.s.State = prev
		}
	}
	if entry(t.s.State) == st {
		t.reprompt(nil)
		return
	}
	t.push(entry(t.s.State))
	t.s.Editing = st != StateSummary
	t.enter(st, nil)
}

// status says where the current contract is.
func (t *turn) status() {
	c := t.sessionContract()
	if c == nil {
		c = t.sentToMe()
	}
	doing := ""
	if t.inDraft() || t.inFollowUp() {
		doing = t.doing()
	}
	t.reply(statusMsg(c, t.in.User, doing, t.env.Now, t.today()))
}

// today is the actor's date, at 00:00 UTC (as deadlines are kept).
func (t *turn) today() time.Time {
	y, m, d := t.env.Now.In(t.env.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// list shows the actor's contracts.
func (t *turn) list() { t.reply(listMsg(t.env.Contracts, t.in.User)) }

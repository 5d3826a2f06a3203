package conversation

import (
	"errors"
	"slices"

	"github.com/learnpact/learnpact/conversation/coach"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/message"
)

// draftButtons are the drafting buttons and the states they belong to.
var draftButtons = map[ActionID][]State{
	ActionUseSuggestion: {StateGoalCoach},
	ActionKeepMine:      {StateGoalCoach},
	ActionAddGoal:       {StateGoals},
	ActionGoalsDone:     {StateGoals},
	ActionGoalsOver:     {StateGoals},
	ActionSkip:          {StateActivities, StateCadence, StateMastery, StateAdvocate, StateSupport, StateEthics},
	ActionKeep: {StateTitle, StateGoal, StateActivities, StateEvidence, StateCriteria, StateDeadline, StateCadence, StateApprover,
		StateAdvocate, StateSupport, StateEthics},
	ActionWeekly:      {StateCadence},
	ActionFortnightly: {StateCadence},
}

// draftButton handles a drafting button clicked at its step.
func (t *turn) draftButton(id ActionID, states []State) {
	switch {
	case !t.inDraft():
		t.ephemeral(note("That button is from an earlier conversation",
			"That button is from an earlier conversation. Type ", message.Code("resume"), " to carry on with your draft, or ", message.Code("help"), "."))
		return
	case t.s.State == StateStopped:
		t.greet()
		return
	case id == ActionUseSuggestion || id == ActionKeepMine:
		t.suggestionClick(id)
		return
	case !slices.Contains(states, t.s.State):
		t.reprompt(message.T("That button is from an earlier step. Here's where we are now."))
		return
	}
	switch id {
	case ActionAddGoal:
		t.enter(StateGoal, nil)
	case ActionGoalsDone:
		t.advance(nil)
	case ActionGoalsOver:
		if t.edit(func(tm *contract.Terms) { tm.Goals = nil }) {
			t.enter(StateGoal, message.T("Your goals are cleared. Let's write them again."))
		}
	case ActionSkip:
		t.skip()
	case ActionKeep:
		if t.current() == nil {
			t.reprompt(nil)
			return
		}
		t.advance(nil)
	case ActionWeekly:
		t.cadence(contract.Weekly)
	case ActionFortnightly:
		t.cadence(contract.Fortnightly)
	}
}

// edit changes the draft's working terms.
func (t *turn) edit(f func(*contract.Terms)) bool {
	terms := t.c.Terms.Clone()
	f(&terms)
	if err := t.c.SetTerms(t.in.User, terms, t.env.Now); err != nil {
		var fixed *contract.FixedError
		if errors.As(err, &fixed) {
			t.reprompt(fixedRefusal(fixed))
			return false
		}
		t.refuse(err, "edit")
		return false
	}
	t.dirty = true
	return true
}

func (t *turn) setTitle(text string) {
	if t.edit(func(tm *contract.Terms) { tm.Title = text }) {
		t.offerExamples()
		t.advance(nil)
	}
}

// addGoal runs a goal past the coach: a clear goal is kept, a vague one gets
// a suggestion the learner may take or decline.
func (t *turn) addGoal(text string) {
	adv := coach.Review(text)
	if adv.OK {
		t.acceptGoal(text)
		return
	}
	t.s.Pending = &Pending{Original: text, Suggestion: adv.Suggestion}
	t.s.State = StateGoalCoach
	t.reply(t.prompt(nil))
}

func (t *turn) acceptGoal(text string) {
	if !t.edit(func(tm *contract.Terms) { tm.Goals = append(tm.Goals, contract.Goal{Text: text}) }) {
		return
	}
	t.s.Pending = nil
	if len(t.c.Terms.Goals) == 1 {
		t.offerExamples()
	}
	t.enter(StateMastery, message.T(goalSaved(len(t.c.Terms.Goals))))
}

func (t *turn) setMastery(text string) {
	ok := t.edit(func(tm *contract.Terms) {
		if n := len(tm.Goals); n > 0 {
			tm.Goals[n-1].Mastery = text
		}
	})
	if ok {
		t.enter(StateGoals, nil)
	}
}

// goalsText reads typed words at the goals step, where buttons are expected.
func (t *turn) goalsText(text string) {
	switch normalize(text) {
	case "add", "add another", "add another goal", "another", "another goal", "more", "yes":
		t.enter(StateGoal, nil)
	case "done", "done with goals", "next", "no", "that's it", "thats it":
		t.advance(nil)
	default:
		t.reprompt(message.T("Use the buttons below to add another goal or move on. (To add a goal, press ",
			message.Bold("Add another goal"), " first.)"))
	}
}

func (t *turn) setActivities(text string) {
	items := splitList(text)
	if len(items) == 0 {
		t.reprompt(message.T("I didn't catch any activities there."))
		return
	}
	if t.edit(func(tm *contract.Terms) { tm.Activities = items }) {
		t.advance(nil)
	}
}

func (t *turn) setEvidence(text string) {
	items := splitList(text)
	if len(items) == 0 {
		t.reprompt(message.T("I didn't catch any evidence there."))
		return
	}
	if t.edit(func(tm *contract.Terms) { tm.Evidence = items }) {
		t.advance(nil)
	}
}

func (t *turn) setCriteria(text string) {
	items := splitList(text)
	if len(items) == 0 {
		t.reprompt(message.T("I didn't catch any criteria there."))
		return
	}
	if t.edit(func(tm *contract.Terms) { tm.Criteria = criteriaFrom(items, tm.Criteria, t.in.User) }) {
		t.advance(nil)
	}
}

func (t *turn) setDeadline(text string) {
	d, err := deadline.Parse(text, t.env.Now, t.env.Location)
	if err != nil {
		t.reply(deadlineRetryMsg(err, deadline.Examples(t.env.Now)))
		return
	}
	if t.edit(func(tm *contract.Terms) { tm.Deadline = d }) {
		lead := message.T("Deadline set: ", formatDate(d), ".")
		if w := weekendNote(d); w != nil {
			lead = append(append(lead, message.T(" ")...), w...)
		}
		t.advance(lead)
	}
}

func (t *turn) setCadence(text string) {
	n, ok := parseCadence(text)
	if !ok {
		t.reprompt(message.T("I didn't catch that."))
		return
	}
	t.cadence(n)
}

func (t *turn) cadence(n contract.Cadence) {
	if t.edit(func(tm *contract.Terms) { tm.Cadence = n }) {
		t.advance(nil)
	}
}

// current is what the draft already holds for the current step, shown so
// the learner may keep it; nil when nothing.
func (t *turn) current() message.Text {
	tm := t.c.Terms
	if _, n, ok := t.editingItem(); ok {
		return message.T(items(tm, t.s.State)[n-1])
	}
	switch t.s.State {
	case StateTitle:
		if tm.Title != "" {
			return message.T(tm.Title)
		}
	case StateActivities:
		return bullets(tm.Activities)
	case StateEvidence:
		return bullets(tm.Evidence)
	case StateCriteria:
		return criteriaText(tm.Criteria)
	case StateDeadline:
		if !tm.Deadline.IsZero() {
			return message.T(formatDate(tm.Deadline))
		}
	case StateCadence:
		if tm.Cadence > 0 {
			return message.T(cadenceLabel(tm.Cadence))
		}
	case StateApprover:
		if t.c.Approver != "" {
			return message.T(message.Mention(t.c.Approver))
		}
	case StateAdvocate:
		if t.c.Advocate != "" {
			return message.T(message.Mention(t.c.Advocate))
		}
	case StateSupport:
		if tm.Support != "" {
			return message.T(tm.Support)
		}
	case StateEthics:
		if tm.Ethics != "" {
			return message.T(tm.Ethics)
		}
	}
	return nil
}

// prompt is the question of the current step.
func (t *turn) prompt(lead message.Text) message.Message {
	c := t.c
	if lp, n, ok := t.editingItem(); ok {
		return itemPrompt(lead, lp, n, items(c.Terms, t.s.State)[n-1], value(c))
	}
	switch t.s.State {
	case StateGoalCoach:
		return coachMsg(lead, t.s.Pending, coach.Review(t.s.Pending.Original), promptValue(c, suggestionPrompt(t.s.Pending)))
	case StateGoal:
		return goalPrompt(lead, len(c.Terms.Goals)+1, t.draftedFor(c))
	case StateMastery:
		return masteryPrompt(lead, value(c), t.draftedFor(c))
	case StateGoals:
		return goalsMsg(lead, c.Terms.Goals, value(c))
	case StateSummary:
		if t.draftedFor(c) {
			return draftedSummaryMsg(c, lead, t.env.Now)
		}
		return summaryMsg(c, lead, t.env.Now)
	case StateDeadline:
		return askMsg(t.s.State, lead, t.current(), value(c), deadline.Examples(t.env.Now), t.draftedFor(c))
	case StateAdvocate:
		return advocatePrompt(lead, t.current(), value(c), c.AdvocateRequired)
	case StateStart, StatePickTemplate, StateTemplateForm:
		return t.templatePrompt(lead)
	}
	return askMsg(t.s.State, lead, t.current(), value(c), nil, t.draftedFor(c))
}

// sendDraft proposes the draft typed "send" was about.
func (t *turn) sendDraft() {
	if !t.inDraft() {
		t.reply(notEditableMsg(t.sessionContract(), t.in.User))
		return
	}
	t.propose()
}

// propose sends the contract to the approver as a new version.
func (t *turn) propose() {
	c := t.c
	if c.Status == contract.Proposed && c.Learner == t.in.User {
		if r, ok := c.Revision(c.Version); ok && len(contract.Diff(r.Terms, c.Terms)) == 0 {
			t.say("Already sent", "It's already with ", message.Mention(c.Approver),
				versionNote(c.Version), ". I'll let you know as soon as they answer.")
			return
		}
	}
	err := c.DoPropose(t.in.User, "", t.env.Now)
	var inc *contract.IncompleteError
	if errors.As(err, &inc) {
		if c.ID != t.s.ContractID || !drafting(t.s.State) || t.s.State == StateStopped {
			t.s.ContractID = c.ID
			t.idle()
		}
		t.s.State = StateSummary
		t.reply(incompleteMsg(c, inc))
		return
	}
	if err != nil {
		t.refuse(err, "send")
		return
	}
	t.dirty = true
	t.s.ContractID = c.ID
	t.idle()
	if t.draftedFor(c) {
		t.reply(sentForMsg(c))
		t.send(c.Learner, draftedForMsg(c))
		t.tellAdvocate()
		return
	}
	t.reply(sentMsg(c))
	t.send(c.Approver, approvalRequestMsg(c))
	t.tellAdvocate()
}

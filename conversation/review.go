package conversation

import (
	"errors"
	"slices"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
)

// NeedsSets reports whether the turn needs the team's learning sets in Env:
// sharing a draft, reviewing one, and setting up a set.
func NeedsSets(s Session, in Input) bool {
	switch in.Kind {
	case ThreadInput, JoinInput, HomeInput:
		return true
	case ActionInput:
		switch ActionID(in.ActionID) {
		case ActionShare, ActionCreateSet, ActionFeedback, ActionDeclineReview:
			return true
		}
	case SubmitInput:
		return in.CallbackID == CallbackShare || in.CallbackID == CallbackFeedback
	case TextInput, CommandInput:
		c, _, ok := typedCommand(in)
		return ok && c.needsSets
	}
	return false
}

// set is the learning set of a channel, if the turn loaded it.
func (t *turn) set(channel string) (learningset.View, bool) {
	for _, v := range t.env.Sets {
		if v.Set.Channel == channel && channel != "" {
			return v, true
		}
	}
	return learningset.View{}, false
}

// setsOf lists the learning sets user is a member of.
func (t *turn) setsOf(user string) []learningset.View {
	var out []learningset.View
	for _, v := range t.env.Sets {
		if v.Exists && v.Has(user) {
			out = append(out, v)
		}
	}
	return out
}

// learningSetCommand makes the channel it is run in a learning set.
func (t *turn) learningSetCommand(args string) {
	v, ok := t.set(t.in.Channel)
	switch {
	case !ok:
		t.reply(setWhereMsg())
	case args != "":
		t.ephemeral(setHelpMsg())
	default:
		t.createSet(v)
	}
}

// setReviewers changes how many reviewers a draft gets in the learning set
// it is run in ("learning-set reviewers 3").
func (t *turn) setReviewers(args string) {
	v, ok := t.set(t.in.Channel)
	if !ok {
		t.reply(setWhereMsg())
		return
	}
	f := strings.Fields(args)
	if len(f) != 1 {
		t.ephemeral(setHelpMsg())
		return
	}
	if !v.Exists {
		t.reply(setWhereMsg())
		return
	}
	n := 0
	for _, r := range f[0] {
		if r < '0' || r > '9' || n > 100 {
			n = -1
			break
		}
		n = n*10 + int(r-'0')
	}
	if n < 1 || n > learningset.MaxReviewers {
		t.ephemeral(note("Reviewers: 1 to 5", "A learning set can ask for 1 to 5 reviewers per draft."))
		return
	}
	t.out = append(t.out, SetChange{Channel: v.Set.Channel, Change: learningset.Change{Reviewers: n}})
	t.out = append(t.out, Post{Channel: v.Set.Channel, Message: reviewersChangedMsg(t.in.User, n)})
}

// createSet makes the channel a learning set, once.
func (t *turn) createSet(v learningset.View) {
	if v.Exists {
		t.ephemeral(setExistsMsg(v.Set))
		return
	}
	if !v.Has(t.in.User) {
		t.ephemeral(note("Only members can do that", "Only members of ", learningset.Set{Channel: v.Set.Channel, Name: v.Set.Name}.Label(), " can make it a learning set."))
		return
	}
	s := learningset.New(t.env.Platform, t.env.Team, v.Set.Channel, v.Set.Name, t.in.User, t.env.Now)
	t.out = append(t.out, SetChange{Channel: s.Channel, Create: &s})
	if t.in.Kind == ActionInput && t.in.Source.TS != "" {
		t.update(t.in.Source, setCreatedMsg(s, t.in.User))
		return
	}
	t.out = append(t.out, Post{Channel: s.Channel, Message: setCreatedMsg(s, t.in.User)})
}

// onJoin offers to make a channel the bot was added to a learning set.
func (t *turn) onJoin() {
	v, ok := t.set(t.in.Channel)
	if !ok || v.Exists {
		return
	}
	t.out = append(t.out, Post{Channel: t.in.Channel, Message: setOfferMsg(v.Set)})
}

// away marks the actor away from reviews in all their learning sets until
// a date ("away until 3 March"), or back ("away off").
func (t *turn) away(args string) {
	args = strings.TrimSpace(strings.TrimPrefix(args, "until"))
	sets := t.setsOf(t.in.User)
	if len(sets) == 0 {
		t.reply(note("You're not in a learning set", "You're not in a learning set, so nobody will ask you to review."))
		return
	}
	var until = t.env.Now
	back := args == "off" || args == "back" || args == ""
	if !back {
		d, err := deadline.Parse(args, t.env.Now, t.env.Location)
		if err != nil {
			t.reply(note("I couldn't read that date", "I couldn't read that date. Try ", code("away until 3 March"), " or ", code("away off"), "."))
			return
		}
		until = d.AddDate(0, 0, 1)
	}
	for _, v := range sets {
		t.out = append(t.out, SetChange{Channel: v.Set.Channel, Change: learningset.Change{Away: t.in.User, AwayUntil: until}})
	}
	t.reply(awayMsg(sets, until, back))
}

// shareClick opens the share form for the learner's draft, from its
// button or the "share" command.
func (t *turn) shareClick() {
	c := t.sessionContract()
	if t.in.Kind == ActionInput {
		if _, ok := t.target(t.in.Value); !ok {
			return
		}
		c = t.c
	}
	if !t.draftOf(c) || t.draftedFor(c) {
		t.reply(notShareableMsg(c, t.in.User))
		return
	}
	if len(c.Terms.Goals) == 0 {
		t.reply(note("Add a goal first", "Add at least one goal before you share your draft: your peers need something to read."))
		return
	}
	sets := t.setsOf(t.in.User)
	if len(sets) == 0 {
		t.reply(noSetMsg())
		return
	}
	if t.in.TriggerID == "" {
		t.reply(sharePromptMsg(c))
		return
	}
	av := ActionValue{ContractID: c.ID, Version: c.Version}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: shareModal(c, sets, av)})
}

// submitShare posts the draft to the chosen learning set and asks its
// reviewers.
func (t *turn) submitShare() {
	if _, ok := t.target(t.in.PrivateData); !ok {
		return
	}
	c := t.c
	if !t.draftOf(c) {
		t.reply(notShareableMsg(c, t.in.User))
		return
	}
	sets := t.setsOf(t.in.User)
	var v learningset.View
	switch chosen := t.in.Form[FieldSet]; {
	case chosen != "":
		i := slices.IndexFunc(sets, func(v learningset.View) bool { return v.Set.Channel == chosen })
		if i < 0 {
			t.reply(noSetMsg())
			return
		}
		v = sets[i]
	case len(sets) > 0:
		v = sets[0]
	default:
		t.reply(noSetMsg())
		return
	}
	picked := strings.Split(t.in.Form[FieldPrivate], ",")
	private := slices.Contains(picked, contract.FieldSupport) || slices.Contains(picked, contract.FieldEthics)
	note := clipString(strings.TrimSpace(t.in.Form[FieldNote]), 500)
	reviewers := v.Set.Pick(v.Members, append(c.Parties(), t.env.BotUser), v.Set.Size(), t.env.Now)
	if err := c.ShareDraft(t.in.User, v.Set.Channel, private, note, reviewers, t.env.Now); err != nil {
		t.refuse(err, "share")
		return
	}
	t.dirty = true
	sh, _ := c.CurrentShare()
	support, ethics := shareParts(picked)
	t.out = append(t.out,
		Post{Channel: v.Set.Channel, Message: sharedDraftMsg(c, sh, reviewers, support, ethics), Shared: &Shared{Contract: c.ID, Round: sh.Round, Learner: c.Learner}},
		SetChange{Channel: v.Set.Channel, Change: learningset.Change{Assign: reviewers}})
	t.reply(sharedMsg(c, v.Set, reviewers))
}

// shareParts says which private parts the learner ticked in.
func shareParts(picked []string) (support, ethics bool) {
	return slices.Contains(picked, contract.FieldSupport), slices.Contains(picked, contract.FieldEthics)
}

// reviewer checks that the actor may review the contract's shared draft:
// it is in review, not their own, and they are a member of its set now.
func (t *turn) reviewer() (learningset.View, bool) {
	c := t.c
	if err := c.CanReview(t.in.User); err != nil {
		t.ephemeral(reviewRefusalMsg(c, err))
		return learningset.View{}, false
	}
	sh, _ := c.CurrentShare()
	v, ok := t.set(sh.Channel)
	if !ok || !v.Has(t.in.User) {
		name := v.Set.Label()
		if !ok {
			name = "the learning set"
		}
		t.ephemeral(notMemberMsg(c, name))
		return v, false
	}
	return v, true
}

// feedbackClick opens the feedback form.
func (t *turn) feedbackClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if _, ok := t.reviewer(); !ok {
		return
	}
	sh, _ := t.c.CurrentShare()
	av := ActionValue{ContractID: t.c.ID, Version: t.c.Version, Ref: MessageRef{Channel: sh.Channel, TS: sh.TS}}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: feedbackModal(t.c, av)})
}

// submitFeedback records a peer's answers to the feedback form.
func (t *turn) submitFeedback() {
	if _, ok := t.target(t.in.PrivateData); !ok {
		return
	}
	f := contract.Feedback{By: t.in.User, Source: contract.FromForm,
		Specific: strings.TrimSpace(t.in.Form[FieldSpecific]), Evidence: strings.TrimSpace(t.in.Form[FieldConvincing]),
		Timeline: strings.TrimSpace(t.in.Form[FieldTimeline]), Suggestion: strings.TrimSpace(t.in.Form[FieldSuggestion])}
	if f.Specific+f.Evidence+f.Timeline+f.Suggestion == "" {
		t.ephemeral(note("Nothing to pass on", "That form was empty, so there was nothing to pass on."))
		return
	}
	t.feedback(f)
}

// onPosted records where a shared draft was posted: its thread.
func (t *turn) onPosted() {
	if t.c == nil || t.c.ID != t.in.Contract || t.in.Thread == "" {
		return
	}
	for _, sh := range t.c.Shares {
		if sh.Round == t.in.Round && sh.TS == "" {
			t.c.Posted(t.in.Round, t.in.Thread)
			t.dirty = true
			return
		}
	}
}

// onThread counts a reply in a shared draft's thread as feedback.
func (t *turn) onThread() {
	v, err := ParseActionValue(t.in.Value)
	if err != nil || t.c == nil || t.c.ID != v.ContractID {
		return
	}
	text := strings.TrimSpace(t.in.Text)
	if t.in.User == t.c.Learner || text == "" {
		return // the learner talking with their peers
	}
	if sh, ok := t.c.CurrentShare(); ok && sh.TS != "" && t.in.Thread != sh.TS {
		return // the thread of an earlier round
	}
	if err := t.c.CanReview(t.in.User); errors.Is(err, contract.ErrReviewClosed) {
		return // talk goes on after the review; the learner reads the thread
	}
	t.feedback(contract.Feedback{By: t.in.User, Source: contract.FromThread, Text: text})
}

// feedback stores a peer's feedback and, once everyone asked has answered,
// gathers it for the learner.
func (t *turn) feedback(f contract.Feedback) {
	if _, ok := t.reviewer(); !ok {
		return
	}
	c := t.c
	first := !slices.ContainsFunc(c.RoundFeedback(), func(g contract.Feedback) bool { return g.By == f.By })
	if err := c.GiveFeedback(f, t.env.Now); err != nil {
		t.ephemeral(reviewRefusalMsg(c, err))
		return
	}
	t.dirty = true
	sh, _ := c.CurrentShare()
	if f.Source == contract.FromForm {
		t.thread(sh, feedbackNoticeMsg(f.By, c.Learner))
	}
	if first {
		t.ephemeral(thanksMsg(c))
	}
	switch {
	case len(c.Waiting()) == 0 && sh.Gathered.IsZero():
		c.Gather(t.env.Now)
		t.send(c.Learner, gatheredMsg(c, ""))
	case !sh.Gathered.IsZero() && first:
		// Someone new after the round was gathered; later replies of the
		// same person are in the thread for the learner to read.
		t.send(c.Learner, moreFeedbackMsg(c, f))
	}
}

// thread posts in the shared draft's thread, once its root is known.
func (t *turn) thread(sh contract.Share, m message.Message) {
	if sh.TS != "" {
		t.out = append(t.out, Post{Channel: sh.Channel, Thread: sh.TS, Message: m})
	}
}

// declineReview lets an asked reviewer pass ("not this week"); someone else
// is asked.
func (t *turn) declineReview() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	v, ok := t.reviewer()
	if !ok {
		return
	}
	c := t.c
	// The parties (learner, approver, advocate) are never peer reviewers:
	// they sign it.
	exclude := append(append(c.Parties(), t.env.BotUser), c.Asked()...)
	repl := v.Set.Pick(v.Members, exclude, 1, t.env.Now)
	if err := c.DeclineReview(t.in.User, repl, t.env.Now); err != nil {
		t.ephemeral(reviewRefusalMsg(c, err))
		return
	}
	t.dirty = true
	t.out = append(t.out, SetChange{Channel: v.Set.Channel, Change: learningset.Change{Decline: t.in.User, Assign: repl}})
	sh, _ := c.CurrentShare()
	t.thread(sh, replacedMsg(t.in.User, repl))
	t.ephemeral(declinedThanksMsg(repl))
	if len(repl) == 0 && len(c.Waiting()) == 0 && sh.Gathered.IsZero() {
		c.Gather(t.env.Now)
		t.send(c.Learner, gatheredMsg(c, ""))
	}
}

// reviseDraft takes the learner back to their draft after feedback.
func (t *turn) reviseDraft() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if !t.draftOf(t.c) {
		t.reply(notEditableMsg(t.c, t.in.User))
		return
	}
	t.s.ContractID = t.c.ID
	t.idle()
	t.openSummary(txt("Here's your draft. Use ", bold("Edit"), " on any part to work your peers' feedback in, then send it to your manager."))
}

// sendPrivately sends the draft to the approver without the peers'
// comments.
func (t *turn) sendPrivately() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if t.in.User != t.c.Learner {
		t.refuse(&contract.DeniedError{Action: contract.Propose, Actor: t.in.User, Allowed: []string{t.c.Learner}}, "send")
		return
	}
	if t.draftOf(t.c) && !t.c.HideFeedback {
		t.c.HideFeedback = true
		t.dirty = true
	}
	t.propose()
}

// reviewRefusalMsg explains why feedback was not taken.
func reviewRefusalMsg(c *contract.Contract, err error) message.Message {
	switch {
	case errors.Is(err, contract.ErrOwnDraft):
		return note("That's your own draft", "That's your own draft: your peers' feedback will come to you in a DM.")
	case errors.Is(err, contract.ErrNotAsked):
		return note("You weren't asked this round", "You weren't asked to review this round, so there's nothing to decline, but your feedback is still welcome.")
	case errors.Is(err, contract.ErrNotShared), errors.Is(err, contract.ErrReviewClosed):
		return note("Review is over", "Thanks, but ", at(c.Learner), "'s draft is no longer in peer review, so feedback isn't being collected any more.")
	}
	return note("That didn't work", "That didn't work. Please try again.")
}

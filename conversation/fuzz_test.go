package conversation

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/conversation/template"
)

// FuzzStep feeds Step arbitrary inputs against sessions and contracts in
// every status: it must never panic, never change the contract it was given,
// and save contracts only at the revision they were loaded with.
func FuzzStep(f *testing.F) {
	fx := fixtures(f)
	examples, err := template.Load(template.Examples())
	if err != nil {
		f.Fatal(err)
	}
	amended := fx["proposed"].Clone()
	if err := amended.DoAmend(mo, 1, amended.Terms, "", start); err != nil {
		f.Fatal(err)
	}
	shared := fx["completed"].Clone()
	shared.ID, shared.Learner, shared.Library = "c9", sam, contract.Anonymous
	example, ok := library.ExampleOf(shared)
	if !ok {
		f.Fatal("the shared fixture is no example")
	}
	draftedFor, sentFor := draftedFixture(f)
	draftedFor.ID, sentFor.ID = "c1", "c1"
	contracts := []*contract.Contract{nil, fx["draft"], fx["proposed"], fx["changes_requested"], fx["active"], amended,
		fx["prompted"], fx["renegotiating"], fx["paused"], fx["in_peer_review"], fx["submitted"], fx["assessed"], fx["completed"],
		draftedFor, sentFor}
	kinds := []InputKind{TextInput, CommandInput, ActionInput, SubmitInput, DueInput, "bogus", ThreadInput, JoinInput, DeliveredInput}
	users := []string{lee, mo, sam, ""}

	ids := []ActionID{ActionApprove, ActionRequestChanges, ActionAmend, ActionRevise, ActionAccept, ActionCounter,
		ActionSend, ActionOpen, ActionStartNew, ActionResume, ActionUseSuggestion, ActionKeepMine, ActionAddGoal,
		ActionGoalsDone, ActionGoalsOver, ActionSkip, ActionKeep, ActionWeekly, ActionFortnightly, ActionEditGoals,
		ActionOnTrack, ActionBehind, ActionBlocked, ActionSnooze, ActionPause, ActionResumeContract, ActionNewDeadline, ActionSendDeadline,
		ActionChangeScope, ActionAskHelp, ActionDecline, ActionSkipHappened, ActionSkipNext, ActionSkipHelpNote, ActionSkipPauseReason,
		ActionShare, ActionCreateSet, ActionFeedback, ActionDeclineReview, ActionReviseDraft, ActionSendPrivately,
		ActionSubmitEvidence, ActionEvidenceDone, ActionRateMet, ActionRatePartly, ActionRateNotYet, ActionAssess, ActionAskMore,
		ActionCommentWork, ActionReplyAssess, ActionReflect, ActionEndEarly, ActionRetire, ActionImpactALot, ActionImpactSomewhat,
		ActionImpactNotYet, ActionSkipEvidence, ActionSkipRateNote, ActionSkipReply, ActionSkipLearned, ActionSkipDifferently,
		ActionSkipChange, ActionSkipImpactExample, ActionSkipRetireNote, ActionDeclineDraft,
		ActionShareNamed, ActionShareAnonymous, ActionShareNone, ActionOpenExample}
	// Finishing: each finishing question, on the contracts it is about.
	for _, st := range []State{StateHandIn, StateRate, StateRateNote, StateReply, StateLearned, StateDifferently, StateChange,
		StateImpactExample, StateRetireNote} {
		for _, fixture := range []uint8{4, 10, 11, 12} {
			for _, text := range []string{"https://example.com/x", "www.example.com", "met", "not yet", "done", "skip", "submit", "reflect", "end", ""} {
				f.Add(uint8(0), fixture, uint8(0), string(st), text, "", "", "", uint8(1))
			}
		}
	}
	// The steps after the approver, and the advocate's form.
	for _, text := range []string{"<@UMO> with <@UWEN> as my advocate", "<@UWEN>", "<@ULEE>", "none", "advocate <@UMO>", "Two hours a week", "skip", "back"} {
		for _, st := range []State{StateApprover, StateAdvocate, StateSupport, StateEthics} {
			f.Add(uint8(0), uint8(1), uint8(0), string(st), text, "", "", string(StateApprover), uint8(0))
		}
		f.Add(uint8(0), uint8(2), uint8(0), string(StateNewAdvocate), text, "", "", "", uint8(0))
	}
	for u := range users {
		f.Add(uint8(3), uint8(2), uint8(u), "", "Fridays are quiet", CallbackAdvise, "c=c1&v=1", "", uint8(0))
	}
	for _, cb := range []string{CallbackAssess, CallbackAskMore, CallbackComment} {
		for u := range users {
			f.Add(uint8(3), uint8(10), uint8(u), "", "partly", cb, "c=c1&v=2&s=1", "", uint8(0))
			f.Add(uint8(3), uint8(10), uint8(u), "", "in 2 weeks", cb, "c=c1&v=2&s=7", "", uint8(0))
		}
	}
	for _, k := range []contract.DueKind{contract.DueImpact, contract.DueImpactApprover} {
		for _, days := range []uint8{30, 40, 90, 120} {
			f.Add(uint8(4), uint8(12), uint8(0), "", "", string(k), "", "", days)
			f.Add(uint8(4), uint8(12), uint8(1), "", "", string(k), "", "", days)
		}
	}
	for i, id := range ids {
		f.Add(uint8(2), uint8(i), uint8(i), string(StateGoalCoach), "", string(id), "c=c1&v=1", "", uint8(0))
		f.Add(uint8(2), uint8(6+i%3), uint8(i), string(StateHappened), "", string(id), "c=c1&v=1", "", uint8(9))
	}
	dues := []contract.DueKind{contract.DueCheckIn, contract.DueMidpoint, contract.DueCheckInMissed, contract.DueDeadlineSoon,
		contract.DueDeadlineTomorrow, contract.DueOverdue, contract.DueApprovalReminder, "nonsense"}
	for i, k := range dues {
		for _, days := range []uint8{0, 7, 30, 60, 90} {
			f.Add(uint8(4), uint8(i), uint8(i), "", "", string(k), "c=c1&v=0", "", days)
		}
	}
	for _, text := range []string{"help", "back", "skip", "cancel", "resume", "status", "list", "new", "hi", "edit goals",
		"edit", "send", "<@UMO>", "every 3 weeks", "in 6 weeks", "a; b; c", ""} {
		for _, st := range []State{StateTitle, StateGoal, StateGoalCoach, StateMastery, StateGoals, StateDeadline, StateSummary, StateStopped, "nonsense"} {
			f.Add(uint8(0), uint8(1), uint8(0), string(st), text, "", "", string(StateTitle), uint8(0))
		}
		for _, st := range []State{StateHappened, StateNext, StateNewDeadline, StateHelpNote, StatePauseReason} {
			f.Add(uint8(0), uint8(6), uint8(0), string(st), text, "", "", string(StateGoal), uint8(8))
		}
	}
	// Items that do come due: a check-in and the mid-point of the active
	// contract, the re-nudge of the prompted one, approval reminders.
	for _, d := range []struct {
		fixture, user, days uint8
		kind                contract.DueKind
	}{{4, 0, 7, contract.DueCheckIn}, {4, 0, 28, contract.DueMidpoint}, {6, 0, 9, contract.DueCheckInMissed},
		{2, 1, 4, contract.DueApprovalReminder}, {7, 1, 12, contract.DueApprovalReminder}, {4, 0, 57, contract.DueOverdue}} {
		f.Add(uint8(4), d.fixture, d.user, "", "", string(d.kind), "c=c1&v=0", "", d.days)
	}
	// Digests, for each user, on each day of a contract's life.
	for user := range users {
		for _, days := range []uint8{0, 4, 12, 30, 60} {
			f.Add(uint8(4), uint8(user), uint8(user), "", "", string(contract.DueDigest), "", "", days)
		}
	}
	f.Add(uint8(2), uint8(2), uint8(1), "", "", string(ActionApprove), "c=c1&v=1&d=1", "", uint8(0))
	f.Add(uint8(3), uint8(2), uint8(1), "", "", CallbackRequestChanges, "c=c1&v=1&d=1", "", uint8(0))
	f.Add(uint8(3), uint8(2), uint8(1), "", "whenever", CallbackAmend, "c=c1&v=1&ch=D&ts=1", "", uint8(0))
	f.Add(uint8(3), uint8(2), uint8(1), "", "", CallbackRequestChanges, "c=c1&v=1", "", uint8(0))
	f.Add(uint8(3), uint8(4), uint8(0), "", "in 12 weeks", CallbackRenegotiate, "c=c1&v=2", "", uint8(3))
	f.Add(uint8(3), uint8(4), uint8(1), "", "", CallbackRenegotiate, "c=c1&v=2", "", uint8(3))
	// Peer review: feedback by form and thread, a decline, sharing, set-up.
	for u := range users {
		f.Add(uint8(3), uint8(9), uint8(u), "", "Looks fine", CallbackFeedback, "c=c1&v=0", "", uint8(0))
		f.Add(uint8(6), uint8(9), uint8(u), "", "Is the evidence enough?", "", "c=c1&v=0", "", uint8(1))
		f.Add(uint8(2), uint8(9), uint8(u), "", "", string(ActionDeclineReview), "c=c1&v=0", "", uint8(0))
		f.Add(uint8(3), uint8(1), uint8(u), "", "CSET", CallbackShare, "c=c1&v=0", "", uint8(0))
		f.Add(uint8(1), uint8(0), uint8(u), "", "learning-set reviewers 3", "", "", "", uint8(0))
		f.Add(uint8(7), uint8(0), uint8(u), "", "", "", "", "", uint8(0))
	}
	// Drafting from a template: the start, the menu and the form.
	for _, st := range []State{StateStart, StatePickTemplate, StateTemplateForm} {
		f.Add(uint8(0), uint8(1), uint8(0), string(st), "present with confidence", "", "", string(StateStart), uint8(0))
		f.Add(uint8(2), uint8(1), uint8(0), string(st), "", string(ActionPickTemplate), "presenting", "", uint8(0))
		f.Add(uint8(2), uint8(1), uint8(0), string(st), "", string(ActionStartBlank), "", "", uint8(0))
		f.Add(uint8(3), uint8(1), uint8(0), string(st), "g1,e1", CallbackFromTemplate, "c=c1&v=0&t=presenting%401", "", uint8(0))
	}
	f.Add(uint8(2), uint8(0), uint8(0), "", "", string(ActionFromTemplate), "", "", uint8(0))
	// Drafting for someone: draft-for typed and run, the drafter at each
	// step of the draft, the learner's answers to the sent draft.
	for _, text := range []string{"draft-for <@ULEE>", "draft-for <@UMO>", "draft-for <@ULEE> <@USAM>", "draft-for <@UBOT>",
		"draft-for <@ULEE|lee", "draft-for <@>", "draft-for @lee", "edit approver", "send", "status", "list"} {
		for u := range users {
			f.Add(uint8(1), uint8(13), uint8(u), string(StateSummary), text, "", "", "", uint8(0))
			f.Add(uint8(0), uint8(13), uint8(u), string(StateCadence), text, "", "", string(StateDeadline), uint8(0))
		}
	}
	for _, id := range []ActionID{ActionAccept, ActionCounter, ActionDeclineDraft, ActionDeclineReason, ActionSend, ActionEditApprover, ActionOpen} {
		for u := range users {
			f.Add(uint8(2), uint8(14), uint8(u), "", "", string(id), "c=c1&v=1", "", uint8(0))
			f.Add(uint8(2), uint8(13), uint8(u), "", "", string(id), "c=c1&v=0", "", uint8(0))
		}
	}
	// The library: consent on the completed contract (from its card and
	// from the list), examples opened, searches, the offer while drafting.
	for _, id := range []ActionID{ActionShareNamed, ActionShareAnonymous, ActionShareNone} {
		for u := range users {
			f.Add(uint8(2), uint8(12), uint8(u), "", "", string(id), "c=c1&v=1", "", uint8(0))
			f.Add(uint8(2), uint8(12), uint8(u), "", "", string(id), "c=c1&v=1&p=library", "", uint8(0))
			f.Add(uint8(2), uint8(4), uint8(u), "", "", string(id), "c=c1&v=1", "", uint8(0))
		}
	}
	for _, v := range []string{"e=c1", "e=", "e=cX", "c=c1&v=1", "%zz"} {
		f.Add(uint8(2), uint8(0), uint8(2), "", "", string(ActionOpenExample), v, "", uint8(0))
	}
	for _, text := range []string{"examples design reviews", "examples *", "examples", "examples the of", "library", "examples !!!"} {
		for u := range users {
			f.Add(uint8(1), uint8(12), uint8(u), "", text, "", "", "", uint8(0))
		}
	}
	for _, st := range []State{StateTitle, StateStart, StateGoal} {
		f.Add(uint8(0), uint8(1), uint8(0), string(st), "Running design reviews", "", "", string(StateTitle), uint8(0))
	}
	f.Add(uint8(4), uint8(9), uint8(2), "", "", string(contract.DueReviewReminder), "c=c1&v=0", "", uint8(3))
	f.Add(uint8(4), uint8(9), uint8(0), "", "", string(contract.DueReviewSlow), "c=c1&v=0", "", uint8(7))

	f.Fuzz(func(t *testing.T, kind, fixture, user uint8, state, text, id, value, back string, days uint8) {
		c := contracts[int(fixture)%len(contracts)]
		var before []byte
		if c != nil {
			before, _ = json.Marshal(c)
		}
		sess := Session{User: users[int(user)%len(users)], State: State(state), ContractID: "c1",
			Back: []State{State(back), StateTitle}, Item: int(days % 5)}
		if state == string(StateGoalCoach) && len(text)%2 == 0 {
			sess.Pending = &Pending{Original: text, Suggestion: value}
		}
		in := Input{Kind: kinds[int(kind)%len(kinds)], User: sess.User, Channel: "D", Text: text,
			ActionID: id, Value: value, TriggerID: "t", CallbackID: id, PrivateData: value, DueKind: id,
			Form: map[string]string{FieldComments: text, contract.FieldTitle: text, contract.FieldGoals: text, contract.FieldActivities: text,
				contract.FieldEvidence: text, contract.FieldCriteria: text, contract.FieldDeadline: text, FieldComment: text,
				FieldSet: text, FieldPrivate: text, FieldNote: text, FieldSpecific: text, FieldSuggestion: text,
				FieldDue: text, FieldRating(1): text, FieldRatingNote(1): text,
				FieldResources: text, FieldOwnGoals: text, FieldOwnActivities: text, FieldOwnEvidence: text, FieldOwnCriteria: text},
			Thread: "1.1",
			Source: MessageRef{Channel: "D", TS: "1.1"}}
		env := testEnv()
		env.Now = env.Now.Add(time.Duration(days) * 24 * time.Hour)
		env.Contracts = contracts[1:]
		env.Templates = examples
		env.Sets = []learningset.View{{Set: learningset.New("slack", "T1", "CSET", "cset", sam, start), Exists: true,
			Members: []string{lee, sam, "UPAT", "UKAI"}}}
		if len(text)%3 == 0 {
			in.Channel = "CSET"
		}
		if need, ok := NeedsExamples(sess, c, in); ok && need.Limit > 0 {
			env.Examples = []library.Example{example}
		}
		res := Step(env, sess, c, in)

		if c != nil {
			after, _ := json.Marshal(c)
			if string(before) != string(after) {
				t.Fatal("Step changed the contract it was given")
			}
		}
		if res.Contract != nil {
			if c != nil && res.Contract.ID == c.ID && res.Contract.Rev != c.Rev {
				t.Fatalf("saved at rev %d, loaded at %d", res.Contract.Rev, c.Rev)
			}
			if res.Contract.ID == "" {
				t.Fatal("saved a contract without an id")
			}
		}
		if len(res.Session.Back) > maxBack+1 {
			t.Fatalf("back stack grew to %d", len(res.Session.Back))
		}
		if _, err := json.Marshal(res.Session); err != nil {
			t.Fatal(err)
		}
		for _, ef := range res.Effects {
			if ef == nil {
				t.Fatal("nil effect")
			}
		}
		if in.Kind == DueInput && c != nil && res.Contract == nil && len(res.Effects) > 0 && !IsDigest(in) {
			t.Fatal("a due item that changed nothing sent something")
		}
		if IsDigest(in) && res.Contract != nil {
			t.Fatal("a digest saved a contract")
		}
		if _, asking := followUpOf(res.Session.State); asking && res.Session.ContractID == "" {
			t.Fatal("a follow-up question about no contract")
		}
	})
}

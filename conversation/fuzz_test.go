package conversation

import (
	"encoding/json"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

// FuzzStep feeds Step arbitrary inputs against sessions and contracts in
// every status: it must never panic, never change the contract it was given,
// and save contracts only at the revision they were loaded with.
func FuzzStep(f *testing.F) {
	fx := fixtures(f)
	amended := fx["proposed"].Clone()
	if err := amended.DoAmend(mo, 1, amended.Terms, "", start); err != nil {
		f.Fatal(err)
	}
	contracts := []*contract.Contract{nil, fx["draft"], fx["proposed"], fx["changes_requested"], fx["active"], amended}
	kinds := []InputKind{TextInput, CommandInput, ActionInput, SubmitInput, DueInput, "bogus"}
	users := []string{lee, mo, sam, ""}

	ids := []ActionID{ActionApprove, ActionRequestChanges, ActionAmend, ActionRevise, ActionAccept, ActionCounter,
		ActionSend, ActionOpen, ActionStartNew, ActionResume, ActionUseSuggestion, ActionKeepMine, ActionAddGoal,
		ActionGoalsDone, ActionGoalsOver, ActionSkip, ActionKeep, ActionWeekly, ActionFortnightly, ActionEditGoals}
	for i, id := range ids {
		f.Add(uint8(2), uint8(i), uint8(i), string(StateGoalCoach), "", string(id), "c=c1&v=1", "")
	}
	for _, text := range []string{"help", "back", "skip", "cancel", "resume", "status", "list", "new", "hi", "edit goals",
		"edit", "send", "<@UMO>", "every 3 weeks", "in 6 weeks", "a; b; c", ""} {
		for _, st := range []State{StateTitle, StateGoal, StateGoalCoach, StateMastery, StateGoals, StateDeadline, StateSummary, StateStopped, "nonsense"} {
			f.Add(uint8(0), uint8(1), uint8(0), string(st), text, "", "", string(StateTitle))
		}
	}
	f.Add(uint8(3), uint8(2), uint8(1), "", "whenever", CallbackAmend, "c=c1&v=1&ch=D&ts=1", "")
	f.Add(uint8(3), uint8(2), uint8(1), "", "", CallbackRequestChanges, "c=c1&v=1", "")

	f.Fuzz(func(t *testing.T, kind, fixture, user uint8, state, text, id, value, back string) {
		c := contracts[int(fixture)%len(contracts)]
		var before []byte
		if c != nil {
			before, _ = json.Marshal(c)
		}
		sess := Session{User: users[int(user)%len(users)], State: State(state), ContractID: "c1",
			Back: []State{State(back), StateTitle}}
		if state == string(StateGoalCoach) && len(text)%2 == 0 {
			sess.Pending = &Pending{Original: text, Suggestion: value}
		}
		in := Input{Kind: kinds[int(kind)%len(kinds)], User: sess.User, Channel: "D", Text: text,
			ActionID: id, Value: value, TriggerID: "t", CallbackID: id, PrivateData: value,
			Form: map[string]string{FieldComments: text, FieldTitle: text, FieldGoals: text, FieldActivity: text,
				FieldEvidence: text, FieldCriteria: text, FieldDeadline: text, FieldComment: text},
			Source: MessageRef{Channel: "D", TS: "1.1"}}
		env := testEnv()
		env.Contracts = contracts[1:]
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
	})
}

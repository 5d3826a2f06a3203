package conversation

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

func testEnv() Env {
	n := 0
	return Env{Now: start, Platform: "slack", Team: "T1", Location: time.UTC, BotUser: "UBOT",
		NewID: func() string { n++; return "new" + string(rune('0'+n)) }}
}

func TestStepAnswersCommandsAnywhere(t *testing.T) {
	fx := fixtures(t)
	draft := fx["draft"]
	sess := Session{User: lee, State: StateGoal, ContractID: draft.ID, Back: []State{StateTitle}}
	tests := []struct {
		name  string
		in    Input
		state State  // the state after the turn
		says  string // in the reply
	}{
		{"help", Input{Kind: TextInput, Text: "help"}, StateGoal, "Right now you're writing your goals."},
		{"help shouting", Input{Kind: TextInput, Text: "  HELP! "}, StateGoal, "Here's what you can type here"},
		{"help command", Input{Kind: CommandInput, Text: "help"}, StateGoal, "Here's what you can type here"},
		{"question mark", Input{Kind: TextInput, Text: " ? "}, StateGoal, "Here's what you can type here"},
		{"empty command", Input{Kind: CommandInput, Text: ""}, StateGoal, "Here's what you can type here"},
		{"back", Input{Kind: TextInput, Text: "Back"}, StateTitle, "what you entered is kept"},
		{"skip required", Input{Kind: TextInput, Text: "skip"}, StateGoal, "I can't skip the goals"},
		{"cancel", Input{Kind: CommandInput, Text: "cancel"}, StateStopped, "Type resume"},
		{"status", Input{Kind: TextInput, Text: "status"}, StateGoal, "Still needed before it can be sent"},
		{"edit deadline", Input{Kind: TextInput, Text: "edit deadline"}, StateDeadline, "By when?"},
		{"edit unknown", Input{Kind: TextInput, Text: "edit the vibes"}, StateGoal, "Which part would you like to change?"},
		{"new asks first", Input{Kind: TextInput, Text: "new"}, StateGoal, "You have a draft in progress"},
		{"greeting", Input{Kind: TextInput, Text: "Hi"}, StateGoal, "Welcome back"},
		{"unknown command", Input{Kind: CommandInput, Text: "dance"}, StateGoal, "I don't know that command"},
		{"empty text", Input{Kind: TextInput, Text: "   "}, StateGoal, "I didn't catch that"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.User, in.Channel = lee, "DULEE"
			res := Step(testEnv(), sess, draft, in)
			if res.Session.State != tc.state {
				t.Errorf("state %q, want %q", res.Session.State, tc.state)
			}
			if res.Contract != nil {
				t.Errorf("a command changed the contract")
			}
			if got := repliesText(res); !strings.Contains(got, tc.says) {
				t.Errorf("reply %q does not say %q", got, tc.says)
			}
		})
	}
}

func TestStepGentleHintAtButtonSteps(t *testing.T) {
	fx := fixtures(t)
	c := fx["draft"].Clone()
	c.Terms.Goals = []contract.Goal{{Text: "Run three design reviews using a checklist the team adopts"}}
	for _, st := range []State{StateGoals, StateSummary, StateCadence, StateStopped} {
		t.Run(string(st), func(t *testing.T) {
			sess := Session{User: lee, State: st, ContractID: c.ID, Back: []State{StateTitle}}
			res := Step(testEnv(), sess, c, Input{Kind: TextInput, User: lee, Text: "purple monkey dishwasher"})
			if res.Contract != nil || res.Session.State != st {
				t.Errorf("text at a button step changed things: state %q, contract %v", res.Session.State, res.Contract != nil)
			}
			if len(res.Effects) != 1 {
				t.Fatalf("effects %+v", res.Effects)
			}
			if _, ok := res.Effects[0].(Reply); !ok {
				t.Errorf("answered with %T, want a Reply", res.Effects[0])
			}
		})
	}
}

func TestStepDecisionsAreCheckedFirst(t *testing.T) {
	fx := fixtures(t)
	click := func(user string, id ActionID, c *contract.Contract, version int) Input {
		return Input{Kind: ActionInput, User: user, Channel: "D" + user, ActionID: string(id), TriggerID: "t",
			Value: ActionValue{ContractID: c.ID, Version: version}.Encode(), Source: MessageRef{Channel: "D" + user, TS: "1.1"}}
	}
	tests := []struct {
		name string
		c    *contract.Contract
		in   Input
		says string
	}{
		{"stranger approves", fx["proposed"], click(sam, ActionApprove, fx["proposed"], 1), "Only @UMO can approve this contract."},
		{"learner approves", fx["proposed"], click(lee, ActionApprove, fx["proposed"], 1), "Only @UMO can approve this contract."},
		{"stranger requests changes", fx["proposed"], click(sam, ActionRequestChanges, fx["proposed"], 1), "Only @UMO can request changes to this contract."},
		{"stranger amends", fx["proposed"], click(sam, ActionAmend, fx["proposed"], 1), "Only @UMO can propose an amendment to this contract."},
		{"stale approve", fx["active"], click(mo, ActionApprove, fx["active"], 1), "This was for version 1; the contract is at version 2 now."},
		{"approve active", fx["active"], click(mo, ActionApprove, fx["active"], 2), "This contract is already active."},
		{"amend active", fx["active"], click(mo, ActionAmend, fx["active"], 2), "This contract is already active."},
		{"approve after changes requested", fx["changes_requested"], click(mo, ActionApprove, fx["changes_requested"], 1), "Changes were requested on this version"},
		{"learner signs own proposal", fx["proposed"], click(lee, ActionAccept, fx["proposed"], 1), "You've already signed version 1. Waiting for @UMO."},
		{"counter own proposal", fx["proposed"], click(lee, ActionCounter, fx["proposed"], 1), "There's no amendment to counter"},
		{"stranger revises", fx["changes_requested"], click(sam, ActionRevise, fx["changes_requested"], 1), "Only @ULEE can revise this contract."},
		{"stranger sends", fx["draft"], click(sam, ActionSend, fx["draft"], 0), "Only @ULEE can send this contract."},
		{"missing contract", nil, click(mo, ActionApprove, fx["proposed"], 1), "I can't find that contract"},
		{"unreadable value", fx["proposed"], Input{Kind: ActionInput, User: mo, ActionID: string(ActionApprove), Value: "%%%"}, "I couldn't tell which contract"},
		{"unknown button", fx["proposed"], Input{Kind: ActionInput, User: mo, ActionID: "lp_nope"}, "I don't know that button any more"},
		{"expired form", nil, Input{Kind: SubmitInput, User: mo, CallbackID: "old_form"}, "That form has expired"},
		{"stale form", fx["active"], Input{Kind: SubmitInput, User: mo, CallbackID: CallbackRequestChanges,
			PrivateData: ActionValue{ContractID: fx["active"].ID, Version: 1}.Encode(), Form: map[string]string{FieldComments: "x"}},
			"This was for version 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sess := Session{User: tc.in.User}
			res := Step(testEnv(), sess, tc.c, tc.in)
			if res.Contract != nil {
				t.Error("a refused decision changed the contract")
			}
			if !reflect.DeepEqual(res.Session, sess) {
				t.Errorf("a refused decision changed the session: %+v", res.Session)
			}
			effects := res.Effects
			if strings.HasPrefix(tc.says, "This was for version") && tc.in.Kind == ActionInput {
				// The card of an earlier version shows that in place of
				// its buttons.
				if n := len(effects); n != 2 {
					t.Fatalf("effects %+v, want an answer and the card updated", effects)
				}
				u, ok := effects[1].(Update)
				if !ok || u.Ref != tc.in.Source || len(messagetest.Buttons(u.Message)) > 0 ||
					!strings.Contains(messagetest.Text(u.Message), tc.says) {
					t.Errorf("the clicked card was not updated to say %q: %+v", tc.says, effects[1])
				}
				effects = effects[:1]
			}
			if len(effects) != 1 {
				t.Fatalf("effects %+v", effects)
			}
			e, ok := effects[0].(Ephemeral)
			if !ok {
				t.Fatalf("answered with %T, want Ephemeral", res.Effects[0])
			}
			if got := messagetest.Text(e.Message); !strings.Contains(got, tc.says) {
				t.Errorf("said %q, want %q", got, tc.says)
			}
		})
	}
}

func TestStepKeepsRevAndInput(t *testing.T) {
	fx := fixtures(t)
	c := fx["proposed"]
	before, _ := json.Marshal(c)
	in := Input{Kind: ActionInput, User: mo, ActionID: string(ActionApprove), Value: value(c), Source: MessageRef{Channel: "DUMO", TS: "9.9"}}
	res := Step(testEnv(), Session{User: mo}, c, in)
	after, _ := json.Marshal(c)
	if string(before) != string(after) {
		t.Error("Step changed the contract it was given")
	}
	if res.Contract == nil || res.Contract.Status != contract.Active {
		t.Fatalf("approval did not activate: %+v", res.Contract)
	}
	if res.Contract.Rev != c.Rev {
		t.Errorf("rev %d, want the loaded rev %d", res.Contract.Rev, c.Rev)
	}
	var upd, sent bool
	for _, ef := range res.Effects {
		switch ef := ef.(type) {
		case Update:
			upd = ef.Ref == in.Source && len(messagetest.Buttons(ef.Message)) == 0
		case Send:
			sent = ef.User == lee
		}
	}
	if !upd || !sent {
		t.Errorf("want the card updated without buttons and the learner told: %+v", res.Effects)
	}
}

func TestStepSessionOfDeletedContract(t *testing.T) {
	sess := Session{User: lee, State: StateEvidence, ContractID: "gone", Back: []State{StateTitle}}
	res := Step(testEnv(), sess, nil, Input{Kind: TextInput, User: lee, Text: "A write-up"})
	if res.Session.ContractID != "" || res.Session.State != StateIdle || res.Contract != nil {
		t.Errorf("session %+v", res.Session)
	}
	if !strings.Contains(repliesText(res), "Type new to start one") {
		t.Errorf("reply %q", repliesText(res))
	}
}

func TestStepDueInputWithoutContract(t *testing.T) {
	sess := Session{User: lee}
	res := Step(testEnv(), sess, nil, Input{Kind: DueInput, User: lee, DueKind: "checkin"})
	if len(res.Effects) != 0 || res.Contract != nil || !reflect.DeepEqual(res.Session, sess) {
		t.Errorf("result %+v", res)
	}
}

func TestStepAmendWithBadDeadlineChangesNothing(t *testing.T) {
	fx := fixtures(t)
	c := fx["proposed"]
	for _, d := range []string{"whenever", "2020-01-01", "2099-01-01"} {
		in := Input{Kind: SubmitInput, User: mo, CallbackID: CallbackAmend,
			PrivateData: ActionValue{ContractID: c.ID, Version: 1, Ref: MessageRef{Channel: "DUMO", TS: "1.2"}}.Encode(),
			Form:        map[string]string{contract.FieldDeadline: d}}
		res := Step(testEnv(), Session{User: mo}, c, in)
		if res.Contract != nil || len(res.Effects) != 1 {
			t.Fatalf("%s: result %+v", d, res)
		}
		e, ok := res.Effects[0].(Ephemeral)
		if !ok || !strings.Contains(messagetest.Text(e.Message), d) {
			t.Errorf("%s: answer %+v", d, res.Effects[0])
		}
		if b := messagetest.Buttons(e.Message); len(b) != 1 || b[0].ActionID != string(ActionAmend) {
			t.Errorf("%s: no way to open the form again: %+v", d, b)
		} else if v, err := ParseActionValue(b[0].Value); err != nil || v.Ref.TS != "1.2" {
			t.Errorf("%s: the retry button lost the card to update: %+v %v", d, v, err)
		}
	}
}

func TestNeedsList(t *testing.T) {
	tests := []struct {
		in   Input
		want bool
	}{
		{Input{Kind: TextInput, Text: "list"}, true},
		{Input{Kind: TextInput, Text: " LIST "}, true},
		{Input{Kind: CommandInput, Text: "list"}, true},
		{Input{Kind: TextInput, Text: "list of books"}, false},
		{Input{Kind: ActionInput, ActionID: "list"}, false},
		{Input{Kind: TextInput, Text: "help"}, true}, // an approver's help says how they decide
		{Input{Kind: CommandInput, Text: ""}, true},
		{Input{Kind: TextInput, Text: "status"}, true}, // no contract in the dialog: one may have been drafted for them
		{Input{Kind: DueInput, DueKind: "digest"}, true},
		{Input{Kind: DueInput, DueKind: "checkin"}, false},
	}
	for _, tc := range tests {
		if got := NeedsList(Session{}, tc.in); got != tc.want {
			t.Errorf("NeedsList(%+v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if NeedsList(Session{ContractID: "c1"}, Input{Kind: TextInput, Text: "status"}) {
		t.Error("status of the dialog's contract loads the list")
	}
}

const teamsID = "29:1vR8bTqmLw0XqV2hVx7TuKvQ2s9r1WZk6jHnJ3yP0aB4cD5eF6gH7iJ8kL9mN0oP1qR2sT3uV4wX5yZ6aB7cD8eF9gH0iJ"

func TestParseApprover(t *testing.T) {
	tests := []struct {
		text, want string
		err        error
	}{
		{"<@UMO>", "UMO", nil},
		{"<@UMO|mo>", "UMO", nil},
		{"it's <@W0123ABC|Mo Jones> please", "W0123ABC", nil},
		{"Mo", "", errNoMention},
		{"@Mo", "", errNoMention},
		{"<@ULEE>", "", errSelf},
		{"<@UBOT>", "", errBot},
		{"<@B0123>", "", errBot},
		{"<@USLACKBOT>", "", errBot},
		{"<@>", "", errNoMention},
		// Teams user ids are long: "29:" and about 90 more characters.
		{"<@" + teamsID + "|Mo>", teamsID, nil},
		{"<@" + strings.Repeat("x", 257) + ">", "", errNoMention},
	}
	for _, tc := range tests {
		p, err := readPeople(tc.text, StateApprover)
		got := p.approver
		if err == nil {
			err = checkPerson(got, lee, "UBOT")
		}
		if err != nil {
			got = ""
		}
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("reading the approver of %q = %q, %v; want %q, %v", tc.text, got, err, tc.want, tc.err)
		}
	}
}

func TestParseCadence(t *testing.T) {
	tests := []struct {
		text string
		want contract.Cadence
		ok   bool
	}{
		{"weekly", 7, true}, {"Fortnightly", 14, true}, {"biweekly", 14, true}, {"every 10 days", 10, true},
		{"every 3 weeks", 21, true}, {"every other week", 14, true}, {"every day", 1, true},
		{"every 0 days", 0, false}, {"every 400 days", 0, false}, {"sometimes", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseCadence(tc.text)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseCadence(%q) = %d, %v; want %d, %v", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"a; b; c", []string{"a", "b", "c"}},
		{"- a\n- b\n\n", []string{"a", "b"}},
		{"1. first\n2) second", []string{"first", "second"}},
		{"https://x.test/a;b", []string{"https://x.test/a;b"}},
		{" ; \n ", nil},
	}
	for _, tc := range tests {
		if got := splitList(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitList(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestGoalLinesRoundTrip(t *testing.T) {
	goals := []contract.Goal{{Text: "Explain X"}, {Text: "Build Y (a tool)", Mastery: "a demo"}}
	var lines []string
	for _, g := range goals {
		lines = append(lines, goalLine(g))
	}
	if got := goalsFrom(lines); !reflect.DeepEqual(got, goals) {
		t.Errorf("round trip %+v, want %+v", got, goals)
	}
}

func repliesText(res Result) string {
	var b strings.Builder
	for _, ef := range res.Effects {
		if r, ok := ef.(Reply); ok {
			b.WriteString(messagetest.Text(r.Message))
		}
	}
	return b.String()
}

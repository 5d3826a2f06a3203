package conversation

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

func TestActionValueKeepsThePrompt(t *testing.T) {
	v := ActionValue{ContractID: "c1", Version: 2, Prompt: checkInPrompt(&contract.Contract{CheckIns: make([]contract.CheckIn, 3)})}
	got, err := ParseActionValue(v.Encode())
	if err != nil || got != v {
		t.Errorf("round trip %+v, %v; want %+v", got, err, v)
	}
	// A card posted before prompts were named still reads.
	old, err := ParseActionValue("c=c1&v=2")
	if err != nil || old.Prompt != "" || old.Version != 2 {
		t.Errorf("an old card's value read as %+v, %v", old, err)
	}
	if _, err := ParseActionValue("c=c1&v=2&p=" + strings.Repeat("x", maxPrompt+1)); err == nil {
		t.Error("an overlong prompt was read")
	}
	if n, ok := checkInsBefore("ci:-1"); ok {
		t.Errorf("a negative count read as %d", n)
	}
}

// checkInClick is Lee clicking a check-in button on a card whose value is
// val, on a message only Lee sees (a Slack ephemeral card).
func checkInClick(id ActionID, val string) Input {
	return Input{Kind: ActionInput, User: lee, Channel: "DULEE", ActionID: string(id), Value: val,
		Source: MessageRef{Channel: "DULEE", ReplaceURL: "https://hooks.example/1"}}
}

func TestCheckInCardsAnswerTheirPrompt(t *testing.T) {
	fx := fixtures(t)
	prompted := fx["prompted"] // a check-in prompt is waiting, none answered
	answered := prompted.Clone()
	if err := answered.DoCheckIn(lee, contract.Blocked, start.AddDate(0, 0, 8)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *contract.Contract
		val  string
		ok   bool
	}{
		{"the prompt waiting", prompted, promptValue(prompted, checkInPrompt(prompted)), true},
		{"answered since", answered, promptValue(answered, checkInPrompt(prompted)), false},
		{"an old card, a prompt waiting", prompted, value(prompted), true},
		{"an old card, answered since", answered, value(answered), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Step(testEnv(), Session{User: lee}, tc.c, checkInClick(ActionOnTrack, tc.val))
			if got := res.Contract != nil; got != tc.ok {
				t.Fatalf("check-in recorded: %v, want %v (effects %+v)", got, tc.ok, res.Effects)
			}
			if tc.ok {
				return
			}
			var told, updated bool
			for _, ef := range res.Effects {
				switch ef := ef.(type) {
				case Ephemeral:
					told = strings.Contains(messagetest.Text(ef.Message), "You've checked in since this was sent: Blocked")
				case Update:
					updated = ef.Ref.ReplaceURL != "" && len(messagetest.Buttons(ef.Message)) == 0
				}
			}
			if !told || !updated {
				t.Errorf("told privately %v, card replaced %v: %+v", told, updated, res.Effects)
			}
		})
	}
}

func TestSuggestionCardsAnswerTheirGoal(t *testing.T) {
	draft := fixtures(t)["draft"]
	p := &Pending{Original: "hepl", Suggestion: "Explain hepl"}
	s := Session{User: lee, State: StateGoalCoach, ContractID: draft.ID, Pending: p}
	click := func(id ActionID, prompt string) Result {
		return Step(testEnv(), s, draft, Input{Kind: ActionInput, User: lee, Channel: "DULEE", ActionID: string(id),
			Value: promptValue(draft, prompt), Source: MessageRef{Channel: "DULEE", TS: "1.1"}})
	}
	older := suggestionPrompt(&Pending{Original: "get better at presenting", Suggestion: "Present a talk"})
	for _, id := range []ActionID{ActionUseSuggestion, ActionKeepMine} {
		if res := click(id, older); res.Contract != nil || res.Session.Pending == nil {
			t.Errorf("%s on an older card saved %+v", id, res.Contract)
		}
		if res := click(id, ""); res.Contract != nil {
			t.Errorf("%s on a card from before suggestions were named saved %+v", id, res.Contract)
		}
	}
	res := click(ActionUseSuggestion, suggestionPrompt(p))
	if res.Contract == nil || len(res.Contract.Terms.Goals) != 1 || res.Contract.Terms.Goals[0].Text != "Explain hepl" {
		t.Errorf("Use suggestion on the latest card: %+v", res.Contract)
	}
}

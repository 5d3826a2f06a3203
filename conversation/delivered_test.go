package conversation

import (
	"reflect"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

// A due check-in is queued with the turn; the turn that confirms the
// platform took its message makes it sent, once.
func TestDeliveredConfirmsNudge(t *testing.T) {
	fx := fixtures(t)
	env := testEnv()
	env.Now = env.Now.AddDate(0, 0, 7)
	due := Step(env, Session{User: lee}, fx["active"], Input{Kind: DueInput, User: lee, DueKind: string(contract.DueCheckIn), Contract: "c1"})
	if due.Contract == nil || len(due.Effects) != 1 {
		t.Fatalf("due check-in: saved %v, effects %+v", due.Contract != nil, due.Effects)
	}
	send, ok := due.Effects[0].(Send)
	if !ok || send.Nudge == nil {
		t.Fatalf("the check-in names no nudge to confirm: %+v", due.Effects[0])
	}
	if n := due.Contract.SentCount(contract.DueCheckIn); n != 0 || len(due.Contract.Queued) != 1 {
		t.Fatalf("after the due turn: %d sent, queued %v; want queued, not sent", n, due.Contract.Queued)
	}
	if n := *send.Nudge; n.Contract != "c1" || n.User != lee || n.Kind != string(contract.DueCheckIn) || n.At.IsZero() {
		t.Errorf("nudge %+v", n)
	}

	env.Now = env.Now.Add(3e9)
	in := send.Nudge.Input()
	first := Step(env, due.Session, due.Contract, in)
	if first.Contract == nil || len(first.Effects) != 0 {
		t.Fatalf("confirmation: saved %v, effects %+v", first.Contract != nil, first.Effects)
	}
	if n := first.Contract.SentCount(contract.DueCheckIn); n != 1 || len(first.Contract.Queued) != 0 {
		t.Fatalf("after the confirmation: %d sent, queued %v", n, first.Contract.Queued)
	}
	if !reflect.DeepEqual(first.Session, due.Session) {
		t.Errorf("the confirmation changed the session: %+v, was %+v", first.Session, due.Session)
	}
	if got, want := first.Contract.Plan(env.Now), due.Contract.Plan(env.Now); !reflect.DeepEqual(got, want) {
		t.Errorf("the confirmation changed the plan: %v, was %v", got, want)
	}

	// A second confirmation (the message was delivered again) changes
	// nothing, and neither does one for another contract.
	again := Step(env, first.Session, first.Contract, in)
	if again.Contract != nil || len(again.Effects) != 0 {
		t.Errorf("a second confirmation: saved %v, effects %+v", again.Contract != nil, again.Effects)
	}
	other := in
	other.Contract = "c2"
	if res := Step(env, due.Session, due.Contract, other); res.Contract != nil || len(res.Effects) != 0 {
		t.Errorf("a confirmation for another contract: saved %v, effects %+v", res.Contract != nil, res.Effects)
	}
}

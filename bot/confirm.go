package bot

import (
	"context"

	"github.com/learnpact/learnpact/conversation"
)

// A nudge (a check-in, a reminder) counts as sent only once the platform
// took its message. A turn that sends one queues it in the contract and
// marks its message with a conversation.Nudge; once the platform took the
// message, a turn of its own (conversation.DeliveredInput, see
// Confirmation) records it as sent, through Engine.Handle like any other
// turn: loaded, stepped and saved with the revision check, so it holds
// across replicas and restarts, and a second confirmation changes nothing.
//
// A platform with an outbox (Queuer) keeps the nudge with the message's
// outbox item and runs the confirmation after the platform took the
// message and before it settles the item: when the confirmation fails
// (the store is down), the item stays unsettled like any message whose
// settling failed, so it is delivered again once its lease runs out (at
// least once) and confirmed then. A nudge the platform did not queue (no
// outbox) is confirmed by the engine once SendDM returned.

// Confirmation is the turn that records that platform p took the message
// of nudge n, on team's workspace. Adapters run it with the engine's
// Handle.
func Confirmation(p Platform, team string, n conversation.Nudge) Turn {
	return Turn{Platform: p, Team: team, Input: n.Input()}
}

// NudgeOf returns the nudge an effect's message is, or nil.
func NudgeOf(ef conversation.Effect) *conversation.Nudge {
	if s, ok := ef.(conversation.Send); ok {
		return s.Nudge
	}
	return nil
}

// clockStarted reports a turn nobody started: a due item, or the record
// of a delivery. Nobody is apologised to when it fails.
func clockStarted(in conversation.Input) bool {
	return in.Kind == conversation.DueInput || recordsDelivery(in)
}

// recordsDelivery reports a turn that records what the platform took: a
// nudge's message (DeliveredInput), a shared draft's post (PostedInput).
func recordsDelivery(in conversation.Input) bool {
	return in.Kind == conversation.DeliveredInput || in.Kind == conversation.PostedInput
}

// confirm runs the confirmation of a nudge carried out directly, once
// SendDM returned.
func (e *Engine) confirm(ctx context.Context, t Turn, n *conversation.Nudge) error {
	if n == nil {
		return nil
	}
	return e.Handle(ctx, Confirmation(t.Platform, t.Team, *n))
}

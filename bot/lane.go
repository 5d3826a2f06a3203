package bot

import (
	"context"

	"github.com/learnpact/learnpact/conversation"
)

// Lane says how soon a message should go out. Replies to what a person has
// just done go before the clock's nudges and digests: a backlog of
// scheduled messages must never hold up someone's answer to their own
// click.
type Lane int

const (
	// LaneReply carries the answers to a person's own message, click or
	// command, and anything else a person-started turn sends.
	LaneReply Lane = iota
	// LaneNudge carries what a scheduled turn sends: check-ins, reminders
	// and digests.
	LaneNudge
)

// String names the lane for logs and stored messages.
func (l Lane) String() string {
	if l == LaneNudge {
		return "nudge"
	}
	return "reply"
}

// LaneOf is the lane of everything a turn started by in sends.
func LaneOf(in conversation.Input) Lane {
	if in.Kind == conversation.DueInput {
		return LaneNudge
	}
	return LaneReply
}

type laneKey struct{}

// WithLane marks ctx as carrying the sends of a turn in lane l. The engine
// sets it around the effects of each turn, so a Platform that queues
// messages can tell replies from nudges.
func WithLane(ctx context.Context, l Lane) context.Context {
	return context.WithValue(ctx, laneKey{}, l)
}

// LaneFrom is the lane ctx carries; LaneReply when none was set.
func LaneFrom(ctx context.Context) Lane {
	l, _ := ctx.Value(laneKey{}).(Lane)
	return l
}

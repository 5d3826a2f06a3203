package bot

import (
	"context"
	"testing"

	"github.com/learnpact/learnpact/conversation"
)

func TestLaneOf(t *testing.T) {
	for kind, want := range map[conversation.InputKind]Lane{
		conversation.TextInput:    LaneReply,
		conversation.ActionInput:  LaneReply,
		conversation.CommandInput: LaneReply,
		conversation.SubmitInput:  LaneReply,
		conversation.ThreadInput:  LaneReply,
		conversation.JoinInput:    LaneReply,
		conversation.DueInput:     LaneNudge,
	} {
		if got := LaneOf(conversation.Input{Kind: kind}); got != want {
			t.Errorf("LaneOf(%s) = %s, want %s", kind, got, want)
		}
	}
}

func TestLaneTravelsInContext(t *testing.T) {
	ctx := context.Background()
	if got := LaneFrom(ctx); got != LaneReply {
		t.Errorf("LaneFrom(empty) = %s, want reply", got)
	}
	if got := LaneFrom(WithLane(ctx, LaneNudge)); got != LaneNudge {
		t.Errorf("LaneFrom(WithLane(nudge)) = %s, want nudge", got)
	}
}

package slack

import (
	"context"
	"time"

	"github.com/learnpact/learnpact/bot"
)

// An event is acknowledged once its turn is safe: saved, or found applied
// already (a redelivery), or with nothing to save. The inbound handler
// queues the turn and waits for that (a bot.Ack) at most AckWait, well
// inside the 3 s Slack allows; a turn that failed before its save, or was
// not saved in time, is refused so Slack delivers it again, and the
// redelivery, carrying the same event id, is not applied twice.

const (
	// defaultAckWait is how long an inbound handler waits for its turn to
	// be saved before it refuses the event: Slack gives up after 3 s.
	defaultAckWait = 2500 * time.Millisecond
	// slackRetries is how often Slack delivers an event again after the
	// first delivery was refused (X-Slack-Retry-Num 1 to 3).
	slackRetries = 3
)

// await waits for a queued turn to be safe (see bot.Ack.Wait), at most
// AckWait.
func (a *Adapter) await(ctx context.Context, ack *bot.Ack) error {
	return ack.Wait(ctx, a.cfg.AckWait)
}

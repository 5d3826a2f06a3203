package teams

import (
	"context"

	"github.com/learnpact/learnpact/bot"
)

// confirm runs the turn that records j's nudge as sent (see
// bot.Confirmation), once the connector took j; a job that is no nudge needs
// none. The outbox settles j only after it succeeded: when it fails, j is
// delivered again once its lease runs out, and confirmed then.
func (a *Adapter) confirm(ctx context.Context, j job) error {
	if j.Nudge == nil {
		return nil
	}
	return a.handle(ctx, bot.Confirmation(a, j.Team, *j.Nudge))
}

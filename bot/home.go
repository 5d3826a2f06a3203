package bot

import (
	"context"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// HomePublisher is implemented by platforms with a home page per person
// (Slack's App Home tab).
type HomePublisher interface {
	PublishHome(ctx context.Context, user string, view message.Message) error
}

// refreshHomes publishes the home of each party of c, which a turn just
// saved, so that what their homes show stays true. It is best effort: a
// home that cannot be refreshed now is next time the person opens it.
func (e *Engine) refreshHomes(ctx context.Context, t Turn, c *contract.Contract) {
	h, ok := t.Platform.(HomePublisher)
	if !ok || c == nil {
		return
	}
	for _, user := range c.Parties() {
		if user == "" {
			continue
		}
		cs, err := e.list(ctx, storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: user})
		if err == nil {
			err = h.PublishHome(ctx, user, conversation.HomeView(user, cs, e.now()))
		}
		if err != nil {
			e.log(ctx).Warn("home not refreshed", "user", user, "contract", c.ID, "err", err)
		}
	}
}

// homeChanged reports whether a turn that saved after (loaded as before,
// nil for a new contract) changed what a home shows of it: its title,
// status, version, parties, check-ins or scheduled messages.
func homeChanged(before, after *contract.Contract) bool {
	switch {
	case after == nil:
		return false
	case before == nil:
		return true
	}
	return before.Status != after.Status || before.Version != after.Version ||
		before.InForce().Title != after.InForce().Title || before.Approver != after.Approver ||
		before.Advocate != after.Advocate || len(before.CheckIns) != len(after.CheckIns) ||
		len(before.Nudges) != len(after.Nudges) || !before.CompletedAt.Equal(after.CompletedAt)
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

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

// homeContracts is how many of a person's latest contracts a refreshed
// home shows: each costs a store read, and a home lists a dozen of each
// kind.
const homeContracts = 40

// homeOpenFor is how long after a person opened their home it is refreshed
// after their contracts change: Slack publishes the home afresh each time
// it is opened, so only a home that may still be on screen needs it.
const homeOpenFor = 30 * time.Minute

// refreshHomes publishes the home of each party of c, which a person's
// turn just saved, when that party opened their home in this process
// within homeOpenFor, so that what it shows stays true. Turns the clock
// started (due items, deliveries recorded) refresh nothing. It is best
// effort: a home that cannot be refreshed now is next time it is opened.
func (e *Engine) refreshHomes(ctx context.Context, t Turn, c *contract.Contract) {
	h, ok := t.Platform.(HomePublisher)
	if !ok || c == nil || clockStarted(t.Input) {
		return
	}
	for _, user := range c.Parties() {
		key := storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: user}
		if user == "" || !e.homeOpen(key) {
			continue
		}
		cs, err := e.latest(ctx, key, homeContracts)
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
// status, version, parties or check-ins.
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
		!before.CompletedAt.Equal(after.CompletedAt)
}

// latest loads the user's n latest contracts (all for n ≤ 0), oldest
// first.
func (e *Engine) latest(ctx context.Context, key storage.UserKey, n int) ([]*contract.Contract, error) {
	ids, err := e.store.Contracts(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
	}
	if n > 0 {
		ids = ids[max(0, len(ids)-n):]
	}
	out := make([]*contract.Contract, 0, len(ids))
	for _, id := range ids {
		c, err := LoadContract(ctx, e.store, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// homeOpen reports whether key's home was opened within homeOpenFor,
// forgetting it otherwise.
func (e *Engine) homeOpen(key storage.UserKey) bool {
	v, ok := e.opened.Load(key)
	if !ok {
		return false
	}
	if e.now().Sub(v.(time.Time)) > homeOpenFor {
		e.opened.Delete(key)
		return false
	}
	return true
}

package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// HomePublisher is implemented by platforms with a home page per person
// (Slack's App Home tab).
type HomePublisher interface {
	PublishHome(ctx context.Context, user string, view message.Message) error
}

// homeContracts is how many of a person's latest contracts a home shows
// (opened or refreshed): each costs a store read, and a home lists a dozen of each
// kind.
const homeContracts = 40

// homeOpenFor is how long after a person opened their home it is refreshed
// after a change: Slack sends app_home_opened, and the home is published
// afresh, each time the tab is opened, so only a home that may still be on
// screen needs refreshing. Publishing everyone's home after every change
// would spend views.publish (about 100 a minute per workspace) on tabs
// nobody looks at, and a sweep of check-ins would reach thousands. When a
// person opened it is kept in the document store, so a replica other
// than the one that published the home refreshes it too.
const homeOpenFor = 30 * time.Minute

// homes keeps who opened their home recently and the refreshes under way.
type homes struct {
	// opened is what this process knows of each home (a homeSeen), by
	// platform user key: who opened theirs through it, and what the
	// store said lately of the others.
	opened sync.Map
	mu     sync.Mutex
	// busy are the homes being published now; again those that changed
	// meanwhile and are published once more when that is done.
	busy, again map[storage.UserKey]bool
}

// homeChange is what a saved turn did to one contract, for the homes that
// show it: the contract as loaded (nil for a new one) and as saved.
type homeChange struct {
	before, after *contract.Contract
}

// changeOf is the change a turn made to after, starting from the
// contract it loaded (which may be another one, when it started a new
// contract).
func changeOf(loaded, after *contract.Contract) *homeChange {
	if after == nil {
		return nil
	}
	if loaded != nil && loaded.ID != after.ID {
		loaded = nil
	}
	return &homeChange{before: loaded, after: after}
}

// refreshHomes publishes, once each, the home of everyone whose home shows
// ch's contract differently now (learner, approver, advocate, reviewers),
// when they opened it within homeOpenFor, so that what it shows stays
// true. It first keeps the index of reviews waiting for each reviewer. It
// is best effort: a failure is logged, never the turn's; a home that
// cannot be refreshed now is next time it is opened.
func (e *Engine) refreshHomes(ctx context.Context, t Turn, ch *homeChange) {
	if ch == nil {
		return
	}
	e.indexReviews(ctx, t.Platform.Name(), t.Team, ch)
	h, ok := t.Platform.(HomePublisher)
	if !ok {
		return
	}
	now := e.now()
	var users []string
	for _, u := range slices.Concat(conversation.HomeAudience(ch.before), conversation.HomeAudience(ch.after)) {
		if u == "" || slices.Contains(users, u) || !conversation.HomeShows(u, ch.before, ch.after, now) {
			continue
		}
		users = append(users, u)
	}
	for _, u := range users {
		key := storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: u}
		if e.homeOpen(ctx, key) {
			e.publishHome(ctx, t.Platform, h, key, nil)
		}
	}
}

// refreshMembers publishes the homes of a new learning set's members who
// opened theirs recently: the set shows in their homes now.
func (e *Engine) refreshMembers(ctx context.Context, t Turn, channel string) {
	h, ok := t.Platform.(HomePublisher)
	r, ok2 := t.Platform.(Roster)
	if !ok || !ok2 {
		return
	}
	info, err := r.Channel(ctx, channel)
	if err != nil {
		e.log(ctx).Warn("homes not refreshed: members unknown", "channel", channel, "err", err)
		return
	}
	for _, u := range info.Members {
		key := storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: u}
		if e.homeOpen(ctx, key) {
			e.publishHome(ctx, t.Platform, h, key, nil)
		}
	}
}

// publishHome publishes key's home: view when given (the home a turn
// built), else built afresh. A home already being published (by a turn
// running alongside) is marked to be built and published once more when
// that is done, rather than now: changes that come together cost one more
// publish, not one each, and the last one shows them all.
func (e *Engine) publishHome(ctx context.Context, p Platform, h HomePublisher, key storage.UserKey, view *message.Message) {
	e.homes.mu.Lock()
	if e.homes.busy[key] {
		e.homes.again[key] = true
		e.homes.mu.Unlock()
		return
	}
	if e.homes.busy == nil {
		e.homes.busy, e.homes.again = map[storage.UserKey]bool{}, map[storage.UserKey]bool{}
	}
	e.homes.busy[key] = true
	e.homes.mu.Unlock()
	for {
		var err error
		if view == nil {
			var env conversation.Env
			if env, err = e.homeEnv(ctx, p, key); err == nil {
				err = h.PublishHome(ctx, key.User, conversation.HomeView(key.User, env))
			}
		} else {
			err = h.PublishHome(ctx, key.User, *view)
			view = nil
		}
		if err != nil {
			e.log(ctx).Warn("home not published", "user", key.User, "err", err)
		}
		e.homes.mu.Lock()
		if !e.homes.again[key] {
			delete(e.homes.busy, key)
			e.homes.mu.Unlock()
			return
		}
		delete(e.homes.again, key)
		e.homes.mu.Unlock()
	}
}

// homeEnv loads what key's home shows, as a turn that shows it would.
func (e *Engine) homeEnv(ctx context.Context, p Platform, key storage.UserKey) (conversation.Env, error) {
	env := conversation.Env{Platform: key.Platform, Team: key.Team, Now: e.now(), Templates: e.templates}
	var err error
	if env.Contracts, env.Older, err = e.latestOf(ctx, key, homeContracts); err != nil {
		return env, err
	}
	if env.Reviews, err = e.reviews(ctx, key); err != nil {
		return env, err
	}
	if env.Sets, err = e.sets(ctx, p, key.Team, ""); err != nil {
		return env, err
	}
	env.Examples = e.homeExamples(ctx, key, env.Contracts)
	return env, nil
}

// homeExamples finds a few examples from the library like the person's
// latest contract: none, logged, when the search fails; a home never
// waits on them.
func (e *Engine) homeExamples(ctx context.Context, key storage.UserKey, cs []*contract.Contract) []library.Example {
	need, ok := conversation.ExamplesFor(key.User, cs, conversation.HomeExamples)
	if !ok {
		return nil
	}
	es, err := e.examples(ctx, key.Platform, key.Team, need)
	if err != nil {
		e.log(ctx).Warn("examples not shown on the home", "user", key.User, "err", err)
	}
	return es
}

// latest loads the user's n latest contracts (all for n ≤ 0), oldest
// first.
func (e *Engine) latest(ctx context.Context, key storage.UserKey, n int) ([]*contract.Contract, error) {
	cs, _, err := e.latestOf(ctx, key, n)
	return cs, err
}

// latestOf is latest, and how many older contracts it left out.
func (e *Engine) latestOf(ctx context.Context, key storage.UserKey, n int) ([]*contract.Contract, int, error) {
	ids, err := e.store.Contracts(ctx, key)
	if err != nil {
		return nil, 0, fmt.Errorf("list contracts: %w", err)
	}
	older := 0
	if n > 0 && len(ids) > n {
		older, ids = len(ids)-n, ids[len(ids)-n:]
	}
	cs, err := e.load(ctx, ids)
	return cs, older, err
}

// load loads contracts by id, leaving out those no longer stored.
func (e *Engine) load(ctx context.Context, ids []string) ([]*contract.Contract, error) {
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

// homeOpenedKey is where the time a person last opened their home is
// kept, so that every replica refreshes it.
func homeOpenedKey(key storage.UserKey) string {
	return "home:" + key.Platform + ":" + key.Team + ":" + key.User
}

// openedHome records that key's person opened their home now: in this
// process, and in the document store for the other replicas.
func (e *Engine) openedHome(ctx context.Context, key storage.UserKey) {
	now := e.now()
	e.homes.opened.Store(key, homeSeen{opened: now, checked: now})
	if e.docs == nil {
		return
	}
	data, _ := json.Marshal(now) // a time always marshals
	if _, err := e.docs.PutDoc(ctx, homeOpenedKey(key), data, storage.AnyRev); err != nil {
		e.log(ctx).Warn("home opening not recorded", "user", key.User, "err", err)
	}
}

// homeRecheck is how long what the store said of a home stays known to a
// replica. A drafting conversation saves many turns a minute; reading
// each party's home opening at each one would cost a store round trip
// per party per turn, so a home opened through another replica is
// refreshed by changes from at most this long after it was opened.
const homeRecheck = 15 * time.Second

// homeSeen is what a replica knows of a person's home: when it was last
// opened (zero: not known to be), and when the store was last asked.
type homeSeen struct{ opened, checked time.Time }

// homeOpen reports whether key's home was opened within homeOpenFor:
// through this process, or else (a store read at most every homeRecheck)
// through another replica.
func (e *Engine) homeOpen(ctx context.Context, key storage.UserKey) bool {
	now := e.now()
	recent := func(at time.Time) bool { return !at.IsZero() && now.Sub(at) <= homeOpenFor }
	if v, ok := e.homes.opened.Load(key); ok {
		seen := v.(homeSeen)
		if recent(seen.opened) {
			return true
		}
		if now.Sub(seen.checked) < homeRecheck {
			return false
		}
		e.homes.opened.Delete(key)
	}
	if e.docs == nil {
		return false
	}
	data, _, err := e.docs.Doc(ctx, homeOpenedKey(key))
	var at time.Time
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		e.log(ctx).Warn("home opening unreadable", "user", key.User, "err", err)
		return false
	default:
		if err := json.Unmarshal(data, &at); err != nil {
			e.log(ctx).Warn("home opening unreadable", "user", key.User, "err", err)
			return false
		}
	}
	if recent(at) {
		e.homes.opened.Store(key, homeSeen{opened: at, checked: now})
		return true
	}
	e.homes.opened.Store(key, homeSeen{checked: now})
	return false
}

// Reviews waiting for a person are found through an index per reviewer
// (a document listing contract ids), since a reviewer is not a party and
// the contract is not in their contract list (which would let them open
// its record). The index is kept after each turn that changes whom a
// contract's review waits for; the home checks each contract it names,
// so an entry the index still holds by mistake shows nothing.

// maxReviewIndex bounds a reviewer's index: the newest are kept.
const maxReviewIndex = 50

// reviewsKey is where the ids of the contracts whose review waits for a
// person are kept.
func reviewsKey(key storage.UserKey) string {
	return "reviews:" + key.Platform + ":" + key.Team + ":" + key.User
}

// pendingReviewers are the reviewers c's current round waits for.
func pendingReviewers(c *contract.Contract) []string {
	if c == nil || c.Status != contract.InPeerReview {
		return nil
	}
	return c.Waiting()
}

// indexReviews adds ch's contract to the index of each reviewer it now
// waits for, and takes it from those it no longer waits for.
func (e *Engine) indexReviews(ctx context.Context, platform, team string, ch *homeChange) {
	if e.docs == nil {
		return
	}
	before, after := pendingReviewers(ch.before), pendingReviewers(ch.after)
	id := ch.after.ID
	for _, u := range slices.Concat(before, after) {
		add := slices.Contains(after, u)
		if add == slices.Contains(before, u) {
			continue
		}
		key := storage.UserKey{Platform: platform, Team: team, User: u}
		_, err := storage.UpdateDoc(ctx, e.docs, reviewsKey(key), func(ids *[]string, _ bool) (bool, error) {
			has := slices.Contains(*ids, id)
			switch {
			case add && !has:
				*ids = append(*ids, id)
				if len(*ids) > maxReviewIndex {
					*ids = (*ids)[len(*ids)-maxReviewIndex:]
				}
			case !add && has:
				*ids = slices.DeleteFunc(*ids, func(x string) bool { return x == id })
			default:
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			e.log(ctx).Warn("review index not updated", "user", u, "contract", id, "err", err)
		}
	}
}

// reviews loads the contracts whose review may wait for key's person.
func (e *Engine) reviews(ctx context.Context, key storage.UserKey) ([]*contract.Contract, error) {
	if e.docs == nil {
		return nil, nil
	}
	data, _, err := e.docs.Doc(ctx, reviewsKey(key))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reviews of %s: %w", key.User, err)
	}
	var ids []string
	if err := json.Unmarshal(data, &ids); err != nil {
		return nil, fmt.Errorf("decode reviews of %s: %w", key.User, err)
	}
	return e.load(ctx, ids)
}

package slack

import (
	"context"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
)

const (
	// tzTTL is how long a known time zone is used before it is fetched
	// again (in the background: the old one is used meanwhile).
	tzTTL = 12 * time.Hour
	// tzRetry is how long after a failed users.info the person's zone is
	// taken as unknown (UTC) without asking Slack again.
	tzRetry = time.Minute
	// tzTimeout bounds one users.info call, rate-limit waits included.
	tzTimeout = 10 * time.Second
	// tzWait is the most a turn waits for a zone being fetched: long
	// enough for a healthy users.info, so a newcomer's first turn usually
	// has their zone, and short enough that a slow Slack holds nobody up.
	tzWait = 300 * time.Millisecond
	// tzFetchers is how many users.info calls run at once (Tier 4); at
	// most tzQueue more wait, and a person past that is asked for again
	// on their next turn.
	tzFetchers = 4
	tzQueue    = 1024
)

// zones caches people's time zones, filled in the background from
// users.info, so that no turn waits for Slack longer than wait.
type zones struct {
	wait    time.Duration
	timeout time.Duration

	mu    sync.Mutex
	known map[string]zoneEntry
	// pending holds, per person whose zone is being fetched, a channel
	// closed when the fetch ends: concurrent turns share one call.
	pending map[string]chan struct{}
	queue   chan string
}

// zoneEntry is a fetched zone, or a failed fetch (loc nil), and when.
type zoneEntry struct {
	loc *time.Location
	at  time.Time
}

func newZones() zones {
	return zones{wait: tzWait, timeout: tzTimeout, known: map[string]zoneEntry{}, pending: map[string]chan struct{}{},
		queue: make(chan string, tzQueue)}
}

// Location returns the person's time zone from their Slack profile, as
// cached. It never waits for Slack longer than a moment (tzWait): while
// the zone is unknown, or Slack could not say (it is asked again a minute
// later), it is UTC, and a background fetch fills the cache for the next
// turn. A zone older than tzTTL is used while a fresh one is fetched. It
// fits bot.Locator.
func (a *Adapter) Location(ctx context.Context, user string) *time.Location {
	if user == "" {
		return time.UTC
	}
	now := a.now()
	z := &a.zones
	z.mu.Lock()
	e, ok := z.known[user]
	switch {
	case ok && e.loc != nil && now.Sub(e.at) < tzTTL:
		z.mu.Unlock()
		return e.loc
	case ok && e.loc != nil:
		a.fetchZoneLocked(user)
		z.mu.Unlock()
		return e.loc // stale, still the best guess
	case ok && now.Sub(e.at) < tzRetry:
		z.mu.Unlock()
		return time.UTC // Slack could not say a moment ago
	}
	done := a.fetchZoneLocked(user)
	z.mu.Unlock()
	if done != nil {
		t := time.NewTimer(z.wait)
		select {
		case <-done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	z.mu.Lock()
	e = z.known[user]
	z.mu.Unlock()
	if e.loc != nil {
		return e.loc
	}
	a.log.Debug("time zone not known yet, using UTC", "user", user)
	return time.UTC
}

// cachedLocation is the person's time zone as far as it is known without
// asking Slack, for answers that must come within Slack's 3 seconds (a
// modal submission): the cached zone, however old (a turn of theirs
// fetched it, usually the click that opened the modal), else UTC at once.
func (a *Adapter) cachedLocation(user string) *time.Location {
	z := &a.zones
	z.mu.Lock()
	defer z.mu.Unlock()
	if e, ok := z.known[user]; ok && e.loc != nil {
		return e.loc
	}
	return time.UTC
}

// fetchZoneLocked makes sure user's zone is being fetched and returns the
// channel closed when that fetch ends, or nil when none could be started
// (the queue is full, or the adapter is shut down). z.mu is held.
func (a *Adapter) fetchZoneLocked(user string) <-chan struct{} {
	z := &a.zones
	if done, ok := z.pending[user]; ok {
		return done
	}
	if a.bgCtx.Err() != nil {
		return nil
	}
	select {
	case z.queue <- user:
	default:
		a.log.Warn("too many time zones to fetch; asking again on a later turn", "user", user)
		return nil
	}
	done := make(chan struct{})
	z.pending[user] = done
	return done
}

// fetchZones runs users.info for the people queued until ctx ends.
func (a *Adapter) fetchZones(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case user := <-a.zones.queue:
			a.fetchZone(ctx, user)
		}
	}
}

func (a *Adapter) fetchZone(ctx context.Context, user string) {
	z := &a.zones
	ctx, cancel := context.WithTimeout(ctx, z.timeout)
	defer cancel()
	var u *slackapi.User
	err := a.retry(ctx, "users.info", func() (err error) {
		u, err = a.api.GetUserInfoContext(ctx, user)
		return err
	})
	e := zoneEntry{at: a.now()}
	switch {
	case err != nil:
		a.log.Warn("time zone unknown, using UTC for now", "user", user, "err", err, "retry_after", tzRetry)
	case u == nil || u.TZ == "":
		e.loc = time.UTC
	default:
		loc, err := time.LoadLocation(u.TZ)
		if err != nil {
			a.log.Warn("unknown time zone name, using UTC", "user", user, "tz", u.TZ)
			loc = time.UTC
		}
		e.loc = loc
	}
	z.mu.Lock()
	if prev, ok := z.known[user]; err != nil && ok && prev.loc != nil {
		// A failed refresh keeps the zone known before, dated so that
		// it is refreshed again tzRetry from now.
		e = zoneEntry{loc: prev.loc, at: e.at.Add(tzRetry - tzTTL)}
	}
	z.known[user] = e
	done := z.pending[user]
	delete(z.pending, user)
	z.mu.Unlock()
	if done != nil {
		close(done)
	}
}

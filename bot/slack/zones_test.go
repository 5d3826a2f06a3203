package slack

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// settled waits until no users.info is in flight for user.
func settled(t *testing.T, a *Adapter, user string) {
	t.Helper()
	a.zones.mu.Lock()
	done := a.zones.pending[user]
	a.zones.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("users.info for %s never ended", user)
	}
}

// within runs f, failing the test when it does not return in time: what
// must not wait for Slack.
func within[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	got := make(chan T, 1)
	go func() { got <- f() }()
	select {
	case v := <-got:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s waited for Slack", what)
		panic("unreachable")
	}
}

// holdUsersInfo makes users.info hang for the people in held until
// release is closed (or the caller gives up), and answer Europe/Berlin
// for everyone else; arrived receives each held call's user.
func holdUsersInfo(api *fakeAPI, release <-chan struct{}, arrived chan<- string, held ...string) {
	api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		user := r.PostForm.Get("user")
		for _, h := range held {
			if h == user {
				if arrived != nil {
					arrived <- user
				}
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
		}
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"tz":"Europe/Berlin"}}`, user)
	})
}

func usersInfoCalls(api *fakeAPI, user string) int {
	n := 0
	for _, c := range api.Calls("users.info") {
		if c.Form.Get("user") == user {
			n++
		}
	}
	return n
}

// TestLocation: a zone is fetched once, in the background, and cached;
// until it is known the answer is UTC.
func TestLocation(t *testing.T) {
	a, api := newOutbound(t)
	ctx := context.Background()
	a.Location(ctx, "U1")
	settled(t, a, "U1")
	for range 2 {
		if got := a.Location(ctx, "U1"); got.String() != "Europe/Berlin" {
			t.Errorf("location = %v", got)
		}
	}
	if n := len(api.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times, want 1 (cached)", n)
	}
	api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok":false,"error":"user_not_found"}`)
	})
	a.Location(ctx, "U2")
	settled(t, a, "U2")
	if got := a.Location(ctx, "U2"); got != time.UTC {
		t.Errorf("unknown user's location = %v, want UTC", got)
	}
}

// TestLocationDoesNotWaitForSlack: with users.info hanging for one
// person, asking for their zone returns UTC at once, however often it is
// asked, with one users.info call between them; other people's zones are
// fetched meanwhile; once Slack answers, the zone is known.
func TestLocationDoesNotWaitForSlack(t *testing.T) {
	api := newFakeAPI(t)
	release := make(chan struct{})
	holdUsersInfo(api, release, nil, "U1")
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api)
	a, ctx := h.a, context.Background()
	for range 3 {
		if got := within(t, "Location", func() *time.Location { return a.Location(ctx, "U1") }); got != time.UTC {
			t.Errorf("zone while users.info hangs = %v, want UTC", got)
		}
	}
	a.Location(ctx, "U2")
	settled(t, a, "U2")
	if got := within(t, "Location", func() *time.Location { return a.Location(ctx, "U2") }); got.String() != "Europe/Berlin" {
		t.Errorf("another person's zone = %v, want Europe/Berlin", got)
	}
	close(release)
	settled(t, a, "U1")
	if got := a.Location(ctx, "U1"); got.String() != "Europe/Berlin" {
		t.Errorf("zone after Slack answered = %v, want Europe/Berlin", got)
	}
	if n := usersInfoCalls(api, "U1"); n != 1 {
		t.Errorf("users.info called %d times for U1, want 1 (one fetch in flight per person)", n)
	}
}

// TestTurnsDoNotWaitForUsersInfo: with users.info hanging for one person,
// their turn and another person's turn (on the same single worker) are
// both answered, the first in UTC.
func TestTurnsDoNotWaitForUsersInfo(t *testing.T) {
	api := newFakeAPI(t)
	release := make(chan struct{})
	defer close(release)
	holdUsersInfo(api, release, nil, "U1")
	answered := make(chan string, 10)
	api.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		answered <- r.PostForm.Get("channel")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000100"}`, r.PostForm.Get("channel"))
	})
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api)
	h.postEvent(t, dmEvent("Ev1", "U1", "hello"), nil)
	h.postEvent(t, dmEvent("Ev2", "U2", "hello"), nil)
	got := map[string]bool{}
	for len(got) < 2 {
		select {
		case ch := <-answered:
			got[ch] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("answered %v while users.info hangs for U1; want DU1 and DU2", got)
		}
	}
	if !got["DU1"] || !got["DU2"] {
		t.Errorf("answered %v, want DU1 and DU2", got)
	}
}

// TestLocationFetchesBounded: however many people are new at once, at
// most tzFetchers users.info calls run together.
func TestLocationFetchesBounded(t *testing.T) {
	api := newFakeAPI(t)
	var inFlight, most atomic.Int32
	arrived := make(chan struct{}, 100)
	release := make(chan struct{})
	api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U","tz":"Europe/Berlin"}}`)
	})
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api, func(a *Adapter) {
		a.zones.wait = time.Millisecond
	})
	const people = 3 * tzFetchers
	for i := range people {
		within(t, "Location", func() *time.Location { return h.a.Location(context.Background(), fmt.Sprintf("U%d", i)) })
	}
	for range tzFetchers {
		<-arrived
	}
	close(release)
	for i := range people {
		settled(t, h.a, fmt.Sprintf("U%d", i))
	}
	if n := len(api.Calls("users.info")); n != people {
		t.Errorf("users.info called %d times, want %d", n, people)
	}
	if m := most.Load(); m > tzFetchers {
		t.Errorf("%d users.info calls ran at once, want at most %d", m, tzFetchers)
	}
}

// TestLocationRetriesLater: a failed users.info is not repeated on every
// turn (the zone is UTC meanwhile) but is tried again after tzRetry; a
// hanging one is given up after the call's timeout.
func TestLocationRetriesLater(t *testing.T) {
	api := newFakeAPI(t)
	var fail atomic.Bool
	fail.Store(true)
	api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","tz":"Asia/Tokyo"}}`)
	})
	clock := newTestClock()
	h := newHarnessWith(t, Config{Workers: 1, Now: clock.Now}, defaultLimits, nil, api)
	a, ctx := h.a, context.Background()
	ask := func() *time.Location {
		loc := a.Location(ctx, "U1")
		settled(t, a, "U1")
		return loc
	}
	ask()
	for range 3 {
		if got := ask(); got != time.UTC {
			t.Errorf("zone after a failure = %v, want UTC", got)
		}
	}
	if n := usersInfoCalls(api, "U1"); n != 1 {
		t.Fatalf("users.info called %d times within a minute of a failure, want 1", n)
	}
	fail.Store(false)
	clock.Add(tzRetry)
	ask()
	if got := ask(); got.String() != "Asia/Tokyo" {
		t.Errorf("zone after the retry = %v, want Asia/Tokyo", got)
	}
	if n := usersInfoCalls(api, "U1"); n != 2 {
		t.Errorf("users.info called %d times, want 2", n)
	}

	// A zone past its time is used while a fresh one is fetched; when
	// that fetch fails, the old zone stays.
	fail.Store(true)
	clock.Add(tzTTL)
	if got := ask(); got.String() != "Asia/Tokyo" {
		t.Errorf("stale zone = %v, want Asia/Tokyo while refreshing", got)
	}
	if got := ask(); got.String() != "Asia/Tokyo" {
		t.Errorf("zone after a failed refresh = %v, want Asia/Tokyo", got)
	}
	if n := usersInfoCalls(api, "U1"); n != 3 {
		t.Errorf("users.info called %d times, want 3", n)
	}
}

// TestLocationTimeout: a users.info that never answers is given up after
// the call's timeout, and the person is asked for again later.
func TestLocationTimeout(t *testing.T) {
	api := newFakeAPI(t)
	holdUsersInfo(api, make(chan struct{}), nil, "U1")
	h := newHarnessWith(t, Config{Workers: 1}, defaultLimits, nil, api, func(a *Adapter) {
		a.zones.timeout = 10 * time.Millisecond
	})
	if got := h.a.Location(context.Background(), "U1"); got != time.UTC {
		t.Errorf("zone = %v, want UTC", got)
	}
	settled(t, h.a, "U1")
	h.a.zones.mu.Lock()
	e, ok := h.a.zones.known["U1"]
	h.a.zones.mu.Unlock()
	if !ok || e.loc != nil {
		t.Errorf("after a timed-out users.info: entry %+v, %v; want a failure to retry later", e, ok)
	}
}

var _ bot.Locator = (*Adapter)(nil)

// Package storage declares what the bot needs from a store. Implementations
// live in storage/redis, storage/embedded and storage/memory (for tests and
// the sandbox) and pass the conformance suite in storage/storagetest.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrConflict is returned when a contract was changed by someone else since
// it was loaded: nothing was written.
var ErrConflict = errors.New("storage: contract changed concurrently")

// ErrNotFound is returned for a contract that does not exist.
var ErrNotFound = errors.New("storage: not found")

// ErrApplied is returned by Store.Save when the turn's platform event was
// applied by another turn since it was loaded (a redelivery, or the same
// event run by two replicas): nothing was written.
var ErrApplied = errors.New("storage: event applied already")

// UserKey names one person on one platform.
type UserKey struct {
	Platform string
	Team     string
	User     string
}

// Snapshot is what one turn starts from.
type Snapshot struct {
	// Session is the stored session JSON; nil when the user has none.
	Session []byte
	// ContractID is the id asked for, or the session's current one, even
	// when that contract is not stored (Contract is then nil); empty when
	// none.
	ContractID string
	// Contract is the stored contract JSON; nil when none.
	Contract []byte
	// Rev is the stored contract's revision (0 when none).
	Rev int64
	// Applied reports that the event named in Load was applied by a turn
	// saved earlier, within that turn's TurnWrite.EventTTL: this turn has
	// nothing left to do.
	Applied bool
}

// ContractWrite is a contract to save with an optimistic version check.
type ContractWrite struct {
	ID   string
	Data []byte
	// Rev is the revision the writer loaded (0: the contract must not
	// exist yet). The stored revision becomes Rev+1.
	Rev int64
	// Users are the people (learner, approver, advocate) whose contract
	// lists include this contract.
	Users []UserKey
}

// TurnWrite is everything one turn writes, saved as one atomic step.
type TurnWrite struct {
	// User is whose turn it is.
	User UserKey
	// Session is the user's new session JSON, saved with CurrentContract
	// and a TTL (SessionTTL) refreshed each turn. Nil leaves the stored
	// session and its current contract as they are.
	Session         []byte
	CurrentContract string
	// Contract is written with its revision check when not nil.
	Contract *ContractWrite
	// Event is the platform event this turn applies ("slack:Ev123"), kept
	// as applied for the user for EventTTL, which must then be positive.
	// Empty for none (EventTTL 0).
	Event    string
	EventTTL time.Duration
	// Out are outgoing messages, added in the same step to the outbox of
	// the user's platform (Stores.Outbox(User.Platform)), as its Schedule
	// would add them.
	Out []DueItem
	// Due are the turn's changes to scheduled work (Stores.Due, not the
	// outbox), made in the same step.
	Due DueChanges
}

// DueChanges are changes to the due items of Stores.Due that a turn saves
// with it (TurnWrite.Due). They are made as if one after another in this
// order: Schedule, Locks (each with its items), Cancel.
type DueChanges struct {
	// Schedule adds items, or replaces those whose id is scheduled
	// already, as DueStore.Schedule does: a replaced item that was
	// claimed loses its claim and its attempts start again.
	Schedule []DueItem
	// Locks are taken as DueStore.Lock takes them, each scheduling its
	// items only when the turn got it.
	Locks []DueLock
	// Cancel removes the items with these ids, claimed or not, as
	// DueStore.Cancel does. Unknown ids are ignored.
	Cancel []string
}

// DueLock is a lock of the due store taken by a turn, as
// DueStore.Lock(Name, TTL, Now) takes it, and work that only the turn
// that gets it schedules: whoever takes the lock first deals with the
// work, the others leave it alone.
type DueLock struct {
	Name string
	TTL  time.Duration
	Now  time.Time
	// Items are scheduled as DueChanges.Schedule would schedule them, only
	// when the lock was free at Now and the turn took it.
	Items []DueItem
}

// IsZero reports changes that change nothing.
func (c DueChanges) IsZero() bool {
	return len(c.Schedule) == 0 && len(c.Locks) == 0 && len(c.Cancel) == 0
}

// Check reports changes that cannot be made: an item without id or due
// time (CheckItem), an empty id to cancel, a lock that fails CheckLock.
func (c DueChanges) Check() error {
	for _, it := range c.Schedule {
		if err := CheckItem(it); err != nil {
			return fmt.Errorf("schedule: %w", err)
		}
	}
	for _, l := range c.Locks {
		if err := CheckLock(l.Name, l.TTL, l.Now); err != nil {
			return err
		}
		for _, it := range l.Items {
			if err := CheckItem(it); err != nil {
				return fmt.Errorf("lock %s: %w", l.Name, err)
			}
		}
	}
	for _, id := range c.Cancel {
		if id == "" {
			return errors.New("cancel: empty id")
		}
	}
	return nil
}

// Check reports a turn that cannot be stored: a user without id, a
// contract write that fails ContractWrite.Check, an event without a
// positive ttl (or a ttl without event), outgoing messages for a user
// without platform, an outgoing message without id or due time, due
// changes that fail DueChanges.Check.
func (w TurnWrite) Check() error {
	if err := CheckUser(w.User); err != nil {
		return err
	}
	if err := w.Contract.Check(); err != nil {
		return err
	}
	switch {
	case w.Event != "" && w.EventTTL <= 0:
		return fmt.Errorf("event %s: ttl must be positive, got %s", w.Event, w.EventTTL)
	case w.Event == "" && w.EventTTL != 0:
		return fmt.Errorf("event ttl %s without an event", w.EventTTL)
	}
	if len(w.Out) > 0 && w.User.Platform == "" {
		return fmt.Errorf("user %s: outgoing messages without a platform, so no outbox", w.User.User)
	}
	for _, it := range w.Out {
		if err := CheckItem(it); err != nil {
			return fmt.Errorf("outgoing message: %w", err)
		}
	}
	if err := w.Due.Check(); err != nil {
		return fmt.Errorf("due changes: %w", err)
	}
	return nil
}

// CheckItem reports a due item that cannot be scheduled: no id or no due
// time.
func CheckItem(it DueItem) error {
	switch {
	case it.ID == "":
		return errors.New("item without id")
	case it.At.IsZero():
		return fmt.Errorf("item %s: no due time", it.ID)
	}
	return nil
}

// CheckClaimArgs reports arguments of DueStore.Claim that cannot be used:
// no time, a limit or lease that is not positive.
func CheckClaimArgs(now time.Time, limit int, lease time.Duration) error {
	switch {
	case now.IsZero():
		return errors.New("claim: no time given")
	case limit <= 0:
		return fmt.Errorf("claim: limit must be positive, got %d", limit)
	case lease <= 0:
		return fmt.Errorf("claim: lease must be positive, got %s", lease)
	}
	return nil
}

// CheckClaim reports a claim without item id or token.
func CheckClaim(c Claim) error {
	switch {
	case c.Item.ID == "":
		return errors.New("claim without item id")
	case c.Token == "":
		return fmt.Errorf("claim of %s without token", c.Item.ID)
	}
	return nil
}

// CheckLock reports arguments of DueStore.Lock that cannot be used: no
// name, a ttl that is not positive, no time.
func CheckLock(name string, ttl time.Duration, now time.Time) error {
	switch {
	case name == "":
		return errors.New("lock without name")
	case ttl <= 0:
		return fmt.Errorf("lock %s: ttl must be positive, got %s", name, ttl)
	case now.IsZero():
		return fmt.Errorf("lock %s: no time given", name)
	}
	return nil
}

// Store is the system of record for sessions, contracts and event dedupe.
// Bad arguments (an empty user or contract id, a negative revision, empty
// contract data, an empty event id, a ttl ≤ 0, a TurnWrite that fails
// Check) are errors, never panics.
//
// Two ways to deduplicate platform events, kept apart: FirstSeen records
// an event id on its own, for events that save nothing; Load's event and
// TurnWrite.Event record an event as applied by a turn, per user, together
// with what the turn saved. An id recorded by one is unknown to the other,
// so an adapter uses one or the other for an event.
type Store interface {
	// Load returns the user's session and a contract in one round trip.
	// With an empty contractID, the session's current contract (as last
	// saved) is loaded. With an event id, Snapshot.Applied reports whether
	// a turn of the user applied that event (see TurnWrite.Event).
	Load(ctx context.Context, user UserKey, contractID, event string) (Snapshot, error)
	// Save writes one turn as one atomic step (Redis Cluster falls short:
	// see storage/redis): the session, the contract (with its revision
	// check), the event id as applied, the outgoing messages into the
	// outbox of the user's platform and the changes to due items (locks
	// included). If the turn's event was applied already it
	// returns ErrApplied, else if the contract's stored revision is not
	// w.Contract.Rev it returns ErrConflict; either way it writes nothing.
	// Only the users in w.Contract.Users get the contract added to their
	// lists.
	Save(ctx context.Context, w TurnWrite) error
	// Contract returns one contract and its revision, or ErrNotFound.
	Contract(ctx context.Context, id string) ([]byte, int64, error)
	// Contracts lists the ids of the user's contracts, oldest first.
	Contracts(ctx context.Context, user UserKey) ([]string, error)
	// FirstSeen records an event id and reports whether this is the first
	// time it was seen within ttl.
	FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error)
	// Ping reports whether the store can take a turn now: nil when it
	// answers, in at most one round trip and changing nothing a caller
	// can see; an error when it is unreachable, unwritable or closed.
	// Readiness checks call it.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// SessionTTL is how long an idle session is kept.
const SessionTTL = 90 * 24 * time.Hour

// GroupHold is how long a holder keeps its groups (see DueStore) after
// its last Claim: a holder that works through a group claims more often.
const GroupHold = 15 * time.Second

// ErrLeaseLost is returned by DueStore.Done and Release, and per claim by
// DoneAll, when the claim no longer holds: its lease ran out and the item
// was claimed again, or the item was rescheduled, cancelled, done or
// released since.
var ErrLeaseLost = errors.New("storage: lease lost")

// DueItem is work that comes due at a time: a check-in, a reminder, a
// digest.
type DueItem struct {
	// ID names the item, chosen by the scheduler ("checkin:CONTRACT:3").
	ID string
	// At is when the item is due.
	At time.Time
	// Data says what to do: small, opaque to the store.
	Data []byte
	// Group, when set, names the items to be worked through by one holder
	// at a time, such as the messages of one conversation: see DueStore.
	Group string
}

// Claim is a due item leased to one worker until Until.
type Claim struct {
	Item DueItem
	// Token identifies this claim; Done, DoneAll and Release check it.
	Token string
	// Until is when the lease runs out and the item can be claimed again.
	Until time.Time
	// Attempt counts the claims of the item since it was scheduled: 1 the
	// first time, 2 after a lease ran out or a Release, and so on.
	Attempt int
}

// DueStore keeps scheduled work until it is done. With several processes
// on one store each item is handed to one worker at a time: Claim leases
// items atomically, and the items of a worker that died are claimed again
// once their lease runs out.
//
// No method reads a clock: times come from the caller and are kept to the
// millisecond (a shorter lease or ttl counts as one millisecond). Leases
// and locks compare the clocks of the processes that share a store, which
// must therefore be in step (NTP).
//
// Bad arguments (an empty id or lock name, a zero time, a limit, lease or
// ttl that is not positive, a claim without id or token) are errors, never
// panics, and neither ErrLeaseLost nor ErrNotFound.
//
// # Groups
//
// The items of a group (DueItem.Group) are handed to one holder at a time,
// so that several processes never work on one group at once: each
// DueStore value is a holder, and Stores.Outbox returns a new one each
// call. Once a holder claims an item of a group, Claim skips the group's
// items for every other holder until the holder has settled (Done,
// DoneAll, Release) each claim of the group it made, or until it has not
// called Claim for GroupHold (each of its Claims keeps its groups for
// GroupHold more): a holder that died gives its groups up then, though
// its claims hold until their leases run out. Meanwhile the holder itself
// claims the group's items as they come due. An item given back with
// Release to a later time holds its group back until then: no holder
// claims an item of the group before that time once the rest is settled,
// so the item cannot be overtaken by one queued after it. Cancelling or
// replacing a claimed item of a group does not settle its claim.
type DueStore interface {
	// Schedule adds items, or replaces those whose id is scheduled
	// already. A replaced item that was claimed loses its claim (Done and
	// Release of it return ErrLeaseLost) and its attempts start again.
	Schedule(ctx context.Context, items ...DueItem) error
	// Cancel removes the items with these ids, claimed or not. Unknown ids
	// are ignored.
	Cancel(ctx context.Context, ids ...string) error
	// Claim leases up to limit items, claimable at now, until now+lease.
	// An item is claimable from its At, and again from its lease's Until
	// when it was neither done nor released by then (Attempt goes up by
	// one). Items come in the order they became claimable, ties by id.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Claim, error)
	// Done removes a claimed item, or returns ErrLeaseLost when the claim
	// no longer holds. A claim whose lease ran out still holds while
	// nobody else has claimed the item. It is DoneAll of one claim.
	Done(ctx context.Context, c Claim) error
	// DoneAll is Done for many claims in one atomic step (one round trip
	// on Redis), as if done one after another in order. results holds
	// one error per claim, in the order given: nil for an item removed,
	// ErrLeaseLost for a claim that no longer holds (a second claim of an
	// item the batch removed already included), which changes nothing
	// for the other claims. err is for the batch as a whole: a bad claim
	// (then nothing is removed) or a store that fails (then results is
	// nil, and what was removed is unknown, as for a Done that fails).
	// Without claims it does nothing and returns no results.
	DoneAll(ctx context.Context, claims ...Claim) (results []error, err error)
	// Release gives a claim back, to be claimed again from at (after a
	// rate limit, or outside working hours), which becomes the item's At.
	// The attempt count is kept. ErrLeaseLost as for Done.
	Release(ctx context.Context, c Claim, at time.Time) error
	// Lock takes the lock called name until now+ttl, for jobs that must
	// run once per period, and reports whether it got it: false while
	// anyone holds it, the caller included. There is no unlock; a lock
	// ends with its ttl.
	Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error)
}

// CheckUser reports a user key that names no user.
func CheckUser(u UserKey) error {
	if u.User == "" {
		return fmt.Errorf("user key %+v has no user id", u)
	}
	return nil
}

// Check reports a contract write that cannot be stored: no id, a negative
// revision, no data, or a user without id. A nil write is fine.
func (c *ContractWrite) Check() error {
	switch {
	case c == nil:
		return nil
	case c.ID == "":
		return errors.New("contract without id")
	case c.Rev < 0:
		return fmt.Errorf("contract %s: negative revision %d", c.ID, c.Rev)
	case len(c.Data) == 0:
		return fmt.Errorf("contract %s: no data", c.ID)
	}
	for _, u := range c.Users {
		if err := CheckUser(u); err != nil {
			return fmt.Errorf("contract %s: %w", c.ID, err)
		}
	}
	return nil
}

// AnyRev makes PutDoc write whatever revision is stored.
const AnyRev int64 = -1

// Docs keeps small versioned documents that are not contracts: learning
// sets, the index from a shared draft's thread to its contract, Teams
// conversation references. Keys are chosen by the caller
// ("set:slack:T1:C01"); bad arguments (an empty key, empty data, a
// revision below AnyRev) are errors, never panics.
type Docs interface {
	// Doc returns a document and its revision, or ErrNotFound.
	Doc(ctx context.Context, key string) ([]byte, int64, error)
	// PutDoc writes a document when its stored revision is rev (0: it
	// must not exist yet; AnyRev: whatever is stored) and returns the new
	// revision, rev+1 (or the stored one plus one for AnyRev). A stored
	// revision other than rev is ErrConflict and nothing is written.
	PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error)
}

// Stores is an opened store and everything it keeps, each part ready to
// hand to the part of the bot that uses it. The stores of this module set
// every field (storagetest.CheckStores); Turns.Close closes them all.
type Stores struct {
	// Name says which store this is, for logs: "redis",
	// "embedded:PATH" or "memory".
	Name string
	// Turns keeps sessions, contracts and event ids: what a turn loads
	// and saves.
	Turns Store
	// Docs keeps learning sets, thread indexes and platform references.
	Docs Docs
	// Due keeps scheduled work: check-ins, reminders, digests. A turn's
	// TurnWrite.Due changes it.
	Due DueStore
	// Erase deletes people's data and old contracts (Eraser).
	Erase Eraser
	// Library keeps the index of the library of past contracts.
	Library Library
	// Outbox returns the outbox of a platform ("slack", "teams"): the
	// messages waiting to be delivered there, kept apart from Due and
	// from every other platform's outbox, so each platform's sender
	// claims only its own. A turn's TurnWrite.Out goes into the outbox of
	// its user's platform.
	Outbox func(platform string) DueStore
}

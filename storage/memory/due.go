package memory

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.DueStore = (*dueSet)(nil)

// dueSet is a storage.DueStore: the Store's due items, or its outbox, and
// a holder of their groups.
type dueSet struct {
	s *Store
	*dueData
	holder string
}

// dueData is what a due set keeps, guarded by the Store's mutex.
type dueData struct {
	items map[string]*dueRecord
	locks map[string]int64              // name → end of the lock (unix ms)
	held  map[string]*storage.HeldGroup // by group
}

func newDueData() *dueData {
	return &dueData{items: map[string]*dueRecord{}, locks: map[string]int64{}, held: map[string]*storage.HeldGroup{}}
}

// dueRecord is a due item. It is claimable from queued: its At, or while
// claimed the end of its lease.
type dueRecord struct {
	at, queued int64 // unix ms
	attempt    int
	token      string // of the current claim; empty when not claimed
	holder     string // of the current claim
	data       []byte
	group      string
}

// settled records that holder's claim of an item of group g was settled:
// done, or given back to at (0 for done).
func (d *dueData) settled(g, holder string, at int64) {
	h, ok := d.held[g]
	if g == "" || !ok {
		return
	}
	if next, keep := storage.SettleGroup(*h, holder, at); keep {
		*h = next
	} else {
		delete(d.held, g)
	}
}

// Schedule implements storage.DueStore.
func (d *dueSet) Schedule(ctx context.Context, items ...storage.DueItem) error {
	for _, it := range items {
		if it.ID == "" {
			return errors.New("memory: schedule: item without id")
		}
		if it.At.IsZero() {
			return fmt.Errorf("memory: schedule %s: no due time", it.ID)
		}
	}
	if err := d.s.lock(ctx); err != nil {
		return err
	}
	defer d.s.mu.Unlock()
	d.put(items)
	return nil
}

// put adds or replaces checked items. The caller holds the Store's mutex.
func (d *dueData) put(items []storage.DueItem) {
	for _, it := range items {
		at := it.At.UnixMilli()
		d.items[it.ID] = &dueRecord{at: at, queued: at, data: bytes.Clone(it.Data), group: it.Group}
	}
}

// Cancel implements storage.DueStore.
func (d *dueSet) Cancel(ctx context.Context, ids ...string) error {
	if slices.Contains(ids, "") {
		return errors.New("memory: cancel: empty id")
	}
	if err := d.s.lock(ctx); err != nil {
		return err
	}
	defer d.s.mu.Unlock()
	for _, id := range ids {
		delete(d.items, id)
	}
	return nil
}

// Claim implements storage.DueStore. It looks at every item, which is
// fine for the numbers of items tests and the sandbox keep.
func (d *dueSet) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	if err := storage.CheckClaimArgs(now, limit, lease); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	nowMs := now.UnixMilli()
	until := nowMs + ceilMillis(lease)
	token := d.holder + "." + rand.Text()
	if err := d.s.lock(ctx); err != nil {
		return nil, err
	}
	defer d.s.mu.Unlock()
	hold := nowMs + storage.GroupHold.Milliseconds()
	for g, h := range d.held {
		if kept, ok := storage.KeepGroup(*h, d.holder, nowMs, hold); ok {
			d.held[g] = &kept
		} else if h.Until <= nowMs {
			delete(d.held, g) // a hold that ended
		}
	}
	var due []string
	for id, r := range d.items {
		if r.queued <= nowMs {
			due = append(due, id)
		}
	}
	slices.SortFunc(due, func(a, b string) int {
		return cmp.Or(cmp.Compare(d.items[a].queued, d.items[b].queued), cmp.Compare(a, b))
	})
	claims := make([]storage.Claim, 0, min(limit, len(due)))
	for _, id := range due {
		if len(claims) == limit {
			break
		}
		r := d.items[id]
		if !d.take(r, nowMs, hold) {
			continue
		}
		r.queued, r.token, r.holder, r.attempt = until, token, d.holder, r.attempt+1
		claims = append(claims, storage.Claim{
			Item:    storage.DueItem{ID: id, At: time.UnixMilli(r.at).UTC(), Data: bytes.Clone(r.data), Group: r.group},
			Token:   token,
			Until:   time.UnixMilli(until).UTC(),
			Attempt: r.attempt,
		})
	}
	return claims, nil
}

// take reports whether the holder may claim r at now, and if so records
// the claim in r's group, held until hold. The caller holds the
// Store's mutex.
func (d *dueSet) take(r *dueRecord, now, hold int64) bool {
	if r.group == "" {
		return true
	}
	again := r.token != "" && r.holder == d.holder
	g, ok := storage.TakeGroup(d.held[r.group], d.holder, again, now, hold)
	if ok {
		d.held[r.group] = &g
	}
	return ok
}

// Done implements storage.DueStore.
func (d *dueSet) Done(ctx context.Context, c storage.Claim) error {
	res, err := d.DoneAll(ctx, c)
	if err != nil {
		return err
	}
	return res[0]
}

// DoneAll implements storage.DueStore.
func (d *dueSet) DoneAll(ctx context.Context, claims ...storage.Claim) ([]error, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	for _, c := range claims {
		if err := checkClaim("done", c); err != nil {
			return nil, err
		}
	}
	if err := d.s.lock(ctx); err != nil {
		return nil, err
	}
	defer d.s.mu.Unlock()
	results := make([]error, len(claims))
	for i, c := range claims {
		r, ok := d.items[c.Item.ID]
		if !ok || r.token != c.Token {
			results[i] = fmt.Errorf("done %s: %w", c.Item.ID, storage.ErrLeaseLost)
			continue
		}
		d.settled(r.group, r.holder, 0)
		delete(d.items, c.Item.ID)
	}
	return results, nil
}

// Release implements storage.DueStore.
func (d *dueSet) Release(ctx context.Context, c storage.Claim, at time.Time) error {
	if c.Item.ID != "" && at.IsZero() {
		return fmt.Errorf("memory: release %s: no due time", c.Item.ID)
	}
	return d.settle(ctx, "release", c, func(r *dueRecord) {
		d.settled(r.group, r.holder, at.UnixMilli())
		r.at, r.queued, r.token = at.UnixMilli(), at.UnixMilli(), ""
	})
}

// settle runs fn on the claimed item if claim c still holds.
func (d *dueSet) settle(ctx context.Context, op string, c storage.Claim, fn func(r *dueRecord)) error {
	if err := checkClaim(op, c); err != nil {
		return err
	}
	if err := d.s.lock(ctx); err != nil {
		return err
	}
	defer d.s.mu.Unlock()
	r, ok := d.items[c.Item.ID]
	if !ok || r.token != c.Token {
		return fmt.Errorf("%s %s: %w", op, c.Item.ID, storage.ErrLeaseLost)
	}
	fn(r)
	return nil
}

// checkClaim reports a claim without item id or token, for op.
func checkClaim(op string, c storage.Claim) error {
	if err := storage.CheckClaim(c); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

// Lock implements storage.DueStore. It also forgets the locks that have
// ended.
func (d *dueSet) Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error) {
	if err := storage.CheckLock(name, ttl, now); err != nil {
		return false, fmt.Errorf("memory: %w", err)
	}
	nowMs := now.UnixMilli()
	if err := d.s.lock(ctx); err != nil {
		return false, err
	}
	defer d.s.mu.Unlock()
	return d.takeLock(name, ttl, nowMs), nil
}

// takeLock takes a checked lock, as Lock does. The caller holds the Store's
// mutex.
func (d *dueSet) takeLock(name string, ttl time.Duration, nowMs int64) bool {
	for n, end := range d.locks {
		if end <= nowMs {
			delete(d.locks, n)
		}
	}
	if _, held := d.locks[name]; held {
		return false
	}
	d.locks[name] = nowMs + ceilMillis(ttl)
	return true
}

// change makes a turn's checked changes, as Schedule, Lock and Cancel
// would. The caller holds the Store's mutex.
func (d *dueSet) change(c storage.DueChanges) {
	d.put(c.Schedule)
	for _, l := range c.Locks {
		if d.takeLock(l.Name, l.TTL, l.Now.UnixMilli()) {
			d.put(l.Items)
		}
	}
	for _, id := range c.Cancel {
		delete(d.items, id)
	}
}

// ceilMillis rounds a positive duration up to whole milliseconds.
func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

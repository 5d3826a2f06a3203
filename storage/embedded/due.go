package embedded

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
)

var (
	_ storage.DueStore = (*Store)(nil)
	_ storage.DueStore = (*dueSet)(nil)
)

// Buckets of due items and locks, created on first use. Each platform's
// outbox (Store.Outbox) keeps the same layout in buckets of its own:
// Slack's in the buckets it had when it was the only one, so messages
// stored before an upgrade are still delivered, any other platform's in
// "outbox:PLATFORM", "outbox-queue:PLATFORM" and so on.
var (
	bucketDue       = []byte("due")        // id → dueRecord
	bucketDueQueue  = []byte("due-queue")  // claimable-at + id → nothing, in claim order
	bucketLocks     = []byte("locks")      // name → end of the lock (unix ms)
	bucketDueGroups = []byte("due-groups") // id → group, for items of a group
	bucketDueHeld   = []byte("due-held")   // group → encoded storage.HeldGroup

	bucketOutbox       = []byte("outbox")
	bucketOutboxQueue  = []byte("outbox-queue")
	bucketOutboxLocks  = []byte("outbox-locks")
	bucketOutboxGroups = []byte("outbox-groups")
	bucketOutboxHeld   = []byte("outbox-held")
)

// dueSet is a storage.DueStore in one set of buckets, and a holder of
// their groups.
type dueSet struct {
	db                                *bolt.DB
	items, queue, locks, groups, held []byte // bucket names
	holder                            string
}

// Outbox returns the outbox of a platform: a DueStore kept apart from the
// due items and from the other platforms' outboxes in buckets of its own,
// for messages waiting to be delivered. Each call returns a new holder of
// groups (see storage.DueItem.Group).
func (s *Store) Outbox(platform string) storage.DueStore {
	d := s.outbox(platform)
	d.holder = rand.Text()
	return d
}

// outbox returns a platform's outbox.
func (s *Store) outbox(platform string) *dueSet {
	if platform == "slack" {
		return &dueSet{db: s.db, items: bucketOutbox, queue: bucketOutboxQueue, locks: bucketOutboxLocks,
			groups: bucketOutboxGroups, held: bucketOutboxHeld}
	}
	suffix := ":" + platform
	name := func(b []byte) []byte { return append(slices.Clip(b), suffix...) }
	return &dueSet{db: s.db, items: name(bucketOutbox), queue: name(bucketOutboxQueue), locks: name(bucketOutboxLocks),
		groups: name(bucketOutboxGroups), held: name(bucketOutboxHeld)}
}

// Stores returns the store and everything it keeps, named "embedded:" and
// the file's path.
func (s *Store) Stores() storage.Stores {
	return storage.Stores{Name: "embedded:" + s.path, Turns: s, Docs: s, Due: s, Erase: s, Library: s, Outbox: s.Outbox}
}

// dueRecord is a stored due item. It is claimable from queued: its At, or
// while claimed the end of its lease.
type dueRecord struct {
	at, queued int64 // unix ms
	attempt    uint64
	token      string // of the current claim; empty when not claimed
	data       []byte
}

// holderOf returns the holder of a claim token, "HOLDER.RANDOM" (empty
// for tokens of other forms).
func holderOf(token string) string {
	h, _, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	return h
}

// groupBuckets returns the buckets of items' groups and of held groups,
// creating them if needed.
func (d *dueSet) groupBuckets(tx *bolt.Tx) (groups, held *bolt.Bucket, err error) {
	if groups, err = tx.CreateBucketIfNotExists(d.groups); err != nil {
		return nil, nil, err
	}
	if held, err = tx.CreateBucketIfNotExists(d.held); err != nil {
		return nil, nil, err
	}
	return groups, held, nil
}

// heldGroup reads a group's state; nil when nobody holds it.
func heldGroup(held *bolt.Bucket, g string) (*storage.HeldGroup, error) {
	v := held.Get([]byte(g))
	if v == nil {
		return nil, nil
	}
	var h storage.HeldGroup
	if len(v) < 16 {
		return nil, fmt.Errorf("held group %q: %w", g, errCorrupt)
	}
	h.Until, h.NotBefore = int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))
	n, k := binary.Uvarint(v[16:])
	if k <= 0 {
		return nil, fmt.Errorf("held group %q: %w", g, errCorrupt)
	}
	h.N, h.Holder = int(n), string(v[16+k:])
	return &h, nil
}

// putHeld writes a group's state.
func putHeld(held *bolt.Bucket, g string, h storage.HeldGroup) error {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16+binary.MaxVarintLen64+len(h.Holder)), uint64(h.Until))
	b = binary.BigEndian.AppendUint64(b, uint64(h.NotBefore))
	b = binary.AppendUvarint(b, uint64(h.N))
	return held.Put([]byte(g), append(b, h.Holder...))
}

// settled records in tx that the claim (token) of item id was settled:
// done, or given back to at (0 for done).
func (d *dueSet) settled(tx *bolt.Tx, id, token string, at int64) error {
	groups, held, err := d.groupBuckets(tx)
	if err != nil {
		return err
	}
	g := string(groups.Get([]byte(id)))
	if g == "" {
		return nil
	}
	h, err := heldGroup(held, g)
	if err != nil || h == nil {
		return err
	}
	if next, keep := storage.SettleGroup(*h, holderOf(token), at); keep {
		return putHeld(held, g, next)
	}
	return held.Delete([]byte(g))
}

// encode lays out at and queued (8 bytes each), attempt, the token
// (length-prefixed) and the data.
func (r dueRecord) encode() []byte {
	b := make([]byte, 0, 16+2*binary.MaxVarintLen64+len(r.token)+len(r.data))
	b = binary.BigEndian.AppendUint64(b, uint64(r.at))
	b = binary.BigEndian.AppendUint64(b, uint64(r.queued))
	b = binary.AppendUvarint(b, r.attempt)
	b = binary.AppendUvarint(b, uint64(len(r.token)))
	b = append(b, r.token...)
	return append(b, r.data...)
}

func decodeDue(v []byte) (dueRecord, error) {
	if len(v) < 16 {
		return dueRecord{}, errCorrupt
	}
	r := dueRecord{at: int64(binary.BigEndian.Uint64(v)), queued: int64(binary.BigEndian.Uint64(v[8:]))}
	v = v[16:]
	attempt, k := binary.Uvarint(v)
	if k <= 0 {
		return dueRecord{}, errCorrupt
	}
	v = v[k:]
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return dueRecord{}, errCorrupt
	}
	r.attempt, r.token, r.data = attempt, string(v[k:k+int(n)]), bytes.Clone(v[k+int(n):])
	return r, nil
}

// queueKey orders by time, then id: the time's sign bit is flipped so that
// times before 1970 sort first.
func queueKey(ms int64, id string) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(ms)^(1<<63))
	return append(k, id...)
}

func queueTime(k []byte) int64 { return int64(binary.BigEndian.Uint64(k) ^ (1 << 63)) }

// buckets returns the items and queue buckets, creating them if needed.
func (d *dueSet) buckets(tx *bolt.Tx) (items, queue *bolt.Bucket, err error) {
	if items, err = tx.CreateBucketIfNotExists(d.items); err != nil {
		return nil, nil, err
	}
	if queue, err = tx.CreateBucketIfNotExists(d.queue); err != nil {
		return nil, nil, err
	}
	return items, queue, nil
}

// getDue reads the record of id; ok is false when there is none.
func getDue(items *bolt.Bucket, id string) (r dueRecord, ok bool, err error) {
	v := items.Get([]byte(id))
	if v == nil {
		return dueRecord{}, false, nil
	}
	if r, err = decodeDue(v); err != nil {
		return dueRecord{}, false, fmt.Errorf("due item %q: %w", id, err)
	}
	return r, true, nil
}

// putDue writes r for id, moving its queue entry from the old record's.
func putDue(items, queue *bolt.Bucket, id string, old *dueRecord, r dueRecord) error {
	if old != nil {
		if err := queue.Delete(queueKey(old.queued, id)); err != nil {
			return err
		}
	}
	if err := items.Put([]byte(id), r.encode()); err != nil {
		return err
	}
	return queue.Put(queueKey(r.queued, id), nil)
}

// Schedule implements storage.DueStore in one transaction.
func (d *dueSet) Schedule(ctx context.Context, items ...storage.DueItem) error {
	for _, it := range items {
		if it.ID == "" {
			return errors.New("embedded: schedule: item without id")
		}
		if it.At.IsZero() {
			return fmt.Errorf("embedded: schedule %s: no due time", it.ID)
		}
	}
	if len(items) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.db.Update(func(tx *bolt.Tx) error { return d.put(tx, items) })
	if err != nil {
		return fmt.Errorf("embedded: schedule: %w", err)
	}
	return nil
}

// put adds or replaces checked items in tx.
func (d *dueSet) put(tx *bolt.Tx, items []storage.DueItem) error {
	if len(items) == 0 {
		return nil
	}
	b, queue, err := d.buckets(tx)
	if err != nil {
		return err
	}
	groups, _, err := d.groupBuckets(tx)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Group != "" {
			err = groups.Put([]byte(it.ID), []byte(it.Group))
		} else {
			err = groups.Delete([]byte(it.ID))
		}
		if err != nil {
			return err
		}
		old, ok, err := getDue(b, it.ID)
		if err != nil {
			return err
		}
		var prev *dueRecord
		if ok {
			prev = &old
		}
		at := it.At.UnixMilli()
		if err := putDue(b, queue, it.ID, prev, dueRecord{at: at, queued: at, data: it.Data}); err != nil {
			return err
		}
	}
	return nil
}

// Cancel implements storage.DueStore in one transaction.
func (d *dueSet) Cancel(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		if id == "" {
			return errors.New("embedded: cancel: empty id")
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.db.Update(func(tx *bolt.Tx) error { return d.cancel(tx, ids) })
	if err != nil {
		return fmt.Errorf("embedded: cancel: %w", err)
	}
	return nil
}

// cancel removes the items with checked ids in tx.
func (d *dueSet) cancel(tx *bolt.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	b, queue, err := d.buckets(tx)
	if err != nil {
		return err
	}
	groups, _, err := d.groupBuckets(tx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := deleteDue(b, queue, id); err != nil {
			return err
		}
		if err := groups.Delete([]byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// change makes a turn's checked changes in tx, as Schedule, Lock and
// Cancel would.
func (d *dueSet) change(tx *bolt.Tx, c storage.DueChanges) error {
	if err := d.put(tx, c.Schedule); err != nil {
		return err
	}
	for _, l := range c.Locks {
		got, err := d.takeLock(tx, l.Name, l.TTL, l.Now.UnixMilli())
		if err != nil {
			return fmt.Errorf("lock %s: %w", l.Name, err)
		}
		if got {
			if err := d.put(tx, l.Items); err != nil {
				return err
			}
		}
	}
	return d.cancel(tx, c.Cancel)
}

func deleteDue(items, queue *bolt.Bucket, id string) error {
	r, ok, err := getDue(items, id)
	if err != nil || !ok {
		return err
	}
	if err := queue.Delete(queueKey(r.queued, id)); err != nil {
		return err
	}
	return items.Delete([]byte(id))
}

// Claim implements storage.DueStore in one transaction.
func (d *dueSet) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.Claim, error) {
	if err := storage.CheckClaimArgs(now, limit, lease); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nowMs := now.UnixMilli()
	until := nowMs + ceilMillis(lease)
	token := d.holder + "." + rand.Text()
	var claims []storage.Claim
	err := d.db.Update(func(tx *bolt.Tx) error {
		b, queue, err := d.buckets(tx)
		if err != nil {
			return err
		}
		groups, held, err := d.groupBuckets(tx)
		if err != nil {
			return err
		}
		// The holder's groups are kept for GroupHold more; the groups'
		// states as this claim changes them.
		hold := nowMs + storage.GroupHold.Milliseconds()
		states := map[string]*storage.HeldGroup{}
		var ended [][]byte
		err = held.ForEach(func(k, _ []byte) error {
			h, err := heldGroup(held, string(k))
			if err != nil || h == nil {
				return err
			}
			if kept, ok := storage.KeepGroup(*h, d.holder, nowMs, hold); ok {
				states[string(k)] = &kept
			} else if h.Until <= nowMs {
				ended = append(ended, bytes.Clone(k)) // a hold that ended
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range ended {
			if err := held.Delete(k); err != nil {
				return err
			}
		}
		take := func(id string, r dueRecord) (group string, ok bool, err error) {
			group = string(groups.Get([]byte(id)))
			if group == "" {
				return "", true, nil
			}
			h, seen := states[group]
			if !seen {
				if h, err = heldGroup(held, group); err != nil {
					return "", false, err
				}
			}
			again := r.token != "" && holderOf(r.token) == d.holder
			next, ok := storage.TakeGroup(h, d.holder, again, nowMs, hold)
			if ok {
				states[group] = &next
			} else {
				states[group] = h
			}
			return group, ok, nil
		}
		// Read first, then write: the new queue entries (at until, after
		// now) must not be met again by the cursor.
		type due struct {
			id, group string
			r         dueRecord
		}
		var found []due
		var stale [][]byte
		c := queue.Cursor()
		for k, _ := c.First(); k != nil && len(found) < limit; k, _ = c.Next() {
			if len(k) < 8 {
				return fmt.Errorf("due queue: %w", errCorrupt)
			}
			if queueTime(k) > nowMs {
				break
			}
			id := string(k[8:])
			r, ok, err := getDue(b, id)
			if err != nil {
				return err
			}
			if !ok || r.queued != queueTime(k) {
				stale = append(stale, bytes.Clone(k))
				continue
			}
			group, ok, err := take(id, r)
			if err != nil {
				return err
			}
			if ok {
				found = append(found, due{id, group, r})
			}
		}
		for _, k := range stale {
			if err := queue.Delete(k); err != nil {
				return err
			}
		}
		claims = make([]storage.Claim, 0, len(found))
		for _, d := range found {
			old, r := d.r, d.r
			r.queued, r.token, r.attempt = until, token, r.attempt+1
			if err := putDue(b, queue, d.id, &old, r); err != nil {
				return err
			}
			claims = append(claims, storage.Claim{
				Item:    storage.DueItem{ID: d.id, At: time.UnixMilli(r.at).UTC(), Data: r.data, Group: d.group},
				Token:   token,
				Until:   time.UnixMilli(until).UTC(),
				Attempt: int(r.attempt),
			})
		}
		for g, h := range states {
			if h != nil && h.Holder == d.holder {
				if err := putHeld(held, g, *h); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: claim: %w", err)
	}
	return claims, nil
}

// errLeaseLost aborts a transaction whose claim no longer holds.
var errLeaseLost = errors.New("lease lost")

// Done implements storage.DueStore.
func (d *dueSet) Done(ctx context.Context, c storage.Claim) error {
	res, err := d.DoneAll(ctx, c)
	if err != nil {
		return err
	}
	return res[0]
}

// DoneAll implements storage.DueStore in one transaction.
func (d *dueSet) DoneAll(ctx context.Context, claims ...storage.Claim) ([]error, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	for _, c := range claims {
		if err := checkClaim("done", c); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var results []error
	err := d.db.Update(func(tx *bolt.Tx) error {
		results = make([]error, len(claims))
		items, queue, err := d.buckets(tx)
		if err != nil {
			return err
		}
		for i, c := range claims {
			r, ok, err := getDue(items, c.Item.ID)
			if err != nil {
				return err
			}
			if !ok || r.token != c.Token {
				results[i] = fmt.Errorf("done %s: %w", c.Item.ID, storage.ErrLeaseLost)
				continue
			}
			if err := d.settled(tx, c.Item.ID, c.Token, 0); err != nil {
				return err
			}
			if err := deleteDue(items, queue, c.Item.ID); err != nil {
				return err
			}
			if err := tx.Bucket(d.groups).Delete([]byte(c.Item.ID)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		what := claims[0].Item.ID
		if len(claims) > 1 {
			what = fmt.Sprintf("%d items", len(claims))
		}
		return nil, fmt.Errorf("embedded: done %s: %w", what, err)
	}
	return results, nil
}

// Release implements storage.DueStore.
func (d *dueSet) Release(ctx context.Context, c storage.Claim, at time.Time) error {
	if c.Item.ID != "" && at.IsZero() {
		return fmt.Errorf("embedded: release %s: no due time", c.Item.ID)
	}
	return d.settle(ctx, "release", c, func(tx *bolt.Tx, items, queue *bolt.Bucket, old dueRecord) error {
		if err := d.settled(tx, c.Item.ID, c.Token, at.UnixMilli()); err != nil {
			return err
		}
		r := old
		r.at, r.queued, r.token = at.UnixMilli(), at.UnixMilli(), ""
		return putDue(items, queue, c.Item.ID, &old, r)
	})
}

// settle runs fn in a transaction if claim c still holds.
func (d *dueSet) settle(ctx context.Context, op string, c storage.Claim, fn func(tx *bolt.Tx, items, queue *bolt.Bucket, r dueRecord) error) error {
	if err := checkClaim(op, c); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := d.db.Update(func(tx *bolt.Tx) error {
		b, queue, err := d.buckets(tx)
		if err != nil {
			return err
		}
		r, ok, err := getDue(b, c.Item.ID)
		if err != nil {
			return err
		}
		if !ok || r.token != c.Token {
			return errLeaseLost
		}
		return fn(tx, b, queue, r)
	})
	if errors.Is(err, errLeaseLost) {
		return fmt.Errorf("%s %s: %w", op, c.Item.ID, storage.ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("embedded: %s %s: %w", op, c.Item.ID, err)
	}
	return nil
}

// checkClaim reports a claim without item id or token, for op.
func checkClaim(op string, c storage.Claim) error {
	if err := storage.CheckClaim(c); err != nil {
		return fmt.Errorf("embedded: %s: %w", op, err)
	}
	return nil
}

// Lock implements storage.DueStore. It also drops the locks that have
// ended, so the file does not keep every lock ever taken.
func (d *dueSet) Lock(ctx context.Context, name string, ttl time.Duration, now time.Time) (bool, error) {
	if err := storage.CheckLock(name, ttl, now); err != nil {
		return false, fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	got := false
	err := d.db.Update(func(tx *bolt.Tx) (err error) {
		got, err = d.takeLock(tx, name, ttl, now.UnixMilli())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("embedded: lock %s: %w", name, err)
	}
	return got, nil
}

// takeLock takes a checked lock in tx, as Lock does, dropping the locks that
// have ended.
func (d *dueSet) takeLock(tx *bolt.Tx, name string, ttl time.Duration, nowMs int64) (bool, error) {
	locks, err := tx.CreateBucketIfNotExists(d.locks)
	if err != nil {
		return false, err
	}
	held := false
	var ended [][]byte
	err = locks.ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("lock %q: %w", k, errCorrupt)
		}
		switch {
		case int64(binary.BigEndian.Uint64(v)) <= nowMs:
			ended = append(ended, bytes.Clone(k))
		case string(k) == name:
			held = true
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	for _, k := range ended {
		if err := locks.Delete(k); err != nil {
			return false, err
		}
	}
	if held {
		return false, nil
	}
	return true, locks.Put([]byte(name), binary.BigEndian.AppendUint64(nil, uint64(nowMs+ceilMillis(ttl))))
}

// ceilMillis rounds a positive duration up to whole milliseconds.
func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

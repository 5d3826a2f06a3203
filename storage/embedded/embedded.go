// Package embedded is a storage.Store in one local file, for running
// learnpact without a Redis server. It is built on bbolt: every Save is one
// transaction (session, contract, the event applied, the outgoing messages
// into the outbox and the changes to due items), so a crash never leaves
// half a turn behind.
//
// Only one process can use a file at a time; a second one gets ErrInUse.
package embedded

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/learnpact/learnpact/storage"
)

// ErrInUse is returned by Open when another process holds the file.
var ErrInUse = errors.New("the store file is locked by another process")

var _ storage.Store = (*Store)(nil)

// Bucket names. Values are small binary envelopes, see encodeSession and
// encodeContract.
var (
	bucketSessions  = []byte("sessions")  // user key → saved-at, current contract, session
	bucketContracts = []byte("contracts") // contract id → rev, contract
	bucketUsers     = []byte("users")     // user key → bucket: contract id → sequence
	bucketSeen      = []byte("seen")      // event id → expiry (FirstSeen)
	bucketSeenByExp = []byte("seen-exp")  // expiry + event id → nothing, to drop expired ids
	// Events applied by turns, kept apart from FirstSeen's.
	bucketApplied      = []byte("applied")     // user key + event id → expiry
	bucketAppliedByExp = []byte("applied-exp") // expiry + user key + event id → nothing
)

// maxPurge bounds how many expired event ids one FirstSeen or Save removes.
const maxPurge = 64

// Store is a storage.Store in a bbolt file.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
	// dueSet makes the Store the storage.DueStore of due items.
	dueSet
}

type config struct {
	now         func() time.Time
	lockTimeout time.Duration
}

// Option configures Open.
type Option func(*config)

// WithClock sets the clock used for session ages and event expiry.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithLockTimeout sets how long Open waits for another process to release
// the file (default 1s).
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) { c.lockTimeout = d }
}

// Open opens or creates the store file at path, creating its directory if
// needed.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{now: time.Now, lockTimeout: time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" {
		return nil, errors.New("embedded: no file name given")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("embedded: create directory for %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cfg.lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("another learnpact is using %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketContracts, bucketUsers, bucketSeen, bucketSeenByExp, bucketApplied, bucketAppliedByExp} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded: prepare %s: %w", path, err)
	}
	return &Store{
		db:   db,
		path: path,
		now:  cfg.now,
		dueSet: dueSet{db: db, items: bucketDue, queue: bucketDueQueue, locks: bucketLocks,
			groups: bucketDueGroups, held: bucketDueHeld, holder: rand.Text()},
	}, nil
}

// Load implements storage.Store.
func (s *Store) Load(ctx context.Context, user storage.UserKey, contractID, event string) (storage.Snapshot, error) {
	if err := checkUser(user); err != nil {
		return storage.Snapshot{}, err
	}
	if err := ctx.Err(); err != nil {
		return storage.Snapshot{}, err
	}
	now := s.now()
	var snap storage.Snapshot
	err := s.db.View(func(tx *bolt.Tx) error {
		if event != "" {
			snap.Applied = unexpired(tx.Bucket(bucketApplied).Get(appliedKey(user, event)), now)
		}
		if v := tx.Bucket(bucketSessions).Get(userKey(user)); v != nil {
			at, current, data, err := decodeSession(v)
			if err != nil {
				return fmt.Errorf("session of %s: %w", user.User, err)
			}
			if now.Before(at.Add(storage.SessionTTL)) {
				snap.Session = bytes.Clone(data)
				if contractID == "" {
					contractID = current
				}
			}
		}
		snap.ContractID = contractID
		if contractID == "" {
			return nil
		}
		if v := tx.Bucket(bucketContracts).Get([]byte(contractID)); v != nil {
			rev, data, err := decodeContract(v)
			if err != nil {
				return fmt.Errorf("contract %s: %w", contractID, err)
			}
			snap.Rev, snap.Contract = rev, bytes.Clone(data)
		}
		return nil
	})
	if err != nil {
		return storage.Snapshot{}, fmt.Errorf("embedded: load: %w", err)
	}
	return snap, nil
}

// appliedKey names an event applied by a turn of user: the user key is
// length-prefixed, so the event id follows it unambiguously.
func appliedKey(user storage.UserKey, event string) []byte {
	return append(userKey(user), event...)
}

// unexpired reports whether v is an expiry (unix nanoseconds) after now.
func unexpired(v []byte, now time.Time) bool {
	return len(v) == 8 && now.UnixNano() < int64(binary.BigEndian.Uint64(v))
}

// Abort a Save transaction; Save returns storage.ErrConflict or
// storage.ErrApplied.
var (
	errConflict = errors.New("conflict")
	errApplied  = errors.New("applied")
)

// Save implements storage.Store in one transaction, the platform's outbox
// and the changes to due items included.
// It also drops a few expired applied events.
func (s *Store) Save(ctx context.Context, w storage.TurnWrite) error {
	if err := w.Check(); err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		if w.Event != "" {
			if err := markApplied(tx, appliedKey(w.User, w.Event), now, w.EventTTL); err != nil {
				return err
			}
		}
		if c := w.Contract; c != nil {
			contracts := tx.Bucket(bucketContracts)
			var rev int64
			if v := contracts.Get([]byte(c.ID)); v != nil {
				var err error
				if rev, _, err = decodeContract(v); err != nil {
					return fmt.Errorf("contract %s: %w", c.ID, err)
				}
			}
			if rev != c.Rev {
				return errConflict
			}
			if err := contracts.Put([]byte(c.ID), encodeContract(rev+1, c.Data)); err != nil {
				return err
			}
			for _, u := range c.Users {
				if err := addContract(tx, u, c.ID); err != nil {
					return err
				}
			}
		}
		if w.Session != nil {
			if err := tx.Bucket(bucketSessions).Put(userKey(w.User), encodeSession(now, w.CurrentContract, w.Session)); err != nil {
				return err
			}
		}
		if err := s.outbox(w.User.Platform).put(tx, w.Out); err != nil {
			return err
		}
		return s.dueSet.change(tx, w.Due)
	})
	switch {
	case errors.Is(err, errApplied):
		return fmt.Errorf("event %s: %w", w.Event, storage.ErrApplied)
	case errors.Is(err, errConflict):
		return storage.ErrConflict
	case err != nil:
		return fmt.Errorf("embedded: save: %w", err)
	}
	return nil
}

// markApplied records the applied event key until now+ttl, or returns
// errApplied when it is recorded and unexpired. It first drops a few
// expired ones.
func markApplied(tx *bolt.Tx, key []byte, now time.Time, ttl time.Duration) error {
	ids, byExp := tx.Bucket(bucketApplied), tx.Bucket(bucketAppliedByExp)
	if err := purgeSeen(ids, byExp, now); err != nil {
		return err
	}
	first, err := record(ids, byExp, key, now, ttl)
	if err == nil && !first {
		return errApplied
	}
	return err
}

// addContract appends id to u's contract list unless it is there already.
func addContract(tx *bolt.Tx, u storage.UserKey, id string) error {
	b, err := tx.Bucket(bucketUsers).CreateBucketIfNotExists(userKey(u))
	if err != nil {
		return err
	}
	if b.Get([]byte(id)) != nil {
		return nil
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put([]byte(id), binary.BigEndian.AppendUint64(nil, seq))
}

// Contract implements storage.Store.
func (s *Store) Contract(ctx context.Context, id string) ([]byte, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var (
		data []byte
		rev  int64
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketContracts).Get([]byte(id))
		if v == nil {
			return storage.ErrNotFound
		}
		r, d, err := decodeContract(v)
		if err != nil {
			return fmt.Errorf("contract %s: %w", id, err)
		}
		rev, data = r, bytes.Clone(d)
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, 0, fmt.Errorf("contract %s: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("embedded: %w", err)
	}
	return data, rev, nil
}

// Contracts implements storage.Store.
func (s *Store) Contracts(ctx context.Context, user storage.UserKey) ([]string, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type entry struct {
		seq uint64
		id  string
	}
	var entries []entry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers).Bucket(userKey(user))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("contract list of %s: bad entry for %q", user.User, k)
			}
			entries = append(entries, entry{binary.BigEndian.Uint64(v), string(k)})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.id
	}
	return ids, nil
}

// FirstSeen implements storage.Store. It also drops a few expired ids, so
// the file does not grow with every event ever seen.
func (s *Store) FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error) {
	if eventID == "" {
		return false, errors.New("embedded: empty event id")
	}
	if ttl <= 0 {
		return false, fmt.Errorf("embedded: event ttl must be positive, got %s", ttl)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.now()
	first := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		seen, byExp := tx.Bucket(bucketSeen), tx.Bucket(bucketSeenByExp)
		if err := purgeSeen(seen, byExp, now); err != nil {
			return err
		}
		var err error
		first, err = record(seen, byExp, []byte(eventID), now, ttl)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("embedded: first seen: %w", err)
	}
	return first, nil
}

// record notes id in ids until now+ttl, indexed by expiry in byExp, and
// reports true; it reports false, and changes nothing, when id is noted
// already and unexpired.
func record(ids, byExp *bolt.Bucket, id []byte, now time.Time, ttl time.Duration) (bool, error) {
	if v := ids.Get(id); len(v) == 8 {
		if unexpired(v, now) {
			return false, nil
		}
		if err := byExp.Delete(append(bytes.Clone(v), id...)); err != nil {
			return false, err
		}
	}
	exp := binary.BigEndian.AppendUint64(nil, uint64(now.Add(ttl).UnixNano()))
	if err := ids.Put(id, exp); err != nil {
		return false, err
	}
	return true, byExp.Put(append(exp, id...), nil)
}

// purgeSeen deletes up to maxPurge ids whose expiry has passed, from
// FirstSeen's buckets or from the applied events'.
func purgeSeen(seen, byExp *bolt.Bucket, now time.Time) error {
	c := byExp.Cursor()
	for i, k := 0, firstKey(c); i < maxPurge && len(k) >= 8; i, k = i+1, firstKey(c) {
		if int64(binary.BigEndian.Uint64(k)) > now.UnixNano() {
			return nil
		}
		// An id recorded again has a newer entry; only drop the id itself
		// when this entry is its current one.
		id := k[8:]
		if v := seen.Get(id); bytes.Equal(v, k[:8]) {
			if err := seen.Delete(id); err != nil {
				return err
			}
		}
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

func firstKey(c *bolt.Cursor) []byte {
	k, _ := c.First()
	return k
}

// Ping implements storage.Store: an empty write transaction, which
// writes and syncs the file's meta page, so a file that cannot be written
// fails it. It gives up when ctx ends, leaving the transaction to finish
// on its own.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.db.Update(func(*bolt.Tx) error { return nil }) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("embedded: ping %s: %w", s.path, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("embedded: ping %s: %w", s.path, ctx.Err())
	}
}

// Close implements storage.Store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close: %w", err)
	}
	return nil
}

func checkUser(u storage.UserKey) error {
	if err := storage.CheckUser(u); err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	return nil
}

// userKey encodes a user as length-prefixed parts, so no id can make two
// users collide.
func userKey(u storage.UserKey) []byte {
	var b []byte
	for _, part := range []string{u.Platform, u.Team, u.User} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

var errCorrupt = errors.New("corrupt record")

// encodeSession lays out saved-at (unix nanoseconds), the current contract
// id (length-prefixed) and the session.
func encodeSession(at time.Time, current string, data []byte) []byte {
	b := make([]byte, 0, 8+binary.MaxVarintLen64+len(current)+len(data))
	b = binary.BigEndian.AppendUint64(b, uint64(at.UnixNano()))
	b = binary.AppendUvarint(b, uint64(len(current)))
	b = append(b, current...)
	return append(b, data...)
}

func decodeSession(v []byte) (at time.Time, current string, data []byte, err error) {
	if len(v) < 8 {
		return time.Time{}, "", nil, errCorrupt
	}
	at = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
	n, k := binary.Uvarint(v[8:])
	if k <= 0 || uint64(len(v)-8-k) < n {
		return time.Time{}, "", nil, errCorrupt
	}
	rest := v[8+k:]
	return at, string(rest[:n]), rest[n:], nil
}

// encodeContract lays out the revision and the contract.
func encodeContract(rev int64, data []byte) []byte {
	b := make([]byte, 0, 8+len(data))
	b = binary.BigEndian.AppendUint64(b, uint64(rev))
	return append(b, data...)
}

func decodeContract(v []byte) (int64, []byte, error) {
	if len(v) < 8 {
		return 0, nil, errCorrupt
	}
	return int64(binary.BigEndian.Uint64(v)), v[8:], nil
}

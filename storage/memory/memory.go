// Package memory keeps everything a store keeps in the process's memory,
// for tests and the sandbox; passes storagetest.
//
// A Store is a storage.Store, storage.Docs and storage.DueStore, with a
// DueStore per platform for its outbox (Store.Outbox), like the Redis and
// embedded stores; Save writes a turn's outgoing messages into its
// platform's outbox, and its changes to due items, under the same mutex
// as the rest of the turn. It is safe for concurrent use, copies every byte slice it is given or hands out, and forgets
// everything when the process ends.
//
// The due items and locks read no clock: their times come from the caller.
// Session ages and event ids' ttl do, from the clock given with WithClock
// (time.Now by default).
package memory

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/learnpact/learnpact/storage"
)

var (
	_ storage.Store    = (*Store)(nil)
	_ storage.Docs     = (*Store)(nil)
	_ storage.DueStore = (*Store)(nil)
)

// ErrClosed is returned by every method of a closed Store.
var ErrClosed = errors.New("memory: store is closed")

// maxDocKey is the longest document key accepted, in bytes, as for the
// other stores.
const maxDocKey = 512

// Store is an in-memory storage.Store, storage.Docs and storage.DueStore.
// Create it with New.
type Store struct {
	now func() time.Time

	// mu guards everything below, and the due items of both due sets.
	mu        sync.Mutex
	closed    bool
	sessions  map[storage.UserKey]session
	contracts map[string]revised
	lists     map[storage.UserKey][]string // contract ids, oldest first
	seen      map[string]time.Time         // event id → end of its ttl (FirstSeen)
	applied   map[applied]time.Time        // event applied by a user's turn → end of its ttl
	docs      map[string]revised
	// library is the index of past contracts (see library.go).
	library libraryIndex

	// dueSet makes the Store the storage.DueStore of due items.
	dueSet
	outboxes map[string]*dueData // by platform, made on first use
}

// applied names an event applied by one user's turn.
type applied struct {
	user  storage.UserKey
	event string
}

type session struct {
	at      time.Time // saved at, by the store's clock
	current string
	data    []byte
}

// revised is a contract or a document and its revision.
type revised struct {
	rev  int64
	data []byte
}

// Option configures New.
type Option func(*Store)

// WithClock sets the clock used for session ages and the ttl of event ids
// (FirstSeen, and events applied by turns); time.Now by default.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{
		now:       time.Now,
		sessions:  map[storage.UserKey]session{},
		contracts: map[string]revised{},
		lists:     map[storage.UserKey][]string{},
		seen:      map[string]time.Time{},
		applied:   map[applied]time.Time{},
		docs:      map[string]revised{},
		library:   newLibraryIndex(),
	}
	for _, o := range opts {
		o(s)
	}
	s.dueSet = dueSet{s: s, dueData: newDueData(), holder: rand.Text()}
	s.outboxes = map[string]*dueData{}
	return s
}

// Outbox returns the outbox of a platform: a DueStore kept apart from the
// due items and from the other platforms' outboxes, for messages waiting
// to be delivered. Each call returns a new holder of groups (see
// storage.DueItem.Group).
func (s *Store) Outbox(platform string) storage.DueStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &dueSet{s: s, dueData: s.outbox(platform), holder: rand.Text()}
}

// outbox returns the platform's outbox, made on first use. The caller
// holds s.mu.
func (s *Store) outbox(platform string) *dueData {
	d, ok := s.outboxes[platform]
	if !ok {
		d = newDueData()
		s.outboxes[platform] = d
	}
	return d
}

// Stores returns the store and everything it keeps, named "memory".
func (s *Store) Stores() storage.Stores {
	return storage.Stores{Name: "memory", Turns: s, Docs: s, Due: s, Erase: s, Library: s, Outbox: s.Outbox}
}

// lock takes the store's mutex and checks the context and that the store
// is open; on success the caller must unlock s.mu.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// Load implements storage.Store.
func (s *Store) Load(ctx context.Context, user storage.UserKey, contractID, event string) (storage.Snapshot, error) {
	if err := checkUser(user); err != nil {
		return storage.Snapshot{}, err
	}
	now := s.now()
	if err := s.lock(ctx); err != nil {
		return storage.Snapshot{}, err
	}
	defer s.mu.Unlock()
	var snap storage.Snapshot
	if sess, ok := s.sessions[user]; ok && now.Before(sess.at.Add(storage.SessionTTL)) {
		snap.Session = bytes.Clone(sess.data)
		if contractID == "" {
			contractID = sess.current
		}
	}
	snap.ContractID = contractID
	if c, ok := s.contracts[contractID]; ok && contractID != "" {
		snap.Contract, snap.Rev = bytes.Clone(c.data), c.rev
	}
	snap.Applied = event != "" && s.isApplied(applied{user, event}, now)
	return snap, nil
}

// isApplied reports whether the event was applied within its ttl. The
// caller holds s.mu.
func (s *Store) isApplied(a applied, now time.Time) bool {
	end, ok := s.applied[a]
	return ok && now.Before(end)
}

// Save implements storage.Store: everything is written under the store's
// mutex, the platform's outbox and the due items included, or nothing is. It also forgets the applied
// events whose ttl has passed.
func (s *Store) Save(ctx context.Context, w storage.TurnWrite) error {
	if err := w.Check(); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	now := s.now()
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if w.Event != "" {
		for a, end := range s.applied {
			if !now.Before(end) {
				delete(s.applied, a)
			}
		}
		if s.isApplied(applied{w.User, w.Event}, now) {
			return fmt.Errorf("event %s: %w", w.Event, storage.ErrApplied)
		}
	}
	if c := w.Contract; c != nil {
		if s.contracts[c.ID].rev != c.Rev {
			return fmt.Errorf("contract %s: %w", c.ID, storage.ErrConflict)
		}
		s.contracts[c.ID] = revised{rev: c.Rev + 1, data: bytes.Clone(c.Data)}
		for _, u := range c.Users {
			if !slices.Contains(s.lists[u], c.ID) {
				s.lists[u] = append(s.lists[u], c.ID)
			}
		}
	}
	if w.Session != nil {
		s.sessions[w.User] = session{at: now, current: w.CurrentContract, data: bytes.Clone(w.Session)}
	}
	if w.Event != "" {
		s.applied[applied{w.User, w.Event}] = now.Add(w.EventTTL)
	}
	if len(w.Out) > 0 {
		s.outbox(w.User.Platform).put(w.Out)
	}
	s.dueSet.change(w.Due)
	return nil
}

// Contract implements storage.Store.
func (s *Store) Contract(ctx context.Context, id string) ([]byte, int64, error) {
	if err := s.lock(ctx); err != nil {
		return nil, 0, err
	}
	defer s.mu.Unlock()
	c, ok := s.contracts[id]
	if !ok {
		return nil, 0, fmt.Errorf("contract %s: %w", id, storage.ErrNotFound)
	}
	return bytes.Clone(c.data), c.rev, nil
}

// Contracts implements storage.Store.
func (s *Store) Contracts(ctx context.Context, user storage.UserKey) ([]string, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return slices.Clone(s.lists[user]), nil
}

// FirstSeen implements storage.Store, with the ttl counted on the store's
// clock (see WithClock). It also forgets the ids whose ttl has passed.
func (s *Store) FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error) {
	switch {
	case eventID == "":
		return false, errors.New("memory: empty event id")
	case ttl <= 0:
		return false, fmt.Errorf("memory: event ttl must be positive, got %s", ttl)
	}
	now := s.now()
	if err := s.lock(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	for id, end := range s.seen {
		if !now.Before(end) {
			delete(s.seen, id)
		}
	}
	if _, ok := s.seen[eventID]; ok {
		return false, nil
	}
	s.seen[eventID] = now.Add(ttl)
	return true, nil
}

// Ping implements storage.Store: ErrClosed after Close.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	s.mu.Unlock()
	return nil
}

// Close implements storage.Store. Every later call returns ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Doc implements storage.Docs.
func (s *Store) Doc(ctx context.Context, key string) ([]byte, int64, error) {
	if err := checkDocKey(key); err != nil {
		return nil, 0, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, 0, err
	}
	defer s.mu.Unlock()
	d, ok := s.docs[key]
	if !ok {
		return nil, 0, fmt.Errorf("doc %q: %w", key, storage.ErrNotFound)
	}
	return bytes.Clone(d.data), d.rev, nil
}

// PutDoc implements storage.Docs.
func (s *Store) PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error) {
	if err := checkDocKey(key); err != nil {
		return 0, err
	}
	switch {
	case len(data) == 0:
		return 0, fmt.Errorf("memory: doc %q: no data", key)
	case rev < storage.AnyRev:
		return 0, fmt.Errorf("memory: doc %q: bad revision %d", key, rev)
	}
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	stored := s.docs[key].rev
	if rev != storage.AnyRev && stored != rev {
		return 0, fmt.Errorf("doc %q: %w", key, storage.ErrConflict)
	}
	if stored == math.MaxInt64 {
		return 0, fmt.Errorf("memory: doc %q: revision %d cannot go higher", key, stored)
	}
	s.docs[key] = revised{rev: stored + 1, data: bytes.Clone(data)}
	return stored + 1, nil
}

func checkUser(u storage.UserKey) error {
	if err := storage.CheckUser(u); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	return nil
}

func checkDocKey(key string) error {
	switch {
	case key == "":
		return errors.New("memory: empty doc key")
	case len(key) > maxDocKey:
		return fmt.Errorf("memory: doc key of %d bytes, over %d", len(key), maxDocKey)
	}
	return nil
}

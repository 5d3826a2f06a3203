// Package storage declares what the bot needs from a store. Implementations
// live in storage/redis and storage/embedded and pass the conformance suite
// in storage/storagetest.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrConflict is returned when a contract was changed by someone else since
// it was loaded: nothing was written.
var ErrConflict = errors.New("storage: contract changed concurrently")

// ErrNotFound is returned for a contract that does not exist.
var ErrNotFound = errors.New("storage: not found")

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

// Store is the system of record for sessions, contracts and event dedupe.
// Bad arguments (an empty user or contract id, a negative revision, empty
// contract data, an empty event id, a ttl ≤ 0) are errors, never panics.
type Store interface {
	// Load returns the user's session and a contract in one round trip.
	// With an empty contractID, the session's current contract (as last
	// saved) is loaded.
	Load(ctx context.Context, user UserKey, contractID string) (Snapshot, error)
	// Save writes the session (with its current contract id, and a TTL
	// refreshed each turn) and, when c is not nil, the contract, as one
	// atomic step. If the contract's stored revision is not c.Rev it
	// returns ErrConflict and writes nothing. A nil session leaves the
	// stored session (and its current contract) unchanged. Only the users
	// in c.Users get the contract added to their lists.
	Save(ctx context.Context, user UserKey, session []byte, currentContract string, c *ContractWrite) error
	// Contract returns one contract and its revision, or ErrNotFound.
	Contract(ctx context.Context, id string) ([]byte, int64, error)
	// Contracts lists the ids of the user's contracts, oldest first.
	Contracts(ctx context.Context, user UserKey) ([]string, error)
	// FirstSeen records an event id and reports whether this is the first
	// time it was seen within ttl.
	FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error)
	// Close releases the store.
	Close() error
}

// SessionTTL is how long an idle session is kept.
const SessionTTL = 90 * 24 * time.Hour

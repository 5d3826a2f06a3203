package storage

import (
	"context"
	"time"
)

// Eraser deletes what a store keeps about people and contracts, for
// privacy requests ("forget me") and retention. Each store implements it
// on the same data as its Store and Docs; deleting something unknown is no
// error. Bad arguments (an empty id, user or key) are errors, never panics.
//
// A store deletes for good: nothing of what was deleted stays readable in
// the store's keys, values or file.
type Eraser interface {
	// EachContract calls fn with every stored contract, in no set order,
	// until fn returns an error, which EachContract then returns.
	// Contracts saved or deleted meanwhile may or may not be seen.
	EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error
	// DeleteContract removes a contract and the events recorded with it,
	// and drops it from every user's list in users.
	DeleteContract(ctx context.Context, id string, users []UserKey) error
	// DeleteUser removes a user's session, contract list and the events
	// their turns applied (the contracts themselves stay).
	DeleteUser(ctx context.Context, user UserKey) error
	// DocKeys lists the keys of the documents whose key starts with
	// prefix (every key for ""), sorted.
	DocKeys(ctx context.Context, prefix string) ([]string, error)
	// DeleteDoc removes a document.
	DeleteDoc(ctx context.Context, key string) error
}

// Backlog is implemented by the DueStores of this module's stores: how
// many items wait in it, and when the earliest of them became (or
// becomes) claimable, zero when none wait. For metrics: an outbox's depth
// and the age of its oldest message.
type Backlog interface {
	Backlog(ctx context.Context) (n int, first time.Time, err error)
}

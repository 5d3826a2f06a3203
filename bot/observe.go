package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"
)

// Observer hears what the engine does, for metrics. Its methods must be
// quick and safe for concurrent use.
type Observer interface {
	// Turn reports a turn handled: its platform, input kind, outcome
	// ("saved", "applied" for a redelivery, "failed") and how long it
	// took, effects included.
	Turn(platform, kind, outcome string, d time.Duration)
	// StoreError reports a store operation ("load", "save") that failed.
	StoreError(op string)
	// StoreRetry reports a save run again after a concurrent change.
	StoreRetry(op string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) Turn(string, string, string, time.Duration) {}
func (nopObserver) StoreError(string)                          {}
func (nopObserver) StoreRetry(string)                          {}

type logKey struct{}

// withRequest gives a turn its request id: every line the engine logs
// for the turn carries it.
func (e *Engine) withRequest(ctx context.Context) context.Context {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return context.WithValue(ctx, logKey{}, e.logger.With("request_id", hex.EncodeToString(b[:])))
}

// log is the logger for ctx: the turn's, with its request id, when ctx is
// a turn's.
func (e *Engine) log(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return e.logger
}

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

const (
	// readyTTL is how long a store check answers /readyz, so that a load
	// balancer's probes do not each reach the store.
	readyTTL = time.Second
	// readyTimeout bounds one store check.
	readyTimeout = 500 * time.Millisecond
)

// readiness answers GET /readyz: 200 "ready" while the process can take
// events, 503 with a short reason while it is shutting down, a platform
// refused its credentials or its store does not answer, so that a load balancer sends events elsewhere (and
// Slack, refused, delivers them again).
type readiness struct {
	ping     func(context.Context) error // the store's
	draining func() bool
	// refused reports a platform that refused the bot's credentials
	// (nil when none did); nil to skip.
	refused func() error
	now     func() time.Time
	log     *slog.Logger

	// mu makes concurrent probes share one store check.
	mu      sync.Mutex
	checked time.Time // when err was found; zero before the first check
	err     error
}

func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.draining() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "shutting down")
		return
	}
	if r.refused != nil {
		if err := r.refused(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "platform credentials refused")
			return
		}
	}
	if err := r.store(req.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "store unreachable")
		return
	}
	io.WriteString(w, "ready")
}

// store checks the store, at most once per readyTTL.
func (r *readiness) store(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if !r.checked.IsZero() && now.Sub(r.checked) < readyTTL && !now.Before(r.checked) {
		return r.err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
	defer cancel()
	err := r.ping(ctx)
	switch {
	case err != nil && r.err == nil:
		r.log.Error("not ready: the store does not answer", "err", err)
	case err == nil && r.err != nil:
		r.log.Info("ready: the store answers again")
	}
	r.checked, r.err = r.now(), err
	return err
}

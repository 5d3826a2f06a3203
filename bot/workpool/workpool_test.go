package workpool

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// TestOrderPerKey: one key's jobs run one after another, in the order
// submitted, while other keys run on other workers.
func TestOrderPerKey(t *testing.T) {
	p := New(4, 100)
	var mu sync.Mutex
	got := map[string][]int{}
	for i := range 50 {
		for _, k := range []string{"a", "b", "c"} {
			if err := p.Submit(k, func(context.Context) {
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		if len(got[k]) != 50 {
			t.Fatalf("%s ran %d jobs", k, len(got[k]))
		}
		for i, v := range got[k] {
			if v != i {
				t.Fatalf("%s ran job %d in place %d", k, v, i)
			}
		}
	}
	if err := p.Submit("a", func(context.Context) {}); !errors.Is(err, ErrClosed) {
		t.Fatalf("submit after shutdown: %v", err)
	}
}

// TestBusy: a full queue refuses without blocking.
func TestBusy(t *testing.T) {
	p := New(1, 1)
	release := make(chan struct{})
	started := make(chan struct{})
	if err := p.Submit("k", func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := p.Submit("k", func(context.Context) {}); err != nil {
		t.Fatalf("the queue has room for one: %v", err)
	}
	if err := p.Submit("k", func(context.Context) {}); !errors.Is(err, ErrBusy) {
		t.Fatalf("full queue: %v", err)
	}
	close(release)
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownCancels: when the wait runs out, running jobs see their
// context end.
func TestShutdownCancels(t *testing.T) {
	p := New(2, 1)
	started := make(chan struct{})
	ended := make(chan error, 1)
	if err := p.Submit("k", func(ctx context.Context) { close(started); <-ctx.Done(); ended <- ctx.Err() }); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := p.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Fatalf("job context: %v", err)
	}
}

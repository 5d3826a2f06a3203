package workpool

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

// TestOrderPerKey: one key's jobs run one after another, in the order
// submitted, while other keys run on other workers.
func TestOrderPerKey(t *testing.T) {
	p := New(4, Limits{Depth: 1000})
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
	p := New(1, Limits{Depth: 1})
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
	p := New(2, Limits{Depth: 1})
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

// TestKeyLimit: one key's flood is refused at PerKey jobs waiting, with
// ErrKeyBusy, while other keys are still taken; a full pool refuses
// everyone with ErrBusy.
func TestKeyLimit(t *testing.T) {
	p := New(1, Limits{Depth: 5, PerKey: 2})
	release := make(chan struct{})
	started := make(chan struct{})
	if err := p.Submit("a", func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	<-started
	for i := range 2 {
		if err := p.Submit("a", func(context.Context) {}); err != nil {
			t.Fatalf("a's job %d: %v", i, err)
		}
	}
	err := p.Submit("a", func(context.Context) {})
	if !errors.Is(err, ErrKeyBusy) || !errors.Is(err, ErrBusy) {
		t.Fatalf("a's third waiting job: %v, want ErrKeyBusy (an ErrBusy)", err)
	}
	for _, k := range []string{"b", "c", "d"} {
		if err := p.Submit(k, func(context.Context) {}); err != nil {
			t.Fatalf("%s, after a's flood: %v", k, err)
		}
	}
	if err := p.Submit("e", func(context.Context) {}); !errors.Is(err, ErrBusy) || errors.Is(err, ErrKeyBusy) {
		t.Fatalf("full pool: %v, want ErrBusy", err)
	}
	close(release)
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestFairness: keys take turns, so a job of b submitted behind a backlog
// of a's runs as soon as the running job of a ends, not after a's whole
// backlog, even on one worker.
func TestFairness(t *testing.T) {
	p := New(1, Limits{Depth: 100, PerKey: 10})
	var mu sync.Mutex
	var order []string
	record := func(s string) func(context.Context) {
		return func(context.Context) {
			mu.Lock()
			order = append(order, s)
			mu.Unlock()
		}
	}
	release := make(chan struct{})
	started := make(chan struct{})
	if err := p.Submit("a", func(context.Context) { close(started); <-release; record("a0")(nil) }); err != nil {
		t.Fatal(err)
	}
	<-started
	for _, s := range []string{"a1", "a2", "a3"} {
		if err := p.Submit("a", record(s)); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"b0", "b1"} {
		if err := p.Submit("b", record(s)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"a0", "b0", "a1", "b1", "a2", "a3"}
	if !slices.Equal(order, want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
}

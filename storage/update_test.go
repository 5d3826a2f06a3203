package storage_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

type counter struct {
	N int `json:"n"`
}

func increment(c *counter, _ bool) (bool, error) {
	c.N++
	return true, nil
}

// checkDoc fails unless key holds want at rev.
func checkDoc(t *testing.T, d storage.Docs, key, want string, rev int64) {
	t.Helper()
	data, got, err := d.Doc(t.Context(), key)
	if err != nil || string(data) != want || got != rev {
		t.Errorf("Doc(%q) = %s at rev %d, %v; want %s at rev %d", key, data, got, err, want, rev)
	}
}

func TestUpdateDocCreatesAndChanges(t *testing.T) {
	d := memory.New()
	ctx := t.Context()
	var sawExists []bool
	change := func(c *counter, exists bool) (bool, error) {
		sawExists = append(sawExists, exists)
		c.N += 10
		return true, nil
	}
	for i := 1; i <= 2; i++ {
		c, err := storage.UpdateDoc(ctx, d, "count", change)
		if err != nil || c.N != 10*i {
			t.Fatalf("update %d = %+v, %v; want n %d", i, c, err, 10*i)
		}
	}
	if want := []bool{false, true}; fmt.Sprint(sawExists) != fmt.Sprint(want) {
		t.Errorf("change saw exists %v, want %v", sawExists, want)
	}
	checkDoc(t, d, "count", `{"n":20}`, 2)
}

func TestUpdateDocWithoutChangeWritesNothing(t *testing.T) {
	d := memory.New()
	ctx := t.Context()
	if _, err := d.PutDoc(ctx, "count", []byte(`{"n":3}`), 0); err != nil {
		t.Fatal(err)
	}
	c, err := storage.UpdateDoc(ctx, d, "count", func(c *counter, exists bool) (bool, error) { return false, nil })
	if err != nil || c.N != 3 {
		t.Errorf("UpdateDoc without a change = %+v, %v; want the stored n 3", c, err)
	}
	_, err = storage.UpdateDoc(ctx, d, "missing", func(c *counter, exists bool) (bool, error) { return exists, nil })
	if err != nil {
		t.Errorf("UpdateDoc of a missing doc without a change: %v", err)
	}
	checkDoc(t, d, "count", `{"n":3}`, 1)
	if _, _, err := d.Doc(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a doc was created without a change: %v", err)
	}
}

func TestUpdateDocErrors(t *testing.T) {
	d := memory.New()
	ctx := t.Context()
	if _, err := d.PutDoc(ctx, "count", []byte(`{"n":3}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PutDoc(ctx, "garbled", []byte(`{"n":`), 0); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	calls := 0
	_, err := storage.UpdateDoc(ctx, d, "count", func(c *counter, _ bool) (bool, error) {
		calls++
		c.N = 99
		return true, refused
	})
	if !errors.Is(err, refused) || calls != 1 {
		t.Errorf("change failing: err = %v after %d calls; want its error after 1", err, calls)
	}
	// A change that fails with a conflict of its own is not retried.
	calls = 0
	_, err = storage.UpdateDoc(ctx, d, "count", func(*counter, bool) (bool, error) {
		calls++
		return true, fmt.Errorf("stale click: %w", storage.ErrConflict)
	})
	if !errors.Is(err, storage.ErrConflict) || calls != 1 {
		t.Errorf("change failing with ErrConflict: err = %v after %d calls; want it after 1", err, calls)
	}
	checkDoc(t, d, "count", `{"n":3}`, 1)

	_, err = storage.UpdateDoc(ctx, d, "garbled", increment)
	if err == nil || errors.Is(err, storage.ErrConflict) {
		t.Errorf("update of an undecodable doc: err = %v, want a decoding error", err)
	}
	checkDoc(t, d, "garbled", `{"n":`, 1)

	if _, err := storage.UpdateDoc(ctx, d, "", increment); err == nil {
		t.Error("update of an empty key succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := storage.UpdateDoc(cancelled, d, "count", increment); !errors.Is(err, context.Canceled) {
		t.Errorf("update with a cancelled context: err = %v", err)
	}
}

// interleaved has a rival writer change the document (on the Docs it
// wraps) just before each of the first few writes through it.
type interleaved struct {
	storage.Docs
	mu     sync.Mutex
	writes int // PutDoc calls so far
	others int // how many of the first PutDoc calls a rival write precedes
	rival  func(ctx context.Context, d storage.Docs) error
}

func (d *interleaved) PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error) {
	d.mu.Lock()
	d.writes++
	rival := d.writes <= d.others
	d.mu.Unlock()
	if rival {
		if err := d.rival(ctx, d.Docs); err != nil {
			return 0, err
		}
	}
	return d.Docs.PutDoc(ctx, key, data, rev)
}

// TestUpdateDocRetriesOnAFreshValue: after a conflict the change runs again
// on the value the other writer stored, not on the one read before.
func TestUpdateDocRetriesOnAFreshValue(t *testing.T) {
	m := memory.New()
	ctx := t.Context()
	if _, err := m.PutDoc(ctx, "tags", []byte(`{"old":1}`), 0); err != nil {
		t.Fatal(err)
	}
	d := &interleaved{Docs: m, others: 2, rival: func(ctx context.Context, d storage.Docs) error {
		_, err := storage.UpdateDoc(ctx, d, "tags", func(v *map[string]int, _ bool) (bool, error) {
			delete(*v, "old")
			(*v)["rival"]++
			return true, nil
		})
		return err
	}}
	runs := 0
	got, err := storage.UpdateDoc(ctx, storage.Docs(d), "tags", func(v *map[string]int, exists bool) (bool, error) {
		runs++
		if *v == nil {
			*v = map[string]int{}
		}
		(*v)["mine"]++
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The rival wrote before each of the first two writes of the update,
	// which both lost; the third ran on the rival's second value alone.
	want := map[string]int{"rival": 2, "mine": 1}
	if !maps.Equal(got, want) {
		t.Errorf("UpdateDoc = %v, want %v", got, want)
	}
	if runs != 3 {
		t.Errorf("change ran %d times, want 3 (two conflicts)", runs)
	}
	data, _, err := m.Doc(ctx, "tags")
	if err != nil || string(data) != `{"mine":1,"rival":2}` {
		t.Errorf("stored %s, %v; want %v", data, err, want)
	}
}

// alwaysConflicting refuses every write.
type alwaysConflicting struct {
	storage.Docs
	puts int
}

func (d *alwaysConflicting) PutDoc(context.Context, string, []byte, int64) (int64, error) {
	d.puts++
	return 0, storage.ErrConflict
}

func TestUpdateDocGivesUp(t *testing.T) {
	d := &alwaysConflicting{Docs: memory.New()}
	_, err := storage.UpdateDoc(t.Context(), d, "count", increment)
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("err = %v, want ErrConflict", err)
	}
	if d.puts != storage.UpdateAttempts {
		t.Errorf("%d writes tried, want %d", d.puts, storage.UpdateAttempts)
	}
}

// TestUpdateDocConcurrentWriters: writers racing on one counter lose no
// increment. Each call either counts (and its increment is stored) or
// fails with ErrConflict after too many attempts.
func TestUpdateDocConcurrentWriters(t *testing.T) {
	const (
		writers    = 8
		increments = 50
	)
	d := memory.New()
	ctx := t.Context()
	var (
		wg                         sync.WaitGroup
		mu                         sync.Mutex
		succeeded, gaveUp, changes int
	)
	for range writers {
		wg.Go(func() {
			for range increments {
				_, err := storage.UpdateDoc(ctx, d, "count", func(c *counter, _ bool) (bool, error) {
					mu.Lock()
					changes++
					mu.Unlock()
					c.N++
					return true, nil
				})
				mu.Lock()
				switch {
				case err == nil:
					succeeded++
				case errors.Is(err, storage.ErrConflict):
					gaveUp++
				default:
					t.Errorf("UpdateDoc: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	data, rev, err := d.Doc(ctx, "count")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"n":%d}`, succeeded)
	if string(data) != want || rev != int64(succeeded) {
		t.Errorf("after %d successful updates (%d gave up, %d changes tried): stored %s at rev %d; want %s at rev %d",
			succeeded, gaveUp, changes, data, rev, want, succeeded)
	}
	if succeeded == 0 {
		t.Error("no update succeeded")
	}
	t.Logf("%d updates, %d gave up, %d retries", succeeded, gaveUp, changes-succeeded-gaveUp*storage.UpdateAttempts)
}

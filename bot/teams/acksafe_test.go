package teams

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/learnpact/learnpact/storage"
)

// downStore is a store whose turns fail while it is down, and that counts
// the turns it saved.
type downStore struct {
	storage.Store
	down  atomic.Bool
	saves atomic.Int32
}

var errStoreDown = errors.New("store down")

func (s *downStore) Load(ctx context.Context, u storage.UserKey, id, event string) (storage.Snapshot, error) {
	if s.down.Load() {
		return storage.Snapshot{}, errStoreDown
	}
	return s.Store.Load(ctx, u, id, event)
}

func (s *downStore) Save(ctx context.Context, w storage.TurnWrite) error {
	if s.down.Load() {
		return errStoreDown
	}
	err := s.Store.Save(ctx, w)
	if err == nil && w.Session != nil {
		s.saves.Add(1)
	}
	return err
}

// TestStoreDownNotAcknowledged: with the store down an activity is
// answered 503 (the connector does not redeliver: the person is told in
// their chat); the same activity sent again once the store is back is
// applied, once.
func TestStoreDownNotAcknowledged(t *testing.T) {
	e := newEnv(t, nil)
	ds := &downStore{Store: e.store}
	e.turns = ds
	e.a = e.adapter(nil)
	e.srv = httptest.NewServer(e.a.Handler())
	t.Cleanup(e.srv.Close)

	ds.down.Store(true)
	act := e.personal(lee, leeChat, "new")
	if status, body := e.postBody(act); status != http.StatusServiceUnavailable || body != "not saved\n" {
		t.Fatalf("activity with the store down: %d %q, want 503 not saved", status, body)
	}
	e.await("an apology", sentTo(leeChat, "went wrong"))

	ds.down.Store(false)
	for range 2 {
		if got := e.post(act, nil); got != http.StatusOK {
			t.Fatalf("the activity again, store back: status %d, want 200", got)
		}
	}
	e.await("the title question", sentTo(leeChat, "First, a title"))
	if n := ds.saves.Load(); n != 1 {
		t.Errorf("%d turns saved, want 1", n)
	}
}

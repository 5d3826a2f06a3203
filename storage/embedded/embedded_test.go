package embedded

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Subject {
		clk := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"), WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		return storagetest.Subject{Stores: s.Stores(), Advance: clk.Advance}
	})
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openWithClock(t *testing.T) (*Store, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"), WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clk
}

var alice = storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}

func TestSessionExpires(t *testing.T) {
	s, clk := openWithClock(t)
	ctx := t.Context()
	w := &storage.ContractWrite{ID: "c1", Data: []byte(`{"id":"c1"}`), Users: []storage.UserKey{alice}}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{"step":"x"}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatal(err)
	}

	clk.Advance(storage.SessionTTL - time.Second)
	snap, err := s.Load(ctx, alice, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Session == nil || snap.ContractID != "c1" || snap.Rev != 1 {
		t.Fatalf("just before the TTL: %+v; want the session and c1", snap)
	}

	clk.Advance(time.Second)
	snap, err = s.Load(ctx, alice, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Session != nil || snap.ContractID != "" || snap.Contract != nil {
		t.Fatalf("at the TTL: %+v; want no session and no current contract", snap)
	}
	// The contract itself does not expire.
	if snap, err = s.Load(ctx, alice, "c1", ""); err != nil || snap.Rev != 1 {
		t.Fatalf("Load(c1) after the session expired = %+v, %v; want rev 1", snap, err)
	}

	// Saving again starts a fresh TTL.
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{"step":"y"}`)}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(storage.SessionTTL / 2)
	if snap, err = s.Load(ctx, alice, "", ""); err != nil || string(snap.Session) != `{"step":"y"}` {
		t.Fatalf("after a new save: %+v, %v; want the new session", snap, err)
	}
}

func TestFirstSeenWithClock(t *testing.T) {
	s, clk := openWithClock(t)
	ctx := t.Context()
	seen := func(id string, ttl time.Duration) bool {
		t.Helper()
		first, err := s.FirstSeen(ctx, id, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return first
	}
	if !seen("Ev1", time.Minute) {
		t.Fatal("first call: false")
	}
	clk.Advance(time.Minute - time.Nanosecond)
	if seen("Ev1", time.Minute) {
		t.Fatal("just before the ttl: true")
	}
	clk.Advance(time.Nanosecond)
	if !seen("Ev1", time.Minute) {
		t.Fatal("at the ttl: false")
	}
	// Recorded again, the id is deduplicated for a new ttl.
	clk.Advance(30 * time.Second)
	if seen("Ev1", time.Minute) {
		t.Fatal("within the new ttl: true")
	}
}

func (s *Store) seenCount(t *testing.T) (ids, index int) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		ids = tx.Bucket(bucketSeen).Stats().KeyN
		index = tx.Bucket(bucketSeenByExp).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, index
}

func TestFirstSeenDropsExpiredIDs(t *testing.T) {
	s, clk := openWithClock(t)
	ctx := t.Context()
	for i := range 100 {
		if _, err := s.FirstSeen(ctx, fmt.Sprintf("old-%d", i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// Re-recording an id after expiry leaves exactly one entry for it.
	clk.Advance(time.Minute)
	if first, err := s.FirstSeen(ctx, "old-99", time.Hour); err != nil || !first {
		t.Fatalf("FirstSeen(old-99) after expiry = %v, %v; want true", first, err)
	}
	for i := range 2 {
		if _, err := s.FirstSeen(ctx, fmt.Sprintf("new-%d", i), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// Three calls drop up to 3*maxPurge expired ids: all 99 of them.
	ids, index := s.seenCount(t)
	if ids != 3 || index != 3 {
		t.Errorf("after expiry: %d ids, %d index entries; want 3 and 3 (old-99, new-0, new-1)", ids, index)
	}
	if first, err := s.FirstSeen(ctx, "old-99", time.Hour); err != nil || first {
		t.Errorf("FirstSeen(old-99) within its new ttl = %v, %v; want false", first, err)
	}
}

func (s *Store) appliedCount(t *testing.T) (ids, index int) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		ids = tx.Bucket(bucketApplied).Stats().KeyN
		index = tx.Bucket(bucketAppliedByExp).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, index
}

// TestSaveDropsExpiredEvents: the file does not keep every event a turn
// ever applied.
func TestSaveDropsExpiredEvents(t *testing.T) {
	s, clk := openWithClock(t)
	ctx := t.Context()
	turn := func(event string, ttl time.Duration) error {
		return s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{}`), Event: event, EventTTL: ttl})
	}
	for i := range 100 {
		if err := turn(fmt.Sprintf("old-%d", i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// An event applied again after expiry has exactly one entry.
	clk.Advance(time.Minute)
	if err := turn("old-99", time.Hour); err != nil {
		t.Fatalf("Save of old-99 after expiry: %v", err)
	}
	for i := range 2 {
		if err := turn(fmt.Sprintf("new-%d", i), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// Three saves drop up to 3*maxPurge expired events: all 99 of them.
	ids, index := s.appliedCount(t)
	if ids != 3 || index != 3 {
		t.Errorf("after expiry: %d events, %d index entries; want 3 and 3 (old-99, new-0, new-1)", ids, index)
	}
	if err := turn("old-99", time.Hour); !errors.Is(err, storage.ErrApplied) {
		t.Errorf("Save of old-99 within its new ttl: err = %v, want ErrApplied", err)
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "learnpact.db")
	ctx := t.Context()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &storage.ContractWrite{ID: "c1", Data: []byte(`{"id":"c1"}`), Users: []storage.UserKey{alice}}
	if err := s.Save(ctx, storage.TurnWrite{User: alice, Session: []byte(`{"step":"x"}`), CurrentContract: "c1", Contract: w}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FirstSeen(ctx, "Ev1", time.Hour); err != nil {
		t.Fatal(err)
	}
	err = s.Save(ctx, storage.TurnWrite{User: alice, Event: "Ev2", EventTTL: time.Hour,
		Out: []storage.DueItem{{ID: "m1", At: time.Unix(1, 0), Data: []byte("hi")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap, err := s.Load(ctx, alice, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if string(snap.Session) != `{"step":"x"}` || snap.ContractID != "c1" || string(snap.Contract) != `{"id":"c1"}` || snap.Rev != 1 {
		t.Errorf("after reopening: %+v", snap)
	}
	if ids, err := s.Contracts(ctx, alice); err != nil || len(ids) != 1 || ids[0] != "c1" {
		t.Errorf("Contracts after reopening = %q, %v; want [c1]", ids, err)
	}
	if first, err := s.FirstSeen(ctx, "Ev1", time.Hour); err != nil || first {
		t.Errorf("FirstSeen(Ev1) after reopening = %v, %v; want false", first, err)
	}
	if snap, err := s.Load(ctx, alice, "", "Ev2"); err != nil || !snap.Applied {
		t.Errorf("Load(Ev2) after reopening: Applied %v, %v; want true", snap.Applied, err)
	}
	if cs, err := s.Outbox("slack").Claim(ctx, time.Unix(1, 0), 10, time.Minute); err != nil || len(cs) != 1 {
		t.Errorf("outbox after reopening: %d claims, %v; want the turn's message", len(cs), err)
	}
}

func TestSecondOpenFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	_, err = Open(path, WithLockTimeout(50*time.Millisecond))
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: err = %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestOpenRejectsOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a text file succeeded")
	}
	if _, err := Open(""); err == nil {
		t.Fatal("Open with no file name succeeded")
	}
}

func TestEraseConformance(t *testing.T) {
	storagetest.RunErase(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		return storagetest.Subject{Stores: s.Stores()}
	})
}

// TestErasedDataLeavesTheFile: what was deleted is gone from the file
// itself, not only from the store's view of it.
func TestErasedDataLeavesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	const secret = "Quokka-7f3a-private-words"
	alice := storage.UserKey{Platform: "slack", Team: "T1", User: "U0ALICE0FORGET"}
	bob := storage.UserKey{Platform: "slack", Team: "T1", User: "U0BOB"}
	big := strings.Repeat(secret+" ", 2000) // overflow pages too
	for i := range 20 {
		id := "c" + strconv.Itoa(i)
		w := storage.TurnWrite{User: alice, Session: []byte(`{"note":"` + secret + `"}`), CurrentContract: id, Event: "ev" + id, EventTTL: time.Hour,
			Contract: &storage.ContractWrite{ID: id, Data: []byte(`{"text":"` + big + `"}`), Users: []storage.UserKey{alice, bob}}}
		if err := s.Save(ctx, w); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutDoc(ctx, "teams:user:"+alice.User+":"+id, []byte(`{"v":"`+secret+`"}`), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Save(ctx, storage.TurnWrite{User: bob, Session: []byte(`{"note":"bob stays"}`)}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if !bytes.Contains(before, []byte(secret)) || !bytes.Contains(before, []byte(alice.User)) {
		t.Fatal("the file never held the secret: the test proves nothing")
	}
	for i := range 20 {
		id := "c" + strconv.Itoa(i)
		if err := s.DeleteContract(ctx, id, []storage.UserKey{alice, bob}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDoc(ctx, "teams:user:"+alice.User+":"+id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{secret, alice.User} {
		if i := bytes.Index(after, []byte(gone)); i >= 0 {
			t.Errorf("%q is still in the file at byte %d (page %d)", gone, i, i/s.db.Info().PageSize)
		}
	}
	if !bytes.Contains(after, []byte("bob stays")) {
		t.Error("the file lost what was not deleted")
	}
}

func TestBacklog(t *testing.T) {
	open := func(t *testing.T) *Store {
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return open(t).Outbox("teams") })
	storagetest.RunBacklog(t, func(t *testing.T) storage.DueStore { return open(t) })
}

func TestLibraryConformance(t *testing.T) {
	storagetest.RunLibrary(t, func(t *testing.T) storagetest.Subject {
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		return storagetest.Subject{Stores: s.Stores()}
	})
}

// TestDroppedExampleLeavesTheFile: the terms of an example whose consent
// was withdrawn are gone from the file itself.
func TestDroppedExampleLeavesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	const secret = "quokkasecretterm"
	for i := range 50 {
		terms := map[string]int{secret + strconv.Itoa(i): 1, "common": 1}
		if err := s.IndexExample(ctx, "slack:T1", "c"+strconv.Itoa(i), terms); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.IndexExample(ctx, "slack:T1", "keep", map[string]int{"stays": 1}); err != nil {
		t.Fatal(err)
	}
	if before, _ := os.ReadFile(path); !bytes.Contains(before, []byte(secret)) {
		t.Fatal("the file never held the terms: the test proves nothing")
	}
	for i := range 50 {
		if err := s.DropExample(ctx, "c"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := os.ReadFile(path)
	if i := bytes.Index(after, []byte(secret)); i >= 0 {
		t.Errorf("a dropped term is still in the file at byte %d", i)
	}
	if !bytes.Contains(after, []byte("stays")) {
		t.Error("the file lost the example not dropped")
	}
}

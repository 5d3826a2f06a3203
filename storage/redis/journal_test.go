package redis

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

var errCrash = errors.New("the process died here")

var (
	ann = storage.UserKey{Platform: "slack", Team: "T1", User: "U-ann"}
	ben = storage.UserKey{Platform: "slack", Team: "T1", User: "U-ben"}
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// clusterTurn is a turn that writes everything a turn can, each key in a
// slot of its own on a three-master cluster.
func clusterTurn(event string, withContract bool) storage.TurnWrite {
	w := storage.TurnWrite{
		User: ann, Session: []byte(`{"step":"` + event + `"}`), CurrentContract: "c1",
		Event: event, EventTTL: time.Hour,
		Out: []storage.DueItem{
			{ID: "out1:" + event, At: t0, Data: []byte("reply 1"), Group: "@U-ann"},
			{ID: "out2:" + event, At: t0, Data: []byte("reply 2"), Group: "@U-ann"},
		},
		Due: storage.DueChanges{Schedule: []storage.DueItem{{ID: "checkin:c1:" + event, At: t0, Data: []byte("check in")}}},
	}
	if withContract {
		w.Contract = &storage.ContractWrite{ID: "c1", Data: []byte(`{"v":1}`), Users: []storage.UserKey{ann, ben}}
	}
	return w
}

func claimedIDs(t *testing.T, d storage.DueStore) []string {
	t.Helper()
	cs, err := d.Claim(t.Context(), t0.Add(time.Hour), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Item.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestClusterSaveRecovers: a save that dies after any of its steps on a
// three-master cluster is finished by Recover, as if it had not died.
func TestClusterSaveRecovers(t *testing.T) {
	srv := redistest.StartCluster3(t)
	for _, withContract := range []bool{true, false} {
		for step := 1; step <= 4; step++ {
			if !withContract && step == 1 {
				continue // without a contract the first step is the session's
			}
			t.Run(fmt.Sprintf("contract=%v/after step %d", withContract, step), func(t *testing.T) {
				s, err := Open(srv.URL())
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				flushCluster(t, s)
				s.afterStep = func(n int) error {
					if n == step {
						return errCrash
					}
					return nil
				}
				w := clusterTurn("Ev1", withContract)
				if err := s.Save(t.Context(), w); !errors.Is(err, errCrash) {
					t.Fatalf("Save = %v, want the crash", err)
				}
				s.afterStep = nil
				if n, err := s.Recover(t.Context(), time.Hour); err != nil || n != 0 {
					t.Errorf("Recover of a fresh journal = %d, %v; want it left for its save", n, err)
				}
				if n, err := s.Recover(t.Context(), 0); err != nil || n != 1 {
					t.Fatalf("Recover = %d, %v; want the one save finished", n, err)
				}
				snap, err := s.Load(t.Context(), ann, "", "Ev1")
				if err != nil {
					t.Fatal(err)
				}
				if string(snap.Session) != string(w.Session) || snap.ContractID != "c1" || !snap.Applied {
					t.Errorf("after recovery: session %s, contract %q, applied %v", snap.Session, snap.ContractID, snap.Applied)
				}
				if withContract {
					for _, u := range []storage.UserKey{ann, ben} {
						if ids, _ := s.Contracts(t.Context(), u); !slices.Equal(ids, []string{"c1"}) {
							t.Errorf("%s's contracts: %q", u.User, ids)
						}
					}
				}
				if got := claimedIDs(t, s.Outbox("slack")); !slices.Equal(got, []string{"out1:Ev1", "out2:Ev1"}) {
					t.Errorf("outbox: %q", got)
				}
				if got := claimedIDs(t, s); !slices.Equal(got, []string{"checkin:c1:Ev1"}) {
					t.Errorf("due items: %q", got)
				}
				if n, err := s.Recover(t.Context(), 0); err != nil || n != 0 {
					t.Errorf("second Recover = %d, %v; want nothing left", n, err)
				}
			})
		}
	}
}

// TestClusterRecoverKeepsALaterSession: a save that died before writing
// the session does not overwrite the session of a later turn when it is
// finished; its messages still go out.
func TestClusterRecoverKeepsALaterSession(t *testing.T) {
	srv := redistest.StartCluster3(t)
	s, err := Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	flushCluster(t, s)
	s.afterStep = func(n int) error {
		if n == 1 {
			return errCrash
		}
		return nil
	}
	if err := s.Save(t.Context(), clusterTurn("Ev1", true)); !errors.Is(err, errCrash) {
		t.Fatalf("Save = %v", err)
	}
	s.afterStep = nil
	later := storage.TurnWrite{User: ann, Session: []byte(`{"step":"later"}`), CurrentContract: "c1", Event: "Ev2", EventTTL: time.Hour}
	if err := s.Save(t.Context(), later); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Recover(t.Context(), 0); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	snap, err := s.Load(t.Context(), ann, "", "Ev1")
	if err != nil {
		t.Fatal(err)
	}
	if string(snap.Session) != `{"step":"later"}` || !snap.Applied {
		t.Errorf("session %s (applied %v), want the later turn's, with Ev1 applied", snap.Session, snap.Applied)
	}
	if got := claimedIDs(t, s.Outbox("slack")); !slices.Equal(got, []string{"out1:Ev1", "out2:Ev1"}) {
		t.Errorf("outbox: %q", got)
	}
}

package storagetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// maxDocKey is the longest document key, in bytes, every storage.Docs
// accepts; longer keys are bad arguments.
const maxDocKey = 512

// RunDocs runs the conformance tests of storage.Docs against stores made by
// open, which returns a new, empty store and closes it when the test ends
// (t.Cleanup).
//
// Behaviour pinned down beyond the storage.Docs comments:
//   - Data comes back byte for byte, binary included; the caller's slices
//     are neither kept nor shared.
//   - Keys are any bytes, 1 to 512 of them; an empty or longer key is a
//     bad argument for Doc as for PutDoc.
//   - Documents do not expire.
//   - A store that is also a storage.Store (or storage.DueStore) keeps
//     documents apart from contracts and sessions (due items and locks)
//     with the same ids.
func RunDocs(t *testing.T, open func(t *testing.T) storage.Docs) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Docs)
	}{
		{"CreateThenRead", testDocCreateThenRead},
		{"NotFound", testDocNotFound},
		{"CreateExisting", testDocCreateExisting},
		{"StaleRevision", testDocStaleRevision},
		{"RevisionOfMissing", testDocRevisionOfMissing},
		{"AnyRevision", testDocAnyRevision},
		{"RevisionsIncrement", testDocRevisionsIncrement},
		{"KeysAreDistinct", testDocKeysAreDistinct},
		{"Values", testDocValues},
		{"ConcurrentIncrements", testDocConcurrentIncrements},
		{"BadInput", testDocBadInput},
		{"ApartFromContracts", testDocApartFromContracts},
		{"ApartFromDueItems", testDocApartFromDueItems},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func putDoc(t *testing.T, s storage.Docs, key string, data []byte, rev int64) int64 {
	t.Helper()
	got, err := s.PutDoc(t.Context(), key, data, rev)
	if err != nil {
		t.Fatalf("PutDoc(%q, rev %d): %v", key, rev, err)
	}
	return got
}

// checkDoc fails unless the stored document key is data at rev.
func checkDoc(t *testing.T, s storage.Docs, key string, data []byte, rev int64) {
	t.Helper()
	got, gotRev, err := s.Doc(t.Context(), key)
	if err != nil {
		t.Errorf("Doc(%q): %v; want %s at rev %d", key, err, show(data), rev)
		return
	}
	if !bytes.Equal(got, data) || gotRev != rev {
		t.Errorf("Doc(%q) = %s at rev %d, want %s at rev %d", key, show(got), gotRev, show(data), rev)
	}
}

func checkNoDoc(t *testing.T, s storage.Docs, key string) {
	t.Helper()
	got, rev, err := s.Doc(t.Context(), key)
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Doc(%q) = %s, rev %d, %v; want ErrNotFound", key, show(got), rev, err)
	}
}

func checkConflict(t *testing.T, s storage.Docs, key string, data []byte, rev int64) {
	t.Helper()
	got, err := s.PutDoc(t.Context(), key, data, rev)
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("PutDoc(%q, rev %d) = %d, %v; want ErrConflict", key, rev, got, err)
	}
}

func doc(v string) []byte { return fmt.Appendf(nil, `{"v":%q}`, v) }

func testDocCreateThenRead(t *testing.T, s storage.Docs) {
	const key = "set:slack:T1:C01"
	if rev := putDoc(t, s, key, doc("members"), 0); rev != 1 {
		t.Errorf("PutDoc creating %q = rev %d, want 1", key, rev)
	}
	checkDoc(t, s, key, doc("members"), 1)
}

func testDocNotFound(t *testing.T, s storage.Docs) {
	checkNoDoc(t, s, "set:slack:T1:C01")
	putDoc(t, s, "set:slack:T1:C01", doc("x"), 0)
	// Neither a prefix nor an extension of a stored key is stored.
	checkNoDoc(t, s, "set:slack:T1:C0")
	checkNoDoc(t, s, "set:slack:T1:C011")
}

func testDocCreateExisting(t *testing.T, s storage.Docs) {
	putDoc(t, s, "k", doc("original"), 0)
	checkConflict(t, s, "k", doc("clobbered"), 0)
	checkDoc(t, s, "k", doc("original"), 1)
}

func testDocStaleRevision(t *testing.T, s storage.Docs) {
	putDoc(t, s, "k", doc("v1"), 0)
	putDoc(t, s, "k", doc("v2"), 1)
	checkConflict(t, s, "k", doc("stale"), 1)
	checkConflict(t, s, "k", doc("future"), 3)
	checkDoc(t, s, "k", doc("v2"), 2)
	if rev := putDoc(t, s, "k", doc("v3"), 2); rev != 3 {
		t.Errorf("PutDoc at the stored rev 2 = rev %d, want 3", rev)
	}
	checkDoc(t, s, "k", doc("v3"), 3)
}

func testDocRevisionOfMissing(t *testing.T, s storage.Docs) {
	checkConflict(t, s, "ghost", doc("x"), 1)
	checkNoDoc(t, s, "ghost")
}

func testDocAnyRevision(t *testing.T, s storage.Docs) {
	if rev := putDoc(t, s, "k", doc("first"), storage.AnyRev); rev != 1 {
		t.Errorf("PutDoc(AnyRev) of a missing doc = rev %d, want 1", rev)
	}
	checkDoc(t, s, "k", doc("first"), 1)
	putDoc(t, s, "k", doc("second"), 1)
	if rev := putDoc(t, s, "k", doc("forced"), storage.AnyRev); rev != 3 {
		t.Errorf("PutDoc(AnyRev) over rev 2 = rev %d, want 3", rev)
	}
	checkDoc(t, s, "k", doc("forced"), 3)
	// The revision AnyRev returned is the one to write at next.
	if rev := putDoc(t, s, "k", doc("after"), 3); rev != 4 {
		t.Errorf("PutDoc at rev 3 = rev %d, want 4", rev)
	}
}

func testDocRevisionsIncrement(t *testing.T, s storage.Docs) {
	var rev int64
	for i := range 10 {
		next := putDoc(t, s, "k", doc(fmt.Sprint(i)), rev)
		if next != rev+1 {
			t.Fatalf("write %d at rev %d returned rev %d, want %d", i, rev, next, rev+1)
		}
		rev = next
	}
	checkDoc(t, s, "k", doc("9"), 10)
}

func testDocKeysAreDistinct(t *testing.T, s storage.Docs) {
	keys := []string{
		"set:slack:T1:C01",
		"set:slack:T1",
		"set:slack:T1:C01:",
		"Set:slack:T1:C01",
		"thread:slack:T1:C01:1712345678.000100",
		"teams:29:1AbC",
		"ref:{c:c1}",
		"a b",
		"é",
		"\x00",
		"%3A",
		":",
		strings.Repeat("k", maxDocKey),
		strings.Repeat("k", maxDocKey-1) + "l",
	}
	for i, k := range keys {
		for range i + 1 {
			putDoc(t, s, k, doc(k), storage.AnyRev)
		}
	}
	for i, k := range keys {
		checkDoc(t, s, k, doc(k), int64(i+1))
	}
}

func testDocValues(t *testing.T, s storage.Docs) {
	binary := make([]byte, 64<<10)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	values := map[string][]byte{
		"one byte":   {0},
		"binary":     binary,
		"not utf-8":  {0xff, 0xfe, '{', 0x00},
		"whitespace": []byte("  \n"),
		"unicode":    []byte(`{"title":"Führung 🎓"}`),
	}
	for key, v := range values {
		putDoc(t, s, key, v, 0)
	}
	for key, v := range values {
		checkDoc(t, s, key, v, 1)
	}

	// The store keeps its own copy, and hands out copies.
	data := doc("kept")
	putDoc(t, s, "copy", data, 0)
	data[0] = 'X'
	got, _, err := s.Doc(t.Context(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	got[0] = 'Y'
	checkDoc(t, s, "copy", doc("kept"), 1)
}

// testDocConcurrentIncrements runs load-modify-put loops on one counter
// from several goroutines, retrying on conflict. Every increment must
// survive, and each success is one revision.
func testDocConcurrentIncrements(t *testing.T, s storage.Docs) {
	const (
		writers    = 8
		increments = 25
		maxTries   = 1000
		key        = "counter"
	)
	type counter struct {
		N int `json:"n"`
	}
	ctx := t.Context()
	successes, conflicts := incrementConcurrently(t, writers, increments, maxTries, func(w, _ int) (bool, error) {
		var c counter
		data, rev, err := s.Doc(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			rev = 0
		case err != nil:
			return false, fmt.Errorf("read the document: %w", err)
		default:
			if err := json.Unmarshal(data, &c); err != nil {
				return false, fmt.Errorf("stored doc %s: %w", data, err)
			}
		}
		c.N++
		next, _ := json.Marshal(c)
		got, err := s.PutDoc(ctx, key, next, rev)
		switch {
		case errors.Is(err, storage.ErrConflict):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("PutDoc: %w", err)
		case got != rev+1:
			return false, fmt.Errorf("PutDoc at rev %d returned rev %d", rev, got)
		}
		return true, nil
	})
	if t.Failed() {
		return
	}
	data, rev, err := s.Doc(ctx, key)
	if err != nil {
		t.Fatalf("Doc: %v", err)
	}
	var c counter
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("stored doc %s: %v", data, err)
	}
	if c.N != writers*increments || rev != writers*increments || successes != writers*increments {
		t.Errorf("after %d successful puts (%d conflicts): n = %d, rev = %d; want all %d",
			successes, conflicts, c.N, rev, writers*increments)
	}
	t.Logf("%d increments, %d conflicts", successes, conflicts)
}

func testDocBadInput(t *testing.T, s storage.Docs) {
	ctx := t.Context()
	long := strings.Repeat("k", maxDocKey+1)
	docErr := func(_ []byte, _ int64, err error) error { return err }
	putErr := func(_ int64, err error) error { return err }
	cases := []struct {
		name string
		err  error
	}{
		{"Doc with empty key", docErr(s.Doc(ctx, ""))},
		{"Doc with a key over the limit", docErr(s.Doc(ctx, long))},
		{"PutDoc with empty key", putErr(s.PutDoc(ctx, "", doc("x"), 0))},
		{"PutDoc with empty key and AnyRev", putErr(s.PutDoc(ctx, "", doc("x"), storage.AnyRev))},
		{"PutDoc with a key over the limit", putErr(s.PutDoc(ctx, long, doc("x"), 0))},
		{"PutDoc with nil data", putErr(s.PutDoc(ctx, "k", nil, 0))},
		{"PutDoc with empty data", putErr(s.PutDoc(ctx, "k", []byte{}, storage.AnyRev))},
		{"PutDoc with rev -2", putErr(s.PutDoc(ctx, "k", doc("x"), -2))},
		{"PutDoc with the lowest rev", putErr(s.PutDoc(ctx, "k", doc("x"), math.MinInt64))},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
		} else if errors.Is(c.err, storage.ErrConflict) || errors.Is(c.err, storage.ErrNotFound) {
			t.Errorf("%s: err = %v; bad input is neither a conflict nor a missing doc", c.name, c.err)
		}
	}
	// None of it was written.
	checkNoDoc(t, s, "k")
	checkNoDoc(t, s, long[:maxDocKey])
	if rev := putDoc(t, s, "k", doc("x"), 0); rev != 1 {
		t.Errorf("PutDoc after only rejected calls = rev %d, want 1", rev)
	}
}

// testDocApartFromContracts writes a contract, a session and a document
// under the same id and checks that none overwrites another.
func testDocApartFromContracts(t *testing.T, s storage.Docs) {
	st, ok := s.(storage.Store)
	if !ok {
		t.Skipf("%T keeps no contracts", s)
	}
	ctx := t.Context()
	ids := []string{"c1", "{c:c1}", "{c:c1}:contract", "lp:{c:c1}:contract", "session:slack:T1:c1", "slack:T1:c1"}
	user := storage.UserKey{Platform: "slack", Team: "T1", User: "c1"}
	for _, id := range ids {
		putDoc(t, s, id, doc("doc "+id), 0)
	}
	for _, id := range ids {
		save(t, st, user, session("on "+id), id, &storage.ContractWrite{ID: id, Data: contract(id, "contract"), Users: []storage.UserKey{user}})
	}
	for _, id := range ids {
		checkDoc(t, s, id, doc("doc "+id), 1)
		data, rev, err := st.Contract(ctx, id)
		if err != nil || !bytes.Equal(data, contract(id, "contract")) || rev != 1 {
			t.Errorf("Contract(%q) = %s, rev %d, %v; want the contract at rev 1", id, show(data), rev, err)
		}
	}
	// Writing the documents again leaves contracts, session and lists be.
	for _, id := range ids {
		putDoc(t, s, id, doc("doc again "+id), 1)
	}
	last := ids[len(ids)-1]
	checkSnapshot(t, load(t, st, user, ""), storage.Snapshot{Session: session("on " + last), ContractID: last, Contract: contract(last, "contract"), Rev: 1})
	checkContracts(t, st, user, ids...)
	for _, id := range ids {
		checkDoc(t, s, id, doc("doc again "+id), 2)
	}
	// A contract id with no document is not a document.
	save(t, st, user, nil, "", &storage.ContractWrite{ID: "c-only", Data: contract("c-only", "x")})
	checkNoDoc(t, s, "c-only")
	// The contract conflict check does not see documents.
	if err := st.Save(ctx, storage.TurnWrite{User: user, Contract: &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Rev: 2}}); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("Save of contract c1 at its doc's rev 2: err = %v, want ErrConflict", err)
	}
}

// testDocApartFromDueItems schedules due items and takes locks under the
// ids of documents.
func testDocApartFromDueItems(t *testing.T, s storage.Docs) {
	due, ok := s.(storage.DueStore)
	if !ok {
		t.Skipf("%T keeps no due items", s)
	}
	ctx := t.Context()
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	ids := []string{"c1", "checkin:c1:1", "lp:doc:c1", "{due}"}
	for _, id := range ids {
		putDoc(t, s, id, doc("doc "+id), 0)
	}
	for _, id := range ids {
		schedule(t, due, storage.DueItem{ID: id, At: t0, Data: []byte("due " + id)})
		if ok, err := due.Lock(ctx, id, time.Hour, t0); err != nil || !ok {
			t.Errorf("Lock(%q) = %v, %v; want taken", id, ok, err)
		}
	}
	cs := claim(t, due, t0, 10, time.Minute)
	if len(cs) != len(ids) {
		t.Errorf("claimed %d items, want %d", len(cs), len(ids))
	}
	for _, c := range cs {
		if want := "due " + c.Item.ID; string(c.Item.Data) != want {
			t.Errorf("claimed %q with data %q, want %q", c.Item.ID, c.Item.Data, want)
		}
		if err := due.Done(ctx, c); err != nil {
			t.Errorf("Done(%q): %v", c.Item.ID, err)
		}
	}
	for _, id := range ids {
		checkDoc(t, s, id, doc("doc "+id), 1)
	}
}

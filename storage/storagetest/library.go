package storagetest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/learnpact/learnpact/storage"
)

// RunLibrary runs the suite of storage.Library against stores made by
// open, which must set Stores.Library (and Stores.Erase). Each test opens
// its own store.
//
// Behaviour it pins down beyond the storage.Library comments: an
// example's length is the sum of its terms' counts; LibraryTerms answers
// for one team only; indexing an id again replaces it, in its team or
// another; Eraser.DeleteContract drops the contract's example.
func RunLibrary(t *testing.T, open func(t *testing.T) Subject) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Stores)
	}{
		{"IndexAndSearch", testLibrarySearch},
		{"TeamsApart", testLibraryTeams},
		{"IndexAgainReplaces", testLibraryReplace},
		{"Drop", testLibraryDrop},
		{"DeleteContractDropsExample", testLibraryDeleteContract},
		{"Concurrent", testLibraryConcurrent},
		{"BadInput", testLibraryBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t).Stores
			if s.Library == nil {
				t.Fatalf("Stores %q has no Library", s.Name)
			}
			t.Cleanup(func() { s.Turns.Close() })
			tc.fn(t, s)
		})
	}
}

const teamA, teamB = "slack:T1", "slack:T2"

func index(t *testing.T, l storage.Library, team, id string, terms map[string]int) {
	t.Helper()
	if err := l.IndexExample(t.Context(), team, id, terms); err != nil {
		t.Fatalf("IndexExample(%s, %s): %v", team, id, err)
	}
}

func libraryTerms(t *testing.T, l storage.Library, team string, terms ...string) storage.LibraryIndex {
	t.Helper()
	ix, err := l.LibraryTerms(t.Context(), team, terms)
	if err != nil {
		t.Fatalf("LibraryTerms(%s, %q): %v", team, terms, err)
	}
	for term, ps := range ix.Postings {
		slices.SortFunc(ps, func(a, b storage.Posting) int { return cmp.Compare(a.ID, b.ID) })
		ix.Postings[term] = ps
	}
	return ix
}

// showIndex prints an index with its postings in a stable order.
func showIndex(ix storage.LibraryIndex) string {
	var b strings.Builder
	fmt.Fprintf(&b, "docs %d, total %d", ix.Docs, ix.TotalLen)
	for _, term := range slices.Sorted(maps.Keys(ix.Postings)) {
		fmt.Fprintf(&b, "; %s:", term)
		for _, p := range ix.Postings[term] {
			fmt.Fprintf(&b, " %s×%d/%d", p.ID, p.Count, p.Len)
		}
	}
	return b.String()
}

func checkIndex(t *testing.T, got storage.LibraryIndex, want string) {
	t.Helper()
	if s := showIndex(got); s != want {
		t.Errorf("index:\n got %s\nwant %s", s, want)
	}
}

func testLibrarySearch(t *testing.T, s storage.Stores) {
	l := s.Library
	checkIndex(t, libraryTerms(t, l, teamA, "postgre"), "docs 0, total 0")
	index(t, l, teamA, "c1", map[string]int{"postgre": 2, "plan": 1, "tun": 1})
	index(t, l, teamA, "c2", map[string]int{"postgre": 1, "upgrade": 3})
	index(t, l, teamA, "c3", map[string]int{"talk": 1})
	checkIndex(t, libraryTerms(t, l, teamA, "postgre", "plan", "garden"),
		"docs 3, total 9; plan: c1×1/4; postgre: c1×2/4 c2×1/4")
	checkIndex(t, libraryTerms(t, l, teamA), "docs 3, total 9")
	// Terms with the characters keys are made of are only terms.
	index(t, l, teamA, "c:4{x}", map[string]int{"a:b": 1, "{t}*": 2, "é": 1})
	checkIndex(t, libraryTerms(t, l, teamA, "{t}*", "a:b", "a*"), "docs 4, total 13; a:b: c:4{x}×1/4; {t}*: c:4{x}×2/4")
}

func testLibraryTeams(t *testing.T, s storage.Stores) {
	l := s.Library
	index(t, l, teamA, "c1", map[string]int{"postgre": 1})
	index(t, l, teamB, "c2", map[string]int{"postgre": 1, "helm": 1})
	checkIndex(t, libraryTerms(t, l, teamA, "postgre", "helm"), "docs 1, total 1; postgre: c1×1/1")
	checkIndex(t, libraryTerms(t, l, teamB, "postgre", "helm"), "docs 1, total 2; helm: c2×1/2; postgre: c2×1/2")
	checkIndex(t, libraryTerms(t, l, "teams:T1", "postgre"), "docs 0, total 0")
}

func testLibraryReplace(t *testing.T, s storage.Stores) {
	l := s.Library
	index(t, l, teamA, "c1", map[string]int{"postgre": 2, "plan": 1})
	index(t, l, teamA, "c2", map[string]int{"plan": 1})
	index(t, l, teamA, "c1", map[string]int{"helm": 1})
	checkIndex(t, libraryTerms(t, l, teamA, "postgre", "plan", "helm"), "docs 2, total 2; helm: c1×1/1; plan: c2×1/1")
	// Indexed again in another team, it moves there.
	index(t, l, teamB, "c1", map[string]int{"helm": 3})
	checkIndex(t, libraryTerms(t, l, teamA, "helm", "plan"), "docs 1, total 1; plan: c2×1/1")
	checkIndex(t, libraryTerms(t, l, teamB, "helm"), "docs 1, total 3; helm: c1×3/3")
	// Without terms, it goes.
	index(t, l, teamB, "c1", map[string]int{})
	checkIndex(t, libraryTerms(t, l, teamB, "helm"), "docs 0, total 0")
}

func testLibraryDrop(t *testing.T, s storage.Stores) {
	l, ctx := s.Library, t.Context()
	index(t, l, teamA, "c1", map[string]int{"postgre": 2, "plan": 1})
	index(t, l, teamA, "c2", map[string]int{"postgre": 1})
	if err := l.DropExample(ctx, "c1"); err != nil {
		t.Fatalf("DropExample: %v", err)
	}
	checkIndex(t, libraryTerms(t, l, teamA, "postgre", "plan"), "docs 1, total 1; postgre: c2×1/1")
	if err := l.DropExample(ctx, "c1"); err != nil {
		t.Errorf("DropExample again: %v", err)
	}
	if err := l.DropExample(ctx, "never"); err != nil {
		t.Errorf("DropExample of an unknown id: %v", err)
	}
	if err := l.DropExample(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, libraryTerms(t, l, teamA, "postgre"), "docs 0, total 0")
	// A dropped example can be indexed again.
	index(t, l, teamA, "c1", map[string]int{"plan": 1})
	checkIndex(t, libraryTerms(t, l, teamA, "plan"), "docs 1, total 1; plan: c1×1/1")
}

func testLibraryDeleteContract(t *testing.T, s storage.Stores) {
	ctx := t.Context()
	save(t, s.Turns, alice, nil, "", &storage.ContractWrite{ID: "c1", Data: contract("c1", "x"), Users: []storage.UserKey{alice}})
	index(t, s.Library, teamA, "c1", map[string]int{"postgre": 1})
	index(t, s.Library, teamA, "c2", map[string]int{"postgre": 1})
	if err := s.Erase.DeleteContract(ctx, "c1", []storage.UserKey{alice}); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, libraryTerms(t, s.Library, teamA, "postgre"), "docs 1, total 1; postgre: c2×1/1")
	// Also when the contract itself was gone already.
	if err := s.Erase.DeleteContract(ctx, "c2", nil); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, libraryTerms(t, s.Library, teamA, "postgre"), "docs 0, total 0")
}

// testLibraryConcurrent: examples indexed, re-indexed and dropped at once
// leave the counts as if done one after another.
func testLibraryConcurrent(t *testing.T, s storage.Stores) {
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("c%d", i)
			ctx := t.Context()
			errs <- s.Library.IndexExample(ctx, teamA, id, map[string]int{"common": 1, "x": 1})
			errs <- s.Library.IndexExample(ctx, teamA, id, map[string]int{"common": 2})
			if i%2 == 0 {
				errs <- s.Library.DropExample(ctx, id)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ix := libraryTerms(t, s.Library, teamA, "common", "x")
	if ix.Docs != n/2 || ix.TotalLen != n || len(ix.Postings["common"]) != n/2 || len(ix.Postings["x"]) != 0 {
		t.Errorf("after concurrent indexing: %s; want %d examples of length 2", showIndex(ix), n/2)
	}
}

func testLibraryBadInput(t *testing.T, s storage.Stores) {
	l, ctx := s.Library, t.Context()
	many := map[string]int{}
	for i := range storage.MaxExampleTerms + 1 {
		many[fmt.Sprintf("t%d", i)] = 1
	}
	for name, tc := range map[string]struct {
		team, id string
		terms    map[string]int
	}{
		"no team":         {"", "c1", map[string]int{"x": 1}},
		"no id":           {teamA, "", map[string]int{"x": 1}},
		"empty term":      {teamA, "c1", map[string]int{"": 1}},
		"term with space": {teamA, "c1", map[string]int{"a b": 1}},
		"long term":       {teamA, "c1", map[string]int{strings.Repeat("x", storage.MaxTermBytes+1): 1}},
		"count 0":         {teamA, "c1", map[string]int{"x": 0}},
		"too many terms":  {teamA, "c1", many},
	} {
		if err := l.IndexExample(ctx, tc.team, tc.id, tc.terms); err == nil {
			t.Errorf("IndexExample with %s succeeded", name)
		}
	}
	if err := l.DropExample(ctx, ""); err == nil {
		t.Error("DropExample without id succeeded")
	}
	if _, err := l.LibraryTerms(ctx, "", []string{"x"}); err == nil {
		t.Error("LibraryTerms without team succeeded")
	}
	if _, err := l.LibraryTerms(ctx, teamA, []string{"a\nb"}); err == nil {
		t.Error("LibraryTerms of a term with a newline succeeded")
	}
	checkIndex(t, libraryTerms(t, l, teamA, "x"), "docs 0, total 0")
}

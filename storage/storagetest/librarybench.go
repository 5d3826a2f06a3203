package storagetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/learnpact/learnpact/storage"
)

// LibraryCorpus returns the terms of n examples for benchmarks, the same
// every call: about 60 terms each, drawn from a vocabulary of 5,000 words
// in which a few are common and most are rare (Zipf), as in prose.
func LibraryCorpus(n int) []map[string]int {
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.1, 4, 4999)
	out := make([]map[string]int, n)
	for i := range out {
		terms := map[string]int{}
		for range 40 + r.IntN(40) {
			terms[fmt.Sprintf("w%d", z.Uint64())]++
		}
		out[i] = terms
	}
	return out
}

// libraryQueries are searches of two to four terms, common and rare.
var libraryQueries = [][]string{
	{"w0", "w1"}, {"w3", "w120", "w900"}, {"w12", "w45"}, {"w2", "w7", "w31", "w400"}, {"w250", "w3000"},
}

// BenchLibrarySearch indexes LibraryCorpus(n) in l under one team, then
// measures a search: LibraryTerms of a query and rank, the caller's
// ranking of what it returns (BM25, in package conversation/library).
func BenchLibrarySearch(b *testing.B, l storage.Library, n int, rank func(ix storage.LibraryIndex, terms []string) int) {
	ctx := b.Context()
	for i, terms := range LibraryCorpus(n) {
		if err := l.IndexExample(ctx, teamA, fmt.Sprintf("c%d", i), terms); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := libraryQueries[i%len(libraryQueries)]
		i++
		ix, err := l.LibraryTerms(ctx, teamA, q)
		if err != nil {
			b.Fatal(err)
		}
		if ix.Docs != n {
			b.Fatalf("the index holds %d examples, want %d", ix.Docs, n)
		}
		if rank(ix, q) == 0 {
			b.Fatalf("nothing found for %q", q)
		}
	}
}

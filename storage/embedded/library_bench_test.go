package embedded

import (
	"testing"

	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

// rankHits ranks what the store found with BM25, the five best.
func rankHits(ix storage.LibraryIndex, terms []string) int {
	rx := library.Index{Docs: ix.Docs, TotalLen: ix.TotalLen, Postings: map[string][]library.Posting{}}
	for t, ps := range ix.Postings {
		for _, p := range ps {
			rx.Postings[t] = append(rx.Postings[t], library.Posting{ID: p.ID, Count: p.Count, Len: p.Len})
		}
	}
	return len(library.Rank(rx, terms, 5))
}

// BenchmarkLibrarySearch: one search of 10,000 examples in the file.
func BenchmarkLibrarySearch(b *testing.B) {
	s, err := Open(b.TempDir() + "/learnpact.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storagetest.BenchLibrarySearch(b, s, 10_000, rankHits)
}

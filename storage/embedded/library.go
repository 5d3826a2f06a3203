package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Library = (*Store)(nil)

// The library's index. bucketLibrary holds a bucket per team with:
//
//	"n" → the number of examples and their total length (two uvarints)
//	"p" bucket: term 0x00 id → count, length of the example (uvarints)
//	"e" bucket: id → the example's terms, to drop them (see encodeTerms)
//
// bucketLibraryOf maps an example id to its team.
var (
	bucketLibrary   = []byte("library")
	bucketLibraryOf = []byte("library-of")
	libStats        = []byte("n")
	libPostings     = []byte("p")
	libExamples     = []byte("e")
)

// IndexExample implements storage.Library, in one transaction; the terms
// it replaces are wiped from the file, as Eraser's deletions are.
func (s *Store) IndexExample(ctx context.Context, team, id string, terms map[string]int) error {
	if err := storage.CheckExample(team, id, terms); err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	replaced := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		dropped, err := dropExample(tx, id)
		if err != nil {
			return err
		}
		replaced = dropped
		if len(terms) == 0 {
			return nil
		}
		of, err := tx.CreateBucketIfNotExists(bucketLibraryOf)
		if err != nil {
			return err
		}
		if err := of.Put([]byte(id), []byte(team)); err != nil {
			return err
		}
		tb, err := teamBucket(tx, team, true)
		if err != nil {
			return err
		}
		n := storage.ExampleLen(terms)
		if err := tb.Bucket(libExamples).Put([]byte(id), encodeTerms(terms)); err != nil {
			return err
		}
		p := tb.Bucket(libPostings)
		for term, c := range terms {
			if err := p.Put(postingKey(term, id), binary.AppendUvarint(binary.AppendUvarint(nil, uint64(c)), uint64(n))); err != nil {
				return err
			}
		}
		docs, total := libraryStats(tb)
		return tb.Put(libStats, binary.AppendUvarint(binary.AppendUvarint(nil, docs+1), total+uint64(n)))
	})
	if err != nil {
		return fmt.Errorf("embedded: index example %s: %w", id, err)
	}
	if replaced {
		if err := s.wipeFree(ctx); err != nil {
			return fmt.Errorf("embedded: wipe replaced terms: %w", err)
		}
	}
	return nil
}

// DropExample implements storage.Library; what it drops is wiped from the
// file, as Eraser's deletions are.
func (s *Store) DropExample(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("embedded: drop example: empty id")
	}
	return s.erase(ctx, func(tx *bolt.Tx) error {
		_, err := dropExample(tx, id)
		return err
	})
}

// LibraryTerms implements storage.Library, in one read transaction.
func (s *Store) LibraryTerms(ctx context.Context, team string, terms []string) (storage.LibraryIndex, error) {
	if err := storage.CheckSearch(team, terms); err != nil {
		return storage.LibraryIndex{}, fmt.Errorf("embedded: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return storage.LibraryIndex{}, err
	}
	out := storage.LibraryIndex{Postings: map[string][]storage.Posting{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		tb, _ := teamBucket(tx, team, false)
		if tb == nil {
			return nil
		}
		docs, total := libraryStats(tb)
		out.Docs, out.TotalLen = int(docs), int64(total)
		c := tb.Bucket(libPostings).Cursor()
		for _, term := range terms {
			if _, done := out.Postings[term]; done {
				continue
			}
			prefix := postingKey(term, "")
			var ps []storage.Posting
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				count, m := binary.Uvarint(v)
				n, _ := binary.Uvarint(v[max(m, 0):])
				ps = append(ps, storage.Posting{ID: string(k[len(prefix):]), Count: int(count), Len: int(n)})
			}
			if len(ps) > 0 {
				out.Postings[term] = ps
			}
		}
		return nil
	})
	if err != nil {
		return storage.LibraryIndex{}, fmt.Errorf("embedded: search the library: %w", err)
	}
	return out, nil
}

// teamBucket returns the team's bucket of the index, made when create is
// set (else nil when there is none).
func teamBucket(tx *bolt.Tx, team string, create bool) (*bolt.Bucket, error) {
	if !create {
		lib := tx.Bucket(bucketLibrary)
		if lib == nil {
			return nil, nil
		}
		return lib.Bucket([]byte(team)), nil
	}
	lib, err := tx.CreateBucketIfNotExists(bucketLibrary)
	if err != nil {
		return nil, err
	}
	tb, err := lib.CreateBucketIfNotExists([]byte(team))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{libPostings, libExamples} {
		if _, err := tb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return tb, nil
}

// dropExample removes an example from its team's index, if indexed, and
// reports whether it was.
func dropExample(tx *bolt.Tx, id string) (bool, error) {
	of := tx.Bucket(bucketLibraryOf)
	if of == nil {
		return false, nil
	}
	team := bytes.Clone(of.Get([]byte(id)))
	if team == nil {
		return false, nil
	}
	tb, _ := teamBucket(tx, string(team), false)
	if err := of.Delete([]byte(id)); err != nil || tb == nil {
		return true, err
	}
	ex := tb.Bucket(libExamples)
	terms := decodeTerms(ex.Get([]byte(id)))
	p := tb.Bucket(libPostings)
	for term := range terms {
		if err := p.Delete(postingKey(term, id)); err != nil {
			return true, err
		}
	}
	if err := ex.Delete([]byte(id)); err != nil {
		return true, err
	}
	docs, total := libraryStats(tb)
	n := uint64(storage.ExampleLen(terms))
	if docs <= 1 {
		return true, tx.Bucket(bucketLibrary).DeleteBucket(team)
	}
	return true, tb.Put(libStats, binary.AppendUvarint(binary.AppendUvarint(nil, docs-1), total-min(n, total)))
}

func libraryStats(tb *bolt.Bucket) (docs, total uint64) {
	v := tb.Get(libStats)
	docs, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, 0
	}
	total, _ = binary.Uvarint(v[n:])
	return docs, total
}

func postingKey(term, id string) []byte {
	k := make([]byte, 0, len(term)+1+len(id))
	return append(append(append(k, term...), 0), id...)
}

// encodeTerms lays out an example's terms as uvarint length, term,
// uvarint count, one after another.
func encodeTerms(terms map[string]int) []byte {
	var b []byte
	for t, c := range terms {
		b = binary.AppendUvarint(b, uint64(len(t)))
		b = append(b, t...)
		b = binary.AppendUvarint(b, uint64(c))
	}
	return b
}

func decodeTerms(b []byte) map[string]int {
	out := map[string]int{}
	for len(b) > 0 {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return out
		}
		t := string(b[n : n+int(l)])
		b = b[n+int(l):]
		c, m := binary.Uvarint(b)
		if m <= 0 {
			return out
		}
		b = b[m:]
		out[t] = int(c)
	}
	return out
}

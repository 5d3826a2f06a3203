package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Docs = (*Store)(nil)

// bucketDocs holds documents: key → rev, data (as encodeContract lays
// them out). It is created on the first PutDoc.
var bucketDocs = []byte("docs")

// maxDocKey is the longest document key accepted, in bytes.
const maxDocKey = 512

// Doc implements storage.Docs.
func (s *Store) Doc(ctx context.Context, key string) ([]byte, int64, error) {
	if err := checkDocKey(key); err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var (
		data []byte
		rev  int64
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDocs)
		if b == nil {
			return storage.ErrNotFound
		}
		v := b.Get([]byte(key))
		if v == nil {
			return storage.ErrNotFound
		}
		r, d, err := decodeContract(v)
		if err != nil {
			return fmt.Errorf("doc %q: %w", key, err)
		}
		rev, data = r, bytes.Clone(d)
		return nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, 0, fmt.Errorf("doc %q: %w", key, storage.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("embedded: %w", err)
	}
	return data, rev, nil
}

// PutDoc implements storage.Docs in one transaction.
func (s *Store) PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error) {
	if err := checkDocKey(key); err != nil {
		return 0, err
	}
	switch {
	case len(data) == 0:
		return 0, fmt.Errorf("embedded: doc %q: no data", key)
	case rev < storage.AnyRev:
		return 0, fmt.Errorf("embedded: doc %q: bad revision %d", key, rev)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var next int64
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDocs)
		if err != nil {
			return err
		}
		var stored int64
		if v := b.Get([]byte(key)); v != nil {
			if stored, _, err = decodeContract(v); err != nil {
				return fmt.Errorf("doc %q: %w", key, err)
			}
		}
		if rev != storage.AnyRev && stored != rev {
			return errConflict
		}
		if stored == math.MaxInt64 {
			return fmt.Errorf("doc %q: revision %d cannot go higher", key, stored)
		}
		next = stored + 1
		return b.Put([]byte(key), encodeContract(next, data))
	})
	if errors.Is(err, errConflict) {
		return 0, fmt.Errorf("doc %q: %w", key, storage.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("embedded: put doc: %w", err)
	}
	return next, nil
}

func checkDocKey(key string) error {
	switch {
	case key == "":
		return errors.New("embedded: empty doc key")
	case len(key) > maxDocKey:
		return fmt.Errorf("embedded: doc key of %d bytes, over %d", len(key), maxDocKey)
	}
	return nil
}

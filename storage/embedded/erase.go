package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Eraser = (*Store)(nil)

// EachContract implements storage.Eraser, in one read transaction.
func (s *Store) EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var fnErr error
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketContracts).ForEach(func(k, v []byte) error {
			rev, data, err := decodeContract(v)
			if err != nil {
				return fmt.Errorf("contract %s: %w", k, err)
			}
			if fnErr = fn(string(k), bytes.Clone(data), rev); fnErr != nil {
				return fnErr
			}
			return ctx.Err()
		})
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("embedded: %w", err)
	}
	return nil
}

// DeleteContract implements storage.Eraser.
func (s *Store) DeleteContract(ctx context.Context, id string, users []storage.UserKey) error {
	if id == "" {
		return errors.New("embedded: delete contract: empty id")
	}
	for _, u := range users {
		if err := checkUser(u); err != nil {
			return err
		}
	}
	return s.erase(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketContracts).Delete([]byte(id)); err != nil {
			return err
		}
		if _, err := dropExample(tx, id); err != nil {
			return err
		}
		for _, u := range users {
			b := tx.Bucket(bucketUsers).Bucket(userKey(u))
			if b == nil {
				continue
			}
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
			if k, _ := b.Cursor().First(); k == nil {
				if err := tx.Bucket(bucketUsers).DeleteBucket(userKey(u)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DeleteUser implements storage.Eraser.
func (s *Store) DeleteUser(ctx context.Context, user storage.UserKey) error {
	if err := checkUser(user); err != nil {
		return err
	}
	key := userKey(user)
	return s.erase(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSessions).Delete(key); err != nil {
			return err
		}
		if tx.Bucket(bucketUsers).Bucket(key) != nil {
			if err := tx.Bucket(bucketUsers).DeleteBucket(key); err != nil {
				return err
			}
		}
		ids, byExp := tx.Bucket(bucketApplied), tx.Bucket(bucketAppliedByExp)
		var found [][2][]byte
		c := ids.Cursor()
		for k, v := c.Seek(key); k != nil && bytes.HasPrefix(k, key); k, v = c.Next() {
			found = append(found, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		}
		for _, kv := range found {
			if err := ids.Delete(kv[0]); err != nil {
				return err
			}
			if err := byExp.Delete(append(kv[1], kv[0]...)); err != nil {
				return err
			}
		}
		return nil
	})
}

// DocKeys implements storage.Eraser.
func (s *Store) DocKeys(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var keys []string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDocs)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
			keys = append(keys, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	return keys, nil
}

// DeleteDoc implements storage.Eraser.
func (s *Store) DeleteDoc(ctx context.Context, key string) error {
	if err := checkDocKey(key); err != nil {
		return err
	}
	return s.erase(ctx, func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketDocs); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	})
}

// erase runs a deleting transaction, then overwrites the pages it freed
// with zeros: bbolt copies pages on write and leaves freed ones as they
// were, so deleted data would otherwise stay in the file.
func (s *Store) erase(ctx context.Context, del func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.db.Update(del); err != nil {
		return fmt.Errorf("embedded: delete: %w", err)
	}
	if err := s.wipeFree(ctx); err != nil {
		return fmt.Errorf("embedded: wipe deleted data: %w", err)
	}
	return nil
}

// errReading rolls back a wipe while read transactions are open.
var errReading = errors.New("read transactions open")

// maxWipeWaits bounds how often wipeFree lets read transactions finish.
const maxWipeWaits = 10_000

// wipeFree zeroes every free page of the file. It runs in a write
// transaction, so no writer takes a free page meanwhile, and only once no
// read transaction is open: a reader that began before a page was freed may
// still be reading it, while readers that begin later cannot reach it.
func (s *Store) wipeFree(ctx context.Context) error {
	for range maxWipeWaits {
		err := s.db.Update(func(tx *bolt.Tx) error {
			if s.db.Stats().OpenTxN > 0 {
				return errReading // rolled back: nothing to commit
			}
			return zeroFreePages(tx, s.path, s.db.Info().PageSize)
		})
		if !errors.Is(err, errReading) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
	}
	return errors.New("read transactions kept the file busy")
}

// zeroFreePages writes zeros over the free pages below tx's high-water mark.
func zeroFreePages(tx *bolt.Tx, path string, pageSize int) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	zeros := make([]byte, pageSize)
	n := int(tx.Size()) / pageSize
	wrote := false
	for id := 2; id < n; id++ { // pages 0 and 1 are the meta pages
		info, err := tx.Page(id)
		if err != nil {
			return err
		}
		if info == nil || info.Type != "free" {
			continue
		}
		if _, err := f.WriteAt(zeros, int64(id)*int64(pageSize)); err != nil {
			return err
		}
		wrote = true
	}
	if wrote {
		return f.Sync()
	}
	return nil
}

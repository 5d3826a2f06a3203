package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Docs = (*Store)(nil)

// Documents live one per key, each in a slot of its own, so a document
// script touches one key and runs on Redis Cluster too:
//
//	lp:doc:KEY   hash: rev, data (as written, not compressed); no TTL
const docKeyPrefix = "lp:doc:"

// maxDocKey is the longest document key accepted, in bytes.
const maxDocKey = 512

func docKey(key string) string { return docKeyPrefix + key }

// putDocScript writes a document if its stored revision is ARGV[1], or
// whatever it is when ARGV[1] is "-1". It returns the new revision, or -1
// on a mismatch, having written nothing.
//
// KEYS[1] document; ARGV: 1 expected rev, 2 data.
var putDocScript = redis.NewScript(`
local rev = redis.call('HGET', KEYS[1], 'rev') or '0'
if ARGV[1] ~= '-1' and rev ~= ARGV[1] then return -1 end
local next = string.format('%d', tonumber(rev) + 1)
redis.call('HSET', KEYS[1], 'rev', next, 'data', ARGV[2])
return tonumber(next)
`)

// Doc implements storage.Docs in one round trip.
func (s *Store) Doc(ctx context.Context, key string) ([]byte, int64, error) {
	if err := checkDocKey(key); err != nil {
		return nil, 0, err
	}
	res, err := s.c.HMGet(ctx, docKey(key), "rev", "data").Result()
	if err != nil {
		return nil, 0, fmt.Errorf("redis: doc %q: %w", key, err)
	}
	data, ok := res[1].(string)
	if !ok {
		return nil, 0, fmt.Errorf("doc %q: %w", key, storage.ErrNotFound)
	}
	rev, err := parseRev(res[0])
	if err != nil {
		return nil, 0, fmt.Errorf("redis: doc %q: %w", key, err)
	}
	return []byte(data), rev, nil
}

// PutDoc implements storage.Docs in one round trip (once the server has
// the script).
func (s *Store) PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error) {
	if err := checkDocKey(key); err != nil {
		return 0, err
	}
	switch {
	case len(data) == 0:
		return 0, fmt.Errorf("redis: doc %q: no data", key)
	case rev < storage.AnyRev:
		return 0, fmt.Errorf("redis: doc %q: bad revision %d", key, rev)
	}
	next, err := putDocScript.Run(ctx, s.c, []string{docKey(key)}, strconv.FormatInt(rev, 10), data).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis: put doc %q: %w", key, err)
	}
	if next < 0 {
		return 0, fmt.Errorf("doc %q: %w", key, storage.ErrConflict)
	}
	return next, nil
}

func checkDocKey(key string) error {
	switch {
	case key == "":
		return errors.New("redis: empty doc key")
	case len(key) > maxDocKey:
		return fmt.Errorf("redis: doc key of %d bytes, over %d", len(key), maxDocKey)
	}
	return nil
}

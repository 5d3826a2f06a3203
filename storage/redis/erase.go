package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Eraser = (*Store)(nil)

// globEscaper quotes the characters SCAN's MATCH patterns treat specially.
var globEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`, "]", `\]`)

// scan returns the keys matching pattern, from every master on a Cluster.
func (s *Store) scan(ctx context.Context, pattern string) ([]string, error) {
	var (
		keys []string
		mu   sync.Mutex // masters are scanned concurrently
	)
	each := func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	switch c := s.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, each)
	case *redis.Client:
		err = each(ctx, c)
	default:
		iter := s.c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		err = iter.Err()
	}
	slices.Sort(keys)
	return slices.Compact(keys), err
}

// del deletes keys, one command each, so that on a Cluster each goes to
// its own slot; pipelined in one round trip per node.
func (s *Store) del(ctx context.Context, keys []string, also func(p redis.Pipeliner)) error {
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, k)
		}
		if also != nil {
			also(p)
		}
		return nil
	})
	return err
}

// EachContract implements storage.Eraser: it scans the contract keys,
// then reads each contract.
func (s *Store) EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error {
	keys, err := s.scan(ctx, globEscaper.Replace(contractKeyPrefix)+"*"+globEscaper.Replace(contractKeySuffix))
	if err != nil {
		return fmt.Errorf("redis: list contracts: %w", err)
	}
	for _, k := range keys {
		id := strings.TrimSuffix(strings.TrimPrefix(k, contractKeyPrefix), contractKeySuffix)
		data, rev, err := s.Contract(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if err := fn(id, data, rev); err != nil {
			return err
		}
	}
	return nil
}

// DeleteContract implements storage.Eraser.
func (s *Store) DeleteContract(ctx context.Context, id string, users []storage.UserKey) error {
	if id == "" {
		return errors.New("redis: delete contract: empty id")
	}
	for _, u := range users {
		if err := checkUser(u); err != nil {
			return err
		}
	}
	applied, err := s.scan(ctx, globEscaper.Replace(contractAppliedKey(id, ""))+"*")
	if err != nil {
		return fmt.Errorf("redis: delete contract %s: %w", id, err)
	}
	err = s.del(ctx, append(applied, contractKey(id)), func(p redis.Pipeliner) {
		for _, u := range users {
			p.ZRem(ctx, contractsKey(u), id)
		}
	})
	if err != nil {
		return fmt.Errorf("redis: delete contract %s: %w", id, err)
	}
	return s.dropExample(ctx, id, "")
}

// DeleteUser implements storage.Eraser.
func (s *Store) DeleteUser(ctx context.Context, user storage.UserKey) error {
	if err := checkUser(user); err != nil {
		return err
	}
	applied, err := s.scan(ctx, globEscaper.Replace(appliedKey(user, ""))+"*")
	if err != nil {
		return fmt.Errorf("redis: delete user %s: %w", user.User, err)
	}
	if err := s.del(ctx, append(applied, sessionKey(user), contractsKey(user)), nil); err != nil {
		return fmt.Errorf("redis: delete user %s: %w", user.User, err)
	}
	return nil
}

// DocKeys implements storage.Eraser.
func (s *Store) DocKeys(ctx context.Context, prefix string) ([]string, error) {
	keys, err := s.scan(ctx, globEscaper.Replace(docKey(prefix))+"*")
	if err != nil {
		return nil, fmt.Errorf("redis: list documents: %w", err)
	}
	for i, k := range keys {
		keys[i] = strings.TrimPrefix(k, docKeyPrefix)
	}
	return keys, nil
}

// DeleteDoc implements storage.Eraser.
func (s *Store) DeleteDoc(ctx context.Context, key string) error {
	if err := checkDocKey(key); err != nil {
		return err
	}
	if err := s.c.Del(ctx, docKey(key)).Err(); err != nil {
		return fmt.Errorf("redis: delete doc %q: %w", key, err)
	}
	return nil
}

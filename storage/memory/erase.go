package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Eraser = (*Store)(nil)

// EachContract implements storage.Eraser, on a copy taken at the start.
func (s *Store) EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	all := maps.Clone(s.contracts)
	s.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(all)) {
		if err := fn(id, bytes.Clone(all[id].data), all[id].rev); err != nil {
			return err
		}
	}
	return nil
}

// DeleteContract implements storage.Eraser.
func (s *Store) DeleteContract(ctx context.Context, id string, users []storage.UserKey) error {
	if id == "" {
		return errors.New("memory: delete contract: empty id")
	}
	for _, u := range users {
		if err := checkUser(u); err != nil {
			return err
		}
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.contracts, id)
	s.library.drop(id)
	for _, u := range users {
		s.lists[u] = slices.DeleteFunc(s.lists[u], func(c string) bool { return c == id })
		if len(s.lists[u]) == 0 {
			delete(s.lists, u)
		}
	}
	return nil
}

// DeleteUser implements storage.Eraser.
func (s *Store) DeleteUser(ctx context.Context, user storage.UserKey) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.sessions, user)
	delete(s.lists, user)
	for a := range s.applied {
		if a.user == user {
			delete(s.applied, a)
		}
	}
	return nil
}

// DocKeys implements storage.Eraser.
func (s *Store) DocKeys(ctx context.Context, prefix string) ([]string, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var keys []string
	for k := range s.docs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// DeleteDoc implements storage.Eraser.
func (s *Store) DeleteDoc(ctx context.Context, key string) error {
	if err := checkDocKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.docs, key)
	return nil
}

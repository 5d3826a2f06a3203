package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// UpdateAttempts bounds how often Update (and UpdateDoc) reads, changes and
// writes a value that others keep changing in between; the last conflict is
// returned.
const UpdateAttempts = 10

// Update changes a JSON value kept with a revision, with an optimistic
// check. It loads the value (load returns an error wrapping ErrNotFound when
// there is none), decodes it into a new T, and calls change with it and
// whether it exists. When change reports a change, Update encodes the value
// and writes it with save at the revision loaded (0 when there was none).
// When save returns ErrConflict, it starts again from a fresh load, up to
// UpdateAttempts times in all; other errors, change's included, are not
// retried.
//
// It returns the value as written, or as loaded when change made none. Any
// other error from load, change or save ends it: nothing more is written.
// change may run several times, on a fresh value each time, and must have
// no other effects.
func Update[T any](ctx context.Context,
	load func(ctx context.Context) ([]byte, int64, error),
	save func(ctx context.Context, v *T, data []byte, rev int64) error,
	change func(v *T, exists bool) (bool, error),
) (T, error) {
	var zero T
	var err error
	for range UpdateAttempts {
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		var (
			v        T
			conflict bool
		)
		conflict, err = updateOnce(ctx, load, save, change, &v)
		switch {
		case conflict:
			continue
		case err != nil:
			return zero, err
		}
		return v, nil
	}
	return zero, fmt.Errorf("changed concurrently %d times in a row: %w", UpdateAttempts, err)
}

// updateOnce is one attempt of Update, on a zero v. conflict reports that
// save met a concurrent change (err is then that ErrConflict); only that is
// worth another attempt.
func updateOnce[T any](ctx context.Context,
	load func(ctx context.Context) ([]byte, int64, error),
	save func(ctx context.Context, v *T, data []byte, rev int64) error,
	change func(v *T, exists bool) (bool, error),
	v *T,
) (conflict bool, err error) {
	data, rev, err := load(ctx)
	exists := err == nil
	switch {
	case errors.Is(err, ErrNotFound):
		rev = 0
	case err != nil:
		return false, err
	default:
		if err := json.Unmarshal(data, v); err != nil {
			return false, fmt.Errorf("decode %T at revision %d: %w", *v, rev, err)
		}
	}
	changed, err := change(v, exists)
	if err != nil || !changed {
		return false, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encode %T: %w", *v, err)
	}
	err = save(ctx, v, out, rev)
	return errors.Is(err, ErrConflict), err
}

// UpdateDoc is Update on the document key of d: it creates the document
// (change sees exists false and a zero T) or changes the stored one, and
// writes it only when change reports a change.
//
//	set, err := storage.UpdateDoc(ctx, docs, key, func(s *Set, exists bool) (bool, error) {
//		if !exists {
//			return false, errNoSuchSet
//		}
//		s.Members = append(s.Members, user)
//		return true, nil
//	})
func UpdateDoc[T any](ctx context.Context, d Docs, key string, change func(v *T, exists bool) (bool, error)) (T, error) {
	v, err := Update(ctx,
		func(ctx context.Context) ([]byte, int64, error) { return d.Doc(ctx, key) },
		func(ctx context.Context, _ *T, data []byte, rev int64) error {
			_, err := d.PutDoc(ctx, key, data, rev)
			return err
		},
		change)
	if err != nil {
		return v, fmt.Errorf("update doc %q: %w", key, err)
	}
	return v, nil
}

package embedded

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Backlog = (*dueSet)(nil)

// Backlog implements storage.Backlog from the queue bucket, ordered by
// the time each item becomes claimable.
func (d *dueSet) Backlog(ctx context.Context) (int, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return 0, time.Time{}, err
	}
	var (
		n     int
		first time.Time
	)
	err := d.db.View(func(tx *bolt.Tx) error {
		q := tx.Bucket(d.queue)
		if q == nil {
			return nil
		}
		n = q.Stats().KeyN
		if k, _ := q.Cursor().First(); len(k) >= 8 {
			first = time.UnixMilli(queueTime(k))
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("embedded: backlog: %w", err)
	}
	return n, first, nil
}

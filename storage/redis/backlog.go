package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Backlog = (*dueSet)(nil)

// Backlog implements storage.Backlog from the sorted set, scored by the
// time each item becomes claimable, in one round trip.
func (d *dueSet) Backlog(ctx context.Context) (int, time.Time, error) {
	var (
		card  *redis.IntCmd
		first *redis.ZSliceCmd
	)
	_, err := d.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		card = p.ZCard(ctx, d.keys[0])
		first = p.ZRangeWithScores(ctx, d.keys[0], 0, 0)
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redis: backlog: %w", err)
	}
	var at time.Time
	if zs := first.Val(); len(zs) > 0 {
		at = time.UnixMilli(int64(zs[0].Score))
	}
	return int(card.Val()), at, nil
}

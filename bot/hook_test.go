package bot_test

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// counter counts Redis round trips: one per command sent alone, one per
// pipeline.
type counter struct{ n atomic.Int64 }

func (c *counter) reset() { c.n.Store(0) }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

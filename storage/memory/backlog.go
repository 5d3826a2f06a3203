package memory

import (
	"context"
	"time"

	"github.com/learnpact/learnpact/storage"
)

var _ storage.Backlog = (*dueSet)(nil)

// Backlog implements storage.Backlog.
func (d *dueSet) Backlog(ctx context.Context) (int, time.Time, error) {
	if err := d.s.lock(ctx); err != nil {
		return 0, time.Time{}, err
	}
	defer d.s.mu.Unlock()
	var first int64
	for _, r := range d.items {
		if first == 0 || r.queued < first {
			first = r.queued
		}
	}
	if len(d.items) == 0 {
		return 0, time.Time{}, nil
	}
	return len(d.items), time.UnixMilli(first), nil
}

package scheduler

import "github.com/robfig/cron/v3"

// SetSchedule replaces the sweep schedule, so tests need not wait for
// real ticks.
func (s *Scheduler) SetSchedule(sc cron.Schedule) { s.schedule = sc }

// Stopping is closed once Stop has been called.
func (s *Scheduler) Stopping() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stop
}

// LockName is lockName, for tests that name locks.
var LockName = lockName

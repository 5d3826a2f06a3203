// Package scheduler holds all scheduling policy: which work a contract
// needs when (its plan, contract.Plan, kept as due items), approvers'
// digests, working hours, and turning due items into turns for the engine
// that handles chat turns: a nudge is a turn that the clock started.
//
// The Planner keeps the items in step with contracts: the engine
// (bot.Engine) asks it for each turn's changes to them before the save
// (bot.Planner), and saves them with the turn in one atomic step. The
// Scheduler sweeps: it claims the items that are due (a contract's
// check-ins and reminders, an approver's digest), and for each one finds
// the recipient's time zone and either defers it (outside working hours,
// or when the contract or digest was already sent that local day) or runs
// a conversation.DueInput turn. The claim holder settles the item: after
// the turn, it releases the item to its next occurrence in the turn's plan
// (scheduled afresh), or marks it done when the plan no longer has it.
// Items are leased, so several processes may sweep one store: each item
// is handled by one of them, and the items of a process that died are
// taken up by the others once their lease runs out.
package scheduler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// Handler runs a turn; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, t bot.Turn) error
}

var _ Handler = (*bot.Engine)(nil)

const (
	// MaxAttempts is how many claims of an item a failing turn gets
	// before it is given up. The store counts every claim, so deferrals
	// to working hours use some up too.
	MaxAttempts = 8

	defaultLease     = 2 * time.Minute
	defaultBatch     = 100
	defaultSweepSpec = "@every 30s"

	minBackoff = time.Minute
	maxBackoff = time.Hour
	// nudgeTTL outlasts any local day, whatever the time zone.
	nudgeTTL = 36 * time.Hour
)

// Config configures a Scheduler.
type Config struct {
	// Due keeps the items: the Due of the stores the engine saves its
	// turns in (storage.Stores), so that a turn's changes to them are
	// saved with it.
	Due storage.DueStore
	// Handler runs the turns: the engine, whose Planner tells the
	// Scheduler what each scheduled turn's plan holds for the turn's own
	// item, which the Scheduler settles by it once the turn is saved.
	// Items of turns no Planner saw are done after them.
	Handler Handler
	// Platforms by Platform.Name().
	Platforms map[string]bot.Platform
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Hours are the working hours, in each recipient's time zone.
	Hours Hours
	// Lease is how long a claimed item is reserved (default 2m). A sweep
	// gives back the rest of a batch when less than a quarter of the
	// lease is left, so one turn must take well under that.
	Lease time.Duration
	// Batch is how many items one claim takes (default 100).
	Batch int
	// SweepSpec is the cron spec Start sweeps on (default "@every 30s").
	SweepSpec string
	// Lag, when set, hears how late each claimed item is: from its due
	// time to its claim (deferrals to working hours included), for metrics.
	Lag func(d time.Duration)
	// Housekeeping, when set, runs once a day (at 03:00 UTC) in one of the
	// processes sharing the store: deleting what is kept past its time.
	Housekeeping func(ctx context.Context) error
	Log          *slog.Logger
}

// Stats counts what a sweep did with the items it claimed.
type Stats struct {
	Claimed  int // items claimed, including those given back unhandled
	Sent     int // turns run
	Deferred int // items put off to working hours or the next working day
	Failed   int // turns that failed (retried or given up) and bad items dropped
}

// Scheduler sweeps due items into turns. Its methods may be called
// concurrently.
type Scheduler struct {
	due       storage.DueStore
	handler   Handler
	platforms map[string]bot.Platform
	now       func() time.Time
	hours     Hours
	lease     time.Duration
	batch     int
	schedule  cron.Schedule
	log       *slog.Logger

	housekeeping func(ctx context.Context) error
	lag          func(d time.Duration)

	mu   sync.Mutex
	cron *cron.Cron
	stop chan struct{}   // closed by Stop
	done <-chan struct{} // closed when Stop has waited for a running sweep
}

// New checks cfg and returns a Scheduler.
func New(cfg Config) (*Scheduler, error) {
	var errs []error
	if cfg.Due == nil {
		errs = append(errs, errors.New("no due store"))
	}
	if cfg.Handler == nil {
		errs = append(errs, errors.New("no handler"))
	}
	if len(cfg.Platforms) == 0 {
		errs = append(errs, errors.New("no platforms"))
	}
	for name, p := range cfg.Platforms {
		switch {
		case p == nil:
			errs = append(errs, fmt.Errorf("platform %q is nil", name))
		case p.Name() != name:
			errs = append(errs, fmt.Errorf("platform %q is listed as %q", p.Name(), name))
		}
	}
	if cfg.Lease < 0 {
		errs = append(errs, fmt.Errorf("lease %s is negative", cfg.Lease))
	}
	if cfg.Batch < 0 {
		errs = append(errs, fmt.Errorf("batch %d is negative", cfg.Batch))
	}
	if err := cfg.Hours.Validate(); err != nil {
		errs = append(errs, err)
	}
	spec := orDefault(cfg.SweepSpec, defaultSweepSpec)
	schedule, err := cron.ParseStandard(spec)
	if err != nil {
		errs = append(errs, fmt.Errorf("sweep spec %q: %w", spec, err))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("scheduler: %w", errors.Join(errs...))
	}
	s := &Scheduler{
		due:          cfg.Due,
		handler:      cfg.Handler,
		platforms:    cfg.Platforms,
		housekeeping: cfg.Housekeeping,
		lag:          cfg.Lag,
		now:          cfg.Now,
		hours:        cfg.Hours.withDefaults(),
		lease:        orDefault(cfg.Lease, defaultLease),
		batch:        orDefault(cfg.Batch, defaultBatch),
		schedule:     schedule,
		log:          cfg.Log,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "scheduler")
	return s, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Sweep claims the items that are due, batch after batch until none is
// left, and delivers or defers each. It stops at the first store error,
// which it returns; the items it still held are claimed again when their
// lease runs out. Turns that fail are retried later and are not errors of
// the sweep.
func (s *Scheduler) Sweep(ctx context.Context) (Stats, error) {
	return s.sweep(ctx, nil)
}

// sweep is Sweep, giving back what it holds once stop is closed.
func (s *Scheduler) sweep(ctx context.Context, stop <-chan struct{}) (Stats, error) {
	var st Stats
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if closed(stop) {
			return st, nil
		}
		now := s.now()
		claims, err := s.due.Claim(ctx, now, s.batch, s.lease)
		if err != nil {
			return st, fmt.Errorf("scheduler: %w", err)
		}
		st.Claimed += len(claims)
		if s.lag != nil {
			for _, c := range claims {
				s.lag(max(now.Sub(c.Item.At), 0))
			}
		}
		for i, c := range claims {
			if i > 0 && (closed(stop) || s.leaseLow(c)) {
				// Give the rest back now rather than when the lease runs
				// out; the next claim takes them afresh.
				if err := s.giveBack(ctx, claims[i:]); err != nil {
					return st, err
				}
				break
			}
			if err := s.run(ctx, c, &st); err != nil {
				return st, err
			}
		}
		if len(claims) < s.batch {
			if st.Claimed > 0 {
				s.log.Info("swept", "claimed", st.Claimed, "sent", st.Sent, "deferred", st.Deferred, "failed", st.Failed)
			}
			return st, nil
		}
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// leaseLow reports whether too little of c's lease is left to start a
// turn: another worker may claim the item once it runs out.
func (s *Scheduler) leaseLow(c storage.Claim) bool {
	return !s.now().Before(c.Until.Add(-s.lease / 4))
}

func (s *Scheduler) giveBack(ctx context.Context, claims []storage.Claim) error {
	for _, c := range claims {
		if err := s.release(ctx, c, c.Item.At); err != nil {
			return err
		}
	}
	return nil
}

// run handles one claimed item. It returns only errors that end the
// sweep: the store's and the context's.
func (s *Scheduler) run(ctx context.Context, c storage.Claim, st *Stats) error {
	it, err := Decode(c.Item.Data)
	if err != nil {
		st.Failed++
		s.log.Error("dropping bad due item", "id", c.Item.ID, "err", err)
		return s.settle(ctx, c)
	}
	log := s.log.With("id", c.Item.ID, "attempt", c.Attempt)
	p, ok := s.platforms[it.Platform]
	if !ok {
		st.Failed++
		return s.retry(ctx, log, c, s.now(), time.UTC, "", fmt.Errorf("no platform %q is configured", it.Platform))
	}
	loc := time.UTC
	if l, ok := p.(bot.Locator); ok {
		if z := l.Location(ctx, it.User); z != nil {
			loc = z
		}
	}
	now := s.now()
	if it.Local != "" {
		if at, err := time.ParseInLocation(LocalLayout, it.Local, loc); err == nil && now.Before(at) {
			st.Deferred++
			log.Debug("held until its local time", "until", at)
			return s.release(ctx, c, at)
		}
	}
	if next := s.hours.Next(now, loc); next.After(now) {
		st.Deferred++
		log.Debug("deferred to working hours", "until", next)
		return s.release(ctx, c, next)
	}
	day := now.In(loc).Format(time.DateOnly)
	ok, err = s.mayNudge(ctx, c, subject(it), day, now)
	if err != nil {
		return err
	}
	if !ok {
		next := s.hours.NextDay(now, loc)
		st.Deferred++
		log.Debug("already nudged today", "about", subject(it), "until", next)
		return s.release(ctx, c, next)
	}
	h := &held{id: c.Item.ID}
	err = s.handler.Handle(withHeld(ctx, h), bot.Turn{Platform: p, Team: it.Team, Input: conversation.Input{
		Kind:     conversation.DueInput,
		User:     it.User,
		DueKind:  string(it.Kind),
		Contract: it.Contract,
	}, Saved: func(err error) { h.saved = err == nil }})
	if h.saved && h.plan != nil {
		// The turn was saved: its plan settles the item, even when some
		// of its messages failed (the engine logged them), as the
		// contract moved on and running it again would send nothing.
		if err == nil {
			st.Sent++
		} else {
			st.Failed++
		}
		return s.settleBy(ctx, log, c, it, *h.plan)
	}
	if err == nil {
		// No Planner saw the turn: there is nothing to settle it by.
		st.Sent++
		return s.settle(ctx, c)
	}
	if ctx.Err() != nil {
		// Shutting down. The item is claimed again once its lease runs
		// out; as the turn may have been sent, holding the day's nudge,
		// it then waits for the next working day.
		return ctx.Err()
	}
	st.Failed++
	return s.retry(ctx, log, c, now, loc, retryLock(c.Item.ID, day, c.Attempt+1), err)
}

// subject is what an item nudges about, at most once a local day: its
// contract, or for a digest the recipient's digest.
func subject(it Item) string {
	if it.Kind == contract.DueDigest || contract.PerPerson(it.Kind) || it.Kind == contract.DueSupport {
		// Reviewers are not parties: their reminders count apart. The
		// approver's news of a learner in trouble does not wait for the
		// learner's nudge of the day to pass.
		return it.ID()
	}
	return it.Contract
}

// mayNudge takes the subject's nudge lock for the recipient's local day.
// An item that took it and then failed to send may try again that day:
// its failure took a retry lock for its next attempt (see run), which
// that attempt finds held. Any other attempt finds the retry lock free,
// and taking it is harmless: attempts only go up, so no later attempt
// looks at it.
func (s *Scheduler) mayNudge(ctx context.Context, c storage.Claim, subject, day string, now time.Time) (bool, error) {
	got, err := s.due.Lock(ctx, lockName("nudge:"+subject+":"+day), nudgeTTL, now)
	if err != nil || got {
		return got, s.storeErr(err)
	}
	if c.Attempt == 1 {
		return false, nil
	}
	free, err := s.due.Lock(ctx, lockName(retryLock(c.Item.ID, day, c.Attempt)), nudgeTTL, now)
	return !free, s.storeErr(err)
}

// retryLock names the lock that lets attempt n of an item nudge again on
// a day its earlier attempt took the contract's nudge lock.
func retryLock(id, day string, n int) string {
	return "nudge-retry:" + id + ":" + day + ":" + strconv.Itoa(n)
}

// retry releases a failed item with backoff, or gives it up after
// MaxAttempts. A non-empty lock is taken first so the next attempt may
// nudge again the same day.
func (s *Scheduler) retry(ctx context.Context, log *slog.Logger, c storage.Claim, now time.Time, loc *time.Location, lock string, cause error) error {
	if c.Attempt >= MaxAttempts {
		log.Error("giving up due item", "err", cause)
		return s.settle(ctx, c)
	}
	next := s.hours.Next(now.Add(Backoff(c.Attempt)), loc)
	log.Warn("due item failed, will retry", "at", next, "err", cause)
	if lock != "" {
		if _, err := s.due.Lock(ctx, lockName(lock), nudgeTTL, now); err != nil {
			return s.storeErr(err)
		}
	}
	return s.release(ctx, c, next)
}

// Backoff is how long an item waits after failed attempt n (from 1): a
// minute, doubling up to an hour, plus up to a tenth more at random.
func Backoff(n int) time.Duration {
	d := maxBackoff
	if n >= 1 && n <= 6 {
		d = minBackoff << (n - 1)
	} else if n < 1 {
		d = minBackoff
	}
	return d + rand.N(d/10)
}

// settleBy settles the item of a saved scheduled turn by what the turn's
// plan holds for it (the rest of the plan was saved with the turn). An
// item the plan still has is released to its next occurrence, which is
// then scheduled afresh (its data and attempts are the new occurrence's);
// the same occurrence still to come (it.Local unchanged) is only released,
// keeping its attempts. An item the plan no longer has is done. A lost
// lease there is a real one: someone changed the item while the turn ran,
// and it is theirs.
func (s *Scheduler) settleBy(ctx context.Context, log *slog.Logger, c storage.Claim, it Item, own ownPlan) error {
	var err error
	switch {
	case !own.planned:
		err = s.due.Done(ctx, c)
	case it.Local != "" && bytes.Equal(own.next.Data, c.Item.Data):
		err = s.due.Release(ctx, c, own.next.At)
	default:
		if err = s.due.Release(ctx, c, own.next.At); err == nil {
			err = s.due.Schedule(ctx, own.next)
		}
	}
	if errors.Is(err, storage.ErrLeaseLost) {
		log.Warn("lease lost", "err", err)
		return nil
	}
	return s.storeErr(err)
}

// settle marks c done.
func (s *Scheduler) settle(ctx context.Context, c storage.Claim) error {
	return s.leaseErr(c, s.due.Done(ctx, c))
}

func (s *Scheduler) release(ctx context.Context, c storage.Claim, at time.Time) error {
	return s.leaseErr(c, s.due.Release(ctx, c, at))
}

// leaseErr drops ErrLeaseLost: another worker holds the item, or it was
// rescheduled or cancelled meanwhile, and either way it is theirs now.
func (s *Scheduler) leaseErr(c storage.Claim, err error) error {
	if errors.Is(err, storage.ErrLeaseLost) {
		s.log.Debug("lease lost", "id", c.Item.ID, "attempt", c.Attempt)
		return nil
	}
	return s.storeErr(err)
}

func (s *Scheduler) storeErr(err error) error {
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	return nil
}

// Start sweeps on the configured spec, one sweep at a time, until ctx is
// done or Stop is called. A Scheduler starts once.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return errors.New("scheduler: already started")
	}
	l := cronLogger{s.log}
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(l),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	s.stop = make(chan struct{})
	stop := s.stop
	s.cron.Schedule(s.schedule, cron.FuncJob(func() {
		if _, err := s.sweep(ctx, stop); err != nil && ctx.Err() == nil {
			s.log.Error("sweep failed", "err", err)
		}
	}))
	if s.housekeeping != nil {
		if _, err := s.cron.AddFunc(housekeepingSpec, func() {
			if _, err := s.Housekeep(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("housekeeping failed", "err", err)
			}
		}); err != nil {
			return fmt.Errorf("scheduler: housekeeping: %w", err)
		}
	}
	s.cron.Start()
	go func() {
		select {
		case <-ctx.Done():
			s.Stop()
		case <-stop:
		}
	}()
	return nil
}

// Stop stops the sweeps started by Start and waits for a running one to
// finish its current turn; it gives back the rest of its batch.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.cron == nil {
		s.mu.Unlock()
		return
	}
	if s.done == nil {
		close(s.stop)
		s.done = s.cron.Stop().Done()
	}
	done := s.done
	s.mu.Unlock()
	<-done
}

// cronLogger logs cron's chatter at debug level and its errors (a
// recovered panic) as errors.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// lockName is how a lock is named in the store: a digest of name, which
// holds item ids and so people's ids, so that no lock names a person (locks
// cannot be deleted; they end with their ttl).
func lockName(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "s:" + hex.EncodeToString(sum[:16])
}

// housekeepingSpec is when Housekeeping runs: daily, at a quiet hour.
const housekeepingSpec = "0 3 * * *"

// housekeepingTTL holds the day's housekeeping lock past the day.
const housekeepingTTL = 20 * time.Hour

// Housekeep runs Config.Housekeeping unless a process sharing the store
// ran it in the last 20 hours, and reports whether it ran.
func (s *Scheduler) Housekeep(ctx context.Context) (bool, error) {
	if s.housekeeping == nil {
		return false, nil
	}
	got, err := s.due.Lock(ctx, lockName("housekeeping"), housekeepingTTL, s.now())
	if err != nil || !got {
		return false, s.storeErr(err)
	}
	return true, s.housekeeping(ctx)
}

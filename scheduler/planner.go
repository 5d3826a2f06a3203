package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// Planner keeps scheduled work in step with contracts: after each turn the
// engine saved, it schedules the items of the contract's plan
// (contract.Plan), cancels the ones the turn took out of it, and keeps each
// approver's digest going. It implements bot.Planner.
//
// The item a scheduled turn came due from is not the Planner's to write:
// the Scheduler holds its claim, and settles it with the turn's plan once
// the turn is done (see Scheduler.Sweep). Other turns have no claim, and
// the Planner writes all they call for.
type Planner struct {
	due     storage.DueStore
	digests DigestSchedule
}

var _ bot.Planner = (*Planner)(nil)

// PlannerConfig configures a Planner.
type PlannerConfig struct {
	// Due keeps the items; the Scheduler that runs them shares it.
	Due storage.DueStore
	// Digests is when approvers get their digest (ParseDigestSchedule);
	// the zero value is DefaultDigestSpec.
	Digests DigestSchedule
}

// NewPlanner checks cfg and returns a Planner.
func NewPlanner(cfg PlannerConfig) (*Planner, error) {
	if cfg.Due == nil {
		return nil, errors.New("scheduler: planner: no due store")
	}
	return &Planner{due: cfg.Due, digests: cfg.Digests}, nil
}

// AfterTurn implements bot.Planner.
func (p *Planner) AfterTurn(ctx context.Context, o bot.TurnOutcome) error {
	ch, err := p.changes(ctx, o)
	if err != nil {
		return err
	}
	if h := heldBy(ctx); h != nil && o.Input.Kind == conversation.DueInput && h.id == dueItem(o).ID() {
		h.changes = &ch
		return nil
	}
	return ch.apply(ctx, p.due)
}

// changes are the writes a turn calls for. For a scheduled turn they hold
// its own item too: its next occurrence in schedule when the plan still
// has it, in cancel when not.
type changes struct {
	schedule []storage.DueItem
	cancel   []string
}

func (ch changes) apply(ctx context.Context, d storage.DueStore) error {
	if len(ch.schedule) > 0 {
		if err := d.Schedule(ctx, ch.schedule...); err != nil {
			return fmt.Errorf("scheduler: schedule: %w", err)
		}
	}
	if len(ch.cancel) > 0 {
		if err := d.Cancel(ctx, ch.cancel...); err != nil {
			return fmt.Errorf("scheduler: cancel: %w", err)
		}
	}
	return nil
}

// take removes the item id from ch and returns its next occurrence, if
// the plan has one.
func (ch *changes) take(id string) (next storage.DueItem, planned bool) {
	ch.cancel = slices.DeleteFunc(ch.cancel, func(c string) bool { return c == id })
	i := slices.IndexFunc(ch.schedule, func(it storage.DueItem) bool { return it.ID == id })
	if i < 0 {
		return storage.DueItem{}, false
	}
	next = ch.schedule[i]
	ch.schedule = slices.Delete(ch.schedule, i, i+1)
	return next, true
}

// dueItem is the item a scheduled turn came due from.
func dueItem(o bot.TurnOutcome) Item {
	return Item{Platform: o.Platform, Team: o.Team, Contract: o.Input.Contract,
		Kind: contract.DueKind(o.Input.DueKind), User: o.Input.User}
}

// changes brings a contract's items in line with its plan after a turn:
// when the plan changed, or after a scheduled turn, whose own item is
// planned afresh. Items the turn took out of the plan are cancelled. The
// approver's digest rides along with the plan's items. After a digest turn
// it schedules the approver's next digest instead.
func (p *Planner) changes(ctx context.Context, o bot.TurnOutcome) (changes, error) {
	if conversation.IsDigest(o.Input) {
		return p.nextDigest(ctx, o)
	}
	var ch changes
	var own string
	due := o.Input.Kind == conversation.DueInput
	if due {
		own = dueItem(o).ID()
	}
	c := o.After
	if c == nil && due {
		c = o.Before // unchanged, and still the one to settle the item by
	}
	if c == nil {
		if own != "" {
			ch.cancel = append(ch.cancel, own)
		}
		return ch, nil
	}
	plan := c.Plan(o.Now)
	var before []contract.Due
	if o.Before != nil {
		before = o.Before.Plan(o.Now)
		if !due && slices.Equal(before, plan) {
			return ch, nil
		}
	}
	planned := map[string]bool{}
	for _, d := range plan {
		it := PlannedItem(o.Platform, c.Team, c.ID, d)
		planned[it.ID] = true
		ch.schedule = append(ch.schedule, it)
	}
	for _, d := range before {
		if id := ItemID(c.ID, d.Key()); !planned[id] && id != own {
			ch.cancel = append(ch.cancel, id)
		}
	}
	if own != "" && !planned[own] {
		ch.cancel = append(ch.cancel, own)
	}
	if c.InDigest() {
		d, ok, err := p.digest(ctx, Digest(o.Platform, c.Team, c.Approver), o.Now)
		if err != nil {
			return changes{}, fmt.Errorf("scheduler: contract %s: %w", c.ID, err)
		}
		if ok {
			ch.schedule = append(ch.schedule, d)
		}
	}
	return ch, nil
}

// digest returns an approver's digest item as it should be at now, to
// schedule along with a contract's items: at the next digest time, which
// replaces the item with itself. While a digest that came due may still be
// waiting for the approver's working hours, it is that digest instead,
// unless someone took it already: then the item is left as it is (false).
func (p *Planner) digest(ctx context.Context, it Item, now time.Time) (storage.DueItem, bool, error) {
	at, pending := p.digests.Pending(now)
	if pending {
		name, ttl := p.digests.TakenLock(it, at)
		got, err := p.due.Lock(ctx, name, ttl, now)
		if err != nil || !got {
			return storage.DueItem{}, false, err
		}
	}
	return it.Due(at), true, nil
}

// nextDigest plans an approver's next digest after their digest turn, as
// long as they approve a contract under way; otherwise the digest ends.
// The digest just handled is marked taken, so a contract saved soon after
// does not bring it back.
func (p *Planner) nextDigest(ctx context.Context, o bot.TurnOutcome) (changes, error) {
	user := o.Input.User
	it := Digest(o.Platform, o.Team, user)
	approves := slices.ContainsFunc(o.Contracts, func(c *contract.Contract) bool {
		return c.Approver == user && c.InDigest()
	})
	if !approves {
		return changes{cancel: []string{it.ID()}}, nil
	}
	if at, pending := p.digests.Pending(o.Now); pending {
		name, ttl := p.digests.TakenLock(it, at)
		if _, err := p.due.Lock(ctx, name, ttl, o.Now); err != nil {
			return changes{}, fmt.Errorf("scheduler: digest of %s: %w", user, err)
		}
	}
	return changes{schedule: []storage.DueItem{it.Due(p.digests.Next(o.Now))}}, nil
}

// held is the claim a scheduled turn came due from, carried in the turn's
// context from the Scheduler to the Planner: the Planner leaves the item to
// the Scheduler, and hands it the turn's changes.
type held struct {
	id      string
	changes *changes // set once the turn is saved
}

type heldKey struct{}

func withHeld(ctx context.Context, h *held) context.Context {
	return context.WithValue(ctx, heldKey{}, h)
}

func heldBy(ctx context.Context) *held {
	h, _ := ctx.Value(heldKey{}).(*held)
	return h
}

var _ bot.PlanForgetter = (*Planner)(nil)

// ForgetPlans implements bot.PlanForgetter: it cancels the items of the
// deleted contracts' plans and, for a forgotten person (user not empty),
// their digest.
func (p *Planner) ForgetPlans(ctx context.Context, platform, team, user string, deleted []*contract.Contract, now time.Time) error {
	var ids []string
	for _, c := range deleted {
		for _, d := range c.Plan(now) {
			ids = append(ids, ItemID(c.ID, d.Key()))
		}
	}
	if user != "" {
		ids = append(ids, DigestID(platform, team, user))
	}
	if len(ids) == 0 {
		return nil
	}
	if err := p.due.Cancel(ctx, ids...); err != nil {
		return fmt.Errorf("scheduler: cancel: %w", err)
	}
	return nil
}

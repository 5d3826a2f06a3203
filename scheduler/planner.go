package scheduler

import (
	"context"
	"slices"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// Planner keeps scheduled work in step with contracts: for each turn the
// engine is about to save, it works out the changes to the contract's
// items (contract.Plan) the turn calls for, which the engine saves with
// the turn: the items of the plan to schedule, the ones the turn took out
// of it to cancel, and each approver's digest. It implements bot.Planner,
// and reads and writes nothing.
//
// The item a scheduled turn came due from is not the Planner's to write:
// the Scheduler holds its claim, and settles it by the turn's plan once
// the turn is saved (see Scheduler.Sweep). Other turns have no claim, and
// the Planner's changes hold all they call for.
type Planner struct {
	digests DigestSchedule
}

var _ bot.Planner = (*Planner)(nil)

// PlannerConfig configures a Planner.
type PlannerConfig struct {
	// Digests is when approvers get their digest (ParseDigestSchedule);
	// the zero value is DefaultDigestSpec.
	Digests DigestSchedule
}

// NewPlanner returns a Planner.
func NewPlanner(cfg PlannerConfig) *Planner {
	return &Planner{digests: cfg.Digests}
}

// Plan implements bot.Planner. For the turn of the item a Scheduler holds,
// it leaves that item out of the changes and tells the Scheduler its fate.
func (p *Planner) Plan(ctx context.Context, o bot.TurnOutcome) (storage.DueChanges, error) {
	ch := p.changes(o)
	if h := heldBy(ctx); h != nil && o.Input.Kind == conversation.DueInput && h.id == dueItem(o).ID() {
		next, planned := take(&ch, h.id)
		h.plan = &ownPlan{next: next, planned: planned}
	}
	return ch, nil
}

// take removes the item id from ch and returns its next occurrence, if
// the plan has one.
func take(ch *storage.DueChanges, id string) (next storage.DueItem, planned bool) {
	ch.Cancel = slices.DeleteFunc(ch.Cancel, func(c string) bool { return c == id })
	i := slices.IndexFunc(ch.Schedule, func(it storage.DueItem) bool { return it.ID == id })
	if i < 0 {
		return storage.DueItem{}, false
	}
	next = ch.Schedule[i]
	ch.Schedule = slices.Delete(ch.Schedule, i, i+1)
	return next, true
}

// dueItem is the item a scheduled turn came due from.
func dueItem(o bot.TurnOutcome) Item {
	return Item{Platform: o.Platform, Team: o.Team, Contract: o.Input.Contract,
		Kind: contract.DueKind(o.Input.DueKind), User: o.Input.User}
}

// changes brings a contract's items in line with its plan after a turn:
// when the plan changed, or after a scheduled turn, whose own item is
// planned afresh (its next occurrence in Schedule when the plan still has
// it, in Cancel when not). Items the turn took out of the plan are
// cancelled. The approver's digest rides along with the plan's items.
// After a digest turn it schedules the approver's next digest instead.
func (p *Planner) changes(o bot.TurnOutcome) storage.DueChanges {
	if conversation.IsDigest(o.Input) {
		return p.nextDigest(o)
	}
	var ch storage.DueChanges
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
			ch.Cancel = append(ch.Cancel, own)
		}
		return ch
	}
	plan := c.Plan(o.Now)
	var before []contract.Due
	if o.Before != nil {
		before = o.Before.Plan(o.Now)
		if !due && slices.Equal(before, plan) {
			return ch
		}
	}
	planned := map[string]bool{}
	for _, d := range plan {
		it := PlannedItem(o.Platform, c.Team, c.ID, d)
		planned[it.ID] = true
		ch.Schedule = append(ch.Schedule, it)
	}
	for _, d := range before {
		if id := ItemID(c.ID, d.Key()); !planned[id] && id != own {
			ch.Cancel = append(ch.Cancel, id)
		}
	}
	if own != "" && !planned[own] {
		ch.Cancel = append(ch.Cancel, own)
	}
	if c.InDigest() {
		p.digest(&ch, Digest(o.Platform, c.Team, c.Approver), o.Now)
	}
	return ch
}

// digest adds an approver's digest item as it should be at now to ch, to
// schedule along with a contract's items: at the next digest time, which
// replaces the item with itself. While a digest that came due may still be
// waiting for the approver's working hours, it is that digest instead,
// scheduled only by the turn that takes its TakenLock: once someone took
// it, the item is left as it is.
func (p *Planner) digest(ch *storage.DueChanges, it Item, now time.Time) {
	at, pending := p.digests.Pending(now)
	if !pending {
		ch.Schedule = append(ch.Schedule, it.Due(at))
		return
	}
	name, ttl := p.digests.TakenLock(it, at)
	ch.Locks = append(ch.Locks, storage.DueLock{Name: name, TTL: ttl, Now: now, Items: []storage.DueItem{it.Due(at)}})
}

// nextDigest plans an approver's next digest after their digest turn, as
// long as they approve a contract under way; otherwise the digest ends.
// The digest just handled is marked taken, so a contract saved soon after
// does not bring it back.
func (p *Planner) nextDigest(o bot.TurnOutcome) storage.DueChanges {
	user := o.Input.User
	it := Digest(o.Platform, o.Team, user)
	approves := slices.ContainsFunc(o.Contracts, func(c *contract.Contract) bool {
		return c.Approver == user && c.InDigest()
	})
	if !approves {
		return storage.DueChanges{Cancel: []string{it.ID()}}
	}
	var ch storage.DueChanges
	if at, pending := p.digests.Pending(o.Now); pending {
		name, ttl := p.digests.TakenLock(it, at)
		ch.Locks = []storage.DueLock{{Name: name, TTL: ttl, Now: o.Now}}
	}
	ch.Schedule = []storage.DueItem{it.Due(p.digests.Next(o.Now))}
	return ch
}

// held is the claim a scheduled turn came due from, carried in the turn's
// context from the Scheduler to the Planner: the Planner leaves the item to
// the Scheduler, and tells it what the turn's plan holds for the item.
type held struct {
	id string
	// plan is set when the Planner planned the turn: by its last run,
	// when the turn was run again after a concurrent change.
	plan *ownPlan
	// saved reports that the turn was saved (bot.Turn.Saved).
	saved bool
}

// ownPlan is what a scheduled turn's plan holds for its own item: its next
// occurrence, or nothing (planned is false).
type ownPlan struct {
	next    storage.DueItem
	planned bool
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

// ForgetPlans implements bot.PlanForgetter: the items of the deleted
// contracts' plans and, for a forgotten person (user not empty), their
// digest, to cancel.
func (p *Planner) ForgetPlans(platform, team, user string, deleted []*contract.Contract, now time.Time) storage.DueChanges {
	var ch storage.DueChanges
	for _, c := range deleted {
		for _, d := range c.Plan(now) {
			ch.Cancel = append(ch.Cancel, ItemID(c.ID, d.Key()))
		}
	}
	if user != "" {
		ch.Cancel = append(ch.Cancel, DigestID(platform, team, user))
	}
	return ch
}

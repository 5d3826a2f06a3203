package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	dueitem "github.com/learnpact/learnpact/scheduler/due"
	"github.com/learnpact/learnpact/storage"
)

// maxAttempts bounds how often a turn is retried after a concurrent change
// to its contract.
const maxAttempts = 5

// Engine runs one conversation turn at a time per call; calls may run
// concurrently, and concurrent changes to one contract are resolved by
// optimistic versioning (the loser is re-run on the fresh contract).
type Engine struct {
	Store storage.Store
	// Due keeps each contract's scheduled check-ins and reminders in step
	// with its plan (contract.Plan), and each approver's digest going;
	// nothing is scheduled when nil.
	Due storage.DueStore
	// Docs keeps learning sets and the threads of shared drafts; learning
	// sets are unavailable when nil.
	Docs storage.Docs
	// DigestSpec is when approvers get their digest: a cron spec, in UTC,
	// as scheduler/due's ParseDigestSchedule reads it; empty means Mondays
	// at 09:00.
	DigestSpec string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID returns contract ids; random when nil.
	NewID func() string
	Log   *slog.Logger

	posting posting
}

// Turn describes one input on one platform.
type Turn struct {
	Platform Platform
	Team     string
	Input    conversation.Input
}

// Handle runs a turn and carries out its effects. Errors that reach the
// caller are internal; the user has already been told something friendly.
func (e *Engine) Handle(ctx context.Context, t Turn) error {
	res, err := e.step(ctx, t)
	if err != nil {
		e.log().Error("turn failed", "user", t.Input.User, "kind", t.Input.Kind, "err", err)
		if t.Input.Kind != conversation.DueInput {
			// Nobody started a scheduled turn: the scheduler retries it
			// instead of troubling the recipient.
			e.apologise(ctx, t)
		}
		return err
	}
	return e.Deliver(ctx, t, res.Effects)
}

func (e *Engine) step(ctx context.Context, t Turn) (conversation.Result, error) {
	key := storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: t.Input.User}
	env := conversation.Env{Platform: key.Platform, Team: t.Team, NewID: e.newID}
	if l, ok := t.Platform.(Locator); ok {
		env.Location = l.Location(ctx, t.Input.User)
	}
	if id, ok := t.Platform.(Identifier); ok {
		env.BotUser = id.BotUserID(ctx)
	}
	if t.Input.Kind == conversation.JoinInput {
		// Nobody's dialog: the bot was added to a channel, perhaps by
		// someone unknown. Nothing is saved; the turn may offer a set.
		sets, err := e.sets(ctx, t.Platform, t.Team, t.Input.Channel)
		if err != nil {
			return conversation.Result{}, err
		}
		env.Sets, env.Now = sets, e.now()
		return conversation.Step(env, conversation.Session{User: t.Input.User}, nil, t.Input), nil
	}
	if t.Input.Kind == conversation.ThreadInput {
		id, err := e.threadContract(ctx, key.Platform, t.Team, t.Input)
		if err != nil || id == "" {
			return conversation.Result{}, err // talk in some other thread
		}
		t.Input.Value = conversation.ActionValue{ContractID: id}.Encode()
	}
	for attempt := 1; ; attempt++ {
		snap, err := e.Store.Load(ctx, key, conversation.ContractOf(t.Input))
		if err != nil {
			return conversation.Result{}, fmt.Errorf("load turn: %w", err)
		}
		sess := conversation.Session{User: t.Input.User}
		if snap.Session != nil {
			if err := json.Unmarshal(snap.Session, &sess); err != nil {
				e.log().Warn("unreadable session, starting afresh", "user", t.Input.User, "err", err)
				sess = conversation.Session{User: t.Input.User}
			}
		}
		var c *contract.Contract
		if snap.Contract != nil {
			c = new(contract.Contract)
			if err := json.Unmarshal(snap.Contract, c); err != nil {
				return conversation.Result{}, fmt.Errorf("decode contract %s: %w", snap.ContractID, err)
			}
			c.Rev = snap.Rev
		}
		if conversation.NeedsList(sess, t.Input) {
			if env.Contracts, err = e.list(ctx, key); err != nil {
				return conversation.Result{}, err
			}
		}
		if conversation.NeedsSets(sess, t.Input) && env.Sets == nil {
			if env.Sets, err = e.sets(ctx, t.Platform, t.Team, t.Input.Channel); err != nil {
				return conversation.Result{}, err
			}
		}
		env.Now = e.now()
		res := conversation.Step(env, sess, c, t.Input)
		res.Session.UpdatedAt = env.Now
		sessJSON, err := json.Marshal(res.Session)
		if err != nil {
			return conversation.Result{}, fmt.Errorf("encode session: %w", err)
		}
		var w *storage.ContractWrite
		if res.Contract != nil {
			rev := res.Contract.Rev
			data, err := json.Marshal(res.Contract)
			if err != nil {
				return conversation.Result{}, fmt.Errorf("encode contract: %w", err)
			}
			w = &storage.ContractWrite{ID: res.Contract.ID, Data: data, Rev: rev, Users: partiesOf(key, res.Contract)}
		}
		err = e.Store.Save(ctx, key, sessJSON, res.Session.ContractID, w)
		if errors.Is(err, storage.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return conversation.Result{}, fmt.Errorf("save turn: %w", err)
		}
		if err := e.reschedule(ctx, key, c, res.Contract, t.Input, env.Contracts, env.Now); err != nil {
			return conversation.Result{}, err
		}
		return res, nil
	}
}

// reschedule brings a contract's due items in line with its plan after a
// turn: when the plan changed, or after a scheduled turn (whose own item was
// just claimed and must be put back when it is not finished). The
// approver's digest rides along with the plan's items. After a digest turn
// it schedules the approver's next digest instead; listed are the
// approver's contracts, which that turn loaded (conversation.NeedsList).
func (e *Engine) reschedule(ctx context.Context, key storage.UserKey, before, after *contract.Contract, in conversation.Input, listed []*contract.Contract, now time.Time) error {
	if e.Due == nil {
		return nil
	}
	if conversation.IsDigest(in) {
		return e.nextDigest(ctx, key, listed, now)
	}
	due := in.Kind == conversation.DueInput
	c := after
	if c == nil {
		if !due || before == nil {
			return nil
		}
		c = before
	}
	plan := c.Plan(now)
	if !due && before != nil && slices.Equal(before.Plan(now), plan) {
		return nil
	}
	planned := map[string]bool{}
	items := make([]storage.DueItem, 0, len(plan)+1)
	for _, d := range plan {
		planned[d.Key()] = true
		// d.At is a wall-clock time for the recipient: the item comes due
		// early enough for any zone and the scheduler holds it until then.
		it := dueitem.Item{Platform: key.Platform, Team: c.Team, Contract: c.ID, Kind: string(d.Kind), User: d.User,
			Local: d.At.Format(dueitem.LocalLayout)}
		items = append(items, it.Due(d.At.Add(-dueitem.Early)))
	}
	if c.InDigest() {
		d, ok, err := e.digest(ctx, dueitem.Digest(key.Platform, c.Team, c.Approver), now)
		if err != nil {
			return fmt.Errorf("schedule contract %s: %w", c.ID, err)
		}
		if ok {
			items = append(items, d)
		}
	}
	var cancel []string
	for _, k := range c.DueKeys() {
		if !planned[k] {
			cancel = append(cancel, dueitem.ID(c.ID, k))
		}
	}
	if len(items) > 0 {
		if err := e.Due.Schedule(ctx, items...); err != nil {
			return fmt.Errorf("schedule contract %s: %w", c.ID, err)
		}
	}
	if len(cancel) > 0 {
		if err := e.Due.Cancel(ctx, cancel...); err != nil {
			return fmt.Errorf("unschedule contract %s: %w", c.ID, err)
		}
	}
	return nil
}

// digest returns an approver's digest item as it should be at now, to
// schedule along with a contract's items: at the next digest time, which
// replaces the item with itself. While a digest that came due may still be
// waiting for the approver's working hours, it is that digest instead,
// unless someone took it already: then the item is left as it is (false).
func (e *Engine) digest(ctx context.Context, it dueitem.Item, now time.Time) (storage.DueItem, bool, error) {
	sched, err := dueitem.ParseDigestSchedule(e.DigestSpec)
	if err != nil {
		return storage.DueItem{}, false, err
	}
	at, pending := sched.Pending(now)
	if pending {
		name, ttl := sched.TakenLock(it, at)
		got, err := e.Due.Lock(ctx, name, ttl, now)
		if err != nil || !got {
			return storage.DueItem{}, false, err
		}
	}
	return it.Due(at), true, nil
}

// nextDigest schedules an approver's next digest after their digest
// turn, as long as they approve a contract under way. The digest just
// handled is marked taken, so a contract saved soon after does not bring
// it back.
func (e *Engine) nextDigest(ctx context.Context, key storage.UserKey, listed []*contract.Contract, now time.Time) error {
	approves := slices.ContainsFunc(listed, func(c *contract.Contract) bool {
		return c.Approver == key.User && c.InDigest()
	})
	if !approves {
		return nil
	}
	sched, err := dueitem.ParseDigestSchedule(e.DigestSpec)
	if err != nil {
		return fmt.Errorf("digest of %s: %w", key.User, err)
	}
	it := dueitem.Digest(key.Platform, key.Team, key.User)
	if at, pending := sched.Pending(now); pending {
		name, ttl := sched.TakenLock(it, at)
		if _, err := e.Due.Lock(ctx, name, ttl, now); err != nil {
			return fmt.Errorf("digest of %s: %w", key.User, err)
		}
	}
	if err := e.Due.Schedule(ctx, it.Due(sched.Next(now))); err != nil {
		return fmt.Errorf("digest of %s: %w", key.User, err)
	}
	return nil
}

func (e *Engine) list(ctx context.Context, key storage.UserKey) ([]*contract.Contract, error) {
	ids, err := e.Store.Contracts(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
	}
	out := make([]*contract.Contract, 0, len(ids))
	for _, id := range ids {
		data, rev, err := e.Store.Contract(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load contract %s: %w", id, err)
		}
		c := new(contract.Contract)
		if err := json.Unmarshal(data, c); err != nil {
			return nil, fmt.Errorf("decode contract %s: %w", id, err)
		}
		c.Rev = rev
		out = append(out, c)
	}
	return out, nil
}

func partiesOf(key storage.UserKey, c *contract.Contract) []storage.UserKey {
	var out []storage.UserKey
	for _, u := range c.Parties() {
		out = append(out, storage.UserKey{Platform: key.Platform, Team: key.Team, User: u})
	}
	return out
}

// Deliver carries out effects on the turn's platform. It keeps going past a
// failed effect so one bad send does not swallow the others, and returns the
// first error.
func (e *Engine) Deliver(ctx context.Context, t Turn, effects []conversation.Effect) error {
	var first error
	for _, ef := range effects {
		if err := e.deliver(ctx, t, ef); err != nil {
			e.log().Error("effect failed", "user", t.Input.User, "effect", fmt.Sprintf("%T", ef), "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

func (e *Engine) deliver(ctx context.Context, t Turn, ef conversation.Effect) error {
	p, in := t.Platform, t.Input
	switch ef := ef.(type) {
	case conversation.Reply:
		if in.Channel == "" || in.Kind == conversation.CommandInput || in.Kind == conversation.SubmitInput {
			_, err := p.SendDM(ctx, in.User, ef.Message)
			return err
		}
		_, err := p.Post(ctx, in.Channel, ef.Message)
		return err
	case conversation.Send:
		_, err := p.SendDM(ctx, ef.User, ef.Message)
		return err
	case conversation.Update:
		if ef.Ref.TS == "" {
			return nil
		}
		return p.Update(ctx, ef.Ref, ef.Message)
	case conversation.Ephemeral:
		if in.Channel == "" {
			_, err := p.SendDM(ctx, in.User, ef.Message)
			return err
		}
		err := p.Ephemeral(ctx, in.Channel, in.User, ef.Message)
		if err != nil {
			// The actor may not be in that channel (a forwarded card, a
			// crafted click): answer in their DM instead.
			e.log().Warn("ephemeral failed, answering in DM", "user", in.User, "err", err)
			_, err = p.SendDM(ctx, in.User, ef.Message)
		}
		return err
	case conversation.OpenModal:
		return p.OpenModal(ctx, ef.TriggerID, ef.Modal)
	case conversation.Post:
		return e.post(ctx, t, ef)
	case conversation.SetChange:
		return e.changeSet(ctx, p, t.Team, ef)
	default:
		return fmt.Errorf("unknown effect %T", ef)
	}
}

func (e *Engine) apologise(ctx context.Context, t Turn) {
	m := message.Message{
		Summary: "Something went wrong on my side",
		Blocks: []message.Block{message.Section{Text: message.T(
			"Sorry, something went wrong on my side and that last step was not saved. Nothing you wrote earlier is lost; please try again in a moment.")}},
	}
	if _, err := t.Platform.SendDM(ctx, t.Input.User, m); err != nil {
		e.log().Error("apology failed", "user", t.Input.User, "err", err)
	}
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) newID() string {
	if e.NewID != nil {
		return e.NewID()
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// Time returns the engine's current time, for adapters that must judge
// input the way the next turn will.
func (e *Engine) Time() time.Time { return e.now() }

package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/learnpact/learnpact/conversation/approverpolicy"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
	"github.com/learnpact/learnpact/storage"
)

// maxAttempts bounds how often a turn is retried after a concurrent change
// to its contract.
const maxAttempts = 5

// Planner keeps scheduled work in step with contracts. The engine asks it
// for the changes to due items a turn calls for once the turn is stepped,
// and saves them with the turn (storage.TurnWrite.Due) in one atomic step:
// a turn saves its contract and the work scheduled for it, or neither.
// Plan writes nothing; it is asked again when the turn is run again after
// a concurrent change. An error fails the turn before anything is saved.
// Package scheduler implements it.
type Planner interface {
	Plan(ctx context.Context, t TurnOutcome) (storage.DueChanges, error)
}

// TurnOutcome is what a turn did, for a Planner, before it is saved.
type TurnOutcome struct {
	// Platform is the turn's platform (Platform.Name) and Team its team.
	Platform string
	Team     string
	Input    conversation.Input
	// Before is the contract as the turn loaded it and After as it saves
	// it: After is nil when the turn did not change a contract, and both
	// are nil when the turn was about none.
	Before, After *contract.Contract
	// Contracts are the actor's contracts when the turn needed them
	// (conversation.NeedsList): for a digest, the approver's.
	Contracts []*contract.Contract
	// Now is the turn's time.
	Now time.Time
}

// Config is what an Engine is built from.
type Config struct {
	// Store keeps sessions and contracts; required.
	Store storage.Store
	// Docs keeps learning sets and the threads of shared drafts; learning
	// sets are unavailable when nil.
	Docs storage.Docs
	// Planner keeps each contract's scheduled work in step with it;
	// nothing is scheduled when nil.
	Planner Planner
	// Observer hears about turns and store failures, for metrics;
	// nothing when nil.
	Observer Observer
	// Erase deletes people's data (my-data and forget-me, retention);
	// those answer that they are unavailable when nil.
	Erase storage.Eraser
	// Library keeps the index of the library of past contracts; nothing
	// is found in it when nil.
	Library storage.Library
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID returns contract ids; random when nil.
	NewID func() string
	// Log is the engine's logger; slog.Default() when nil.
	Log *slog.Logger
	// ImpactDays are the impact check-backs of a contract completed in a
	// turn, in days after completion (conversation.Env.ImpactDays);
	// contract.DefaultImpactDays when nil.
	ImpactDays []int
	// Reports configures /contract report; without Reports.Contracts
	// everyone is told reports are unavailable.
	Reports Reports
	// Approvers is who may approve whose contracts (APPROVERS); anyone
	// when zero. A group policy needs platforms that are Groups.
	Approvers approverpolicy.Policy
	// Templates are the contract templates a draft may start from
	// (conversation.Env.Templates); drafts start blank when nil.
	Templates *template.Library
}

// Engine runs one conversation turn at a time per call; calls may run
// concurrently, and concurrent changes to one contract are resolved by
// optimistic versioning (the loser is re-run on the fresh contract).
type Engine struct {
	store   storage.Store
	docs    storage.Docs
	erase   storage.Eraser
	library storage.Library
	obs     Observer
	planner Planner
	clock   func() time.Time
	ids     func() string
	logger  *slog.Logger
	// impactDays is Config.ImpactDays.
	impactDays []int
	reports    Reports
	approve    approverpolicy.Policy
	templates  *template.Library
	// homes are the homes opened recently and being refreshed (see
	// refreshHomes).
	homes homes
}

// New checks cfg and returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("bot: no store")
	}
	e := &Engine{store: cfg.Store, docs: cfg.Docs, erase: cfg.Erase, library: cfg.Library, planner: cfg.Planner, clock: cfg.Now, ids: cfg.NewID, logger: cfg.Log,
		reports: cfg.Reports, impactDays: cfg.ImpactDays, approve: cfg.Approvers, templates: cfg.Templates}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.obs = cfg.Observer; e.obs == nil {
		e.obs = nopObserver{}
	}
	if e.ids == nil {
		e.ids = randomID
	}
	if e.logger == nil {
		e.logger = slog.Default()
	}
	return e, nil
}

// EventTTL is how long a platform event is remembered as applied (or, for
// a turn that saves nothing, as seen): longer than any platform keeps
// redelivering it (Slack's last retry comes about 6 minutes after the
// first delivery).
const EventTTL = time.Hour

// Turn describes one input on one platform.
type Turn struct {
	Platform Platform
	Team     string
	Input    conversation.Input
	// Event names the platform event the turn applies ("slack:Ev0123"),
	// so that a redelivery of it is not applied twice: it is saved as
	// applied with the turn (for EventTTL), and a turn that finds it
	// applied does nothing. A turn that saves nothing (the bot joining a
	// channel) records it with Store.FirstSeen instead. Empty when the
	// platform names none.
	Event string
	// Saved, when not nil, is called once, before the turn's effects are
	// carried out: with nil as soon as the turn is safe (it was saved, or
	// its event was applied already, or it has nothing to save), or with
	// the error that stopped it before it was saved. Adapters acknowledge
	// the platform event then, or refuse it on an error.
	Saved func(error)
	// Retries reports that the platform delivers the event again when it
	// is refused (Slack's Events API, before its last retry). A failure
	// before the save is then not apologised for: the next delivery runs
	// the turn again.
	Retries bool
}

// safe reports to the turn's Saved, if any.
func (t Turn) safe(err error) {
	if t.Saved != nil {
		t.Saved(err)
	}
}

// Handle runs a turn and carries out its effects. Errors that reach the
// caller are internal; the user has been told something friendly unless
// the platform delivers the event again (Turn.Retries) or the clock
// started the turn.
//
// With a Queuer platform, the messages the turn sends are saved with it
// and delivered from the outbox; the other effects (and all of them on
// other platforms) are carried out once the turn is saved.
func (e *Engine) Handle(ctx context.Context, t Turn) (err error) {
	ctx = e.withRequest(WithLane(ctx, LaneOf(t.Input)))
	start, outcome := time.Now(), "saved"
	defer func() {
		if err != nil && outcome == "saved" {
			outcome = "failed"
		}
		d := time.Since(start)
		e.obs.Turn(t.Platform.Name(), string(t.Input.Kind), outcome, d)
		e.log(ctx).Debug("turn", "platform", t.Platform.Name(), "kind", t.Input.Kind, "user", t.Input.User,
			"outcome", outcome, "duration_ms", d.Milliseconds())
	}()
	s, err := e.step(ctx, t)
	t.safe(err)
	if err != nil {
		e.log(ctx).Error("turn failed", "user", t.Input.User, "kind", t.Input.Kind, "err", err)
		if !clockStarted(t.Input) && !t.Retries {
			// Nobody started a scheduled turn or a confirmation: the
			// scheduler or the outbox retries it instead of troubling
			// the recipient.
			e.apologise(ctx, t)
		}
		return err
	}
	if s.applied {
		outcome = "applied"
		e.log(ctx).Debug("event applied already", "user", t.Input.User, "event", t.Event)
		return nil
	}
	if s.queued > 0 {
		t.Platform.(Queuer).Wake()
	}
	err = e.Deliver(ctx, t, s.direct)
	if t.Input.Kind == conversation.PostedInput {
		err = errors.Join(err, e.posted(ctx, t))
	}
	e.refreshHomes(ctx, t, s.home)
	return err
}

// saved is what step did.
type saved struct {
	// applied reports a turn whose event was applied already: it does
	// nothing more.
	applied bool
	// queued counts the messages saved in the outbox with the turn; direct
	// are the effects left to carry out.
	queued int
	direct []conversation.Effect
	// home is what the turn did to the contract it saved, for the homes
	// that show it (nil when it saved none).
	home *homeChange
}

// step loads, steps, plans and saves a turn, with its outgoing messages
// when the platform queues them and the changes to due items its Planner
// calls for.
func (e *Engine) step(ctx context.Context, t Turn) (saved, error) {
	key := storage.UserKey{Platform: t.Platform.Name(), Team: t.Team, User: t.Input.User}
	env := conversation.Env{Platform: key.Platform, Team: t.Team, NewID: e.newID, ImpactDays: e.impactDays, Templates: e.templates}
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
			return saved{}, err
		}
		env.Sets, env.Now = sets, e.now()
		res := conversation.Step(env, conversation.Session{User: t.Input.User}, nil, t.Input)
		if t.Event != "" {
			first, err := e.store.FirstSeen(ctx, t.Event, EventTTL)
			if err != nil {
				return saved{}, fmt.Errorf("record event: %w", err)
			}
			if !first {
				return saved{applied: true}, nil
			}
		}
		return saved{direct: res.Effects}, nil
	}
	if t.Input.Kind == conversation.ThreadInput {
		id, _, err := e.threadContract(ctx, key.Platform, t.Team, t.Input, t.Event)
		if err != nil || id == "" {
			// Talk in some other thread, or parked for the thread about
			// to be recorded: nothing more to do now.
			return saved{}, err
		}
		t.Input.Value = conversation.ActionValue{ContractID: id}.Encode()
	}
	if t.Input.Kind == conversation.PostedInput {
		if err := e.recordThread(ctx, key.Platform, t.Team, t.Input); err != nil {
			return saved{}, err
		}
	}
	var ttl time.Duration
	if t.Event != "" {
		ttl = EventTTL
	}
	for attempt := 1; ; attempt++ {
		snap, err := e.store.Load(ctx, key, conversation.ContractOf(t.Input), t.Event)
		if err != nil {
			e.obs.StoreError("load")
			return saved{}, fmt.Errorf("load turn: %w", err)
		}
		if snap.Applied {
			return saved{applied: true}, nil
		}
		sess := conversation.Session{User: t.Input.User}
		if snap.Session != nil {
			if err := json.Unmarshal(snap.Session, &sess); err != nil {
				e.log(ctx).Warn("unreadable session, starting afresh", "user", t.Input.User, "err", err)
				sess = conversation.Session{User: t.Input.User}
			}
		}
		var c *contract.Contract
		if snap.Contract != nil {
			c = new(contract.Contract)
			if err := json.Unmarshal(snap.Contract, c); err != nil {
				return saved{}, fmt.Errorf("decode contract %s: %w", snap.ContractID, err)
			}
			c.Rev = snap.Rev
		}
		switch {
		case conversation.NeedsHome(t.Input):
			// The same contracts a refreshed home shows.
			if env.Contracts, env.Older, err = e.latestOf(ctx, key, homeContracts); err != nil {
				return saved{}, err
			}
		case conversation.NeedsList(sess, t.Input):
			if env.Contracts, err = e.list(ctx, key); err != nil {
				return saved{}, err
			}
		}
		if conversation.NeedsHome(t.Input) {
			if env.Reviews, err = e.reviews(ctx, key); err != nil {
				return saved{}, err
			}
			env.Examples = e.homeExamples(ctx, key, env.Contracts)
		}
		if conversation.NeedsSets(sess, t.Input) && env.Sets == nil {
			if env.Sets, err = e.sets(ctx, t.Platform, t.Team, t.Input.Channel); err != nil {
				return saved{}, err
			}
		}
		if need, ok := conversation.NeedsExamples(sess, c, t.Input); ok {
			if env.Examples, err = e.examples(ctx, key.Platform, t.Team, need); err != nil {
				if need.NotBy == "" {
					return saved{}, err
				}
				// Examples offered while drafting never stand in its way.
				e.log(ctx).Warn("examples not offered", "user", t.Input.User, "err", err)
			}
		}
		env.Approvers = e.approve
		if h, ok := e.approve.Group(); ok && conversation.ChoosesApprover(sess, t.Input) {
			env.ApproverGroup = e.groupMembers(ctx, t.Platform, t.Team, h)
		}
		env.Now = e.now()
		res := conversation.Step(env, sess, c, t.Input)
		res.Session.UpdatedAt = env.Now
		sessJSON, err := json.Marshal(res.Session)
		if err != nil {
			return saved{}, fmt.Errorf("encode session: %w", err)
		}
		var w *storage.ContractWrite
		if res.Contract != nil {
			rev := res.Contract.Rev
			data, err := json.Marshal(res.Contract)
			if err != nil {
				return saved{}, fmt.Errorf("encode contract: %w", err)
			}
			w = &storage.ContractWrite{ID: res.Contract.ID, Data: data, Rev: rev, Users: partiesOf(key, res.Contract)}
		}
		due, err := e.plan(ctx, TurnOutcome{Platform: key.Platform, Team: t.Team, Input: t.Input,
			Before: c, After: res.Contract, Contracts: env.Contracts, Now: env.Now})
		if err != nil {
			return saved{}, err
		}
		if attempt == 1 {
			if err := e.notePosting(ctx, key.Platform, t.Team, sharedPosts(res.Effects)); err != nil {
				return saved{}, err
			}
		}
		out, direct := e.queue(ctx, t, res.Effects)
		err = e.store.Save(ctx, storage.TurnWrite{User: key, Session: sessJSON, CurrentContract: res.Session.ContractID, Contract: w,
			Event: t.Event, EventTTL: ttl, Out: out, Due: due})
		switch {
		case errors.Is(err, storage.ErrApplied):
			// A redelivery of the event, run elsewhere meanwhile.
			return saved{applied: true}, nil
		case errors.Is(err, storage.ErrConflict) && attempt < maxAttempts:
			e.obs.StoreRetry("save")
			continue
		case err != nil:
			if !errors.Is(err, storage.ErrConflict) {
				e.obs.StoreError("save")
			}
			return saved{}, fmt.Errorf("save turn: %w", err)
		}
		e.syncExample(ctx, key.Platform, t.Team, c, res.Contract)
		return saved{queued: len(out), direct: direct, home: changeOf(c, res.Contract)}, nil
	}
}

// plan asks the Planner, if any, for the changes to due items a turn
// calls for. A record of a delivery (a nudge's confirmation, a draft's
// post) never changes a plan: Plan moves on from queued and sent nudges
// alike.
func (e *Engine) plan(ctx context.Context, o TurnOutcome) (storage.DueChanges, error) {
	if e.planner == nil || recordsDelivery(o.Input) {
		return storage.DueChanges{}, nil
	}
	ch, err := e.planner.Plan(ctx, o)
	if err != nil {
		return storage.DueChanges{}, fmt.Errorf("plan turn: %w", err)
	}
	return ch, nil
}

// queue encodes the effects the turn's platform queues (see Queuer) as
// outbox items to save with the turn, and returns them and the effects
// left to carry out after the save. An effect that cannot be encoded is
// logged and carried out directly, which reports its own failure.
func (e *Engine) queue(ctx context.Context, t Turn, effects []conversation.Effect) ([]storage.DueItem, []conversation.Effect) {
	q, ok := t.Platform.(Queuer)
	if !ok {
		return nil, effects
	}
	var (
		out    []storage.DueItem
		direct []conversation.Effect
	)
	for _, ef := range effects {
		ef = resolve(t.Input, ef)
		it, ok, err := q.Queue(ctx, t, ef)
		if err != nil {
			e.log(ctx).Error("message not queued, sending it after the save", "user", t.Input.User, "effect", fmt.Sprintf("%T", ef), "err", err)
		}
		if !ok || err != nil {
			direct = append(direct, ef)
			continue
		}
		out = append(out, it)
	}
	return out, direct
}

// resolve turns a Reply, and an Ephemeral in a DM, into the Send or Post
// it stands for: the actor's DM for text, commands and form submissions,
// else the channel they spoke in. A reply to text said in public (a
// mention in a channel) is for the actor alone, as a slash command's is.
func resolve(in conversation.Input, ef conversation.Effect) conversation.Effect {
	switch ef := ef.(type) {
	case conversation.Reply:
		if in.Public && in.Channel != "" {
			return conversation.Ephemeral(ef)
		}
		if in.Channel == "" || in.Kind == conversation.CommandInput || in.Kind == conversation.SubmitInput {
			return conversation.Send{User: in.User, Message: ef.Message}
		}
		return conversation.Post{Channel: in.Channel, Message: ef.Message}
	case conversation.Ephemeral:
		if in.Channel == "" {
			return conversation.Send{User: in.User, Message: ef.Message}
		}
	}
	return ef
}

func (e *Engine) list(ctx context.Context, key storage.UserKey) ([]*contract.Contract, error) {
	return e.latest(ctx, key, 0)
}

func partiesOf(key storage.UserKey, c *contract.Contract) []storage.UserKey {
	var out []storage.UserKey
	for _, u := range c.Parties() {
		out = append(out, storage.UserKey{Platform: key.Platform, Team: key.Team, User: u})
	}
	return out
}

// Deliver carries out effects on the turn's platform, in the lane of the
// turn's input. It keeps going past a failed effect so one bad send does
// not swallow the others, and returns the first error.
func (e *Engine) Deliver(ctx context.Context, t Turn, effects []conversation.Effect) error {
	ctx = WithLane(ctx, LaneOf(t.Input))
	var first error
	for _, ef := range effects {
		if err := e.deliver(ctx, t, resolve(t.Input, ef)); err != nil {
			e.log(ctx).Error("effect failed", "user", t.Input.User, "effect", fmt.Sprintf("%T", ef), "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// deliver carries out one resolved effect (see resolve).
func (e *Engine) deliver(ctx context.Context, t Turn, ef conversation.Effect) error {
	p, in := t.Platform, t.Input
	switch ef := ef.(type) {
	case conversation.Send:
		if _, err := p.SendDM(ctx, ef.User, ef.Message); err != nil {
			return err
		}
		return e.confirm(ctx, t, ef.Nudge)
	case conversation.Update:
		if !ef.Ref.Known() {
			return nil
		}
		return p.Update(ctx, ef.Ref, ef.Message)
	case conversation.Ephemeral:
		err := p.Ephemeral(ctx, in.Channel, in.User, ef.Message)
		if err != nil {
			// The actor may not be in that channel (a forwarded card, a
			// crafted click): answer in their DM instead.
			e.log(ctx).Warn("ephemeral failed, answering in DM", "user", in.User, "err", err)
			_, err = p.SendDM(ctx, in.User, ef.Message)
		}
		return err
	case conversation.OpenModal:
		return p.OpenModal(ctx, ef.TriggerID, ef.Modal)
	case conversation.Post:
		return e.post(ctx, t, ef)
	case conversation.SetChange:
		if err := e.changeSet(ctx, p, t.Team, ef); err != nil {
			return err
		}
		if ef.Create != nil {
			e.refreshMembers(ctx, t, ef.Channel)
		}
		return nil
	case conversation.ExportData:
		return e.exportData(ctx, t, ef)
	case conversation.Forget:
		return e.forget(ctx, t, ef)
	case conversation.Export:
		return e.export(ctx, t, ef)
	case conversation.ReportRequest:
		return e.report(ctx, t, ef)
	case conversation.PublishHome:
		if h, ok := p.(HomePublisher); ok {
			key := storage.UserKey{Platform: p.Name(), Team: t.Team, User: ef.User}
			e.openedHome(ctx, key)
			// Best effort: a failure is logged; the tab is published
			// afresh when opened again.
			e.publishHome(ctx, p, h, key, &ef.View)
		}
		return nil
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
	send := t.Platform.SendDM
	if d, ok := t.Platform.(Direct); ok {
		// Not through an outbox: it is in the store that just failed.
		send = d.SendDMNow
	}
	if _, err := send(ctx, t.Input.User, m); err != nil {
		e.log(ctx).Error("apology failed", "user", t.Input.User, "err", err)
	}
}

func (e *Engine) now() time.Time { return e.clock() }

func (e *Engine) newID() string { return e.ids() }

func randomID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Time returns the engine's current time, for adapters that must judge
// input the way the next turn will.
func (e *Engine) Time() time.Time { return e.now() }

// FirstSeen records a platform event id and reports whether this is the
// first time it was seen within ttl, so adapters drop retried deliveries.
func (e *Engine) FirstSeen(ctx context.Context, eventID string, ttl time.Duration) (bool, error) {
	return e.store.FirstSeen(ctx, eventID, ttl)
}

// groupMembers reads the members of a user group on the platform: nil,
// logged, when the platform cannot tell.
func (e *Engine) groupMembers(ctx context.Context, p Platform, team, handle string) []string {
	g, ok := p.(Groups)
	if !ok {
		e.log(ctx).Warn("APPROVERS names a group, and the platform cannot list groups", "platform", p.Name(), "group", handle)
		return nil
	}
	members, err := g.GroupMembers(ctx, team, handle)
	if err != nil {
		e.log(ctx).Warn("cannot read the approver group", "platform", p.Name(), "group", handle, "err", err)
		return nil
	}
	if members == nil {
		members = []string{}
	}
	return members
}

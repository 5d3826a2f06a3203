package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// The outbox makes a turn's messages durable. With Config.Outbox set, the
// engine asks Queue for each message a turn sends (a card to a person's
// chat, to a conversation or a channel thread, the update of a card after
// a decision, a shared draft), saves it with the turn in the store's Teams
// outbox, and calls Wake; RunOutbox (or FlushOutbox, or Shutdown) delivers
// it through the platform-neutral drain (bot/outbox), which keeps replies
// first and each conversation in order, and marks delivered messages done
// in batches. This file is what is Teams' own: the stored message (job),
// the connector calls that send it (sender), and what the connector's
// errors mean (classify). Microsoft's limits are in limits.go.
//
// A conversation is a chat, a channel with its threads, or a person's
// chat by its id once the bot knows it ("@USER" before). The connector
// retries transport errors and 5xx a few times within one call, but not a
// 429 of the outbox's own: the drain waits out its Retry-After. A shared
// draft's activity id is recorded by a turn of its own once the connector
// took it (bot.Posting).

// maxDeliveryAttempts bounds the failed calls (not 429s) of one message:
// with the drain's backoff, about half an hour of failures.
const maxDeliveryAttempts = 12

// Operations of a queued job.
const (
	opSend   = "send"   // post an activity into a conversation, or a person's chat
	opUpdate = "update" // replace an activity
)

// job is a message waiting in the outbox: the Data of its storage.DueItem.
type job struct {
	outbox.Head
	Op string `json:"op"`
	// Conversation is where it goes: a conversation id, or a channel
	// thread ("19:…;messageid=ID"). Empty for a person's chat, by User.
	To   string `json:"conversation,omitempty"`
	User string `json:"user,omitempty"`
	// ActivityID is the activity an update replaces.
	ActivityID string `json:"activityId,omitempty"`
	// Activity is the rendered activity (Adaptive Card attachments).
	Activity json.RawMessage `json:"activity"`
}

// Header implements outbox.Job.
func (j *job) Header() *outbox.Head { return &j.Head }

// Conversation implements outbox.Job: the conversation (a channel
// without its thread), or "@USER" for a person's chat.
func (j *job) Conversation() string {
	if j.To != "" {
		base, _ := baseConversation(j.To)
		return base
	}
	return "@" + j.User
}

// Check reports a job that cannot be delivered.
func (j *job) Check() error {
	switch {
	case j.Op != opSend && j.Op != opUpdate:
		return fmt.Errorf("unknown operation %q", j.Op)
	case j.To == "" && (j.User == "" || j.Op == opUpdate):
		return errors.New("no conversation or user")
	case j.Op == opUpdate && j.ActivityID == "":
		return errors.New("no activity to update")
	case len(j.Activity) == 0:
		return errors.New("no activity")
	}
	return nil
}

var _ bot.Queuer = (*Adapter)(nil)

// Queue implements bot.Queuer. With an outbox it queues what SendDM, Post,
// PostThread, Update and Ephemeral would send, and shared drafts. Forms
// are carried out directly after the save.
func (a *Adapter) Queue(ctx context.Context, t bot.Turn, ef conversation.Effect) (storage.DueItem, bool, error) {
	if a.out == nil {
		return storage.DueItem{}, false, nil
	}
	var (
		j *job
		m message.Message
	)
	switch ef := ef.(type) {
	case conversation.Send:
		j, m = &job{Op: opSend, User: ef.User}, ef.Message
		j.Nudge = ef.Nudge
	case conversation.Ephemeral:
		// Teams has no ephemeral messages: it goes to the person's chat.
		j, m = &job{Op: opSend, User: t.Input.User}, ef.Message
	case conversation.Post:
		conv := ef.Channel
		if ef.Thread != "" {
			base, _ := baseConversation(conv)
			conv = base + ";messageid=" + ef.Thread
		}
		j, m = &job{Op: opSend, To: conv}, ef.Message
		if ef.Thread == "" {
			j.Shared = ef.Shared
		}
	case conversation.Update:
		if ef.Ref.Channel == "" || ef.Ref.TS == "" {
			return storage.DueItem{}, false, nil
		}
		j, m = &job{Op: opUpdate, To: ef.Ref.Channel, ActivityID: ef.Ref.TS}, ef.Message
	default:
		return storage.DueItem{}, false, nil
	}
	if j.Nudge != nil || j.Shared != nil {
		j.Team = t.Team // to record it once the connector took it
	}
	act := a.activityFor(m)
	if j.Op == opUpdate {
		act.ID = j.ActivityID
	}
	var err error
	if j.Activity, err = json.Marshal(act); err != nil {
		return storage.DueItem{}, false, fmt.Errorf("teams: encode activity: %w", err)
	}
	j.Lane = bot.LaneFrom(ctx).String()
	it, err := a.out.Item(j)
	if err != nil {
		return storage.DueItem{}, false, err
	}
	return it, true, nil
}

// Wake implements bot.Queuer: the outbox looks for messages at once.
func (a *Adapter) Wake() {
	if a.out != nil {
		a.out.Wake()
	}
}

// RunOutbox delivers queued messages until ctx ends or Shutdown is called
// (see outbox.Drain.Run). Call it once, on a goroutine of its own, when
// Config.Outbox is set.
func (a *Adapter) RunOutbox(ctx context.Context) error {
	if a.out == nil {
		return errors.New("teams: no outbox configured")
	}
	return a.out.Run(ctx)
}

// FlushOutbox claims the queued messages due now, delivers what the limits
// let go now, and returns how many it delivered. The rest wait for a later
// flush or RunOutbox. Without an outbox it does nothing.
func (a *Adapter) FlushOutbox(ctx context.Context) (int, error) {
	if a.out == nil {
		return 0, nil
	}
	return a.out.Flush(ctx)
}

// newDrain is the drain of the adapter's outbox.
func (a *Adapter) newDrain(store storage.DueStore, now func() time.Time) (*outbox.Drain, error) {
	return outbox.New(outbox.Config{
		Name: "teams", Store: store, Sender: sender{a}, Limiter: newLimiter(),
		Platform: a, Handle: func(ctx context.Context, t bot.Turn) error { return a.handle(ctx, t) },
		Now: now, Log: a.log, MaxAttempts: maxDeliveryAttempts,
	})
}

// sender is the Teams side of the drain (outbox.Sender).
type sender struct{ a *Adapter }

// Decode implements outbox.Sender.
func (sender) Decode(data []byte) (outbox.Job, error) { return outbox.Decode(data, new(job)) }

// Key implements outbox.Sender: a person's chat by its id once the bot
// has one.
func (s sender) Key(ctx context.Context, oj outbox.Job) string {
	j := oj.(*job)
	if j.To == "" {
		if ref, ok := s.a.lookup(ctx, userKey(j.User)); ok && ref.Conversation.ID != "" {
			return ref.Conversation.ID
		}
	}
	return j.Conversation()
}

// Next implements outbox.Sender: every call spends the conversation's
// limits and the app's (limits.go).
func (s sender) Next(ctx context.Context, oj outbox.Job) outbox.Call {
	return outbox.Call{Method: opSend, Channel: s.Key(ctx, oj)}
}

// Send implements outbox.Sender: it makes the job's connector call. A
// 429 comes back at once, for the drain to wait out.
func (s sender) Send(ctx context.Context, oj outbox.Job, _ outbox.Call) (outbox.Sent, error) {
	j := oj.(*job)
	ctx = withoutRateRetry(ctx)
	a := s.a
	conv := j.To
	if conv == "" {
		var err error
		if conv, err = a.personalChat(ctx, j.User); err != nil {
			return outbox.Sent{}, err
		}
	}
	if j.Op == opUpdate {
		target := conversationURL(a.serviceOf(a.convRef(ctx, conv)), conv, "activities", j.ActivityID)
		return outbox.Sent{}, a.conn.call(ctx, http.MethodPut, target, j.Activity, nil)
	}
	to, err := a.sendable(ctx, conv)
	if err != nil {
		return outbox.Sent{}, err
	}
	var res schema.ResourceResponse
	if err := a.conn.call(ctx, http.MethodPost, conversationURL(a.serviceOf(to), conv, "activities"), j.Activity, &res); err != nil {
		return outbox.Sent{}, err
	}
	return outbox.Sent{Ref: conversation.MessageRef{Channel: conv, TS: res.ID}}, nil
}

// Classify implements outbox.Sender.
func (sender) Classify(err error) (outbox.Outcome, time.Duration) { return classify(err) }

// errNoChat marks a message to a person the bot has no chat with and
// cannot start one with (no tenant known).
var errNoChat = errors.New("teams: no chat with this person and none can be started")

// classify says what err means for the message, and a 429's Retry-After.
func classify(err error) (outbox.Outcome, time.Duration) {
	var ae *apiError
	switch {
	case errors.Is(err, errRemoved), errors.Is(err, errNoChat):
		return outbox.Permanent, 0
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return outbox.RateLimited, ae.RetryAfter
	case errors.As(err, &ae) && (ae.Status >= 500 || ae.Status == http.StatusRequestTimeout ||
		ae.Status == http.StatusPreconditionFailed || ae.Status == http.StatusUnauthorized):
		return outbox.Retryable, 0
	case errors.As(err, &ae):
		// 400 bad request, 403 (the bot is no longer in the
		// conversation), 404 (conversation not found): asking again
		// cannot help.
		return outbox.Permanent, 0
	}
	return outbox.Retryable, 0 // network errors, a token that could not be had
}

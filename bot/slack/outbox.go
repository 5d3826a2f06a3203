package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/conversation/message"
)

// The outbox makes SendDM, Post, PostThread and Update durable. With
// Config.Outbox set they render the message, queue it in the store and
// return at once (a turn's messages are saved with the turn: see
// queue.go); RunOutbox (or FlushOutbox, or Shutdown) delivers it through
// the platform-neutral drain (bot/outbox), which keeps replies first and
// each conversation in order. This file is what is Slack's own: the
// stored message (job), the calls that send it (sender), and what Slack's
// errors mean (classify). Slack's rate limits are in limiter.go.
//
// A conversation is a channel, or "@USER" for a DM to a user whose DM
// channel the process does not know yet: such a message first opens it
// (conversations.open, a call of its own within its Tier 3 budget), and
// then goes to the DM channel, in order with what was queued there.

// maxDeliveryAttempts is how many failed calls (5xx, network errors) a
// message gets: with the drain's backoff, about an hour of failures.
const maxDeliveryAttempts = 20

// job is a message waiting in the outbox: the Data of its storage.DueItem.
type job struct {
	outbox.Head
	Method   string `json:"method"` // chat.postMessage or chat.update
	Channel  string `json:"channel,omitempty"`
	User     string `json:"user,omitempty"` // a DM's recipient, when Channel is empty
	TS       string `json:"ts,omitempty"`   // the message chat.update replaces
	ThreadTS string `json:"thread_ts,omitempty"`
	Text     string `json:"text"`
	// Blocks is the rendered Block Kit array.
	Blocks json.RawMessage `json:"blocks"`
}

// Header implements outbox.Job.
func (j *job) Header() *outbox.Head { return &j.Head }

// Conversation implements outbox.Job: the channel, or "@USER" for a DM.
func (j *job) Conversation() string {
	if j.Channel != "" {
		return j.Channel
	}
	return "@" + j.User
}

// Check reports a job that cannot be sent.
func (j *job) Check() error {
	switch {
	case j.Method != methodPost && j.Method != methodUpdate:
		return fmt.Errorf("unknown method %q", j.Method)
	case j.Channel == "" && (j.User == "" || j.Method == methodUpdate):
		return errors.New("no channel or user")
	case j.Method == methodUpdate && j.TS == "":
		return errors.New("no message to update")
	case !isArray(j.Blocks):
		return errors.New("blocks: not a JSON array")
	}
	return nil
}

// isArray reports JSON (valid already) that is an array.
func isArray(raw json.RawMessage) bool {
	for _, b := range raw {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b == '['
	}
	return false
}

// rawBlock is a Block Kit block rendered already; it is sent as it is.
type rawBlock json.RawMessage

func (b rawBlock) BlockType() slackapi.MessageBlockType { return "" }
func (b rawBlock) ID() string                           { return "" }
func (b rawBlock) MarshalJSON() ([]byte, error)         { return b, nil }

// blocks splits the job's rendered Block Kit array into its blocks.
func (j *job) blocks() ([]slackapi.Block, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(j.Blocks, &raw); err != nil {
		return nil, fmt.Errorf("blocks: %w", err)
	}
	out := make([]slackapi.Block, len(raw))
	for i, b := range raw {
		out[i] = rawBlock(b)
	}
	return out, nil
}

// sender is the Slack side of the drain (outbox.Sender).
type sender struct{ a *Adapter }

// Decode implements outbox.Sender.
func (sender) Decode(data []byte) (outbox.Job, error) { return outbox.Decode(data, new(job)) }

// Key implements outbox.Sender: the channel, the user's DM channel when
// known, or "@USER".
func (s sender) Key(_ context.Context, oj outbox.Job) string {
	j := oj.(*job)
	if j.Channel == "" {
		if ch := s.a.knownIM(j.User); ch != "" {
			return ch
		}
	}
	return j.Conversation()
}

// Next implements outbox.Sender: the job's method, to its channel; to a
// user whose DM channel is not known yet, conversations.open.
func (s sender) Next(_ context.Context, oj outbox.Job) outbox.Call {
	j := oj.(*job)
	channel := j.Channel
	if channel == "" {
		if channel = s.a.knownIM(j.User); channel == "" {
			return outbox.Call{Method: methodOpen}
		}
	}
	return outbox.Call{Method: j.Method, Channel: channel}
}

// Send implements outbox.Sender.
func (s sender) Send(ctx context.Context, oj outbox.Job, c outbox.Call) (outbox.Sent, error) {
	j := oj.(*job)
	if c.Method == methodOpen {
		_, err := s.openDM(ctx, j.User)
		return outbox.Sent{More: true}, err
	}
	blocks, err := j.blocks()
	if err != nil {
		return outbox.Sent{}, fmt.Errorf("slack %s: %w", j.Method, err)
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionText(j.Text, false)}
	if j.ThreadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(j.ThreadTS))
	}
	var ref outbox.Sent
	if j.Method == methodUpdate {
		ref.Ref.Channel, ref.Ref.TS, _, err = s.a.api.UpdateMessageContext(ctx, c.Channel, j.TS, opts...)
	} else {
		ref.Ref.Channel, ref.Ref.TS, err = s.a.api.PostMessageContext(ctx, c.Channel, opts...)
	}
	if err != nil {
		return outbox.Sent{}, fmt.Errorf("slack %s: %w", j.Method, err)
	}
	if ref.Ref.Channel == "" {
		ref.Ref.Channel = c.Channel
	}
	return ref, nil
}

// openDM opens the user's DM channel and remembers it.
func (s sender) openDM(ctx context.Context, user string) (string, error) {
	c, _, _, err := s.a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("slack %s: %w", methodOpen, err)
	}
	if c == nil || c.ID == "" {
		return "", fmt.Errorf("slack %s: no channel in the answer", methodOpen)
	}
	s.a.rememberIM(user, c.ID)
	return c.ID, nil
}

// Classify implements outbox.Sender.
func (sender) Classify(err error) (outbox.Outcome, time.Duration) { return classify(err) }

// transientErrors are Slack error codes that may clear up: Slack's own
// trouble, or a token an operator can fix.
var transientErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "team_added_to_org": true,
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true,
}

// classify says what err means for the message, and the Retry-After of a
// 429.
func classify(err error) (outbox.Outcome, time.Duration) {
	var limited *slackapi.RateLimitedError
	if errors.As(err, &limited) {
		return outbox.RateLimited, limited.RetryAfter
	}
	var status slackapi.StatusCodeError
	if errors.As(err, &status) {
		switch {
		case status.Code == http.StatusTooManyRequests:
			return outbox.RateLimited, 0
		case status.Code >= 500 || status.Code == http.StatusRequestTimeout:
			return outbox.Retryable, 0
		}
		return outbox.Permanent, 0
	}
	var slackErr slackapi.SlackErrorResponse
	if errors.As(err, &slackErr) {
		switch {
		case slackErr.Err == "ratelimited":
			return outbox.RateLimited, 0
		case transientErrors[slackErr.Err]:
			return outbox.Retryable, 0
		}
		return outbox.Permanent, 0
	}
	return outbox.Retryable, 0 // network and other errors
}

// queue renders m into j and puts it in the outbox, due now, in the lane
// ctx carries.
func (a *Adapter) queue(ctx context.Context, j *job, m message.Message) error {
	if err := a.encode(ctx, j, m); err != nil {
		return err
	}
	return a.out.Enqueue(ctx, j)
}

// RunOutbox delivers queued messages until ctx ends or Shutdown is called
// (see outbox.Drain.Run). Call it once, on a goroutine of its own, when
// Config.Outbox is set.
func (a *Adapter) RunOutbox(ctx context.Context) error {
	if a.out == nil {
		return errors.New("slack: no outbox configured")
	}
	return a.out.Run(ctx)
}

// FlushOutbox claims the queued messages that are due now and delivers
// what the rate limits let go now, and returns how many it delivered. The
// rest wait for a later flush or RunOutbox. Without an outbox it does
// nothing.
func (a *Adapter) FlushOutbox(ctx context.Context) (int, error) {
	if a.out == nil {
		return 0, nil
	}
	return a.out.Flush(ctx)
}

// newDrain is the drain of the adapter's outbox.
func (a *Adapter) newDrain(cfg Config) (*outbox.Drain, error) {
	return outbox.New(a.drainConfig(cfg))
}

// drainConfig is what the drain of the adapter's outbox is built from.
func (a *Adapter) drainConfig(cfg Config) outbox.Config {
	return outbox.Config{
		Name: "slack", Store: cfg.Outbox, Sender: sender{a}, Limiter: newLimiterFor(cfg.MessagesPerMinute),
		Platform: a, Handle: func(ctx context.Context, t bot.Turn) error { return a.handle(ctx, t) },
		Now: cfg.Now, Log: a.log, MaxAttempts: maxDeliveryAttempts,
	}
}

// knownIM returns the user's DM channel if it was opened already.
func (a *Adapter) knownIM(user string) string {
	a.imMu.Lock()
	e := a.ims[user]
	a.imMu.Unlock()
	if e == nil {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.channel
}

// rememberIM records the user's DM channel.
func (a *Adapter) rememberIM(user, channel string) {
	a.imMu.Lock()
	e := a.ims[user]
	if e == nil {
		e = &imEntry{}
		a.ims[user] = e
	}
	a.imMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.channel = channel
}

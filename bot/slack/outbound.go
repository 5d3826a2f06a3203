package slack

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// slackAPI is the part of the Web API the adapter calls.
type slackAPI interface {
	AuthTestContext(ctx context.Context) (*slackapi.AuthTestResponse, error)
	OpenConversationContext(ctx context.Context, params *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error)
	PostMessageContext(ctx context.Context, channel string, options ...slackapi.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channel, ts string, options ...slackapi.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channel, user string, options ...slackapi.MsgOption) (string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slackapi.ModalViewRequest) (*slackapi.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slackapi.PublishViewContextRequest) (*slackapi.ViewResponse, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slackapi.GetUserInfoOption) (*slackapi.User, error)
	GetConversationInfoContext(ctx context.Context, input *slackapi.GetConversationInfoInput) (*slackapi.Channel, error)
	GetUsersInConversationContext(ctx context.Context, params *slackapi.GetUsersInConversationParameters) ([]string, string, error)
	UploadFileContext(ctx context.Context, params slackapi.UploadFileParameters) (*slackapi.FileSummary, error)
	GetUserGroupsContext(ctx context.Context, options ...slackapi.GetUserGroupsOption) ([]slackapi.UserGroup, error)
}

// maxRateLimitRetries bounds how often one call is retried after a 429.
const maxRateLimitRetries = 3

// retry runs call, waiting out Slack's Retry-After and trying again when it
// is rate limited.
func (a *Adapter) retry(ctx context.Context, method string, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		var limited *slackapi.RateLimitedError
		if !errors.As(err, &limited) || attempt == maxRateLimitRetries {
			return fmt.Errorf("slack %s: %w", method, err)
		}
		wait := max(limited.RetryAfter, a.minRetryWait)
		a.log.Warn("rate limited", "method", method, "retry_after", wait, "attempt", attempt+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("slack %s: waiting out rate limit: %w", method, ctx.Err())
		case <-t.C:
		}
	}
}

// messageOptions renders m for chat.postMessage, chat.update and
// chat.postEphemeral.
func (a *Adapter) messageOptions(m message.Message) []slackapi.MsgOption {
	blocks, text, problems := render(m)
	for _, p := range problems {
		a.log.Warn("message rendered without some content", "problem", p)
	}
	return []slackapi.MsgOption{slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionText(text, false)}
}

// SendDM implements bot.Platform. With an outbox it queues the message and
// returns an empty MessageRef.
func (a *Adapter) SendDM(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	if a.out != nil {
		return conversation.MessageRef{}, a.queue(ctx, &job{Method: methodPost, User: user}, m)
	}
	channel, err := a.imChannel(ctx, user)
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return a.Post(ctx, channel, m)
}

// imChannel returns the bot's DM channel with user, opening it once.
func (a *Adapter) imChannel(ctx context.Context, user string) (string, error) {
	a.imMu.Lock()
	e := a.ims[user]
	if e == nil {
		e = &imEntry{}
		a.ims[user] = e
	}
	a.imMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.channel != "" {
		return e.channel, nil
	}
	var c *slackapi.Channel
	err := a.retry(ctx, "conversations.open", func() (err error) {
		c, _, _, err = a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return "", err
	}
	if c == nil || c.ID == "" {
		return "", errors.New("slack conversations.open: no channel in the answer")
	}
	e.channel = c.ID
	return c.ID, nil
}

// imEntry is one user's DM channel; its lock makes concurrent sends to a
// new user open the channel once.
type imEntry struct {
	mu      sync.Mutex
	channel string
}

// Post implements bot.Platform. With an outbox it queues the message and
// returns an empty MessageRef.
func (a *Adapter) Post(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	if a.out != nil {
		return conversation.MessageRef{}, a.queue(ctx, &job{Method: methodPost, Channel: channel}, m)
	}
	return a.PostNow(ctx, channel, m)
}

// PostNow implements bot.Publisher: it posts at once, past the outbox, and
// returns where the message went.
func (a *Adapter) PostNow(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	opts := a.messageOptions(m)
	var ref conversation.MessageRef
	err := a.retry(ctx, "chat.postMessage", func() (err error) {
		ref.Channel, ref.TS, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return ref, nil
}

// PostThread implements bot.Threader: it replies in the thread under root,
// in root's channel. With an outbox it queues the reply, like Post, and
// returns an empty MessageRef.
func (a *Adapter) PostThread(ctx context.Context, root conversation.MessageRef, m message.Message) (conversation.MessageRef, error) {
	if root.Channel == "" || root.TS == "" {
		return conversation.MessageRef{}, errors.New("slack: thread reply without a root message")
	}
	if a.out != nil {
		return conversation.MessageRef{}, a.queue(ctx, &job{Method: methodPost, Channel: root.Channel, ThreadTS: root.TS}, m)
	}
	opts := append(a.messageOptions(m), slackapi.MsgOptionTS(root.TS))
	var ref conversation.MessageRef
	err := a.retry(ctx, "chat.postMessage", func() (err error) {
		ref.Channel, ref.TS, err = a.api.PostMessageContext(ctx, root.Channel, opts...)
		return err
	})
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return ref, nil
}

// Update implements bot.Platform. With an outbox it queues the change.
func (a *Adapter) Update(ctx context.Context, ref conversation.MessageRef, m message.Message) error {
	if ref.TS == "" && ref.ReplaceURL != "" {
		return a.replace(ctx, ref.ReplaceURL, m)
	}
	if a.out != nil {
		return a.queue(ctx, &job{Method: methodUpdate, Channel: ref.Channel, TS: ref.TS}, m)
	}
	opts := a.messageOptions(m)
	return a.retry(ctx, "chat.update", func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, ref.Channel, ref.TS, opts...)
		return err
	})
}

// replace replaces a message only one person sees through its
// response_url (valid for 30 minutes), at once: an outbox could not keep
// it longer than that.
func (a *Adapter) replace(ctx context.Context, url string, m message.Message) error {
	blocks, text, problems := render(m)
	for _, p := range problems {
		a.log.Warn("message rendered without some content", "problem", p)
	}
	msg := &slackapi.WebhookMessage{Text: text, Blocks: &slackapi.Blocks{BlockSet: blocks}, ReplaceOriginal: true}
	return a.retry(ctx, "response_url", func() error {
		return slackapi.PostWebhookCustomHTTPContext(ctx, url, a.client, msg)
	})
}

// Ephemeral implements bot.Platform.
func (a *Adapter) Ephemeral(ctx context.Context, channel, user string, m message.Message) error {
	opts := a.messageOptions(m)
	return a.retry(ctx, "chat.postEphemeral", func() error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// OpenModal implements bot.Platform.
func (a *Adapter) OpenModal(ctx context.Context, triggerID string, m message.Modal) error {
	view, problems := renderModal(m)
	for _, p := range problems {
		a.log.Warn("modal rendered without some content", "problem", p)
	}
	return a.retry(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
}

// BotUserID returns the bot's own user id (from auth.test), or "" while it
// is not known yet. It does not wait for auth.test.
func (a *Adapter) BotUserID(context.Context) string { return a.identity().user }

// PublishHome implements bot.HomePublisher: it publishes m as user's App
// Home tab (views.publish), past the outbox: a home shows the latest state
// and a newer one replaces it, so a failed publish is not worth keeping.
func (a *Adapter) PublishHome(ctx context.Context, user string, m message.Message) error {
	view, problems := renderHome(m)
	for _, p := range problems {
		a.log.Warn("home rendered without some content", "problem", p)
	}
	// One attempt: a home is refreshed after the turn, on the worker of
	// the person whose turn it was, and waiting out a Retry-After there
	// would hold up their next message. A home not refreshed is drawn
	// afresh the next time it is opened.
	if _, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		return fmt.Errorf("slack views.publish: %w", err)
	}
	return nil
}

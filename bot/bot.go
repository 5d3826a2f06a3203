// Package bot runs conversation turns: it loads the session and contract,
// calls conversation.Step, saves both atomically, tells its Planner what
// the turn did, and carries out the effects through a Platform. New builds
// the Engine with all it needs.
//
// Adapters (bot/slack, bot/teams) turn platform events into
// conversation.Input and implement Platform. Package scheduler implements
// Planner (keeping each contract's scheduled work in step with it) and
// starts the turns the clock brings (conversation.DueInput) through the
// same Engine; bot imports neither.
package bot

import (
	"context"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// Platform is what the engine needs from a chat platform.
type Platform interface {
	// Name is the platform's key in storage ("slack", "teams").
	Name() string
	// SendDM sends a message to a user's direct conversation with the bot.
	SendDM(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error)
	// Post sends a message to a channel or conversation.
	Post(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error)
	// Update replaces a message already sent.
	Update(ctx context.Context, ref conversation.MessageRef, m message.Message) error
	// Ephemeral shows a message only to user, in channel.
	Ephemeral(ctx context.Context, channel, user string, m message.Message) error
	// OpenModal opens a form in answer to a click.
	OpenModal(ctx context.Context, triggerID string, m message.Modal) error
}

// Locator is implemented by platforms that know each user's time zone.
type Locator interface {
	Location(ctx context.Context, user string) *time.Location
}

// Identifier is implemented by platforms that know the bot's own user id.
type Identifier interface {
	BotUserID(ctx context.Context) string
}

// ChannelInfo is a shared channel as a learning set sees it.
type ChannelInfo struct {
	ID      string
	Name    string   // shown without a leading '#'
	Members []string // user ids, the bot's own excluded
}

// Roster is implemented by platforms that can list a channel's members,
// which learning sets need.
type Roster interface {
	Channel(ctx context.Context, channel string) (ChannelInfo, error)
}

// Threader is implemented by platforms that can reply in a thread under a
// channel message (root).
type Threader interface {
	PostThread(ctx context.Context, root conversation.MessageRef, m message.Message) (conversation.MessageRef, error)
}

// Publisher is implemented by platforms whose Post may queue a message and
// return no reference: PostNow sends at once and says where the message
// went, for posts whose id must be kept (a shared draft's thread).
type Publisher interface {
	PostNow(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error)
}

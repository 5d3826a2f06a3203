// Package bot runs conversation turns: it loads the session and contract,
// calls conversation.Step, asks its Planner for the changes to scheduled
// work the turn calls for, and saves all of it atomically with the
// platform event the turn applies (so a redelivery is not applied twice)
// and, on a platform with an outbox (Queuer), the messages the turn sends;
// it tells the adapter the turn is safe to acknowledge (Turn.Saved) and
// carries out the remaining effects through the Platform. New builds the
// Engine with all it needs.
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
	"github.com/learnpact/learnpact/storage"
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

// Groups is implemented by platforms that can list the members of a user
// group by its handle (a Slack user group, a Teams team), for an
// APPROVERS policy that names one.
type Groups interface {
	GroupMembers(ctx context.Context, team, handle string) ([]string, error)
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

// Queuer is implemented by platforms that deliver through a durable outbox
// kept in the turn's store. The engine asks it to encode each effect of a
// turn as an outbox item before the turn is saved, and saves the items
// with the turn in one step: a reply is then delivered even when the
// process dies between the save and the send.
type Queuer interface {
	// Queue encodes ef, sent by turn t in the lane ctx carries (see
	// LaneFrom), as an outbox item. ok is false for an effect the
	// platform does not queue: the engine carries it out directly, after
	// the save. ef is never a conversation.Reply: the engine resolves a
	// reply into the Send or Post it stands for.
	Queue(ctx context.Context, t Turn, ef conversation.Effect) (item storage.DueItem, ok bool, err error)
	// Wake tells the outbox that a saved turn added items, so they go out
	// at once.
	Wake()
}

// Direct is implemented by platforms whose SendDM may go through the
// store (an outbox): SendDMNow sends at once without it, for what must not
// depend on the store, such as an apology when the store failed.
type Direct interface {
	SendDMNow(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error)
}

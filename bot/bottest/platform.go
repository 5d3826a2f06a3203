// Package bottest runs the real engine (bot.Engine) in tests: Platform is a
// chat platform that records what it is asked to show, World drives the
// engine over a store with a controllable clock and writes golden
// transcripts of who said what and what the bot answered, and Samples
// collects one instance of every message and form the flows send, for the
// renderers' golden tests. Only tests import it.
package bottest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

var (
	_ bot.Platform   = (*Platform)(nil)
	_ bot.Locator    = (*Platform)(nil)
	_ bot.Identifier = (*Platform)(nil)
	_ bot.Roster     = (*Platform)(nil)
	_ bot.Threader   = (*Platform)(nil)
	_ bot.Publisher  = (*Platform)(nil)
	_ bot.Filer      = (*Platform)(nil)
	_ bot.Namer      = (*Platform)(nil)

	_ bot.HomePublisher = (*Platform)(nil)
)

const (
	// PlatformName is the platform's key in storage.
	PlatformName = "slack"
	// BotUser is the bot's own user id.
	BotUser = "UBOT"
)

// DM is the id of a person's direct conversation with the bot.
func DM(user string) string { return "D" + user }

// Kind says what a delivery did.
type Kind string

const (
	// Sent is a new message in a conversation: a DM, a channel or a
	// thread.
	Sent Kind = "sent"
	// Updated replaces a message sent earlier.
	Updated Kind = "updated"
	// Ephemeral is shown to one person only and has no ref.
	Ephemeral Kind = "ephemeral"
	// Form is a form opened for one person.
	Form Kind = "form"
	// FileSent is a file sent to a person's DM, with its comment.
	FileSent Kind = "file"
	// Home is a person's home (App Home tab) published afresh.
	Home Kind = "home"
)

// Posted is a message as a conversation shows it now.
type Posted struct {
	// Ref is where the message is; zero for an ephemeral note.
	Ref conversation.MessageRef
	// Channel is the conversation: DM(user) for a direct message.
	Channel string
	// Thread is the root's TS of a reply in a thread.
	Thread string
	// Only is the one person who sees an ephemeral note.
	Only    string
	Message message.Message
}

// Delivery is one thing the engine had the platform do.
type Delivery struct {
	Kind Kind
	// Channel is the conversation ("" for a form).
	Channel string
	// User is who it is for: the person of a DM, the one who sees an
	// ephemeral note or a form; "" in a shared channel.
	User    string
	Ref     conversation.MessageRef
	Thread  string
	Message message.Message
	Modal   message.Modal
	// File is the file sent, for FileSent (its Comment is Message).
	File *bot.File
}

// Platform is a bot.Platform that keeps every message per conversation,
// with refs numbered in sending order ("1700000000.000001", …), applies
// updates (a later click on an updated card sees the updated card), keeps
// ephemeral notes for the one person who sees them and the form open for
// each person. Shared channels are added with AddChannel; everyone is in
// UTC. It is safe for concurrent use.
type Platform struct {
	mu       sync.Mutex
	seq      int
	all      []*Posted           // every message, in sending order
	channels map[string][]string // shared channel → members
	groups   map[string][]string // user group handle → members
	forms    map[string]message.Modal
	triggers map[string]string // trigger id → who clicked
	done     []Delivery
	observe  func(Delivery)
	names    map[string]string
	homes    map[string]message.Message
	// FileError, when set, is what SendFile answers: the platform
	// refuses files.
	FileError error
	// HomeError, when set, is what PublishHome answers.
	HomeError error
}

// NewPlatform returns a platform with no messages and no channels.
func NewPlatform() *Platform {
	return &Platform{channels: map[string][]string{}, forms: map[string]message.Modal{}, triggers: map[string]string{}, names: map[string]string{}}
}

// SetName gives a person a name (bot.Namer).
func (p *Platform) SetName(user, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.names[user] = name
}

// DisplayName implements bot.Namer: the names set with SetName.
func (p *Platform) DisplayName(_ context.Context, user string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.names[user]
}

// SendFile implements bot.Filer: the file is kept, its comment shown in
// the DM, unless FileError is set.
func (p *Platform) SendFile(_ context.Context, user string, f bot.File) error {
	p.mu.Lock()
	err := p.FileError
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.record(Delivery{Kind: FileSent, Channel: DM(user), User: user, Message: f.Comment, File: &f})
	return nil
}

// PublishHome implements bot.HomePublisher: the home is kept as user's
// latest, unless HomeError is set.
func (p *Platform) PublishHome(_ context.Context, user string, m message.Message) error {
	p.mu.Lock()
	err := p.HomeError
	if err == nil {
		if p.homes == nil {
			p.homes = map[string]message.Message{}
		}
		p.homes[user] = m
	}
	p.mu.Unlock()
	if err != nil {
		return err
	}
	p.record(Delivery{Kind: Home, User: user, Message: m})
	return nil
}

// Home returns the home last published for user.
func (p *Platform) Home(user string) (message.Message, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.homes[user]
	return m, ok
}

// Files returns the files sent to user, oldest first.
func (p *Platform) Files(user string) []bot.File {
	var out []bot.File
	for _, d := range p.Deliveries() {
		if d.Kind == FileSent && d.User == user {
			out = append(out, *d.File)
		}
	}
	return out
}

// AddGroup adds a user group with its members, by handle.
func (p *Platform) AddGroup(handle string, members ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.groups == nil {
		p.groups = map[string][]string{}
	}
	p.groups[handle] = members
}

// GroupMembers implements bot.Groups: an unknown handle is an error.
func (p *Platform) GroupMembers(_ context.Context, _, handle string) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.groups[handle]
	if !ok {
		return nil, fmt.Errorf("bottest: no group @%s", handle)
	}
	return append([]string{}, m...), nil
}

// AddChannel adds a shared channel with its members (the bot excluded).
// Its name is its id in lower case; its id must not start with "D", which
// marks a direct conversation (DM).
func (p *Platform) AddChannel(id string, members ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.channels[id] = slices.Clone(members)
}

// Name implements bot.Platform.
func (p *Platform) Name() string { return PlatformName }

// Location implements bot.Locator: everyone is in UTC.
func (p *Platform) Location(context.Context, string) *time.Location { return time.UTC }

// BotUserID implements bot.Identifier.
func (p *Platform) BotUserID(context.Context) string { return BotUser }

// Channel implements bot.Roster for the channels added with AddChannel.
func (p *Platform) Channel(_ context.Context, id string) (bot.ChannelInfo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ms, ok := p.channels[id]
	if !ok {
		return bot.ChannelInfo{}, fmt.Errorf("channel %s: channel_not_found", id)
	}
	return bot.ChannelInfo{ID: id, Name: strings.ToLower(id), Members: slices.Clone(ms)}, nil
}

// SendDM implements bot.Platform.
func (p *Platform) SendDM(_ context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	if user == "" {
		return conversation.MessageRef{}, fmt.Errorf("send to nobody: user_not_found")
	}
	return p.send(DM(user), "", m), nil
}

// Post implements bot.Platform.
func (p *Platform) Post(_ context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	return p.send(channel, "", m), nil
}

// PostNow implements bot.Publisher.
func (p *Platform) PostNow(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	return p.Post(ctx, channel, m)
}

// PostThread implements bot.Threader.
func (p *Platform) PostThread(_ context.Context, root conversation.MessageRef, m message.Message) (conversation.MessageRef, error) {
	return p.send(root.Channel, root.TS, m), nil
}

func (p *Platform) send(channel, thread string, m message.Message) conversation.MessageRef {
	p.mu.Lock()
	p.seq++
	ref := conversation.MessageRef{Channel: channel, TS: fmt.Sprintf("1700000000.%06d", p.seq)}
	p.all = append(p.all, &Posted{Ref: ref, Channel: channel, Thread: thread, Message: m})
	p.mu.Unlock()
	p.record(Delivery{Kind: Sent, Channel: channel, User: userOf(channel), Ref: ref, Thread: thread, Message: m})
	return ref
}

// Update implements bot.Platform; a ref that names no message is an error.
func (p *Platform) Update(_ context.Context, ref conversation.MessageRef, m message.Message) error {
	p.mu.Lock()
	i := slices.IndexFunc(p.all, func(x *Posted) bool { return x.Ref.TS != "" && x.Ref == ref })
	if i < 0 {
		p.mu.Unlock()
		return fmt.Errorf("update %s/%s: message_not_found", ref.Channel, ref.TS)
	}
	p.all[i].Message = m
	posted := *p.all[i]
	p.mu.Unlock()
	p.record(Delivery{Kind: Updated, Channel: posted.Channel, User: userOf(posted.Channel), Ref: ref, Thread: posted.Thread, Message: m})
	return nil
}

// Ephemeral implements bot.Platform.
func (p *Platform) Ephemeral(_ context.Context, channel, user string, m message.Message) error {
	p.mu.Lock()
	p.all = append(p.all, &Posted{Channel: channel, Only: user, Message: m})
	p.mu.Unlock()
	p.record(Delivery{Kind: Ephemeral, Channel: channel, User: user, Message: m})
	return nil
}

// OpenModal implements bot.Platform for the trigger ids of clicks made
// through a World; an unknown trigger is an error, as it is once expired.
func (p *Platform) OpenModal(_ context.Context, trigger string, m message.Modal) error {
	p.mu.Lock()
	user, ok := p.triggers[trigger]
	if ok {
		p.forms[user] = m
	}
	p.mu.Unlock()
	if !ok {
		return fmt.Errorf("open a form with trigger %q: expired_trigger_id", trigger)
	}
	p.record(Delivery{Kind: Form, User: user, Modal: m})
	return nil
}

func (p *Platform) record(d Delivery) {
	p.mu.Lock()
	p.done = append(p.done, d)
	observe := p.observe
	p.mu.Unlock()
	if observe != nil {
		observe(d)
	}
}

// Deliveries returns everything the platform was asked to do, in order.
func (p *Platform) Deliveries() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.done)
}

// Messages returns what user sees from the bot, oldest first, as it is
// now: their direct conversation and the ephemeral notes shown to them
// anywhere.
func (p *Platform) Messages(user string) []Posted {
	return p.filter(func(x *Posted) bool {
		return x.Only == user || (x.Only == "" && x.Channel == DM(user))
	})
}

// Posts returns the messages in a shared channel, thread replies included,
// oldest first, as they are now.
func (p *Platform) Posts(channel string) []Posted {
	return p.filter(func(x *Posted) bool { return x.Only == "" && x.Channel == channel })
}

func (p *Platform) filter(keep func(*Posted) bool) []Posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Posted
	for _, x := range p.all {
		if keep(x) {
			out = append(out, *x)
		}
	}
	return out
}

// OpenForm returns the form open for user, if any.
func (p *Platform) OpenForm(user string) (message.Modal, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.forms[user]
	return m, ok
}

// closeForm takes the form open for user away, as submitting it does.
func (p *Platform) closeForm(user string) (message.Modal, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.forms[user]
	delete(p.forms, user)
	return m, ok
}

// click registers a trigger id for a click by user.
func (p *Platform) click(trigger, user string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.triggers[trigger] = user
}

// userOf is the person of a direct conversation; "" for a shared channel.
func userOf(channel string) string {
	if u, ok := strings.CutPrefix(channel, "D"); ok {
		return u
	}
	return ""
}

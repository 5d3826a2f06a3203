package teams

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// nameOf is the display name last seen for a user, or the one in their
// stored chat reference ("" when unknown).
func (a *Adapter) nameOf(id string) string {
	a.mu.Lock()
	name := a.names[id]
	a.mu.Unlock()
	if name != "" {
		return name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ref, ok := a.lookup(ctx, userKey(id)); ok {
		return ref.User.Name
	}
	return ""
}

// activityFor renders m, logging what had to be cut.
func (a *Adapter) activityFor(m message.Message) outActivity {
	act, problems := render(m, a.nameOf)
	for _, p := range problems {
		a.log.Warn("message rendered without some content", "problem", p)
	}
	return act
}

// Two ways out. send and update go through the library's connector
// client (libSender), which drops the answer: for activities whose id
// nobody needs. sendForID goes through the adapter's own connector, which
// reads the answer: for a post whose id a caller records (a channel post
// roots a thread). Starting a chat and listing members use the own
// connector too (the library has no call for them), and so does
// everything in an Insecure sandbox, and a post with mentions outside a
// personal chat: the library's entities drop who is mentioned, which
// Teams notifies from (in a personal chat there is nobody else to notify,
// and an update notifies nobody; the card shows its mentions either way).

// send posts an activity into a conversation; its id is not known.
func (a *Adapter) send(ctx context.Context, conv string, act outActivity) error {
	to, err := a.sendable(ctx, conv)
	if err != nil {
		return err
	}
	target := conversationURL(a.serviceOf(to), conv, "activities")
	if a.lib == nil || (len(act.Entities) > 0 && to.Conversation.ConversationType != "personal") {
		return a.conn.call(ctx, http.MethodPost, target, act, nil)
	}
	return a.lib.post(ctx, target, a.libActivity(ctx, to, conv, act))
}

// sendable returns a conversation's stored reference (zero when unknown)
// for a post into it; nothing is posted where the app was removed.
func (a *Adapter) sendable(ctx context.Context, conv string) (reference, error) {
	if conv == "" {
		return reference{}, errors.New("teams: no conversation to send to")
	}
	to := a.convRef(ctx, conv)
	if to.Removed {
		return reference{}, fmt.Errorf("post in %s: %w", to.Conversation.ID, errRemoved)
	}
	return to, nil
}

// sendForID posts an activity into a conversation and returns its id.
func (a *Adapter) sendForID(ctx context.Context, conv string, act outActivity) (conversation.MessageRef, error) {
	to, err := a.sendable(ctx, conv)
	if err != nil {
		return conversation.MessageRef{}, err
	}
	var res schema.ResourceResponse
	if err := a.conn.call(ctx, http.MethodPost, conversationURL(a.serviceOf(to), conv, "activities"), act, &res); err != nil {
		return conversation.MessageRef{}, err
	}
	return conversation.MessageRef{Channel: conv, TS: res.ID}, nil
}

// SendDM implements bot.Platform: it posts into the user's personal chat
// with the bot, starting one when the bot has none yet. The returned
// reference names the chat; its TS is empty (nothing records a personal
// message's id: cards are updated through the id a click carries).
func (a *Adapter) SendDM(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	conv, err := a.personalChat(ctx, user)
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return withoutID(conv, a.send(ctx, conv, a.activityFor(m)))
}

// withoutID is the reference of a message sent into conv without its id.
func withoutID(conv string, err error) (conversation.MessageRef, error) {
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return conversation.MessageRef{Channel: conv}, nil
}

// Post implements bot.Platform: it posts into a conversation (a personal
// chat, a group chat, or a channel, where it starts a new thread). The id
// is returned except in a personal chat, as for SendDM.
func (a *Adapter) Post(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	if a.personal(ctx, channel) {
		return withoutID(channel, a.send(ctx, channel, a.activityFor(m)))
	}
	return a.sendForID(ctx, channel, a.activityFor(m))
}

// personal reports whether conv is known to be a personal chat.
func (a *Adapter) personal(ctx context.Context, conv string) bool {
	return a.convRef(ctx, conv).Conversation.ConversationType == "personal"
}

// PostThread implements bot.Threader: it replies in the channel thread
// under root. The reply's id is not known.
func (a *Adapter) PostThread(ctx context.Context, root conversation.MessageRef, m message.Message) (conversation.MessageRef, error) {
	if root.Channel == "" || root.TS == "" {
		return conversation.MessageRef{}, errors.New("teams: thread reply without a root message")
	}
	channel, _ := baseConversation(root.Channel)
	thread := channel + ";messageid=" + root.TS
	return withoutID(thread, a.send(ctx, thread, a.activityFor(m)))
}

// Update implements bot.Platform: it replaces a card in place.
func (a *Adapter) Update(ctx context.Context, ref conversation.MessageRef, m message.Message) error {
	return a.update(ctx, ref, a.activityFor(m))
}

func (a *Adapter) update(ctx context.Context, ref conversation.MessageRef, act outActivity) error {
	if ref.Channel == "" || ref.TS == "" {
		return errors.New("teams: update without a message")
	}
	act.ID = ref.TS
	to := a.convRef(ctx, ref.Channel)
	target := conversationURL(a.serviceOf(to), ref.Channel, "activities", ref.TS)
	if a.lib == nil {
		return a.conn.call(ctx, http.MethodPut, target, act, nil)
	}
	return a.lib.put(ctx, target, a.libActivity(ctx, to, ref.Channel, act))
}

// Ephemeral implements bot.Platform. Teams has no messages only one member
// of a conversation sees, so the user gets it in their personal chat.
func (a *Adapter) Ephemeral(ctx context.Context, _ string, user string, m message.Message) error {
	_, err := a.SendDM(ctx, user, m)
	return err
}

// personalChat returns the user's personal chat with the bot, starting it
// through the connector when the bot knows the user's tenant but has no
// chat with them yet.
func (a *Adapter) personalChat(ctx context.Context, user string) (string, error) {
	if ref, ok := a.lookup(ctx, userKey(user)); ok && ref.Removed {
		return "", fmt.Errorf("message %s: %w", user, errRemoved)
	} else if ok && ref.Conversation.ID != "" {
		return ref.Conversation.ID, nil
	}
	lock := a.userLock(user)
	lock.Lock()
	defer lock.Unlock()
	if ref, ok := a.lookup(ctx, userKey(user)); ok && ref.Conversation.ID != "" {
		return ref.Conversation.ID, nil
	}
	tenant, serviceURL := a.cfg.TenantID, a.cfg.ServiceURL
	a.mu.Lock()
	if h, ok := a.homes[user]; ok {
		tenant, serviceURL = h.tenant, h.serviceURL
	}
	a.mu.Unlock()
	if tenant == "" {
		return "", fmt.Errorf("message %s: %w: no tenant known; they need to install the app or message the bot first", user, errNoChat)
	}
	bot := schema.ChannelAccount{ID: a.BotUserID(ctx)}
	params := map[string]any{
		"isGroup":     false,
		"bot":         bot,
		"members":     []schema.ChannelAccount{{ID: user}},
		"tenantId":    tenant,
		"channelData": map[string]any{"tenant": map[string]string{"id": tenant}},
	}
	var res schema.ConversationResourceResponse
	if err := a.conn.call(ctx, http.MethodPost, conversationURL(serviceURL), params, &res); err != nil {
		return "", fmt.Errorf("teams: start a chat with %s: %w", user, err)
	}
	if res.ID == "" {
		return "", fmt.Errorf("teams: start a chat with %s: no conversation id in the answer", user)
	}
	ref := reference{TenantID: tenant}
	ref.ServiceURL = defaultString(res.ServiceURL, serviceURL)
	ref.ChannelID = "msteams"
	ref.Bot = bot
	ref.User = schema.ChannelAccount{ID: user}
	ref.Conversation = schema.ConversationAccount{ID: res.ID, ConversationType: "personal", TenantID: tenant}
	for _, key := range []string{userKey(user), convKey(res.ID)} {
		if err := a.remember(ctx, key, ref); err != nil {
			a.log.Warn("cannot store a conversation reference", "err", err)
		}
	}
	return res.ID, nil
}

// userLock serialises starting a chat with one user.
func (a *Adapter) userLock(user string) *sync.Mutex {
	l, _ := a.chatLocks.LoadOrStore(user, &sync.Mutex{})
	return l.(*sync.Mutex)
}

// Channel implements bot.Roster: the channel's members (the bot excluded)
// from the connector, and its name as last seen.
func (a *Adapter) Channel(ctx context.Context, channel string) (bot.ChannelInfo, error) {
	base, _ := baseConversation(channel)
	if info, ok := a.rosters.get(base, a.now()); ok {
		return info, nil
	}
	info, err := a.fetchRoster(ctx, base)
	if err != nil {
		return bot.ChannelInfo{}, err
	}
	a.rosters.put(base, info, a.now())
	return info, nil
}

// fetchRoster asks the connector for a conversation's members.
func (a *Adapter) fetchRoster(ctx context.Context, base string) (bot.ChannelInfo, error) {
	var members []schema.ChannelAccount
	if err := a.conn.call(ctx, http.MethodGet, conversationURL(a.serviceURL(ctx, base), base, "members"), nil, &members); err != nil {
		return bot.ChannelInfo{}, fmt.Errorf("teams: members of %s: %w", base, err)
	}
	info := bot.ChannelInfo{ID: base}
	if ref, ok := a.lookup(ctx, convKey(base)); ok {
		info.Name = ref.ChannelName
	}
	self := a.BotUserID(ctx)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range members {
		if m.ID == "" || m.ID == self {
			continue
		}
		if m.Name != "" {
			a.names[m.ID] = m.Name
		}
		info.Members = append(info.Members, m.ID)
	}
	return info, nil
}

// loadLocation reads a time zone name a Teams client reported.
func loadLocation(name string) (*time.Location, error) { return time.LoadLocation(name) }

// rosterTTL is how long a channel's member list is reused; conversation
// updates about members clear it sooner.
const rosterTTL = time.Minute

// rosterCache keeps channels' member lists for a short while, so a busy
// learning set does not ask the connector on every turn.
type rosterCache struct {
	mu sync.Mutex
	m  map[string]cachedRoster
}

type cachedRoster struct {
	info bot.ChannelInfo
	at   time.Time
}

func (c *rosterCache) get(channel string, now time.Time) (bot.ChannelInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[channel]
	if !ok || now.Sub(r.at) >= rosterTTL || now.Before(r.at) {
		return bot.ChannelInfo{}, false
	}
	info := r.info
	info.Members = slices.Clone(r.info.Members)
	return info, true
}

func (c *rosterCache) put(channel string, info bot.ChannelInfo, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedRoster{}
	}
	info.Members = slices.Clone(info.Members)
	c.m[channel] = cachedRoster{info: info, at: now}
}

// clear forgets every list: in Teams a channel's members are its team's,
// and an update names the team rather than each channel.
func (c *rosterCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

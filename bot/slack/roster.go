package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
)

// rosterTTL is how long a channel's name and members are cached. A member
// joining or leaving ends it sooner (see forgetChannel).
const rosterTTL = time.Minute

// membersPage is how many members one conversations.members call asks for.
const membersPage = 200

// maxMemberPages bounds the pages read for one channel (a cursor that never
// ends must not keep a turn busy).
const maxMemberPages = 100

// roster caches channels for Channel.
type roster struct {
	mu       sync.Mutex
	channels map[string]rosterEntry
	// gen counts each channel's invalidations, so a fetch that started
	// before a member joined or left does not cache what it read.
	gen map[string]uint64
	// pageSize is how many members one conversations.members call asks
	// for; membersPage when zero.
	pageSize int
}

type rosterEntry struct {
	info    bot.ChannelInfo
	fetched time.Time
}

// now is the adapter's clock: Config.Now, or time.Now.
func (a *Adapter) now() time.Time {
	if a.cfg.Now != nil {
		return a.cfg.Now()
	}
	return time.Now()
}

// Channel implements bot.Roster: the channel's name (conversations.info)
// and members (conversations.members, every page), the bot itself left
// out. Answers are cached for a minute, or until a member joins or leaves
// the channel. Slack's refusals (channel_not_found, not_in_channel, …) are
// returned as errors wrapping slack.SlackErrorResponse.
func (a *Adapter) Channel(ctx context.Context, channel string) (bot.ChannelInfo, error) {
	if channel == "" {
		return bot.ChannelInfo{}, errors.New("slack: channel: no channel id")
	}
	a.roster.mu.Lock()
	e, ok := a.roster.channels[channel]
	gen := a.roster.gen[channel]
	a.roster.mu.Unlock()
	now := a.now()
	if ok && now.Sub(e.fetched) < rosterTTL && !now.Before(e.fetched) {
		return cloneInfo(e.info), nil
	}
	info, complete, err := a.fetchChannel(ctx, channel)
	if err != nil {
		return bot.ChannelInfo{}, err
	}
	a.roster.mu.Lock()
	if complete && a.roster.gen[channel] == gen {
		a.roster.channels[channel] = rosterEntry{info: info, fetched: now}
	}
	a.roster.mu.Unlock()
	return cloneInfo(info), nil
}

// fetchChannel reads a channel's name and members. complete is false when
// the bot's own id was not known, so it could not be left out: such an
// answer is not cached.
func (a *Adapter) fetchChannel(ctx context.Context, channel string) (info bot.ChannelInfo, complete bool, err error) {
	var c *slackapi.Channel
	err = a.retry(ctx, "conversations.info", func() (err error) {
		c, err = a.api.GetConversationInfoContext(ctx, &slackapi.GetConversationInfoInput{ChannelID: channel})
		return err
	})
	if err != nil {
		return bot.ChannelInfo{}, false, fmt.Errorf("slack: channel %s: %w", channel, err)
	}
	if c == nil {
		return bot.ChannelInfo{}, false, fmt.Errorf("slack: channel %s: conversations.info answered without a channel", channel)
	}
	info = bot.ChannelInfo{ID: channel, Name: c.Name, Members: []string{}}
	self := a.awaitIdentity(ctx, a.idWait).user
	cursor := ""
	size := a.roster.pageSize
	if size <= 0 {
		size = membersPage
	}
	for page := 0; ; page++ {
		if page == maxMemberPages {
			return bot.ChannelInfo{}, false, fmt.Errorf("slack: channel %s: more than %d pages of members", channel, maxMemberPages)
		}
		var members []string
		next := ""
		err := a.retry(ctx, "conversations.members", func() (err error) {
			members, next, err = a.api.GetUsersInConversationContext(ctx,
				&slackapi.GetUsersInConversationParameters{ChannelID: channel, Cursor: cursor, Limit: size})
			return err
		})
		if err != nil {
			return bot.ChannelInfo{}, false, fmt.Errorf("slack: channel %s: %w", channel, err)
		}
		for _, m := range members {
			if m != "" && m != self && !slices.Contains(info.Members, m) {
				info.Members = append(info.Members, m)
			}
		}
		if next == "" || next == cursor {
			break
		}
		cursor = next
	}
	return info, self != "", nil
}

// forgetChannel drops a channel's cached roster: someone joined or left.
func (a *Adapter) forgetChannel(channel string) {
	a.roster.mu.Lock()
	defer a.roster.mu.Unlock()
	delete(a.roster.channels, channel)
	a.roster.gen[channel]++
}

func cloneInfo(c bot.ChannelInfo) bot.ChannelInfo {
	c.Members = slices.Clone(c.Members)
	return c
}

package sandbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
)

// ErrNotInChannel is Slack's not_in_channel: a person acted in a channel
// they are not a member of. It matches ErrNotAllowed too.
var ErrNotInChannel error = codeError{code: "not_in_channel", base: ErrNotAllowed}

// codeError is a Slack error code that also matches a broader sandbox
// error.
type codeError struct {
	code string
	base error
}

func (e codeError) Error() string { return "sandbox: " + e.code }
func (e codeError) Unwrap() error { return e.base }

// channelNameRE is what Slack accepts as a channel name.
var channelNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,79}$`)

// CanSee reports whether user may read channel: they are a member of it
// (a direct conversation's person, or the bot, for a D… id).
func (w *Workspace) CanSee(user, channel string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[channel]
	return c != nil && w.people[user] != nil && c.isMember(user)
}

// Members returns a channel's members (the bot included when it is one),
// in the order they joined; nil for an unknown channel.
func (w *Workspace) Members(channel string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[channel]
	if c == nil {
		return nil
	}
	return slices.Clone(c.members)
}

// CreateChannel makes a public channel named name (lowercase letters,
// digits, '-' and '_', at most 80) with members (people or the bot, in
// that order) and returns its id. No events are delivered: the channel
// is there as if made before the bot started.
func (w *Workspace) CreateChannel(name string, members ...string) (string, error) {
	if !channelNameRE.MatchString(name) {
		return "", fmt.Errorf("%w: channel name %q", ErrInvalidInput, name)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.convs {
		if !c.im && c.name == name {
			return "", fmt.Errorf("%w: name_taken: #%s", ErrInvalidInput, name)
		}
	}
	c := &conv{name: name, created: w.clock.Now().Unix()}
	for _, m := range members {
		if w.people[m] == nil {
			return "", fmt.Errorf("%w: user %q", ErrNotFound, m)
		}
		if !c.isMember(m) {
			c.members = append(c.members, m)
		}
	}
	if len(c.members) > 0 {
		c.creator = c.members[0]
	}
	c.id = w.nextIDLocked("C")
	w.addConv(c)
	w.notifyLocked(Change{Kind: "members", Channel: c.id})
	return c.id, nil
}

// Join adds user to channel and, when the bot is in it, delivers
// member_joined_channel. Joining a channel one is in already does nothing.
func (w *Workspace) Join(ctx context.Context, user, channel string) error {
	return w.join(ctx, user, channel, "")
}

// InviteBot adds the bot to channel on inviter's invitation (inviter must
// be a member) and delivers member_joined_channel for the bot user, with
// inviter. Inviting the bot into a channel it is in does nothing.
func (w *Workspace) InviteBot(ctx context.Context, inviter, channel string) error {
	w.mu.Lock()
	if _, err := w.personLocked(inviter); err != nil {
		w.mu.Unlock()
		return err
	}
	c, err := w.channelLocked(channel)
	if err == nil && !c.isMember(inviter) {
		err = fmt.Errorf("%w: %s is not in %s", ErrNotInChannel, inviter, channel)
	}
	bot := w.bot
	w.mu.Unlock()
	if err != nil {
		return err
	}
	return w.join(ctx, bot, channel, inviter)
}

func (w *Workspace) join(ctx context.Context, user, channel, inviter string) error {
	w.mu.Lock()
	if w.people[user] == nil || (user == w.bot && inviter == "") {
		w.mu.Unlock()
		return fmt.Errorf("%w: user %q", ErrNotFound, user)
	}
	c, err := w.channelLocked(channel)
	if err != nil || c.isMember(user) {
		w.mu.Unlock()
		return err
	}
	c.members = append(c.members, user)
	w.notifyLocked(Change{Kind: "members", Channel: c.id, User: user})
	ev := obj{"type": "member_joined_channel", "user": user, "channel": c.id, "channel_type": "C",
		"team": teamID, "event_ts": w.nextTSLocked()}
	if inviter != "" {
		ev["inviter"] = inviter
	}
	botIn := c.isMember(w.bot)
	w.mu.Unlock()
	if !botIn {
		return nil
	}
	return w.sendEvent(ctx, ev)
}

// Leave takes user out of channel and, when the bot is in it, delivers
// member_left_channel. Leaving a channel one is not in does nothing.
func (w *Workspace) Leave(ctx context.Context, user, channel string) error {
	w.mu.Lock()
	if _, err := w.personLocked(user); err != nil {
		w.mu.Unlock()
		return err
	}
	c, err := w.channelLocked(channel)
	if err != nil || !c.isMember(user) {
		w.mu.Unlock()
		return err
	}
	c.members = slices.DeleteFunc(c.members, func(m string) bool { return m == user })
	w.notifyLocked(Change{Kind: "members", Channel: c.id, User: user})
	ev := obj{"type": "member_left_channel", "user": user, "channel": c.id, "channel_type": "C",
		"team": teamID, "event_ts": w.nextTSLocked()}
	botIn := c.isMember(w.bot)
	w.mu.Unlock()
	if !botIn {
		return nil
	}
	return w.sendEvent(ctx, ev)
}

// channelLocked finds a channel (not a direct conversation).
func (w *Workspace) channelLocked(id string) (*conv, error) {
	c := w.convs[id]
	if c == nil || c.im {
		return nil, fmt.Errorf("%w: channel %q", ErrNotFound, id)
	}
	return c, nil
}

package slack

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// With an outbox, the messages a turn sends are saved with the turn (see
// bot.Queuer): the engine asks Queue for each effect's outbox item before
// it saves, saves the items in the same step as the session and contract,
// and calls Wake once they are stored, so the outbox sends them at once.
// A process that dies after the save loses nothing: the next one (or
// another replica) delivers what is in the outbox.

var (
	_ bot.Queuer = (*Adapter)(nil)
	_ bot.Direct = (*Adapter)(nil)
)

// Queue implements bot.Queuer. With an outbox it queues what SendDM, Post,
// PostThread and Update would: a message to a DM, a channel or a thread,
// the update of a message sent, and a shared draft, whose ts a turn of
// its own records once Slack took it (bot.Posting). The rest is carried
// out directly after the save: ephemeral answers (Slack keeps no outbox
// for them) and forms (their trigger_id expires 3 s after the click).
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
		j, m = &job{Method: methodPost, User: ef.User}, ef.Message
		j.Nudge = ef.Nudge
	case conversation.Post:
		j, m = &job{Method: methodPost, Channel: ef.Channel, ThreadTS: ef.Thread}, ef.Message
		if ef.Thread == "" {
			j.Shared = ef.Shared
		}
	case conversation.Update:
		if ef.Ref.TS == "" {
			return storage.DueItem{}, false, nil
		}
		j, m = &job{Method: methodUpdate, Channel: ef.Ref.Channel, TS: ef.Ref.TS}, ef.Message
	default:
		return storage.DueItem{}, false, nil
	}
	if j.Nudge != nil || j.Shared != nil {
		j.Team = t.Team // to record it once Slack took it
	}
	if err := a.encode(ctx, j, m); err != nil {
		return storage.DueItem{}, false, err
	}
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

// SendDMNow implements bot.Direct: it posts to the user's DM at once,
// past the outbox.
func (a *Adapter) SendDMNow(ctx context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	channel, err := a.imChannel(ctx, user)
	if err != nil {
		return conversation.MessageRef{}, err
	}
	return a.PostNow(ctx, channel, m)
}

// encode renders m into j, in the lane ctx carries (unless j has one).
func (a *Adapter) encode(ctx context.Context, j *job, m message.Message) error {
	blocks, text, problems := render(m)
	for _, p := range problems {
		a.log.Warn("message rendered without some content", "problem", p)
	}
	var err error
	if j.Blocks, err = json.Marshal(blocks); err != nil {
		return fmt.Errorf("slack: encode blocks: %w", err)
	}
	j.Text = text
	if j.Lane == "" {
		j.Lane = bot.LaneFrom(ctx).String()
	}
	return nil
}

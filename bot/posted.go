package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/storage"
)

// A shared draft is posted to its learning set's channel like any other
// message: from the outbox when the platform has one. Its thread (the
// post's ts on Slack, its activity id on Teams) is known only once the
// platform took it, and a later turn needs it: replies in the thread are
// feedback on the draft. So the drain, once the platform took the post,
// runs a turn of its own through Engine.Handle (Posting, a
// conversation.PostedInput), which records the thread: the index from the
// thread to its contract first, then the contract's share. Nothing waits
// in a process's memory, and it works with several replicas.
//
// A reply can reach the bot after the post is visible in the channel and
// before that turn recorded its thread. The channel then has a draft
// posting, noted in the store (pendingKey) before the turn that shares it
// is saved; a reply in a thread the bot does not know, in a channel with a
// draft posting, is parked in the same document and acknowledged. The
// Posting turn, once the thread is indexed, takes the replies parked for
// it and runs them. Both change the document with a revision check, and a
// reply reads the thread's index within its change, so a reply either
// finds the index or is parked before the Posting turn takes the parked
// replies: none is lost. Replies parked in threads of no draft are
// dropped once the channel has no draft posting; a posting noted by a
// turn that was never saved lapses after pendingTTL.

// pendingTTL is how long a draft posting is waited for: longer than the
// outbox retries a post.
const pendingTTL = 2 * time.Hour

// Posting is the turn that records that platform p posted shared draft s
// at ref, on team's workspace. The outbox runs it with the engine's
// Handle once the platform took the post.
func Posting(p Platform, team string, s conversation.Shared, ref conversation.MessageRef) Turn {
	return Turn{Platform: p, Team: team, Input: s.Input(ref)}
}

// pending is a channel's draft postings and the replies parked for them.
type pending struct {
	Posts  []pendingPost   `json:"posts,omitempty"`
	Parked []parkedMessage `json:"parked,omitempty"`
}

type pendingPost struct {
	Contract string    `json:"contract"`
	Round    int       `json:"round"`
	Since    time.Time `json:"since"`
}

// parkedMessage is a reply in a thread not known yet, and the platform
// event it came in.
type parkedMessage struct {
	Input conversation.Input `json:"input"`
	Event string             `json:"event,omitempty"`
}

// pendingKey is where a channel's draft postings are kept.
func pendingKey(platform, team, channel string) string {
	return "posting:" + platform + ":" + team + ":" + channel
}

// live drops the postings that lapsed by now, and the parked replies
// when no posting is left.
func (p *pending) live(now time.Time) {
	p.Posts = slices.DeleteFunc(p.Posts, func(q pendingPost) bool { return now.Sub(q.Since) > pendingTTL })
	if len(p.Posts) == 0 {
		p.Parked = nil
	}
}

// notePosting notes that a turn of team is about to share drafts in
// channels, before it is saved.
func (e *Engine) notePosting(ctx context.Context, platform, team string, shared []conversation.Post) error {
	if e.docs == nil {
		return nil
	}
	for _, ef := range shared {
		_, err := storage.UpdateDoc(ctx, e.docs, pendingKey(platform, team, ef.Channel), func(p *pending, _ bool) (bool, error) {
			p.live(e.now())
			p.Posts = append(p.Posts, pendingPost{Contract: ef.Shared.Contract, Round: ef.Shared.Round, Since: e.now()})
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("note the posting of %s: %w", ef.Shared.Contract, err)
		}
	}
	return nil
}

// sharedPosts are the shared drafts among effects.
func sharedPosts(effects []conversation.Effect) []conversation.Post {
	var out []conversation.Post
	for _, ef := range effects {
		if p, ok := ef.(conversation.Post); ok && p.Shared != nil && p.Thread == "" {
			out = append(out, p)
		}
	}
	return out
}

// threadOrPark finds the contract whose shared draft thread in.Thread is
// under. When none is recorded and a draft is being posted in the
// channel, it parks the reply for the Posting turn (parked is true); else
// the reply is talk in some other thread ("", false).
func (e *Engine) threadOrPark(ctx context.Context, platform, team string, in conversation.Input, event string) (id string, parked bool, err error) {
	key := learningset.ThreadKey(platform, team, in.Channel, in.Thread)
	_, err = storage.UpdateDoc(ctx, e.docs, pendingKey(platform, team, in.Channel), func(p *pending, exists bool) (bool, error) {
		id, parked = "", false
		data, _, err := e.docs.Doc(ctx, key)
		switch {
		case err == nil:
			id = string(data)
			return false, nil
		case !errors.Is(err, storage.ErrNotFound):
			return false, err
		case !exists:
			return false, nil
		}
		before := len(p.Posts)
		p.live(e.now())
		if len(p.Posts) == 0 {
			return before > 0, nil
		}
		p.Parked = append(p.Parked, parkedMessage{Input: in, Event: event})
		parked = true
		return true, nil
	})
	if err != nil {
		return "", false, fmt.Errorf("thread %s/%s: %w", in.Channel, in.Thread, err)
	}
	return id, parked, nil
}

// recordThread indexes the thread of a shared draft just posted, before
// the Posting turn records it on the contract.
func (e *Engine) recordThread(ctx context.Context, platform, team string, in conversation.Input) error {
	if e.docs == nil || in.Thread == "" {
		return nil
	}
	key := learningset.ThreadKey(platform, team, in.Channel, in.Thread)
	if _, err := e.docs.PutDoc(ctx, key, []byte(in.Contract), storage.AnyRev); err != nil {
		return fmt.Errorf("remember thread of %s: %w", in.Contract, err)
	}
	return nil
}

// posted ends a draft's posting once its Posting turn is saved: it takes
// the replies parked for its thread and runs them as turns. A reply
// whose turn fails is not parked again: its person is told, as for any
// turn that fails.
func (e *Engine) posted(ctx context.Context, t Turn) error {
	if e.docs == nil {
		return nil
	}
	in := t.Input
	var take []parkedMessage
	_, err := storage.UpdateDoc(ctx, e.docs, pendingKey(t.Platform.Name(), t.Team, in.Channel), func(p *pending, exists bool) (bool, error) {
		take = nil
		if !exists {
			return false, nil
		}
		for _, m := range p.Parked {
			if m.Input.Thread == in.Thread {
				take = append(take, m)
			}
		}
		p.Parked = slices.DeleteFunc(p.Parked, func(m parkedMessage) bool { return m.Input.Thread == in.Thread })
		p.Posts = slices.DeleteFunc(p.Posts, func(q pendingPost) bool { return q.Contract == in.Contract && q.Round == in.Round })
		p.live(e.now())
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("end the posting of %s: %w", in.Contract, err)
	}
	var first error
	for _, m := range take {
		err := e.Handle(ctx, Turn{Platform: t.Platform, Team: t.Team, Input: m.Input, Event: m.Event})
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

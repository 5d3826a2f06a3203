package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/storage"
)

// threadContract finds the contract whose shared draft a thread is under;
// "" when the thread is not one. A reply in a thread not recorded yet,
// in a channel where a draft is being posted, is parked for the turn
// that records the thread (see posted.go): parked is then true.
func (e *Engine) threadContract(ctx context.Context, platform, team string, in conversation.Input, event string) (id string, parked bool, err error) {
	if e.docs == nil || in.Thread == "" {
		return "", false, nil
	}
	data, _, err := e.docs.Doc(ctx, learningset.ThreadKey(platform, team, in.Channel, in.Thread))
	switch {
	case err == nil:
		return string(data), false, nil
	case !errors.Is(err, storage.ErrNotFound):
		return "", false, fmt.Errorf("thread %s/%s: %w", in.Channel, in.Thread, err)
	}
	return e.threadOrPark(ctx, platform, team, in, event)
}

// sets loads the team's learning sets with their members now, and the
// input's channel when it is a named channel that is not a set yet.
func (e *Engine) sets(ctx context.Context, p Platform, team, channel string) ([]learningset.View, error) {
	if e.docs == nil {
		return nil, nil
	}
	roster, _ := p.(Roster)
	channels, _, err := e.setIndex(ctx, p.Name(), team)
	if err != nil {
		return nil, err
	}
	var out []learningset.View
	for _, ch := range channels {
		data, _, err := e.docs.Doc(ctx, learningset.Key(p.Name(), team, ch))
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("learning set %s: %w", ch, err)
		}
		v := learningset.View{Exists: true}
		if err := json.Unmarshal(data, &v.Set); err != nil {
			return nil, fmt.Errorf("decode learning set %s: %w", ch, err)
		}
		if roster != nil {
			info, err := roster.Channel(ctx, ch)
			if err != nil {
				// A set the bot was removed from: nobody can be asked there.
				e.log(ctx).Warn("learning set members unavailable", "channel", ch, "err", err)
			} else {
				v.Members = info.Members
				if info.Name != "" {
					v.Set.Name = info.Name
				}
			}
		}
		out = append(out, v)
	}
	if channel != "" && roster != nil && !slices.Contains(channels, channel) {
		if info, err := roster.Channel(ctx, channel); err == nil && info.Name != "" {
			out = append(out, learningset.View{
				Set:     learningset.Set{Platform: p.Name(), Team: team, Channel: channel, Name: info.Name},
				Members: info.Members,
			})
		}
	}
	return out, nil
}

// setIndex reads the list of a team's learning sets.
func (e *Engine) setIndex(ctx context.Context, platform, team string) ([]string, int64, error) {
	data, rev, err := e.docs.Doc(ctx, learningset.IndexKey(platform, team))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("learning sets of %s: %w", team, err)
	}
	var channels []string
	if err := json.Unmarshal(data, &channels); err != nil {
		return nil, 0, fmt.Errorf("decode learning sets of %s: %w", team, err)
	}
	return channels, rev, nil
}

// changeSet applies a turn's change to a learning set, creating it first
// when asked, with an optimistic version check (re-read on conflict).
func (e *Engine) changeSet(ctx context.Context, p Platform, team string, ch conversation.SetChange) error {
	if e.docs == nil {
		return errors.New("learning sets need a document store")
	}
	key := learningset.Key(p.Name(), team, ch.Channel)
	_, err := storage.UpdateDoc(ctx, e.docs, key, func(s *learningset.Set, exists bool) (bool, error) {
		if !exists {
			if ch.Create == nil {
				return false, storage.ErrNotFound
			}
			*s = *ch.Create
			s.Members = maps.Clone(ch.Create.Members) // Apply changes them
		}
		s.Apply(ch.Change, e.now())
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("learning set %s: %w", ch.Channel, err)
	}
	if ch.Create != nil {
		return e.indexSet(ctx, p.Name(), team, ch.Channel)
	}
	return nil
}

// indexSet adds a channel to its team's list of learning sets.
func (e *Engine) indexSet(ctx context.Context, platform, team, channel string) error {
	_, err := storage.UpdateDoc(ctx, e.docs, learningset.IndexKey(platform, team), func(channels *[]string, _ bool) (bool, error) {
		if slices.Contains(*channels, channel) {
			return false, nil
		}
		*channels = append(*channels, channel)
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("index learning set %s: %w", channel, err)
	}
	return nil
}

// post sends a channel or thread message. A shared draft's thread is
// recorded by a turn of its own (Posting) once the platform took it:
// replies then find the contract, and the contract knows where its draft
// was posted.
func (e *Engine) post(ctx context.Context, t Turn, ef conversation.Post) error {
	p := t.Platform
	var ref conversation.MessageRef
	var err error
	if ef.Thread != "" {
		th, ok := p.(Threader)
		if !ok {
			return fmt.Errorf("%s cannot reply in threads", p.Name())
		}
		ref, err = th.PostThread(ctx, conversation.MessageRef{Channel: ef.Channel, TS: ef.Thread}, ef.Message)
	} else if pub, ok := p.(Publisher); ok && ef.Shared != nil {
		ref, err = pub.PostNow(ctx, ef.Channel, ef.Message)
	} else {
		ref, err = p.Post(ctx, ef.Channel, ef.Message)
	}
	if err != nil || ef.Shared == nil || ef.Thread != "" {
		return err
	}
	if ref.TS == "" {
		return fmt.Errorf("shared draft of %s: the post has no id", ef.Shared.Contract)
	}
	if ref.Channel == "" {
		ref.Channel = ef.Channel
	}
	return e.Handle(ctx, Posting(p, t.Team, *ef.Shared, ref))
}

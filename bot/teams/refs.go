package teams

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/storage"
)

// reference is what a proactive message needs to reach a conversation: the
// library's conversation reference plus the tenant, the user's time zone
// and the channel's name.
type reference struct {
	schema.ConversationReference
	TenantID    string `json:"tenantId,omitempty"`
	Timezone    string `json:"timezone,omitempty"`
	ChannelName string `json:"channelName,omitempty"`
	// Removed is set when the app was uninstalled there: nothing is sent
	// until it is added again (which stores a fresh reference).
	Removed bool `json:"removed,omitempty"`
}

// errRemoved is a send to someone who removed the app.
var errRemoved = errors.New("teams: the app was removed from this chat; it can send again once it is added back")

// forget marks the references of a conversation the app was removed from,
// and, in a personal chat, the user's, so that nobody is messaged there.
func (a *Adapter) forget(ctx context.Context, act activity) {
	base, _ := baseConversation(act.Conversation.ID)
	keys := []string{convKey(base)}
	if act.Conversation.ConversationType == "personal" && act.From.ID != "" {
		keys = append(keys, userKey(act.From.ID))
	}
	for _, key := range keys {
		err := a.updateRef(ctx, key, func(ref *reference, exists bool) bool {
			if !exists {
				*ref = reference{TenantID: act.tenant()}
				ref.Conversation = act.Conversation
				ref.Conversation.ID = base
			} else if ref.Removed {
				return false
			}
			ref.Removed = true
			return true
		})
		if err != nil {
			a.log.Warn("cannot mark a conversation reference removed", "key", key, "err", err)
		}
	}
	a.rosters.clear()
	a.log.Info("app removed", "conversation", base, "by", act.From.ID)
}

func userKey(user string) string { return "teams:ref:" + user }

func convKey(conv string) string { return "teams:conv:" + conv }

// formKey is where a form card is kept: by its own id (older cards: by
// their activity id).
func formKey(conv, form string) string { return "teams:form:" + conv + ":" + form }

// lookup returns a stored reference, from memory or storage.
func (a *Adapter) lookup(ctx context.Context, key string) (reference, bool) {
	a.mu.Lock()
	ref, ok := a.refs[key]
	a.mu.Unlock()
	if ok {
		return ref, true
	}
	data, _, err := a.docs.Doc(ctx, key)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			a.log.Warn("cannot read a conversation reference", "key", key, "err", err)
		}
		return reference{}, false
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		a.log.Warn("unreadable conversation reference", "key", key, "err", err)
		return reference{}, false
	}
	a.mu.Lock()
	a.refs[key] = ref
	a.mu.Unlock()
	return ref, true
}

// remember stores a reference under key unless the same one is stored.
func (a *Adapter) remember(ctx context.Context, key string, ref reference) error {
	a.mu.Lock()
	cached, ok := a.refs[key]
	a.mu.Unlock()
	if ok && cached == ref {
		return nil
	}
	return a.updateRef(ctx, key, func(old *reference, exists bool) bool {
		if exists && *old == ref {
			return false
		}
		*old = ref
		return true
	})
}

// updateRef changes the stored reference under key (a zero one when there is
// none; change reports whether it changed it), with a revision check, and
// keeps the result in memory.
func (a *Adapter) updateRef(ctx context.Context, key string, change func(ref *reference, exists bool) bool) error {
	ref, err := storage.UpdateDoc(ctx, a.docs, key, func(ref *reference, exists bool) (bool, error) {
		return change(ref, exists), nil
	})
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.refs[key] = ref
	a.mu.Unlock()
	return nil
}

// convRef is the stored reference of a conversation (a channel's for its
// threads); zero when unknown.
func (a *Adapter) convRef(ctx context.Context, conv string) reference {
	base, _ := baseConversation(conv)
	ref, _ := a.lookup(ctx, convKey(base))
	return ref
}

// serviceOf is where a conversation's connector is: from its reference, or
// the configured default.
func (a *Adapter) serviceOf(ref reference) string {
	return defaultString(ref.ServiceURL, a.cfg.ServiceURL)
}

// serviceURL is serviceOf a conversation's stored reference.
func (a *Adapter) serviceURL(ctx context.Context, conv string) string {
	return a.serviceOf(a.convRef(ctx, conv))
}

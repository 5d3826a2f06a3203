package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// maxBody is the largest activity accepted.
const maxBody = 1 << 20

// Handler serves POST /api/messages, where the Bot Framework delivers
// activities. Unless the adapter is Insecure, each must carry a token the
// channel signed for this app and the activity's service URL.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/messages", a.serveActivity)
	return mux
}

func (a *Adapter) serveActivity(w http.ResponseWriter, r *http.Request) {
	var tok token
	if a.auth != nil {
		// The token is checked from the headers, before the body is read:
		// a stranger's request costs no more than its headers.
		var err error
		if tok, err = a.auth.verify(r.Context(), r.Header.Get("Authorization"), a.cfg.AppID); err != nil {
			a.log.Warn("activity refused", "err", err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if r.ContentLength > maxBody {
		http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read activity", http.StatusBadRequest)
		return
	}
	in, err := decode(body)
	if err != nil {
		http.Error(w, "malformed activity", http.StatusBadRequest)
		return
	}
	if a.auth != nil {
		if err := tok.check(in.act.ServiceURL, in.act.ChannelID); err != nil {
			a.log.Warn("activity refused", "err", err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	switch in.invoke {
	case unsupported:
		w.WriteHeader(http.StatusNotImplemented)
		return
	case badInvoke:
		writeInvoke(w, http.StatusBadRequest, "BadRequest", "That card action could not be read.")
		return
	case fileConsent:
		w.WriteHeader(a.consent(r.Context(), in))
		return
	}
	ack, err := a.accept(in)
	if err == nil {
		err = ack.Wait(r.Context(), a.cfg.AckWait)
	}
	if in.invoke == cardAction {
		// The click's outcome arrives as messages and card updates; the
		// invoke itself is answered once the click is saved.
		if err != nil {
			// The card shows the message: the person can click again.
			a.log.Error("card action not taken", "user", in.act.From.ID, "err", err)
			writeInvoke(w, http.StatusServiceUnavailable, "ServiceUnavailable", "learnpact could not take that just now. Please try again in a moment.")
			return
		}
		writeInvoke(w, http.StatusOK, "", "")
		return
	}
	if err != nil {
		// Never a 2xx for work that was not taken. The connector does not
		// redeliver, so what the person did is lost: say so loudly.
		a.log.Error("activity not taken, not redelivered by Teams", "type", in.act.Type, "user", in.act.From.ID,
			"conversation", in.act.Conversation.ID, "err", err)
		w.Header().Set("Retry-After", "5")
		if errors.Is(err, workpool.ErrBusy) || errors.Is(err, workpool.ErrClosed) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		} else {
			http.Error(w, "not saved", http.StatusServiceUnavailable)
		}
		return
	}
	w.WriteHeader(http.StatusOK)
}

// writeInvoke answers an adaptiveCard/action invoke: the HTTP status and
// an adaptive card invoke response (a message, or an error with a code).
func writeInvoke(w http.ResponseWriter, status int, code, msg string) {
	body := map[string]any{"statusCode": status}
	if code == "" {
		body["type"] = "application/vnd.microsoft.activity.message"
		body["value"] = "Got it."
	} else {
		body["type"] = "application/vnd.microsoft.error"
		body["value"] = map[string]string{"code": code, "message": msg}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body) // the client is gone if this fails
}

// accept queues an activity's work without waiting and returns what to
// wait for before answering it.
func (a *Adapter) accept(in inbound) (*bot.Ack, error) {
	key := in.act.From.ID
	if key == "" {
		key = in.act.Conversation.ID
	}
	ack := bot.NewAck()
	err := a.pool.Submit(key, func(ctx context.Context) {
		// Work that saves no turn is safe once done.
		defer ack.Settle(nil)
		a.run(ctx, in, ack.Settle)
	})
	return ack, err
}

// run does an activity's work on a worker: deduplicate, remember the
// conversation, then run the turn; saved hears when the turn is safe
// (see bot.Turn.Saved).
func (a *Adapter) run(ctx context.Context, in inbound, saved func(error)) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("turn panicked", "type", in.act.Type, "user", in.act.From.ID, "panic", p)
			saved(fmt.Errorf("teams: turn panicked: %v", p))
		}
	}()
	var event string
	if in.act.ID != "" {
		event = "teams:" + in.act.Conversation.ID + ":" + in.act.ID
	}
	if event != "" && in.intent != turn {
		// A turn's event is saved with it (bot.Turn.Event); other work
		// saves nothing and is recorded on its own.
		first, err := a.engine.FirstSeen(ctx, event, seenTTL)
		switch {
		case err != nil:
			a.log.Warn("activity dedupe failed", "activity", in.act.ID, "err", err)
		case !first:
			a.log.Debug("duplicate activity skipped", "activity", in.act.ID)
			return
		}
	}
	if in.intent == removed {
		a.forget(ctx, in.act)
		return
	}
	a.observe(ctx, in.act)
	if in.rosterChanged {
		a.rosters.clear()
	}
	switch in.intent {
	case unknown:
		a.answerUnknown(ctx, in)
	case cancelForm:
		a.cancel(ctx, in)
	case turn:
		if in.input.Kind == conversation.SubmitInput && !a.checkForm(ctx, in) {
			return
		}
		t := bot.Turn{Platform: a, Team: in.act.tenant(), Input: in.input, Event: event, Saved: saved}
		if err := a.handle(ctx, t); err != nil {
			a.log.Debug("turn ended with an error", "kind", in.input.Kind, "user", in.input.User, "err", err)
		}
	}
}

// observe remembers what an activity tells about its conversation and
// sender: the reference for proactive messages, the time zone, the name,
// the bot's own id.
func (a *Adapter) observe(ctx context.Context, act activity) {
	base, _ := baseConversation(act.Conversation.ID)
	ref := reference{TenantID: act.tenant()}
	ref.ServiceURL = act.ServiceURL
	ref.ChannelID = defaultString(act.ChannelID, "msteams")
	ref.Bot = act.Recipient
	ref.Conversation = act.Conversation
	ref.Conversation.ID = base
	if act.Conversation.ConversationType == "personal" {
		ref.User = act.From
		ref.Timezone = act.timezone()
	}
	if ch := act.ChannelData.Channel; ch != nil {
		ref.ChannelName = ch.Name
		// Teams leaves the name out for a team's General channel, whose id
		// is the team's.
		if t := act.ChannelData.Team; ch.Name == "" && t != nil && t.ID != "" && t.ID == ch.ID {
			ref.ChannelName = "General"
		}
	}
	a.mu.Lock()
	if act.Recipient.ID != "" {
		a.botID = act.Recipient.ID
	}
	if act.From.ID != "" && act.From.Name != "" {
		a.names[act.From.ID] = act.From.Name
	}
	if act.From.ID != "" && ref.TenantID != "" {
		a.homes[act.From.ID] = home{tenant: ref.TenantID, serviceURL: act.ServiceURL}
	}
	for _, e := range act.Entities {
		if e.Type == "mention" && e.Mentioned != nil && e.Mentioned.ID != "" && e.Mentioned.Name != "" && e.Mentioned.ID != act.Recipient.ID {
			a.names[e.Mentioned.ID] = e.Mentioned.Name
		}
	}
	if tz := act.timezone(); tz != "" && act.From.ID != "" {
		if loc, err := loadLocation(tz); err == nil {
			a.tz[act.From.ID] = loc
		}
	}
	a.mu.Unlock()
	if err := a.remember(ctx, convKey(base), ref); err != nil {
		a.log.Warn("cannot store a conversation reference", "err", err)
	}
	if act.Conversation.ConversationType == "personal" && act.From.ID != "" {
		if err := a.remember(ctx, userKey(act.From.ID), ref); err != nil {
			a.log.Warn("cannot store a conversation reference", "err", err)
		}
	}
}

// answerUnknown answers a click on a card the bot cannot read.
func (a *Adapter) answerUnknown(ctx context.Context, in inbound) {
	m := message.Message{Summary: "I can't use that card", Blocks: []message.Block{message.Section{Text: message.T(
		"Sorry, I can't do anything with that card. Type ", message.Code("help"), " to see what I can do.")}}}
	if _, err := a.Post(ctx, in.act.Conversation.ID, m); err != nil {
		a.log.Warn("cannot answer an unknown card", "err", err)
	}
}

package slack

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody is the largest request body accepted from Slack.
const maxBody = 1 << 20

// busyReply answers a slash command that could not be queued.
var busyReply = map[string]string{
	"response_type": "ephemeral",
	"text":          "I'm very busy right now and could not take that. Please try again in a minute.",
}

// Handler serves Slack's HTTP requests: POST /slack/events (Events API),
// /slack/interactivity and /slack/commands. Every request must carry a
// valid signature made with the signing secret.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.verified(a.serveEvent))
	mux.HandleFunc("POST /slack/interactivity", a.verified(a.serveInteraction))
	mux.HandleFunc("POST /slack/commands", a.verified(a.serveCommand))
	return mux
}

// verified reads the body of a request that Slack signed and hands it on;
// anything else is refused.
func (a *Adapter) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// Refuses a missing secret, missing headers and a timestamp more
		// than five minutes off.
		sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err != nil {
			level := slog.LevelWarn
			if errors.Is(err, slackapi.ErrInvalidConfiguration) {
				level = slog.LevelError
			}
			a.log.Log(r.Context(), level, "request refused", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		// The timestamp is checked (above) and the declared size here,
		// before the body is read; the signature needs the whole body.
		if r.ContentLength > maxBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		sv.Write(body)
		if err := sv.Ensure(); err != nil {
			a.log.Warn("request refused", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	}
}

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ec, err := parseEvent(body)
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch ec.Type {
	case slackevents.URLVerification:
		writeJSON(w, map[string]string{"challenge": ec.Challenge})
		return
	case slackevents.CallbackEvent:
		if in, ok := a.event(ec); ok {
			retry := r.Header.Get("X-Slack-Retry-Num")
			if retry != "" {
				a.log.Debug("event redelivered", "event", ec.EventID, "retry", retry, "reason", r.Header.Get("X-Slack-Retry-Reason"))
			}
			in.retries = retriesLeft(retry)
			p, err := a.accept(in)
			if err != nil {
				// Unacknowledged, Slack delivers it again later.
				refuse(w, err)
				return
			}
			if err := a.await(r.Context(), p); err != nil {
				a.notSaved(in, err)
				refuse(w, err)
				return
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// retriesLeft reports whether Slack delivers an event again after this
// delivery, X-Slack-Retry-Num retry ("" for the first), is refused.
func retriesLeft(retry string) bool {
	if retry == "" {
		return true
	}
	n, err := strconv.Atoi(retry)
	return err == nil && n < slackRetries
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	in, err := decodeInteraction([]byte(form.Get("payload")))
	switch {
	case errors.Is(err, errIgnored):
		w.WriteHeader(http.StatusOK)
		return
	case err != nil:
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	if problems := a.invalid(in.input); problems != nil {
		// The modal stays open with the problems beside the fields.
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(problems)
		return
	}
	p, err := a.accept(in)
	if err == nil {
		if err = a.await(r.Context(), p); err != nil {
			a.notSaved(in, err)
		}
	}
	if err != nil {
		// Slack shows the person that the click or form did not go
		// through (a form stays open); they can try again. A turn that
		// failed was apologised for in their DM.
		refuse(w, err)
		return
	}
	// An empty answer acknowledges a click and closes a submitted modal.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	in, err := commandInbound(slackapi.SlashCommand{
		TeamID:    form.Get("team_id"),
		ChannelID: form.Get("channel_id"),
		UserID:    form.Get("user_id"),
		Command:   form.Get("command"),
		Text:      form.Get("text"),
		TriggerID: form.Get("trigger_id"),
	})
	if err != nil {
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	p, err := a.accept(in)
	switch {
	case errors.Is(err, errBusy):
		// Slack does not redeliver a slash command, and shows a refusal
		// as a bare error: say so in words instead.
		writeJSON(w, busyReply)
		return
	case err != nil:
		refuse(w, err)
		return
	}
	if err := a.await(r.Context(), p); err != nil {
		// Not redelivered either way: a turn that failed was apologised
		// for in the user's DM, and one that is slow answers there when
		// it is done.
		a.notSaved(in, err)
	}
	// Nothing to show: the answer comes in the user's DM.
	w.WriteHeader(http.StatusOK)
}

// refuse answers a request whose turn could not be queued, or was not
// saved: 429 when the person has too many turns waiting, 503 otherwise
// (the bot is full or shutting down, the store failed, the save took too
// long), each with Retry-After. Slack redelivers events it was refused.
func refuse(w http.ResponseWriter, err error) {
	w.Header().Set("Retry-After", busyRetryAfter)
	switch {
	case errors.Is(err, errPersonBusy):
		http.Error(w, "too many events from this person", http.StatusTooManyRequests)
	case errors.Is(err, errClosed):
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	case errors.Is(err, errBusy):
		http.Error(w, "too busy", http.StatusServiceUnavailable)
	default:
		http.Error(w, "not saved", http.StatusServiceUnavailable)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

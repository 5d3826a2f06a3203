package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/learnpact/learnpact/bot"
)

const (
	// ackTimeout bounds queueing one acknowledgement; an ack that cannot be
	// queued that long is for a connection that is gone.
	ackTimeout = 5 * time.Second
	// Socket Mode connection failures are retried with a growing pause.
	minReconnectPause = time.Second
	maxReconnectPause = 5 * time.Minute
)

// RunSocketMode receives events over Socket Mode until ctx is done,
// reconnecting whenever the connection drops or Slack asks it to. It
// returns an error only when no app-level token is configured.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app-level token (xapp-…)")
	}
	client := socketmode.New(a.newClient(),
		socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))

	drained := make(chan struct{})
	go func() {
		defer close(drained)
		a.drain(ctx, client)
	}()
	defer func() { <-drained }()

	pause := minReconnectPause
	for {
		err := client.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		a.log.Error("Socket Mode stopped; reconnecting", "err", err, "in", pause)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, maxReconnectPause)
	}
}

// drain reads the client's events and does nothing slow: it decodes and
// queues the turn; the acknowledgement waits for the turn's save on a
// goroutine of its own. slack-go stops reading the socket while its event
// channel is full, so this loop must keep up.
func (a *Adapter) drain(ctx context.Context, client *socketmode.Client) {
	var acks sync.WaitGroup
	defer acks.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-client.Events:
			a.socketEvent(ctx, client, evt, &acks)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event, acks *sync.WaitGroup) {
	switch evt.Type {
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		id := evt.Request.EnvelopeID
		r, ok := a.socketRequest(*evt.Request)
		switch {
		case !ok:
			// Unacknowledged, Slack delivers the envelope again later.
		case r.wait == nil:
			a.ack(ctx, client, id, r.payload)
		default:
			acks.Go(func() {
				if err := a.await(ctx, r.wait); err != nil {
					a.notSaved(r.in, err)
					if !r.anyway {
						return // Slack delivers the envelope again later
					}
				}
				a.ack(ctx, client, id, r.payload)
			})
		}
	case socketmode.EventTypeErrorBadMessage:
		// Acknowledge what cannot be read, or Slack sends it again.
		bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
		if bad == nil {
			return
		}
		a.log.Warn("unreadable Socket Mode message", "err", bad.Cause)
		var env struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
			a.ack(ctx, client, env.EnvelopeID, nil)
		}
	case socketmode.EventTypeConnected:
		a.log.Info("Socket Mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("Socket Mode trouble", "event", evt.Type, "detail", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("Socket Mode refused the app-level token")
	default:
		a.log.Debug("Socket Mode event", "event", evt.Type)
	}
}

// socketReply is how an envelope is to be acknowledged.
type socketReply struct {
	// payload is the acknowledgement's payload (nil for none).
	payload any
	// wait, when set, is the turn to wait for: the envelope is
	// acknowledged once it is safe.
	wait *bot.Ack
	in   inbound
	// anyway acknowledges the envelope when the wait ends, saved or not:
	// a slash command, which Slack does not redeliver.
	anyway bool
}

// socketRequest queues the turn an envelope starts and returns how to
// acknowledge it, or false when the envelope must not be acknowledged:
// its turn could not be queued, and Slack is to deliver it again.
func (a *Adapter) socketRequest(req socketmode.Request) (socketReply, bool) {
	var in inbound
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		ec, err := parseEvent(req.Payload)
		if err != nil {
			a.log.Warn("unreadable event", "err", err)
			return socketReply{}, true
		}
		var ok bool
		if in, ok = a.event(ec); !ok {
			return socketReply{}, true
		}
		in.retries = req.RetryAttempt < slackRetries
	case socketmode.RequestTypeInteractive:
		var err error
		in, err = decodeInteraction(req.Payload)
		switch {
		case errors.Is(err, errIgnored):
			return socketReply{}, true
		case err != nil:
			a.log.Warn("unreadable interaction", "err", err)
			return socketReply{}, true
		}
		if problems := a.invalid(in.input); problems != nil {
			return socketReply{payload: problems}, true
		}
	case socketmode.RequestTypeSlashCommands:
		var c slackapi.SlashCommand
		if err := json.Unmarshal(req.Payload, &c); err != nil {
			a.log.Warn("unreadable slash command", "err", err)
			return socketReply{}, true
		}
		var err error
		if in, err = commandInbound(c); err != nil {
			a.log.Warn("unreadable slash command", "err", err)
			return socketReply{}, true
		}
		p, err := a.accept(in)
		switch {
		case errors.Is(err, errBusy):
			return socketReply{payload: busyReply}, true // not redelivered: say so in words
		case err != nil:
			return socketReply{}, false
		}
		return socketReply{wait: p, in: in, anyway: true}, true
	default:
		return socketReply{}, true
	}
	p, err := a.accept(in)
	if err != nil {
		return socketReply{}, false
	}
	return socketReply{wait: p, in: in}, true
}

func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, envelopeID string, payload any) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := client.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.Warn("acknowledgement not sent", "envelope", envelopeID, "err", err)
	}
}

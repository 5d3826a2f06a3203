package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/connector/client"
	"github.com/infracloudio/msbotbuilder-go/schema"
	"github.com/infracloudio/msbotbuilder-go/schema/customerror"
)

// libSender sends and updates activities through msbotbuilder-go's
// ConnectorClient, keeping the client's weak spots from the caller:
//
//   - its token cache is not synchronised, so each client serves one call
//     at a time: a small pool of clients is handed out through a channel
//     (each fetches its own token, so a pool of K clients asks for at most
//     K tokens per token lifetime);
//   - it dereferences a nil response when the token request fails in
//     transport: the panic is recovered into an error and the client
//     replaced;
//   - its HTTP clients have no timeout: each call runs in its own
//     goroutine and is given up after a per-call timeout or when the
//     caller's context ends; its client is then dropped when the call
//     finally ends, a fresh one taking its place in the pool;
//   - it discards the answer (so there is no activity id and no
//     Retry-After): transport errors, 429, 502, 503 and 504 are retried
//     with backoff and jitter, a 500 a few times, a 401 once with a fresh
//     client (and so a fresh token).
//
// Calls whose answer matters (an activity id, a new conversation,
// members) use the adapter's own connector instead.
type libSender struct {
	newClient func() client.Client
	clients   chan client.Client // idle clients; exactly cap(clients) exist
	// timeout bounds one call of the library, its token request included.
	timeout time.Duration
	// backoff is the first wait after a failure; it doubles per attempt,
	// with jitter.
	backoff time.Duration
	// wait waits d or until ctx ends; tests replace it to record waits.
	wait func(ctx context.Context, d time.Duration) error
	log  *slog.Logger
	// stuck counts calls given up on that have not ended yet.
	stuck atomic.Int32
}

const (
	// libClients is the number of library clients (and so of concurrent
	// library calls).
	libClients = 4
	// maxStuck is how many given-up calls may still hang before new calls
	// are refused at once: a connector that answers nobody should not
	// pile up goroutines.
	maxStuck = 16
)

var (
	// errLibPanic marks a call in which the library's client panicked
	// (its token request failed in transport).
	errLibPanic = errors.New("teams: the Bot Framework client failed (token endpoint unreachable?)")
	// errLibTimeout marks a call that got no answer in time.
	errLibTimeout = errors.New("teams: the connector did not answer in time")
)

// newLibSender builds a pool of size library clients for the bot's
// credentials and token endpoint.
func newLibSender(creds auth.CredentialProvider, tokenURL string, size int, log *slog.Logger) (*libSender, error) {
	cfg, err := client.NewClientConfig(creds, tokenURL)
	if err != nil {
		return nil, fmt.Errorf("teams: connector client: %w", err)
	}
	newClient := func() client.Client {
		c, _ := client.NewClient(cfg) // fails only for a nil config
		return c
	}
	s := &libSender{newClient: newClient, clients: make(chan client.Client, size), timeout: callTimeout,
		backoff: 500 * time.Millisecond, wait: sleepCtx, log: log}
	for range size {
		s.clients <- newClient()
	}
	return s, nil
}

// post sends act to target (…/activities, or …/activities/ID for a reply).
func (s *libSender) post(ctx context.Context, target string, act schema.Activity) error {
	return s.do(ctx, http.MethodPost, target, act)
}

// put replaces the activity at target (…/activities/ID).
func (s *libSender) put(ctx context.Context, target string, act schema.Activity) error {
	return s.do(ctx, http.MethodPut, target, act)
}

// do calls the library, retrying what may clear.
func (s *libSender) do(ctx context.Context, method, target string, act schema.Activity) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("teams connector %s: bad URL: %w", method, err)
	}
	serverErrors, renewed := 0, false
	for attempt := 1; ; attempt++ {
		err := s.once(ctx, method, *u, act)
		if err == nil {
			return nil
		}
		err = fmt.Errorf("teams connector %s %s: %w", method, redact(target), err)
		if ctx.Err() != nil || errors.Is(err, errLibTimeout) {
			// A call given up on may still arrive: not repeated.
			return err
		}
		status, isHTTP := libStatus(err)
		switch {
		case errors.Is(err, errLibPanic), isHTTP && status == 0, isHTTP && retryable(status):
		case isHTTP && status == http.StatusInternalServerError:
			if serverErrors++; serverErrors >= maxServerErrors {
				return err
			}
		case isHTTP && status == http.StatusUnauthorized && !renewed:
			renewed = true // once handed in a fresh client
		default:
			return err
		}
		if attempt >= maxAttempts {
			return err
		}
		wait := backoffFor(s.backoff, attempt)
		s.log.Warn("connector call failed, retrying", "method", method, "attempt", attempt, "wait", wait, "err", err)
		if err := s.wait(ctx, min(wait, maxRetryWait)); err != nil {
			return fmt.Errorf("teams connector %s: waiting to retry: %w", method, err)
		}
	}
}

// libStatus is the status of the library's HTTP error (0: nothing was
// answered), and whether err is one.
func libStatus(err error) (int, bool) {
	var he customerror.HTTPError
	if errors.As(err, &he) {
		return he.StatusCode, true
	}
	return 0, false
}

// call states, for a call that may be given up on.
const (
	running int32 = iota
	finished
	abandoned
)

// once makes one library call on a client from the pool.
func (s *libSender) once(ctx context.Context, method string, target url.URL, act schema.Activity) error {
	if n := s.stuck.Load(); n >= maxStuck {
		return fmt.Errorf("%w: %d earlier calls still unanswered", errLibTimeout, n)
	}
	var c client.Client
	select {
	case c = <-s.clients:
	case <-ctx.Done():
		return ctx.Err()
	}
	var state atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- invoke(c, method, target, act)
		if !state.CompareAndSwap(running, finished) {
			s.stuck.Add(-1) // given up on; its client is dropped
		}
	}()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	var cause error
	select {
	case err := <-done:
		s.release(c, err)
		return err
	case <-timer.C:
		cause = errLibTimeout
	case <-ctx.Done():
		cause = ctx.Err()
	}
	if !state.CompareAndSwap(running, abandoned) {
		// It ended just now.
		err := <-done
		s.release(c, err)
		return err
	}
	s.stuck.Add(1)
	s.clients <- s.newClient()
	return cause
}

// release returns a client to the pool after its call, or a fresh one in
// its place when its state is in doubt (it panicked) or its token was
// refused.
func (s *libSender) release(c client.Client, err error) {
	status, isHTTP := libStatus(err)
	if errors.Is(err, errLibPanic) || (isHTTP && status == http.StatusUnauthorized) {
		c = s.newClient()
	}
	s.clients <- c
}

// invoke makes the library call, turning a panic into an error.
func invoke(c client.Client, method string, target url.URL, act schema.Activity) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errLibPanic, p)
		}
	}()
	switch method {
	case http.MethodPost:
		return c.Post(target, act)
	case http.MethodPut:
		return c.Put(target, act)
	}
	return fmt.Errorf("teams: no library call for %s", method)
}

// libActivity is act as the library's schema.Activity. The library's
// entities keep only their type, so top-level mentions are left out (the
// card keeps its own; see Adapter.send for where that matters).
func (a *Adapter) libActivity(ctx context.Context, to reference, conv string, act outActivity) schema.Activity {
	// The library sends what it is given; fill in the envelope Teams'
	// own SDKs send, from the conversation's reference (to).
	out := schema.Activity{Type: schema.ActivityTypes(act.Type), ID: act.ID, Summary: act.Summary, Text: act.Text,
		Timestamp: a.now().UTC(), ChannelID: defaultString(to.ChannelID, "msteams"), ServiceURL: to.ServiceURL,
		From: to.Bot, Recipient: to.User,
		Conversation: schema.ConversationAccount{ID: conv, ConversationType: to.Conversation.ConversationType, TenantID: to.TenantID}}
	if out.From.ID == "" {
		out.From = schema.ChannelAccount{ID: a.BotUserID(ctx)}
	}
	for _, at := range act.Attachments {
		out.Attachments = append(out.Attachments, schema.Attachment{ContentType: at.ContentType, Content: at.Content})
	}
	return out
}

// Package slack connects the bot to Slack: it receives events, clicks,
// form submissions and slash commands over HTTP (Events API,
// interactivity, slash commands) or Socket Mode, runs them as turns of the
// engine, and carries out the engine's effects through the Web API,
// rendering messages as Block Kit.
//
// Turns run on a bounded pool of workers (bot/workpool); turns of one user
// run in order, one at a time. A request or envelope is acknowledged only
// once its turn is safe: the handler queues the turn and waits (at most
// Config.AckWait, well inside Slack's 3 s) until the engine has saved it,
// with the replies it sends (see queue.go), or found its event applied
// already. A turn that cannot be queued (the person has too many waiting,
// or the pool is full), fails before its save (the store is down) or is
// not saved in time is not acknowledged: HTTP requests are answered 429 or
// 503 with Retry-After and Socket Mode envelopes are left unacknowledged,
// so Slack delivers them again, and the redelivery, carrying the same
// event id, is applied once. On the last retry of an event, and for
// clicks and forms, which Slack does not redeliver, the engine tells the
// person directly through the Web API (not the outbox, which is in the
// store that failed). A slash command is answered once its turn is safe,
// or "busy" when it cannot be queued.
//
// No turn waits on a slow Web API call it can do without: the bot's
// identity (auth.test) and people's time zones (users.info) are fetched in
// the background with timeouts and cached, and a turn that finds them
// unknown goes on with what it knows (see identity.go and zones.go).
package slack

import (
	"context"
	"errors"
	"fmt"
	"github.com/learnpact/learnpact/conversation"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/storage"
)

// Config configures the adapter.
type Config struct {
	BotToken      string       // xoxb-...
	AppToken      string       // xapp-... ; Socket Mode when set
	SigningSecret string       // HTTP mode request verification
	APIURL        string       // default "https://slack.com/api/"
	Workers       int          // turn workers (default 8)
	HTTPClient    *http.Client // optional
	// WrapTransport, when set, wraps the Web API client's transport (to
	// count its answers, for metrics).
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Outbox, when set, makes SendDM, Post and Update durable: they queue
	// the message there and return at once, and RunOutbox delivers it
	// within Slack's rate limits, retrying, across restarts (see
	// outbox.go). Without it they call Slack before returning.
	Outbox storage.DueStore
	// MessagesPerMinute is the workspace budget for chat.postMessage
	// (SLACK_MESSAGES_PER_MINUTE): DefaultMessagesPerMinute when 0,
	// none with NoBudget.
	MessagesPerMinute int
	// AckWait bounds how long a request or envelope waits for its turn
	// to be saved before it is refused; 2.5 s when zero.
	AckWait time.Duration
	// Now is the adapter's clock: the outbox's due times and rate limits,
	// and how long channel rosters and time zones are cached; time.Now
	// when nil.
	Now func() time.Time
}

const (
	defaultAPIURL  = "https://slack.com/api/"
	defaultWorkers = 8
	// queueDepth is how many turns may wait per worker; the pool holds
	// Workers × queueDepth.
	queueDepth = 64
	// personDepth is how many of one person's turns may wait: far more
	// than anyone types or clicks, far fewer than the pool holds, so one
	// person's flood is refused before it crowds out everyone else.
	personDepth = 16
	// busyRetryAfter is the Retry-After sent with a refusal.
	busyRetryAfter = "5"
	// turnTimeout bounds one turn, Web API calls and rate-limit waits
	// included.
	turnTimeout = 2 * time.Minute
)

var (
	errBusy       = workpool.ErrBusy
	errPersonBusy = workpool.ErrKeyBusy
	errClosed     = workpool.ErrClosed
)

// Adapter is the Slack platform: inbound handlers and bot.Platform.
type Adapter struct {
	cfg    Config
	engine *bot.Engine
	log    *slog.Logger
	client *http.Client
	api    slackAPI
	// handle runs a turn; engine.Handle.
	handle func(context.Context, bot.Turn) error
	pool   *workpool.Pool

	// id is the bot's identity once auth.test has answered (nil until
	// then); idKnown is closed at that moment. learnIdentity fills them.
	id      atomic.Pointer[identity]
	idKnown chan struct{}
	// refused is Slack's answer to auth.test when it refused the bot
	// token; nil while none did (see CredentialsRefused).
	refused   atomic.Pointer[error]
	idBackoff time.Duration // identityBackoff
	idWait    time.Duration // identityWait

	// bg runs the background fetches (identity, time zones) until
	// bgCtx ends (stop, at Shutdown).
	bg    sync.WaitGroup
	bgCtx context.Context
	stop  context.CancelFunc

	// minRetryWait is the least wait after a 429.
	minRetryWait time.Duration

	imMu sync.Mutex
	ims  map[string]*imEntry // user → DM channel

	zones zones // people's time zones, see zones.go

	roster roster // channels' names and members, for learning sets

	out *outbox.Drain // nil without Config.Outbox
}

var (
	_ bot.Platform  = (*Adapter)(nil)
	_ bot.Threader  = (*Adapter)(nil)
	_ bot.Roster    = (*Adapter)(nil)
	_ bot.Publisher = (*Adapter)(nil)
)

// New builds an adapter and starts its workers. It does not wait for
// Slack: the bot's identity is learnt with auth.test in the background,
// from now on, and turns go on without it while it is unknown.
func New(cfg Config, engine *bot.Engine, log *slog.Logger) (*Adapter, error) {
	return newAdapter(cfg, engine, log, workpool.Limits{PerKey: personDepth})
}

// newAdapter builds an adapter whose pool has limits (a Depth of zero is
// Workers × queueDepth); tests change it with tweaks before its background
// fetches start.
func newAdapter(cfg Config, engine *bot.Engine, log *slog.Logger, limits workpool.Limits, tweaks ...func(*Adapter)) (*Adapter, error) {
	if cfg.BotToken == "" {
		return nil, errors.New("slack: a bot token (xoxb-…) is required")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		return nil, errors.New("slack: an app-level token (Socket Mode) or a signing secret (HTTP) is required")
	}
	if engine == nil {
		return nil, errors.New("slack: an engine is required")
	}
	apiURL, err := normalizeAPIURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	cfg.APIURL = apiURL
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = defaultAckWait
	}
	if log == nil {
		log = slog.Default()
	}
	if limits.Depth <= 0 {
		limits.Depth = cfg.Workers * queueDepth
	}
	client := cfg.HTTPClient
	if client == nil {
		client = defaultClient()
	}
	if cfg.WrapTransport != nil {
		c := *client
		base := c.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		c.Transport = cfg.WrapTransport(base)
		client = &c
	}
	a := &Adapter{
		cfg:    cfg,
		engine: engine,
		log:    log.With("component", "slack"),
		client: client,
		handle: engine.Handle,
		pool:   workpool.New(cfg.Workers, limits),
		ims:    map[string]*imEntry{},
		zones:  newZones(),
		roster: roster{channels: map[string]rosterEntry{}, gen: map[string]uint64{}},

		minRetryWait: time.Second,
		idKnown:      make(chan struct{}),
		idBackoff:    identityBackoff,
		idWait:       identityWait,
	}
	a.api = a.newClient()
	if cfg.Outbox != nil {
		if a.out, err = a.newDrain(cfg); err != nil {
			return nil, err
		}
	}
	for _, tweak := range tweaks {
		tweak(a)
	}
	a.start()
	return a, nil
}

// start begins the background fetches: the bot's identity now, time zones
// as turns ask for them.
func (a *Adapter) start() {
	ctx, stop := context.WithCancel(context.Background())
	a.bgCtx, a.stop = ctx, stop
	a.bg.Go(func() { a.learnIdentity(ctx) })
	for range tzFetchers {
		a.bg.Go(func() { a.fetchZones(ctx) })
	}
}

func normalizeAPIURL(s string) (string, error) {
	if s == "" {
		return defaultAPIURL, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("slack: API URL %q is not an http(s) URL", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// newClient is a Web API client; with the app token it can also open
// Socket Mode connections.
// defaultClient is the Web API client when Config.HTTPClient is nil. It
// keeps enough idle connections for the outbox's concurrent senders and
// the turns' calls: Go's default of two per host would open a new TLS
// connection for about every second message under load.
func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4 * outbox.Senders
	t.MaxIdleConns = 4 * outbox.Senders
	return &http.Client{Timeout: 30 * time.Second, Transport: t}
}

func (a *Adapter) newClient() *slackapi.Client {
	opts := []slackapi.Option{
		slackapi.OptionAPIURL(a.cfg.APIURL),
		slackapi.OptionHTTPClient(a.client),
		slackapi.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)),
	}
	if a.cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(a.cfg.AppToken))
	}
	return slackapi.New(a.cfg.BotToken, opts...)
}

// Name implements bot.Platform.
func (a *Adapter) Name() string { return "slack" }

// Shutdown stops accepting events and waits for the turns already accepted.
// With an outbox, it then stops RunOutbox and delivers the messages due
// now or within a few seconds; the rest stay queued for the next start.
// When ctx ends first, running turns are cancelled and ctx's error is
// returned.
func (a *Adapter) Shutdown(ctx context.Context) error {
	err := a.pool.Shutdown(ctx)
	a.stop()
	a.bg.Wait()
	if a.out != nil && err == nil {
		err = a.out.Shutdown(ctx)
	}
	return err
}

// accept queues a turn without waiting and returns what to wait for
// before acknowledging it. Inbound handlers call it, and do not
// acknowledge what it refuses.
func (a *Adapter) accept(in inbound) (*bot.Ack, error) {
	ack := bot.NewAck()
	err := a.pool.Submit(in.team+"/"+in.input.User, func(ctx context.Context) {
		// A turn that ends without saving anything (an event the bot
		// ignores) is safe to acknowledge.
		defer ack.Settle(nil)
		a.run(ctx, in, ack.Settle)
	})
	switch {
	case errors.Is(err, errPersonBusy):
		// One person's flood, refused event by event: Slack redelivers
		// what is refused, and the log must not flood with it.
		a.log.Debug("event refused: this person has too many waiting", "kind", in.input.Kind, "user", in.input.User)
	case err != nil:
		a.log.Warn("event refused", "kind", in.input.Kind, "user", in.input.User, "err", err)
	}
	return ack, err
}

// notSaved logs an event refused because its turn was not saved (the
// engine logged why, when it failed).
func (a *Adapter) notSaved(in inbound, err error) {
	a.log.Warn("event not acknowledged: its turn was not saved", "kind", in.input.Kind, "user", in.input.User,
		"event", in.event, "err", err)
}

// event reads an Events API callback: it forgets the cached roster of a
// channel whose members changed, and returns the turn the event starts,
// if any. Joins of people other than the bot start none; when the bot's
// id is not known yet, run decides.
func (a *Adapter) event(ec eventCallback) (inbound, bool) {
	if ch, ok := ec.membershipChange(); ok {
		a.forgetChannel(ch)
	}
	in, ok := ec.inbound()
	if !ok {
		return inbound{}, false
	}
	if self := a.identity().user; in.input.Kind == conversation.JoinInput && self != "" && in.joined != self {
		return inbound{}, false
	}
	return in, true
}

// run runs one turn on a worker; saved hears when it is safe (see
// bot.Turn.Saved).
func (a *Adapter) run(ctx context.Context, in inbound, saved func(error)) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("turn panicked", "kind", in.input.Kind, "user", in.input.User, "panic", p)
			saved(fmt.Errorf("slack: turn panicked: %v", p))
		}
	}()
	// The bot's own messages carry a bot id and never get here; its user
	// id, when known, is a second check. Only a join cannot do without it.
	id := a.identity()
	if in.input.Kind == conversation.JoinInput {
		id = a.awaitIdentity(ctx, a.idWait)
	}
	if id.user != "" && in.input.User == id.user {
		return
	}
	if in.input.Kind == conversation.JoinInput && (id.user == "" || in.joined != id.user) {
		return // someone else joined, or who the bot is cannot be told
	}
	if in.mention {
		in.input.Text = stripMention(in.input.Text, id.user)
	}
	team := firstOf(in.team, id.team)
	t := bot.Turn{Platform: a, Team: team, Input: in.input, Event: in.event, Saved: saved, Retries: in.retries}
	if err := a.handle(ctx, t); err != nil {
		a.log.Debug("turn ended with an error", "kind", in.input.Kind, "user", in.input.User, "err", err)
	}
}

// stripMention removes the bot's mention from an app mention's text (or,
// while the bot's id is unknown, a leading mention).
func stripMention(text, botUser string) string {
	if botUser != "" {
		text = strings.ReplaceAll(text, "<@"+botUser+">", "")
	} else if strings.HasPrefix(text, "<@") {
		if i := strings.IndexByte(text, '>'); i > 0 {
			text = text[i+1:]
		}
	}
	return strings.TrimSpace(text)
}

// errorsResponse keeps a modal open with problems shown beside its inputs.
type errorsResponse struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors"`
}

// invalid checks a modal submission while it is being answered; it returns
// the response that keeps the modal open, or nil to accept it. Dates are
// read in the person's time zone, as Step reads them.
func (a *Adapter) invalid(in conversation.Input) *errorsResponse {
	problems := conversation.Validate(in, a.engine.Time(), a.cachedLocation(in.User))
	if problems == nil {
		return nil
	}
	return &errorsResponse{ResponseAction: "errors", Errors: problems}
}

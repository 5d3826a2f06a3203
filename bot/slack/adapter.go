// Package slack connects the bot to Slack: it receives events, clicks,
// form submissions and slash commands over HTTP (Events API,
// interactivity, slash commands) or Socket Mode, runs them as turns of the
// engine, and carries out the engine's effects through the Web API,
// rendering messages as Block Kit.
//
// Every request and envelope is acknowledged at once; the turn runs after
// the acknowledgement on a bounded pool of workers. Turns of one user run
// in order on one worker. When a worker's queue is full the event is still
// acknowledged but dropped and logged (a slash command is answered "busy"),
// so an overloaded bot never makes Slack redeliver a backlog.
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
	// Outbox, when set, makes SendDM, Post and Update durable: they queue
	// the message there and return at once, and RunOutbox delivers it
	// within Slack's rate limits, retrying, across restarts (see
	// outbox.go). Without it they call Slack before returning.
	Outbox storage.DueStore
	// MessagesPerMinute is the workspace budget for chat.postMessage
	// (SLACK_MESSAGES_PER_MINUTE): DefaultMessagesPerMinute when 0,
	// none with NoBudget.
	MessagesPerMinute int
	// Now is the adapter's clock: the outbox's due times and rate limits,
	// and how long channel rosters are cached; time.Now when nil.
	Now func() time.Time
}

const (
	defaultAPIURL  = "https://slack.com/api/"
	defaultWorkers = 8
	// queueDepth is how many turns may wait per worker.
	queueDepth = 64
	// turnTimeout bounds one turn, Web API calls and rate-limit waits
	// included.
	turnTimeout = 2 * time.Minute
	// seenTTL is how long event ids are remembered; Slack retries within
	// minutes.
	seenTTL = time.Hour
)

var (
	errBusy   = workpool.ErrBusy
	errClosed = workpool.ErrClosed
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

	idMu sync.Mutex
	id   identity
	// self is the bot's user id once known, read without waiting for
	// auth.test.
	self atomic.Value // string

	// minRetryWait is the least wait after a 429.
	minRetryWait time.Duration

	imMu sync.Mutex
	ims  map[string]*imEntry // user → DM channel

	tzMu sync.Mutex
	tz   map[string]tzEntry

	roster roster // channels' names and members, for learning sets

	out *outbox // nil without Config.Outbox
}

var (
	_ bot.Platform  = (*Adapter)(nil)
	_ bot.Threader  = (*Adapter)(nil)
	_ bot.Roster    = (*Adapter)(nil)
	_ bot.Publisher = (*Adapter)(nil)
)

// identity is who the bot is, from auth.test.
type identity struct {
	user string
	team string
}

// New builds an adapter and starts its workers. It does not call Slack:
// the bot's identity is learnt with auth.test on first need.
func New(cfg Config, engine *bot.Engine, log *slog.Logger) (*Adapter, error) {
	return newAdapter(cfg, engine, log, queueDepth)
}

func newAdapter(cfg Config, engine *bot.Engine, log *slog.Logger, depth int) (*Adapter, error) {
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
	if log == nil {
		log = slog.Default()
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	a := &Adapter{
		cfg:    cfg,
		engine: engine,
		log:    log.With("component", "slack"),
		client: client,
		handle: engine.Handle,
		pool:   workpool.New(cfg.Workers, depth),
		ims:    map[string]*imEntry{},
		tz:     map[string]tzEntry{},
		roster: roster{channels: map[string]rosterEntry{}, gen: map[string]uint64{}},

		minRetryWait: time.Second,
	}
	a.api = a.newClient()
	if cfg.Outbox != nil {
		a.out = newOutbox(a, cfg.Outbox, cfg.Now, cfg.MessagesPerMinute)
	}
	return a, nil
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
	if a.out != nil && err == nil {
		err = a.out.shutdown(ctx)
	}
	return err
}

// accept queues a turn without waiting. Inbound handlers call it before
// they acknowledge, so the acknowledgement can say whether it was taken.
func (a *Adapter) accept(in inbound) error {
	err := a.pool.Submit(in.team+"/"+in.input.User, func(ctx context.Context) { a.run(ctx, in) })
	if err != nil {
		a.log.Warn("event not handled", "kind", in.input.Kind, "user", in.input.User, "err", err)
	}
	return err
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
	if self, _ := a.self.Load().(string); in.input.Kind == conversation.JoinInput && self != "" && in.joined != self {
		return inbound{}, false
	}
	return in, true
}

// run runs one turn on a worker.
func (a *Adapter) run(ctx context.Context, in inbound) {
	ctx, cancel := context.WithTimeout(ctx, turnTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("turn panicked", "kind", in.input.Kind, "user", in.input.User, "panic", p)
		}
	}()
	if in.eventID != "" {
		first, err := a.engine.FirstSeen(ctx, "slack:"+in.eventID, seenTTL)
		switch {
		case err != nil:
			// Handling a retry twice is better than dropping an event.
			a.log.Warn("event dedupe failed", "event", in.eventID, "err", err)
		case !first:
			a.log.Debug("duplicate event skipped", "event", in.eventID)
			return
		}
	}
	id := a.identity(ctx)
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
	if err := a.handle(ctx, bot.Turn{Platform: a, Team: team, Input: in.input}); err != nil {
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

// identity returns the bot's user and team, calling auth.test until it
// succeeds once. On failure it returns what it knows (possibly nothing).
func (a *Adapter) identity(ctx context.Context) identity {
	a.idMu.Lock()
	defer a.idMu.Unlock()
	if a.id.user != "" {
		return a.id
	}
	var res *slackapi.AuthTestResponse
	err := a.retry(ctx, "auth.test", func() (err error) {
		res, err = a.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		a.log.Error("cannot learn the bot's identity", "err", err)
		return a.id
	}
	a.id = identity{user: res.UserID, team: res.TeamID}
	a.self.Store(res.UserID)
	return a.id
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

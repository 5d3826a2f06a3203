// Package teams connects the bot to Microsoft Teams through the Bot
// Framework: it receives activities on POST /api/messages, runs them as
// turns of the engine, and carries out the engine's effects through the
// Bot Framework connector, rendering messages as Adaptive Cards.
//
// Turns run on a bounded pool of workers (bot/workpool), turns of one user
// in order, one at a time. An activity is answered 200 only once its turn
// is safe: the handler queues the turn and waits (at most Config.AckWait,
// well inside the 10 to 15 s the channel waits) until the engine has
// saved it, with the activity's id as its event so that a repeated
// activity is applied once. An activity whose turn cannot be queued (its
// sender has too many waiting, or the pool is full), fails before its
// save (the store is down) or is not saved in time is answered 503 and
// logged as an error: the Teams connector does not deliver it again. A
// turn that failed is apologised for in the person's chat, sent directly.
//
// With an outbox (Config.Outbox, see outbox.go), the messages a turn sends
// are saved with the turn in the store's Teams outbox and delivered from
// there, replies before nudges, in order within a conversation and within
// Microsoft's published rate limits (limits.go): a process that dies
// between a turn's save and its sends loses nothing. Forms and shared
// drafts are sent directly once the turn is saved, as is everything
// without an outbox.
// Each activity's conversation reference is kept in storage.Docs, so later
// messages (a check-in, a card for the approver) can be sent proactively.
//
// Forms (Slack's modals) become cards posted into the conversation the
// click came from; their submission is checked with conversation.Validate
// and, on problems, the card is shown again with the problems and what was
// typed.
//
// Storage keys (storage.Docs): "teams:ref:USER" is a user's personal chat,
// "teams:conv:CONVERSATION" any conversation or channel the bot has seen,
// "teams:form:CONVERSATION:FORM" a form card (to show it again with
// problems). Bot Framework user ids ("29:…") and conversation ids are
// unique across tenants; each reference also records its tenant.
package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/bot/workpool"
	"github.com/learnpact/learnpact/storage"
)

// Config configures the adapter.
type Config struct {
	// AppID and AppPassword are the bot's Microsoft App registration
	// (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD). Both are needed to send,
	// and incoming activities are then authenticated.
	AppID       string
	AppPassword string
	// TenantID is the bot's home tenant: for a single-tenant app it is
	// where tokens come from, and it is the tenant a user is assumed to be
	// in when the bot messages them first. Optional for multi-tenant apps.
	TenantID string
	// ServiceURL is the connector used to start a conversation nobody has
	// written in yet (default https://smba.trafficmanager.net/teams/).
	// Conversations already seen use the service URL of their activities.
	ServiceURL string
	// TokenURL overrides the token endpoint (default Microsoft's, for the
	// tenant or botframework.com).
	TokenURL string
	// OpenIDMetadataURL overrides where the channel's signing keys are
	// found (default Bot Framework's).
	OpenIDMetadataURL string
	// Insecure accepts activities without authentication and calls the
	// connector without a token, as the Bot Framework Emulator expects
	// (so every call goes through the adapter's own connector client: the
	// library's always asks for a token).
	// Only for a local sandbox or tests; New refuses it together with
	// credentials.
	Insecure bool
	// Docs keeps conversation references and form cards, so that
	// proactive messages (check-ins, digests) reach people after a
	// restart; required.
	Docs storage.Docs
	// HTTPClient makes all outgoing calls (default: 30 s timeout).
	HTTPClient *http.Client
	// Workers is the number of turn workers (default 8).
	Workers int
	// AckWait bounds how long an activity waits for its turn to be saved
	// before it is answered 503; 5 s when zero.
	AckWait time.Duration
	// Now is the clock for tokens (the bot's and the channel's) and the
	// outbox; time.Now when nil. Turns use the engine's clock.
	Now func() time.Time
	// Outbox, when set, keeps the messages turns send until the connector
	// took them (see Queue and RunOutbox): the store's Teams outbox,
	// storage.Stores.Outbox("teams"). Without it they are sent directly
	// after the turn is saved.
	Outbox storage.DueStore
}

const (
	defaultServiceURL = "https://smba.trafficmanager.net/teams/"
	defaultWorkers    = 8
	// queueDepth is how many turns may wait per worker; personDepth how
	// many of one person's (see bot/slack).
	queueDepth  = 64
	personDepth = 16
	turnTimeout = 2 * time.Minute
	// seenTTL is how long the ids of activities that are no turn (a
	// removal, a click on an unknown card) are remembered.
	seenTTL = time.Hour
	// defaultAckWait is how long an activity waits for its turn's save:
	// the channel gives up after 10 to 15 s.
	defaultAckWait = 5 * time.Second
)

// Adapter is the Teams platform: the /api/messages handler and
// bot.Platform.
type Adapter struct {
	cfg    Config
	engine *bot.Engine
	handle func(context.Context, bot.Turn) error
	log    *slog.Logger
	conn   *connector
	// lib sends what needs no answer through the library's client; nil
	// when Insecure (which sends no token), when conn sends everything.
	lib  *libSender
	out  *outbox.Drain // nil without Config.Outbox
	auth *validator    // nil when Insecure
	docs storage.Docs
	pool *workpool.Pool
	now  func() time.Time

	mu    sync.Mutex
	refs  map[string]reference // doc key → reference, as last stored
	tz    map[string]*time.Location
	names map[string]string // user id → display name
	// homes are where users were last seen (tenant and service URL), for
	// starting a chat with someone met only in a channel.
	homes map[string]home
	botID string
	// chatLocks holds a *sync.Mutex per user, so concurrent sends to a
	// user start one chat.
	chatLocks sync.Map
	rosters   rosterCache
}

var (
	_ bot.Platform   = (*Adapter)(nil)
	_ bot.Locator    = (*Adapter)(nil)
	_ bot.Identifier = (*Adapter)(nil)
	_ bot.Roster     = (*Adapter)(nil)
	_ bot.Threader   = (*Adapter)(nil)
)

// New builds an adapter and starts its workers. It calls nobody: tokens
// and signing keys are fetched on first need.
func New(cfg Config, engine *bot.Engine, log *slog.Logger) (*Adapter, error) {
	if engine == nil {
		return nil, errors.New("teams: an engine is required")
	}
	if cfg.Docs == nil {
		return nil, errors.New("teams: a document store (Config.Docs) is required for conversation references")
	}
	hasCreds := cfg.AppID != "" && cfg.AppPassword != ""
	switch {
	case cfg.Insecure && hasCreds:
		return nil, errors.New("teams: Insecure is for a sandbox without credentials; unset it or the app id and password")
	case !cfg.Insecure && !hasCreds:
		return nil, errors.New("teams: set the app id and password (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD)")
	}
	for name, u := range map[string]*string{"service URL": &cfg.ServiceURL, "token URL": &cfg.TokenURL, "OpenID metadata URL": &cfg.OpenIDMetadataURL} {
		if *u == "" {
			continue
		}
		p, err := url.Parse(*u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("teams: %s %q is not an http(s) URL", name, *u)
		}
	}
	if cfg.ServiceURL == "" {
		cfg.ServiceURL = defaultServiceURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = "https://login.microsoftonline.com/" + defaultString(cfg.TenantID, auth.DefaultChannelAuthTenant) + "/oauth2/v2.0/token"
	}
	if cfg.OpenIDMetadataURL == "" {
		cfg.OpenIDMetadataURL = auth.ToBotFromChannelOpenIDMetadataURL[0]
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = defaultAckWait
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "teams")
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	creds := auth.SimpleCredentialProvider{AppID: cfg.AppID, Password: cfg.AppPassword}
	a := &Adapter{
		cfg: cfg, engine: engine, handle: engine.Handle, log: log, now: now,
		conn: &connector{http: client, tokenURL: cfg.TokenURL, creds: creds, now: now, log: log,
			backoff: 500 * time.Millisecond, wait: sleepCtx},
		docs:  cfg.Docs,
		pool:  workpool.New(cfg.Workers, workpool.Limits{Depth: cfg.Workers * queueDepth, PerKey: personDepth}),
		refs:  map[string]reference{},
		tz:    map[string]*time.Location{},
		names: map[string]string{},
		homes: map[string]home{},
	}
	if cfg.Outbox != nil {
		drain, err := a.newDrain(cfg.Outbox, now)
		if err != nil {
			return nil, err
		}
		a.out = drain
	}
	if !cfg.Insecure {
		a.auth = &validator{metadataURL: cfg.OpenIDMetadataURL, http: client, now: now}
		lib, err := newLibSender(creds, cfg.TokenURL, libClients, log)
		if err != nil {
			return nil, err
		}
		a.lib = lib
	}
	return a, nil
}

// Name implements bot.Platform.
func (a *Adapter) Name() string { return "teams" }

// BotUserID implements bot.Identifier: the bot's id in Teams ("28:…").
func (a *Adapter) BotUserID(context.Context) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.botID != "" {
		return a.botID
	}
	if a.cfg.AppID != "" {
		return "28:" + a.cfg.AppID
	}
	return ""
}

// Location implements bot.Locator: the time zone the user's Teams client
// last reported, or UTC.
func (a *Adapter) Location(ctx context.Context, user string) *time.Location {
	a.mu.Lock()
	loc := a.tz[user]
	a.mu.Unlock()
	if loc != nil {
		return loc
	}
	if ref, ok := a.lookup(ctx, userKey(user)); ok && ref.Timezone != "" {
		if l, err := time.LoadLocation(ref.Timezone); err == nil {
			a.mu.Lock()
			a.tz[user] = l
			a.mu.Unlock()
			return l
		}
	}
	return time.UTC
}

// Shutdown stops accepting activities and waits for the turns already
// accepted; when ctx ends first, running turns are cancelled. With an
// outbox it then stops RunOutbox, delivers what may go now and leaves the
// rest in the store for the next start.
func (a *Adapter) Shutdown(ctx context.Context) error {
	err := a.pool.Shutdown(ctx)
	if a.out != nil {
		err = errors.Join(err, a.out.Shutdown(ctx))
	}
	return err
}

// home is the tenant and service URL a user was last seen with.
type home struct{ tenant, serviceURL string }

// baseConversation strips a channel thread's ";messageid=" suffix.
func baseConversation(id string) (channel, root string) {
	channel, root, _ = strings.Cut(id, ";messageid=")
	return channel, root
}

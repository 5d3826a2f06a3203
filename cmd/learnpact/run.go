package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/sandbox"
	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/bot/teams"
	"github.com/learnpact/learnpact/scheduler"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/embedded"
	redisstore "github.com/learnpact/learnpact/storage/redis"
)

// Main is the running server: the store, the turn engine, the Slack adapter
// and, without Slack credentials, the sandbox workspace. Run starts it and
// Close stops it, so tests can run the whole program in-process.
type Main struct {
	Config Config
	// Stdout receives the line that tells where the sandbox is; os.Stdout
	// when nil.
	Stdout io.Writer
	// Log is built from Config when nil.
	Log *slog.Logger
	// Clock is the sandbox's clock; a wall clock when nil. Unused with
	// real Slack.
	Clock *sandbox.Clock

	// stores is the opened store and what it keeps; store is its Turns.
	stores  storage.Stores
	store   storage.Store
	metrics *metrics
	engine  *bot.Engine
	sched   *scheduler.Scheduler
	// stopSched ends the scheduler's cron and the sandbox clock watcher.
	stopSched context.CancelFunc
	adapter   *slackbot.Adapter // nil when Slack is off
	teams     *teams.Adapter    // nil when Teams is not configured
	sandbox   *sandbox.Workspace
	ln        net.Listener
	srv       *http.Server
	url       string

	closeOnce sync.Once
	closeErr  error
	// draining turns new Slack requests away while in-flight turns finish,
	// and makes /readyz fail.
	draining atomic.Bool
	// readyNow is /readyz's clock; time.Now when nil.
	readyNow func() time.Time
	// cancel ends Socket Mode; endRequests ends the requests in progress.
	cancel      context.CancelFunc
	endRequests context.CancelFunc
	wg          sync.WaitGroup
	errc        chan error
}

// NewMain returns a Main for c.
func NewMain(c Config) *Main {
	return &Main{Config: c, errc: make(chan error, 2)}
}

// Run opens the store, starts serving and returns once the server
// accepts connections. After a failed Run, Close is not needed.
func (m *Main) Run(ctx context.Context) (err error) {
	if m.Log == nil {
		m.Log = newLogger(m.Config, os.Stderr)
	}
	if m.Stdout == nil {
		m.Stdout = os.Stdout
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, m.Close())
		}
	}()

	mode := m.Config.Mode()
	if mode == ModeSandbox && m.Clock == nil {
		m.Clock = sandbox.NewWallClock()
	}
	if m.stores, err = m.openStore(); err != nil {
		return err
	}
	m.metrics = newMetrics()
	m.store = m.stores.Turns
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on ADDR=%s: %w", m.Config.Addr, err)
	}
	m.url = "http://" + reachable(m.ln.Addr())
	dueStore, err := m.newEngine(mode)
	if err != nil {
		return err
	}

	if mode != ModeOff {
		if err := m.startSlack(ctx, mode); err != nil {
			return err
		}
	}
	if m.Config.Teams() || mode == ModeSandbox {
		if err := m.startTeams(ctx, mode); err != nil {
			return err
		}
	}
	if err := m.startScheduler(ctx, dueStore); err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	m.startRecovery(runCtx)
	reqCtx, endRequests := context.WithCancel(context.WithoutCancel(ctx))
	m.endRequests = endRequests
	lim := m.Config.HTTP
	if lim == (HTTPLimits{}) {
		lim = defaultHTTPLimits
	}
	m.srv = &http.Server{
		Handler:           m.routes(),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		// Requests end when Close cancels this context, so long-lived
		// ones (the sandbox page's event stream) do not hold up shutdown.
		BaseContext: func(net.Listener) context.Context { return reqCtx },
	}
	m.goFatal("http server", func() error {
		if err := m.srv.Serve(newLimitListener(m.ln, lim.MaxConnections)); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	if mode == ModeSocket {
		m.goFatal("socket mode", func() error {
			if err := m.adapter.RunSocketMode(runCtx); err != nil && runCtx.Err() == nil {
				return err
			}
			return nil
		})
	}

	switch mode {
	case ModeSandbox:
		if host, _, _ := net.SplitHostPort(m.Config.Addr); !loopback(host) {
			m.Log.Warn("the sandbox has no authentication, and SANDBOX_EXPOSE=1 lets it listen where other machines can reach it",
				"addr", m.ln.Addr().String())
		}
		fmt.Fprintf(m.Stdout, "learnpact sandbox: open %s\n", m.url)
	case ModeSocket:
		m.Log.Info("receiving Slack events over Socket Mode", "addr", m.ln.Addr().String(), "store", m.storeName())
	case ModeHTTP:
		m.Log.Info("serving Slack requests on /slack/events, /slack/interactivity, /slack/commands",
			"addr", m.ln.Addr().String(), "store", m.storeName())
	}
	if m.Config.Teams() {
		m.Log.Info("serving Teams activities on /api/messages", "addr", m.ln.Addr().String(), "store", m.storeName())
	}
	return nil
}

// startSlack builds the Slack adapter: the sandbox workspace's, or a real
// workspace's, with its outbox when the store keeps one.
func (m *Main) startSlack(ctx context.Context, mode Mode) error {
	slackCfg := slackbot.Config{
		BotToken:      m.Config.SlackBotToken,
		AppToken:      m.Config.SlackAppToken,
		SigningSecret: m.Config.SlackSigningSecret,
		APIURL:        m.Config.SlackAPIURL,
	}
	if mode == ModeSandbox {
		m.sandbox = sandbox.New(sandbox.Config{
			BotURL:    m.url,
			URL:       m.url,
			Clock:     m.Clock,
			Log:       m.Log.With("component", "sandbox"),
			StatePath: m.Config.SandboxStatePath(),
			WorkingMorning: func(t time.Time, loc *time.Location) time.Time {
				if s := m.Config.Hours.Next(t, loc); s.After(t) {
					return s // outside working hours: when they next begin
				}
				return m.Config.Hours.NextDay(t, loc)
			},
		})
		slackCfg = slackbot.Config{
			BotToken:      m.sandbox.Token(),
			SigningSecret: m.sandbox.Secret(),
			APIURL:        m.url + "/api/",
		}
	}
	slackCfg.Outbox = m.stores.Outbox("slack")
	slackCfg.WrapTransport = m.metrics.countLimits("slack")
	slackCfg.MessagesPerMinute = m.Config.SlackMessagesPerMinute
	var err error
	m.adapter, err = slackbot.New(slackCfg, m.engine, m.Log)
	if err != nil {
		return fmt.Errorf("start the Slack adapter: %w", err)
	}
	if slackCfg.Outbox != nil {
		// Not cancelled by Close: Shutdown stops it between deliveries,
		// so no call is cut short after Slack may have taken it.
		m.goFatal("outbox", func() error { return m.adapter.RunOutbox(context.WithoutCancel(ctx)) })
	}
	return nil
}

// startTeams builds the Teams adapter. In sandbox mode, without
// credentials, /api/messages takes unauthenticated activities on this
// machine, for the Bot Framework Emulator.
func (m *Main) startTeams(ctx context.Context, mode Mode) error {
	cfg := teams.Config{
		HTTPClient:  &http.Client{Timeout: 30 * time.Second, Transport: m.metrics.countLimits("teams")(http.DefaultTransport)},
		AppID:       m.Config.TeamsAppID,
		AppPassword: m.Config.TeamsAppPassword,
		TenantID:    m.Config.TeamsTenantID,
		Insecure:    mode == ModeSandbox && !m.Config.Teams(),
		Docs:        m.stores.Docs,
		Outbox:      m.stores.Outbox("teams"),
	}
	var err error
	m.teams, err = teams.New(cfg, m.engine, m.Log.With("component", "teams"))
	if err != nil {
		return fmt.Errorf("start the Teams adapter: %w", err)
	}
	// Not cancelled by Close: Shutdown stops it between deliveries, so no
	// call is cut short after the connector may have taken it.
	m.goFatal("teams outbox", func() error { return m.teams.RunOutbox(context.WithoutCancel(ctx)) })
	return nil
}

// platforms are the adapters serving people, by name.
func (m *Main) platforms() map[string]bot.Platform {
	out := map[string]bot.Platform{}
	if m.adapter != nil {
		out[m.adapter.Name()] = m.adapter
	}
	if m.teams != nil {
		out[m.teams.Name()] = m.teams
	}
	return out
}

// routes serves the health and readiness checks, the bot's Slack
// endpoints and, in sandbox mode, the sandbox's page and Web API.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})
	now := m.readyNow
	if now == nil {
		now = time.Now
	}
	mux.Handle("GET /readyz", &readiness{ping: m.store.Ping, draining: m.draining.Load, now: now, refused: m.credentialsRefused,
		log: m.Log.With("component", "readiness")})
	backlog := map[string]storage.Backlog{}
	for name := range m.platforms() {
		if b, ok := m.stores.Outbox(name).(storage.Backlog); ok {
			backlog[name] = b
		}
	}
	m.metrics.reg.MustRegister(newOutboxes(time.Now, backlog))
	mux.Handle("GET /metrics", m.metrics.handler(m.Config.MetricsToken))
	if m.adapter != nil && (m.Config.Mode() != ModeSocket || m.Config.SlackSigningSecret != "") {
		mux.Handle("/slack/", m.metrics.acks("slack", m.unlessDraining(m.adapter.Handler())))
	}
	if m.teams != nil {
		// More specific than the sandbox's Web API under /api/.
		h := m.teams.Handler()
		if m.sandbox != nil {
			// Unauthenticated, for the Bot Framework Emulator: programs on
			// this machine only, never a web page.
			h = m.sandbox.LocalOnly(h)
		}
		mux.Handle("/api/messages", m.metrics.acks("teams", m.unlessDraining(h)))
	}
	if m.sandbox != nil {
		mux.Handle("/", m.sandbox.Handler()) // the page, and the Web API under /api/
	}
	return mux
}

// credentialsRefused reports a platform that refused the bot's
// credentials: Slack's auth.test, Microsoft's token endpoint.
func (m *Main) credentialsRefused() error {
	if m.adapter != nil {
		if err := m.adapter.CredentialsRefused(); err != nil {
			return fmt.Errorf("slack: %w", err)
		}
	}
	if m.teams != nil {
		if err := m.teams.CredentialsRefused(); err != nil {
			return fmt.Errorf("teams: %w", err)
		}
	}
	return nil
}

// unlessDraining answers 503 once shutdown has begun; Slack (and the
// sandbox) retry later.
func (m *Main) unlessDraining(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.draining.Load() {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Close stops taking new events, lets in-flight turns finish (within
// Config.ShutdownTimeout), stops the server, saves the sandbox workspace
// and closes the store. Calls after the first return the first result.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	timeout := m.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = defaultShutdown
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	var errs []error
	m.draining.Store(true)
	if m.cancel != nil {
		m.cancel() // ends Socket Mode
	}
	if m.sched != nil {
		m.stopSched()
		m.sched.Stop() // finishes the nudge in progress, gives back the rest
	}
	if m.adapter != nil {
		// In sandbox mode turns still call the sandbox's Web API on this
		// server, so it stops after them.
		if err := m.adapter.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("wait for in-flight turns: %w", err))
		}
	}
	if m.teams != nil {
		if err := m.teams.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("wait for in-flight Teams turns: %w", err))
		}
	}
	if m.srv != nil {
		m.endRequests()
		if err := m.srv.Shutdown(ctx); err != nil {
			m.srv.Close()
			errs = append(errs, fmt.Errorf("stop http server: %w", err))
		}
	} else if m.ln != nil {
		m.ln.Close()
	}
	m.wg.Wait()
	if m.sandbox != nil {
		if err := m.sandbox.Close(); err != nil {
			errs = append(errs, fmt.Errorf("save the sandbox workspace: %w", err))
		}
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	return errors.Join(errs...)
}

// newEngine builds the turn engine with the scheduler's planner, which
// keeps each contract's check-ins and reminders in step with it, and
// returns the store of those. In sandbox mode the sandbox clock is the
// engine's.
func (m *Main) newEngine(mode Mode) (storage.DueStore, error) {
	planner := scheduler.NewPlanner(scheduler.PlannerConfig{Digests: m.Config.Digests})
	cfg := bot.Config{Store: m.stores.Turns, Docs: m.stores.Docs, Erase: m.stores.Erase, Library: m.stores.Library, Planner: planner, Log: m.Log.With("component", "engine"),
		ImpactDays: m.Config.ImpactDays, Reports: bot.Reports{Contracts: m.stores.Erase, Admins: m.Config.Admins}, Approvers: m.Config.Approvers,
		Templates: m.Config.Templates}
	cfg.Observer = m.metrics
	if mode == ModeSandbox {
		cfg.Now = m.Clock.Now
	}
	var err error
	if m.engine, err = bot.New(cfg); err != nil {
		return nil, fmt.Errorf("build the engine: %w", err)
	}
	// The engine saves each turn's changes to due items in the store's
	// Due, with the turn.
	return m.stores.Due, nil
}

// startScheduler runs the check-ins and reminders. The store keeps the due
// items; in sandbox mode the sandbox clock drives them, and moving it
// forward sweeps at once so the page shows what came due.
func (m *Main) startScheduler(ctx context.Context, dueStore storage.DueStore) error {
	var err error
	m.sched, err = scheduler.New(scheduler.Config{
		Due:       dueStore,
		Handler:   m.engine,
		Platforms: m.platforms(),
		Now:       m.engine.Time,
		Hours:     m.Config.Hours,
		Log:       m.Log.With("component", "scheduler"),
		Lag:       m.metrics.DueLag,
		Housekeeping: func(ctx context.Context) error {
			if _, err := m.engine.RetainClosed(ctx, m.Config.RetainClosed); err != nil {
				return err
			}
			_, err := m.engine.RepairLibrary(ctx)
			return err
		},
	})
	if err != nil {
		return fmt.Errorf("start the scheduler: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := m.sched.Start(runCtx); err != nil {
		cancel()
		return fmt.Errorf("start the scheduler: %w", err)
	}
	m.stopSched = cancel
	if m.sandbox != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-m.Clock.Changed():
					if _, err := m.sched.Sweep(runCtx); err != nil && runCtx.Err() == nil {
						m.Log.Error("sweep after the sandbox clock moved", "err", err)
					}
				}
			}
		}()
	}
	return nil
}

// recoverer is a store whose saves take several steps (Redis Cluster) and
// which finishes those a process left half done.
type recoverer interface {
	Recover(ctx context.Context, olderThan time.Duration) (int, error)
}

// startRecovery finishes, at start and every redisstore.RecoverEvery, the
// saves that a process which died left half done, on stores that can
// leave them (Redis Cluster).
func (m *Main) startRecovery(ctx context.Context) {
	r, ok := m.stores.Turns.(recoverer)
	if !ok {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(redisstore.RecoverEvery)
		defer t.Stop()
		for {
			n, err := r.Recover(ctx, redisstore.RecoverAfter)
			switch {
			case err != nil && ctx.Err() == nil:
				m.Log.Error("finishing saves left half done", "err", err)
			case n > 0:
				m.Log.Warn("finished saves a stopped process left half done", "saves", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// URL is the server's base URL, reachable from this machine.
func (m *Main) URL() string { return m.url }

// Err receives an error if the server or the Socket Mode connection stops
// on its own.
func (m *Main) Err() <-chan error { return m.errc }

func (m *Main) goFatal(what string, f func() error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := f(); err != nil {
			m.errc <- fmt.Errorf("%s: %w", what, err)
		}
	}()
}

func (m *Main) openStore() (storage.Stores, error) {
	if m.Config.RedisURL != "" {
		s, err := redisstore.Open(m.Config.RedisURL)
		if err != nil {
			return storage.Stores{}, fmt.Errorf("open Redis store (check REDIS_URL): %w", err)
		}
		return s.Stores(), nil
	}
	var opts []embedded.Option
	if m.Config.Mode() == ModeSandbox {
		opts = append(opts, embedded.WithClock(m.Clock.Now))
	}
	s, err := embedded.Open(m.Config.DataPath, opts...)
	if errors.Is(err, embedded.ErrInUse) {
		return storage.Stores{}, fmt.Errorf("%w; stop it, or set LEARNPACT_DATA to another file", err)
	}
	if err != nil {
		return storage.Stores{}, fmt.Errorf("open the embedded store (LEARNPACT_DATA=%s): %w", m.Config.DataPath, err)
	}
	return s.Stores(), nil
}

func (m *Main) storeName() string { return m.stores.Name }

// reachable turns a listener's address into host:port that a browser on
// this machine can open.
func reachable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

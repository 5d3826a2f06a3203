package main

import (
	"errors"
	"fmt"
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/scheduler"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/conversation/template"
)

// Defaults for settings left unset.
const (
	defaultAddr        = ":3000"
	defaultSandboxAddr = "127.0.0.1:3000"
	defaultDataPath    = "./learnpact.db"
	defaultSlackAPIURL = "https://slack.com/api/"
	defaultShutdown    = 20 * time.Second
	// defaultRetainClosed keeps closed contracts two years.
	defaultRetainClosed = 2 * 365 * day
	day                 = 24 * time.Hour
)

// Mode is how the bot reaches Slack.
type Mode string

const (
	// ModeSandbox runs a local Slack-compatible workspace in the browser.
	ModeSandbox Mode = "sandbox"
	// ModeHTTP receives events, clicks and commands on /slack/*.
	ModeHTTP Mode = "http"
	// ModeSocket receives them over a Socket Mode connection.
	ModeSocket Mode = "socket"
	// ModeOff serves no Slack workspace: Teams only.
	ModeOff Mode = "off"
)

// Config is the server's configuration, read from the environment.
type Config struct {
	Addr     string // ADDR
	RedisURL string // REDIS_URL; the embedded store is used when empty
	DataPath string // LEARNPACT_DATA

	SlackBotToken      string // SLACK_BOT_TOKEN
	SlackSigningSecret string // SLACK_SIGNING_SECRET
	SlackAppToken      string // SLACK_APP_TOKEN
	SlackAPIURL        string // SLACK_API_URL
	// SlackMessagesPerMinute is the workspace's budget for
	// chat.postMessage (SLACK_MESSAGES_PER_MINUTE):
	// slackbot.DefaultMessagesPerMinute when unset, slackbot.NoBudget
	// when 0.
	SlackMessagesPerMinute int

	// The Teams bot's Azure registration; Teams is served on
	// /api/messages when they are set.
	TeamsAppID       string // MICROSOFT_APP_ID
	TeamsAppPassword string // MICROSOFT_APP_PASSWORD
	TeamsTenantID    string // MICROSOFT_APP_TENANT_ID, for single-tenant bots

	LogLevel  slog.Level // LOG_LEVEL
	LogFormat string     // LOG_FORMAT: text or json

	// Hours are when nudges may reach people, in each one's own time zone
	// (WORK_HOURS, WORK_DAYS, HOLIDAYS).
	Hours scheduler.Hours
	// Digests is when approvers get their digest (DIGEST_SPEC, a cron
	// spec in UTC); the zero value is Mondays at 09:00.
	Digests scheduler.DigestSchedule
	// Approvers is who may approve whose contracts (APPROVERS: anyone,
	// @group-handle or file:PATH).
	Approvers approverpolicy.Policy
	// ImpactDays are the impact check-backs after completion, in days
	// (IMPACT_CHECKS, like 30d,90d).
	ImpactDays []int
	// TemplatesDir is the directory of contract templates
	// (LEARNPACT_TEMPLATES); Templates what it holds, or the shipped
	// examples when it is unset.
	TemplatesDir string
	Templates    *template.Library
	// Admins may run /contract report over every contract
	// (LEARNPACT_ADMINS: user ids, separated by commas or spaces).
	Admins []string

	// ShutdownTimeout bounds how long Close waits for in-flight turns.
	ShutdownTimeout time.Duration

	// RetainClosed is how long closed (completed or withdrawn) contracts
	// are kept (RETAIN_CLOSED, default two years).
	RetainClosed time.Duration

	// HTTP bounds what clients can hold of the server (HTTP_*).
	HTTP HTTPLimits
	// MetricsToken is the bearer token GET /metrics asks for
	// (METRICS_TOKEN); without one, /metrics answers loopback callers
	// only.
	MetricsToken string
	// SandboxExpose lets the sandbox listen on an address other hosts can
	// reach (SANDBOX_EXPOSE=1); it has no authentication, so it is refused
	// without this, and warned about with it.
	SandboxExpose bool
}

// SandboxStatePath is the file that keeps the sandbox workspace (its
// conversations, App Home tabs and clock) across restarts.
func (c Config) SandboxStatePath() string { return c.DataPath + ".sandbox.json" }

// Teams reports whether a Teams bot is configured.
func (c Config) Teams() bool { return c.TeamsAppID != "" }

// Mode reports how the bot reaches Slack: the sandbox when neither Slack
// nor Teams is configured.
func (c Config) Mode() Mode {
	switch {
	case c.SlackBotToken == "" && c.Teams():
		return ModeOff
	case c.SlackBotToken == "":
		return ModeSandbox
	case c.SlackAppToken != "":
		return ModeSocket
	default:
		return ModeHTTP
	}
}

// LoadConfig reads the configuration from getenv (os.Getenv in main) and
// checks it. The error lists every problem with what to set.
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		Addr:               env("ADDR"),
		MetricsToken:       env("METRICS_TOKEN"),
		RedisURL:           env("REDIS_URL"),
		DataPath:           env("LEARNPACT_DATA"),
		SlackBotToken:      env("SLACK_BOT_TOKEN"),
		SlackSigningSecret: env("SLACK_SIGNING_SECRET"),
		SlackAppToken:      env("SLACK_APP_TOKEN"),
		SlackAPIURL:        env("SLACK_API_URL"),
		TeamsAppID:         env("MICROSOFT_APP_ID"),
		TeamsAppPassword:   env("MICROSOFT_APP_PASSWORD"),
		TeamsTenantID:      env("MICROSOFT_APP_TENANT_ID"),
		LogFormat:          strings.ToLower(env("LOG_FORMAT")),
		ShutdownTimeout:    defaultShutdown,
		HTTP:               defaultHTTPLimits,
		RetainClosed:       defaultRetainClosed,
	}
	if c.DataPath == "" {
		c.DataPath = defaultDataPath
	}
	if c.SlackAPIURL == "" {
		c.SlackAPIURL = defaultSlackAPIURL
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	if c.Addr == "" {
		c.Addr = defaultAddr
		if c.Mode() == ModeSandbox {
			// The sandbox has no authentication: keep it on this machine.
			c.Addr = defaultSandboxAddr
		}
	}

	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	hours, err := scheduler.HoursFromEnv(getenv)
	if err != nil {
		errs = append(errs, err)
	}
	c.Hours = hours
	if admins := env("LEARNPACT_ADMINS"); admins != "" {
		c.Admins = strings.FieldsFunc(admins, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	}
	if c.Approvers, err = approverpolicy.Parse(env("APPROVERS"), os.ReadFile); err != nil {
		errs = append(errs, err)
	}
	c.TemplatesDir = env("LEARNPACT_TEMPLATES")
	if c.Templates, err = loadTemplates(c.TemplatesDir); err != nil {
		errs = append(errs, err)
	}
	if c.Digests, err = scheduler.ParseDigestSchedule(env("DIGEST_SPEC")); err != nil {
		errs = append(errs, fmt.Errorf("DIGEST_SPEC (when approvers get their digest; unset for Mondays at 09:00 UTC): %w", err))
	}
	if c.ImpactDays, err = scheduler.ParseImpactChecks(env("IMPACT_CHECKS")); err != nil {
		errs = append(errs, fmt.Errorf("IMPACT_CHECKS (when to ask whether a completed contract changed how people work; unset for 30d,90d): %w", err))
	}

	if host, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("ADDR must be host:port or :port, like :3000 or 127.0.0.1:3000 (got %q)", c.Addr)
	} else if c.SandboxExpose, err = yesNo(env("SANDBOX_EXPOSE")); err != nil {
		bad("SANDBOX_EXPOSE must be 1 or 0 (got %q)", env("SANDBOX_EXPOSE"))
	} else if c.Mode() == ModeSandbox && !loopback(host) && !c.SandboxExpose {
		bad("ADDR=%s would serve the sandbox, which has no authentication, to other machines: use 127.0.0.1:PORT, set SLACK_BOT_TOKEN or MICROSOFT_APP_ID for a real workspace, or set SANDBOX_EXPOSE=1 if you mean it", c.Addr)
	}
	errs = append(errs, c.HTTP.fromEnv(env)...)
	if v := env("RETAIN_CLOSED"); v != "" {
		if c.RetainClosed, err = parseAge(v); err != nil {
			bad("RETAIN_CLOSED must be how long closed contracts are kept, like 2y, 18m (months) or 400d, at least a day (got %q)", v)
		}
	}
	if c.RedisURL != "" {
		// storage/redis checks the rest (and names Cluster and Sentinel
		// forms). The value is not echoed: it may hold a password.
		if scheme, _, ok := strings.Cut(c.RedisURL, "://"); !ok || !strings.HasPrefix(strings.ToLower(scheme), "redis") {
			bad("REDIS_URL must be a redis:// or rediss:// URL like redis://localhost:6379/0, or unset to use the embedded store at LEARNPACT_DATA")
		}
	}
	if u, err := url.Parse(c.SlackAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("SLACK_API_URL must be an http(s) URL like %s (got %q)", defaultSlackAPIURL, c.SlackAPIURL)
	} else if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if c.SlackMessagesPerMinute, err = messagesPerMinute(env("SLACK_MESSAGES_PER_MINUTE")); err != nil {
		errs = append(errs, err)
	}
	if level, ok := logLevels[strings.ToLower(env("LOG_LEVEL"))]; ok {
		c.LogLevel = level
	} else {
		bad("LOG_LEVEL must be one of debug, info, warn, error (got %q)", env("LOG_LEVEL"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("LOG_FORMAT must be text or json (got %q)", c.LogFormat)
	}
	errs = append(errs, c.slackErrors()...)
	errs = append(errs, c.teamsErrors()...)
	return c, errors.Join(errs...)
}

func (c Config) teamsErrors() []error {
	switch {
	case c.TeamsAppID == "" && (c.TeamsAppPassword != "" || c.TeamsTenantID != ""):
		return []error{errors.New("set MICROSOFT_APP_ID (the Azure Bot's Microsoft App ID) to serve Teams, or unset MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID")}
	case c.TeamsAppID != "" && c.TeamsAppPassword == "":
		return []error{errors.New("set MICROSOFT_APP_PASSWORD (a client secret of the Azure Bot's app registration) together with MICROSOFT_APP_ID")}
	case c.TeamsAppID != "" && !guid.MatchString(c.TeamsAppID):
		return []error{errors.New("MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000")}
	case c.TeamsTenantID != "" && !guid.MatchString(c.TeamsTenantID):
		return []error{errors.New("MICROSOFT_APP_TENANT_ID must be the tenant's GUID, or unset for a multi-tenant bot")}
	}
	return nil
}

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c Config) slackErrors() []error {
	var errs []error
	if c.SlackBotToken == "" {
		if c.SlackAppToken != "" || c.SlackSigningSecret != "" {
			errs = append(errs, errors.New("set SLACK_BOT_TOKEN (xoxb-…) to connect to Slack, or unset SLACK_APP_TOKEN and SLACK_SIGNING_SECRET to run the local sandbox"))
		}
		return errs
	}
	if !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		errs = append(errs, errors.New(`SLACK_BOT_TOKEN must be the bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token)`))
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		errs = append(errs, errors.New(`SLACK_APP_TOKEN must be an app-level token starting with "xapp-" with the connections:write scope (Basic Information → App-Level Tokens)`))
	}
	if c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		errs = append(errs, errors.New("set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)"))
	}
	return errs
}

// loadTemplates reads the templates of LEARNPACT_TEMPLATES, or the shipped
// examples when dir is empty. Every problem is listed with its file, line
// and field.
func loadTemplates(dir string) (*template.Library, error) {
	if dir == "" {
		return template.Load(template.Examples())
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("LEARNPACT_TEMPLATES must be a directory of contract templates (*.yaml), or unset for the shipped examples (%s is not a directory)", dir)
	}
	lib, err := template.Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("LEARNPACT_TEMPLATES: fix these templates (learnpact templates check %s lists them again):\n  %s",
			dir, strings.Join(templateProblems(dir, err), "\n  "))
	}
	return lib, nil
}

// maxMessagesPerMinute bounds SLACK_MESSAGES_PER_MINUTE: a thousand a
// second is far past any workspace's limit.
const maxMessagesPerMinute = 60_000

// messagesPerMinute reads SLACK_MESSAGES_PER_MINUTE.
func messagesPerMinute(v string) (int, error) {
	if v == "" {
		return slackbot.DefaultMessagesPerMinute, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 0 || n > maxMessagesPerMinute:
		return 0, fmt.Errorf("SLACK_MESSAGES_PER_MINUTE must be how many chat.postMessage calls the whole workspace may make a minute, a whole number from 1 to %d (unset for %d, Slack's guidance), or 0 for no budget of the bot's own (got %q)",
			maxMessagesPerMinute, slackbot.DefaultMessagesPerMinute, v)
	case n == 0:
		return slackbot.NoBudget, nil
	}
	return n, nil
}

// parseAge reads a period in years (2y), months (18m, of 30 days) or days
// (400d), or a Go duration of at least a day (9000h).
func parseAge(v string) (time.Duration, error) {
	units := map[byte]time.Duration{'y': 365 * day, 'm': 30 * day, 'd': day}
	if u, ok := units[v[len(v)-1]]; ok {
		n, err := strconv.Atoi(v[:len(v)-1])
		if err != nil || n < 1 || n > 100*365 {
			return 0, fmt.Errorf("not a period: %q", v)
		}
		return time.Duration(n) * u, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < day {
		return 0, fmt.Errorf("not a period of a day or more: %q", v)
	}
	return d, nil
}

// loopback reports whether a listen host reaches this machine only.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// yesNo reads a yes/no setting: "" is no.
func yesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "false", "no":
		return false, nil
	case "1", "true", "yes":
		return true, nil
	}
	return false, fmt.Errorf("not a yes/no value: %q", v)
}

// fromEnv reads the HTTP_* settings over the defaults in l.
func (l *HTTPLimits) fromEnv(env func(string) string) []error {
	var errs []error
	for name, d := range map[string]*time.Duration{
		"HTTP_READ_TIMEOUT":  &l.ReadTimeout,
		"HTTP_WRITE_TIMEOUT": &l.WriteTimeout,
		"HTTP_IDLE_TIMEOUT":  &l.IdleTimeout,
	} {
		v := env(name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t < time.Second || t > time.Hour {
			errs = append(errs, fmt.Errorf("%s must be a duration from 1s to 1h, like 30s (got %q)", name, v))
			continue
		}
		*d = t
	}
	if v := env("HTTP_MAX_CONNECTIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("HTTP_MAX_CONNECTIONS must be how many connections may be open at once, a whole number of at least 1 (got %q)", v))
		} else {
			l.MaxConnections = n
		}
	}
	return errs
}

var logLevels = map[string]slog.Level{
	"":      slog.LevelInfo,
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	slackbot "github.com/learnpact/learnpact/bot/slack"
	"github.com/learnpact/learnpact/bot/teams"
	"github.com/learnpact/learnpact/storage/embedded"
	redisstore "github.com/learnpact/learnpact/storage/redis"
)

// maxSkew is how far this machine's clock may be from Slack's before
// doctor complains: Slack refuses signatures five minutes off, and leases
// compare the clocks of processes sharing a store.
const maxSkew = 30 * time.Second

// doctorTimeout bounds each check's calls.
const doctorTimeout = 10 * time.Second

// finding is one line of doctor's checklist.
type finding struct {
	level  string // "ok", "warn" or "fail"
	what   string
	fixHow string // what to do, for warn and fail
}

// doctor checks the configuration against the world: the Slack token and
// its scopes, Socket Mode or the request URL, the Teams credentials, the
// store and its persistence, the clock. teamsTokenURL overrides the
// token endpoint (tests).
type doctor struct {
	cfg           Config
	client        *http.Client
	teamsTokenURL string
	now           func() time.Time
	found         []finding
}

func (d *doctor) ok(what string)        { d.found = append(d.found, finding{"ok", what, ""}) }
func (d *doctor) warn(what, fix string) { d.found = append(d.found, finding{"warn", what, fix}) }
func (d *doctor) fail(what, fix string) { d.found = append(d.found, finding{"fail", what, fix}) }
func (d *doctor) failed() bool {
	return slices.ContainsFunc(d.found, func(f finding) bool { return f.level == "fail" })
}
func (d *doctor) okf(format string, a ...any) { d.ok(fmt.Sprintf(format, a...)) }

// doctorCmd runs learnpact doctor: the checklist on stdout, exit code 1
// when something must be fixed.
func doctorCmd(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stdout, "✗ configuration\n%v\n", err)
		return 1
	}
	d := &doctor{cfg: cfg, client: &http.Client{Timeout: doctorTimeout}, now: time.Now}
	d.run(ctx)
	d.print(stdout)
	if d.failed() {
		return 1
	}
	return 0
}

func (d *doctor) run(ctx context.Context) {
	d.ok("configuration: every setting reads (mode " + string(d.cfg.Mode()) + ")")
	d.templates()
	d.store(ctx)
	if d.cfg.SlackBotToken != "" {
		d.slack(ctx)
	}
	if d.cfg.Teams() {
		d.teams(ctx)
	}
}

func (d *doctor) print(w io.Writer) {
	marks := map[string]string{"ok": "✓", "warn": "!", "fail": "✗"}
	for _, f := range d.found {
		fmt.Fprintf(w, "%s %s\n", marks[f.level], f.what)
		if f.fixHow != "" {
			fmt.Fprintf(w, "    → %s\n", f.fixHow)
		}
	}
}

// store checks that the store answers and, on Redis, that it keeps an
// append-only file.
func (d *doctor) store(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	if d.cfg.RedisURL == "" {
		s, err := embedded.Open(d.cfg.DataPath, embedded.WithLockTimeout(200*time.Millisecond))
		switch {
		case errors.Is(err, embedded.ErrInUse):
			d.okf("embedded store %s: in use by a running learnpact", d.cfg.DataPath)
		case err != nil:
			d.fail(fmt.Sprintf("embedded store %s: %v", d.cfg.DataPath, err), "make LEARNPACT_DATA a file this user can create and write")
		default:
			s.Close()
			d.okf("embedded store %s opens", d.cfg.DataPath)
		}
		return
	}
	s, err := redisstore.Open(d.cfg.RedisURL)
	if err != nil {
		d.fail("Redis: "+err.Error(), "check REDIS_URL")
		return
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		d.fail("Redis does not answer: "+err.Error(), "start Redis, or check REDIS_URL's host, port, password and TLS (rediss://)")
		return
	}
	d.ok("Redis answers")
	aof, err := s.Client().ConfigGet(ctx, "appendonly").Result()
	switch {
	case err != nil:
		d.warn("Redis persistence unknown: CONFIG GET is refused ("+err.Error()+")", "make sure the server keeps an append-only file (appendonly yes), or a crash loses what was acknowledged since the last snapshot")
	case aof["appendonly"] != "yes":
		d.warn("Redis keeps no append-only file (appendonly "+aof["appendonly"]+")", "set appendonly yes (and appendfsync everysec): otherwise a crash loses turns acknowledged since the last snapshot")
	default:
		d.ok("Redis keeps an append-only file")
	}
}

// slackAnswer is the part of a Web API answer doctor reads.
type slackAnswer struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	User  string `json:"user_id"`
	Team  string `json:"team"`
}

// slackCall calls a Web API method with token and returns its answer and
// headers.
func (d *doctor) slackCall(ctx context.Context, method, token string) (slackAnswer, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.SlackAPIURL+method, nil)
	if err != nil {
		return slackAnswer{}, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := d.client.Do(req)
	if err != nil {
		return slackAnswer{}, nil, err
	}
	defer resp.Body.Close()
	var a slackAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		return slackAnswer{}, resp.Header, fmt.Errorf("%s: %s, not a Web API answer", method, resp.Status)
	}
	return a, resp.Header, nil
}

// slack checks the bot token (auth.test), its scopes, the clock against
// Slack's, and Socket Mode or HTTP mode.
func (d *doctor) slack(ctx context.Context) {
	a, h, err := d.slackCall(ctx, "auth.test", d.cfg.SlackBotToken)
	if err != nil {
		d.fail("Slack does not answer at "+d.cfg.SlackAPIURL+": "+err.Error(), "check the network, a proxy, or SLACK_API_URL")
		return
	}
	if !a.OK {
		d.fail("Slack refuses the bot token: "+a.Error, "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN; reinstall the app if it was revoked")
		return
	}
	d.okf("Slack accepts the bot token (bot %s in %s)", a.User, a.Team)
	have := map[string]bool{}
	for _, s := range strings.Split(h.Get("X-OAuth-Scopes"), ",") {
		have[strings.TrimSpace(s)] = true
	}
	var missing []string
	for _, s := range slackbot.Scopes {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		d.fail("the bot token lacks scopes of manifest.yaml: "+strings.Join(missing, ", "),
			"add them under OAuth & Permissions (or update the app from manifest.yaml) and reinstall the app")
	} else {
		d.ok("the bot token has every scope of manifest.yaml")
	}
	d.clock(h)
	switch d.cfg.Mode() {
	case ModeSocket:
		a, _, err := d.slackCall(ctx, "apps.connections.open", d.cfg.SlackAppToken)
		switch {
		case err != nil:
			d.fail("Socket Mode: "+err.Error(), "check the network and SLACK_API_URL")
		case !a.OK:
			d.fail("Socket Mode refused: "+a.Error, "generate an app-level token with connections:write (Basic Information → App-Level Tokens) and enable Socket Mode")
		default:
			d.ok("Socket Mode: Slack opens a connection for the app token")
		}
	case ModeHTTP:
		d.warn("HTTP mode: Slack must reach this server's /slack/events, /slack/interactivity and /slack/commands over HTTPS",
			"set the three request URLs in the app's settings to this server's public address; Slack verifies /slack/events when you save it")
	}
}

// clock compares this machine's clock with the Date of an answer.
func (d *doctor) clock(h http.Header) {
	at, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	skew := d.now().Sub(at)
	if skew < 0 {
		skew = -skew
	}
	if skew > maxSkew {
		d.fail(fmt.Sprintf("this clock is %s off Slack's", skew.Round(time.Second)),
			"run NTP (timedatectl set-ntp true): Slack refuses requests signed five minutes off, and processes sharing a store compare clocks")
		return
	}
	d.okf("the clock is within %s of Slack's", maxSkew)
}

// teams asks for a token with the app's credentials.
func (d *doctor) teams(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	err := teams.CheckCredentials(ctx, teams.Config{AppID: d.cfg.TeamsAppID, AppPassword: d.cfg.TeamsAppPassword,
		TenantID: d.cfg.TeamsTenantID, TokenURL: d.teamsTokenURL, HTTPClient: d.client})
	if err != nil {
		d.fail("Microsoft refuses the Teams credentials: "+err.Error(),
			"check MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (a current client secret of the Azure Bot's app registration), and MICROSOFT_APP_TENANT_ID for a single-tenant bot")
		return
	}
	d.ok("Microsoft issues a token for the Teams credentials")
}

// templates says how many contract templates drafts may start from.
func (d *doctor) templates() {
	n := len(d.cfg.Templates.All())
	switch {
	case d.cfg.TemplatesDir == "":
		d.okf("templates: the %d shipped examples (set LEARNPACT_TEMPLATES to a directory of your own)", n)
	case n == 0:
		d.warn("templates: "+d.cfg.TemplatesDir+" holds none, so every draft starts blank",
			"add template files (*.yaml) to LEARNPACT_TEMPLATES, or unset it for the shipped examples")
	default:
		d.okf("templates: %d from %s", n, d.cfg.TemplatesDir)
	}
}

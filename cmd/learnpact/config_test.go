package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	slackbot "github.com/learnpact/learnpact/bot/slack"
)

func envFrom(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr:                   "127.0.0.1:3000",
		DataPath:               "./learnpact.db",
		SlackAPIURL:            "https://slack.com/api/",
		LogLevel:               slog.LevelInfo,
		SlackMessagesPerMinute: slackbot.DefaultMessagesPerMinute,
		LogFormat:              "text",
		ShutdownTimeout:        defaultShutdown,
		HTTP:                   defaultHTTPLimits,
		ImpactDays:             []int{30, 90},
		RetainClosed:           2 * 365 * 24 * time.Hour,
	}
	want.Hours = c.Hours // checked below
	want.Templates = c.Templates
	if n := len(c.Templates.All()); n != 3 {
		t.Errorf("templates = %d, want the 3 shipped examples", n)
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config = %+v\nwant     %+v", c, want)
	}
	if c.Mode() != ModeSandbox {
		t.Errorf("mode = %s, want sandbox", c.Mode())
	}
	if err := c.Hours.Validate(); err != nil {
		t.Errorf("default working hours: %v", err)
	}
}

func TestLoadConfigWorkingHours(t *testing.T) {
	c, err := LoadConfig(envFrom(map[string]string{"WORK_HOURS": "08:30-16:00", "WORK_DAYS": "sun-thu", "HOLIDAYS": "2026-12-25"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hours.Start != 8*time.Hour+30*time.Minute || c.Hours.End != 16*time.Hour || len(c.Hours.Weekdays) != 5 || c.Hours.Weekdays[0] != time.Sunday {
		t.Errorf("hours = %+v", c.Hours)
	}
	if _, err := LoadConfig(envFrom(map[string]string{"WORK_HOURS": "late"})); err == nil || !strings.Contains(err.Error(), "WORK_HOURS") {
		t.Errorf("a bad WORK_HOURS gave %v", err)
	}
}

const teamsAppID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"

func TestLoadConfigModes(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		mode Mode
		addr string
	}{
		{"sandbox on a chosen address", map[string]string{"ADDR": "127.0.0.1:0"}, ModeSandbox, "127.0.0.1:0"},
		{"http mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, ModeHTTP, ":3000"},
		{"socket mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ModeSocket, ":3000"},
		{"socket mode wins over http", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s", "ADDR": ":8080"}, ModeSocket, ":8080"},
		{"teams only", map[string]string{"MICROSOFT_APP_ID": teamsAppID, "MICROSOFT_APP_PASSWORD": "p"}, ModeOff, ":3000"},
		{"slack and teams", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
			"MICROSOFT_APP_ID": teamsAppID, "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TENANT_ID": teamsAppID}, ModeHTTP, ":3000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(envFrom(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Mode() != tc.mode || c.Addr != tc.addr {
				t.Errorf("mode, addr = %s, %q; want %s, %q", c.Mode(), c.Addr, tc.mode, tc.addr)
			}
		})
	}
}

func TestLoadConfigValues(t *testing.T) {
	c, err := LoadConfig(envFrom(map[string]string{
		"REDIS_URL":      "redis+sentinel://localhost:26379/main/2",
		"LEARNPACT_DATA": "/var/lib/learnpact/data.db",
		"SLACK_API_URL":  "http://127.0.0.1:9999/api",
		"LOG_LEVEL":      "DEBUG",
		"LOG_FORMAT":     "json",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis+sentinel://localhost:26379/main/2" || c.DataPath != "/var/lib/learnpact/data.db" {
		t.Errorf("store settings = %q, %q", c.RedisURL, c.DataPath)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SlackAPIURL = %q, want a trailing slash added", c.SlackAPIURL)
	}
	if c.LogLevel != slog.LevelDebug || c.LogFormat != "json" {
		t.Errorf("log = %v, %q", c.LogLevel, c.LogFormat)
	}
}

func TestLoadConfigMessagesPerMinute(t *testing.T) {
	for v, want := range map[string]int{"": slackbot.DefaultMessagesPerMinute, "120": 120, " 60000 ": 60_000, "0": slackbot.NoBudget} {
		c, err := LoadConfig(envFrom(map[string]string{"SLACK_MESSAGES_PER_MINUTE": v}))
		if err != nil || c.SlackMessagesPerMinute != want {
			t.Errorf("SLACK_MESSAGES_PER_MINUTE=%q: %d, %v; want %d", v, c.SlackMessagesPerMinute, err, want)
		}
	}
	for _, v := range []string{"-1", "ten", "1.5", "60001", "600/min"} {
		_, err := LoadConfig(envFrom(map[string]string{"SLACK_MESSAGES_PER_MINUTE": v}))
		if err == nil || !strings.Contains(err.Error(), "SLACK_MESSAGES_PER_MINUTE must be") || !strings.Contains(err.Error(), strconv.Quote(v)) {
			t.Errorf("SLACK_MESSAGES_PER_MINUTE=%q gave %v", v, err)
		}
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"bot token without a way to receive events",
			map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"},
			[]string{"set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)"}},
		{"user token instead of bot token",
			map[string]string{"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"},
			[]string{`SLACK_BOT_TOKEN must be the bot token starting with "xoxb-"`}},
		{"bot token as app token",
			map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
			[]string{`SLACK_APP_TOKEN must be an app-level token starting with "xapp-"`}},
		{"signing secret without bot token",
			map[string]string{"SLACK_SIGNING_SECRET": "s"},
			[]string{"set SLACK_BOT_TOKEN (xoxb-…) to connect to Slack"}},
		{"app token without bot token",
			map[string]string{"SLACK_APP_TOKEN": "xapp-1"},
			[]string{"set SLACK_BOT_TOKEN (xoxb-…) to connect to Slack"}},
		{"bad log level",
			map[string]string{"LOG_LEVEL": "verbose"},
			[]string{`LOG_LEVEL must be one of debug, info, warn, error (got "verbose")`}},
		{"bad log format",
			map[string]string{"LOG_FORMAT": "xml"},
			[]string{`LOG_FORMAT must be text or json (got "xml")`}},
		{"address without port",
			map[string]string{"ADDR": "localhost"},
			[]string{`ADDR must be host:port or :port`}},
		{"redis url without scheme",
			map[string]string{"REDIS_URL": "localhost:6379"},
			[]string{"REDIS_URL must be a redis:// or rediss:// URL"}},
		{"slack api url without scheme",
			map[string]string{"SLACK_API_URL": "slack.com/api/"},
			[]string{"SLACK_API_URL must be an http(s) URL"}},
		{"teams password without app id",
			map[string]string{"MICROSOFT_APP_PASSWORD": "p"},
			[]string{"set MICROSOFT_APP_ID"}},
		{"teams app id without password",
			map[string]string{"MICROSOFT_APP_ID": teamsAppID},
			[]string{"set MICROSOFT_APP_PASSWORD"}},
		{"teams app id not a guid",
			map[string]string{"MICROSOFT_APP_ID": "learnpact", "MICROSOFT_APP_PASSWORD": "p"},
			[]string{"MICROSOFT_APP_ID must be a GUID"}},
		{"teams tenant not a guid",
			map[string]string{"MICROSOFT_APP_ID": teamsAppID, "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TENANT_ID": "contoso.com"},
			[]string{"MICROSOFT_APP_TENANT_ID must be the tenant's GUID"}},
		{"sandbox on every interface",
			map[string]string{"ADDR": ":3000"},
			[]string{"ADDR=:3000 would serve the sandbox, which has no authentication, to other machines", "SANDBOX_EXPOSE=1"}},
		{"sandbox on a network address",
			map[string]string{"ADDR": "0.0.0.0:3000"},
			[]string{"ADDR=0.0.0.0:3000 would serve the sandbox"}},
		{"bad IMPACT_CHECKS",
			map[string]string{"IMPACT_CHECKS": "30,90"},
			[]string{"IMPACT_CHECKS (when to ask whether a completed contract changed how people work", "30d,90d"}},
		{"bad SANDBOX_EXPOSE",
			map[string]string{"SANDBOX_EXPOSE": "please"},
			[]string{"SANDBOX_EXPOSE must be 1 or 0"}},
		{"bad HTTP timeouts and connection limit",
			map[string]string{"HTTP_READ_TIMEOUT": "5", "HTTP_IDLE_TIMEOUT": "2h", "HTTP_MAX_CONNECTIONS": "0"},
			[]string{"HTTP_READ_TIMEOUT must be a duration", "HTTP_IDLE_TIMEOUT must be a duration", "HTTP_MAX_CONNECTIONS must be"}},
		{"bad RETAIN_CLOSED",
			map[string]string{"RETAIN_CLOSED": "forever"},
			[]string{"RETAIN_CLOSED must be how long closed contracts are kept"}},
		{"RETAIN_CLOSED under a day",
			map[string]string{"RETAIN_CLOSED": "2h"},
			[]string{"RETAIN_CLOSED must be"}},
		{"every problem at once",
			map[string]string{"SLACK_BOT_TOKEN": "bot", "SLACK_APP_TOKEN": "app", "LOG_FORMAT": "xml"},
			[]string{"SLACK_BOT_TOKEN must", "SLACK_APP_TOKEN must", "LOG_FORMAT must"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(envFrom(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}

// TestLoadConfigSandboxAddress: the sandbox listens on loopback addresses
// unless asked otherwise; a real workspace's server may listen anywhere.
func TestLoadConfigSandboxAddress(t *testing.T) {
	for _, env := range []map[string]string{
		{"ADDR": "localhost:3000"},
		{"ADDR": "[::1]:3000"},
		{"ADDR": "127.0.0.2:3000"},
		{"ADDR": "0.0.0.0:3000", "SANDBOX_EXPOSE": "1"},
		{"ADDR": ":3000", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
	} {
		if _, err := LoadConfig(envFrom(env)); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
	c, err := LoadConfig(envFrom(map[string]string{"HTTP_READ_TIMEOUT": "5s", "HTTP_WRITE_TIMEOUT": "1m", "HTTP_IDLE_TIMEOUT": "90s", "HTTP_MAX_CONNECTIONS": "200"}))
	if err != nil {
		t.Fatal(err)
	}
	want := HTTPLimits{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 90 * time.Second, MaxConnections: 200}
	if c.HTTP != want {
		t.Errorf("HTTP limits = %+v, want %+v", c.HTTP, want)
	}
}

func TestLoadConfigRetainClosed(t *testing.T) {
	for v, want := range map[string]time.Duration{"1y": 365 * 24 * time.Hour, "18m": 540 * 24 * time.Hour, "400d": 400 * 24 * time.Hour, "9000h": 9000 * time.Hour} {
		c, err := LoadConfig(envFrom(map[string]string{"RETAIN_CLOSED": v}))
		if err != nil || c.RetainClosed != want {
			t.Errorf("RETAIN_CLOSED=%s: %v (%v), want %v", v, c.RetainClosed, err, want)
		}
	}
}

func TestLoadConfigHidesRedisPassword(t *testing.T) {
	_, err := LoadConfig(envFrom(map[string]string{"REDIS_URL": "hunter2@localhost"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %v; want one that does not repeat REDIS_URL", err)
	}
}

func TestCLI(t *testing.T) {
	cases := []struct {
		args        []string
		env         map[string]string
		code        int
		out, errOut string
	}{
		{[]string{"version"}, nil, 0, "learnpact ", ""},
		{[]string{"help"}, nil, 0, "Usage:", ""},
		{[]string{"frobnicate"}, nil, 2, "", `unknown command "frobnicate"`},
		{[]string{"version", "extra"}, nil, 2, "", "unexpected arguments"},
		{nil, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, 2, "", "set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli(context.Background(), tc.args, envFrom(tc.env), &out, &errOut)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d (stderr: %s)", code, tc.code, errOut.String())
			}
			if !strings.Contains(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.errOut) {
				t.Errorf("stdout %q, stderr %q; want them to contain %q, %q", out.String(), errOut.String(), tc.out, tc.errOut)
			}
		})
	}
}

// TestLoadConfigApprovers: APPROVERS is anyone by default, a group handle
// or a list in a file; a bad setting stops the start with its name.
func TestLoadConfigApprovers(t *testing.T) {
	list := filepath.Join(t.TempDir(), "approvers.txt")
	if err := os.WriteFile(list, []byte("ULEE = UMO\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for setting, want := range map[string]string{"": "anyone", "anyone": "anyone", "@managers": "@managers", "file:" + list: "file:" + list + " (1 learners)"} {
		c, err := LoadConfig(envFrom(map[string]string{"APPROVERS": setting}))
		if err != nil || c.Approvers.String() != want {
			t.Errorf("APPROVERS=%q: %v, %v; want %s", setting, c.Approvers, err, want)
		}
	}
	for _, bad := range []string{"managers", "file:" + list + ".missing", "@"} {
		if _, err := LoadConfig(envFrom(map[string]string{"APPROVERS": bad})); err == nil || !strings.Contains(err.Error(), "APPROVERS") {
			t.Errorf("APPROVERS=%q: %v, want an error naming APPROVERS", bad, err)
		}
	}
}

// LEARNPACT_TEMPLATES names a directory of templates: they replace the
// shipped examples; a directory with bad templates stops startup with each
// problem's file, line and field.
func TestLoadConfigTemplates(t *testing.T) {
	good := t.TempDir()
	writeFile(t, filepath.Join(good, "pairing.yaml"), "id: pairing\nversion: 3\ntitle: Pair well\ngoals: [{text: Lead a pairing session}]\ncriteria: [Both people typed]\n")
	c, err := LoadConfig(envFrom(map[string]string{"LEARNPACT_TEMPLATES": good}))
	if err != nil {
		t.Fatal(err)
	}
	if all := c.Templates.All(); len(all) != 1 || all[0].Ref() != "pairing@3" || c.TemplatesDir != good {
		t.Errorf("templates = %+v from %q", all, c.TemplatesDir)
	}

	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "a.yaml"), "id: a\nversion: 1\ntitle: A\ngoals: [{text: G}]\ncriteria: [C]\ncadense: weekly\n")
	writeFile(t, filepath.Join(bad, "b.yaml"), "id: a\nversion: 1\ntitle: B\ngoals: [{text: G}]\ncriteria: [\"\"]\n")
	_, err = LoadConfig(envFrom(map[string]string{"LEARNPACT_TEMPLATES": bad}))
	for _, want := range []string{"LEARNPACT_TEMPLATES", bad + "/a.yaml:6: cadense: unknown field", bad + "/b.yaml:5: criteria[1]: must not be empty"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v\nwant it to say %q", err, want)
		}
	}

	_, err = LoadConfig(envFrom(map[string]string{"LEARNPACT_TEMPLATES": filepath.Join(bad, "a.yaml")}))
	if err == nil || !strings.Contains(err.Error(), "LEARNPACT_TEMPLATES must be a directory") {
		t.Errorf("a file as LEARNPACT_TEMPLATES: error = %v", err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

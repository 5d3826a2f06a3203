package slack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"sigs.k8s.io/yaml"
)

const (
	manifestPath = "../../manifest.yaml"
	schemaPath   = "testdata/schemas/slack-app-manifest.schema.json"
)

// requiredScopes are the bot scopes the code depends on, with the calls or
// features that need them.
var requiredScopes = map[string]string{
	"chat:write":  "chat.postMessage, chat.update, chat.postEphemeral",
	"im:history":  "message.im events (the learner's DM)",
	"im:write":    "conversations.open (DM a learner or approver)",
	"users:read":  "users.info (names, time zones)",
	"commands":    "the /contract slash command",
	"files:write": "files.getUploadURLExternal, files.completeUploadExternal (the record's PDF)",
	// Learning sets: the members of a set's channel, public or private.
	"channels:read": "conversations.members (learning sets in public channels)",
	"groups:read":   "conversations.members (learning sets in private channels)",
	// APPROVERS=@handle.
	"usergroups:read": "usergroups.list (the members of the approver group)",
}

// eventScopes are the scopes each subscribed bot event needs.
var eventScopes = map[string]string{
	"message.im":            "im:history",
	"message.channels":      "channels:history",
	"app_mention":           "app_mentions:read",
	"member_joined_channel": "channels:read",
	"member_left_channel":   "channels:read",
	"message.groups":        "groups:history",
	"app_home_opened":       "",
}

// The request URLs must point at the paths the Slack adapter serves.
var requestPaths = map[string]string{
	"slash command url":               "/slack/commands",
	"event_subscriptions.request_url": "/slack/events",
	"interactivity.request_url":       "/slack/interactivity",
}

var (
	errSchema      = errors.New("does not match Slack's manifest schema")
	errScope       = errors.New("missing scope")
	errCommand     = errors.New("slash command")
	errEvent       = errors.New("bot event")
	errRequestPath = errors.New("request url path")
	errColor       = errors.New("background_color")
)

// manifest is the part of the Slack app manifest the product checks read.
type manifest struct {
	DisplayInformation struct {
		BackgroundColor string `json:"background_color"`
	} `json:"display_information"`
	Features struct {
		SlashCommands []struct {
			Command string `json:"command"`
			URL     string `json:"url"`
		} `json:"slash_commands"`
	} `json:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot []string `json:"bot"`
		} `json:"scopes"`
	} `json:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `json:"request_url"`
			BotEvents  []string `json:"bot_events"`
		} `json:"event_subscriptions"`
		Interactivity struct {
			RequestURL string `json:"request_url"`
		} `json:"interactivity"`
	} `json:"settings"`
}

func TestManifest(t *testing.T) {
	if err := checkManifest(t, manifestPath); err != nil {
		t.Fatalf("%s:\n%v", manifestPath, err)
	}
}

// TestManifestBroken checks that checkManifest catches broken copies of the
// manifest, each for the reason expected.
func TestManifestBroken(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   error
		// at is the JSON pointer the schema complains about.
		at string
	}{
		{"no app name", func(m map[string]any) {
			delete(get(m, "display_information"), "name")
		}, errSchema, "/display_information"},
		{"app name too long", func(m map[string]any) {
			get(m, "display_information")["name"] = strings.Repeat("x", 36)
		}, errSchema, "/display_information/name"},
		{"unknown top-level key", func(m map[string]any) {
			m["featurez"] = map[string]any{}
		}, errSchema, ""},
		{"command without slash", func(m map[string]any) {
			command(m)["command"] = "contract"
		}, errSchema, "/features/slash_commands/0/command"},
		{"command url without scheme", func(m map[string]any) {
			command(m)["url"] = "example.com/slack/commands"
		}, errSchema, "/features/slash_commands/0/url"},
		{"interactivity without is_enabled", func(m map[string]any) {
			delete(get(m, "settings", "interactivity"), "is_enabled")
		}, errSchema, "/settings/interactivity"},
		{"socket mode as a string", func(m map[string]any) {
			get(m, "settings")["socket_mode_enabled"] = "yes"
		}, errSchema, "/settings/socket_mode_enabled"},
		{"duplicate bot event", func(m map[string]any) {
			es := get(m, "settings", "event_subscriptions")
			es["bot_events"] = append(es["bot_events"].([]any), "message.im")
		}, errSchema, "/settings/event_subscriptions/bot_events"},
		{"missing chat:write", func(m map[string]any) {
			removeScope(m, "chat:write")
		}, errScope, ""},
		{"missing im:history", func(m map[string]any) {
			removeScope(m, "im:history")
		}, errScope, ""},
		{"event without its scope", func(m map[string]any) {
			removeScope(m, "channels:history")
		}, errScope, ""},
		{"renamed command", func(m map[string]any) {
			command(m)["command"] = "/pact"
		}, errCommand, ""},
		{"unknown event", func(m map[string]any) {
			es := get(m, "settings", "event_subscriptions")
			es["bot_events"] = append(es["bot_events"].([]any), "reaction_added")
		}, errEvent, ""},
		{"events url at the wrong path", func(m map[string]any) {
			get(m, "settings", "event_subscriptions")["request_url"] = "https://example.com/events"
		}, errRequestPath, ""},
		{"bad colour", func(m map[string]any) {
			get(m, "display_information")["background_color"] = "#12345"
		}, errColor, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := readYAML(t, manifestPath)
			tc.mutate(m)
			path := writeYAML(t, m)
			err := checkManifest(t, path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("check = %v, want %v", err, tc.want)
			}
			if tc.want != errSchema {
				return
			}
			var verr *jsonschema.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("no schema validation error in %v", err)
			}
			if !failsAt(verr, tc.at) {
				t.Errorf("schema error is not at %q:\n%#v", tc.at, verr)
			}
		})
	}
}

func TestManifestNotYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, []byte("display_information: [name: learnpact\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkManifest(t, path); err == nil {
		t.Fatal("check passed a file that is not YAML")
	}
}

// checkManifest validates the manifest at path against Slack's schema and
// against what the code needs.
func checkManifest(t *testing.T, path string) error {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return fmt.Errorf("%s is not YAML: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var schemaErr error
	if err := loadSchema(t).Validate(doc); err != nil {
		schemaErr = fmt.Errorf("%w: %w", errSchema, err)
	}
	var m manifest
	if err := json.Unmarshal(js, &m); err != nil {
		// Wrong types were reported by the schema.
		return errors.Join(schemaErr, err)
	}
	return errors.Join(schemaErr, productErrors(m))
}

func productErrors(m manifest) error {
	var errs []error
	scopes := m.OAuthConfig.Scopes.Bot
	for _, s := range sortedKeys(requiredScopes) {
		if !slices.Contains(scopes, s) {
			errs = append(errs, fmt.Errorf("%w %s, needed for %s", errScope, s, requiredScopes[s]))
		}
	}
	for _, ev := range m.Settings.EventSubscriptions.BotEvents {
		need, known := eventScopes[ev]
		switch {
		case !known:
			errs = append(errs, fmt.Errorf("%w %s is not handled by the bot", errEvent, ev))
		case need != "" && !slices.Contains(scopes, need):
			errs = append(errs, fmt.Errorf("%w %s, needed for %s events", errScope, need, ev))
		}
	}
	cmds := m.Features.SlashCommands
	if len(cmds) != 1 || cmds[0].Command != "/contract" {
		errs = append(errs, fmt.Errorf("%w: want exactly /contract, got %+v", errCommand, cmds))
	}
	urls := map[string]string{
		"event_subscriptions.request_url": m.Settings.EventSubscriptions.RequestURL,
		"interactivity.request_url":       m.Settings.Interactivity.RequestURL,
	}
	if len(cmds) > 0 {
		urls["slash command url"] = cmds[0].URL
	}
	for _, name := range sortedKeys(urls) {
		if u := urls[name]; !strings.HasSuffix(u, requestPaths[name]) {
			errs = append(errs, fmt.Errorf("%w: %s is %q, want a URL ending in %s", errRequestPath, name, u, requestPaths[name]))
		}
	}
	// The schema spells this rule "regex", which validators ignore.
	if c := m.DisplayInformation.BackgroundColor; c != "" && !regexp.MustCompile(`^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$`).MatchString(c) {
		errs = append(errs, fmt.Errorf("%w %q is not a #rgb or #rrggbb colour", errColor, c))
	}
	return errors.Join(errs...)
}

// goPatterns translates the schema's patterns that Go's regexp (RE2, no
// lookahead) cannot compile into equivalent ones.
var goPatterns = map[string]string{
	// A domain: no leading '.' or '-', at least two characters, ending in
	// a letter or digit.
	`^(?![\.\-])([-a-z0-9\.])+([a-z0-9])$`: `^[a-z0-9][-a-z0-9.]*[a-z0-9]$`,
}

func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// compiledSchema compiles the schema once for all tests.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if err := translatePatterns(doc); err != nil {
		return nil, err
	}
	fixed, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	if err := c.AddResource("slack-app-manifest.schema.json", bytes.NewReader(fixed)); err != nil {
		return nil, err
	}
	return c.Compile("slack-app-manifest.schema.json")
})

// translatePatterns replaces, in the schema v, the patterns Go cannot
// compile with their goPatterns translation.
func translatePatterns(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			p, ok := child.(string)
			if k != "pattern" || !ok {
				if err := translatePatterns(child); err != nil {
					return err
				}
				continue
			}
			if _, err := regexp.Compile(p); err == nil {
				continue
			}
			goP, ok := goPatterns[p]
			if !ok {
				return fmt.Errorf("schema pattern %q does not compile in Go and has no translation in goPatterns", p)
			}
			v[k] = goP
		}
	case []any:
		for _, child := range v {
			if err := translatePatterns(child); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestPatternTranslations(t *testing.T) {
	domain := regexp.MustCompile(goPatterns[`^(?![\.\-])([-a-z0-9\.])+([a-z0-9])$`])
	for s, want := range map[string]bool{
		"example.com": true, "a1": true, "my-app.example.org": true,
		"a": false, ".example.com": false, "-example.com": false, "example.": false, "Example.com": false,
	} {
		if got := domain.MatchString(s); got != want {
			t.Errorf("domain %q: match = %v, want %v", s, got, want)
		}
	}
}

// failsAt reports whether err or one of its causes is about the instance
// at the JSON pointer loc.
func failsAt(err *jsonschema.ValidationError, loc string) bool {
	if err.InstanceLocation == loc && len(err.Causes) == 0 {
		return true
	}
	for _, c := range err.Causes {
		if failsAt(c, loc) {
			return true
		}
	}
	return false
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func writeYAML(t *testing.T, m map[string]any) string {
	t.Helper()
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// get walks nested objects by key.
func get(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func command(m map[string]any) map[string]any {
	return get(m, "features")["slash_commands"].([]any)[0].(map[string]any)
}

func removeScope(m map[string]any, scope string) {
	s := get(m, "oauth_config", "scopes")
	s["bot"] = slices.DeleteFunc(s["bot"].([]any), func(v any) bool { return v == scope })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

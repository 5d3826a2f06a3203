package teamsapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/learnpact/learnpact/conversation"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

const (
	schemaPath = "testdata/schemas/teams-app-manifest-v1.17.schema.json"
	testAppID  = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
)

var testOptions = Options{AppID: testAppID, Version: "1.2.3", Domain: "bot.example.com"}

func TestManifestValidates(t *testing.T) {
	for name, opts := range map[string]Options{
		"defaults":    {AppID: testAppID},
		"all options": {AppID: strings.ToUpper(testAppID), Version: "2.10.0", Name: "Lernvertrag „Ü“ <&>", Domain: "Bot.Example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := Manifest(opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, raw); err != nil {
				t.Fatalf("manifest does not match the v1.17 schema:\n%v\n%s", err, raw)
			}
		})
	}
}

func TestManifestContent(t *testing.T) {
	raw, err := Manifest(testOptions)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		ID      string `json:"id"`
		Version string `json:"version"`
		Name    struct{ Short string }
		Bots    []struct {
			BotID        string   `json:"botId"`
			Scopes       []string `json:"scopes"`
			CommandLists []struct {
				Scopes   []string
				Commands []struct{ Title string }
			} `json:"commandLists"`
		} `json:"bots"`
		ValidDomains       []string            `json:"validDomains"`
		WebApplicationInfo struct{ ID string } `json:"webApplicationInfo"`
		Authorization      struct {
			Permissions struct {
				ResourceSpecific []struct{ Name, Type string } `json:"resourceSpecific"`
			}
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != testAppID || len(m.Bots) != 1 || m.Bots[0].BotID != testAppID || m.WebApplicationInfo.ID != testAppID {
		t.Errorf("app id not filled in everywhere: id %q, bots %+v, webApplicationInfo %q", m.ID, m.Bots, m.WebApplicationInfo.ID)
	}
	if m.Version != "1.2.3" || m.Name.Short != DefaultName {
		t.Errorf("version %q name %q, want 1.2.3 and %s", m.Version, m.Name.Short, DefaultName)
	}
	if len(m.ValidDomains) != 1 || m.ValidDomains[0] != "bot.example.com" {
		t.Errorf("validDomains = %q", m.ValidDomains)
	}
	rsc := m.Authorization.Permissions.ResourceSpecific
	if len(rsc) != 1 || rsc[0].Name != "ChannelMessage.Read.Group" || rsc[0].Type != "Application" {
		t.Errorf("resource-specific consent = %+v, want ChannelMessage.Read.Group (Application)", rsc)
	}
	// Every command the learner can pick must be one the dialog knows.
	for _, b := range m.Bots {
		for _, cl := range b.CommandLists {
			for _, c := range cl.Commands {
				if !conversation.IsCommand(c.Title) {
					t.Errorf("command %q is not a bot command", c.Title)
				}
			}
		}
	}
}

// TestManifestBroken proves the schema check bites: each broken copy of
// the rendered manifest fails at the place it was broken.
func TestManifestBroken(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		at     string // JSON pointer the schema complains about
	}{
		{"no bot id", func(m map[string]any) { delete(bot(m), "botId") }, "/bots/0"},
		{"bot id not a GUID", func(m map[string]any) { bot(m)["botId"] = "learnpact" }, "/bots/0/botId"},
		{"version not a string", func(m map[string]any) { m["version"] = 1 }, "/version"},
		{"other manifest version", func(m map[string]any) { m["manifestVersion"] = "1.16" }, "/manifestVersion"},
		{"command title too long", func(m map[string]any) {
			cmd := bot(m)["commandLists"].([]any)[0].(map[string]any)["commands"].([]any)[0].(map[string]any)
			cmd["title"] = strings.Repeat("x", 33)
		}, "/bots/0/commandLists/0/commands/0/title"},
		{"short colour", func(m map[string]any) { m["accentColor"] = "#2C4A6" }, "/accentColor"},
		{"named colour", func(m map[string]any) { m["accentColor"] = "navy" }, "/accentColor"},
		{"unknown permission type", func(m map[string]any) {
			p := m["authorization"].(map[string]any)["permissions"].(map[string]any)["resourceSpecific"].([]any)[0].(map[string]any)
			p["type"] = "Team"
		}, "/authorization/permissions/resourceSpecific/0/type"},
		{"short name too long", func(m map[string]any) {
			m["name"].(map[string]any)["short"] = strings.Repeat("x", 31)
		}, "/name/short"},
	}
	good, err := Manifest(testOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			broken, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(t, broken)
			verr, ok := err.(*jsonschema.ValidationError)
			if !ok {
				t.Fatalf("validate = %v, want a schema validation error", err)
			}
			if !failsAt(verr, tc.at) {
				t.Errorf("schema error is not at %q:\n%#v", tc.at, verr)
			}
		})
	}
}

func bot(m map[string]any) map[string]any { return m["bots"].([]any)[0].(map[string]any) }

// validate checks a manifest against Microsoft's v1.17 schema.
func validate(t *testing.T, raw []byte) error {
	t.Helper()
	s, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("manifest is not JSON: %v\n%s", err, raw)
	}
	return s.Validate(doc)
}

// compiledSchema compiles the schema once for all tests. The schema
// declares draft-04 but pins manifestVersion with const, a draft-06
// keyword that draft-04 validators ignore; it is read with draft-07 rules,
// which treat every other keyword it uses the same way.
var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc["$schema"] != "http://json-schema.org/draft-04/schema#" {
		return nil, fmt.Errorf("%s: expected a draft-04 schema, got %v", schemaPath, doc["$schema"])
	}
	doc["$schema"] = "http://json-schema.org/draft-07/schema#"
	fixed, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("teams-app-manifest.schema.json", bytes.NewReader(fixed)); err != nil {
		return nil, err
	}
	return c.Compile("teams-app-manifest.schema.json")
})

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

package slack_test

import (
	"slices"
	"testing"

	slackbot "github.com/learnpact/learnpact/bot/slack"
)

// TestScopesAreTheManifests: the scopes learnpact doctor checks are the
// bot scopes manifest.yaml asks for.
func TestScopesAreTheManifests(t *testing.T) {
	m := readYAML(t, manifestPath)
	oauth, _ := m["oauth_config"].(map[string]any)
	scopes, _ := oauth["scopes"].(map[string]any)
	var want []string
	for _, s := range scopes["bot"].([]any) {
		want = append(want, s.(string))
	}
	got := slices.Clone(slackbot.Scopes)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Scopes = %v\nmanifest.yaml's bot scopes = %v", got, want)
	}
}

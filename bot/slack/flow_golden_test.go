package slack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
)

// TestFlowGolden renders every message and modal the conversation flows
// send (bottest.Samples), and the homes (samples named home…) as App Home
// tabs, to
// testdata/flow_<key>.golden.json, checks Slack's limits, and checks that
// nothing had to be left out to meet them.
func TestFlowGolden(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	msgs, modals := bottest.Samples(t, now)
	if len(msgs) == 0 || len(modals) == 0 {
		t.Fatalf("%d sample messages and %d sample modals, want some of each", len(msgs), len(modals))
	}
	want := map[string]bool{}
	for key, m := range msgs {
		name := "flow_" + key
		want[name] = true
		t.Run(name, func(t *testing.T) {
			if strings.HasPrefix(key, "home") {
				// A home is an App Home tab (views.publish).
				goldenHome(t, name, m)
				return
			}
			goldenMessage(t, name, m)
			if _, _, problems := render(m); len(problems) > 0 {
				t.Errorf("rendering left content out: %q", problems)
			}
		})
	}
	for key, m := range modals {
		name := "flow_" + key
		if want[name] {
			t.Errorf("sample %q is both a message and a modal; one golden file cannot hold both", key)
			continue
		}
		want[name] = true
		t.Run(name, func(t *testing.T) {
			goldenModal(t, name, m)
			if _, problems := renderModal(m); len(problems) > 0 {
				t.Errorf("rendering left content out: %q", problems)
			}
		})
	}

	// Golden files of samples that no longer exist are stale.
	files, err := filepath.Glob(filepath.Join("testdata", "flow_*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden.json")
		if want[name] {
			continue
		}
		if *update {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s has no sample any more (go test -update removes it)", f)
	}
}

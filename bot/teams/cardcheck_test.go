package teams

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/learnpact/learnpact/bot/teams/cardcheck"
)

// maxMessageBytes is Teams' limit on one message (28 KB).
const maxMessageBytes = 28 * 1024

// TestCardsParseCleanly parses every card the flows send (the golden files)
// with the adaptivecards library, the one Teams clients are built on: no
// warnings, no errors. Each whole activity stays under Teams' 28 KB.
func TestCardsParseCleanly(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil || len(files) < 50 {
		t.Fatalf("golden files: %d, %v", len(files), err)
	}
	var cards [][]byte
	var names []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > maxMessageBytes {
			t.Errorf("%s: %d bytes, over Teams' %d", f, len(data), maxMessageBytes)
		}
		var act struct {
			Attachments []struct {
				Content json.RawMessage `json:"content"`
			} `json:"attachments"`
		}
		if err := json.Unmarshal(data, &act); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(act.Attachments) == 0 {
			t.Errorf("%s: no card", f)
		}
		for _, a := range act.Attachments {
			cards = append(cards, a.Content)
			names = append(names, f)
		}
	}
	rep, err := cardcheck.CheckJSON(cards...)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep) != len(cards) {
		t.Fatalf("%d reports for %d cards", len(rep), len(cards))
	}
	for i, r := range rep {
		for _, p := range r.Problems {
			t.Errorf("%s: %s %s: %s", names[i], p.Phase, p.Event, p.Message)
		}
	}
}

package blockkit

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLen(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "日本": 2, "🎉": 2, "a🎉b": 4} {
		if got := Len(s); got != want {
			t.Errorf("Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestChecker(t *testing.T) {
	long := strings.Repeat("x", MaxHeaderText) + "🎉"
	blocks := []any{
		map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": long}},
		map[string]any{"type": "actions", "elements": []any{
			map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Go"}},
			map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Stop"}},
		}},
		map[string]any{"type": "divider"},
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}

	// Without NewID, ids left out are not made up, nor taken for duplicates.
	c := Checker{}
	c.Blocks(raw, "/blocks", MaxMessageBlocks)
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "[json-pointer:/blocks/0/text/text]") {
		t.Errorf("problems = %q, want the header's length only", c.Problems)
	}

	n := 0
	c = Checker{NewID: func() string { n++; return strings.Repeat("i", n) }}
	c.Blocks(raw, "/blocks", 2)
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0], "no more than 2 items") {
		t.Errorf("problems = %q, want too many blocks", c.Problems)
	}
	c = Checker{NewID: func() string { n++; return strings.Repeat("i", n) }}
	list := c.Blocks(raw, "/blocks", MaxMessageBlocks)
	actions := list[1].(map[string]any)
	if actions["block_id"] == "" || actions["elements"].([]any)[0].(map[string]any)["action_id"] == "" {
		t.Errorf("ids not filled in: %v", actions)
	}
}

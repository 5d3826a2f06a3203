package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
)

// Blocks are checked with blockkit.Checker, as Slack checks them; what
// follows finds things in checked blocks.

func str(v any) string {
	s, _ := v.(string)
	return s
}

// number reads a JSON number decoded by blockkit.Decode.
func number(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// encodeJSON encodes values built from decoded or validated JSON, which
// cannot fail; a failure yields null rather than a panic.
func encodeJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// element is an interactive element found in a surface's blocks.
type element struct {
	BlockID string
	Raw     map[string]any
}

// findElement finds the element of type typ whose action_id is actionID, or
// failing that starts with it (renderers may suffix ids to keep them unique).
func findElement(blocks json.RawMessage, typ, actionID string) (element, bool) {
	var all []element
	v, err := blockkit.Decode(blocks)
	if err != nil {
		return element{}, false
	}
	list, _ := v.([]any)
	for _, b := range list {
		m, _ := b.(map[string]any)
		id := str(m["block_id"])
		if acc, ok := m["accessory"].(map[string]any); ok {
			all = append(all, element{id, acc})
		}
		if e, ok := m["element"].(map[string]any); ok {
			all = append(all, element{id, e})
		}
		if str(m["type"]) == "actions" {
			els, _ := m["elements"].([]any)
			for _, e := range els {
				if em, ok := e.(map[string]any); ok {
					all = append(all, element{id, em})
				}
			}
		}
	}
	for _, exact := range []bool{true, false} {
		for _, e := range all {
			id := str(e.Raw["action_id"])
			if str(e.Raw["type"]) != typ {
				continue
			}
			if id == actionID || (!exact && strings.HasPrefix(id, actionID)) {
				return e, true
			}
		}
	}
	return element{}, false
}

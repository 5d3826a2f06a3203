package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (and slack-go does not).
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxMessageText   = 40000
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxHeaderText    = 150
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxID            = 255
	maxActions       = 25
	maxContext       = 10
	maxOptions       = 100
	maxChoices       = 10 // options of checkboxes and radio_buttons
	maxOptionText    = 75
	maxOptionValue   = 150
	maxLabel         = 2000
	maxPlaceholder   = 150
	maxInputLength   = 3000
	maxViewTitle     = 24
	maxMetadata      = 3000
)

// blockChecker validates Block Kit JSON the way Slack does and gives blocks
// and interactive elements the ids Slack would generate for them. Problems
// are collected in Slack's response_metadata message format.
type blockChecker struct {
	newID func() string
	msgs  []string
}

func (c *blockChecker) errf(ptr, format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf("[ERROR] "+format+" [json-pointer:%s]", append(args, ptr)...))
}

// decodeJSON decodes raw keeping numbers as written.
func decodeJSON(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// blocks checks a blocks array at ptr and returns it with ids filled in.
func (c *blockChecker) blocks(raw json.RawMessage, ptr string, limit int) []any {
	v, err := decodeJSON(raw)
	if err != nil {
		c.errf(ptr, "invalid JSON: %v", err)
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		c.errf(ptr, "must be an array")
		return nil
	}
	return c.blockList(list, ptr, limit)
}

func (c *blockChecker) blockList(list []any, ptr string, limit int) []any {
	if len(list) > limit {
		c.errf(ptr, "no more than %d items allowed", limit)
		return list
	}
	seen := map[string]bool{}
	for i, b := range list {
		p := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := b.(map[string]any)
		if !ok {
			c.errf(p, "must be an object")
			continue
		}
		id := str(m["block_id"])
		switch {
		case id == "":
			m["block_id"] = c.newID()
		case len(id) > maxID:
			c.errf(p+"/block_id", "must be less than %d characters", maxID+1)
		case seen[id]:
			c.errf(p+"/block_id", "duplicate block_id %q", id)
		}
		seen[str(m["block_id"])] = true
		c.block(m, p)
	}
	return list
}

func (c *blockChecker) block(b map[string]any, p string) {
	switch t := str(b["type"]); t {
	case "section":
		text, hasText := b["text"]
		fields, hasFields := b["fields"]
		if !hasText && !hasFields {
			c.errf(p, "must provide either text or fields")
		}
		if hasText {
			c.text(text, p+"/text", maxSectionText, false)
		}
		if hasFields {
			list, ok := fields.([]any)
			if !ok || len(list) == 0 || len(list) > maxFields {
				c.errf(p+"/fields", "must be an array of 1 to %d items", maxFields)
			}
			for i, f := range list {
				c.text(f, fmt.Sprintf("%s/fields/%d", p, i), maxFieldText, false)
			}
		}
		if acc, ok := b["accessory"]; ok {
			c.element(acc, p+"/accessory", map[string]bool{"button": true, "static_select": true, "image": true, "overflow": true, "datepicker": true})
		}
	case "header":
		c.text(b["text"], p+"/text", maxHeaderText, true)
	case "divider":
	case "context":
		list, ok := b["elements"].([]any)
		if !ok || len(list) == 0 || len(list) > maxContext {
			c.errf(p+"/elements", "must be an array of 1 to %d items", maxContext)
		}
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			if m, ok := e.(map[string]any); ok && str(m["type"]) == "image" {
				continue
			}
			c.text(e, ep, maxSectionText, false)
		}
	case "actions":
		list, ok := b["elements"].([]any)
		if !ok || len(list) == 0 || len(list) > maxActions {
			c.errf(p+"/elements", "must be an array of 1 to %d items", maxActions)
		}
		seen := map[string]bool{}
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			c.element(e, ep, map[string]bool{"button": true, "static_select": true, "overflow": true, "datepicker": true, "checkboxes": true, "radio_buttons": true})
			if m, ok := e.(map[string]any); ok {
				id := str(m["action_id"])
				if seen[id] {
					c.errf(ep+"/action_id", "duplicate action_id %q", id)
				}
				seen[id] = true
			}
		}
	case "input":
		c.text(b["label"], p+"/label", maxLabel, true)
		c.element(b["element"], p+"/element", map[string]bool{"plain_text_input": true, "static_select": true, "datepicker": true, "checkboxes": true, "radio_buttons": true})
	case "image", "rich_text", "markdown", "video", "file":
		// Accepted as they are; the bot does not send them.
	case "":
		c.errf(p+"/type", "missing required field: type")
	default:
		c.errf(p+"/type", "unsupported block type %q", t)
	}
}

// text checks a text object; plainOnly rejects mrkdwn.
func (c *blockChecker) text(v any, p string, limit int, plainOnly bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.errf(p, "must be a text object")
		return
	}
	switch t := str(m["type"]); {
	case t == "plain_text":
	case t == "mrkdwn" && !plainOnly:
	case plainOnly:
		c.errf(p+"/type", "must be plain_text")
	default:
		c.errf(p+"/type", "must be one of plain_text, mrkdwn")
	}
	s, ok := m["text"].(string)
	switch n := utf8.RuneCountInString(s); {
	case !ok || n == 0:
		c.errf(p+"/text", "must be more than 0 characters")
	case n > limit:
		c.errf(p+"/text", "must be less than %d characters", limit+1)
	}
}

func (c *blockChecker) element(v any, p string, allowed map[string]bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.errf(p, "must be an object")
		return
	}
	t := str(e["type"])
	if !allowed[t] {
		c.errf(p+"/type", "unsupported element type %q", t)
		return
	}
	if t == "image" {
		return
	}
	switch id := str(e["action_id"]); {
	case id == "":
		e["action_id"] = c.newID()
	case len(id) > maxID:
		c.errf(p+"/action_id", "must be less than %d characters", maxID+1)
	}
	switch t {
	case "button":
		c.text(e["text"], p+"/text", maxButtonText, true)
		if utf8.RuneCountInString(str(e["value"])) > maxButtonValue {
			c.errf(p+"/value", "must be less than %d characters", maxButtonValue+1)
		}
		if s := str(e["style"]); s != "" && s != "primary" && s != "danger" {
			c.errf(p+"/style", "must be one of primary, danger")
		}
	case "static_select":
		if ph, ok := e["placeholder"]; ok {
			c.text(ph, p+"/placeholder", maxPlaceholder, true)
		}
		opts, hasOpts := e["options"].([]any)
		groups, hasGroups := e["option_groups"].([]any)
		if hasOpts == hasGroups {
			c.errf(p, "must provide exactly one of options, option_groups")
		}
		c.options(opts, p+"/options")
		for i, g := range groups {
			gm, _ := g.(map[string]any)
			list, _ := gm["options"].([]any)
			c.options(list, fmt.Sprintf("%s/option_groups/%d/options", p, i))
		}
	case "checkboxes", "radio_buttons":
		opts, _ := e["options"].([]any)
		if len(opts) == 0 || len(opts) > maxChoices {
			c.errf(p+"/options", "must be an array of 1 to %d items", maxChoices)
		}
		c.options(opts, p+"/options")
		var initial []any
		if t == "checkboxes" {
			if v, ok := e["initial_options"]; ok {
				list, ok := v.([]any)
				if !ok {
					c.errf(p+"/initial_options", "must be an array")
				}
				initial = list
			}
		} else if v, ok := e["initial_option"]; ok {
			initial = []any{v}
		}
		for i, o := range initial {
			ip := p + "/initial_option"
			if t == "checkboxes" {
				ip = fmt.Sprintf("%s/initial_options/%d", p, i)
			}
			om, _ := o.(map[string]any)
			if _, found := findOption(e, str(om["value"])); om == nil || !found {
				c.errf(ip, "must match one of the options")
			}
		}
	case "plain_text_input":
		if ph, ok := e["placeholder"]; ok {
			c.text(ph, p+"/placeholder", maxPlaceholder, true)
		}
		if n, ok := number(e["max_length"]); ok && (n < 1 || n > maxInputLength) {
			c.errf(p+"/max_length", "must be between 1 and %d", maxInputLength)
		}
		if utf8.RuneCountInString(str(e["initial_value"])) > maxInputLength {
			c.errf(p+"/initial_value", "must be less than %d characters", maxInputLength+1)
		}
	}
}

func (c *blockChecker) options(list []any, p string) {
	if len(list) > maxOptions {
		c.errf(p, "no more than %d items allowed", maxOptions)
	}
	for i, o := range list {
		op := fmt.Sprintf("%s/%d", p, i)
		om, ok := o.(map[string]any)
		if !ok {
			c.errf(op, "must be an object")
			continue
		}
		c.text(om["text"], op+"/text", maxOptionText, false)
		if n := utf8.RuneCountInString(str(om["value"])); n == 0 || n > maxOptionValue {
			c.errf(op+"/value", "must be between 1 and %d characters", maxOptionValue)
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

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
	v, err := decodeJSON(blocks)
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

// findOption returns the option of a select with the given value.
func findOption(sel map[string]any, value string) (map[string]any, bool) {
	lists := [][]any{}
	if o, ok := sel["options"].([]any); ok {
		lists = append(lists, o)
	}
	groups, _ := sel["option_groups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		if o, ok := gm["options"].([]any); ok {
			lists = append(lists, o)
		}
	}
	for _, list := range lists {
		for _, o := range list {
			om, _ := o.(map[string]any)
			if om != nil && str(om["value"]) == value {
				return om, true
			}
		}
	}
	return nil, false
}

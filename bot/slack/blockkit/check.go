package blockkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Checker validates Block Kit JSON the way Slack does. Problems are
// collected in Slack's response_metadata message format.
type Checker struct {
	// NewID, when set, gives blocks and interactive elements sent without
	// an id the one Slack would generate for them.
	NewID    func() string
	Problems []string
}

// Errorf records a problem at the JSON pointer ptr.
func (c *Checker) Errorf(ptr, format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:%s]", append(args, ptr)...))
}

// Decode decodes Block Kit JSON keeping numbers as written, as Checker
// reads it.
func Decode(raw []byte) (any, error) {
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

// Blocks checks a blocks array at ptr and returns it with ids filled in.
func (c *Checker) Blocks(raw json.RawMessage, ptr string, limit int) []any {
	v, err := Decode(raw)
	if err != nil {
		c.Errorf(ptr, "invalid JSON: %v", err)
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		c.Errorf(ptr, "must be an array")
		return nil
	}
	return c.blockList(list, ptr, limit)
}

func (c *Checker) blockList(list []any, ptr string, limit int) []any {
	if len(list) > limit {
		c.Errorf(ptr, "no more than %d items allowed", limit)
		return list
	}
	seen := map[string]bool{}
	for i, b := range list {
		p := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := b.(map[string]any)
		if !ok {
			c.Errorf(p, "must be an object")
			continue
		}
		id := str(m["block_id"])
		switch {
		case id == "" && c.NewID != nil:
			m["block_id"] = c.NewID()
		case id == "":
			// Slack would make one up.
		case len(id) > MaxID:
			c.Errorf(p+"/block_id", "must be less than %d characters", MaxID+1)
		case seen[id]:
			c.Errorf(p+"/block_id", "duplicate block_id %q", id)
		}
		seen[str(m["block_id"])] = true
		c.block(m, p)
	}
	return list
}

func (c *Checker) block(b map[string]any, p string) {
	switch t := str(b["type"]); t {
	case "section":
		text, hasText := b["text"]
		fields, hasFields := b["fields"]
		if !hasText && !hasFields {
			c.Errorf(p, "must provide either text or fields")
		}
		if hasText {
			c.Text(text, p+"/text", MaxSectionText, false)
		}
		if hasFields {
			list, ok := fields.([]any)
			if !ok || len(list) == 0 || len(list) > MaxFields {
				c.Errorf(p+"/fields", "must be an array of 1 to %d items", MaxFields)
			}
			for i, f := range list {
				c.Text(f, fmt.Sprintf("%s/fields/%d", p, i), MaxFieldText, false)
			}
		}
		if acc, ok := b["accessory"]; ok {
			c.element(acc, p+"/accessory", map[string]bool{"button": true, "static_select": true, "image": true, "overflow": true, "datepicker": true})
		}
	case "header":
		c.Text(b["text"], p+"/text", MaxHeaderText, true)
	case "divider":
	case "context":
		list, ok := b["elements"].([]any)
		if !ok || len(list) == 0 || len(list) > MaxContextElements {
			c.Errorf(p+"/elements", "must be an array of 1 to %d items", MaxContextElements)
		}
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			if m, ok := e.(map[string]any); ok && str(m["type"]) == "image" {
				continue
			}
			c.Text(e, ep, MaxSectionText, false)
		}
	case "actions":
		list, ok := b["elements"].([]any)
		if !ok || len(list) == 0 || len(list) > MaxActionElements {
			c.Errorf(p+"/elements", "must be an array of 1 to %d items", MaxActionElements)
		}
		seen := map[string]bool{}
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", p, i)
			c.element(e, ep, map[string]bool{"button": true, "static_select": true, "overflow": true, "datepicker": true, "checkboxes": true, "radio_buttons": true})
			if m, ok := e.(map[string]any); ok {
				id := str(m["action_id"])
				if id != "" && seen[id] {
					c.Errorf(ep+"/action_id", "duplicate action_id %q", id)
				}
				seen[id] = true
			}
		}
	case "input":
		c.Text(b["label"], p+"/label", MaxLabel, true)
		c.element(b["element"], p+"/element", map[string]bool{"plain_text_input": true, "static_select": true, "multi_static_select": true, "datepicker": true, "checkboxes": true, "radio_buttons": true})
	case "image", "rich_text", "markdown", "video", "file":
		// Accepted as they are; the bot does not send them.
	case "":
		c.Errorf(p+"/type", "missing required field: type")
	default:
		c.Errorf(p+"/type", "unsupported block type %q", t)
	}
}

// Text checks a text object of at most limit characters; plainOnly rejects
// mrkdwn.
func (c *Checker) Text(v any, p string, limit int, plainOnly bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.Errorf(p, "must be a text object")
		return
	}
	switch t := str(m["type"]); {
	case t == "plain_text":
	case t == "mrkdwn" && !plainOnly:
	case plainOnly:
		c.Errorf(p+"/type", "must be plain_text")
	default:
		c.Errorf(p+"/type", "must be one of plain_text, mrkdwn")
	}
	s, ok := m["text"].(string)
	switch n := Len(s); {
	case !ok || n == 0:
		c.Errorf(p+"/text", "must be more than 0 characters")
	case n > limit:
		c.Errorf(p+"/text", "must be less than %d characters", limit+1)
	}
}

func (c *Checker) element(v any, p string, allowed map[string]bool) {
	e, ok := v.(map[string]any)
	if !ok {
		c.Errorf(p, "must be an object")
		return
	}
	t := str(e["type"])
	if !allowed[t] {
		c.Errorf(p+"/type", "unsupported element type %q", t)
		return
	}
	if t == "image" {
		return
	}
	switch id := str(e["action_id"]); {
	case id == "" && c.NewID != nil:
		e["action_id"] = c.NewID()
	case len(id) > MaxID:
		c.Errorf(p+"/action_id", "must be less than %d characters", MaxID+1)
	}
	switch t {
	case "button":
		c.Text(e["text"], p+"/text", MaxButtonText, true)
		if Len(str(e["value"])) > MaxButtonValue {
			c.Errorf(p+"/value", "must be less than %d characters", MaxButtonValue+1)
		}
		if s := str(e["style"]); s != "" && s != "primary" && s != "danger" {
			c.Errorf(p+"/style", "must be one of primary, danger")
		}
	case "static_select", "multi_static_select":
		if ph, ok := e["placeholder"]; ok {
			c.Text(ph, p+"/placeholder", MaxPlaceholder, true)
		}
		opts, hasOpts := e["options"].([]any)
		groups, hasGroups := e["option_groups"].([]any)
		if hasOpts == hasGroups {
			c.Errorf(p, "must provide exactly one of options, option_groups")
		}
		c.options(opts, p+"/options")
		for i, g := range groups {
			gm, _ := g.(map[string]any)
			list, _ := gm["options"].([]any)
			c.options(list, fmt.Sprintf("%s/option_groups/%d/options", p, i))
		}
		if initial, ok := e["initial_options"].([]any); ok && t == "multi_static_select" {
			for i, o := range initial {
				om, _ := o.(map[string]any)
				if _, found := FindOption(e, str(om["value"])); om == nil || !found {
					c.Errorf(fmt.Sprintf("%s/initial_options/%d", p, i), "must match one of the options")
				}
			}
		}
	case "checkboxes", "radio_buttons":
		opts, _ := e["options"].([]any)
		if len(opts) == 0 || len(opts) > MaxChoices {
			c.Errorf(p+"/options", "must be an array of 1 to %d items", MaxChoices)
		}
		c.options(opts, p+"/options")
		var initial []any
		if t == "checkboxes" {
			if v, ok := e["initial_options"]; ok {
				list, ok := v.([]any)
				if !ok {
					c.Errorf(p+"/initial_options", "must be an array")
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
			if _, found := FindOption(e, str(om["value"])); om == nil || !found {
				c.Errorf(ip, "must match one of the options")
			}
		}
	case "plain_text_input":
		if ph, ok := e["placeholder"]; ok {
			c.Text(ph, p+"/placeholder", MaxPlaceholder, true)
		}
		if n, ok := number(e["max_length"]); ok && (n < 1 || n > MaxInputLength) {
			c.Errorf(p+"/max_length", "must be between 1 and %d", MaxInputLength)
		}
		if Len(str(e["initial_value"])) > MaxInputLength {
			c.Errorf(p+"/initial_value", "must be less than %d characters", MaxInputLength+1)
		}
	}
}

func (c *Checker) options(list []any, p string) {
	if len(list) > MaxOptions {
		c.Errorf(p, "no more than %d items allowed", MaxOptions)
	}
	for i, o := range list {
		op := fmt.Sprintf("%s/%d", p, i)
		om, ok := o.(map[string]any)
		if !ok {
			c.Errorf(op, "must be an object")
			continue
		}
		c.Text(om["text"], op+"/text", MaxOptionText, false)
		if n := Len(str(om["value"])); n == 0 || n > MaxOptionValue {
			c.Errorf(op+"/value", "must be between 1 and %d characters", MaxOptionValue)
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

// FindOption returns the option of a select, checkboxes or radio buttons with the given value.
func FindOption(sel map[string]any, value string) (map[string]any, bool) {
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

// ViewText checks a view's title, submit or close text object at ptr p and
// returns its text.
func (c *Checker) ViewText(raw json.RawMessage, p string, required bool) string {
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			c.Errorf(p, "missing required field: %s", p[strings.LastIndex(p, "/")+1:])
		}
		return ""
	}
	v, err := Decode(raw)
	if err != nil {
		c.Errorf(p, "must be a text object")
		return ""
	}
	c.Text(v, p, MaxViewText, true)
	m, _ := v.(map[string]any)
	return str(m["text"])
}

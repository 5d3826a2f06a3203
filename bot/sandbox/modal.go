package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
)

// input is one input block of a modal.
type input struct {
	blockID, actionID, typ string
	optional               bool
	el                     map[string]any
}

func modalInputs(blocks json.RawMessage) []input {
	v, err := blockkit.Decode(blocks)
	if err != nil {
		return nil
	}
	list, _ := v.([]any)
	var out []input
	for _, b := range list {
		m, _ := b.(map[string]any)
		el, _ := m["element"].(map[string]any)
		if str(m["type"]) != "input" || el == nil {
			continue
		}
		opt, _ := m["optional"].(bool)
		out = append(out, input{blockID: str(m["block_id"]), actionID: str(el["action_id"]), typ: str(el["type"]), optional: opt, el: el})
	}
	return out
}

// stateValues builds view.state.values from what the person typed, keyed
// by block_id or action_id; fields not given keep their initial values.
// It checks the form as Slack's client does before sending it.
func stateValues(inputs []input, values map[string]string) (obj, map[string]string, error) {
	used := map[string]bool{}
	state := obj{}
	problems := map[string]string{}
	for _, in := range inputs {
		typed, given := values[in.blockID]
		if given {
			used[in.blockID] = true
		} else if typed, given = values[in.actionID]; given {
			used[in.actionID] = true
		}
		val := obj{"type": in.typ}
		empty := true
		switch in.typ {
		case "plain_text_input":
			if !given {
				typed = str(in.el["initial_value"])
			}
			n := utf8.RuneCountInString(typed)
			if most, ok := number(in.el["max_length"]); ok && int64(n) > most {
				problems[in.blockID] = fmt.Sprintf("Must be %d characters or fewer.", most)
			}
			if least, ok := number(in.el["min_length"]); ok && n > 0 && int64(n) < least {
				problems[in.blockID] = fmt.Sprintf("Must be at least %d characters.", least)
			}
			if typed == "" {
				val["value"] = nil
			} else {
				val["value"], empty = typed, false
			}
		case "static_select", "radio_buttons":
			val["selected_option"] = nil
			switch {
			case given && typed != "":
				opt, found := blockkit.FindOption(in.el, typed)
				if !found {
					return nil, nil, fmt.Errorf("%w: %q is not an option of %q", ErrInvalidInput, typed, in.blockID)
				}
				val["selected_option"], empty = opt, false
			case !given && in.el["initial_option"] != nil:
				val["selected_option"], empty = in.el["initial_option"], false
			}
		case "checkboxes", "multi_static_select":
			chosen := []any{}
			if given {
				for _, v := range strings.Split(typed, ",") {
					if v == "" {
						continue
					}
					opt, found := blockkit.FindOption(in.el, v)
					if !found {
						return nil, nil, fmt.Errorf("%w: %q is not an option of %q", ErrInvalidInput, v, in.blockID)
					}
					if !slices.ContainsFunc(chosen, func(o any) bool { return str(o.(map[string]any)["value"]) == v }) {
						chosen = append(chosen, opt)
					}
				}
			} else if initial, ok := in.el["initial_options"].([]any); ok {
				chosen = initial
			}
			val["selected_options"], empty = chosen, len(chosen) == 0
		case "datepicker":
			if !given {
				typed = str(in.el["initial_date"])
			}
			val["selected_date"] = nil
			if typed != "" {
				val["selected_date"], empty = typed, false
			}
		default:
			if given {
				val["value"], empty = typed, typed == ""
			}
		}
		if empty && !in.optional {
			problems[in.blockID] = "Please fill out this field."
		}
		state[in.blockID] = obj{in.actionID: val}
	}
	var unknown []string
	for k := range values {
		if !used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, nil, fmt.Errorf("%w: the modal has no input %s", ErrInvalidInput, strings.Join(unknown, ", "))
	}
	return state, problems, nil
}

// Submit submits user's open modal with values (keyed by input block_id or
// action_id; inputs not given keep their initial values; check boxes take
// the values of the options ticked, joined by commas, and radio buttons
// the value of the option chosen) and applies the
// bot's answer: an empty 200 closes the modal, response_action "errors"
// keeps it open with the errors recorded, "update", "push" and "clear" do
// what they do on Slack. A required field left empty is refused as Slack's
// client refuses it: the errors are recorded and nothing is sent.
func (w *Workspace) Submit(ctx context.Context, user string, values map[string]string) error {
	w.mu.Lock()
	p, err := w.personLocked(user)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	v := w.topModal(user)
	if v == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w for %s", ErrNoModal, user)
	}
	state, problems, err := stateValues(modalInputs(v.Blocks), values)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	if len(problems) > 0 {
		v.Errors = problems
		w.notifyLocked(Change{Kind: "modal", User: user})
		w.mu.Unlock()
		keys := slices.Sorted(maps.Keys(problems))
		return fmt.Errorf("%w: %s: %s", ErrInvalidInput, keys[0], problems[keys[0]])
	}
	payload := obj{
		"type": "view_submission", "team": teamObj(), "user": w.userObj(p),
		"api_app_id": appID, "token": w.verifyToken, "trigger_id": w.issueTriggerLocked(user),
		"view": w.viewObjLocked(v, state), "response_urls": []obj{},
		"is_enterprise_install": false, "enterprise": nil,
	}
	id := v.ID
	w.mu.Unlock()

	body, err := w.deliverInteraction(ctx, payload)
	if err != nil {
		return err
	}
	var answer struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &answer); err != nil {
			return fmt.Errorf("%w: view_submission answer is not JSON: %.200s", ErrInvalidInput, body)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.notifyLocked(Change{Kind: "modal", User: user})
	switch answer.ResponseAction {
	case "":
		w.closeViewLocked(user, id)
	case "clear":
		for _, vid := range w.modals[user] {
			delete(w.views, vid)
		}
		delete(w.modals, user)
	case "errors":
		if cur := w.views[id]; cur != nil {
			cur.Errors = answer.Errors
		}
	case "update", "push":
		nv, res := w.checkViewLocked(answer.View, "modal")
		if res != nil {
			return fmt.Errorf("%w: response_action %s: %v", ErrInvalidInput, answer.ResponseAction, res["response_metadata"])
		}
		nv.User, nv.Hash = user, w.hashLocked()
		if answer.ResponseAction == "update" && w.views[id] != nil {
			nv.ID, nv.rootID = id, w.views[id].rootID
		} else {
			nv.ID = w.nextIDLocked("V")
			nv.rootID = id
			w.modals[user] = append(w.modals[user], nv.ID)
		}
		w.views[nv.ID] = nv
	default:
		return fmt.Errorf("%w: unknown response_action %q", ErrInvalidInput, answer.ResponseAction)
	}
	return nil
}

func (w *Workspace) closeViewLocked(user, id string) {
	delete(w.views, id)
	w.modals[user] = slices.DeleteFunc(w.modals[user], func(v string) bool { return v == id })
	if len(w.modals[user]) == 0 {
		delete(w.modals, user)
	}
}

// CloseModal closes user's open modal as its Close button does, delivering
// view_closed when the view asked for notify_on_close.
func (w *Workspace) CloseModal(ctx context.Context, user string) error {
	w.mu.Lock()
	p, err := w.personLocked(user)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	v := w.topModal(user)
	if v == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w for %s", ErrNoModal, user)
	}
	w.closeViewLocked(user, v.ID)
	w.notifyLocked(Change{Kind: "modal", User: user})
	if !v.notifyOnClose {
		w.mu.Unlock()
		return nil
	}
	payload := obj{
		"type": "view_closed", "team": teamObj(), "user": w.userObj(p),
		"api_app_id": appID, "token": w.verifyToken, "view": w.viewObjLocked(v, nil),
		"is_cleared": false, "is_enterprise_install": false, "enterprise": nil,
	}
	w.mu.Unlock()
	return w.sendInteraction(ctx, payload)
}

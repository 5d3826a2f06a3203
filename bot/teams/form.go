package teams

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/storage"
)

// errorPrefix marks the text blocks that show a form's problems.
const errorPrefix = "lp_err_"

// OpenModal implements bot.Platform. Teams has no modals: the form is a
// card posted into the conversation the click came from (the trigger
// carries it), and kept so it can be shown again with problems. It is kept
// under an id of its own that its submit button carries (the card's
// activity id is not known when it is sent).
func (a *Adapter) OpenModal(ctx context.Context, triggerID string, m message.Modal) error {
	conv, _, user := parseTrigger(triggerID)
	if conv == "" {
		return errors.New("teams: a form needs the conversation it was asked for in")
	}
	act, problems := renderModal(m, a.nameOf)
	for _, p := range problems {
		a.log.Warn("form rendered without some content", "problem", p)
	}
	id := rand.Text()
	tagForm(&act, id, user)
	if err := a.send(ctx, conv, act); err != nil {
		return err
	}
	data, err := json.Marshal(act)
	if err != nil {
		return err
	}
	if _, err := a.docs.PutDoc(ctx, formKey(conv, id), data, storage.AnyRev); err != nil {
		a.log.Warn("cannot keep a form card", "err", err)
	}
	return nil
}

// tagForm adds the form's id to the data of its submit button, and whose
// form it is to its Cancel button.
func tagForm(act *outActivity, id, user string) {
	for _, at := range act.Attachments {
		if at.Content == nil {
			continue
		}
		for _, ac := range at.Content.Actions {
			data, ok := ac.Data.(map[string]string)
			switch {
			case !ok:
			case data[keySubmit] != "":
				data[keyForm] = id
			case user != "":
				if _, ok := data[keyCancel]; ok {
					data[keyCancel] = user
				}
			}
		}
	}
}

// cancel closes a form card when its owner clicks Cancel; anyone else is
// told the form is not theirs.
func (a *Adapter) cancel(ctx context.Context, in inbound) {
	if in.owner != "" && in.owner != in.input.User {
		note := message.Message{Summary: "That form is someone else's", Blocks: []message.Block{message.Section{Text: message.T(
			"That form is someone else's, so I've left it open for them.")}}}
		if err := a.Ephemeral(ctx, in.input.Channel, in.input.User, note); err != nil {
			a.log.Warn("cannot answer a click on someone else's form", "err", err)
		}
		return
	}
	a.closeForm(ctx, in.input.Source, "Cancelled. Nothing was sent.")
}

// checkForm validates a form submission. With problems, it shows the card
// again with the problems beside the fields and what was typed kept, and
// returns false. Otherwise it replaces the card with a note, so the form
// cannot be sent twice, and returns true.
func (a *Adapter) checkForm(ctx context.Context, in inbound) bool {
	sub := in.input
	problems := conversation.Validate(sub, a.engine.Time(), a.Location(ctx, sub.User))
	src := sub.Source
	if problems == nil {
		a.closeForm(ctx, src, "✓ Sent.")
		return true
	}
	if src.TS != "" {
		// Cards sent before forms had ids of their own are kept under
		// their activity id.
		if data, _, err := a.docs.Doc(ctx, formKey(src.Channel, defaultString(in.form, src.TS))); err == nil {
			if act, err := withProblems(data, sub.Form, problems); err == nil {
				if err := a.update(ctx, src, act); err == nil {
					return false
				} else {
					a.log.Warn("cannot show a form's problems", "err", err)
				}
			}
		}
	}
	// The card is gone: say what is wrong in a message instead.
	var blocks []message.Block
	blocks = append(blocks, message.Section{Text: message.T("Please check the form and send it again:")})
	for _, id := range sortedKeys(problems) {
		blocks = append(blocks, message.Section{Text: message.T("• ", problems[id])})
	}
	if _, err := a.Post(ctx, defaultString(src.Channel, sub.Channel), message.Message{Summary: "Please check the form", Blocks: blocks}); err != nil {
		a.log.Warn("cannot show a form's problems", "err", err)
	}
	return false
}

// closeForm replaces a form card with a short note, so it cannot be sent
// (again).
func (a *Adapter) closeForm(ctx context.Context, src conversation.MessageRef, note string) {
	if src.TS == "" {
		return
	}
	done := message.Message{Summary: note, Blocks: []message.Block{message.Context{Text: message.T(note)}}}
	if err := a.Update(ctx, src, done); err != nil {
		a.log.Warn("cannot close a form card", "err", err)
	}
}

// withProblems returns a stored form card with the submitted values filled
// in and each problem shown under its field.
func withProblems(stored []byte, form, problems map[string]string) (outActivity, error) {
	var act struct {
		outActivity
		Attachments []struct {
			ContentType string         `json:"contentType"`
			Content     map[string]any `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(stored, &act); err != nil || len(act.Attachments) == 0 {
		return outActivity{}, errors.New("teams: unreadable form card")
	}
	content := act.Attachments[0].Content
	body, _ := content["body"].([]any)
	var out []any
	shown := map[string]bool{}
	for _, el := range body {
		e, ok := el.(map[string]any)
		if !ok {
			out = append(out, el)
			continue
		}
		id, _ := e["id"].(string)
		if strings.HasPrefix(id, errorPrefix) {
			continue
		}
		out = append(out, e)
		if id == "" {
			continue
		}
		if v, ok := form[id]; ok {
			e["value"] = v
		}
		if p, ok := problems[id]; ok {
			shown[id] = true
			out = append(out, map[string]any{"type": "TextBlock", "id": errorPrefix + id, "text": escapeMarkdown(p),
				"wrap": true, "color": "attention", "spacing": "Small"})
		}
	}
	for _, id := range sortedKeys(problems) {
		if !shown[id] {
			out = append(out, map[string]any{"type": "TextBlock", "id": errorPrefix + id, "text": escapeMarkdown(problems[id]),
				"wrap": true, "color": "attention"})
		}
	}
	content["body"] = out
	raw, err := json.Marshal(content)
	if err != nil {
		return outActivity{}, err
	}
	var c card
	if err := json.Unmarshal(raw, &c); err != nil {
		return outActivity{}, err
	}
	// Body elements come back as maps; keep them as they are.
	c.Body = out
	res := act.outActivity
	res.Attachments = []attachment{{ContentType: cardContentType, Content: &c}}
	return res, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
)

// Paths the bot serves, as configured in the Slack app manifest.
const (
	EventsPath        = "/slack/events"
	InteractivityPath = "/slack/interactivity"
	CommandsPath      = "/slack/commands"
)

// slowAck is how long Slack waits for an acknowledgement.
const slowAck = 3 * time.Second

// responseURLLife and responseURLUses bound a response_url, as on Slack.
const (
	responseURLLife = 30 * time.Minute
	responseURLUses = 5
)

// deliver POSTs a signed request to the bot and returns its answer body.
func (w *Workspace) deliver(ctx context.Context, path, contentType string, body []byte, extra http.Header) ([]byte, error) {
	if w.botURL == "" {
		return nil, ErrNoBot
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(w.botURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("sandbox: deliver %s: %w", path, err)
	}
	ts := strconv.FormatInt(w.requestTime().Unix(), 10)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(w.secret, ts, body))
	for k, v := range extra {
		req.Header[k] = v
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sandbox: deliver %s: %w", path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("sandbox: read answer to %s: %w", path, err)
	}
	if d := time.Since(start); d > slowAck {
		w.log.Warn("bot acknowledged late; Slack would retry", "path", path, "after", d)
	}
	if resp.StatusCode/100 != 2 {
		return nil, &StatusError{Path: path, Status: resp.StatusCode, Body: string(answer)}
	}
	return answer, nil
}

// sign computes Slack's v0 request signature.
func sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// sendEvent delivers an Events API event_callback.
func (w *Workspace) sendEvent(ctx context.Context, ev obj) error {
	w.mu.Lock()
	// Event ids carry the workspace's run id: a bot that remembers ids
	// across a sandbox restart must not take new events for retries.
	id := w.nextIDLocked("Ev" + w.runID)
	now := w.clock.Now()
	body := encodeJSON(obj{
		"token":                 w.verifyToken,
		"team_id":               teamID,
		"context_team_id":       teamID,
		"context_enterprise_id": nil,
		"api_app_id":            appID,
		"event":                 ev,
		"type":                  "event_callback",
		"event_id":              id,
		"event_time":            now.Unix(),
		"authorizations": []obj{{
			"enterprise_id": nil, "team_id": teamID, "user_id": w.bot,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + randomHex(16),
	})
	w.lastEvent = body
	w.mu.Unlock()
	_, err := w.deliver(ctx, EventsPath, "application/json", body, nil)
	return err
}

// Redeliver sends the last Events API request again, as Slack retries an
// event it thinks was not acknowledged: same event_id, with
// X-Slack-Retry-Num and X-Slack-Retry-Reason.
func (w *Workspace) Redeliver(ctx context.Context, retryNum int) error {
	w.mu.Lock()
	body := w.lastEvent
	w.mu.Unlock()
	if body == nil {
		return fmt.Errorf("%w: no event delivered yet", ErrNotFound)
	}
	h := http.Header{}
	h.Set("X-Slack-Retry-Num", strconv.Itoa(retryNum))
	h.Set("X-Slack-Retry-Reason", "http_timeout")
	_, err := w.deliver(ctx, EventsPath, "application/json", body, h)
	return err
}

// VerifyURL sends Slack's url_verification challenge and checks the bot
// echoes it, as Slack does when the request URL is configured.
func (w *Workspace) VerifyURL(ctx context.Context) error {
	challenge := randomHex(16)
	body := encodeJSON(obj{"token": w.verifyToken, "challenge": challenge, "type": "url_verification"})
	answer, err := w.deliver(ctx, EventsPath, "application/json", body, nil)
	if err != nil {
		return err
	}
	var js struct {
		Challenge string `json:"challenge"`
	}
	if strings.TrimSpace(string(answer)) == challenge || (json.Unmarshal(answer, &js) == nil && js.Challenge == challenge) {
		return nil
	}
	return fmt.Errorf("sandbox: url_verification: the bot did not echo the challenge")
}

// richText is the rich_text block Slack clients attach to typed messages;
// its text is not entity-escaped (mentions are kept as typed).
func richText(id, text string) []obj {
	plain := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
	return []obj{{
		"type": "rich_text", "block_id": id,
		"elements": []obj{{"type": "rich_text_section", "elements": []obj{{"type": "text", "text": plain}}}},
	}}
}

// personLocked returns a member who is not the bot.
func (w *Workspace) personLocked(user string) (*Person, error) {
	p := w.people[user]
	if p == nil || user == w.bot {
		return nil, fmt.Errorf("%w: user %q", ErrNotFound, user)
	}
	return p, nil
}

// SendDM sends text from user to the bot in their direct conversation and
// delivers the message event.
func (w *Workspace) SendDM(ctx context.Context, user, text string) error {
	return w.Post(ctx, user, dmChannel(user), text, "")
}

// Post sends text from user to a channel (or, with a D… id, to their
// direct conversation), in the thread threadTS when set. It delivers the
// message event (when the bot is in the channel; a thread reply carries
// thread_ts and parent_user_id) and, when the text mentions the bot
// outside a DM, an app_mention event too. A user who is not a member is
// refused with ErrNotInChannel and nothing is delivered.
func (w *Workspace) Post(ctx context.Context, user, channel, text, threadTS string) error {
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: empty message", ErrInvalidInput)
	}
	if blockkit.Len(text) > blockkit.MaxMessageText {
		return fmt.Errorf("%w: message too long", ErrInvalidInput)
	}
	w.mu.Lock()
	if _, err := w.personLocked(user); err != nil {
		w.mu.Unlock()
		return err
	}
	c := w.convs[channel]
	if c == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w: channel %q", ErrNotFound, channel)
	}
	if !c.isMember(user) {
		w.mu.Unlock()
		return fmt.Errorf("%w: %s is not in %s", ErrNotInChannel, user, channel)
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: user, Text: text}
	if threadTS != "" {
		if m.ThreadTS = c.root(threadTS); m.ThreadTS == "" {
			w.mu.Unlock()
			return fmt.Errorf("%w: thread %s in %s", ErrNotFound, threadTS, channel)
		}
	}
	blocks := richText(w.blockIDLocked(), text)
	m.Blocks = encodeJSON(blocks)
	w.appendLocked(c, m)
	ev := obj{
		"client_msg_id": randomHex(16), "type": "message", "text": text, "user": user,
		"ts": m.TS, "blocks": blocks, "team": teamID, "channel": c.id, "event_ts": m.TS,
		"channel_type": "channel",
	}
	if c.im {
		ev["channel_type"] = "im"
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
		if _, parent := w.findMsg(MessageRef{c.id, m.ThreadTS}); parent != nil {
			ev["parent_user_id"] = parent.User
		}
	}
	botIn := c.isMember(w.bot)
	mention := !c.im && (strings.Contains(text, "<@"+w.bot+">") || strings.Contains(text, "<@"+w.bot+"|"))
	w.mu.Unlock()

	if !botIn {
		return nil
	}
	if err := w.sendEvent(ctx, ev); err != nil {
		return err
	}
	if !mention {
		return nil
	}
	am := obj{
		"client_msg_id": ev["client_msg_id"], "type": "app_mention", "text": text, "user": user,
		"ts": m.TS, "blocks": blocks, "team": teamID, "channel": c.id, "event_ts": m.TS,
	}
	if m.ThreadTS != "" {
		am["thread_ts"] = m.ThreadTS
	}
	return w.sendEvent(ctx, am)
}

// OpenHome delivers app_home_opened, as when user opens the App Home tab.
func (w *Workspace) OpenHome(ctx context.Context, user string) error {
	w.mu.Lock()
	if _, err := w.personLocked(user); err != nil {
		w.mu.Unlock()
		return err
	}
	ev := obj{"type": "app_home_opened", "user": user, "channel": dmChannel(user), "tab": "home", "event_ts": w.nextTSLocked()}
	if v := w.views[w.homes[user]]; v != nil {
		ev["view"] = w.viewObjLocked(v, nil)
	}
	w.mu.Unlock()
	return w.sendEvent(ctx, ev)
}

// issueTriggerLocked hands out a trigger_id for user, valid for 3 s of
// sandbox time.
func (w *Workspace) issueTriggerLocked(user string) string {
	now := w.clock.Now()
	w.seq++
	id := fmt.Sprintf("%d.%d.%s", now.Unix(), w.seq, randomHex(16))
	w.triggers[id] = &trigger{user: user, issued: now}
	return id
}

// responseURLLocked hands out a response_url.
func (w *Workspace) responseURLLocked(t *responseTarget) string {
	id := randomHex(12)
	t.issued = w.clock.Now()
	w.responses[id] = t
	base := w.baseURL
	if base == "" {
		base = "http://sandbox.invalid"
	}
	return base + "/api/response/" + id
}

func (w *Workspace) userObj(p *Person) obj {
	return obj{"id": p.ID, "username": p.Name, "name": p.Name, "team_id": teamID}
}

func teamObj() obj { return obj{"id": teamID, "domain": teamDomain} }

func (c *conv) displayName() string {
	if c.im {
		return "directmessage"
	}
	return c.name
}

// Click clicks the button with actionID (or whose action_id starts with
// it) on a message and delivers block_actions.
func (w *Workspace) Click(ctx context.Context, user string, msg MessageRef, actionID string) error {
	return w.act(ctx, user, msg, "button", actionID, "")
}

// Select chooses the option with value in the static_select actionID on a
// message and delivers block_actions.
func (w *Workspace) Select(ctx context.Context, user string, msg MessageRef, actionID, value string) error {
	return w.act(ctx, user, msg, "static_select", actionID, value)
}

func (w *Workspace) act(ctx context.Context, user string, ref MessageRef, typ, actionID, value string) error {
	w.mu.Lock()
	p, err := w.personLocked(user)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	c, m := w.findMsg(ref)
	if m == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w: message %s/%s", ErrNotFound, ref.Channel, ref.TS)
	}
	if !c.isMember(user) {
		w.mu.Unlock()
		return fmt.Errorf("%w: %s is not in %s", ErrNotInChannel, user, ref.Channel)
	}
	if m.Ephemeral && m.EphemeralFor != user {
		w.mu.Unlock()
		return fmt.Errorf("%w: %s cannot see message %s/%s", ErrNotAllowed, user, ref.Channel, ref.TS)
	}
	action, state, err := w.actionLocked(m.Blocks, typ, actionID, value)
	if err != nil {
		w.mu.Unlock()
		return fmt.Errorf("%w (message %s/%s)", err, ref.Channel, ref.TS)
	}
	container := obj{"type": "message", "message_ts": m.TS, "channel_id": c.id, "is_ephemeral": m.Ephemeral}
	if m.ThreadTS != "" {
		container["thread_ts"] = m.ThreadTS
	}
	payload := obj{
		"type": "block_actions", "user": w.userObj(p), "api_app_id": appID, "token": w.verifyToken,
		"container": container, "trigger_id": w.issueTriggerLocked(user), "team": teamObj(),
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      obj{"id": c.id, "name": c.displayName()},
		"state":        obj{"values": state},
		"response_url": w.responseURLLocked(&responseTarget{channel: c.id, user: user, ts: m.TS, threadTS: m.ThreadTS, ephemeral: m.Ephemeral}),
		"actions":      []obj{action},
	}
	if !m.Ephemeral {
		payload["message"] = w.msgObjLocked(c, m)
	}
	w.mu.Unlock()
	return w.sendInteraction(ctx, payload)
}

// ClickHome clicks a button on user's App Home tab.
func (w *Workspace) ClickHome(ctx context.Context, user, actionID string) error {
	return w.actHome(ctx, user, "button", actionID, "")
}

// SelectHome chooses an option in a static_select on user's App Home tab.
func (w *Workspace) SelectHome(ctx context.Context, user, actionID, value string) error {
	return w.actHome(ctx, user, "static_select", actionID, value)
}

func (w *Workspace) actHome(ctx context.Context, user, typ, actionID, value string) error {
	w.mu.Lock()
	p, err := w.personLocked(user)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	v := w.views[w.homes[user]]
	if v == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w: %s has no App Home view", ErrNotFound, user)
	}
	action, state, err := w.actionLocked(v.Blocks, typ, actionID, value)
	if err != nil {
		w.mu.Unlock()
		return fmt.Errorf("%w (App Home)", err)
	}
	payload := obj{
		"type": "block_actions", "user": w.userObj(p), "api_app_id": appID, "token": w.verifyToken,
		"container":  obj{"type": "view", "view_id": v.ID},
		"trigger_id": w.issueTriggerLocked(user), "team": teamObj(),
		"enterprise": nil, "is_enterprise_install": false,
		"view":    w.viewObjLocked(v, state),
		"actions": []obj{action},
	}
	w.mu.Unlock()
	return w.sendInteraction(ctx, payload)
}

// actionLocked builds the actions[] entry and state values for an element.
func (w *Workspace) actionLocked(blocks json.RawMessage, typ, actionID, value string) (obj, obj, error) {
	el, found := findElement(blocks, typ, actionID)
	if !found {
		return nil, nil, fmt.Errorf("%w: no %s %q", ErrNotFound, typ, actionID)
	}
	ts := w.nextTSLocked()
	action := obj{"type": typ, "action_id": el.Raw["action_id"], "block_id": el.BlockID, "action_ts": ts}
	state := obj{}
	switch typ {
	case "button":
		action["text"] = el.Raw["text"]
		if v, ok := el.Raw["value"]; ok {
			action["value"] = v
		}
		if s, ok := el.Raw["style"]; ok {
			action["style"] = s
		}
	case "static_select":
		opt, ok := blockkit.FindOption(el.Raw, value)
		if !ok {
			return nil, nil, fmt.Errorf("%w: %q is not an option of %q", ErrInvalidInput, value, actionID)
		}
		action["selected_option"] = opt
		if ph, ok := el.Raw["placeholder"]; ok {
			action["placeholder"] = ph
		}
		state[el.BlockID] = obj{str(el.Raw["action_id"]): obj{"type": typ, "selected_option": opt}}
	}
	return action, state, nil
}

func (w *Workspace) sendInteraction(ctx context.Context, payload obj) error {
	_, err := w.deliverInteraction(ctx, payload)
	return err
}

// deliverInteraction delivers an interaction payload form-encoded, as
// payload=JSON, and returns the bot's answer.
func (w *Workspace) deliverInteraction(ctx context.Context, payload obj) ([]byte, error) {
	body := url.Values{"payload": {string(encodeJSON(payload))}}.Encode()
	return w.deliver(ctx, InteractivityPath, "application/x-www-form-urlencoded", []byte(body), nil)
}

// Command runs "/contract text" as user in channel (their DM with the bot
// when channel is empty). An immediate answer in the response body is
// shown as Slack shows it: ephemeral unless response_type is in_channel.
func (w *Workspace) Command(ctx context.Context, user, channel, text string) error {
	if channel == "" {
		channel = dmChannel(user)
	}
	w.mu.Lock()
	p, err := w.personLocked(user)
	if err != nil {
		w.mu.Unlock()
		return err
	}
	c := w.convs[channel]
	if c == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w: channel %q", ErrNotFound, channel)
	}
	if !c.isMember(user) {
		w.mu.Unlock()
		return fmt.Errorf("%w: %s is not in %s", ErrNotInChannel, user, channel)
	}
	target := &responseTarget{channel: c.id, user: user}
	form := url.Values{
		"token": {w.verifyToken}, "team_id": {teamID}, "team_domain": {teamDomain},
		"channel_id": {c.id}, "channel_name": {c.displayName()},
		"user_id": {user}, "user_name": {p.Name},
		"command": {SlashCommand}, "text": {text}, "api_app_id": {appID},
		"is_enterprise_install": {"false"},
		"response_url":          {w.responseURLLocked(target)},
		"trigger_id":            {w.issueTriggerLocked(user)},
	}
	w.mu.Unlock()
	answer, err := w.deliver(ctx, CommandsPath, "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(answer)) == 0 {
		return nil
	}
	var r responseMessage
	if json.Unmarshal(answer, &r) != nil {
		r = responseMessage{Text: string(answer)}
	}
	if r.Text == "" && len(r.Blocks) == 0 {
		return nil // an empty JSON acknowledgement
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if res := w.respondLocked(target, r); res != nil {
		return fmt.Errorf("%w: command answer: %s", ErrInvalidInput, res["error"])
	}
	return nil
}

// responseMessage is what a bot sends to a response_url or as a command's
// immediate answer.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

// respondLocked applies a response_url message; it returns a Slack error
// object for bad input.
func (w *Workspace) respondLocked(t *responseTarget, r responseMessage) obj {
	c := w.convs[t.channel]
	if r.DeleteOriginal {
		if t.ts == "" {
			return fail("message_not_found")
		}
		for i, m := range c.msgs {
			if m.TS == t.ts {
				c.msgs = append(c.msgs[:i], c.msgs[i+1:]...)
				w.notifyLocked(Change{Kind: "delete", Channel: c.id, TS: t.ts, User: m.EphemeralFor})
				return nil
			}
		}
		return fail("message_not_found")
	}
	a := args{"text": encodeJSON(r.Text)}
	if len(r.Blocks) > 0 && string(r.Blocks) != "null" {
		a["blocks"] = r.Blocks
	}
	text, blocks, _, res := w.contentLocked(a)
	if res != nil {
		return res
	}
	if text == "" && blocks == nil {
		return fail("no_text")
	}
	if r.ReplaceOriginal && t.ts != "" {
		_, m := w.findMsg(MessageRef{c.id, t.ts})
		if m == nil {
			return fail("message_not_found")
		}
		m.Text, m.Blocks = text, blocks
		m.Updated++
		w.notifyLocked(Change{Kind: "update", Channel: c.id, TS: m.TS, User: m.EphemeralFor})
		return nil
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: w.bot, Text: text, Blocks: blocks}
	if r.ResponseType != "in_channel" {
		m.Ephemeral, m.EphemeralFor = true, t.user
	}
	if ts := r.ThreadTS; ts != "" {
		m.ThreadTS = c.root(ts)
	} else if t.threadTS != "" {
		m.ThreadTS = t.threadTS
	}
	w.appendLocked(c, m)
	return nil
}

// serveResponseURL takes a message the bot sends to a response_url: JSON,
// or (older clients) a form with the JSON in payload.
func (w *Workspace) serveResponseURL(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxAPIBody)
	raw, err := io.ReadAll(r.Body)
	if err == nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		var form url.Values
		if form, err = url.ParseQuery(string(raw)); err == nil {
			raw = []byte(form.Get("payload"))
		}
	}
	var msg responseMessage
	if err == nil {
		err = json.Unmarshal(raw, &msg)
	}
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, fail("invalid_payload"))
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.responses[r.PathValue("id")]
	if t == nil || t.uses >= responseURLUses || w.clock.Now().Sub(t.issued) > responseURLLife {
		writeJSON(rw, http.StatusNotFound, fail("expired_url"))
		return
	}
	t.uses++
	if res := w.respondLocked(t, msg); res != nil {
		writeJSON(rw, http.StatusBadRequest, res)
		return
	}
	writeJSON(rw, http.StatusOK, ok(nil))
}

package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
)

// maxAPIBody caps Web API request bodies.
const maxAPIBody = 2 << 20

// obj is a JSON object in a Web API response or a delivered payload.
type obj = map[string]any

// args are a Web API call's arguments, from a form or a JSON body.
type args map[string]json.RawMessage

// str returns an argument as text.
func (a args) str(k string) string {
	raw, ok := a[k]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// json returns an argument that holds JSON: as a JSON value in a JSON body,
// or as a string of JSON in a form.
func (a args) json(k string) (json.RawMessage, bool) {
	raw, ok := a[k]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return json.RawMessage(s), true
	}
	return raw, true
}

func (a args) flag(k string) bool {
	b, _ := strconv.ParseBool(a.str(k))
	return b
}

func readArgs(r *http.Request) (args, error) {
	a := args{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			return nil, err
		}
		if a == nil {
			return nil, fmt.Errorf("JSON body is not an object")
		}
	} else if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.Form { // the query, and the body of a form
		if _, ok := a[k]; !ok && len(v) > 0 {
			a[k] = encodeJSON(v[0])
		}
	}
	if ct == "application/json" {
		for k, v := range r.URL.Query() {
			if _, ok := a[k]; !ok && len(v) > 0 {
				a[k] = encodeJSON(v[0])
			}
		}
	}
	return a, nil
}

func fail(code string, msgs ...string) obj {
	o := obj{"ok": false, "error": code}
	if len(msgs) > 0 {
		o["response_metadata"] = obj{"messages": msgs}
	}
	return o
}

func ok(o obj) obj {
	if o == nil {
		o = obj{}
	}
	o["ok"] = true
	return o
}

// APIHandler serves the Web API subset under /api/ (so the bot's API base
// URL is the sandbox's base URL + "/api/"), and the response_url targets
// the sandbox hands out.
func (w *Workspace) APIHandler() http.Handler {
	methods := map[string]func(args) obj{
		"auth.test":             w.authTest,
		"users.info":            w.usersInfo,
		"conversations.open":    w.conversationsOpen,
		"conversations.info":    w.conversationsInfo,
		"conversations.members": w.conversationsMembers,
		"conversations.history": w.conversationsHistory,
		"conversations.replies": w.conversationsReplies,
		"chat.postMessage":      w.chatPostMessage,
		"chat.update":           w.chatUpdate,
		"chat.postEphemeral":    w.chatPostEphemeral,
		"views.open":            w.viewsOpen,
		"views.update":          w.viewsUpdate,
		"views.publish":         w.viewsPublish,

		"files.getUploadURLExternal":   w.filesGetUploadURL,
		"files.completeUploadExternal": w.filesCompleteUpload,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", func(rw http.ResponseWriter, r *http.Request) {
		w.serveMethod(rw, r, r.PathValue("method"), methods)
	})
	mux.HandleFunc("POST /api/response/{id}", w.serveResponseURL)
	mux.HandleFunc("POST /api/upload/{id}", w.serveUpload)
	return mux
}

func (w *Workspace) serveMethod(rw http.ResponseWriter, r *http.Request, method string, methods map[string]func(args) obj) {
	w.learnURL(r)
	r.Body = http.MaxBytesReader(rw, r.Body, maxAPIBody)
	a, err := readArgs(r)
	w.mu.Lock()
	w.calls[method]++
	f := w.failureLocked(method)
	call := Call{Method: method, Channel: a.str("channel"), At: w.clock.Now(), Status: http.StatusOK}
	if f != nil {
		call.Status = f.status
		if f.status == http.StatusTooManyRequests {
			call.RetryAfter = time.Duration(math.Ceil(f.retryAfter.Seconds())) * time.Second
		}
	}
	w.logCallLocked(call)
	w.mu.Unlock()
	if f != nil {
		w.log.Debug("failing call on request", "method", method, "status", f.status)
		if f.status == http.StatusTooManyRequests {
			rw.Header().Set("Retry-After", strconv.Itoa(int(call.RetryAfter/time.Second)))
			writeJSON(rw, f.status, fail("ratelimited"))
			return
		}
		http.Error(rw, http.StatusText(f.status), f.status)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeJSON(rw, http.StatusMethodNotAllowed, fail("method_not_supported_for_channel_type"))
		return
	}
	if err != nil {
		writeJSON(rw, http.StatusOK, fail("invalid_form_data"))
		return
	}
	tok := a.str("token")
	if h := strings.TrimSpace(r.Header.Get("Authorization")); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		tok = h
		if strings.EqualFold(scheme, "Bearer") {
			tok = strings.TrimSpace(rest)
		}
	}
	switch {
	case tok == "":
		writeJSON(rw, http.StatusOK, fail("not_authed"))
		return
	case subtle.ConstantTimeCompare([]byte(tok), []byte(w.token)) != 1:
		writeJSON(rw, http.StatusOK, fail("invalid_auth"))
		return
	}
	h, found := methods[method]
	if !found {
		writeJSON(rw, http.StatusOK, fail("unknown_method"))
		return
	}
	writeJSON(rw, http.StatusOK, h(a))
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_, _ = rw.Write(encodeJSON(v))
}

// learnURL remembers the sandbox's own base URL from a request it serves,
// unless it was configured.
func (w *Workspace) learnURL(r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.baseURL != "" || r.Host == "" {
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	w.baseURL = scheme + "://" + r.Host
}

func (w *Workspace) authTest(args) obj {
	return ok(obj{
		"url":                   "https://" + teamDomain + ".slack.com/",
		"team":                  teamName,
		"user":                  w.people[w.bot].Name,
		"team_id":               teamID,
		"user_id":               w.bot,
		"bot_id":                botID,
		"is_enterprise_install": false,
	})
}

func (w *Workspace) usersInfo(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.people[a.str("user")]
	if p == nil {
		return fail("user_not_found")
	}
	return ok(obj{"user": w.userObjLocked(p)})
}

func (w *Workspace) userObjLocked(p *Person) obj {
	label, offset := zoneInfo(p.TZ, w.clock.Now())
	first, last := firstLast(p.RealName)
	profile := obj{
		"real_name": p.RealName, "real_name_normalized": p.RealName,
		"display_name": p.Name, "display_name_normalized": p.Name,
		"first_name": first, "last_name": last,
		"team": teamID, "image_48": "", "image_72": "",
	}
	u := obj{
		"id": p.ID, "team_id": teamID, "name": p.Name, "deleted": false,
		"color": "9f69e7", "real_name": p.RealName,
		"tz": p.TZ, "tz_label": label, "tz_offset": offset,
		"profile": profile, "is_admin": false, "is_owner": false,
		"is_bot": p.IsBot, "is_app_user": false, "updated": w.clock.Now().Unix(),
		"locale": "en-GB",
	}
	if p.IsBot {
		profile["bot_id"] = botID
		profile["api_app_id"] = appID
	}
	return u
}

func (w *Workspace) convObjLocked(c *conv) obj {
	if c.im {
		return obj{
			"id": c.id, "created": c.created, "is_im": true, "is_org_shared": false,
			"user": c.user, "is_user_deleted": false, "priority": 0, "is_open": true,
		}
	}
	return obj{
		"id": c.id, "name": c.name, "name_normalized": c.name, "created": c.created,
		"is_channel": true, "is_group": false, "is_im": false, "is_mpim": false,
		"is_private": false, "is_archived": false, "is_general": false,
		"is_shared": false, "is_org_shared": false, "is_member": c.isMember(w.bot),
		"creator":     c.creator,
		"topic":       obj{"value": "", "creator": "", "last_set": 0},
		"purpose":     obj{"value": "Peer review of learning contracts", "creator": "", "last_set": 0},
		"num_members": len(c.members),
	}
}

func (w *Workspace) conversationsOpen(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	var c *conv
	if id := a.str("channel"); id != "" {
		if c = w.convs[id]; c == nil || !c.im {
			return fail("channel_not_found")
		}
	} else {
		var users []string
		for _, u := range strings.Split(a.str("users"), ",") {
			if u = strings.TrimSpace(u); u != "" {
				users = append(users, u)
			}
		}
		if len(users) == 1 && users[0] == w.bot {
			return fail("cannot_dm_bot")
		}
		users = slices.DeleteFunc(users, func(u string) bool { return u == w.bot })
		switch {
		case len(users) == 0:
			return fail("users_list_not_supplied")
		case len(users) > 1:
			return fail("too_many_users", "[ERROR] the sandbox opens direct messages with one user only")
		case w.people[users[0]] == nil:
			return fail("user_not_found")
		}
		c = w.convs[dmChannel(users[0])]
	}
	out := obj{"channel": obj{"id": c.id}}
	if a.flag("return_im") {
		out["channel"] = w.convObjLocked(c)
	}
	if c.opened {
		out["no_op"] = true
		out["already_open"] = true
	}
	c.opened = true
	return ok(out)
}

func (w *Workspace) conversationsInfo(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[a.str("channel")]
	if c == nil {
		return fail("channel_not_found")
	}
	return ok(obj{"channel": w.convObjLocked(c)})
}

func (w *Workspace) conversationsMembers(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[a.str("channel")]
	if c == nil {
		return fail("channel_not_found")
	}
	limit := 100
	if s := a.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fail("invalid_limit")
		}
		limit = min(n, 1000)
	}
	from := 0
	if cur := a.str("cursor"); cur != "" {
		n, found := parseCursor(cur)
		if !found || n > len(c.members) {
			return fail("invalid_cursor")
		}
		from = n
	}
	to := min(from+limit, len(c.members))
	next := ""
	if to < len(c.members) {
		next = memberCursor(to)
	}
	return ok(obj{"members": slices.Clone(c.members[from:to]), "response_metadata": obj{"next_cursor": next}})
}

// memberCursor is the opaque cursor of conversations.members that starts
// at the n-th member.
func memberCursor(n int) string {
	return base64.StdEncoding.EncodeToString([]byte("member:" + strconv.Itoa(n)))
}

func parseCursor(cur string) (int, bool) {
	raw, err := base64.StdEncoding.DecodeString(cur)
	if err != nil {
		return 0, false
	}
	s, found := strings.CutPrefix(string(raw), "member:")
	n, err := strconv.Atoi(s)
	return n, found && err == nil && n >= 0
}

func (w *Workspace) conversationsHistory(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[a.str("channel")]
	if c == nil {
		return fail("channel_not_found")
	}
	if !c.isMember(w.bot) {
		return fail("not_in_channel")
	}
	msgs := []obj{}
	for i := len(c.msgs) - 1; i >= 0; i-- { // newest first
		m := c.msgs[i]
		if !m.Ephemeral && (m.ThreadTS == "" || m.ThreadTS == m.TS) {
			msgs = append(msgs, w.msgObjLocked(c, m))
		}
	}
	return ok(obj{"messages": msgs, "has_more": false, "response_metadata": obj{"next_cursor": ""}})
}

func (w *Workspace) conversationsReplies(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[a.str("channel")]
	if c == nil {
		return fail("channel_not_found")
	}
	if !c.isMember(w.bot) {
		return fail("not_in_channel")
	}
	ts := a.str("ts")
	msgs := []obj{}
	for _, m := range c.msgs {
		if !m.Ephemeral && (m.TS == ts || m.ThreadTS == ts) {
			msgs = append(msgs, w.msgObjLocked(c, m))
		}
	}
	if len(msgs) == 0 {
		return fail("thread_not_found")
	}
	return ok(obj{"messages": msgs, "has_more": false, "response_metadata": obj{"next_cursor": ""}})
}

// msgObjLocked is a message as the Web API and payloads show it.
func (w *Workspace) msgObjLocked(c *conv, m *Message) obj {
	o := obj{"type": "message", "user": m.User, "text": m.Text, "ts": m.TS, "team": teamID}
	if m.User == w.bot {
		o["bot_id"] = botID
		o["app_id"] = appID
		o["bot_profile"] = obj{"id": botID, "app_id": appID, "name": w.people[w.bot].Name, "deleted": false, "team_id": teamID}
	}
	if len(m.Blocks) > 0 {
		o["blocks"] = m.Blocks
	}
	if len(m.Files) > 0 {
		fs := []obj{}
		for _, f := range m.Files {
			fs = append(fs, obj{"id": f.ID, "name": f.Name, "title": f.Title, "size": f.Size, "mimetype": f.Mimetype, "url_private": f.URL})
		}
		o["files"] = fs
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
		if m.ThreadTS != m.TS {
			if _, parent := w.findMsg(MessageRef{c.id, m.ThreadTS}); parent != nil {
				o["parent_user_id"] = parent.User
			}
		}
	}
	if cp := w.copyMsg(c, m); cp.ReplyCount > 0 {
		o["reply_count"] = cp.ReplyCount
	}
	if m.Updated > 0 {
		o["edited"] = obj{"user": m.User, "ts": m.TS}
	}
	return o
}

// contentLocked reads and checks a message's text and blocks as
// chat.postMessage does; has says which of them the call carried.
func (w *Workspace) contentLocked(a args) (text string, blocks json.RawMessage, has [2]bool, res obj) {
	_, has[0] = a["text"]
	text = a.str("text")
	if blockkit.Len(text) > blockkit.MaxMessageText {
		return "", nil, has, fail("msg_too_long")
	}
	raw, hasBlocks := a.json("blocks")
	has[1] = hasBlocks
	if hasBlocks {
		c := blockkit.Checker{NewID: w.blockIDLocked}
		list := c.Blocks(raw, "/blocks", blockkit.MaxMessageBlocks)
		if len(c.Problems) > 0 {
			return "", nil, has, fail("invalid_blocks", c.Problems...)
		}
		if len(list) > 0 {
			blocks = encodeJSON(list)
		}
	}
	return text, blocks, has, nil
}

// blockIDLocked makes a block or action id the way Slack does for blocks
// sent without one: short and random-looking (here, sequential).
func (w *Workspace) blockIDLocked() string {
	w.seq++
	return "b" + strconv.FormatInt(w.seq, 36)
}

func (w *Workspace) chatPostMessage(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.resolveLocked(a.str("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	if !c.isMember(w.bot) {
		return fail("not_in_channel")
	}
	text, blocks, _, res := w.contentLocked(a)
	if res != nil {
		return res
	}
	if text == "" && blocks == nil {
		return fail("no_text")
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: w.bot, Text: text, Blocks: blocks}
	if ts := a.str("thread_ts"); ts != "" {
		m.ThreadTS = c.root(ts) // un-threaded when the parent is gone, as on Slack
	}
	w.appendLocked(c, m)
	return ok(obj{"channel": c.id, "ts": m.TS, "message": w.msgObjLocked(c, m)})
}

func (w *Workspace) chatUpdate(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[a.str("channel")]
	if c == nil {
		return fail("channel_not_found")
	}
	_, m := w.findMsg(MessageRef{c.id, a.str("ts")})
	if m == nil || m.Ephemeral {
		return fail("message_not_found")
	}
	if m.User != w.bot {
		return fail("cant_update_message")
	}
	text, blocks, has, res := w.contentLocked(a)
	if res != nil {
		return res
	}
	if !has[0] {
		text = m.Text // absent fields keep their old values
	}
	if !has[1] {
		blocks = m.Blocks
	}
	if text == "" && len(blocks) == 0 {
		return fail("no_text")
	}
	m.Text, m.Blocks = text, blocks
	m.Updated++
	w.notifyLocked(Change{Kind: "update", Channel: c.id, TS: m.TS})
	return ok(obj{"channel": c.id, "ts": m.TS, "text": m.Text, "message": w.msgObjLocked(c, m)})
}

func (w *Workspace) chatPostEphemeral(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.resolveLocked(a.str("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	user := a.str("user")
	if w.people[user] == nil {
		return fail("user_not_found")
	}
	if !c.isMember(user) {
		return fail("user_not_in_channel")
	}
	text, blocks, _, res := w.contentLocked(a)
	if res != nil {
		return res
	}
	if text == "" && blocks == nil {
		return fail("no_text")
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: w.bot, Text: text, Blocks: blocks, Ephemeral: true, EphemeralFor: user}
	if ts := a.str("thread_ts"); ts != "" {
		m.ThreadTS = c.root(ts)
	}
	w.appendLocked(c, m)
	return ok(obj{"message_ts": m.TS})
}

// checkViewLocked validates a view as views.open/update/publish do and returns
// it with ids filled in.
func (w *Workspace) checkViewLocked(raw json.RawMessage, want string) (*view, obj) {
	if raw == nil {
		return nil, fail("invalid_arguments", "[ERROR] missing required field: view")
	}
	var in struct {
		Type            string          `json:"type"`
		Title           json.RawMessage `json:"title"`
		Submit          json.RawMessage `json:"submit"`
		Close           json.RawMessage `json:"close"`
		Blocks          json.RawMessage `json:"blocks"`
		PrivateMetadata string          `json:"private_metadata"`
		CallbackID      string          `json:"callback_id"`
		ExternalID      string          `json:"external_id"`
		ClearOnClose    bool            `json:"clear_on_close"`
		NotifyOnClose   bool            `json:"notify_on_close"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fail("invalid_arguments", "[ERROR] view must be a JSON object [json-pointer:/view]")
	}
	c := blockkit.Checker{NewID: w.blockIDLocked}
	if in.Type != want {
		c.Errorf("/view/type", "must be %s", want)
	}
	v := &view{View: View{Type: in.Type, CallbackID: in.CallbackID, PrivateMetadata: in.PrivateMetadata, ExternalID: in.ExternalID}}
	if want == "modal" {
		v.Title = c.ViewText(in.Title, "/view/title", true)
		v.Submit = c.ViewText(in.Submit, "/view/submit", false)
		v.Close = c.ViewText(in.Close, "/view/close", false)
		v.title, v.submit, v.close = in.Title, in.Submit, in.Close
		v.clearOnClose, v.notifyOnClose = in.ClearOnClose, in.NotifyOnClose
	}
	if len(in.Blocks) == 0 {
		in.Blocks = json.RawMessage("[]")
	}
	list := c.Blocks(in.Blocks, "/view/blocks", blockkit.MaxViewBlocks)
	if want == "modal" && v.Submit == "" {
		for _, b := range list {
			if m, _ := b.(map[string]any); str(m["type"]) == "input" {
				c.Errorf("/view/submit", "must provide a submit property when an input block is present")
				break
			}
		}
	}
	if blockkit.Len(in.PrivateMetadata) > blockkit.MaxPrivateMetadata {
		c.Errorf("/view/private_metadata", "must be less than %d characters", blockkit.MaxPrivateMetadata+1)
	}
	if len(in.CallbackID) > blockkit.MaxID {
		c.Errorf("/view/callback_id", "must be less than %d characters", blockkit.MaxID+1)
	}
	if len(c.Problems) > 0 {
		return nil, fail("invalid_arguments", c.Problems...)
	}
	if list == nil {
		list = []any{}
	}
	v.Blocks = encodeJSON(list)
	return v, nil
}

func (w *Workspace) hashLocked() string {
	return strconv.FormatInt(w.clock.Now().Unix(), 10) + "." + randomHex(4)
}

func (w *Workspace) viewsOpen(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := a.str("trigger_id")
	t := w.triggers[id]
	switch {
	case id == "":
		return fail("invalid_arguments", "[ERROR] missing required field: trigger_id")
	case t == nil:
		return fail("invalid_trigger_id")
	case t.used:
		return fail("exchanged_trigger_id")
	case w.clock.Now().Sub(t.issued) >= 3*time.Second:
		return fail("expired_trigger_id")
	}
	raw, _ := a.json("view")
	v, res := w.checkViewLocked(raw, "modal")
	if res != nil {
		return res
	}
	if v.ExternalID != "" && w.viewByExternalLocked(v.ExternalID) != nil {
		return fail("duplicate_external_id")
	}
	t.used = true
	for _, old := range w.modals[t.user] { // a new modal replaces the open ones
		delete(w.views, old)
	}
	v.ID = w.nextIDLocked("V")
	v.rootID = v.ID
	v.User = t.user
	v.Hash = w.hashLocked()
	w.views[v.ID] = v
	w.modals[t.user] = []string{v.ID}
	w.notifyLocked(Change{Kind: "modal", User: t.user})
	return ok(obj{"view": w.viewObjLocked(v, nil)})
}

func (w *Workspace) viewByExternalLocked(ext string) *view {
	for _, v := range w.views {
		if v.ExternalID == ext {
			return v
		}
	}
	return nil
}

func (w *Workspace) viewsUpdate(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	var old *view
	switch id, ext := a.str("view_id"), a.str("external_id"); {
	case id != "":
		old = w.views[id]
	case ext != "":
		old = w.viewByExternalLocked(ext)
	default:
		return fail("invalid_arguments", "[ERROR] one of view_id, external_id is required")
	}
	if old == nil {
		return fail("not_found")
	}
	if h := a.str("hash"); h != "" && h != old.Hash {
		return fail("hash_conflict")
	}
	raw, _ := a.json("view")
	v, res := w.checkViewLocked(raw, old.Type)
	if res != nil {
		return res
	}
	if v.ExternalID != "" && v.ExternalID != old.ExternalID && w.viewByExternalLocked(v.ExternalID) != nil {
		return fail("duplicate_external_id")
	}
	v.ID, v.rootID, v.User = old.ID, old.rootID, old.User
	v.Hash = w.hashLocked()
	w.views[v.ID] = v
	w.notifyLocked(Change{Kind: old.Type, User: v.User})
	return ok(obj{"view": w.viewObjLocked(v, nil)})
}

func (w *Workspace) viewsPublish(a args) obj {
	w.mu.Lock()
	defer w.mu.Unlock()
	user := a.str("user_id")
	if w.people[user] == nil || user == w.bot {
		return fail("user_not_found")
	}
	old := w.views[w.homes[user]]
	if h := a.str("hash"); h != "" && old != nil && h != old.Hash {
		return fail("hash_conflict")
	}
	raw, _ := a.json("view")
	v, res := w.checkViewLocked(raw, "home")
	if res != nil {
		return res
	}
	if old != nil {
		v.ID = old.ID
	} else {
		v.ID = w.nextIDLocked("V")
	}
	v.rootID, v.User, v.Hash = v.ID, user, w.hashLocked()
	w.views[v.ID] = v
	w.homes[user] = v.ID
	w.notifyLocked(Change{Kind: "home", User: user})
	return ok(obj{"view": w.viewObjLocked(v, nil)})
}

// viewObjLocked is a view as the Web API and payloads show it; state holds
// the input values of a submission.
func (w *Workspace) viewObjLocked(v *view, state obj) obj {
	if state == nil {
		state = obj{}
	}
	o := obj{
		"id": v.ID, "team_id": teamID, "type": v.Type, "blocks": v.Blocks,
		"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
		"state": obj{"values": state}, "hash": v.Hash,
		"clear_on_close": v.clearOnClose, "notify_on_close": v.notifyOnClose,
		"root_view_id": v.rootID, "previous_view_id": nil, "app_id": appID,
		"external_id": v.ExternalID, "app_installed_team_id": teamID, "bot_id": botID,
	}
	for k, raw := range map[string]json.RawMessage{"title": v.title, "submit": v.submit, "close": v.close} {
		if len(raw) > 0 {
			o[k] = raw
		}
	}
	return o
}

package sandbox

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
)

// Files a person shares in their DM with the bot, as Slack's client
// shares them: the sandbox keeps the bytes (like Slack's file storage,
// in memory until it restarts), adds a message with the file, and
// delivers a message event of subtype file_share whose file object
// carries its id, name, type, size and permalink (what the bot keeps as
// evidence; it never fetches the bytes).

// refusedTypes are file extensions the sandbox refuses, as a workspace
// that blocks executables does.
var refusedTypes = map[string]bool{".exe": true, ".msi": true, ".bat": true, ".cmd": true, ".com": true, ".scr": true, ".dll": true}

// ShareFile shares a file from user in their direct conversation with the
// bot, with an optional comment. A file over the sandbox's limit, of a
// refused type, empty or unnamed is refused with ErrInvalidInput and
// nothing is shared.
func (w *Workspace) ShareFile(ctx context.Context, user, name string, data []byte, comment string) error {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, "\\", "/")))
	switch {
	case name == "" || name == "." || name == "/":
		return fmt.Errorf("%w: the file has no name", ErrInvalidInput)
	case len(data) == 0:
		return fmt.Errorf("%w: %s is empty", ErrInvalidInput, name)
	case len(data) > maxFileSize:
		return fmt.Errorf("%w: %s is %d MB; files up to %d MB can be shared here", ErrInvalidInput, name, (len(data)+1<<20-1)>>20, maxFileSize>>20)
	case refusedTypes[strings.ToLower(path.Ext(name))]:
		return fmt.Errorf("%w: this workspace doesn't allow %s files", ErrInvalidInput, strings.ToLower(path.Ext(name)))
	case blockkit.Len(comment) > blockkit.MaxMessageText:
		return fmt.Errorf("%w: message too long", ErrInvalidInput)
	}
	w.mu.Lock()
	if _, err := w.personLocked(user); err != nil {
		w.mu.Unlock()
		return err
	}
	c := w.convs[dmChannel(user)]
	if c == nil {
		w.mu.Unlock()
		return fmt.Errorf("%w: the DM of %q", ErrNotFound, user)
	}
	w.seq++
	id := fmt.Sprintf("F%07d", w.seq)
	w.uploadsLocked()[id] = &upload{name: name, length: len(data), data: data, done: true, shared: true}
	f := File{ID: id, Name: name, Title: name, Size: len(data), Mimetype: mime.TypeByExtension(path.Ext(name)),
		URL: w.baseURL + "/files/" + id + "/" + name}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: user, Text: comment, Files: []File{f}}
	ev := obj{
		"type": "message", "subtype": "file_share", "text": comment, "user": user, "upload": false,
		"ts": m.TS, "team": teamID, "channel": c.id, "event_ts": m.TS, "channel_type": "im",
		"files": []obj{{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": f.Mimetype, "size": f.Size,
			"mode": "hosted", "url_private": f.URL, "permalink": f.URL, "user": user}},
	}
	if comment != "" {
		blocks := richText(w.blockIDLocked(), comment)
		m.Blocks = encodeJSON(blocks)
		ev["blocks"] = blocks
	}
	w.appendLocked(c, m)
	w.mu.Unlock()
	return w.sendEvent(ctx, ev)
}

// uiFile takes a file the page shares: the bytes are the body, who and
// what name in the query (?as=…&name=…&text=…).
func (w *Workspace) uiFile(rw http.ResponseWriter, r *http.Request) {
	if !w.tokenOK(r.Header.Get("X-Sandbox-Token")) {
		pageError(rw, http.StatusForbidden, "missing or wrong page token")
		return
	}
	if !sameOrigin(r) {
		pageError(rw, http.StatusForbidden, "cross-origin request refused")
		return
	}
	q := r.URL.Query()
	data, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxFileSize+1))
	if err != nil {
		pageError(rw, http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is too large: files up to %d MB can be shared here", q.Get("name"), maxFileSize>>20))
		return
	}
	if err := w.ShareFile(r.Context(), q.Get("as"), q.Get("name"), data, w.typed(strings.TrimSpace(q.Get("text")))); err != nil {
		status, msg := uiError(err)
		pageError(rw, status, msg)
		return
	}
	writeJSON(rw, http.StatusOK, obj{"ok": true})
}

package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// Files the bot uploads, as Slack's upload methods (v2) take them:
// files.getUploadURLExternal hands out an upload URL, the bytes are posted
// there (multipart, field "file"), and files.completeUploadExternal shares
// the file in a conversation with its comment. The page offers each file
// for download; the bytes are kept in memory only, so after a restart a
// message still names its file but the download is gone.

// maxFileSize is the largest file the sandbox takes.
const maxFileSize = 20 << 20

// File is a file shared in a message.
type File struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Size     int    `json:"size"`
	Mimetype string `json:"mimetype,omitempty"`
	// URL is where the page downloads it (Slack's url_private).
	URL string `json:"url"`
}

// upload is a file between files.getUploadURLExternal and its download.
type upload struct {
	name   string
	length int
	data   []byte
	done   bool // uploaded in full
	shared bool // completed: in a message
}

func (w *Workspace) uploadsLocked() map[string]*upload {
	if w.uploads == nil {
		w.uploads = map[string]*upload{}
	}
	return w.uploads
}

func (w *Workspace) filesGetUploadURL(a args) obj {
	name := strings.TrimSpace(a.str("filename"))
	n, err := strconv.Atoi(a.str("length"))
	switch {
	case name == "" || err != nil || n <= 0:
		return fail("invalid_arguments")
	case n > maxFileSize:
		return fail("file_too_large")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	id := fmt.Sprintf("F%07d", w.seq)
	w.uploadsLocked()[id] = &upload{name: name, length: n}
	return ok(obj{"upload_url": w.baseURL + "/api/upload/" + id, "file_id": id})
}

// serveUpload takes the bytes of a file at its upload URL.
func (w *Workspace) serveUpload(rw http.ResponseWriter, r *http.Request) {
	w.learnURL(r)
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(rw, r.Body, maxFileSize+1<<20)
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(rw, "no file in the upload", http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		http.Error(rw, "upload broken", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	up := w.uploadsLocked()[id]
	switch {
	case up == nil || up.done:
		http.Error(rw, "unknown upload", http.StatusNotFound)
	case len(data) != up.length:
		http.Error(rw, fmt.Sprintf("got %d bytes, %d announced", len(data), up.length), http.StatusBadRequest)
	default:
		up.data, up.done = data, true
		fmt.Fprintf(rw, "OK - %d", len(data))
	}
}

func (w *Workspace) filesCompleteUpload(a args) obj {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(a.str("files")), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var shared []File
	for _, f := range files {
		up := w.uploadsLocked()[f.ID]
		if up == nil || !up.done || up.shared {
			return fail("file_not_found")
		}
		shared = append(shared, File{ID: f.ID, Name: up.name, Title: f.Title, Size: len(up.data),
			Mimetype: mime.TypeByExtension(path.Ext(up.name)), URL: w.baseURL + "/files/" + f.ID + "/" + up.name})
	}
	out := []obj{}
	for _, f := range shared {
		out = append(out, obj{"id": f.ID, "title": f.Title})
	}
	channel := a.str("channel_id")
	if channel == "" {
		// Uploaded, shared nowhere: Slack keeps it private to the bot.
		return ok(obj{"files": out})
	}
	c := w.resolveLocked(channel)
	if c == nil {
		return fail("channel_not_found")
	}
	if !c.isMember(w.bot) {
		return fail("not_in_channel")
	}
	text := a.str("initial_comment")
	var blocks json.RawMessage
	if _, has := a["blocks"]; has && text == "" {
		_, b, _, res := w.contentLocked(args{"blocks": a["blocks"]})
		if res != nil {
			return res
		}
		blocks = b
	}
	for _, f := range shared {
		w.uploadsLocked()[f.ID].shared = true
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: w.bot, Text: text, Blocks: blocks, Files: shared}
	w.appendLocked(c, m)
	return ok(obj{"files": out})
}

// serveFile is a file's download, for people in a conversation it was
// shared in.
func (w *Workspace) serveFile(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	up := w.uploadsLocked()[r.PathValue("id")]
	var data []byte
	name := ""
	if up != nil && up.shared {
		data, name = up.data, up.name
	}
	w.mu.Unlock()
	if data == nil {
		pageError(rw, http.StatusNotFound, "That file is gone: the sandbox keeps files until it restarts.")
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	rw.Header().Set("Content-Type", ct)
	rw.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = rw.Write(data)
}

// FileData returns the bytes of a file shared in a conversation.
func (w *Workspace) FileData(id string) ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	up := w.uploadsLocked()[id]
	if up == nil || !up.shared {
		return nil, false
	}
	return up.data, true
}

package sandbox

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxFile is the largest file the sandbox takes.
const maxFile = 10 << 20

// File is a file the bot uploaded (files.getUploadURLExternal, the upload,
// files.completeUploadExternal).
type File struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Title   string `json:"title,omitempty"`
	Size    int    `json:"size"`
	Data    []byte `json:"-"`
	Channel string `json:"channel,omitempty"` // where it was shared; empty until then
}

// File returns a file the bot uploaded, by id.
func (w *Workspace) File(id string) (File, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, ok := w.files[id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

// filesGetUploadURL answers files.getUploadURLExternal: a file id and the
// URL to upload its bytes to.
func (w *Workspace) filesGetUploadURL(a args) obj {
	name := a.str("filename")
	size, err := strconv.Atoi(a.str("length"))
	if name == "" || err != nil || size <= 0 || size > maxFile {
		return fail("invalid_arguments")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.files == nil {
		w.files = map[string]*File{}
	}
	w.seq++
	id := "F" + strconv.FormatInt(w.seq, 10)
	w.files[id] = &File{ID: id, Name: name, Size: size}
	return ok(obj{"file_id": id, "upload_url": w.baseURL + "/api/upload/" + id})
}

// serveUpload takes a file's bytes, as the upload URL does on Slack: a
// multipart form with the file, and the bot token.
func (w *Workspace) serveUpload(rw http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(w.token)) != 1 {
		http.Error(rw, "invalid_auth", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxFile+64<<10)
	part, _, err := r.FormFile("file")
	if err != nil {
		http.Error(rw, "no file", http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(part)
	if err != nil {
		http.Error(rw, "cannot read the file", http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	f, found := w.files[r.PathValue("id")]
	if !found || f.Data != nil || len(data) != f.Size {
		http.Error(rw, "unknown file, or not the size announced", http.StatusBadRequest)
		return
	}
	f.Data = data
	rw.WriteHeader(http.StatusOK)
	io.WriteString(rw, "OK - "+strconv.Itoa(len(data)))
}

// filesCompleteUpload answers files.completeUploadExternal: it shares the
// uploaded files in channel_id, with initial_comment as the message.
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
	c := w.resolveLocked(a.str("channel_id"))
	if c == nil {
		return fail("channel_not_found")
	}
	m := &Message{Channel: c.id, TS: w.nextTSLocked(), User: w.bot, Text: a.str("initial_comment")}
	if b := a.str("blocks"); b != "" {
		if !json.Valid([]byte(b)) {
			return fail("invalid_blocks")
		}
		m.Blocks = json.RawMessage(b)
	}
	var out []obj
	for _, x := range files {
		f, found := w.files[x.ID]
		if !found || f.Data == nil {
			return fail("file_not_found")
		}
		f.Title, f.Channel = x.Title, c.id
		m.Files = append(m.Files, f.ID)
		m.Text += "\n📎 " + f.Name
		out = append(out, obj{"id": f.ID, "title": f.Title})
	}
	w.appendLocked(c, m)
	return ok(obj{"files": out})
}

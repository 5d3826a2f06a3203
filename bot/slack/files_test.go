package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/recordpdf/recordpdftest"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// uploads makes a fake Web API speak Slack's upload methods (v2), as
// slack-go's UploadFileContext uses them: files.getUploadURLExternal
// hands out an upload URL on the API's host, the bytes are posted there as
// multipart "file", and files.completeUploadExternal shares the file in a
// channel. It keeps what arrived.
type uploads struct {
	mu       sync.Mutex
	n        int
	declared map[string]int    // file id → length asked for
	names    map[string]string // file id → filename
	data     map[string][]byte // file id → bytes posted
	shared   []sharedFile
}

// sharedFile is one completed upload.
type sharedFile struct {
	ID, Title, Name, Channel string
	Data                     []byte
	Blocks                   string
}

func serveUploads(f *fakeAPI) *uploads {
	u := &uploads{declared: map[string]int{}, names: map[string]string{}, data: map[string][]byte{}}
	f.Handle("files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		n, err := strconv.Atoi(r.Form.Get("length"))
		if r.Form.Get("filename") == "" || err != nil || n <= 0 {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		u.mu.Lock()
		u.n++
		id := fmt.Sprintf("F%d", u.n)
		u.declared[id], u.names[id] = n, r.Form.Get("filename")
		u.mu.Unlock()
		f.Handle("upload/"+id, func(w http.ResponseWriter, r *http.Request) {
			file, _, err := r.FormFile("file")
			if err != nil {
				http.Error(w, "no file", http.StatusBadRequest)
				return
			}
			b, _ := io.ReadAll(file)
			u.mu.Lock()
			u.data[id] = b
			u.mu.Unlock()
			fmt.Fprint(w, "OK - "+strconv.Itoa(len(b)))
		})
		fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":%q}`, f.Base()+"/upload/"+id, id)
	})
	f.Handle("files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		var files []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(r.Form.Get("files")), &files); err != nil || len(files) != 1 {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		u.mu.Lock()
		defer u.mu.Unlock()
		id := files[0].ID
		data, ok := u.data[id]
		if !ok || len(data) != u.declared[id] {
			// Slack refuses to complete an upload it did not get in full.
			fmt.Fprint(w, `{"ok":false,"error":"file_not_found"}`)
			return
		}
		u.shared = append(u.shared, sharedFile{ID: id, Title: files[0].Title, Name: u.names[id], Channel: r.Form.Get("channel_id"),
			Data: data, Blocks: r.Form.Get("blocks")})
		fmt.Fprintf(w, `{"ok":true,"files":[{"id":%q,"title":%q}]}`, id, files[0].Title)
	})
	return u
}

func (u *uploads) Shared() []sharedFile {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]sharedFile(nil), u.shared...)
}

// TestExportUploadsThePDF: /contract export by a party uploads the
// record's PDF to their DM through the upload methods, named and titled,
// with the people's names from users.info; a stranger's export uploads
// nothing.
func TestExportUploadsThePDF(t *testing.T) {
	api := newFakeAPI(t)
	up := serveUploads(api)
	api.Handle("users.info", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id := r.Form.Get("user")
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"real_name":%q,"tz":"UTC"}}`, id, recordtest.Names[id])
	})
	h := newHarnessWith(t, Config{Workers: 2}, defaultLimits, nil, api)
	bottest.SaveContract(t, h.store, "slack", "T1", recordtest.Signed(t))
	for _, user := range []string{recordtest.Learner, "USTRANGER"} {
		body := url.Values{"team_id": {"T1"}, "channel_id": {"D1"}, "user_id": {user}, "command": {"/contract"},
			"text": {"export c42"}, "trigger_id": {"trig-" + user}}.Encode()
		resp := h.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	h.finish(t)
	shared := up.Shared()
	if len(shared) != 1 {
		t.Fatalf("%d files shared, want 1 (the learner's)", len(shared))
	}
	f := shared[0]
	if f.Channel != "D"+strings.TrimPrefix(recordtest.Learner, "U") || f.Name != "learning-contract-c42.pdf" ||
		f.Title != "Learning contract: Leading design reviews — Søren's checklist" {
		t.Errorf("shared %s %q %q in %s", f.ID, f.Name, f.Title, f.Channel)
	}
	if !strings.Contains(f.Blocks, "Here is the record of") {
		t.Errorf("the file's comment: %s", f.Blocks)
	}
	text := recordpdftest.Text(t, f.Data)
	for _, want := range []string{"Łukasz Müller approver version 2 5 Mar 2026, 13:30 UTC", "Zoë Øberg-Nakamura learner version 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the uploaded PDF lacks %q:\n%s", want, text)
		}
	}
	for _, c := range api.Calls("chat.postMessage") {
		if strings.Contains(c.Form.Get("blocks"), "Leading design reviews") && c.Form.Get("channel") != "D1" {
			t.Errorf("the record went to %s as a message", c.Form.Get("channel"))
		}
	}
}

// TestExportFallsBackToAMessage: when Slack refuses the upload, the
// record arrives in the DM as a message.
func TestExportFallsBackToAMessage(t *testing.T) {
	api := newFakeAPI(t)
	api.Handle("files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok":false,"error":"not_allowed_token_type"}`)
	})
	h := newHarnessWith(t, Config{Workers: 2}, defaultLimits, nil, api)
	bottest.SaveContract(t, h.store, "slack", "T1", recordtest.Signed(t))
	body := url.Values{"team_id": {"T1"}, "channel_id": {"D1"}, "user_id": {recordtest.Approver}, "command": {"/contract"},
		"text": {"export"}, "trigger_id": {"trig"}}.Encode()
	h.post(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), time.Time{}, nil)
	h.finish(t)
	var found bool
	for _, c := range api.Calls("chat.postMessage") {
		b := c.Form.Get("blocks")
		if strings.Contains(b, "I couldn't send a PDF here") && strings.Contains(b, "Signatures") {
			found = true
		}
	}
	if !found {
		t.Errorf("no record as a message after the upload failed; calls: %d", len(api.Calls("chat.postMessage")))
	}
}

package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestShareFileInDM: a file shared in the DM is kept like a Slack file and
// reaches the bot as a message event of subtype file_share, whose file
// object names it (id, name, type, size, permalink); the page downloads it.
func TestShareFileInDM(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	deck := []byte("%PDF-1.4 my checklist")
	if err := e.w.ShareFile(ctx, Learner, "review-checklist.pdf", deck, "here it is"); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Event struct {
			Type, Subtype, User, Channel, ChannelType, Text string
			Files                                           []struct {
				ID, Name, Mimetype, Permalink, Mode string
				Size                                int
			}
		} `json:"event"`
	}
	d := e.bot.last(t)
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		t.Fatal(err)
	}
	ev.Event.ChannelType = gjson(d.Body, "channel_type")
	got := ev.Event
	if d.Path != "/slack/events" || got.Type != "message" || got.Subtype != "file_share" || got.User != Learner ||
		got.Channel != e.w.DMChannel(Learner) || got.ChannelType != "im" || got.Text != "here it is" || len(got.Files) != 1 {
		t.Fatalf("event: %s", d.Body)
	}
	f := got.Files[0]
	if f.Name != "review-checklist.pdf" || f.Mimetype != "application/pdf" || f.Size != len(deck) || f.Mode != "hosted" ||
		!strings.Contains(f.Permalink, "/files/"+f.ID+"/review-checklist.pdf") {
		t.Errorf("file object: %+v", f)
	}
	dm := e.w.DM(Learner)
	if m := dm[len(dm)-1]; len(m.Files) != 1 || m.Files[0].ID != f.ID || m.User != Learner {
		t.Errorf("the DM shows %+v", m)
	}
	if data, ok := e.w.FileData(f.ID); !ok || !bytes.Equal(data, deck) {
		t.Errorf("the sandbox keeps %q", data)
	}
}

// gjson reads one string field of the inner event.
func gjson(body []byte, key string) string {
	var v struct {
		Event map[string]any `json:"event"`
	}
	_ = json.Unmarshal(body, &v)
	s, _ := v.Event[key].(string)
	return s
}

// TestShareFileRefused: a file too large, of a refused type, empty or
// unnamed is refused with a clear error; nothing reaches the bot or the DM.
func TestShareFileRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := len(e.bot.deliveries())
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"recording.mov", make([]byte, maxFileSize+1), "files up to 20 MB"},
		{"setup.EXE", []byte("MZ"), "doesn't allow .exe files"},
		{"empty.txt", nil, "is empty"},
		{"", []byte("x"), "no name"},
	} {
		err := e.w.ShareFile(ctx, Learner, tc.name, tc.data, "")
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an ErrInvalidInput saying %q", tc.name, err, tc.want)
		}
	}
	if err := e.w.ShareFile(ctx, "UNOBODY", "a.txt", []byte("x"), ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("a stranger shares: %v", err)
	}
	if n := len(e.bot.deliveries()); n != before || len(e.w.DM(Learner)) != 0 {
		t.Errorf("refused files were delivered (%d events) or shown", n-before)
	}
}

// TestPageSharesFile: the page's POST /ui/file shares its body as the
// file, with the page's token and same origin only.
func TestPageSharesFile(t *testing.T) {
	e := newEnv(t)
	page := httptest.NewServer(e.w.PageHandler())
	t.Cleanup(page.Close)
	post := func(token, origin, name string, body []byte) (int, string) {
		q := url.Values{"as": {Learner}, "name": {name}, "text": {"my notes & more"}}
		req, _ := http.NewRequest(http.MethodPost, page.URL+"/ui/file?"+q.Encode(), bytes.NewReader(body))
		req.Header.Set("X-Sandbox-Token", token)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(e.w.pageToken, page.URL, "notes.txt", []byte("notes")); code != http.StatusOK {
		t.Fatalf("share: %d %s", code, body)
	}
	dm := e.w.DM(Learner)
	if len(dm) != 1 || dm[0].Files[0].Name != "notes.txt" || dm[0].Text != "my notes &amp; more" {
		t.Errorf("the DM: %+v", dm)
	}
	if code, _ := post("wrong", page.URL, "a.txt", []byte("x")); code != http.StatusForbidden {
		t.Errorf("without the token: %d", code)
	}
	if code, _ := post(e.w.pageToken, "http://evil.example", "a.txt", []byte("x")); code != http.StatusForbidden {
		t.Errorf("cross-origin: %d", code)
	}
	if code, body := post(e.w.pageToken, page.URL, "big.bin", make([]byte, maxFileSize+10)); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too large") {
		t.Errorf("too large: %d %s", code, body)
	}
	if len(e.w.DM(Learner)) != 1 {
		t.Error("refused uploads reached the DM")
	}
}

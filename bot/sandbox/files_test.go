package sandbox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
)

// TestUploadToDM: slack-go's upload (files.getUploadURLExternal, the
// bytes, files.completeUploadExternal) puts the file in the DM with its
// comment, and the page serves it to whoever has the page's token.
func TestUploadToDM(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, _, _, err := e.client.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{Learner}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.3 a small record")
	sum, err := e.client.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader: bytes.NewReader(pdf), FileSize: len(pdf), Filename: "learning-contract-c1.pdf", Title: "Learning contract: Ünïcode",
		Channel: ch.ID, Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{slackapi.NewSectionBlock(mrkdwn("Here is the record"), nil, nil)}},
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	dm := e.w.DM(Learner)
	if len(dm) == 0 {
		t.Fatal("nothing in the DM")
	}
	m := dm[len(dm)-1]
	if len(m.Files) != 1 || m.Files[0].ID != sum.ID || m.Files[0].Name != "learning-contract-c1.pdf" ||
		m.Files[0].Title != "Learning contract: Ünïcode" || m.Files[0].Size != len(pdf) || m.Files[0].Mimetype != "application/pdf" {
		t.Errorf("the DM's message: %+v", m)
	}
	if !strings.Contains(string(m.Blocks), "Here is the record") {
		t.Errorf("the comment is missing: %s", m.Blocks)
	}

	page := httptest.NewServer(e.w.PageHandler())
	t.Cleanup(page.Close)
	get := func(token string) (int, []byte, string) {
		resp, err := http.Get(page.URL + "/files/" + sum.ID + "/learning-contract-c1.pdf?token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header.Get("Content-Type")
	}
	if code, b, ct := get(e.w.pageToken); code != http.StatusOK || !bytes.Equal(b, pdf) || ct != "application/pdf" {
		t.Errorf("download: %d %q %s", code, b, ct)
	}
	if code, _, _ := get("wrong"); code != http.StatusForbidden {
		t.Errorf("download without the page's token: %d", code)
	}
}

// TestUploadRefused: an upload that does not match what was announced, or
// completing a file never uploaded, is refused and shares nothing.
func TestUploadRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, _, _, err := e.client.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{Learner}})
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.w.DM(Learner))
	_, err = e.client.UploadFileContext(ctx, slackapi.UploadFileParameters{
		Reader: strings.NewReader("short"), FileSize: 999, Filename: "x.pdf", Channel: ch.ID})
	if err == nil {
		t.Error("an upload shorter than announced was taken")
	}
	_, err = e.client.CompleteUploadExternalContext(ctx, slackapi.CompleteUploadExternalParameters{
		Files: []slackapi.FileSummary{{ID: "F404"}}, Channel: ch.ID})
	if got := slackErr(t, err); got != "file_not_found" {
		t.Errorf("completing an unknown file: %q", got)
	}
	_, err = e.client.GetUploadURLExternalContext(ctx, slackapi.GetUploadURLExternalParameters{FileName: "big.pdf", FileSize: maxFileSize + 1})
	if got := slackErr(t, err); got != "file_too_large" {
		t.Errorf("a file too large: %q", got)
	}
	if after := len(e.w.DM(Learner)); after != before {
		t.Errorf("%d messages appeared", after-before)
	}
}

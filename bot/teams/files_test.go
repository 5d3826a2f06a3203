package teams

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/recordpdf/recordpdftest"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// consentOf returns the file consent card of an activity, if it has one.
func consentOf(a connectortest.Activity) (map[string]any, bool) {
	atts, _ := a.Body["attachments"].([]any)
	for _, x := range atts {
		att, _ := x.(map[string]any)
		if att["contentType"] == fileConsentType {
			return att, true
		}
	}
	return nil, false
}

// TestExportFileConsent: /contract export in Teams sends the comment and a
// file consent card; when the learner allows it, the record's PDF is
// uploaded to the URL Teams gives and a file info card opens it; a
// decline sends nothing, and a stranger's accept uploads nothing. People
// are named as Teams last named them (Mo never wrote: his id).
func TestExportFileConsent(t *testing.T) {
	e := newEnv(t, nil)
	bottest.SaveContract(t, e.store, "teams", tenant, recordtest.SignedBy(t, lee, mo))
	e.post(e.personal(lee, leeChat, "export c42"), nil)
	card := e.await("the consent card", func(a connectortest.Activity) bool { _, ok := consentOf(a); return ok })
	if card.Conversation != leeChat {
		t.Errorf("the consent card went to %s", card.Conversation)
	}
	att, _ := consentOf(card)
	content, _ := att["content"].(map[string]any)
	if att["name"] != "learning-contract-c42.pdf" || content["description"] != "Learning contract: Leading design reviews — Søren's checklist" ||
		content["sizeInBytes"].(float64) < 1000 {
		t.Errorf("consent card: %v", att)
	}
	if !strings.Contains(dump(e.fake.Activities()), "Here is the record of") {
		t.Errorf("no comment before the consent card:\n%s", dump(e.fake.Activities()))
	}
	accept := content["acceptContext"]

	// Teams asks the learner; they allow it.
	value := map[string]any{"type": "fileUpload", "action": "accept", "context": accept, "uploadInfo": map[string]any{
		"contentUrl": "https://contoso-my.sharepoint.com/personal/lee/learning-contract-c42.pdf", "name": "learning-contract-c42.pdf",
		"uploadUrl": e.fake.UploadURL("lee-c42.pdf"), "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C", "fileType": "pdf",
	}}
	if status, _ := e.postInvoke(e.invoke(lee, leeChat, card.ID, "fileConsent/invoke", value)); status != http.StatusOK {
		t.Fatalf("accept answered %d", status)
	}
	info := e.await("the file info card", func(a connectortest.Activity) bool {
		return strings.Contains(string(a.Raw), fileInfoType)
	})
	if !strings.Contains(string(info.Raw), `"uniqueId":"1150D938-8870-4044-9F2C-5BBDEBA70C8C"`) || info.Conversation != leeChat {
		t.Errorf("file info card: %s", info.Raw)
	}
	pdf := e.fake.Uploads()["lee-c42.pdf"]
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{"29:mo approver version 2 5 Mar 2026, 13:30 UTC", "Name of 29:lee learner version 1 2 Mar 2026, 10:30 UTC"} {
		if !strings.Contains(text, want) {
			t.Errorf("the uploaded PDF lacks %q:\n%s", want, text)
		}
	}

	// A decline uploads nothing more and says so.
	value["action"], value["uploadInfo"] = "decline", nil
	if status, _ := e.postInvoke(e.invoke(lee, leeChat, card.ID, "fileConsent/invoke", value)); status != http.StatusOK {
		t.Fatalf("decline answered %d", status)
	}
	e.await("the answer to a decline", sentTo(leeChat, "I haven't sent the file"))

	// Someone else replaying the consent gets nothing.
	stranger := "29:sam"
	value["action"] = "accept"
	value["uploadInfo"] = map[string]any{"name": "x.pdf", "uploadUrl": e.fake.UploadURL("sam.pdf"), "contentUrl": "https://x", "uniqueId": "u", "fileType": "pdf"}
	e.postInvoke(e.invoke(stranger, "a:chat-sam", card.ID, "fileConsent/invoke", value))
	e.await("the refusal", sentTo("a:chat-sam", "I can't send that record"))
	if _, ok := e.fake.Uploads()["sam.pdf"]; ok {
		t.Error("a stranger got the record uploaded")
	}
}

// TestFileConsentGolden keeps the consent card the bot sends as a file
// (testdata/files/consent.json: not an Adaptive Card, so not among the cards
// the card checks parse).
func TestFileConsentGolden(t *testing.T) {
	e := newEnv(t, nil)
	bottest.SaveContract(t, e.store, "teams", tenant, recordtest.SignedBy(t, lee, mo))
	e.post(e.personal(lee, leeChat, "export"), nil)
	card := e.await("the consent card", func(a connectortest.Activity) bool { _, ok := consentOf(a); return ok })
	var body map[string]any
	if err := json.Unmarshal(card.Raw, &body); err != nil {
		t.Fatal(err)
	}
	att := body["attachments"].([]any)[0].(map[string]any)
	att["content"].(map[string]any)["sizeInBytes"] = "(the PDF's size)"
	got, _ := json.MarshalIndent(body, "", "  ")
	path := filepath.Join("testdata", "files", "consent.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != string(got) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

// TestNoFilesWithoutCredentials: without credentials (the Emulator, a
// local sandbox) no file is offered: SendFile fails, so the engine sends
// the record as a card instead (see bot's TestRecordExportWithoutFiles).
func TestNoFilesWithoutCredentials(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Insecure, c.AppID, c.AppPassword = true, "", "" })
	err := e.a.SendFile(e.ctx(), lee, bot.File{Name: "x.pdf", Data: []byte("%PDF-"), FileRef: bot.FileRef{Contract: "c42"}})
	if !errors.Is(err, errNoFiles) {
		t.Errorf("SendFile without credentials: %v", err)
	}
	if n := e.fake.Calls(); n != 0 {
		t.Errorf("%d connector calls", n)
	}
}

// acceptFile answers a consent card with accept as user in conv, with an
// upload URL named name on the fake.
func (e *env) acceptFile(user, conv string, card connectortest.Activity, name string) {
	e.t.Helper()
	att, _ := consentOf(card)
	content, _ := att["content"].(map[string]any)
	value := map[string]any{"type": "fileUpload", "action": "accept", "context": content["acceptContext"], "uploadInfo": map[string]any{
		"contentUrl": "https://contoso-my.sharepoint.com/personal/" + name, "name": att["name"],
		"uploadUrl": e.fake.UploadURL(name), "uniqueId": "U-" + name, "fileType": "x",
	}}
	if status, _ := e.postInvoke(e.invoke(user, conv, card.ID, "fileConsent/invoke", value)); status != http.StatusOK {
		e.t.Fatalf("accept answered %d", status)
	}
}

// TestMyDataFileConsent: /contract my-data in Teams offers the JSON file
// with a consent card and uploads it on accept. The card names no one:
// whoever accepts it gets their own data, so a replayed accept never hands
// one person's data to another.
func TestMyDataFileConsent(t *testing.T) {
	e := newEnv(t, nil)
	bottest.SaveContract(t, e.store, "teams", tenant, recordtest.SignedBy(t, lee, mo))
	e.post(e.personal(lee, leeChat, "my-data"), nil)
	card := e.await("the consent card", func(a connectortest.Activity) bool { _, ok := consentOf(a); return ok })
	att, _ := consentOf(card)
	if name, _ := att["name"].(string); !strings.HasPrefix(name, "learnpact-my-data-") || !strings.HasSuffix(name, ".json") {
		t.Errorf("consent card names %v", att["name"])
	}
	e.acceptFile(lee, leeChat, card, "lee.json")
	e.await("the file info card", func(a connectortest.Activity) bool { return strings.Contains(string(a.Raw), fileInfoType) })
	var data any
	if err := json.Unmarshal(e.fake.Uploads()["lee.json"], &data); err != nil {
		t.Fatalf("the upload is not JSON: %v", err)
	}
	if up := string(e.fake.Uploads()["lee.json"]); !strings.Contains(up, `"c42"`) {
		t.Errorf("lee's data lacks their contract:\n%.400s", up)
	}

	e.acceptFile("29:sam", "a:chat-sam", card, "sam.json")
	e.await("sam's file info card", func(a connectortest.Activity) bool {
		return a.Conversation == "a:chat-sam" && strings.Contains(string(a.Raw), fileInfoType)
	})
	if up := string(e.fake.Uploads()["sam.json"]); strings.Contains(up, "c42") || strings.Contains(up, lee) {
		t.Errorf("a replayed accept handed over lee's data:\n%.400s", up)
	}
}

// TestReportFileConsent: /contract report in Teams sends the card and
// offers the CSV; it is made again on accept for whoever accepts, so a
// learner replaying their approver's card gets nothing.
func TestReportFileConsent(t *testing.T) {
	e := newEnv(t, nil)
	bottest.SaveContract(t, e.store, "teams", tenant, recordtest.SignedBy(t, lee, mo))
	e.post(e.personal(mo, "a:chat-mo", "report"), nil)
	card := e.await("the consent card", func(a connectortest.Activity) bool { _, ok := consentOf(a); return ok })
	if card.Conversation != "a:chat-mo" {
		t.Fatalf("the report went to %s", card.Conversation)
	}
	e.acceptFile(mo, "a:chat-mo", card, "mo.csv")
	e.await("the file info card", func(a connectortest.Activity) bool { return strings.Contains(string(a.Raw), fileInfoType) })
	csv := string(e.fake.Uploads()["mo.csv"])
	if first, _, _ := strings.Cut(csv, "\n"); !strings.Contains(first, ",") {
		t.Errorf("the upload is not the report's CSV:\n%.400s", csv)
	}

	e.acceptFile(lee, leeChat, card, "lee.csv")
	e.await("the refusal", sentTo(leeChat, "I can't send that report"))
	if _, ok := e.fake.Uploads()["lee.csv"]; ok {
		t.Error("a learner got their approver's report uploaded")
	}
}

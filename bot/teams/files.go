package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/message"
)

// Files in Teams: a bot sends a file to a personal chat by asking first.
// SendFile posts a file consent card (name, size, what it is); when the
// person allows it, Teams sends a fileConsent/invoke with an upload URL in
// their OneDrive, the bot uploads the bytes there and posts a file info
// card that opens the file. The consent card carries only what the file
// is (a contract's record, the person's data, their report): it is made
// again, for whoever accepts and only as they may see it, on accept.

const (
	fileConsentType = "application/vnd.microsoft.teams.card.file.consent"
	fileInfoType    = "application/vnd.microsoft.teams.card.file.info"
	// uploadTimeout bounds making the file and uploading it, inside the
	// 15 s Teams waits for an invoke's answer.
	uploadTimeout = 12 * time.Second
)

var (
	_ bot.Filer = (*Adapter)(nil)
	_ bot.Namer = (*Adapter)(nil)
)

// consentContext is what a consent card asks Teams to hand back: what the
// file is, never its bytes.
type consentContext = bot.FileRef

// fileActivity is an activity with one file card.
type fileActivity struct {
	Type        string           `json:"type"`
	Summary     string           `json:"summary,omitempty"`
	Attachments []fileAttachment `json:"attachments"`
}

type fileAttachment struct {
	ContentType string `json:"contentType"`
	Name        string `json:"name"`
	ContentURL  string `json:"contentUrl,omitempty"`
	Content     any    `json:"content"`
}

type consentCard struct {
	Description    string         `json:"description"`
	SizeInBytes    int            `json:"sizeInBytes"`
	AcceptContext  consentContext `json:"acceptContext"`
	DeclineContext consentContext `json:"declineContext"`
}

type fileInfo struct {
	UniqueID string `json:"uniqueId"`
	FileType string `json:"fileType"`
}

// consentActivity is the consent card for f.
func consentActivity(f bot.File) fileActivity {
	ctx := f.FileRef
	return fileActivity{Type: "message", Summary: "Allow learnpact to send you " + f.Name + "?", Attachments: []fileAttachment{{
		ContentType: fileConsentType, Name: f.Name,
		Content: consentCard{Description: f.Title, SizeInBytes: len(f.Data), AcceptContext: ctx, DeclineContext: ctx},
	}}}
}

// errNoFiles says files cannot be sent: without credentials (the Bot
// Framework Emulator, a local sandbox) there is no OneDrive to upload to.
var errNoFiles = errors.New("teams: files need the Teams client (no credentials, no file consent)")

// SendFile implements bot.Filer: the comment, then a consent card in the
// user's personal chat. The file follows when they allow it (consent).
// Without credentials it fails with errNoFiles, and the engine sends the
// record as a card instead.
func (a *Adapter) SendFile(ctx context.Context, user string, f bot.File) error {
	if a.cfg.Insecure {
		return errNoFiles
	}
	if len(f.Data) == 0 || f.Kind == bot.FileRecord && f.Contract == "" {
		return errors.New("teams: a file is sent only as a contract's record, a person's data or a report")
	}
	conv, err := a.personalChat(ctx, user)
	if err != nil {
		return err
	}
	if len(f.Comment.Blocks) > 0 {
		if err := a.send(ctx, conv, a.activityFor(f.Comment)); err != nil {
			return err
		}
	}
	to, err := a.sendable(ctx, conv)
	if err != nil {
		return err
	}
	return a.conn.call(ctx, http.MethodPost, conversationURL(a.serviceOf(to), conv, "activities"), consentActivity(f), nil)
}

// DisplayName implements bot.Namer: the name Teams last gave the person.
func (a *Adapter) DisplayName(_ context.Context, user string) string { return a.nameOf(user) }

// consentAnswer is the value of a fileConsent/invoke.
type consentAnswer struct {
	Type       string         `json:"type"`
	Action     string         `json:"action"` // "accept" or "decline"
	Context    consentContext `json:"context"`
	UploadInfo struct {
		ContentURL string `json:"contentUrl"`
		Name       string `json:"name"`
		UploadURL  string `json:"uploadUrl"`
		UniqueID   string `json:"uniqueId"`
		FileType   string `json:"fileType"`
	} `json:"uploadInfo"`
}

// consent carries out the person's answer to a consent card: on accept,
// the file is made again for them (a record for a party to the contract
// only, their own data, their own report), uploaded to the URL Teams gave
// and shown with a file info card; on decline they are told nothing was
// sent. It reports the status to answer the invoke with.
func (a *Adapter) consent(ctx context.Context, in inbound) int {
	var v consentAnswer
	if err := json.Unmarshal(in.act.Value, &v); err != nil || (v.Action != "accept" && v.Action != "decline") {
		return http.StatusBadRequest
	}
	ctx, cancel := context.WithTimeout(ctx, uploadTimeout)
	defer cancel()
	user, conv := in.act.From.ID, in.act.Conversation.ID
	w := consentWords[v.Context.Kind]
	say := func(parts ...any) {
		m := message.Message{Summary: w.summary, Blocks: []message.Block{message.Section{Text: message.T(parts...)}}}
		if err := a.send(ctx, conv, a.activityFor(m)); err != nil {
			a.log.Error("file consent answer not sent", "user", user, "err", err)
		}
	}
	if v.Action == "decline" {
		say("No problem, I haven't sent the file. ", w.instead)
		return http.StatusOK
	}
	f, err := a.engine.MakeFile(ctx, a, in.act.tenant(), user, v.Context)
	if errors.Is(err, bot.ErrNotParty) || errors.Is(err, bot.ErrNotAllowed) {
		say(w.refused)
		return http.StatusOK
	}
	if err == nil {
		err = a.upload(ctx, v.UploadInfo.UploadURL, f.Data, v.Context.Kind.MediaType())
	}
	if err != nil {
		a.log.Error("file not uploaded", "user", user, "kind", v.Context.Kind, "contract", v.Context.Contract, "err", err)
		say("Sorry, the upload to your OneDrive didn't work. ", w.retry)
		return http.StatusOK
	}
	card := fileActivity{Type: "message", Summary: v.UploadInfo.Name, Attachments: []fileAttachment{{
		ContentType: fileInfoType, Name: v.UploadInfo.Name, ContentURL: v.UploadInfo.ContentURL,
		Content: fileInfo{UniqueID: v.UploadInfo.UniqueID, FileType: v.UploadInfo.FileType},
	}}}
	to, err := a.sendable(ctx, conv)
	if err == nil {
		err = a.conn.call(ctx, http.MethodPost, conversationURL(a.serviceOf(to), conv, "activities"), card, nil)
	}
	if err != nil {
		a.log.Error("file card not sent", "user", user, "err", err)
	}
	return http.StatusOK
}

// consentWords are what the bot says about each kind of file around its
// consent card.
var consentWords = map[bot.FileKind]struct {
	summary, refused string
	instead, retry   message.Text
}{
	bot.FileRecord: {"Your contract's record",
		"I can't send that record: only the contract's learner, approver and workplace advocate can have it.",
		message.T("Type ", message.Code("show"), " to see the record here instead."),
		message.T("Type ", message.Code("export"), " to try again, or ", message.Code("show"), " to see the record here.")},
	bot.FileMyData: {"Your data",
		"I can't send that file.",
		message.T("Type ", message.Code("my-data"), " again whenever you want it."),
		message.T("Type ", message.Code("my-data"), " to try again.")},
	bot.FileReport: {"Your report",
		"I can't send that report: reports go to admins and to approvers, about their own learners.",
		message.T("The report's card above has the figures."),
		message.T("Type ", message.Code("report"), " to try again.")},
}

// upload puts data at a OneDrive upload URL in one piece.
func (a *Adapter) upload(ctx context.Context, target string, data []byte, mediaType string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("teams: upload URL %q is not an http(s) URL", target)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Type", mediaType)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(data)-1, len(data)))
	resp, err := a.conn.http.Do(req)
	if err != nil {
		return fmt.Errorf("teams: upload: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("teams: upload answered %s", resp.Status)
	}
	return nil
}

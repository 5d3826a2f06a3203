package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/learnpact/learnpact/bot/recordpdf"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"
	"github.com/learnpact/learnpact/storage"
)

// File is a file the bot sends: a contract's record (PDF), a person's
// data (JSON) or a report (CSV).
type File struct {
	Name  string // file name, "learning-contract-ID.pdf"
	Title string
	Data  []byte
	// Comment is said with the file.
	Comment message.Message
	// Ref says what the file is, so a platform that asks the recipient
	// before sending (Teams) can make it again with MakeFile once they
	// accept, for them only.
	FileRef
}

// FileRef names a file the bot can make again for whoever accepts it.
type FileRef struct {
	Kind FileKind `json:"kind,omitempty"`
	// Contract is the contract a record is of.
	Contract string `json:"contract,omitempty"`
	// Since is a report's start (zero: every contract).
	Since time.Time `json:"since,omitzero"`
}

// FileKind is what a file holds.
type FileKind string

const (
	FileRecord FileKind = ""        // a contract's record, as a PDF
	FileMyData FileKind = "my-data" // everything kept about its recipient, as JSON
	FileReport FileKind = "report"  // the recipient's report, as CSV
)

// MediaType is the file's media type.
func (k FileKind) MediaType() string {
	switch k {
	case FileMyData:
		return "application/json"
	case FileReport:
		return "text/csv"
	}
	return "application/pdf"
}

// ErrNotAllowed says that whoever accepted a file may not have it: not a
// party to the contract, or no longer someone a report is made for.
var ErrNotAllowed = errors.New("bot: that file is not for this person")

// MakeFile makes the file ref names for user on platform p and team, as
// they may see it now: a record for a party only (ErrNotParty otherwise),
// their own data, or their report (ErrNotAllowed when they get none).
func (e *Engine) MakeFile(ctx context.Context, p Platform, team, user string, ref FileRef) (File, error) {
	switch ref.Kind {
	case FileRecord:
		return e.RecordFile(ctx, p, team, user, ref.Contract)
	case FileMyData:
		data, err := e.ExportMyData(ctx, p.Name(), team, user)
		if err != nil {
			return File{}, err
		}
		return myDataFile(data, e.now(), message.Message{}), nil
	case FileReport:
		r, ok, err := e.reportFor(ctx, p.Name(), team, user, ref.Since)
		if err != nil {
			return File{}, err
		}
		if !ok {
			return File{}, ErrNotAllowed
		}
		return reportFile(r, ref.Since, e.now(), message.Message{})
	}
	return File{}, fmt.Errorf("bot: unknown file kind %q", ref.Kind)
}

// Filer is implemented by platforms that can send a file to a user's DM.
type Filer interface {
	SendFile(ctx context.Context, user string, f File) error
}

// Namer is implemented by platforms that know people's names, for the
// record's PDF; "" when a name is not known.
type Namer interface {
	DisplayName(ctx context.Context, user string) string
}

// ErrNotParty says that someone asked for the record of a contract they
// are not a party to (or that does not exist).
var ErrNotParty = errors.New("bot: not a party to that contract")

// export carries out a conversation.Export: the record as a PDF where the
// platform sends files, else (or when sending fails) as a message.
func (e *Engine) export(ctx context.Context, t Turn, ef conversation.Export) error {
	if f, ok := t.Platform.(Filer); ok {
		file, err := e.recordFile(ctx, t.Platform, ef.Record, ef.Comment)
		if err == nil {
			if err = f.SendFile(ctx, ef.User, file); err == nil {
				return nil
			}
		}
		e.log(ctx).Error("record not sent as a file, sending it as a message", "user", ef.User, "contract", ef.Record.ContractID, "err", err)
	}
	_, err := t.Platform.SendDM(ctx, ef.User, ef.Card)
	return err
}

// recordFile renders r as a PDF, with people's names where p knows them.
func (e *Engine) recordFile(ctx context.Context, p Platform, r record.Record, comment message.Message) (File, error) {
	var o recordpdf.Options
	if n, ok := p.(Namer); ok {
		names := map[string]string{}
		o.Name = func(user string) string {
			if v, ok := names[user]; ok {
				return v
			}
			names[user] = n.DisplayName(ctx, user)
			return names[user]
		}
	}
	data, err := recordpdf.Render(r, o)
	if err != nil {
		return File{}, err
	}
	return File{Name: r.FileName(), Title: "Learning contract: " + clipTitle(r.Title), Data: data, Comment: comment, FileRef: FileRef{Contract: r.ContractID}}, nil
}

// maxFileTitle is the most of a contract's title a file's title (Slack's
// file title, Teams' consent card description) carries.
const maxFileTitle = 150

func clipTitle(s string) string {
	if r := []rune(s); len(r) > maxFileTitle {
		return string(r[:maxFileTitle-1]) + "…"
	}
	return s
}

// RecordFile makes the PDF of a contract's record for user, one of its
// parties on the platform p and team; ErrNotParty for anyone else or an
// unknown contract.
func (e *Engine) RecordFile(ctx context.Context, p Platform, team, user, id string) (File, error) {
	c, err := LoadContract(ctx, e.store, id)
	if errors.Is(err, storage.ErrNotFound) {
		return File{}, ErrNotParty
	}
	if err != nil {
		return File{}, err
	}
	if !isParty(c, p.Name(), team, user) || c.Version == 0 {
		return File{}, ErrNotParty
	}
	r := record.Build(c, e.now())
	return e.recordFile(ctx, p, r, message.Message{})
}

func isParty(c *contract.Contract, platform, team, user string) bool {
	if user == "" || c.Platform != "" && c.Platform != platform || c.Team != "" && c.Team != team {
		return false
	}
	for _, u := range c.Parties() {
		if u == user {
			return true
		}
	}
	return false
}

// LoadContract reads one contract from a store.
func LoadContract(ctx context.Context, s storage.Store, id string) (*contract.Contract, error) {
	data, rev, err := s.Contract(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load contract %s: %w", id, err)
	}
	c := new(contract.Contract)
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("decode contract %s: %w", id, err)
	}
	c.Rev = rev
	return c, nil
}

// ErrNotProposed says a contract was never proposed: as a draft, it has no
// signed record to export.
var ErrNotProposed = errors.New("the contract is a draft that was never proposed: nothing signed to export")

// ExportRecord writes the PDF of a contract's record as it stands at now,
// showing people by their platform ids: for admins, outside any chat.
func ExportRecord(ctx context.Context, s storage.Store, id string, now time.Time) ([]byte, record.Record, error) {
	c, err := LoadContract(ctx, s, id)
	if err != nil {
		return nil, record.Record{}, err
	}
	if c.Version == 0 {
		return nil, record.Record{}, ErrNotProposed
	}
	r := record.Build(c, now)
	data, err := recordpdf.Render(r, recordpdf.Options{})
	return data, r, err
}

package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/report"
)

// ContractSource lists every stored contract (storage.Eraser does).
type ContractSource interface {
	EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error
}

// Reports configures /contract report.
type Reports struct {
	// Contracts lists the contracts reports are made of; reports are
	// unavailable when nil.
	Contracts ContractSource
	// Admins are the people (platform user ids) who get the whole report
	// (LEARNPACT_ADMINS); others get their own learners' contracts when
	// they approve any.
	Admins []string
}

// report carries out a conversation.ReportRequest: the report as a card in
// the asker's DM, and as a CSV file where the platform sends files. Only
// the contracts of the asker's platform and workspace count.
func (e *Engine) report(ctx context.Context, t Turn, ef conversation.ReportRequest) error {
	r, ok, err := e.reportFor(ctx, t.Platform.Name(), t.Team, ef.User, ef.Since)
	if err != nil {
		return err
	}
	if !ok {
		_, err := t.Platform.SendDM(ctx, ef.User, conversation.ReportRefusedMsg())
		return err
	}
	if f, ok := t.Platform.(Filer); ok {
		file, err := reportFile(r, ef.Since, e.now(), message.Message{})
		if err == nil {
			file.Comment = conversation.ReportCard(r, file.Name)
			if err = f.SendFile(ctx, ef.User, file); err == nil {
				return nil
			}
		}
		e.log(ctx).Warn("report not sent as a file, sending the card alone", "user", ef.User, "err", err)
	}
	_, err = t.Platform.SendDM(ctx, ef.User, conversation.ReportCard(r, ""))
	return err
}

// reportFor builds the report user gets on a platform's team: the whole
// team's for an admin, their own learners' for an approver; false when
// they get none (or reports are unavailable).
func (e *Engine) reportFor(ctx context.Context, platform, team, user string, since time.Time) (report.Report, bool, error) {
	if e.reports.Contracts == nil {
		return report.Report{}, false, nil
	}
	admin := slices.Contains(e.reports.Admins, user)
	var cs []*contract.Contract
	approves := false
	err := e.reports.Contracts.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c := new(contract.Contract)
		if err := json.Unmarshal(data, c); err != nil {
			e.log(ctx).Warn("report: skipping an unreadable contract", "contract", id, "err", err)
			return nil
		}
		if c.Platform != platform || c.Team != team {
			return nil
		}
		approves = approves || c.Approver == user
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		return report.Report{}, false, fmt.Errorf("report: %w", err)
	}
	opts := report.Options{Since: since, Now: e.now()}
	switch {
	case admin:
	case approves:
		opts.Approver = user
	default:
		return report.Report{}, false, nil
	}
	return report.Build(cs, opts), true, nil
}

// reportFile is a report as a CSV file.
func reportFile(r report.Report, since, now time.Time, comment message.Message) (File, error) {
	var b bytes.Buffer
	if err := report.WriteCSV(&b, r); err != nil {
		return File{}, fmt.Errorf("report: %w", err)
	}
	name := "learnpact-report-" + now.UTC().Format("2006-01-02") + ".csv"
	return File{Name: name, Title: "Learning contracts report", Data: b.Bytes(), Comment: comment,
		FileRef: FileRef{Kind: FileReport, Since: since}}, nil
}

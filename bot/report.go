package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
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
	if e.reports.Contracts == nil {
		_, err := t.Platform.SendDM(ctx, ef.User, conversation.ReportRefusedMsg())
		return err
	}
	admin := slices.Contains(e.reports.Admins, ef.User)
	var cs []*contract.Contract
	approves := false
	err := e.reports.Contracts.EachContract(ctx, func(id string, data []byte, _ int64) error {
		c := new(contract.Contract)
		if err := json.Unmarshal(data, c); err != nil {
			e.log(ctx).Warn("report: skipping an unreadable contract", "contract", id, "err", err)
			return nil
		}
		if c.Platform != t.Platform.Name() || c.Team != t.Team {
			return nil
		}
		approves = approves || c.Approver == ef.User
		cs = append(cs, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	opts := report.Options{Since: ef.Since, Now: e.now()}
	switch {
	case admin:
	case approves:
		opts.Approver = ef.User
	default:
		_, err := t.Platform.SendDM(ctx, ef.User, conversation.ReportRefusedMsg())
		return err
	}
	r := report.Build(cs, opts)
	name := "learnpact-report-" + opts.Now.UTC().Format("2006-01-02") + ".csv"
	if f, ok := t.Platform.(Filer); ok {
		var b bytes.Buffer
		if err := report.WriteCSV(&b, r); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		file := File{Name: name, Title: "Learning contracts report", Data: b.Bytes(), Comment: conversation.ReportCard(r, name)}
		err := f.SendFile(ctx, ef.User, file)
		if err == nil {
			return nil
		}
		e.log(ctx).Warn("report not sent as a file, sending the card alone", "user", ef.User, "err", err)
	}
	_, err = t.Platform.SendDM(ctx, ef.User, conversation.ReportCard(r, ""))
	return err
}

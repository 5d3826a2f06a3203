package record_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// text flattens a section for comparisons.
func text(s record.Section) string {
	var b strings.Builder
	add := func(x message.Text) { b.WriteString(x.String() + " | ") }
	for _, bl := range s.Blocks {
		switch bl := bl.(type) {
		case record.Para:
			add(bl.Text)
		case record.Entry:
			add(bl.Title)
			for _, f := range bl.Fields {
				b.WriteString(f.Label + ": ")
				add(f.Value)
			}
		case record.Table:
			for _, r := range bl.Rows {
				for _, c := range r {
					add(c)
				}
			}
		}
	}
	return b.String()
}

// TestRecordAfterMoreEvidence: when the approver asked for more evidence,
// the record shows both submissions, the request with its date and
// comment, and the ratings of the latest submission only.
func TestRecordAfterMoreEvidence(t *testing.T) {
	const l, a = recordtest.Learner, recordtest.Approver
	c := recordtest.Signed(t)
	at := func(d int) time.Time { return recordtest.Start.AddDate(0, 0, d) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.DoAddEvidence(l, contract.EvidenceItem{Of: 1, Kind: contract.EvidenceText, Text: "First write-up"}, at(40)))
	for i := 1; i <= 3; i++ {
		must(c.DoSelfAssess(l, i, contract.Met, "", at(40)))
	}
	must(c.DoSubmit(l, at(40)))
	must(c.DoAssess(a, 1, 1, contract.NotYet, "Too thin.", at(41)))
	must(c.DoAskForMore(a, 1, "Show the checklist in use.", at(60), at(41)))
	must(c.DoAddEvidence(l, contract.EvidenceItem{Of: 1, Kind: contract.EvidenceLink, URL: "https://wiki.example.com/checklist"}, at(50)))
	for i := 1; i <= 3; i++ {
		must(c.DoSelfAssess(l, i, contract.Partly, "second go", at(50)))
	}
	must(c.DoSubmit(l, at(50)))
	must(c.DoAssess(a, 2, 1, contract.Met, "Now it is.", at(51)))

	r := record.Build(c, at(52))
	ev, ok := r.Section(record.HeadingEvidence)
	if !ok {
		t.Fatal("no evidence section")
	}
	got := text(ev)
	for _, want := range []string{
		"Submission 1 · handed in 11 Apr 2026, 09:30 UTC",
		"Write-up: for “A write-up of three reviews”: First write-up",
		"More asked for: @UAPPROVER on 12 Apr 2026, 09:30 UTC, by 1 May 2026: Show the checklist in use.",
		"Submission 2 · handed in 21 Apr 2026, 09:30 UTC",
		"Link: for “A write-up of three reviews”: https://wiki.example.com/checklist",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the evidence lacks %q:\n%s", want, got)
		}
	}
	as, _ := r.Section(record.HeadingAssessment)
	got = text(as)
	for _, want := range []string{
		"The ratings of submission 2",
		"Criterion 1: Two teammates use my checklist without help | Learner's rating: Partly — second go | Approver's rating: Met — Now it is.",
		"Criterion 2: New joiners can explain the cache's eviction rule | Learner's rating: Partly — second go | Approver's rating: not rated",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the assessment lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Too thin") {
		t.Errorf("the assessment shows the first submission's ratings:\n%s", got)
	}
	if _, ok := r.Section(record.HeadingReflection); ok {
		t.Error("a reflection section before any reflection")
	}
}

// TestFileName keeps file names safe whatever the id.
func TestFileName(t *testing.T) {
	for id, want := range map[string]string{
		"c42": "learning-contract-c42.pdf", "../../etc/passwd": "learning-contract-etcpasswd.pdf",
		"": "learning-contract.pdf", "ü/\\": "learning-contract.pdf",
	} {
		if got := (record.Record{ContractID: id}).FileName(); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}

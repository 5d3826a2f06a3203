package bot_test

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestTranscriptReport: an admin gets the whole report and its CSV, the
// approver the report of their learners, anyone else a refusal.
func TestTranscriptReport(t *testing.T) {
	w := newWorld(t, "Reports for L&D and approvers")
	w.Reports(sam)
	activate(w)
	w.Command(sam, "report")
	w.Command(mo, "report since 2027-01-01")
	w.Command(lee, "report")
	w.Command(sam, "report since January")
	golden(t, w, "report")

	files := w.Platform.Files(sam)
	if len(files) != 1 || files[0].Name != "learnpact-report-2027-01-15.csv" {
		t.Fatalf("Sam's files: %+v", files)
	}
	rows, err := csv.NewReader(bytes.NewReader(files[0].Data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	signed := ""
	for _, r := range rows {
		if r[0] == "all" && r[3] == "signed" {
			signed = r[4]
		}
	}
	if signed != "1" {
		t.Errorf("signed = %q, want 1", signed)
	}
	if got := w.Platform.Files(mo); len(got) != 1 {
		t.Errorf("Mo got %d files, want his own report", len(got))
	}
	if got := w.Platform.Files(lee); len(got) != 0 {
		t.Errorf("Lee, neither admin nor approver, got %d files", len(got))
	}
}

package bot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// TestTranscriptRecordShowExport: the parties see the signed record and
// get it as a PDF; a stranger and an unknown id are refused alike.
func TestTranscriptRecordShowExport(t *testing.T) {
	w := newWorld(t, "The signed record: show and export")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Quietly("Lee checked in a week later: behind, with a note", func() {
		w.Click(lee, "Behind")
		w.Say(lee, "Only shadowed one review")
		w.Click(lee, "Skip")
	})
	w.Command(lee, "show")
	w.Click(lee, "Export as PDF")
	w.Say(mo, "show c1")
	w.Command(mo, "export c1")
	w.Command(sam, "show c1")
	w.Command(sam, "export c1")
	w.Command(lee, "show c404")
	w.Command(lee, "export {c1}")
	golden(t, w, "record_show_export")

	files := w.Platform.Files(lee)
	if len(files) != 1 || files[0].Name != "learning-contract-c1.pdf" || !strings.HasPrefix(string(files[0].Data), "%PDF-") {
		t.Fatalf("Lee's files: %+v", files)
	}
	if got := w.Platform.Files(sam); len(got) != 0 {
		t.Errorf("a stranger got %d files", len(got))
	}
	if got := w.Platform.Files(mo); len(got) != 1 {
		t.Errorf("Mo got %d files, want 1", len(got))
	}
}

// TestTranscriptRecordDraftAndPick: a draft is shown but not exported;
// with several contracts and none under way, show asks which.
func TestTranscriptRecordDraftAndPick(t *testing.T) {
	w := newWorld(t, "The record of a draft, and choosing a contract")
	w.Quietly("Lee drafted “Running design reviews” and sent it to Mo; Sam proposed “Facilitating retros” to Mo too", func() {
		draftAndSend(w)
		c := contract.New("c9", bottest.PlatformName, bottest.Team, sam, start)
		if err := c.SetTerms(sam, contract.Terms{Title: "Facilitating retros", Goals: []contract.Goal{{Text: "Facilitate four retros"}},
			Evidence: []string{"Notes of four retros"}, Criteria: []contract.Criterion{{Text: "The team asks me to run the next one"}},
			Deadline: start.AddDate(0, 2, 0), Cadence: contract.Fortnightly}, start); err != nil {
			t.Fatal(err)
		}
		if err := c.SetApprover(sam, mo, start); err != nil {
			t.Fatal(err)
		}
		if err := c.DoPropose(sam, "", start); err != nil {
			t.Fatal(err)
		}
		w.Store(c)
	})
	w.Say(lee, "new")
	w.Say(lee, "Show and tell")
	w.Command(lee, "export")
	w.Command(lee, "show")
	w.Command(mo, "show")
	w.Click(mo, "Show")
	golden(t, w, "record_draft_pick")
	if got := len(w.Platform.Files(lee)); got != 0 {
		t.Errorf("a draft was exported: %d files", got)
	}
	if c := w.Contract("c2"); c.Terms.Title != "Show and tell" {
		t.Errorf("the draft's title is %q: typed text starting with show was taken as a command", c.Terms.Title)
	}
}

// TestRecordExportWithoutFiles: when the platform refuses the file, the
// record arrives as a message instead, and nothing is lost.
func TestRecordExportWithoutFiles(t *testing.T) {
	w := bottest.NewWorld(t, start)
	activate(w)
	w.Platform.FileError = errors.New("files.getUploadURLExternal: not_allowed")
	w.Command(lee, "export")
	got := messagetest.Text(w.Last(bottest.Sent, lee))
	for _, want := range []string{"I couldn't send a PDF here", "Running design reviews", "Signatures", "version 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the record as a message lacks %q:\n%s", want, got)
		}
	}
}

// TestRecordExportLongTitle: a title of 10,000 characters is exported in
// full in the PDF, and clipped in the file's title.
func TestRecordExportLongTitle(t *testing.T) {
	w := bottest.NewWorld(t, start)
	activate(w)
	c := w.Contract("c1")
	long := strings.Repeat("Ü", 10000)
	c.Terms.Title, c.Revisions[0].Terms.Title = long, long
	w.Store(c)
	w.Command(lee, "export")
	files := w.Platform.Files(lee)
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	if n := len([]rune(files[0].Title)); n > 200 || !strings.HasSuffix(files[0].Title, "…") {
		t.Errorf("a file title of %d characters: %.60q", n, files[0].Title)
	}
}

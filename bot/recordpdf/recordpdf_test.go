package recordpdf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/recordpdf"
	"github.com/learnpact/learnpact/bot/recordpdf/recordpdftest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/record"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

var made = time.Date(2026, 3, 20, 16, 0, 0, 0, time.UTC)

func names(u string) string { return recordtest.Names[u] }

func render(t *testing.T, c *contract.Contract) []byte {
	t.Helper()
	pdf, err := recordpdf.Render(record.Build(c, made), recordpdf.Options{Name: names})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	return pdf
}

// TestRenderSignedRecord checks the text of a signed contract's PDF: the
// names as written, each signature with its version and time, the terms in
// force, each version with what changed, and the check-in.
func TestRenderSignedRecord(t *testing.T) {
	pdf := render(t, recordtest.Signed(t))
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{
		"Leading design reviews — Søren's checklist",
		"Status: Active",
		"Learner Zoë Øberg-Nakamura · approver Łukasz Müller · version 2 in force",
		// Signatures: who, role, version and when.
		"Zoë Øberg-Nakamura learner version 1 2 Mar 2026, 10:30 UTC",
		"Zoë Øberg-Nakamura learner version 2 4 Mar 2026, 10:30 UTC",
		"Łukasz Müller approver version 2 5 Mar 2026, 13:30 UTC",
		"Version 2 is in force: every party signed it.",
		// Terms in force, with the criterion added in version 2.
		"The write-up is shared on the wiki (proposed by Łukasz Müller)",
		"Deadline 12 Jun 2026",
		// Negotiation: the versions and the change between them.
		"Version 1 Proposed by Zoë Øberg-Nakamura on 2 Mar 2026, 10:30 UTC Comment First go — happy to change the criteria. Changes the first proposal",
		"Łukasz Müller asked for changes to version 1: Add a criterion about the write-up, s'il te plaît.",
		"version 2: Two teammates use my checklist without help New joiners can explain the cache's eviction rule The write-up is shared on the wiki",
		// The check-in.
		"12 Mar 2026 · behind · version 2",
		"Ran one review; the checklist needs a section on accessibility.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q\ntext: %s", want, text)
		}
	}
}

// TestRenderTypedMention: a colleague mentioned in typed text (an
// activity "Shadow <@ID>'s reviews") is printed by name, not as markup.
func TestRenderTypedMention(t *testing.T) {
	c := recordtest.Signed(t)
	for i := range c.Revisions {
		c.Revisions[i].Terms.Activities = append(c.Revisions[i].Terms.Activities, "Shadow <@"+c.Approver+"|x>'s reviews")
	}
	text := recordpdftest.Text(t, render(t, c))
	if want := "Shadow " + names(c.Approver) + "'s reviews"; !strings.Contains(text, want) {
		t.Errorf("the PDF's text lacks %q\ntext: %s", want, text)
	}
	if strings.Contains(text, "<@") {
		t.Errorf("the PDF shows mention markup:\n%s", text)
	}
}

// TestRenderHugeFields checks that 10,000-character fields, with and
// without spaces, are in the PDF in full, over several pages.
func TestRenderHugeFields(t *testing.T) {
	c := recordtest.Signed(t)
	words := strings.Repeat("lorem ipsum dolor ", 10000/18) + "THE-END-OF-WORDS"
	solid := strings.Repeat("x", 9990) + "SOLID-END"
	c.CheckIns[0].Happened = words
	c.CheckIns[0].Next = solid
	c.Revisions[0].Comment = words
	pdf := render(t, c)
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{"THE-END-OF-WORDS", "SOLID-END"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if got := strings.Count(strings.ReplaceAll(text, " ", ""), "x"); got < 9990 {
		t.Errorf("the unbroken field lost characters: %d of 9990 x", got)
	}
	pages := regexp.MustCompile(`page \d+ of (\d+)`).FindStringSubmatch(text)
	if pages == nil || pages[1] == "1" {
		t.Errorf("want several pages, got %v", pages)
	}
}

// TestRenderDeterministic checks that one record gives one PDF.
func TestRenderDeterministic(t *testing.T) {
	a, b := render(t, recordtest.Signed(t)), render(t, recordtest.Signed(t))
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one record differ")
	}
}

// TestRenderDraft checks a contract never proposed: nothing signed, no
// versions, and the id when names are unknown.
func TestRenderDraft(t *testing.T) {
	c := contract.New("c7", "slack", "T1", "UNOBODY", made)
	pdf, err := recordpdf.Render(record.Build(c, made), recordpdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{"Untitled learning contract", "Status: Draft", "Learner UNOBODY", "Nobody has signed yet.", "No version has been proposed yet."} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q\ntext: %s", want, text)
		}
	}
}

// TestRenderFirstPagePNG saves the first page of a signed record as a PNG
// with the browser tests' screenshots (cmd/learnpact/e2e/artifacts, or
// ARTIFACTS_DIR), for people to look at.
func TestRenderFirstPagePNG(t *testing.T) {
	pdf := render(t, recordtest.Signed(t))
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "cmd", "learnpact", "e2e", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png := recordpdftest.FirstPagePNG(t, pdf)
	if err := os.WriteFile(filepath.Join(dir, "record-pdf-first-page.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRenderCompletedRecord checks the end of a completed contract in its
// PDF: the evidence, each criterion with both ratings, the exchange, the
// reflection and the impact answer.
func TestRenderCompletedRecord(t *testing.T) {
	pdf := render(t, recordtest.Completed(t))
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{
		"Status: Completed",
		"Submission 1 · handed in 11 Apr 2026, 11:30 UTC, before the deadline",
		"Link for “A write-up of three reviews”: https://wiki.example.com/reviews/three",
		"File for “A recorded walkthrough of the cache”: cache-walkthrough.mp4 (https://files.example.com/F123)",
		"Write-up not foreseen in the contract: Ana now uses the checklist for her own reviews.",
		"Criterion 1: Two teammates use my checklist without help Learner's rating Met — Both used it last sprint. Approver's rating Met — Seen it in use.",
		"Criterion 2: New joiners can explain the cache's eviction rule Learner's rating Met Approver's rating Met",
		"Criterion 3: The write-up is shared on the wiki Learner's rating Met — Linked above. Approver's rating Partly — The page is a draft, not shared yet. Comment Zoë Øberg-Nakamura (14 Apr 2026, 11:30 UTC): Fair — it goes out with Friday's notes.",
		"What I learned " + recordtest.Reflection.Learned,
		"What I'd do differently " + recordtest.Reflection.Differently,
		"What I'll change at work " + recordtest.Reflection.Change,
		"After 30 days Zoë Øberg-Nakamura (16 May 2026): Yes, a lot — Reviews take half the time.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q\ntext: %s", want, text)
		}
	}
}

// TestRenderAnyText: text the font cannot show (emoji, scripts beyond
// DejaVu Sans), control characters and invalid UTF-8 do not break the PDF;
// what the font has comes out as written.
func TestRenderAnyText(t *testing.T) {
	c := recordtest.Signed(t)
	c.CheckIns[0].Happened = "🎉 done — 設計レビュー \x00\x1b[31m bad \xff\xfe bytes\tand Ελληνικά, Кириллица"
	text := recordpdftest.Text(t, render(t, c))
	for _, want := range []string{"done —", "bad", "bytes and Ελληνικά, Кириллица"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

// FuzzRender: any text in any field makes a PDF.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "🎉", "\xff", strings.Repeat("x", 3000), "a\nb\tc\r\u2028", "設計", "\u0000"} {
		f.Add(s)
	}
	c := recordtest.Signed(f)
	f.Fuzz(func(t *testing.T, s string) {
		d := c.Clone()
		d.Terms.Title, d.Revisions[1].Terms.Title = s, s
		d.CheckIns[0].Happened, d.Revisions[0].Comment = s, s
		if _, err := recordpdf.Render(record.Build(d, made), recordpdf.Options{Name: func(string) string { return s }}); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

// BenchmarkRender makes the PDF of a completed contract's record and
// reports its size.
func BenchmarkRender(b *testing.B) {
	r := record.Build(recordtest.Completed(b), made)
	var n int
	for b.Loop() {
		pdf, err := recordpdf.Render(r, recordpdf.Options{Name: names})
		if err != nil {
			b.Fatal(err)
		}
		n = len(pdf)
	}
	b.ReportMetric(float64(n), "bytes/pdf")
}

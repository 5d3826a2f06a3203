package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/recordpdf/recordpdftest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// TestRecordExport: over Slack's HTTP protocol against the sandbox, on
// each store, the learner of a completed contract asks for its record in
// the DM and gets the PDF, uploaded with the files upload methods; its
// text has the signatures with version and date (people by their Slack
// names), each criterion with both ratings, and the reflection. A peer
// asking for it is refused and gets no file. The first page is saved as a
// PNG with the browser tests' screenshots.
func TestRecordExport(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, open(t))
			bottest.SaveContract(t, h.store.Turns, "slack", h.ws.TeamID(), recordtest.CompletedBy(t, learner, manager))

			h.say(learner, "show")
			h.expect(learner, "Criterion 3: The write-up is shared on the wiki")
			h.say(learner, "export")
			m := h.expect(learner, "Here is the record of")
			if len(m.Files) != 1 || m.Files[0].Name != "learning-contract-c42.pdf" || m.Files[0].Mimetype != "application/pdf" {
				t.Fatalf("the DM's message has files %+v", m.Files)
			}
			pdf, ok := h.ws.FileData(m.Files[0].ID)
			if !ok {
				t.Fatal("the sandbox has no bytes for the file")
			}
			text := recordpdftest.Text(t, pdf)
			for _, want := range []string{
				"Ada Learner learner version 1 2 Mar 2026, 10:30 UTC",
				"Ada Learner learner version 2 4 Mar 2026, 10:30 UTC",
				"Mo Manager approver version 2 5 Mar 2026, 13:30 UTC",
				"Criterion 1: Two teammates use my checklist without help Learner's rating Met — Both used it last sprint. Approver's rating Met — Seen it in use.",
				"Criterion 2: New joiners can explain the cache's eviction rule Learner's rating Met Approver's rating Met",
				"Criterion 3: The write-up is shared on the wiki Learner's rating Met — Linked above. Approver's rating Partly — The page is a draft, not shared yet.",
				"What I learned " + recordtest.Reflection.Learned,
				"What I'd do differently " + recordtest.Reflection.Differently,
				"What I'll change at work " + recordtest.Reflection.Change,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the exported PDF lacks %q\n%s", want, text)
				}
			}
			if name == "embedded" {
				saveArtifact(t, "record-export-first-page.png", recordpdftest.FirstPagePNG(t, pdf))
			}

			h.say(stranger, "export c42")
			h.expect(stranger, "only its learner, approver and workplace advocate can see or export it")
			for _, m := range h.ws.DM(stranger) {
				if len(m.Files) > 0 {
					t.Errorf("a peer got a file: %+v", m.Files)
				}
			}
		})
	}
}

// saveArtifact writes a file with the browser tests' screenshots
// (ARTIFACTS_DIR, or artifacts/).
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserRecord shows and exports a completed contract's record on the
// sandbox page in headless Chromium: the record shows both ratings of each
// criterion, Export as PDF puts the file in the DM, and the page's link
// downloads the PDF. Screenshots: record-show.png, record-file.png.
func TestBrowserRecord(t *testing.T) {
	requireChromium(t)
	h := newHarness(t, stores["embedded"](t))
	bottest.SaveContract(t, h.store.Turns, "slack", h.ws.TeamID(), recordtest.CompletedBy(t, learner, manager))
	tab := openBrowser(t)
	p := openPage(t, h, tab)

	p.send("show")
	shown := p.expect(learner, "Criterion 3: The write-up is shared on the wiki")
	p.wantText(shown, "Approver's rating: Partly — The page is a draft, not shared yet.")
	p.screenshot("record-show", shown)
	p.click(shown, conversation.ActionExportRecord)
	file := p.expect(learner, "Here is the record of")
	p.wantElement(file, `[data-testid="file"] strong`, "Learning contract: Leading design reviews — Søren's checklist")
	p.screenshot("record-file", file)

	href := poll[string](p, "the file's link", `(ts) => {
		const a = document.querySelector('[data-testid="message"][data-ts="' + ts + '"] [data-testid="file"]');
		return a ? a.href : "";
	}`, file)
	resp, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pdf, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the page's link answered %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if text := recordpdftest.Text(t, pdf); !strings.Contains(text, "Mo Manager approver version 2 5 Mar 2026, 13:30 UTC") {
		t.Errorf("the downloaded PDF lacks the approver's signature:\n%s", text)
	}
}

// TestRecordAfterTheFlow: a contract taken through the whole flow in the
// sandbox (drafted, signed, handed in, self-assessed, assessed with a
// disagreement and a reply, reflected on) is exported by the approver;
// the PDF's text has the signatures with version and date, the criterion
// with both ratings and the exchange, and the reflection.
func TestRecordAfterTheFlow(t *testing.T) {
	h := newHarness(t, stores["embedded"](t))
	h.active()
	h.sweep(3 * 24 * time.Hour)
	card := h.handIn("https://wiki.example.com/design-reviews/write-up")
	h.click(manager, card, string(conversation.ActionAssess))
	h.submitForm(manager, map[string]string{conversation.FieldRating(1): "partly",
		conversation.FieldRatingNote(1): "Cy still asks you before each review"})
	assessed := h.expect(learner, "Here are your ratings side by side")
	h.click(learner, assessed, string(conversation.ActionReplyAssess))
	h.expect(learner, "Your reply?")
	h.say(learner, "Cy runs Thursday's review alone")
	h.expect(learner, "What did you learn?")
	h.say(learner, "Short checklists get used")
	skip := h.expect(learner, "What would you do differently")
	h.click(learner, skip, string(conversation.ActionSkipDifferently))
	h.expect(learner, "What will you change")
	h.say(learner, "Timebox every review")
	h.expect(learner, "is complete")

	h.say(manager, "export")
	m := h.expect(manager, "Here is the record of")
	if len(m.Files) != 1 {
		t.Fatalf("no file with the record: %+v", m)
	}
	pdf, _ := h.ws.FileData(m.Files[0].ID)
	text := recordpdftest.Text(t, pdf)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Ada Learner learner version 1 \d{1,2} \w{3} 2026, \d\d:\d\d UTC`),
		regexp.MustCompile(`Mo Manager approver version 1 \d{1,2} \w{3} 2026, \d\d:\d\d UTC`),
		regexp.MustCompile(`Criterion 1: Two teammates use my checklist without help Learner's rating Met — Bo and Cy ran reviews with it on their own ` +
			`Approver's rating Partly — Cy still asks you before each review Comment Ada Learner \([^)]*\): Cy runs Thursday's review alone`),
		regexp.MustCompile(`What I learned Short checklists get used What I'd do differently \(skipped\) What I'll change at work Timebox every review`),
		regexp.MustCompile(`File (for “[^”]+”|not foreseen in the contract): review-checklist\.pdf`),
	} {
		if !want.MatchString(text) {
			t.Errorf("the PDF's text does not match %s\n%s", want, text)
		}
	}
}

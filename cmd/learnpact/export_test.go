package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/recordpdf/recordpdftest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
	"github.com/learnpact/learnpact/storage/embedded"
)

// exportStore is an embedded store file holding a completed contract
// (c42) and a draft never proposed (c7).
func exportStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "learnpact.db")
	s, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	bottest.SaveContract(t, s.Stores().Turns, "slack", "T1", recordtest.Completed(t))
	bottest.SaveContract(t, s.Stores().Turns, "slack", "T1", contract.New("c7", "slack", "T1", "UDRAFTER", time.Now()))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExportCommand runs "learnpact export" as a shell would and reads the
// PDF it wrote: signatures with version and date, each criterion with both
// ratings, the reflection.
func TestExportCommand(t *testing.T) {
	data := exportStore(t)
	out := filepath.Join(t.TempDir(), "record.pdf")
	var stdout, stderr bytes.Buffer
	code := cli(context.Background(), []string{"export", "c42", "-o", out}, envFrom(map[string]string{"LEARNPACT_DATA": data}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	if want := "wrote " + out + ": the record of contract c42, “Leading design reviews — Søren's checklist” (Completed)\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := recordpdftest.Text(t, pdf)
	for _, want := range []string{
		"UAPPROVER approver version 2 5 Mar 2026, 13:30 UTC",
		"ULEARNER learner version 1 2 Mar 2026, 10:30 UTC",
		"Criterion 1: Two teammates use my checklist without help Learner's rating Met — Both used it last sprint. Approver's rating Met — Seen it in use.",
		"Criterion 2: New joiners can explain the cache's eviction rule Learner's rating Met Approver's rating Met",
		"Criterion 3: The write-up is shared on the wiki Learner's rating Met — Linked above. Approver's rating Partly — The page is a draft, not shared yet.",
		"What I learned " + recordtest.Reflection.Learned,
		"What I'll change at work " + recordtest.Reflection.Change,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q\n%s", want, text)
		}
	}
}

// TestExportCommandDefaultsAndErrors: the default file name, standard
// output, and clear answers for no id, an unknown id and a draft.
func TestExportCommandDefaultsAndErrors(t *testing.T) {
	data := exportStore(t)
	env := envFrom(map[string]string{"LEARNPACT_DATA": data})
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := cli(context.Background(), []string{"export", "c42"}, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat("learning-contract-c42.pdf"); err != nil {
		t.Errorf("no file at the default name: %v", err)
	}
	stdout.Reset()
	if code := cli(context.Background(), []string{"export", "-o", "-", "c42"}, env, &stdout, &stderr); code != 0 || !bytes.HasPrefix(stdout.Bytes(), []byte("%PDF-")) {
		t.Errorf("-o -: exit %d, %d bytes", code, stdout.Len())
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export"}, 2, "name one contract id"},
		{[]string{"export", "c42", "c7"}, 2, "name one contract id"},
		{[]string{"export", "c404"}, 1, `there is no contract "c404"`},
		{[]string{"export", "c7"}, 1, "contract c7: the contract is a draft that was never proposed: nothing signed to export"},
	} {
		stdout.Reset()
		stderr.Reset()
		code := cli(context.Background(), tc.args, env, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout.String(), stderr.String(), tc.code, tc.want)
		}
	}
}

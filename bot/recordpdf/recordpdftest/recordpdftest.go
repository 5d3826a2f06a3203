// Package recordpdftest reads PDFs back in tests, with poppler's
// pdftotext and pdftoppm (make deps installs poppler-utils).
package recordpdftest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// Text is the PDF's text in the order it was written, spaces and line
// breaks folded into one space.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	out := run(t, pdf, "pdftotext", "-raw", "-enc", "UTF-8", "-", "-")
	return strings.Join(strings.Fields(string(out)), " ")
}

// FirstPagePNG draws the PDF's first page as a PNG.
func FirstPagePNG(t testing.TB, pdf []byte) []byte {
	t.Helper()
	png := run(t, pdf, "pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-")
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("pdftoppm made no PNG")
	}
	return png
}

func run(t testing.TB, pdf []byte, tool string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is missing: install poppler-utils (make deps)", tool)
	}
	cmd := exec.Command(tool, args...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, stderr.String())
	}
	return out
}

// Package cardcheck checks Adaptive Cards with Microsoft's adaptivecards
// library (run by Node), so that the cards the Teams adapter renders parse
// cleanly in Teams clients, at card version 1.5 at most. It is for tests:
// it finds check.js next to its own source.
package cardcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Problem is one warning or error about a card.
type Problem struct {
	Phase   string `json:"phase"`   // Parse or Validation
	Event   string `json:"event"`   // the library's ValidationEvent, like UnknownElementType
	Source  string `json:"source"`  // the element or action type, when known
	Message string `json:"message"` // what is wrong, in words
	// Origin is "adaptivecards" for what the library reports and
	// "cardcheck" for the checks check.js adds (card type and version).
	Origin string `json:"origin"`
}

// CardReport is what was found in one card.
type CardReport struct {
	Card     string    `json:"card"` // the file name, or "#i" for the i-th card given as JSON
	Problems []Problem `json:"problems"`
}

// Report holds one CardReport per card, in the order given.
type Report []CardReport

// OK reports whether no card has a problem.
func (r Report) OK() bool { return r.Err() == nil }

// Err lists every problem, or is nil when there are none.
func (r Report) Err() error {
	var errs []error
	for _, c := range r {
		for _, p := range c.Problems {
			errs = append(errs, fmt.Errorf("%s: %s %s (%s): %s", c.Card, p.Phase, p.Event, p.Source, p.Message))
		}
	}
	return errors.Join(errs...)
}

// dir is the directory of check.js and its node_modules.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Installed reports what is missing to run the checks: Node or the
// adaptivecards package.
func Installed() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("cardcheck needs Node.js, which is not installed: run make deps")
	}
	lib := filepath.Join(dir(), "node_modules", "adaptivecards", "dist", "adaptivecards.js")
	if _, err := os.Stat(lib); err != nil {
		return fmt.Errorf("cardcheck needs the adaptivecards package, which is not installed in %s: run make deps (or npm ci --prefix internal/cardcheck)", dir())
	}
	return nil
}

// Check checks the card files. The error is about running the check; what
// is wrong with the cards is in the Report.
func Check(files ...string) (Report, error) {
	if len(files) == 0 {
		return nil, errors.New("cardcheck: no card files given")
	}
	abs := make([]string, len(files))
	for i, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		abs[i] = a
	}
	r, err := run(nil, abs...)
	for i := range r {
		if i < len(files) {
			r[i].Card = files[i]
		}
	}
	return r, err
}

// CheckJSON checks cards given as JSON documents.
func CheckJSON(cards ...[]byte) (Report, error) {
	if len(cards) == 0 {
		return nil, errors.New("cardcheck: no cards given")
	}
	all := make([]json.RawMessage, len(cards))
	for i, c := range cards {
		if !json.Valid(c) {
			return nil, fmt.Errorf("cardcheck: card #%d is not JSON", i)
		}
		all[i] = c
	}
	in, err := json.Marshal(all)
	if err != nil {
		return nil, err
	}
	return run(in)
}

// AssertValid fails tb unless every card parses cleanly, naming every
// problem. It fails too when Node or the library is missing.
func AssertValid(tb testing.TB, cards ...[]byte) {
	tb.Helper()
	r, err := CheckJSON(cards...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.Err(); err != nil {
		tb.Errorf("Adaptive Card problems:\n%v", err)
	}
}

// run runs check.js with args, or with stdin when args is empty.
func run(stdin []byte, args ...string) (Report, error) {
	if err := Installed(); err != nil {
		return nil, err
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir(), "check.js")}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("cardcheck: node check.js: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var r Report
	if jerr := json.Unmarshal(stdout.Bytes(), &r); jerr != nil {
		return nil, fmt.Errorf("cardcheck: reading the report of check.js: %w", jerr)
	}
	return r, nil
}

// Package blockcheck type-checks Block Kit payloads against Slack's own
// @slack/types with the TypeScript compiler (run by Node), so that the
// messages and views the Slack adapter sends use only blocks, elements and
// fields that Slack defines. It is for tests: it finds its node_modules
// next to its own source.
package blockcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Problem is one type error in a payload.
type Problem struct {
	Path    string // where in the payload, like blocks[2].accessory.text; empty for the whole payload
	Code    string // the TypeScript diagnostic, like TS2322; empty for a payload that is not a JSON object
	Message string // what is wrong, in TypeScript's words (may span lines)
}

func (p Problem) String() string {
	at := p.Path
	if at == "" {
		at = "(payload)"
	}
	if p.Code == "" {
		return at + ": " + p.Message
	}
	return at + ": " + p.Code + " " + p.Message
}

// Report maps the name of each payload that has problems to its problems.
// Clean payloads are absent.
type Report map[string][]Problem

// Err lists every problem by payload name, or is nil when there are none.
func (r Report) Err() error {
	names := make([]string, 0, len(r))
	for name := range r {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		for _, p := range r[name] {
			errs = append(errs, fmt.Errorf("%s: %s", name, p))
		}
	}
	return errors.Join(errs...)
}

// dir is the directory of package.json and its node_modules.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

func tscPath() string    { return filepath.Join(dir(), "node_modules", "typescript", "lib", "tsc.js") }
func slackTypes() string { return filepath.Join(dir(), "node_modules", "@slack", "types") }

// Installed reports what is missing to run the check: Node, TypeScript or
// @slack/types.
func Installed() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("blockcheck needs Node.js, which is not installed: run make deps")
	}
	for _, f := range []string{tscPath(), filepath.Join(slackTypes(), "package.json")} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("blockcheck needs typescript and @slack/types, which are not installed in %s: run make deps (or npm ci --prefix internal/blockcheck)", dir())
		}
	}
	return nil
}

// Check type-checks payloads, by name: chat.postMessage or chat.update
// bodies (objects with blocks and no type), checked as KnownBlock[], and
// views as views.open takes them (objects with a type), checked as
// ModalView or HomeView with known blocks only. Of a message body's other
// fields, only text and attachments are checked. One compiler run checks
// them all. TypeScript may leave out further problems of an object it
// reports a problem in, so a fixed problem may reveal another. The error is about running the check;
// what is wrong with the payloads is in the Report.
func Check(ctx context.Context, payloads map[string][]byte) (Report, error) {
	if len(payloads) == 0 {
		return nil, errors.New("blockcheck: no payloads given")
	}
	if err := Installed(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(payloads))
	for name := range payloads {
		names = append(names, name)
	}
	slices.Sort(names)
	report := Report{}
	src := newSource(slackTypes())
	typed := 0
	for _, name := range names {
		payload := payloads[name]
		if !json.Valid(payload) {
			report[name] = append(report[name], Problem{Message: "not JSON"})
			continue
		}
		k, err := kindOf(payload)
		if err == nil {
			err = src.add("p"+strconv.Itoa(typed), name, k, payload)
		}
		if err != nil {
			report[name] = append(report[name], Problem{Message: err.Error()})
			continue
		}
		typed++
	}
	if typed == 0 {
		return report, nil
	}
	if err := compile(ctx, src, report); err != nil {
		return nil, err
	}
	return report, nil
}

// AssertValid fails tb unless every payload type-checks, naming every
// problem. It fails too when Node or the packages are missing.
func AssertValid(tb testing.TB, payloads map[string][]byte) {
	tb.Helper()
	r, err := Check(context.Background(), payloads)
	if err != nil {
		tb.Fatal(err)
	}
	if err := r.Err(); err != nil {
		tb.Errorf("Block Kit type errors (@slack/types):\n%v", err)
	}
}

// diagnostic is the first line of one of tsc's diagnostics.
var diagnostic = regexp.MustCompile(`^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$`)

// tsconfig compiles payloads.ts alone, strictly, without emitting.
const tsconfig = `{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "pretty": false,
    "noErrorTruncation": true,
    "target": "es2022",
    "lib": ["es2022"],
    "module": "commonjs",
    "moduleResolution": "node10",
    "types": []
  },
  "files": ["payloads.ts"]
}
`

// compile runs tsc over src and adds its diagnostics to report.
func compile(ctx context.Context, src *source, report Report) error {
	tmp, err := os.MkdirTemp("", "blockcheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	const file = "payloads.ts"
	if err := os.WriteFile(filepath.Join(tmp, file), src.buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "tsconfig.json"), []byte(tsconfig), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "node", tscPath(), "--project", "tsconfig.json")
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("blockcheck: tsc: %w", ctx.Err())
	}
	found, err := parse(&out, file, src, report)
	if err != nil {
		return fmt.Errorf("blockcheck: tsc (%v): %w", runErr, err)
	}
	if runErr != nil && found == 0 {
		return fmt.Errorf("blockcheck: tsc failed without diagnostics: %w", runErr)
	}
	return nil
}

// parse adds the diagnostics tsc printed about file to report, and counts
// them. Any other output is an error.
func parse(out *bytes.Buffer, file string, src *source, report Report) (int, error) {
	var last *namedProblem // the diagnostic that continuation lines belong to
	flush := func() {
		if last != nil {
			report[last.name] = append(report[last.name], last.Problem)
			last = nil
		}
	}
	found := 0
	var unexpected []string
	lines := bufio.NewScanner(out)
	lines.Buffer(nil, 1<<24)
	for lines.Scan() {
		line := lines.Text()
		if m := diagnostic.FindStringSubmatch(line); m != nil {
			flush()
			n, _ := strconv.Atoi(m[2])
			at, ok := src.place(n)
			if m[1] != file || !ok {
				unexpected = append(unexpected, line)
				continue
			}
			last = &namedProblem{at.name, Problem{Path: at.path, Code: m[4], Message: m[5]}}
			found++
			continue
		}
		if last != nil && strings.HasPrefix(line, " ") {
			last.Message += "\n" + line
			continue
		}
		if strings.TrimSpace(line) != "" {
			unexpected = append(unexpected, line)
		}
	}
	flush()
	if err := lines.Err(); err != nil {
		return found, err
	}
	if len(unexpected) > 0 {
		return found, errors.New(strings.Join(unexpected, "\n"))
	}
	return found, nil
}

type namedProblem struct {
	name string
	Problem
}

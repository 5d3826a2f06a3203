package blockcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if err := Installed(); err != nil {
		// Fail, not skip: the Slack adapter's goldens rely on this check.
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// goldens reads what the Slack adapter sends, by file name.
func goldens(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.golden.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files of bot/slack found (%v)", err)
	}
	payloads := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		payloads[filepath.Base(f)] = b
	}
	return payloads
}

// TestSlackGoldens type-checks every message and view of bot/slack's
// golden files against @slack/types, along with broken copies of two of
// them, so that it can fail.
func TestSlackGoldens(t *testing.T) {
	payloads := goldens(t)
	kinds := map[kind]int{}
	for name, p := range payloads {
		k, err := kindOf(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		kinds[k]++
	}
	if kinds[kindMessage] == 0 || kinds[kindModal] == 0 {
		t.Errorf("golden kinds = %v, want both messages and modals", kinds)
	}
	broken := []string{"all_blocks.golden.json", "modal.golden.json"}
	for _, name := range broken {
		payloads["broken "+name] = withUnknownBlock(t, payloads[name])
	}
	start := time.Now()
	r, err := Check(context.Background(), payloads)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d payloads (%v) in %v", len(payloads), kinds, time.Since(start).Round(time.Millisecond))
	for _, name := range broken {
		name = "broken " + name
		if ps := r[name]; len(ps) != 1 || ps[0].Path != "blocks[1].type" || !strings.Contains(ps[0].Message, `"sparkline"`) {
			t.Errorf("%s: %v, want one problem at blocks[1].type", name, ps)
		}
		delete(r, name)
	}
	if err := r.Err(); err != nil {
		t.Errorf("Block Kit type errors in bot/slack/testdata (@slack/types):\n%v", err)
	}
}

// withUnknownBlock returns payload with its second block's type unknown.
func withUnknownBlock(t *testing.T, payload []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(payload, &v); err != nil {
		t.Fatal(err)
	}
	blocks, _ := v["blocks"].([]any)
	if len(blocks) < 2 {
		t.Fatalf("%d blocks, want at least 2", len(blocks))
	}
	blocks[1].(map[string]any)["type"] = "sparkline"
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTypeErrors asserts what TypeScript really reports about payloads
// Slack would reject.
func TestTypeErrors(t *testing.T) {
	type want struct{ path, code, mentions string }
	const title = `"title":{"type":"plain_text","text":"T"}`
	cases := map[string]struct {
		payload string
		want    []want
	}{
		"clean message": {`{"blocks":[{"type":"divider"}],"text":"fallback","channel":"C1"}`, nil},
		"clean modal":   {`{"type":"modal",` + title + `,"blocks":[{"type":"divider"}]}`, nil},
		"clean home":    {`{"type":"home","blocks":[{"type":"divider"}]}`, nil},
		"bogus text type": {`{"blocks":[{"type":"section","text":{"type":"bogus","text":"x"}}]}`,
			[]want{{"blocks[0].text.type", "TS2322", `"bogus"`}}},
		"button without text": {`{"blocks":[{"type":"divider"},{"type":"actions","elements":[{"type":"button","action_id":"a"}]}]}`,
			[]want{{"blocks[1].elements[0]", "TS2322", "Property 'text' is missing"}}},
		"unknown block": {`{"blocks":[{"type":"sparkline"}]}`,
			[]want{{"blocks[0].type", "TS2322", `"sparkline"`}}},
		"unknown field": {`{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}]}`,
			[]want{{"blocks[0].text.emoji", "TS2353", `'"emoji"' does not exist in type 'MrkdwnElement'`}}},
		"one error per block": {`{"blocks":[{"type":"header"},{"type":"divider","text":"x"}]}`,
			[]want{
				{"blocks[0]", "TS2322", "Property 'text' is missing"},
				{"blocks[1].text", "TS2353", `'"text"' does not exist in type 'DividerBlock'`},
			}},
		"fallback text not a string": {`{"blocks":[],"text":3}`, []want{{"text", "TS2322", "'number'"}}},
		"message without blocks":     {`{"text":"hi"}`, []want{{"", "TS2741", "Property 'blocks' is missing"}}},
		"modal without title":        {`{"type":"modal","blocks":[]}`, []want{{"", "TS2322", "Property 'title' is missing"}}},
		"modal with a typo":          {`{"type":"modal",` + title + `,"blocks":[],"submitt":{"type":"plain_text","text":"Go"}}`, []want{{"submitt", "TS2353", `'"submitt"'`}}},
		"modal with any block":       {`{"type":"modal",` + title + `,"blocks":[{"type":"my_block"}]}`, []want{{"blocks[0].type", "TS2322", `"my_block"`}}},
		"unknown view type":          {`{"type":"dialog",` + title + `,"blocks":[]}`, []want{{"type", "TS2322", `'"modal"'`}}},
		"home with a title":          {`{"type":"home",` + title + `,"blocks":[]}`, []want{{"title", "TS2353", `'"title"'`}}},
		"odd keys": {`{"blocks":[{"type":"section","a b":1}]}`,
			[]want{{`blocks[0]["a b"]`, "TS2353", `'"a b"'`}}},
		"not JSON":     {`{"blocks":`, []want{{"", "", "not JSON"}}},
		"not a object": {`[{"type":"divider"}]`, []want{{"", "", "must be a JSON object"}}},
		"null":         {`null`, []want{{"", "", "must be a JSON object"}}},
	}
	payloads := map[string][]byte{}
	for name, tc := range cases {
		payloads[name] = []byte(tc.payload)
	}
	r, err := Check(context.Background(), payloads)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range cases {
		got := r[name]
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %d problems", name, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if got[i].Path != w.path || got[i].Code != w.code || !strings.Contains(got[i].Message, w.mentions) {
				t.Errorf("%s: problem %d = %+v, want %s at %q mentioning %s", name, i, got[i], w.code, w.path, w.mentions)
			}
		}
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "unknown block: blocks[0].type: TS2322 Type '\"sparkline\"'") {
		t.Errorf("Err() = %v, want every problem named with its payload and path", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Check(context.Background(), nil); err == nil {
		t.Error("Check(no payloads) passed")
	}
	// Payloads that never reach the compiler are reported without it.
	r, err := Check(context.Background(), map[string][]byte{"x": []byte("{")})
	if err != nil || len(r["x"]) != 1 {
		t.Errorf("Check(not JSON) = %v, %v; want one problem", r, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, map[string][]byte{"x": []byte(`{"blocks":[]}`)}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("Check(cancelled) = %v, want the context's error", err)
	}
}

// TestTscOutput checks that diagnostics tsc gives about anything but the
// payloads are errors, not problems of a payload.
func TestTscOutput(t *testing.T) {
	src := newSource("@slack/types")
	if err := src.add("p0", "msg", kindMessage, []byte(`{"blocks":[]}`)); err != nil {
		t.Fatal(err)
	}
	line := len(src.lines) // the payload's last line
	if err := src.add("p1", "broken", kindMessage, []byte(`{"blocks":[`)); err == nil || len(src.lines) != line {
		t.Fatalf("add(broken JSON) = %v and kept %d lines, want an error and nothing added", err, len(src.lines)-line)
	}
	for _, tc := range []struct {
		out     string
		problem bool
	}{
		{fmt.Sprintf("payloads.ts(%d,3): error TS2322: Type 'x'.\n  More.\n", line), true},
		{"payloads.ts(1,1): error TS2307: Cannot find module '@slack/types'.\n", false},
		{"other.ts(3,1): error TS2322: Type 'x'.\n", false},
		{"error TS5023: Unknown compiler option 'x'.\n", false},
	} {
		r := Report{}
		found, err := parse(bytes.NewBufferString(tc.out), "payloads.ts", src, r)
		if tc.problem && (err != nil || found != 1 || len(r["msg"]) != 1 || r["msg"][0].Message != "Type 'x'.\n  More.") {
			t.Errorf("parse(%q) = %d, %v, %v; want one problem of msg", tc.out, found, r, err)
		}
		if !tc.problem && (err == nil || len(r) != 0) {
			t.Errorf("parse(%q) = %v, %v; want an error", tc.out, r, err)
		}
	}
}

func TestAssertValid(t *testing.T) {
	ft := &fakeTB{TB: t}
	AssertValid(ft, map[string][]byte{
		"ok":  []byte(`{"blocks":[{"type":"divider"}]}`),
		"bad": []byte(`{"blocks":[{"type":"nope"}]}`),
	})
	if !strings.Contains(ft.failed, "bad: blocks[0].type: TS2322") || strings.Contains(ft.failed, "ok:") {
		t.Errorf("AssertValid reported %q, want the bad payload only", ft.failed)
	}
}

// fakeTB records failures instead of failing the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Errorf(format string, args ...any) { f.failed += fmt.Sprintf(format, args...) }

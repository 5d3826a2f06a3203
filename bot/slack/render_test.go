package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
	"github.com/learnpact/learnpact/conversation/message"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares v, as the JSON sent to Slack, with
// testdata/<name>.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append([]byte(htmlUnescaper.Replace(string(got))), '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendering (go test -update rewrites it):\n%s", path, got)
	}
}

// goldenMessage checks a message's rendering against its golden file and
// Slack's limits.
func goldenMessage(t *testing.T, name string, m message.Message) {
	t.Helper()
	blocks, text, _ := render(m)
	checkLimits(t, blocks, blockkit.MaxMessageBlocks)
	if w := blockkit.Len(text); w > maxFallbackText {
		t.Errorf("fallback text of %d characters", w)
	}
	golden(t, name, map[string]any{"blocks": blocks})
}

func goldenHome(t *testing.T, name string, m message.Message) {
	t.Helper()
	v, problems := renderHome(m)
	checkLimits(t, v.Blocks.BlockSet, blockkit.MaxViewBlocks)
	if len(problems) > 0 {
		t.Errorf("rendering left content out: %q", problems)
	}
	golden(t, name, v)
}

func goldenModal(t *testing.T, name string, m message.Modal) {
	t.Helper()
	v := RenderModal(m)
	checkLimits(t, v.Blocks.BlockSet, blockkit.MaxViewBlocks)
	for what, o := range map[string]*slackapi.TextBlockObject{"title": v.Title, "submit": v.Submit, "close": v.Close} {
		if o != nil && blockkit.Len(o.Text) > blockkit.MaxViewText {
			t.Errorf("modal %s %q longer than %d", what, o.Text, blockkit.MaxViewText)
		}
	}
	if v.Title == nil || v.Title.Text == "" {
		t.Error("modal without a title")
	}
	golden(t, name, v)
}

// htmlUnescaper undoes encoding/json's \u003c, \u003e and \u0026 escapes
// (the same JSON, easier to review). An escaped backslash is matched
// whole, so a literal "\\u003c" stays as it is.
var htmlUnescaper = strings.NewReplacer(`\\`, `\\`, `\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

var escapeOK = regexp.MustCompile(`&(amp|lt|gt);`)

// checkLimits checks rendered blocks as Slack would (blockkit.Checker,
// with the limits the renderer keeps to), then what the renderer promises
// beyond Slack's rules: every text shows something, every mrkdwn escape is
// whole, and no action_id is used twice in the payload.
func checkLimits(t *testing.T, blocks []slackapi.Block, maxBlocks int) {
	t.Helper()
	data, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	c := blockkit.Checker{}
	c.Blocks(data, "", maxBlocks)
	for _, p := range c.Problems {
		t.Error(p)
	}
	v, err := blockkit.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	actionIDs := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if s, ok := v["text"].(string); ok && (v["type"] == "mrkdwn" || v["type"] == "plain_text") {
				if strings.TrimSpace(s) == "" {
					t.Errorf("empty %s text", v["type"])
				}
				if v["type"] == "mrkdwn" && strings.Count(s, "&") != len(escapeOK.FindAllString(s, -1)) {
					t.Errorf("mrkdwn with a broken escape: %q", s)
				}
			}
			if id, ok := v["action_id"].(string); ok {
				if actionIDs[id] {
					t.Errorf("action_id %q used twice", id)
				}
				actionIDs[id] = true
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}

// Every block type, every span kind and every button style.
var sampleAll = message.Message{
	Summary: "Mo approved your learning contract",
	Blocks: []message.Block{
		message.Header{Text: "Learning contract: Kubernetes for on-call"},
		message.Section{
			Text:      message.T("Hi ", message.Mention("U012AB3CD"), ", your contract is ", message.Bold("active"), ". ", message.Italic("Well done!")),
			Accessory: &message.Button{Label: "Open", ActionID: "lp_open", Value: "c=k8s&v=3"},
		},
		message.Fields{Fields: []message.Field{
			{Label: "Goal", Value: message.T("Explain how a pod is scheduled")},
			{Label: "Deadline", Value: message.T("Fri 28 Mar 2025")},
			{Label: "Evidence", Value: message.T(message.Link("https://wiki.example.com/k8s", "Runbook"), " and a demo")},
			{Label: "Approver", Value: message.T(message.Mention("W0ABCDEF"))},
		}},
		message.Context{Text: message.T("Version 3 · signed by both · type ", message.Code("status"), " any time")},
		message.Divider{},
		message.Section{Text: message.T(message.Bold("Goals"))},
		message.Section{Text: message.T("1. Explain how a pod is scheduled")},
		message.Section{Text: message.T("2. Lead a cluster upgrade"), Accessory: &message.Button{Label: "Edit", ActionID: "lp_edit", Value: "c=k8s&v=3&p=1"}},
		message.Section{Text: message.T("3. Compare two ingress controllers"), Accessory: &message.Button{Label: "Edit", ActionID: "lp_edit", Value: "c=k8s&v=3&p=2"}},
		message.Actions{
			Buttons: []message.Button{
				{Label: "Approve & sign", ActionID: "lp_approve", Value: "c=k8s&v=3", Style: message.Primary},
				{Label: "Request changes", ActionID: "lp_changes", Value: "c=k8s&v=3"},
				{Label: "Withdraw", ActionID: "lp_withdraw", Value: "c=k8s&v=3", Style: message.Danger},
				{Label: "Edit", ActionID: "lp_edit", Value: "c=k8s&v=3&p=3"},
			},
			Select: &message.Select{ActionID: "lp_cadence", Placeholder: "Check-in cadence", Options: []message.Option{
				{Label: "Weekly", Value: "weekly"}, {Label: "Fortnightly", Value: "fortnightly"},
			}},
		},
		message.Input{ID: "lp_note", Label: "Anything to add?", Placeholder: "Press Enter to send"},
		message.Choice{ID: "lp_strengths", Label: "What works <well> & why?", Multi: true, Optional: true,
			Options: []message.Option{{Label: "Goals", Value: "goals"}, {Label: "Evidence", Value: "evidence"}, {Label: "", Value: "criteria"}},
			Initial: []string{"evidence", "goals"}},
		message.Choice{ID: "lp_ready", Label: "Ready for the approver?",
			Options: []message.Option{{Label: "Yes", Value: "yes"}, {Label: "Not yet", Value: "no"}}, Initial: []string{"no"}},
	},
}

// User text that tries to ping, link or format, and formatting edge cases.
var sampleEscaping = message.Message{
	Summary: "<!channel> & <@U999> <https://evil.example|click>",
	Blocks: []message.Block{
		message.Section{Text: message.T("Goal: learn <!channel> & <!here> tricks > x < y, *not bold* _not italic_ `not code` <@U0ABC>")},
		message.Section{Text: message.T(
			message.Bold(" padded bold "), "| ",
			message.Italic("two\nlines"), " | ",
			message.Code("a < b && c"), " | ",
			message.Bold(""), message.Bold("  "), "| ",
			message.Mention("U012AB3CD"), " ",
			message.Mention("<!channel>"), " ",
			message.Mention("u012ab3cd"), " ",
			message.Mention("B012AB3CD"),
		)},
		message.Section{Text: message.T(
			message.Link("https://example.com/a?b=1&c=<2>|x", "label | with <pipes> & more"), " ",
			message.Link("http://example.com", ""), " ",
			message.Link("javascript:alert(1)", "click me"), " ",
			message.Link("ftp://example.com/file", ""), " ",
			message.Link("https://", "no host"),
		)},
		message.Header{Text: "Plain <text> & stays as typed"},
		message.Fields{Fields: []message.Field{{Label: "A & <B>", Value: message.T("<@U1> & co")}}},
		message.Context{Text: message.T("by ", message.Mention("U012AB3CD"), " & friends")},
	},
}

// Content past every per-element limit.
func sampleTruncation() message.Message {
	var fields []message.Field
	for i := range 23 {
		fields = append(fields, message.Field{Label: fmt.Sprintf("Field %d", i+1), Value: message.T("value")})
	}
	fields = append(fields, message.Field{Label: "Long", Value: message.T(strings.Repeat("x", 1990) + " & more & more")})
	var buttons []message.Button
	for i := range 27 {
		buttons = append(buttons, message.Button{Label: fmt.Sprintf("B%d", i+1), ActionID: "lp_pick", Value: fmt.Sprint(i + 1)})
	}
	buttons = append(buttons,
		message.Button{Label: strings.Repeat("Long label ", 10), ActionID: "lp_long"},
		message.Button{Label: "Huge value", ActionID: "lp_huge", Value: strings.Repeat("v", 2001)},
		message.Button{Label: "", ActionID: "lp_nolabel"},
		message.Button{Label: "Long id", ActionID: strings.Repeat("i", 300)},
	)
	return message.Message{
		Blocks: []message.Block{
			message.Header{Text: strings.Repeat("A very long contract title ", 10)},
			message.Section{Text: message.T(strings.Repeat("a", 2996), "&&&&")},
			message.Section{Text: message.T(strings.Repeat("é", 2990), message.Bold("bold text that is cut"))},
			message.Section{Text: message.T(strings.Repeat("b", 2990), message.Link("https://example.com/link", "a link"))},
			message.Section{Text: message.T(strings.Repeat("😀", 1499), "xy")},
			message.Section{Text: nil, Accessory: &message.Button{Label: "Lonely", ActionID: "lp_lonely"}},
			message.Section{Text: nil},
			message.Fields{Fields: fields},
			message.Actions{Buttons: buttons, Select: &message.Select{ActionID: "lp_sel", Options: []message.Option{
				{Label: "ok", Value: "ok"}, {Label: "too long", Value: strings.Repeat("v", 151)},
			}}},
		},
	}
}

func sampleOverflow() message.Message {
	m := message.Message{Summary: "Your contract"}
	for i := range 60 {
		m.Blocks = append(m.Blocks, message.Section{Text: message.T(fmt.Sprintf("Part %d", i+1))})
	}
	return m
}

var sampleModal = message.Modal{
	CallbackID:  "lp_changes",
	PrivateData: "c=k8s&v=3&ch=D1&ts=1.2",
	Title:       "Request changes to the contract",
	Submit:      "Send to the learner now",
	Close:       "Cancel",
	Blocks: []message.Block{
		message.Section{Text: message.T("What should ", message.Mention("U012AB3CD"), " change in ", message.Bold("version 3"), "?")},
		message.Input{ID: "comment", Label: "Comment", Placeholder: "Be specific & kind", Multiline: true, MaxLength: 2000},
		message.Input{ID: "deadline", Label: "New deadline", Initial: "next Friday", Optional: true},
		message.Input{ID: "comment", Label: "Second comment field", Optional: true},
		message.Context{Text: message.T("The learner sees your comment with the contract.")},
	},
}

func TestRenderGolden(t *testing.T) {
	goldenMessage(t, "all_blocks", sampleAll)
	goldenMessage(t, "escaping", sampleEscaping)
	goldenMessage(t, "truncation", sampleTruncation())
	goldenMessage(t, "overflow", sampleOverflow())
	goldenModal(t, "modal", sampleModal)
}

func TestMrkdwn(t *testing.T) {
	tests := []struct {
		name string
		in   message.Text
		want string
	}{
		{"escapes three characters only", message.T(`a & b < c > d "e" 'f' *g* _h_`), `a &amp; b &lt; c &gt; d "e" 'f' *g* _h_`},
		{"special mentions are text", message.T("<!channel> <!here|here> <!subteam^S1>"), "&lt;!channel&gt; &lt;!here|here&gt; &lt;!subteam^S1&gt;"},
		{"typed user mentions are mentions", message.T("ask <@U0123ABC|ana> or <@U1>"), "ask <@U0123ABC> or @U1"},
		{"bold", message.T(message.Bold("a&b")), "*a&amp;b*"},
		{"italic", message.T(message.Italic("x")), "_x_"},
		{"code", message.T(message.Code("<x>")), "`&lt;x&gt;`"},
		{"spaces stay outside markers", message.T("a", message.Bold(" b "), "c"), "a *b* c"},
		{"markers per line", message.T(message.Bold("a\n\nb")), "*a*\n\n*b*"},
		{"empty format", message.T(message.Bold(""), message.Italic(" ")), " "},
		{"mention", message.T(message.Mention("U0123ABC")), "<@U0123ABC>"},
		{"enterprise mention", message.T(message.Mention("W0123ABC")), "<@W0123ABC>"},
		{"bad mention", message.T(message.Mention("!channel")), "@!channel"},
		{"mention with markup", message.T(message.Mention("U1>|<!everyone")), "@U1&gt;|&lt;!everyone"},
		{"short mention", message.T(message.Mention("U1")), "@U1"},
		{"link", message.T(message.Link("https://x.io/a?b=1&c=2", "see")), "<https://x.io/a?b=1&amp;c=2|see>"},
		{"link label without pipes", message.T(message.Link("http://x.io", "a|b")), "<http://x.io|ab>"},
		{"link url pipe encoded", message.T(message.Link("http://x.io/a|b", "l")), "<http://x.io/a%7Cb|l>"},
		{"link without label", message.T(message.Link("http://x.io", "")), "<http://x.io>"},
		{"link to another scheme", message.T(message.Link("javascript:alert(1)", "<!channel>")), "&lt;!channel&gt;"},
		{"mailto is text", message.T(message.Link("mailto:a@b.c", "")), "mailto:a@b.c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mrkdwn(tt.in, blockkit.MaxSectionText); got != tt.want {
				t.Errorf("mrkdwn = %q, want %q", got, tt.want)
			}
		})
	}
}

// Cutting text never splits an escape or a token, whatever the cut point.
func TestMrkdwnCut(t *testing.T) {
	text := message.T("ab&<", message.Bold("c&d"), " ", message.Mention("U0123ABC"), " é😀", message.Link("https://x.io", "l"))
	full := mrkdwn(text, 1000)
	for limit := 1; limit <= blockkit.Len(full); limit++ {
		got := mrkdwn(text, limit)
		if blockkit.Len(got) > limit {
			t.Errorf("limit %d: %q is %d long", limit, got, blockkit.Len(got))
		}
		if limit < blockkit.Len(full) && !strings.HasSuffix(got, "…") {
			t.Errorf("limit %d: %q does not end with …", limit, got)
		}
		body := strings.TrimSuffix(got, "…")
		if unstar := func(s string) string { return strings.ReplaceAll(s, "*", "") }; !strings.HasPrefix(unstar(full), unstar(body)) {
			t.Errorf("limit %d: %q is not a clean cut of %q", limit, got, full)
		}
		if strings.Count(body, "&") != len(escapeOK.FindAllString(body, -1)) {
			t.Errorf("limit %d: broken escape in %q", limit, got)
		}
		if strings.Count(body, "*")%2 != 0 || strings.Count(body, "<") != strings.Count(body, ">") {
			t.Errorf("limit %d: unpaired marker or token in %q", limit, got)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip("abcdef", 4); got != "abc…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("😀😀😀", 4); got != "😀…" {
		t.Errorf("clip counts UTF-16: %q", got)
	}
	if got := clip("abc", 3); got != "abc" {
		t.Errorf("clip = %q", got)
	}
}

func TestUniqueActionIDs(t *testing.T) {
	m := message.Message{Blocks: []message.Block{
		message.Actions{Buttons: []message.Button{{Label: "Edit", ActionID: "lp_edit"}, {Label: "Edit", ActionID: "lp_edit"}}},
		message.Section{Text: message.T("x"), Accessory: &message.Button{Label: "Edit", ActionID: "lp_edit"}},
		message.Actions{Buttons: []message.Button{{Label: "Long", ActionID: strings.Repeat("x", 300)}, {Label: "Long", ActionID: strings.Repeat("x", 300)}}},
	}}
	blocks, _ := Render(m)
	data, _ := json.Marshal(blocks)
	ids := regexp.MustCompile(`"action_id":"([^"]+)"`).FindAllStringSubmatch(string(data), -1)
	var got []string
	for _, id := range ids {
		got = append(got, id[1])
	}
	want := []string{"lp_edit", "lp_edit#2", "lp_edit#3", strings.Repeat("x", 255), strings.Repeat("x", 253) + "#2"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("action ids = %q, want %q", got, want)
	}
	for i, id := range got[:3] {
		if base := baseActionID(id); base != "lp_edit" {
			t.Errorf("baseActionID(%q) = %q", got[i], base)
		}
	}
	for _, id := range []string{"lp_edit", "a#b", "#2", "a#", "a#2x", "a#-1"} {
		if base := baseActionID(id); base != id {
			t.Errorf("baseActionID(%q) = %q, want it unchanged", id, base)
		}
	}
}

func TestRenderProblems(t *testing.T) {
	_, _, problems := render(sampleTruncation())
	joined := strings.Join(problems, "\n")
	for _, want := range []string{`button "lp_huge": value of 2001 characters dropped`, `button "lp_nolabel" without a label`, "action_id of 300 bytes cut", `select "lp_sel": option "too long"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	_, problems = renderModal(message.Modal{Title: "x", PrivateData: strings.Repeat("p", 3001)})
	if len(problems) != 1 {
		t.Errorf("over-long private data: problems = %q", problems)
	}
}

func TestFallbackText(t *testing.T) {
	tests := []struct {
		m    message.Message
		want string
	}{
		{message.Message{Summary: "a <b> & c"}, "a &lt;b&gt; &amp; c"},
		{message.Message{Blocks: []message.Block{message.Divider{}, message.Header{Text: "Title"}}}, "Title"},
		{message.Message{Blocks: []message.Block{message.Section{Text: message.T("Hi ", message.Mention("U0123ABC"))}}}, "Hi @U0123ABC"},
		{message.Message{Summary: strings.Repeat("x", 5000)}, strings.Repeat("x", 2999) + "…"},
	}
	for _, tt := range tests {
		if _, got := Render(tt.m); got != tt.want {
			t.Errorf("fallback = %.60q, want %.60q", got, tt.want)
		}
	}
}

func FuzzMrkdwn(f *testing.F) {
	f.Add("hello & <world>", "bold", 20)
	f.Add("é😀<>&", "x\ny", 5)
	f.Fuzz(func(t *testing.T, plain, bold string, limit int) {
		if limit < 1 || limit > 5000 {
			return
		}
		got := mrkdwn(message.T(plain, message.Bold(bold), message.Mention(plain)), limit)
		if blockkit.Len(got) > limit {
			t.Errorf("%q is longer than %d", got, limit)
		}
		if strings.Count(got, "&") != len(escapeOK.FindAllString(got, -1)) {
			t.Errorf("broken escape in %q", got)
		}
		if strings.ContainsAny(strings.ReplaceAll(got, "<@", ""), "<") && !userIDPattern.MatchString(plain) {
			t.Errorf("raw < in %q", got)
		}
	})
}

func TestRenderChoice(t *testing.T) {
	var opts []message.Option
	for i := range 12 {
		opts = append(opts, message.Option{Label: fmt.Sprintf("Option %d <%d>", i+1, i+1), Value: fmt.Sprint(i + 1)})
	}
	opts = append(opts[:3], append([]message.Option{{Label: "Again", Value: "1"}, {Label: "Empty", Value: ""}}, opts[3:]...)...)
	m := message.Modal{Title: "Feedback", Blocks: []message.Block{
		message.Choice{ID: "many", Label: strings.Repeat("L", 2100), Options: opts, Initial: []string{"12", "2", "nope"}, Multi: true},
		message.Choice{ID: "one", Label: "One", Options: opts[:3], Initial: []string{"3", "1"}},
		message.Choice{ID: "none", Label: "None"},
		message.Choice{ID: "ten", Label: "Ten", Options: opts[:10], Initial: []string{"2"}, Multi: true},
		message.Choice{ID: "radio", Label: "Radio", Options: opts},
	}}
	v, problems := renderModal(m)
	checkLimits(t, v.Blocks.BlockSet, blockkit.MaxViewBlocks)
	if v.Submit == nil || v.Submit.Text != "Submit" {
		t.Errorf("a modal with choices has no submit button: %+v", v.Submit)
	}
	if len(v.Blocks.BlockSet) != 4 {
		t.Fatalf("%d blocks, want 4 (the choice without options left out)", len(v.Blocks.BlockSet))
	}
	// More than ten options to tick: a multi-select menu holds them all.
	many := v.Blocks.BlockSet[0].(*slackapi.InputBlock)
	ms := many.Element.(*slackapi.MultiSelectBlockElement)
	if ms.Type != slackapi.MultiOptTypeStatic || len(ms.Options) != 12 || ms.Options[11].Value != "12" || blockkit.Len(many.Label.Text) > blockkit.MaxLabel || many.Label.Type != slackapi.PlainTextType {
		t.Errorf("multi-select: %s, %d options, last %q, label of %d", ms.Type, len(ms.Options), ms.Options[len(ms.Options)-1].Value, blockkit.Len(many.Label.Text))
	}
	if len(ms.InitialOptions) != 2 || ms.InitialOptions[0].Value != "12" || ms.InitialOptions[1].Value != "2" {
		t.Errorf("initial options = %+v, want 12 and 2", ms.InitialOptions)
	}
	if ms.Options[0].Text.Text != "Option 1 <1>" {
		t.Errorf("option text %q: plain text is sent as typed", ms.Options[0].Text.Text)
	}
	// Ten or fewer: check boxes.
	cb := v.Blocks.BlockSet[2].(*slackapi.InputBlock).Element.(*slackapi.CheckboxGroupsBlockElement)
	if len(cb.Options) != 8 || len(cb.InitialOptions) != 1 || cb.InitialOptions[0].Value != "2" {
		t.Errorf("check boxes: %d options (the repeat and the empty one left out), initial %+v", len(cb.Options), cb.InitialOptions)
	}
	rb := v.Blocks.BlockSet[1].(*slackapi.InputBlock).Element.(*slackapi.RadioButtonsBlockElement)
	if rb.InitialOption == nil || rb.InitialOption.Value != "3" || v.Blocks.BlockSet[1].(*slackapi.InputBlock).DispatchAction {
		t.Errorf("radio buttons = %+v", rb)
	}
	if radio := v.Blocks.BlockSet[3].(*slackapi.InputBlock).Element.(*slackapi.RadioButtonsBlockElement); len(radio.Options) != blockkit.MaxChoices || radio.Options[9].Value != "10" {
		t.Errorf("radio buttons of 12: %d options", len(radio.Options))
	}
	joined := strings.Join(problems, "\n")
	for _, want := range []string{`choice "radio": options past 10 left out`, `choice "many": option "Again"`, `choice "many": option "Empty"`, `choice "one": radio buttons start with one option`, `choice "none" without options`} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	if strings.Contains(joined, `choice "many": options past`) {
		t.Errorf("options of a multi-select were left out: %q", problems)
	}
}

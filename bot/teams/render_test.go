package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/message"
)

var update = flag.Bool("update", false, "rewrite golden files")

// pretty is v as indented JSON, without HTML escapes, as golden files keep
// it.
func pretty(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares v with testdata/<name>.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got := pretty(t, v)
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

// sampleNames are the display names the samples' users have.
func sampleNames(id string) string {
	return map[string]string{"ULEE": "Lee Learner", "UMO": "Mo Manager", "USAM": "Sam Peer", "UKAI": "Kai"}[id]
}

// checkCard checks what every rendered activity must satisfy: it fits in
// Teams' limit, it is an Adaptive Card 1.5, every mention in its texts has
// an entity, and every submit action carries our data.
func checkCard(t *testing.T, act outActivity) {
	t.Helper()
	data, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > maxActivityBytes {
		t.Errorf("activity of %d bytes, over %d", len(data), maxActivityBytes)
	}
	if len(act.Attachments) != 1 || act.Attachments[0].ContentType != cardContentType {
		t.Fatalf("attachments = %+v", act.Attachments)
	}
	c := act.Attachments[0].Content
	if c.Type != "AdaptiveCard" || c.Version != "1.5" {
		t.Errorf("card type %q version %q", c.Type, c.Version)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	entities := map[string]bool{}
	for _, e := range c.MSTeams.Entities {
		entities[e.Text] = true
	}
	walk(v, func(m map[string]any) {
		if m["type"] == "TextBlock" {
			text, _ := m["text"].(string)
			for _, at := range atTag.FindAllString(text, -1) {
				if !entities[at] {
					t.Errorf("mention %s has no entity", at)
				}
			}
		}
		if m["type"] == "Action.Submit" {
			d, _ := m["data"].(map[string]any)
			if d[keyAction] == nil && d[keySubmit] == nil && d[keyCancel] == nil {
				t.Errorf("submit action %v carries no action id", m)
			}
		}
	})
}

func walk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, e := range x {
			walk(e, f)
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}

// TestFlowGolden renders every message and form the conversation flows
// send to testdata/flow_<key>.golden.json, and checks that nothing had to
// be left out.
func TestFlowGolden(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	msgs, modals := bottest.Samples(t, now)
	if len(msgs) == 0 || len(modals) == 0 {
		t.Fatalf("%d sample messages and %d sample modals, want some of each", len(msgs), len(modals))
	}
	want := map[string]bool{}
	for key, m := range msgs {
		name := "flow_" + key
		want[name] = true
		t.Run(name, func(t *testing.T) {
			act, problems := render(m, sampleNames)
			if len(problems) > 0 {
				t.Errorf("rendering left content out: %q", problems)
			}
			checkCard(t, act)
			golden(t, name, act)
		})
	}
	for key, m := range modals {
		name := "form_" + key
		want[name] = true
		t.Run(name, func(t *testing.T) {
			act, problems := renderModal(m, sampleNames)
			if len(problems) > 0 {
				t.Errorf("rendering left content out: %q", problems)
			}
			checkCard(t, act)
			golden(t, name, act)
		})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "f*_*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".golden.json")
		if want[name] {
			continue
		}
		if *update {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s has no sample any more (go test -update removes it)", f)
	}
}

// TestAllBlocks covers every block and span kind in one golden file.
func TestAllBlocks(t *testing.T) {
	m := message.Message{
		Summary: "Everything",
		Blocks: []message.Block{
			message.Header{Text: "A header"},
			message.Section{Text: message.T("Plain, ", message.Bold("bold"), ", ", message.Italic(" italic "), ", ",
				message.Code("code"), ", ", message.Mention("UMO"), " and ", message.Link("https://example.com/a b(c)", "a link"))},
			message.Section{Text: message.T("With a button"), Accessory: &message.Button{Label: "Edit", ActionID: "lp_edit", Value: "c=1&v=2"}},
			message.Divider{},
			message.Fields{Fields: []message.Field{{Label: "Goal", Value: message.T("Run reviews")}, {Label: "Deadline", Value: message.T("3 May")}}},
			message.Context{Text: message.T("Small print")},
			message.Actions{Buttons: []message.Button{
				{Label: "Approve", ActionID: "lp_approve", Value: "c=1&v=2", Style: message.Primary},
				{Label: "Withdraw", ActionID: "lp_withdraw", Style: message.Danger},
			}, Select: &message.Select{ActionID: "lp_cadence", Placeholder: "How often?", Options: []message.Option{
				{Label: "Weekly", Value: "weekly"}, {Label: "Fortnightly", Value: "fortnightly"}}}},
			message.Input{ID: "comments", Label: "Comments", Placeholder: "What should change?", Multiline: true, MaxLength: 500},
			message.Input{ID: "note", Label: "Note", Optional: true, Initial: "kept"},
			message.Choice{ID: "days", Label: "Days", Multi: true, Initial: []string{"mon", "wed"},
				Options: []message.Option{{Label: "Monday", Value: "mon"}, {Label: "Wednesday", Value: "wed"}, {Label: "Friday", Value: "fri"}}},
		},
	}
	act, problems := render(m, sampleNames)
	if len(problems) > 0 {
		t.Errorf("problems: %q", problems)
	}
	checkCard(t, act)
	golden(t, "all_blocks", act)
}

// TestEscaping: user text shows as typed; it cannot format, link, mention
// or start a list.
func TestEscaping(t *testing.T) {
	evil := "**bold** _it_ [click](https://evil.example) <at>Everyone</at> `x` # h\n- item\n1. first\\"
	plainAct, _ := render(message.Message{Blocks: []message.Block{message.Section{Text: message.T(evil)}}}, nil)
	text := plainAct.Attachments[0].Content.Body[0].(*textBlock).Text
	// What is left once escaped characters are taken out must not format.
	bare := strings.NewReplacer(`\\`, "", `\*`, "", `\_`, "", "\\`", "", `\[`, "", `\]`, "", `\<`, "").Replace(text)
	for _, bad := range []string{"**", "_it_", "[click]", "<at>", "`x`", "\n- ", "\n1. "} {
		if strings.Contains(bare, bad) {
			t.Errorf("user text kept %q unescaped: %s", bad, text)
		}
	}
	act, _ := render(message.Message{Blocks: []message.Block{message.Section{Text: message.T(evil, message.Bold(evil))}}}, nil)
	if len(act.Attachments[0].Content.MSTeams.Entities) != 0 || len(act.Entities) != 0 {
		t.Errorf("typed <at> made a mention entity")
	}
	golden(t, "escaping", act)
}

// TestLongTextsFit: a message far over Teams' limit is cut to fit, texts
// ending in "…", and button values stay whole.
func TestLongTextsFit(t *testing.T) {
	long := strings.Repeat("a very long goal that goes on ", 400)
	value := strings.Repeat("v", 900)
	var blocks []message.Block
	for range 12 {
		blocks = append(blocks, message.Section{Text: message.T(long)},
			message.Actions{Buttons: []message.Button{{Label: "Go", ActionID: "lp_go", Value: value}}})
	}
	act, problems := render(message.Message{Blocks: blocks}, nil)
	if len(problems) == 0 {
		t.Error("cutting was not reported")
	}
	data, _ := json.Marshal(act)
	if len(data) > maxActivityBytes {
		t.Fatalf("activity of %d bytes", len(data))
	}
	body := act.Attachments[0].Content.Body
	if tb := body[0].(*textBlock); !strings.HasSuffix(tb.Text, "…") {
		t.Errorf("cut text does not end in …: %q", tb.Text[len(tb.Text)-20:])
	}
	for _, el := range body {
		if as, ok := el.(*actionSet); ok {
			if got := as.Actions[0].Data.(map[string]string)[keyValue]; got != value {
				t.Fatalf("button value cut to %d characters", len(got))
			}
		}
	}
}

// TestMentionEntities: a mention is <at>Name</at> in the text with an
// entity in the card and in the activity.
func TestMentionEntities(t *testing.T) {
	act, _ := render(message.Message{Blocks: []message.Block{message.Section{Text: message.T("Ask ", message.Mention("29:mo"), " or ", message.Mention("29:mo"))}}},
		func(id string) string { return "Mo <Boss>" })
	want := "<at>Mo Boss</at>"
	if text := act.Attachments[0].Content.Body[0].(*textBlock).Text; text != "Ask "+want+" or "+want {
		t.Errorf("text = %q", text)
	}
	for _, es := range [][]mention{act.Entities, act.Attachments[0].Content.MSTeams.Entities} {
		if len(es) != 1 || es[0].Text != want || es[0].Mentioned.ID != "29:mo" {
			t.Errorf("entities = %+v", es)
		}
	}
}

// TestTypedMentionRendered: a mention inside typed text (a goal naming a
// colleague, which the adapter stored as <@ID>) is shown as that person's
// mention, not as markup.
func TestTypedMentionRendered(t *testing.T) {
	act, _ := render(message.Message{Blocks: []message.Block{message.Section{Text: message.T("Shadow <@29:ana|Ana>'s reviews")}}},
		func(id string) string { return map[string]string{"29:ana": "Ana Lim"}[id] })
	if text := act.Attachments[0].Content.Body[0].(*textBlock).Text; text != "Shadow <at>Ana Lim</at>'s reviews" {
		t.Errorf("text = %q", text)
	}
	if es := act.Entities; len(es) != 1 || es[0].Mentioned.ID != "29:ana" {
		t.Errorf("entities = %+v", es)
	}

	// Someone Teams never named to the bot stays text: no entity Teams
	// could refuse.
	act, _ = render(message.Message{Blocks: []message.Block{message.Section{Text: message.T("Ask <@29:zed>")}}},
		func(id string) string { return map[string]string{"29:ana": "Ana Lim"}[id] })
	if text := act.Attachments[0].Content.Body[0].(*textBlock).Text; text != "Ask @29:zed" || len(act.Entities) != 0 {
		t.Errorf("an unknown typed mention: text %q, entities %+v", text, act.Entities)
	}
}

func BenchmarkRenderApprovalRequest(b *testing.B) {
	msgs, _ := bottest.Samples(b, time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	m := msgs["approval_request_diff"]
	b.ReportAllocs()
	for b.Loop() {
		act, _ := render(m, sampleNames)
		if _, err := json.Marshal(act); err != nil {
			b.Fatal(err)
		}
	}
}

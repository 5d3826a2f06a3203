// Package messagetest reads messages the way tests look at them: as plain
// text, as the indented lines of a golden transcript, by their buttons, and
// against the limits every platform accepts. Only tests import it.
package messagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/message"
)

// Text is all the text of a message's blocks, one line per block (buttons
// in brackets), for assertions.
func Text(m message.Message) string {
	var b strings.Builder
	renderBlocks(m.Blocks, func(s string) { b.WriteString(s + "\n") })
	return b.String()
}

// Render writes a message as a transcript shows it: indented lines with the
// summary first in parentheses, the text of each block, buttons in brackets
// (primary ones marked with *).
func Render(m message.Message) string {
	var b strings.Builder
	line := indented(&b)
	line("(" + m.Summary + ")")
	renderBlocks(m.Blocks, line)
	return b.String()
}

// RenderModal writes a form as a transcript shows it: its title, submit and
// close labels, then its blocks with what each field holds initially.
func RenderModal(m message.Modal) string {
	var b strings.Builder
	line := indented(&b)
	line(fmt.Sprintf("[%s]  (submit: %s, close: %s)", m.Title, m.Submit, m.Close))
	renderBlocks(m.Blocks, line)
	return b.String()
}

func indented(b *strings.Builder) func(string) {
	return func(s string) {
		for _, l := range strings.Split(s, "\n") {
			b.WriteString("     | " + l + "\n")
		}
	}
}

// Buttons are a message's buttons in the order they are shown: rows of
// actions and the buttons beside sections.
func Buttons(m message.Message) []message.Button {
	var out []message.Button
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Actions:
			out = append(out, b.Buttons...)
		case message.Section:
			if b.Accessory != nil {
				out = append(out, *b.Accessory)
			}
		}
	}
	return out
}

// ForEachSpan calls f with every span of text in the blocks.
func ForEachSpan(bs []message.Block, f func(message.Span)) {
	each := func(x message.Text) {
		for _, sp := range x {
			f(sp)
		}
	}
	for _, b := range bs {
		switch b := b.(type) {
		case message.Section:
			each(b.Text)
		case message.Context:
			each(b.Text)
		case message.Fields:
			for _, fl := range b.Fields {
				each(fl.Value)
			}
		}
	}
}

// CheckLimits reports, as errors of t, where a message does not fit what
// every platform accepts: blocks, summary, section and header lengths,
// buttons per row and button sizes.
func CheckLimits(t testing.TB, name string, m message.Message) {
	t.Helper()
	if len(m.Blocks) >= 45 {
		t.Errorf("%s: %d blocks", name, len(m.Blocks))
	}
	if m.Summary == "" || utf8.RuneCountInString(m.Summary) > 150 {
		t.Errorf("%s: summary %q", name, m.Summary)
	}
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Section:
			if n := utf8.RuneCountInString(b.Text.String()); n > 3000 {
				t.Errorf("%s: a section of %d characters", name, n)
			}
		case message.Header:
			if n := utf8.RuneCountInString(b.Text); n > 150 {
				t.Errorf("%s: a header of %d characters", name, n)
			}
		case message.Actions:
			if len(b.Buttons) > 5 {
				t.Errorf("%s: %d buttons in a row", name, len(b.Buttons))
			}
		}
	}
	for _, b := range Buttons(m) {
		if len(b.Value) > 2000 || len(b.ActionID) > 255 || b.ActionID == "" || b.Label == "" {
			t.Errorf("%s: button %+v", name, b)
		}
	}
}

func renderBlocks(bs []message.Block, line func(string)) {
	btn := func(b message.Button) string {
		if b.Style == message.Primary {
			return "[" + b.Label + "]*"
		}
		return "[" + b.Label + "]"
	}
	for _, bl := range bs {
		switch bl := bl.(type) {
		case message.Header:
			line("# " + bl.Text)
		case message.Section:
			s := bl.Text.String()
			if bl.Accessory != nil {
				s += "  " + btn(*bl.Accessory)
			}
			line(s)
		case message.Fields:
			for _, f := range bl.Fields {
				line(f.Label + ": " + f.Value.String())
			}
		case message.Context:
			line("~ " + bl.Text.String())
		case message.Divider:
			line("----")
		case message.Actions:
			var bb []string
			for _, b := range bl.Buttons {
				bb = append(bb, btn(b))
			}
			if sel := bl.Select; sel != nil {
				var opts []string
				for _, o := range sel.Options {
					opts = append(opts, o.Label)
				}
				bb = append(bb, "<"+sel.Placeholder+": "+strings.Join(opts, " | ")+">")
			}
			line(strings.Join(bb, " "))
		case message.Input:
			s := bl.Label
			if bl.Optional {
				s += " (optional)"
			}
			s += ": "
			if bl.Initial != "" {
				s += strings.ReplaceAll(bl.Initial, "\n", " / ")
			} else {
				s += "____"
			}
			line(s)
		case message.Choice:
			var opts []string
			for _, o := range bl.Options {
				mark := "( )"
				if bl.Multi {
					mark = "[ ]"
				}
				if slices.Contains(bl.Initial, o.Value) {
					mark = strings.Replace(strings.Replace(mark, " ", "x", 1), "( )", "(x)", 1)
				}
				opts = append(opts, mark+" "+o.Label)
			}
			line(bl.Label + ": " + strings.Join(opts, "  "))
		}
	}
}

package conversation

// Builders and formatting shared by all the messages: short names for the
// message model, dates, lists, mentions and clipping to the limits.

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Limits that keep every message well inside what the platforms accept.
const (
	maxSection = 2800 // characters of text per section
	maxHeader  = 150
)

type (
	blocks = []message.Block
	text   = message.Text
)

// Short names for the message builders used throughout the messages.
func txt(parts ...any) text        { return message.T(parts...) }
func bold(s string) message.Span   { return message.Bold(s) }
func italic(s string) message.Span { return message.Italic(s) }
func code(s string) message.Span   { return message.Code(s) }
func at(user string) message.Span  { return message.Mention(user) }

// section is a paragraph, clipped to the section limit.
func section(parts ...any) message.Section {
	return message.Section{Text: clip(txt(parts...), maxSection)}
}

// note is a message of one paragraph.
func note(summary string, parts ...any) message.Message {
	return message.Message{Summary: summary, Blocks: blocks{section(parts...)}}
}

func msg(summary string, bs ...message.Block) message.Message {
	return message.Message{Summary: summary, Blocks: bs}
}

// clip shortens text to at most max characters, ending it with "…".
func clip(x text, max int) text {
	n := 0
	for i, s := range x {
		l := utf8.RuneCountInString(s.Text)
		if n+l > max {
			keep := max - n - 1
			out := append(text(nil), x[:i]...)
			if keep > 0 {
				s.Text = string([]rune(s.Text)[:keep])
				out = append(out, s)
			}
			return append(out, message.Span{Text: "…"})
		}
		n += l
	}
	return x
}

func clipString(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func button(label string, id ActionID, value string, style message.Style) message.Button {
	return message.Button{Label: label, ActionID: string(id), Value: value, Style: style}
}

func actions(bs ...message.Button) message.Actions { return message.Actions{Buttons: bs} }

// value is what a button about c carries.
func value(c *contract.Contract) string {
	return ActionValue{ContractID: c.ID, Version: c.Version}.Encode()
}

func formatDate(d time.Time) string { return d.Format("Mon 2 Jan 2006") }

func isoDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func versionNote(v int) string { return fmt.Sprintf(" (version %d)", v) }

func cadenceLabel(c contract.Cadence) string {
	s := c.String()
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func titleOf(tm contract.Terms) string {
	if strings.TrimSpace(tm.Title) == "" {
		return "Untitled learning contract"
	}
	return tm.Title
}

// andList joins words: "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if n := len(xs); n > 1 {
		return strings.Join(xs[:n-1], ", ") + " and " + xs[n-1]
	}
	return strings.Join(xs, "")
}

// mentions joins user mentions: "@A", "@A and @B", "@A, @B and @C".
func mentions(users []string) text {
	var x text
	for i, u := range users {
		switch {
		case i == 0:
		case i == len(users)-1:
			x = append(x, txt(" and ")...)
		default:
			x = append(x, txt(", ")...)
		}
		x = append(x, at(u))
	}
	return x
}

func bullets(items []string) text {
	var x text
	for i, it := range items {
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt("• ", it)...)
	}
	return x
}

// orNone stands in for an empty part.
func orNone(x text, none string) text {
	if len(x) == 0 {
		return txt(italic(none))
	}
	return x
}

func examplesText(examples []string) text {
	x := txt("For example: ")
	for i, e := range examples {
		switch {
		case i == 0:
		case i == len(examples)-1:
			x = append(x, txt(" or ")...)
		default:
			x = append(x, txt(", ")...)
		}
		x = append(x, code(e))
	}
	return x
}

func withLead(lead text, bs ...message.Block) blocks {
	if len(lead) == 0 {
		return bs
	}
	return append(blocks{section(lead)}, bs...)
}

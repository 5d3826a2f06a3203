// Package message is the platform-neutral message model. Conversations build
// messages from it; each platform adapter renders them (Block Kit in bot/slack,
// Adaptive Cards in bot/teams).
//
// All text is plain: renderers escape it for their platform. Formatting is
// expressed with spans (Bold, Italic, Code, Mention, Link), never with markup
// characters inside strings, so user text can never ping a channel or forge a
// link. The one markup renderers read in plain text is a typed user mention
// (<@ID>, see Text.TypedMentions), which names a person and nothing more.
package message

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// SpanKind says how a span of text is shown.
type SpanKind int

const (
	Plain SpanKind = iota
	Strong
	Emphasis
	Monospace
	UserMention // Text holds a platform user id
	Hyperlink   // URL holds the target, Text the label
)

// Span is one run of text with one format.
type Span struct {
	Kind SpanKind `json:"kind,omitempty"`
	Text string   `json:"text"`
	URL  string   `json:"url,omitempty"`
}

// Text is formatted text: a sequence of spans. Newlines inside plain spans
// are line breaks.
type Text []Span

// T builds Text from parts: strings become plain spans, ints are written in
// decimal, Spans and Texts are appended as they are.
//
// T panics on a part of any other type, naming its position and type. A part
// that T cannot show is a mistake in the calling code, and leaving it out
// would silently lose words from what a person reads. Other values are
// formatted by the caller for people first (a date with its layout, a
// named string type with string(v)); fmt.Stringer is deliberately not
// taken, as time.Time and time.Duration would show in Go's own formats.
func T(parts ...any) Text {
	var t Text
	for i, p := range parts {
		switch v := p.(type) {
		case string:
			if v != "" {
				t = append(t, Span{Kind: Plain, Text: v})
			}
		case int:
			t = append(t, Span{Kind: Plain, Text: strconv.Itoa(v)})
		case Span:
			t = append(t, v)
		case Text:
			t = append(t, v...)
		default:
			panic(fmt.Sprintf("message.T: part %d is a %T (%v); T takes string, int, Span and Text", i, p, p))
		}
	}
	return t
}

// Bold is a bold span.
func Bold(s string) Span { return Span{Kind: Strong, Text: s} }

// Italic is an italic span.
func Italic(s string) Span { return Span{Kind: Emphasis, Text: s} }

// Code is an inline code span.
func Code(s string) Span { return Span{Kind: Monospace, Text: s} }

// FormerColleague is the user id that stands for a person who asked to be
// forgotten, wherever others' contracts named them. Mention shows it as
// "a former colleague".
const FormerColleague = "~former-colleague"

// Mention refers to a user by platform id; renderers show it as a mention.
// FormerColleague is plain text: nobody to mention.
func Mention(userID string) Span {
	if userID == FormerColleague {
		return Span{Kind: Plain, Text: "a former colleague"}
	}
	return Span{Kind: UserMention, Text: userID}
}

// Link is a hyperlink with a label.
func Link(url, label string) Span { return Span{Kind: Hyperlink, URL: url, Text: label} }

// String returns the text without formatting, for notifications, logs and
// tests.
func (t Text) String() string {
	var b strings.Builder
	for _, s := range t {
		switch s.Kind {
		case UserMention:
			b.WriteString("@" + s.Text)
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// Style colours a button.
type Style string

const (
	Default Style = ""
	Primary Style = "primary"
	Danger  Style = "danger"
)

// Button is a clickable action. ActionID names what it does; Value carries
// its argument (for contract decisions, the contract id and version, see
// conversation.ActionValue).
type Button struct {
	Label    string `json:"label"`
	ActionID string `json:"action_id"`
	Value    string `json:"value,omitempty"`
	Style    Style  `json:"style,omitempty"`
}

// Option is one choice of a Select.
type Option struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Block is one part of a message. The concrete types are Header, Section,
// Fields, Context, Divider, Actions, Input and Choice.
type Block interface{ block() }

// Header is a large title line.
type Header struct {
	Text string `json:"text"`
}

// Section is a paragraph, optionally with a button beside it.
type Section struct {
	Text      Text    `json:"text"`
	Accessory *Button `json:"accessory,omitempty"`
}

// Field is a labelled value shown in a two-column grid.
type Field struct {
	Label string `json:"label"`
	Value Text   `json:"value"`
}

// Fields is a grid of labelled values.
type Fields struct {
	Fields []Field `json:"fields"`
}

// Context is small, muted text.
type Context struct {
	Text Text `json:"text"`
}

// Divider is a horizontal rule.
type Divider struct{}

// Actions is a row of buttons and at most one select.
type Actions struct {
	Buttons []Button `json:"buttons"`
	Select  *Select  `json:"select,omitempty"`
}

// Select is a drop-down menu.
type Select struct {
	ActionID    string   `json:"action_id"`
	Placeholder string   `json:"placeholder"`
	Options     []Option `json:"options"`
}

// Input is a text field in a modal (or, on Teams, in a card).
type Input struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Placeholder string `json:"placeholder,omitempty"`
	Initial     string `json:"initial,omitempty"`
	Multiline   bool   `json:"multiline,omitempty"`
	Optional    bool   `json:"optional,omitempty"`
	MaxLength   int    `json:"max_length,omitempty"`
}

// Choice is a set of options in a modal (or, on Teams, a card): check
// boxes when Multi, otherwise radio buttons. Its submitted value is the
// chosen options' values, joined by commas (empty when none).
type Choice struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Options  []Option `json:"options"`
	Initial  []string `json:"initial,omitempty"`
	Multi    bool     `json:"multi,omitempty"`
	Optional bool     `json:"optional,omitempty"`
}

func (Header) block()  {}
func (Section) block() {}
func (Fields) block()  {}
func (Context) block() {}
func (Divider) block() {}
func (Actions) block() {}
func (Input) block()   {}
func (Choice) block()  {}

// Message is what the bot sends: a notification line plus blocks.
type Message struct {
	// Summary is the plain notification text (shown in previews and by
	// clients that cannot show blocks).
	Summary string
	Blocks  []Block
}

// Modal is a form shown over the conversation. Its submission comes back as
// an input carrying CallbackID, PrivateData and the values by Input.ID.
type Modal struct {
	CallbackID  string
	PrivateData string
	Title       string // at most 24 characters on Slack
	Submit      string
	Close       string
	Blocks      []Block
}

// typedMention is a user mention as it arrives in what people type: Slack
// writes <@U123> or <@U123|name>, and the Teams adapter writes mentions
// the same way (see bot/teams).
var typedMention = regexp.MustCompile(`<@([A-Za-z0-9:_.\-]{1,200})(?:\|[^<>\n]{0,100})?>`)

// TypedMentions turns the user mentions inside plain spans (text people
// typed: a goal "Shadow <@UANA>'s reviews") into mention spans, so
// renderers show them as mentions, never as raw markup. Nothing else in
// the text changes meaning: a mention names a person, it cannot ping a
// channel or carry a link.
func (t Text) TypedMentions() Text {
	var out Text
	for i, s := range t {
		if s.Kind != Plain || !strings.Contains(s.Text, "<@") {
			if out != nil {
				out = append(out, s)
			}
			continue
		}
		if out == nil {
			out = append(make(Text, 0, len(t)+2), t[:i]...)
		}
		rest := s.Text
		for _, m := range typedMention.FindAllStringSubmatchIndex(s.Text, -1) {
			if pre := s.Text[len(s.Text)-len(rest) : m[0]]; pre != "" {
				out = append(out, Span{Kind: Plain, Text: pre})
			}
			out = append(out, Mention(s.Text[m[2]:m[3]]))
			rest = s.Text[m[1]:]
		}
		if rest != "" {
			out = append(out, Span{Kind: Plain, Text: rest})
		}
	}
	if out == nil {
		return t
	}
	return out
}

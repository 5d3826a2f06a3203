package teams

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/message"
)

// Limits. Teams refuses an activity over about 28 KB; the renderer keeps
// well under it by cutting long texts (never values) with "…".
const (
	maxActivityBytes = 27 * 1024
	// maxTextRunes is the most one text block shows before any cutting
	// for size.
	maxTextRunes = 4000
	// minTextRunes is the least a text block is cut to for size.
	minTextRunes  = 60
	maxTitleRunes = 200
	maxLabelRunes = 300
	maxInputValue = 3000
)

// outActivity is a message the bot sends.
type outActivity struct {
	Type        string       `json:"type"`
	ID          string       `json:"id,omitempty"`
	Summary     string       `json:"summary,omitempty"`
	Text        string       `json:"text,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
	// Entities repeats the card's mentions: the card's own msteams
	// entities make Teams show them, these make it notify.
	Entities []mention `json:"entities,omitempty"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Content     *card  `json:"content"`
}

// names resolves a user id to the display name a mention shows.
type names func(id string) string

// Render turns a message into the activity (JSON) that shows it as an
// Adaptive Card, with its notification summary, and reports what had to be
// cut or left out to meet Teams' limits. who gives a mentioned user's
// display name ("" or a nil func: the id is shown).
func Render(m message.Message, who func(id string) string) ([]byte, []string) {
	return marshalled(render(m, who))
}

// RenderModal is Render for a form: a card with the form's inputs and a
// submit button.
func RenderModal(m message.Modal, who func(id string) string) ([]byte, []string) {
	return marshalled(renderModal(m, who))
}

func marshalled(act outActivity, problems []string) ([]byte, []string) {
	data, err := json.Marshal(act)
	if err != nil {
		return nil, append(problems, err.Error())
	}
	return data, problems
}

// render renders m, cutting text blocks shorter until the activity fits.
func render(m message.Message, who names) (outActivity, []string) {
	return fit(func(limit int) (*card, []string) {
		r := newRenderer(who, limit)
		r.blocks(m.Blocks)
		return r.finish(nil), r.problems
	}, summaryOf(m))
}

// renderModal renders a form as a card: its title, its blocks and a submit
// button whose data carries the callback id and private data.
func renderModal(m message.Modal, who names) (outActivity, []string) {
	return fit(func(limit int) (*card, []string) {
		r := newRenderer(who, limit)
		if t := strings.TrimSpace(m.Title); t != "" {
			r.add(&textBlock{Type: "TextBlock", Text: r.plain(t, maxTitleRunes), Wrap: true, Size: "Medium", Weight: "Bolder"})
		}
		r.blocks(m.Blocks)
		submit := strings.TrimSpace(m.Submit)
		if submit == "" {
			submit = "Submit"
		}
		cancel := strings.TrimSpace(m.Close)
		if cancel == "" {
			cancel = "Cancel"
		}
		data := map[string]string{keySubmit: m.CallbackID, keyPrivate: m.PrivateData}
		return r.finish([]*action{
			{Type: "Action.Submit", Title: clipRunes(submit, maxTitleRunes), Style: "positive", Data: data},
			{Type: "Action.Submit", Title: clipRunes(cancel, maxTitleRunes), Data: map[string]string{keyCancel: ""}, AssociatedInputs: "none"},
		}), r.problems
	}, defaultString(strings.TrimSpace(m.Title), "A form to fill in"))
}

// fit renders with a shrinking text limit until the activity is small
// enough; values (button data, private data) are never cut.
func fit(build func(limit int) (*card, []string), summary string) (outActivity, []string) {
	var act outActivity
	var problems, sizing []string
	for limit := maxTextRunes; ; limit /= 2 {
		c, p := build(limit)
		act = outActivity{Type: "message", Summary: clipRunes(summary, maxTitleRunes),
			Attachments: []attachment{{ContentType: cardContentType, Content: c}}}
		if c.MSTeams != nil {
			act.Entities = c.MSTeams.Entities
		}
		problems = p
		data, err := json.Marshal(act)
		if err != nil || len(data) <= maxActivityBytes {
			break
		}
		if limit/2 < minTextRunes {
			sizing = append(sizing, fmt.Sprintf("activity of %d bytes is over Teams' limit even with short texts", len(data)))
			break
		}
		sizing = append(sizing, fmt.Sprintf("activity of %d bytes: texts cut to %d characters", len(data), limit/2))
	}
	return act, append(problems, sizing...)
}

// summaryOf is the notification text: the summary, or the first header or
// section.
func summaryOf(m message.Message) string {
	if s := strings.TrimSpace(m.Summary); s != "" {
		return s
	}
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Header:
			if strings.TrimSpace(b.Text) != "" {
				return b.Text
			}
		case message.Section:
			if s := strings.TrimSpace(b.Text.String()); s != "" {
				return s
			}
		}
	}
	return ""
}

// renderer renders one card.
type renderer struct {
	who      names
	limit    int
	body     []any
	sep      bool // the next element starts with a separator
	mentions []mention
	seen     map[string]bool // mentioned ids
	inputs   map[string]bool
	problems []string
}

func newRenderer(who names, limit int) *renderer {
	return &renderer{who: who, limit: limit, seen: map[string]bool{}, inputs: map[string]bool{}}
}

func (r *renderer) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *renderer) finish(actions []*action) *card {
	c := &card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: r.body, Actions: actions,
		MSTeams: &msteams{Width: "Full", Entities: r.mentions}}
	if c.Body == nil {
		c.Body = []any{}
	}
	return c
}

// add appends an element, giving it the pending separator.
func (r *renderer) add(e any) {
	if r.sep {
		switch e := e.(type) {
		case *textBlock:
			e.Separator = true
		case *factSet:
			e.Separator = true
		case *columnSet:
			e.Separator = true
		case *actionSet:
			e.Separator = true
		case *inputText:
			e.Separator = true
		case *choiceSet:
			e.Separator = true
		}
		r.sep = false
	}
	r.body = append(r.body, e)
}

func (r *renderer) blocks(bs []message.Block) {
	for _, b := range bs {
		r.block(b)
	}
}

func (r *renderer) block(b message.Block) {
	switch b := b.(type) {
	case message.Header:
		if strings.TrimSpace(b.Text) != "" {
			r.add(&textBlock{Type: "TextBlock", Text: r.plain(b.Text, maxTitleRunes), Wrap: true, Size: "Large", Weight: "Bolder"})
		}
	case message.Section:
		r.section(b)
	case message.Fields:
		r.fields(b)
	case message.Context:
		if t := r.markdown(b.Text, r.limit); t != "" {
			r.add(&textBlock{Type: "TextBlock", Text: t, Wrap: true, Size: "Small", IsSubtle: true})
		}
	case message.Divider:
		r.sep = true
	case message.Actions:
		r.actions(b)
	case message.Input:
		r.input(b)
	case message.Choice:
		r.choice(b)
	default:
		r.problem("unknown block %T left out", b)
	}
}

func (r *renderer) section(s message.Section) {
	text := r.markdown(s.Text, r.limit)
	if s.Accessory == nil {
		if text != "" {
			r.add(&textBlock{Type: "TextBlock", Text: text, Wrap: true})
		}
		return
	}
	buttons := &actionSet{Type: "ActionSet", Actions: []*action{r.button(*s.Accessory)}}
	if text == "" {
		r.add(buttons)
		return
	}
	r.add(&columnSet{Type: "ColumnSet", Columns: []*column{
		{Type: "Column", Width: "stretch", Items: []any{&textBlock{Type: "TextBlock", Text: text, Wrap: true}}},
		{Type: "Column", Width: "auto", VerticalContentA: "Center", Items: []any{buttons}},
	}})
}

func (r *renderer) fields(f message.Fields) {
	fs := &factSet{Type: "FactSet"}
	for _, fd := range f.Fields {
		title := r.plain(fd.Label, maxLabelRunes)
		value := r.markdown(fd.Value, r.limit)
		if strings.TrimSpace(title) == "" && strings.TrimSpace(value) == "" {
			continue
		}
		fs.Facts = append(fs.Facts, fact{Title: title, Value: value})
	}
	if len(fs.Facts) > 0 {
		r.add(fs)
	}
}

func (r *renderer) button(b message.Button) *action {
	data := map[string]string{keyAction: b.ActionID}
	if b.Value != "" {
		data[keyValue] = b.Value
	}
	a := &action{Type: "Action.Submit", Title: clipRunes(defaultString(b.Label, "OK"), maxTitleRunes), Data: data}
	switch b.Style {
	case message.Primary:
		a.Style = "positive"
	case message.Danger:
		a.Style = "destructive"
	}
	return a
}

func (r *renderer) actions(a message.Actions) {
	set := &actionSet{Type: "ActionSet"}
	for _, b := range a.Buttons {
		set.Actions = append(set.Actions, r.button(b))
	}
	if s := a.Select; s != nil && len(s.Options) > 0 {
		id := selectInput + s.ActionID
		// A required input needs a label: the placeholder doubles as one.
		cs := &choiceSet{Type: "Input.ChoiceSet", ID: id, Label: clipRunes(defaultString(s.Placeholder, "Choose one"), maxLabelRunes),
			Placeholder: clipRunes(s.Placeholder, maxLabelRunes), Style: "compact", IsRequired: true, ErrorMessage: "Please choose one."}
		for _, o := range s.Options {
			cs.Choices = append(cs.Choices, choice{Title: clipRunes(o.Label, maxLabelRunes), Value: o.Value})
		}
		r.add(cs)
		set.Actions = append(set.Actions, &action{Type: "Action.Submit", Title: "Choose",
			Data: map[string]string{keyAction: s.ActionID, keySelect: id}})
	}
	if len(set.Actions) > 0 {
		r.add(set)
	}
}

func (r *renderer) inputID(id string) bool {
	switch {
	case id == "" || reserved(id) || strings.HasPrefix(id, selectInput):
		r.problem("input id %q cannot be used on a card; input left out", id)
		return false
	case r.inputs[id]:
		r.problem("input id %q repeated; the repeat is left out", id)
		return false
	}
	r.inputs[id] = true
	return true
}

func (r *renderer) input(in message.Input) {
	if !r.inputID(in.ID) {
		return
	}
	label := clipRunes(in.Label, maxLabelRunes)
	el := &inputText{Type: "Input.Text", ID: in.ID, Label: label, Placeholder: clipRunes(in.Placeholder, maxLabelRunes),
		Value: clipRunes(in.Initial, maxInputValue), IsMultiline: in.Multiline, MaxLength: in.MaxLength}
	if !in.Optional {
		el.IsRequired = true
		el.ErrorMessage = "Please fill this in."
	}
	r.add(el)
}

func (r *renderer) choice(c message.Choice) {
	if !r.inputID(c.ID) {
		return
	}
	el := &choiceSet{Type: "Input.ChoiceSet", ID: c.ID, Label: clipRunes(c.Label, maxLabelRunes), Style: "expanded",
		IsMultiSelect: c.Multi, Value: strings.Join(c.Initial, ",")}
	for _, o := range c.Options {
		el.Choices = append(el.Choices, choice{Title: clipRunes(o.Label, maxLabelRunes), Value: o.Value})
	}
	if !c.Optional {
		el.IsRequired = true
		el.ErrorMessage = "Please choose."
	}
	r.add(el)
}

// plain renders a plain string as escaped markdown.
func (r *renderer) plain(s string, limit int) string {
	return r.markdown(message.T(s), limit)
}

// markdown renders spans as Teams markdown, showing at most limit
// characters of text (ending in "…" when cut). User text is escaped so it
// shows as typed: it cannot format or link, and mentions only the people
// Teams named to the bot (see typedMentions).
func (r *renderer) markdown(t message.Text, limit int) string {
	var b strings.Builder
	left := limit
	cut := false
	for _, s := range r.typedMentions(t) {
		if left <= 0 {
			cut = true
			break
		}
		text := s.Text
		if utf8.RuneCountInString(text) > left {
			text, cut = prefixRunes(text, max(left-1, 0)), true
		}
		left -= utf8.RuneCountInString(text)
		switch s.Kind {
		case message.Strong:
			b.WriteString(wrapMarked(text, "**"))
		case message.Emphasis:
			b.WriteString(wrapMarked(text, "_"))
		case message.Monospace:
			b.WriteString(wrapCode(text))
		case message.UserMention:
			b.WriteString(r.mention(s.Text))
		case message.Hyperlink:
			b.WriteString(link(s.URL, text))
		default:
			b.WriteString(escapeMarkdown(text))
		}
		if cut {
			break
		}
	}
	if cut {
		b.WriteString("…")
		r.problem("text of %d characters cut to %d", utf8.RuneCountInString(t.String()), limit)
	}
	// A TextBlock needs a blank line for a line break.
	return strings.ReplaceAll(strings.TrimRight(b.String(), " \n"), "\n", "\n\n")
}

// typedMentions turns the mentions in typed text (<@ID>, as the adapter
// stores Teams' mentions) into mentions of the people Teams has named to
// the bot; any other id stays text, so no activity carries a mention
// entity Teams would refuse.
func (r *renderer) typedMentions(t message.Text) message.Text {
	out := make(message.Text, 0, len(t))
	for _, s := range t {
		if s.Kind != message.Plain {
			out = append(out, s)
			continue
		}
		for _, x := range (message.Text{s}).TypedMentions() {
			if x.Kind == message.UserMention && (r.who == nil || r.who(x.Text) == "") {
				x = message.Span{Kind: message.Plain, Text: "@" + x.Text}
			}
			out = append(out, x)
		}
	}
	return out
}

// mention renders a mention and records its entity.
func (r *renderer) mention(id string) string {
	name := id
	if r.who != nil {
		if n := r.who(id); n != "" {
			name = n
		}
	}
	name = strings.Map(func(c rune) rune {
		if c == '<' || c == '>' || c == '\n' {
			return -1
		}
		return c
	}, name)
	text := "<at>" + name + "</at>"
	if !r.seen[id] {
		r.seen[id] = true
		r.mentions = append(r.mentions, mention{Type: "mention", Text: text, Mentioned: account{ID: id, Name: name}})
	}
	return text
}

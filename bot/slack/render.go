package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot/slack/blockkit"
	"github.com/learnpact/learnpact/conversation/message"
)

// maxFallbackText bounds a message's notification text, well inside
// blockkit.MaxMessageText: it is a summary, the blocks carry the rest.
// Slack's own limits are in package blockkit.
const maxFallbackText = 3000

// overflowNote ends a message that had more blocks than Slack shows.
var overflowNote = message.T("…and more — type ", message.Code("status"), " for the full contract")

// Action ids must be unique within a message or modal, but one message may
// carry the same action several times (an "Edit" button per part). The
// renderer suffixes repeats with "#2", "#3", …, and decoding strips the
// suffix, so conversation code never sees it. Action ids must therefore
// not themselves end in '#' followed by digits.
const idSuffixSep = "#"

// baseActionID strips the uniqueness suffix added by the renderer.
func baseActionID(id string) string {
	i := strings.LastIndex(id, idSuffixSep)
	if i <= 0 || i == len(id)-1 {
		return id
	}
	if _, err := strconv.ParseUint(id[i+1:], 10, 32); err != nil {
		return id
	}
	return id[:i]
}

// Render turns a message into Block Kit blocks and the plain notification
// text Slack shows in previews and notifications. It enforces Slack's
// limits; see renderer for what happens to content past them.
func Render(m message.Message) ([]slackapi.Block, string) {
	blocks, text, _ := render(m)
	return blocks, text
}

// RenderModal turns a form into a modal view.
func RenderModal(m message.Modal) slackapi.ModalViewRequest {
	v, _ := renderModal(m)
	return v
}

// render is Render that also reports what had to be left out, for the log.
func render(m message.Message) ([]slackapi.Block, string, []string) {
	r := newRenderer(false)
	blocks := r.blocks(m.Blocks, blockkit.MaxMessageBlocks)
	return blocks, fallbackText(m), r.problems
}

// renderHome renders m as an App Home tab, which takes up to 100 blocks.
func renderHome(m message.Message) (slackapi.HomeTabViewRequest, []string) {
	r := newRenderer(false)
	blocks := r.blocks(m.Blocks, blockkit.MaxViewBlocks)
	return slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: blocks}}, r.problems
}

func renderModal(m message.Modal) (slackapi.ModalViewRequest, []string) {
	r := newRenderer(true)
	v := slackapi.ModalViewRequest{
		Type:       slackapi.VTModal,
		Title:      plainText(defaultString(m.Title, "learnpact"), blockkit.MaxViewText),
		Blocks:     slackapi.Blocks{BlockSet: r.blocks(m.Blocks, blockkit.MaxViewBlocks)},
		CallbackID: r.id(m.CallbackID, "callback_id"),
	}
	submit := m.Submit
	if submit == "" && hasInput(m.Blocks) {
		submit = "Submit"
	}
	if submit != "" {
		v.Submit = plainText(submit, blockkit.MaxViewText)
	}
	if m.Close != "" {
		v.Close = plainText(m.Close, blockkit.MaxViewText)
	}
	// Private data is a value: cutting it would corrupt it, so a view
	// whose data does not fit goes without, and its submission is answered
	// as out of date.
	if blockkit.Len(m.PrivateData) > blockkit.MaxPrivateMetadata {
		r.problem("private data of %d characters dropped", blockkit.Len(m.PrivateData))
	} else {
		v.PrivateMetadata = m.PrivateData
	}
	return v, r.problems
}

func hasInput(bs []message.Block) bool {
	for _, b := range bs {
		switch b.(type) {
		case message.Input, message.Choice:
			return true
		}
	}
	return false
}

// fallbackText is the message's notification text: its summary, or else
// the text of its first header or section.
func fallbackText(m message.Message) string {
	if m.Summary != "" {
		return mrkdwn(message.T(m.Summary), maxFallbackText)
	}
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Header:
			if b.Text != "" {
				return mrkdwn(message.T(b.Text), maxFallbackText)
			}
		case message.Section:
			if len(b.Text) > 0 {
				return mrkdwn(message.T(b.Text.String()), maxFallbackText)
			}
		}
	}
	return ""
}

// renderer renders one message or modal. It keeps action and block ids
// unique and collects problems: content Slack would reject that was left
// out. Text that is too long is cut with "…"; values (button values,
// option values, private data) are never cut, since a cut value is a
// wrong value: the element goes without it, or is left out.
type renderer struct {
	modal    bool
	actions  map[string]int
	blockIDs map[string]int
	problems []string
}

func newRenderer(modal bool) *renderer {
	return &renderer{modal: modal, actions: map[string]int{}, blockIDs: map[string]int{}}
}

func (r *renderer) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *renderer) blocks(in []message.Block, limit int) []slackapi.Block {
	out := []slackapi.Block{}
	for _, b := range in {
		out = append(out, r.block(b)...)
	}
	if len(out) > limit {
		r.problem("%d blocks cut to %d", len(out), limit)
		out = append(out[:limit-1], contextBlock(overflowNote))
	}
	return out
}

func (r *renderer) block(b message.Block) []slackapi.Block {
	switch b := b.(type) {
	case message.Header:
		if strings.TrimSpace(b.Text) == "" {
			return nil
		}
		return []slackapi.Block{slackapi.NewHeaderBlock(plainText(b.Text, blockkit.MaxHeaderText))}
	case message.Section:
		return r.section(b)
	case message.Fields:
		return r.fields(b)
	case message.Context:
		if len(b.Text) == 0 {
			return nil
		}
		return []slackapi.Block{contextBlock(b.Text)}
	case message.Divider:
		return []slackapi.Block{slackapi.NewDividerBlock()}
	case message.Actions:
		return r.actionBlocks(b.Buttons, b.Select)
	case message.Input:
		return r.input(b)
	case message.Choice:
		return r.choice(b)
	default:
		r.problem("unknown block %T left out", b)
		return nil
	}
}

func contextBlock(t message.Text) *slackapi.ContextBlock {
	return slackapi.NewContextBlock("", mrkdwnText(mrkdwn(t, blockkit.MaxSectionText)))
}

func (r *renderer) section(s message.Section) []slackapi.Block {
	text := mrkdwn(s.Text, blockkit.MaxSectionText)
	var button *slackapi.ButtonBlockElement
	if s.Accessory != nil {
		button = r.button(*s.Accessory)
	}
	if strings.TrimSpace(text) == "" {
		// Slack rejects a section without text: show its button alone.
		if button == nil {
			return nil
		}
		return []slackapi.Block{slackapi.NewActionBlock("", button)}
	}
	var acc *slackapi.Accessory
	if button != nil {
		acc = slackapi.NewAccessory(button)
	}
	return []slackapi.Block{slackapi.NewSectionBlock(mrkdwnText(text), nil, acc)}
}

// fields renders a grid as sections of at most ten fields each.
func (r *renderer) fields(f message.Fields) []slackapi.Block {
	var out []slackapi.Block
	var cur []*slackapi.TextBlockObject
	for _, fd := range f.Fields {
		var label string
		if fd.Label != "" {
			label = "*" + mrkdwn(message.T(fd.Label), blockkit.MaxFieldText/4) + "*"
		}
		value := mrkdwn(fd.Value, blockkit.MaxFieldText-blockkit.Len(label)-1)
		text := label
		switch {
		case label == "":
			text = value
		case value != "":
			text += "\n" + value
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		cur = append(cur, mrkdwnText(text))
		if len(cur) == blockkit.MaxFields {
			out = append(out, slackapi.NewSectionBlock(nil, cur, nil))
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, slackapi.NewSectionBlock(nil, cur, nil))
	}
	return out
}

// actionBlocks renders a row of buttons (and a select) as actions blocks of
// at most 25 elements each.
func (r *renderer) actionBlocks(buttons []message.Button, sel *message.Select) []slackapi.Block {
	var elems []slackapi.BlockElement
	for _, b := range buttons {
		if e := r.button(b); e != nil {
			elems = append(elems, e)
		}
	}
	if sel != nil {
		if e := r.selectMenu(*sel); e != nil {
			elems = append(elems, e)
		}
	}
	var out []slackapi.Block
	for len(elems) > 0 {
		n := min(len(elems), blockkit.MaxActionElements)
		out = append(out, slackapi.NewActionBlock("", elems[:n]...))
		elems = elems[n:]
	}
	return out
}

func (r *renderer) button(b message.Button) *slackapi.ButtonBlockElement {
	if strings.TrimSpace(b.Label) == "" {
		r.problem("button %q without a label left out", b.ActionID)
		return nil
	}
	value := b.Value
	if blockkit.Len(value) > blockkit.MaxButtonValue {
		r.problem("button %q: value of %d characters dropped", b.ActionID, blockkit.Len(value))
		value = ""
	}
	e := slackapi.NewButtonBlockElement(r.actionID(b.ActionID), value, plainText(b.Label, blockkit.MaxButtonText))
	switch b.Style {
	case message.Primary:
		e.Style = slackapi.StylePrimary
	case message.Danger:
		e.Style = slackapi.StyleDanger
	}
	return e
}

func (r *renderer) selectMenu(s message.Select) *slackapi.SelectBlockElement {
	var opts []*slackapi.OptionBlockObject
	for _, o := range s.Options {
		if len(opts) == blockkit.MaxOptions {
			r.problem("select %q: options past %d left out", s.ActionID, blockkit.MaxOptions)
			break
		}
		if o.Value == "" || blockkit.Len(o.Value) > blockkit.MaxOptionValue {
			r.problem("select %q: option %q with a value of %d characters left out", s.ActionID, o.Label, blockkit.Len(o.Value))
			continue
		}
		opts = append(opts, slackapi.NewOptionBlockObject(o.Value, plainText(defaultString(o.Label, o.Value), blockkit.MaxOptionText), nil))
	}
	if len(opts) == 0 {
		r.problem("select %q without options left out", s.ActionID)
		return nil
	}
	return slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic,
		plainText(defaultString(s.Placeholder, "Choose…"), blockkit.MaxPlaceholder), r.actionID(s.ActionID), opts...)
}

// input renders a text field. In a message it dispatches its value as a
// block action when the user presses Enter.
func (r *renderer) input(in message.Input) []slackapi.Block {
	limit := blockkit.MaxInputLength
	if in.MaxLength > 0 && in.MaxLength < limit {
		limit = in.MaxLength
	}
	e := slackapi.NewPlainTextInputBlockElement(nil, r.actionID(in.ID))
	if in.Placeholder != "" {
		e.Placeholder = plainText(in.Placeholder, blockkit.MaxPlaceholder)
	}
	e.Multiline = in.Multiline
	e.MaxLength = limit
	if blockkit.Len(in.Initial) > limit {
		r.problem("input %q: initial value cut to %d characters", in.ID, limit)
	}
	e.InitialValue = clip(in.Initial, limit)
	b := slackapi.NewInputBlock(r.blockID(in.ID), plainText(defaultString(in.Label, in.ID), blockkit.MaxLabel), nil, e)
	b.Optional = in.Optional
	b.DispatchAction = !r.modal
	return []slackapi.Block{b}
}

// choice renders check boxes (Multi) or radio buttons as an input block.
// Slack shows at most ten of them: a Multi choice of more options is a
// multi-select menu (up to a hundred), and radio buttons past ten are left
// out. Initial values that are not among the options shown are ignored;
// radio buttons start with the first one only.
func (r *renderer) choice(c message.Choice) []slackapi.Block {
	most := blockkit.MaxChoices
	if c.Multi && len(c.Options) > most {
		most = blockkit.MaxOptions
	}
	var opts []*slackapi.OptionBlockObject
	byValue := map[string]*slackapi.OptionBlockObject{}
	for _, o := range c.Options {
		if len(opts) == most {
			r.problem("choice %q: options past %d left out", c.ID, most)
			break
		}
		if o.Value == "" || blockkit.Len(o.Value) > blockkit.MaxOptionValue || byValue[o.Value] != nil {
			r.problem("choice %q: option %q with an empty, repeated or %d-character value left out", c.ID, o.Label, blockkit.Len(o.Value))
			continue
		}
		opt := slackapi.NewOptionBlockObject(o.Value, plainText(defaultString(o.Label, o.Value), blockkit.MaxOptionText), nil)
		opts = append(opts, opt)
		byValue[o.Value] = opt
	}
	if len(opts) == 0 {
		r.problem("choice %q without options left out", c.ID)
		return nil
	}
	var initial []*slackapi.OptionBlockObject
	for _, v := range c.Initial {
		if o := byValue[v]; o != nil && !slices.Contains(initial, o) {
			initial = append(initial, o)
		}
	}
	var e slackapi.BlockElement
	switch {
	case c.Multi && len(opts) > blockkit.MaxChoices:
		ms := slackapi.NewOptionsMultiSelectBlockElement(slackapi.MultiOptTypeStatic, plainText("Choose any", blockkit.MaxPlaceholder), r.actionID(c.ID), opts...)
		ms.InitialOptions = initial
		e = ms
	case c.Multi:
		cb := slackapi.NewCheckboxGroupsBlockElement(r.actionID(c.ID), opts...)
		cb.InitialOptions = initial
		e = cb
	default:
		rb := slackapi.NewRadioButtonsBlockElement(r.actionID(c.ID), opts...)
		if len(initial) > 1 {
			r.problem("choice %q: radio buttons start with one option, not %d", c.ID, len(initial))
		}
		if len(initial) > 0 {
			rb.InitialOption = initial[0]
		}
		e = rb
	}
	b := slackapi.NewInputBlock(r.blockID(c.ID), plainText(defaultString(c.Label, c.ID), blockkit.MaxLabel), nil, e)
	b.Optional = c.Optional
	b.DispatchAction = !r.modal
	return []slackapi.Block{b}
}

// actionID returns id, made unique within the message and cut to Slack's
// length limit.
func (r *renderer) actionID(id string) string { return unique(r.actions, r.id(id, "action_id")) }

func (r *renderer) blockID(id string) string { return unique(r.blockIDs, r.id(id, "block_id")) }

// id cuts an over-long identifier, reporting it.
func (r *renderer) id(id, what string) string {
	if len(id) > blockkit.MaxID {
		r.problem("%s of %d bytes cut", what, len(id))
		return truncateBytes(id, blockkit.MaxID)
	}
	return id
}

func unique(seen map[string]int, id string) string {
	if id == "" {
		return ""
	}
	seen[id]++
	n := seen[id]
	if n == 1 {
		return id
	}
	suffix := idSuffixSep + strconv.Itoa(n)
	return truncateBytes(id, blockkit.MaxID-len(suffix)) + suffix
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func defaultString(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func plainText(s string, limit int) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(s, limit), true, false)
}

func mrkdwnText(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, false)
}

// clip cuts plain text to limit, ending it with "…" when cut.
func clip(s string, limit int) string {
	if blockkit.Len(s) <= limit {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n+blockkit.RuneLen(r) > limit-1 {
			break
		}
		b.WriteRune(r)
		n += blockkit.RuneLen(r)
	}
	return b.String() + "…"
}

// mrkdwnEscaper escapes the three characters mrkdwn reserves, and nothing
// else.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return mrkdwnEscaper.Replace(s) }

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// segment is a run of rendered mrkdwn: a format marker around units that
// can be cut between (escaped runes, or one unbreakable token such as a
// mention or link).
type segment struct {
	open, close string
	units       []string
}

// mrkdwn renders text as Slack mrkdwn of at most limit characters. Text
// that does not fit is cut with "…" between runes, never inside an escape,
// a mention or a link, and formatting markers stay paired.
func mrkdwn(t message.Text, limit int) string {
	var segs []segment
	for _, s := range t.TypedMentions() {
		segs = append(segs, spanSegments(s)...)
	}
	total := 0
	for _, s := range segs {
		total += s.width()
	}
	var b strings.Builder
	if total <= limit {
		for _, s := range segs {
			s.write(&b, len(s.units))
		}
		return b.String()
	}
	room := limit - 1 // for "…"
	for _, s := range segs {
		if w := s.width(); w <= room {
			s.write(&b, len(s.units))
			room -= w
			continue
		}
		n, w := 0, blockkit.Len(s.open)+blockkit.Len(s.close)
		for n < len(s.units) && w+blockkit.Len(s.units[n]) <= room {
			w += blockkit.Len(s.units[n])
			n++
		}
		if n > 0 {
			s.write(&b, n)
		}
		break
	}
	return b.String() + "…"
}

func (s segment) width() int {
	w := blockkit.Len(s.open) + blockkit.Len(s.close)
	for _, u := range s.units {
		w += blockkit.Len(u)
	}
	return w
}

func (s segment) write(b *strings.Builder, n int) {
	b.WriteString(s.open)
	for _, u := range s.units[:n] {
		b.WriteString(u)
	}
	b.WriteString(s.close)
}

func spanSegments(s message.Span) []segment {
	switch s.Kind {
	case message.Strong:
		return marked(s.Text, "*")
	case message.Emphasis:
		return marked(s.Text, "_")
	case message.Monospace:
		return marked(s.Text, "`")
	case message.UserMention:
		if userIDPattern.MatchString(s.Text) {
			return []segment{{units: []string{"<@" + s.Text + ">"}}}
		}
		return []segment{plainSegment("@" + s.Text)}
	case message.Hyperlink:
		if link, ok := linkToken(s.URL, s.Text); ok {
			return []segment{{units: []string{link}}}
		}
		return []segment{plainSegment(defaultString(s.Text, s.URL))}
	default:
		return []segment{plainSegment(s.Text)}
	}
}

func plainSegment(s string) segment {
	seg := segment{units: make([]string, 0, len(s))}
	for _, r := range s {
		seg.units = append(seg.units, escape(string(r)))
	}
	return seg
}

// marked wraps each line of s in a format marker: Slack formats neither
// across line breaks nor with spaces just inside the marker, so those stay
// outside it.
func marked(s, marker string) []segment {
	var out []segment
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			out = append(out, plainSegment("\n"))
		}
		core := strings.TrimSpace(line)
		if core == "" {
			out = append(out, plainSegment(line))
			continue
		}
		lead := line[:strings.Index(line, core)]
		trail := line[len(lead)+len(core):]
		seg := plainSegment(core)
		seg.open, seg.close = marker, marker
		out = append(out, plainSegment(lead), seg, plainSegment(trail))
	}
	return out
}

// linkToken renders an http(s) link as <url|label>. Other schemes are not
// links: they are shown as text.
func linkToken(raw, label string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	target := escape(strings.ReplaceAll(raw, "|", "%7C"))
	label = escape(strings.ReplaceAll(label, "|", ""))
	if strings.TrimSpace(label) == "" {
		return "<" + target + ">", true
	}
	return "<" + target + "|" + label + ">", true
}

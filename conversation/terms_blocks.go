package conversation

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// How a contract's terms are shown (the learner's summary, the cards of
// others) and what changed between two versions, field by field.

// termsBlocks shows the terms of a contract; with edit, each part has an
// Edit button (the learner's summary), without, the title is a header (a
// card for someone else).
func termsBlocks(c *contract.Contract, tm contract.Terms, edit bool) blocks {
	val := value(c)
	part := func(id ActionID, label string, body text) message.Block {
		s := section(bold(label), "\n", body)
		if edit {
			b := button("Edit", id, val, message.Default)
			s.Accessory = &b
		}
		return s
	}
	var bs blocks
	if edit {
		bs = append(bs, part(ActionEditTitle, "Title", orNone(txt(tm.Title), "not set yet")))
	} else {
		bs = append(bs, message.Header{Text: clipString(titleOf(tm), maxHeader)})
	}
	if from := templateLine(c); from != nil {
		bs = append(bs, message.Context{Text: from})
	}
	deadline := txt(italic("not set yet"))
	if !tm.Deadline.IsZero() {
		deadline = txt(formatDate(tm.Deadline))
	}
	approver := txt(italic("not chosen yet"))
	if c.Approver != "" {
		approver = txt(at(c.Approver))
	}
	bs = append(bs,
		part(ActionEditGoals, "Goals", orNone(goalsText(tm.Goals), "none yet")),
		part(ActionEditActivities, "Activities and resources", orNone(bullets(tm.Activities), "none yet")),
		part(ActionEditEvidence, "Evidence", orNone(bullets(tm.Evidence), "none yet")),
		part(ActionEditCriteria, "Success criteria", orNone(criteriaText(tm.Criteria), "none yet")),
	)
	if edit {
		advocate := txt(italic("none (optional)"))
		if c.Advocate != "" {
			advocate = txt(at(c.Advocate))
		}
		notes := blocks{
			part(ActionEditAdvocate, "Workplace advocate", advocate),
			part(ActionEditSupport, "Support needed 🔒", orNone(txt(tm.Support), "none noted")),
			part(ActionEditEthics, "Ethical considerations 🔒", orNone(txt(tm.Ethics), "none noted")),
			message.Context{Text: txt("🔒 Private notes: only the learner, the approver and the workplace advocate see them.")},
		}
		bs = append(bs,
			part(ActionEditDeadline, "Deadline", deadline),
			part(ActionEditCadence, "Check-ins", orNone(txt(cadenceLabel(tm.Cadence)), "not set yet")))
		if c.DraftedBy != "" {
			// Drafted for the learner: its approver drafted it and stays.
			bs = append(bs, message.Fields{Fields: []message.Field{
				{Label: "Learner", Value: txt(at(c.Learner))},
				{Label: "Approver", Value: append(approver, txt(" (drafted it)")...)},
			}})
		} else {
			bs = append(bs, part(ActionEditApprover, "Approver", approver))
		}
		return append(bs, notes...)
	}
	fields := []message.Field{
		{Label: "Learner", Value: txt(at(c.Learner))},
		{Label: "Approver", Value: approver},
	}
	if c.Advocate != "" {
		fields = append(fields, message.Field{Label: "Workplace advocate", Value: txt(at(c.Advocate))})
	}
	fields = append(fields,
		message.Field{Label: "Deadline", Value: deadline},
		message.Field{Label: "Check-ins", Value: orNone(txt(cadenceLabel(tm.Cadence)), "not set")})
	bs = append(bs, message.Fields{Fields: fields})
	return append(bs, privateBlocks(tm)...)
}

// privateBlocks show the support needed and the ethical considerations,
// when there are any, to the contract's parties.
func privateBlocks(tm contract.Terms) blocks {
	var bs blocks
	if tm.Support != "" {
		bs = append(bs, section(bold("Support needed 🔒"), "\n", tm.Support))
	}
	if tm.Ethics != "" {
		bs = append(bs, section(bold("Ethical considerations 🔒"), "\n", tm.Ethics))
	}
	return bs
}

func criteriaText(cs []contract.Criterion) text {
	var x text
	for i, c := range cs {
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt("• ", c.Text)...)
		if c.Fixed {
			x = append(x, txt(" (the template's standard)")...)
		} else if c.ProposedBy != "" {
			x = append(x, txt(" (proposed by ", at(c.ProposedBy), ")")...)
		}
	}
	return x
}

func goalsText(gs []contract.Goal) text {
	var x text
	for i, g := range gs {
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt(fmt.Sprintf("%d. ", i+1), g.Text)...)
		if g.Mastery != "" {
			x = append(x, txt("\n    ", italic("shown by:"), " ", g.Mastery)...)
		}
	}
	return x
}

// fieldLabels name the diffed fields for people.
var fieldLabels = map[string]string{
	contract.FieldTitle: "Title", contract.FieldGoals: "Goals", contract.FieldActivities: "Activities and resources",
	contract.FieldEvidence: "Evidence", contract.FieldCriteria: "Success criteria", contract.FieldSupport: "Support needed",
	contract.FieldEthics: "Ethical considerations", contract.FieldDeadline: "Deadline", contract.FieldCadence: "Check-ins",
}

// diffBlocks lists what changed since version since, field by field. A
// list (goals, activities, evidence, criteria) where one or two items
// changed shows those items alone. A change shows both sides: short ones
// on one line, longer ones as "Before:" and "Now:", each in a section of
// its own and each shortened around what changed (diffPair), so that no
// platform's limit on a block can cut the new version off.
func diffBlocks(since int, changes []contract.Change) blocks {
	bs := blocks{section(bold(fmt.Sprintf("What changed since version %d", since)))}
	if len(changes) == 0 {
		return append(bs, section(italic("Nothing in the terms changed.")))
	}
	for _, ch := range changes {
		label := fieldLabels[ch.Field]
		if label == "" {
			label = ch.Field
		}
		if items, ok := itemChanges(ch); ok {
			for _, it := range items {
				bs = append(bs, diffPair(fmt.Sprintf("%s %d", itemLabels[ch.Field], it.n), it.old, it.new)...)
			}
			continue
		}
		bs = append(bs, diffPair(label, diffValue(ch.Field, ch.Old), diffValue(ch.Field, ch.New))...)
	}
	return bs
}

// maxDiffSide is the most either side of a change shows; shorter than a
// section, so a card of many long changes stays within the platforms'
// limits on a whole message too.
const maxDiffSide = 1200

// diffContext is how much unchanged text a shortened side keeps on each
// side of what changed.
const diffContext = 80

// maxItemChanges is how many items of one list may change and still be
// shown one by one.
const maxItemChanges = 2

// itemLabels name one item of a list field.
var itemLabels = map[string]string{
	contract.FieldGoals: "Goal", contract.FieldActivities: "Activity", contract.FieldEvidence: "Evidence",
	contract.FieldCriteria: "Success criterion",
}

type itemChange struct {
	n        int // from 1
	old, new string
}

// itemChanges lists the items of a list field that changed, when the list
// kept its length and at most maxItemChanges of them changed.
func itemChanges(ch contract.Change) ([]itemChange, bool) {
	if itemLabels[ch.Field] == "" || ch.Old == "" || ch.New == "" {
		return nil, false
	}
	old, new := strings.Split(ch.Old, "\n"), strings.Split(ch.New, "\n")
	if len(old) != len(new) || len(old) < 2 {
		return nil, false
	}
	var out []itemChange
	for i := range old {
		if old[i] != new[i] {
			out = append(out, itemChange{n: i + 1, old: old[i], new: new[i]})
		}
	}
	if len(out) == 0 || len(out) > maxItemChanges {
		return nil, false
	}
	return out, true
}

// diffPair shows one change: on one line when both sides are short, else
// "Before:" and "Now:" in sections of their own, each side shortened.
func diffPair(label, old, new string) blocks {
	if !strings.Contains(old+new, "\n") && utf8.RuneCountInString(old+new) < 120 {
		return blocks{section(bold(label), "\n", old, " → ", new)}
	}
	old, new = shortenPair(old, new, maxDiffSide)
	return blocks{
		section(bold(label), "\n", italic("Before:"), "\n", old),
		section(italic("Now:"), "\n", new),
	}
}

// shortenPair shortens both sides of a change to at most max characters
// each, keeping what differs: text both sides share at the start and the
// end is cut down to diffContext characters around the difference, marked
// with "…"; a difference still too long is cut at its end.
func shortenPair(old, new string, max int) (string, string) {
	a, b := []rune(old), []rune(new)
	if len(a) <= max && len(b) <= max {
		return old, new
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	return shortenSide(a, pre, suf, max), shortenSide(b, pre, suf, max)
}

// shortenSide cuts s, whose first pre and last suf characters are shared
// with the other side, to at most max characters: the shared parts down
// to a little context, then the differing middle down to its two ends.
// limit is at least 2.
func shortenSide(s []rune, pre, suf, limit int) string {
	if len(s) <= limit {
		return string(s)
	}
	ctx := min(diffContext, limit/4)
	var head, tail string
	mid := s[pre : len(s)-suf]
	if pre > ctx {
		head = "…" + fromWord(string(s[pre-ctx:pre]))
	} else {
		head = string(s[:pre])
	}
	if suf > ctx {
		tail = toWord(string(s[len(s)-suf:len(s)-suf+ctx])) + "…"
	} else {
		tail = string(s[len(s)-suf:])
	}
	room := max(limit-utf8.RuneCountInString(head)-utf8.RuneCountInString(tail), 1)
	if len(mid) > room {
		keep := room - 1
		mid = append(append(slices.Clone(mid[:keep-keep/2]), '…'), mid[len(mid)-keep/2:]...)
	}
	return clipString(head+string(mid)+tail, limit)
}

// diffValue shows a diffed value: dates and cadences as elsewhere, lists as
// bullets, empty values as "(none)".
func diffValue(field, v string) string {
	switch field {
	case contract.FieldGoals, contract.FieldActivities, contract.FieldEvidence, contract.FieldCriteria:
		if v != "" {
			return "• " + strings.ReplaceAll(v, "\n", "\n• ")
		}
	}
	switch {
	case v == "":
		return "(none)"
	case field == contract.FieldDeadline:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return formatDate(d)
		}
	case field == contract.FieldCadence:
		return strings.ToUpper(v[:1]) + v[1:]
	}
	return v
}

// baseOf is the version that version v was diffed against: the one before
// it, or for a renegotiation the version in force.
func baseOf(c *contract.Contract, v int) int {
	if r, ok := c.Revision(v); ok && r.Base > 0 {
		return r.Base
	}
	return v - 1
}

// changesSince diffs the terms of version v against its base.
func changesSince(c *contract.Contract, v int) []contract.Change {
	var prev, cur contract.Terms
	if r, ok := c.Revision(baseOf(c, v)); ok {
		prev = r.Terms
	}
	if r, ok := c.Revision(v); ok {
		cur = r.Terms
	}
	return contract.Diff(prev, cur)
}

// termsOf returns the terms of version v (the working terms when v is not
// a proposed version).
func termsOf(c *contract.Contract, v int) contract.Terms {
	if r, ok := c.Revision(v); ok {
		return r.Terms
	}
	return c.Terms
}

// fromWord drops a partial word at the start of s; toWord one at its end.
func fromWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[i+1:]
	}
	return s
}

func toWord(s string) string {
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

package conversation

import (
	"fmt"
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
		return append(bs,
			part(ActionEditDeadline, "Deadline", deadline),
			part(ActionEditCadence, "Check-ins", orNone(txt(cadenceLabel(tm.Cadence)), "not set yet")),
			part(ActionEditApprover, "Approver", approver),
		)
	}
	return append(bs, message.Fields{Fields: []message.Field{
		{Label: "Learner", Value: txt(at(c.Learner))},
		{Label: "Approver", Value: approver},
		{Label: "Deadline", Value: deadline},
		{Label: "Check-ins", Value: orNone(txt(cadenceLabel(tm.Cadence)), "not set")},
	}})
}

func criteriaText(cs []contract.Criterion) text {
	var x text
	for i, c := range cs {
		if i > 0 {
			x = append(x, txt("\n")...)
		}
		x = append(x, txt("• ", c.Text)...)
		if c.ProposedBy != "" {
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

// diffBlocks lists what changed since version since, field by field.
func diffBlocks(since int, changes []contract.Change) blocks {
	bs := blocks{section(bold(fmt.Sprintf("What changed since version %d", since)))}
	if len(changes) == 0 {
		return append(bs, section(italic("Nothing in the terms changed.")))
	}
	for _, ch := range changes {
		old, new := diffValue(ch.Field, ch.Old), diffValue(ch.Field, ch.New)
		label := fieldLabels[ch.Field]
		if label == "" {
			label = ch.Field
		}
		if !strings.Contains(old+new, "\n") && utf8.RuneCountInString(old+new) < 120 {
			bs = append(bs, section(bold(label), "\n", old, " → ", new))
			continue
		}
		bs = append(bs, section(bold(label), "\n", italic("Before:"), "\n", old, "\n", italic("Now:"), "\n", new))
	}
	return bs
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

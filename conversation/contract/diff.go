package contract

import (
	"strconv"
	"strings"
)

// Change is one field that differs between two versions of the terms.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Fields of the terms, in the order they are shown: the names in a Change,
// in IncompleteError.Fields, and of the form inputs that change them.
const (
	FieldTitle      = "title"
	FieldGoals      = "goals"
	FieldActivities = "activities"
	FieldEvidence   = "evidence"
	FieldCriteria   = "criteria"
	FieldSupport    = "support"
	FieldEthics     = "ethics"
	FieldDeadline   = "deadline"
	FieldCadence    = "cadence"
)

// Diff lists the fields that differ from a to b, each rendered as text.
func Diff(a, b Terms) []Change {
	af, bf := a.fields(), b.fields()
	var out []Change
	for i, f := range af {
		if f.value != bf[i].value {
			out = append(out, Change{Field: f.name, Old: f.value, New: bf[i].value})
		}
	}
	return out
}

type field struct{ name, value string }

func (t Terms) fields() []field {
	goals := make([]string, len(t.Goals))
	for i, g := range t.Goals {
		goals[i] = g.Text
		if g.Mastery != "" {
			goals[i] += " (shown by: " + g.Mastery + ")"
		}
	}
	crit := make([]string, len(t.Criteria))
	for i, c := range t.Criteria {
		crit[i] = c.Text
	}
	deadline := ""
	if !t.Deadline.IsZero() {
		deadline = t.Deadline.Format("2006-01-02")
	}
	return []field{
		{FieldTitle, t.Title},
		{FieldGoals, strings.Join(goals, "\n")},
		{FieldActivities, strings.Join(t.Activities, "\n")},
		{FieldEvidence, strings.Join(t.Evidence, "\n")},
		{FieldCriteria, strings.Join(crit, "\n")},
		{FieldSupport, t.Support},
		{FieldEthics, t.Ethics},
		{FieldDeadline, deadline},
		{FieldCadence, t.Cadence.String()},
	}
}

// String names the cadence for people.
func (c Cadence) String() string {
	switch c {
	case 0:
		return ""
	case Weekly:
		return "weekly"
	case Fortnightly:
		return "fortnightly"
	case 1:
		return "daily"
	default:
		return "every " + strconv.Itoa(int(c)) + " days"
	}
}

package contract

import (
	"strings"
)

// FixedError says that new terms leave out success criteria fixed by the
// contract's template: the standard every contract from it is judged by.
// Criteria may be added to it, never dropped or reworded.
type FixedError struct {
	Dropped []string // the fixed criteria left out, by text
}

func (e *FixedError) Error() string {
	return "the template's success criteria stay: " + strings.Join(e.Dropped, "; ")
}

// FixedCriteria are the criteria of t that its template fixed.
func (t Terms) FixedCriteria() []string {
	var out []string
	for _, c := range t.Criteria {
		if c.Fixed {
			out = append(out, c.Text)
		}
	}
	return out
}

// CheckFixed returns *FixedError when t leaves out a criterion fixed in
// old; it changes nothing.
func CheckFixed(old, t Terms) error {
	t = t.Clone()
	return keepFixed(old, &t)
}

// keepFixed checks that t keeps every criterion fixed in old (matched by
// text, whoever proposed it now) and marks them fixed in t. It returns
// *FixedError naming those left out.
func keepFixed(old Terms, t *Terms) error {
	var dropped []string
	for _, f := range old.FixedCriteria() {
		found := false
		for i := range t.Criteria {
			if sameCriterion(t.Criteria[i].Text, f) {
				t.Criteria[i].Text, t.Criteria[i].Fixed = f, true
				found = true
				break
			}
		}
		if !found {
			dropped = append(dropped, f)
		}
	}
	if len(dropped) > 0 {
		return &FixedError{Dropped: dropped}
	}
	return nil
}

// sameCriterion compares criteria as people see them: case and spacing
// aside.
func sameCriterion(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

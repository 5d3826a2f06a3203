// Package template reads contract templates: outlines that L&D keep as
// YAML files, which a learner starts a draft from. A template suggests
// goals (with ways to show mastery), offers menus of activities,
// resources and evidence to pick from, and fixes success criteria that
// the learner may add to but not drop.
//
// A template file looks like this:
//
//	id: presenting
//	version: 1
//	title: Present with confidence
//	summary: For anyone who presents to senior leaders.
//	goals:
//	  - text: Give a clear ten-minute update to the leadership team
//	    mastery:
//	      - Two attendees name the main point unprompted
//	activities:
//	  - Rehearse with a colleague and ask for one change
//	resources:
//	  - "Book: Resonate, by Nancy Duarte"
//	evidence:
//	  - A recording of the update
//	criteria:
//	  - The update ends on time with a clear ask
//	cadence: weekly
//	duration: 8w
//	signers: [approver]
//
// Every error names the file, the line and the field.
package template

import (
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
)

// Limits keep a template small enough to show on a card and a form.
const (
	// MaxFileSize is the largest template file read, in bytes.
	MaxFileSize = 64 << 10
	// MaxMenu is the most items a menu (goals, activities, resources,
	// evidence, criteria, mastery) may have: a select menu shows 100 at
	// most, and nobody reads that many.
	MaxMenu = 25
	// MaxText is the longest text of one item, in characters.
	MaxText = 300
	// MaxDuration is the longest duration, in days.
	MaxDuration = 366
)

// Template is one contract template.
type Template struct {
	// ID names the template ("presenting"): lower-case letters, digits and
	// dashes. Version counts its revisions; a contract records both.
	ID      string
	Version int
	Title   string
	Summary string
	// Goals are suggested goals, each with ways to show mastery.
	Goals []Goal
	// Activities, Resources and Evidence are menus to pick from; the
	// learner may add their own.
	Activities []string
	Resources  []string
	Evidence   []string
	// Criteria are the fixed standard: kept in every contract drafted from
	// the template. The learner may add criteria, not drop these.
	Criteria []string
	// Cadence is the default check-in cadence; Duration the default
	// time to the deadline, in days.
	Cadence  contract.Cadence
	Duration int
	// Signers are the roles that must sign: always "approver", and
	// "advocate" when the template asks for a workplace advocate.
	Signers []string
	// File is the file the template was read from.
	File string
}

// Goal is a suggested goal and the ways to show it was reached.
type Goal struct {
	Text    string
	Mastery []string
}

// Ref is how a contract records the template it came from: "ID@VERSION".
func (t Template) Ref() string { return fmt.Sprintf("%s@%d", t.ID, t.Version) }

// NeedsAdvocate reports whether the template asks for an advocate to sign.
func (t Template) NeedsAdvocate() bool {
	for _, s := range t.Signers {
		if s == RoleAdvocate {
			return true
		}
	}
	return false
}

// Roles that may sign.
const (
	RoleApprover = "approver"
	RoleAdvocate = "advocate"
)

// Error is one problem in a template file.
type Error struct {
	File  string
	Line  int    // 0 when the problem is the file as a whole
	Field string // the field's path, "goals[1].mastery"; empty for the file
	Msg   string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

// Errors are all the problems found, in file and line order.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

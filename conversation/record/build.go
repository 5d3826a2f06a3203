package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Headings of the record's sections, in the order they appear.
const (
	HeadingTerms       = "Terms"
	HeadingSignatures  = "Signatures"
	HeadingNegotiation = "Negotiation"
	HeadingHistory     = "History"
	HeadingCheckIns    = "Check-ins"
)

// Build makes the record of c as it stands at now. Everything the contract
// holds is in it, unshortened: renderers decide what fits.
func Build(c *contract.Contract, now time.Time) Record {
	r := Record{
		ContractID: c.ID,
		Title:      titleOf(c.InForce()),
		Status:     StatusLabel(c.Status),
		Summary:    summary(c),
		Made:       now,
	}
	r.Sections = append(r.Sections, terms(c), signatures(c), negotiation(c))
	if s, ok := checkIns(c); ok {
		r.Sections = append(r.Sections, s)
	}
	r.Sections = append(r.Sections, finish(c)...)
	r.Sections = append(r.Sections, history(c))
	return r
}

var statusLabels = map[contract.Status]string{
	contract.Draft: "Draft", contract.InPeerReview: "In peer review",
	contract.Proposed: "Proposed, waiting for signatures", contract.ChangesRequested: "Changes requested",
	contract.Active: "Active", contract.Renegotiating: "Active, a change being renegotiated",
	contract.Submitted: "Evidence submitted", contract.Completed: "Completed",
	contract.Paused: "Paused", contract.Withdrawn: "Withdrawn",
}

// StatusLabel names a status in the record's words.
func StatusLabel(s contract.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

func titleOf(t contract.Terms) string {
	if strings.TrimSpace(t.Title) == "" {
		return "Untitled learning contract"
	}
	return t.Title
}

// Date is how the record shows a day, in UTC.
func Date(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// Time is how the record shows a moment, in UTC.
func Time(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 MST") }

func summary(c *contract.Contract) message.Text {
	x := message.T("Learner ", message.Mention(c.Learner))
	if c.Approver != "" {
		x = message.T(x, " · approver ", message.Mention(c.Approver))
	}
	if c.Advocate != "" {
		x = message.T(x, " · workplace advocate ", message.Mention(c.Advocate))
	}
	if c.DraftedBy != "" && c.DraftedBy != c.Learner {
		x = message.T(x, " · drafted by ", message.Mention(c.DraftedBy))
	}
	switch {
	case c.Signed > 0 && c.Status == contract.Renegotiating:
		x = message.T(x, fmt.Sprintf(" · version %d in force, version %d proposed", c.Signed, c.Version))
	case c.Signed > 0:
		x = message.T(x, fmt.Sprintf(" · version %d in force", c.Signed))
	case c.Version > 0:
		x = message.T(x, fmt.Sprintf(" · version %d proposed, not signed by everyone yet", c.Version))
	default:
		x = message.T(x, " · never proposed")
	}
	return x
}

// terms is the section of the terms in force (the latest proposal before
// anything was signed).
func terms(c *contract.Contract) Section {
	t := c.InForce()
	var lead message.Text
	switch {
	case c.Signed > 0:
		lead = message.T(fmt.Sprintf("Version %d, in force: every party signed it.", c.Signed))
	case c.Version > 0:
		lead = message.T(fmt.Sprintf("Version %d as proposed; not in force until every party has signed it.", c.Version))
	default:
		lead = message.T("The draft, not proposed yet.")
	}
	var goals []string
	for _, g := range t.Goals {
		s := g.Text
		if g.Mastery != "" {
			s += " (shown by: " + g.Mastery + ")"
		}
		goals = append(goals, s)
	}
	var crit []message.Text
	for _, cr := range t.Criteria {
		x := message.T(cr.Text)
		if cr.ProposedBy != "" {
			x = message.T(x, " (proposed by ", message.Mention(cr.ProposedBy), ")")
		}
		crit = append(crit, x)
	}
	fields := []Field{
		{Label: "Title", Value: message.T(titleOf(t))},
		{Label: "Goals", Value: list(goals)},
		{Label: "Activities and resources", Value: list(t.Activities)},
		{Label: "Evidence", Value: list(t.Evidence)},
		{Label: "Success criteria", Value: listText(crit)},
	}
	if t.Support != "" {
		fields = append(fields, Field{Label: "Support needed", Value: message.T(t.Support)})
	}
	if t.Ethics != "" {
		fields = append(fields, Field{Label: "Ethical considerations", Value: message.T(t.Ethics)})
	}
	if !t.Deadline.IsZero() {
		fields = append(fields, Field{Label: "Deadline", Value: message.T(Date(t.Deadline))})
	}
	if s := t.Cadence.String(); s != "" {
		fields = append(fields, Field{Label: "Check-ins", Value: message.T(s)})
	}
	if x, ok := ended(c); ok {
		lead = message.T(lead, " ", x)
	}
	return Section{Heading: HeadingTerms, Blocks: []Block{Para{Text: lead}, Entry{Fields: fields}}}
}

// signatures is the table of who signed which version and when.
func signatures(c *contract.Contract) Section {
	s := Section{Heading: HeadingSignatures}
	if len(c.Signatures) == 0 {
		s.Blocks = []Block{Para{Text: message.T("Nobody has signed yet.")}}
		return s
	}
	tb := Table{Columns: []string{"Signed by", "Role", "Version", "Signed at"}}
	for _, sg := range c.Signatures {
		tb.Rows = append(tb.Rows, []message.Text{
			message.T(message.Mention(sg.By)), message.T(roleOf(c, sg.By)),
			message.T(fmt.Sprintf("version %d", sg.Version)), message.T(Time(sg.At)),
		})
	}
	s.Blocks = []Block{tb}
	if c.Signed > 0 {
		s.Blocks = append(s.Blocks, Para{Text: message.T(fmt.Sprintf("Version %d is in force: every party signed it.", c.Signed))})
	}
	if w := c.AwaitingSignature(); c.Version > c.Signed && len(w) > 0 && c.Status != contract.Withdrawn {
		s.Blocks = append(s.Blocks, Para{Text: message.T(fmt.Sprintf("Still to sign version %d: ", c.Version), mentions(w), ".")})
	}
	return s
}

func roleOf(c *contract.Contract, user string) string {
	switch user {
	case c.Learner:
		return "learner"
	case c.Approver:
		return "approver"
	case c.Advocate:
		return "workplace advocate"
	}
	return "participant"
}

// negotiation lists every proposed version: who proposed it, when, why,
// and what changed from the version it was based on, field by field.
func negotiation(c *contract.Contract) Section {
	s := Section{Heading: HeadingNegotiation}
	if len(c.Revisions) == 0 {
		s.Blocks = []Block{Para{Text: message.T("No version has been proposed yet.")}}
		return s
	}
	for _, rv := range c.Revisions {
		e := Entry{Title: message.T(fmt.Sprintf("Version %d", rv.Version))}
		e.Fields = append(e.Fields, Field{Label: "Proposed", Value: message.T("by ", message.Mention(rv.ProposedBy), " on ", Time(rv.At))})
		if rv.Comment != "" {
			e.Fields = append(e.Fields, Field{Label: "Comment", Value: message.T(rv.Comment)})
		}
		base, ok := c.Revision(rv.Base)
		if rv.Base == 0 || !ok {
			e.Fields = append(e.Fields, Field{Label: "Changes", Value: message.T("the first proposal")})
		} else {
			changes := contract.Diff(base.Terms, rv.Terms)
			if len(changes) == 0 {
				e.Fields = append(e.Fields, Field{Label: "Changes", Value: message.T(fmt.Sprintf("none from version %d", rv.Base))})
			}
			for _, ch := range changes {
				e.Fields = append(e.Fields, Field{
					Label: fieldLabel(ch.Field),
					Value: message.T(fmt.Sprintf("version %d: ", rv.Base), orNone(ch.Old), fmt.Sprintf("\nversion %d: ", rv.Version), orNone(ch.New)),
				})
			}
		}
		s.Blocks = append(s.Blocks, e)
	}
	return s
}

var fieldLabels = map[string]string{
	contract.FieldTitle: "Title", contract.FieldGoals: "Goals", contract.FieldActivities: "Activities",
	contract.FieldEvidence: "Evidence", contract.FieldCriteria: "Success criteria", contract.FieldSupport: "Support needed",
	contract.FieldEthics: "Ethical considerations", contract.FieldDeadline: "Deadline", contract.FieldCadence: "Check-ins",
}

func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// history is the contract's events that people did, oldest first, each
// with its comment. Field changes are in the negotiation section instead.
func history(c *contract.Contract) Section {
	s := Section{Heading: HeadingHistory}
	e := Entry{}
	for _, ev := range c.History {
		what, ok := eventText(ev)
		if !ok {
			continue
		}
		x := message.T(message.Mention(ev.Actor), " ", what)
		if ev.Comment != "" {
			x = message.T(x, ": ", ev.Comment)
		}
		e.Fields = append(e.Fields, Field{Label: Time(ev.At), Value: x})
	}
	if len(e.Fields) == 0 {
		s.Blocks = []Block{Para{Text: message.T("Nothing has happened yet.")}}
		return s
	}
	s.Blocks = []Block{e}
	return s
}

// eventText says what an event was, after the actor's name; ok is false
// for events the record leaves out (field changes, shown per version).
func eventText(ev contract.Event) (string, bool) {
	v := fmt.Sprintf("version %d", ev.Version)
	switch ev.Kind {
	case "changed":
		return "", false
	case "created":
		return "started the draft", true
	case "approver":
		if ev.New == "" {
			return "removed the approver", true
		}
		return "named the approver", true
	case contract.EventAdvocate:
		if ev.New == "" {
			return "removed the workplace advocate", true
		}
		return "named the workplace advocate", true
	case contract.EventAdvocateComment:
		return "commented as workplace advocate on " + v, true
	case "proposed":
		return "proposed " + v, true
	case "signed":
		return "signed " + v, true
	case "activated":
		return "made " + v + " the one in force (everyone had signed it)", true
	case "changes_requested":
		return "asked for changes to " + v, true
	case "countered":
		return "chose to revise the amendment (" + v + ")", true
	case "renegotiating":
		return "proposed a change to the signed contract (" + v + ")", true
	case "declined":
		return "declined the change (" + v + ")", true
	case "withdrawn":
		return "withdrew the contract", true
	case "paused":
		return "paused the contract", true
	case "resumed":
		return "resumed the contract", true
	case "snoozed":
		return "snoozed a check-in", true
	case "help_asked":
		return "asked the approver for help", true
	case "checked_in":
		return "checked in: " + checkInLabel(ev.New), true
	case "shared":
		return "shared the draft with the learning set", true
	case "learning_set":
		return "chose the learning set", true
	case "feedback":
		return "gave peer feedback", true
	case "review_declined":
		return "could not review the draft this time", true
	case "evidence_added":
		return "handed in evidence (" + strings.ToLower(evidenceKind(ev.New)) + ")", true
	case "submitted":
		return "submitted the work for assessment", true
	case "assessed":
		return "finished assessing the work against each criterion", true
	case "more_evidence_asked":
		return "asked for more evidence", true
	case "commented":
		return "commented on the assessment", true
	case "completed":
		return "reflected and completed the contract", true
	case "impact_answered":
		return "answered an impact check-back", true
	case contract.EventLibrary:
		switch ev.New {
		case string(contract.Named):
			return "let colleagues see it as an example, with their name", true
		case string(contract.Anonymous):
			return "let colleagues see it as an example, anonymously", true
		}
		return "stopped colleagues seeing it as an example", true
	}
	return strings.ReplaceAll(ev.Kind, "_", " "), true
}

var checkInLabels = map[string]string{contract.OnTrack: "on track", contract.Behind: "behind", contract.Blocked: "blocked"}

func checkInLabel(status string) string {
	if l, ok := checkInLabels[status]; ok {
		return l
	}
	return status
}

// checkIns lists the learner's check-ins, oldest first.
func checkIns(c *contract.Contract) (Section, bool) {
	if len(c.CheckIns) == 0 {
		if c.Signed == 0 {
			return Section{}, false
		}
		return Section{Heading: HeadingCheckIns, Blocks: []Block{Para{Text: message.T("No check-ins yet.")}}}, true
	}
	s := Section{Heading: HeadingCheckIns}
	for _, ci := range c.CheckIns {
		e := Entry{Title: message.T(Date(ci.At), " · ", checkInLabel(ci.Status), fmt.Sprintf(" · version %d", ci.Version))}
		if ci.Happened != "" {
			e.Fields = append(e.Fields, Field{Label: "What happened", Value: message.T(ci.Happened)})
		}
		if ci.Next != "" {
			e.Fields = append(e.Fields, Field{Label: "What's next", Value: message.T(ci.Next)})
		}
		s.Blocks = append(s.Blocks, e)
	}
	return s, true
}

func list(items []string) message.Text {
	xs := make([]message.Text, len(items))
	for i, it := range items {
		xs[i] = message.T(it)
	}
	return listText(xs)
}

// listText is one item a line, bulleted when there are several.
func listText(items []message.Text) message.Text {
	switch len(items) {
	case 0:
		return message.T("(none)")
	case 1:
		return items[0]
	}
	var x message.Text
	for i, it := range items {
		if i > 0 {
			x = message.T(x, "\n")
		}
		x = message.T(x, "• ", it)
	}
	return x
}

func mentions(users []string) message.Text {
	var x message.Text
	for i, u := range users {
		switch {
		case i == 0:
		case i == len(users)-1:
			x = message.T(x, " and ")
		default:
			x = message.T(x, ", ")
		}
		x = message.T(x, message.Mention(u))
	}
	return x
}

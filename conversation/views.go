package conversation

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/coach"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
	"github.com/learnpact/learnpact/conversation/message"
)

// Limits that keep every message well inside what the platforms accept.
const (
	maxSection = 2800 // characters of text per section
	maxHeader  = 150
	maxListed  = 40 // contracts shown by "list"
)

type (
	blocks = []message.Block
	text   = message.Text
)

// Short names for the message builders used throughout the views.
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

func goalSaved(n int) string { return fmt.Sprintf("Goal %d saved.", n) }

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

// orNone stands in for an empty part.
func orNone(x text, none string) text {
	if len(x) == 0 {
		return txt(italic(none))
	}
	return x
}

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

// --- drafting ---

func welcomeMsg(user string) message.Message {
	return msg("Let's write your learning contract",
		section("👋 Hi ", at(user), "! Let's write your learning contract together: your goals, how you'll learn, "+
			"the evidence you'll produce and how it will be judged. Then I'll send it to your manager to agree and sign."),
		section(bold("First, a title."), " What is this contract about, in a few words?"),
		message.Context{Text: txt("For example: Running effective design reviews. Type ", code("help"), ", ",
			code("back"), " or ", code("cancel"), " at any point.")},
	)
}

func confirmNewMsg(c *contract.Contract) message.Message {
	return msg("You have a draft in progress",
		section("You have a draft in progress: ", titleOf(c.Terms), ". Carry on with it, or start a new one? (The draft is kept either way.)"),
		actions(button("Carry on with it", ActionResume, value(c), message.Primary),
			button("Start a new one", ActionStartNew, "", message.Default)),
	)
}

// ask is the question of a single-answer step.
type ask struct {
	summary  string
	question text
	hint     text
	buttons  []message.Button
	optional bool
}

func asks(st State, examples []string) ask {
	switch st {
	case StateTitle:
		return ask{summary: "What's the title?", question: txt(bold("What's the title of your contract?"), " A few words is plenty.")}
	case StateActivities:
		return ask{summary: "How will you learn it?", optional: true,
			question: txt(bold("How will you learn it?"), " List activities and resources: courses, books, shadowing, a side project. One per line, or separated by ", code(";"), "."),
			hint:     txt("Not sure yet? Skip this and add them later.")}
	case StateEvidence:
		return ask{summary: "What evidence will you produce?",
			question: txt(bold("What evidence will you produce?"), " Something your manager can look at: a write-up, a demo, a pull request, a recorded talk. One per line, or separated by ", code(";"), "."),
		}
	case StateCriteria:
		return ask{summary: "How should it be judged?",
			question: txt(bold("How should your evidence be judged?"), " Propose one or more success criteria; your manager can add theirs before you both sign. One per line, or separated by ", code(";"), "."),
			hint:     txt("For example: A teammate can run a review with my checklist without help.")}
	case StateDeadline:
		return ask{summary: "By when?", question: txt(bold("By when?"), " Tell me in your own words."), hint: examplesText(examples)}
	case StateCadence:
		return ask{summary: "How often should we check in?", optional: true,
			question: txt(bold("How often should we check in?"), " A short check-in helps catch drift early."),
			hint:     txt("Or type something like ", code("every 10 days"), "."),
			buttons: []message.Button{button("Weekly", ActionWeekly, "", message.Default),
				button("Fortnightly", ActionFortnightly, "", message.Default)}}
	case StateApprover:
		return ask{summary: "Who will approve it?",
			question: txt(bold("Who will approve and sign it?"), " Mention your manager or learning facilitator, like ", code("@Mo"), ".")}
	}
	return ask{summary: "Type help to see what you can do", question: txt("Type ", code("help"), " to see what you can do.")}
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

// askMsg is a step's question, with what is already there and a button to
// keep it.
func askMsg(st State, lead, current text, val string, examples []string) message.Message {
	a := asks(st, examples)
	var bs blocks
	if len(lead) > 0 {
		bs = append(bs, section(lead))
	}
	bs = append(bs, section(a.question))
	if len(current) > 0 {
		bs = append(bs, section(italic("Currently:"), "\n", current))
	}
	var btns []message.Button
	for _, b := range a.buttons {
		b.Value = val
		btns = append(btns, b)
	}
	if len(current) > 0 {
		btns = append(btns, button("Keep as is", ActionKeep, val, message.Primary))
	} else if a.optional {
		btns = append(btns, button("Skip", ActionSkip, val, message.Default))
	}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	if len(a.hint) > 0 {
		bs = append(bs, message.Context{Text: a.hint})
	}
	return msg(a.summary, bs...)
}

func withLead(lead text, bs ...message.Block) blocks {
	if len(lead) == 0 {
		return bs
	}
	return append(blocks{section(lead)}, bs...)
}

func goalPrompt(lead text, n int) message.Message {
	q := txt(bold(fmt.Sprintf("What's goal %d?", n)), " (Type ", code("back"), " if you'd rather not add another.)")
	var hint text
	if n == 1 {
		q = txt(bold("What's your first goal?"), " Start with what you'll be able to do: an action verb (explain, build, lead, compare…), what it applies to, and how you'll tell it's met.")
		hint = txt("For example: Explain our deployment pipeline to a new teammate without notes.")
	}
	bs := withLead(lead, section(q))
	if len(hint) > 0 {
		bs = append(bs, message.Context{Text: hint})
	}
	return msg("What's your goal?", bs...)
}

func coachMsg(lead text, p *Pending, adv coach.Advice, val string) message.Message {
	body := txt("That's a good start. A few things would make it easier to agree on:")
	for _, pr := range adv.Problems {
		body = append(body, txt("\n• ", pr)...)
	}
	bs := withLead(lead, section(body))
	var btns []message.Button
	if adv.Suggestion != "" {
		bs = append(bs, section(bold("How about:"), "\n", adv.Suggestion))
		btns = append(btns, button("Use suggestion", ActionUseSuggestion, val, message.Primary))
	}
	btns = append(btns, button("Keep mine", ActionKeepMine, val, message.Default))
	bs = append(bs, actions(btns...),
		message.Context{Text: txt("Or type a new version of your goal.")})
	return msg("A suggestion for your goal", bs...)
}

func masteryPrompt(lead text, val string) message.Message {
	return msg("How will you show you've mastered it?", withLead(lead,
		section(bold("How will you show you've mastered it?"), " For example: a demo to the team, a write-up, teaching someone else."),
		actions(button("Skip", ActionSkip, val, message.Default)),
	)...)
}

func goalsMsg(lead text, goals []contract.Goal, val string) message.Message {
	return msg("Your goals so far", withLead(lead,
		section(bold("Your goals so far"), "\n", goalsText(goals)),
		actions(button("Add another goal", ActionAddGoal, val, message.Default),
			button("Done with goals", ActionGoalsDone, val, message.Primary),
			button("Start goals over", ActionGoalsOver, val, message.Default)),
	)...)
}

func deadlineRetryMsg(err error, examples []string) message.Message {
	var why text
	switch {
	case errors.Is(err, deadline.ErrPast):
		why = txt("That date is today or already past. Pick a day in the future.")
	case errors.Is(err, deadline.ErrTooFar):
		why = txt("That's more than two years away. A nearer date keeps the contract alive, and you can always extend it later.")
	default:
		why = txt("Sorry, I couldn't read that as a date.")
	}
	return msg("Let's try that date again",
		section(why, " ", bold("By when?")),
		message.Context{Text: examplesText(examples)},
	)
}

func deadlineProblem(err error, typed string) string {
	switch {
	case errors.Is(err, deadline.ErrPast):
		return "The deadline “" + typed + "” is today or already past."
	case errors.Is(err, deadline.ErrTooFar):
		return "The deadline “" + typed + "” is more than two years away."
	default:
		return "I couldn't read the deadline “" + typed + "” as a date (try YYYY-MM-DD)."
	}
}

func approverErrorMsg(err error) message.Message {
	switch {
	case errors.Is(err, errSelf):
		return note("Pick someone else to approve", "You can't approve your own contract: the point is to agree it with someone who supports your learning. Mention your manager or facilitator, like ", code("@Mo"), ".")
	case errors.Is(err, errBot):
		return note("Pick a person to approve", "That's a bot, and a contract needs a person to sign it. Mention your manager or facilitator, like ", code("@Mo"), ".")
	}
	return note("Mention your approver", "Please mention them with @ so I know exactly who it is, like ", code("@Mo"), ".")
}

func summaryMsg(c *contract.Contract, lead text, now time.Time) message.Message {
	summary := "Your contract is ready to check"
	missing := c.Missing(now)
	if len(missing) > 0 {
		summary = "Your contract so far"
	}
	if len(lead) == 0 {
		lead = txt("Here's your contract. Check it over, use ", bold("Edit"), " to change anything, then send it to your manager.")
		if len(missing) > 0 {
			lead = txt("Here's your contract so far. Before it can be sent it still needs ", andList(missing), ": use the ", bold("Edit"), " buttons to fill them in.")
		}
	}
	bs := blocks{section(lead)}
	bs = append(bs, termsBlocks(c, c.Terms, true)...)
	btns := actions(button("Send to my manager", ActionSend, value(c), message.Primary),
		button("Share with my learning set", ActionShare, value(c), message.Default))
	bs = append(bs, btns,
		message.Context{Text: txt("You can also type ", code("edit deadline"), " (or any part), ", code("back"), " or ", code("cancel"), ".")})
	return msg(summary, bs...)
}

func summaryHintMsg() message.Message {
	return note("Your contract is ready to check", "Your contract is ready to check. Press ", bold("Send to my manager"),
		" when you're happy, or use ", bold("Edit"), " on any part (or type ", code("edit goals"), ", ", code("edit deadline"), " and so on).")
}

var fillLabels = map[string]string{
	contract.FieldGoals: "Add a goal", contract.FieldEvidence: "Add evidence", contract.FieldCriteria: "Add success criteria",
	contract.FieldDeadline: "Set the deadline", contract.FieldApprover: "Choose an approver",
}

func incompleteMsg(c *contract.Contract, inc *contract.IncompleteError) message.Message {
	missing := andList(inc.Missing)
	var btns []message.Button
	seen := map[string]bool{}
	for _, f := range inc.Fields {
		p, ok := partNamed(f)
		if !ok || seen[f] {
			continue
		}
		seen[f] = true
		btns = append(btns, button(fillLabels[f], p.edit, value(c), message.Default))
	}
	bs := blocks{section("Almost there! Before I can send it, the contract still needs ", missing, ".")}
	if len(btns) > 0 {
		bs = append(bs, actions(btns...))
	}
	return msg("Almost there: a few parts are missing", bs...)
}

func sentMsg(c *contract.Contract) message.Message {
	return note("Sent to your approver", "📨 Sent to ", at(c.Approver), fmt.Sprintf(" (version %d). I'll let you know as soon as they answer.", c.Version))
}

// --- negotiation ---

func approvalRequestMsg(c *contract.Contract) message.Message {
	v := c.Version
	intro := txt("📝 ", at(c.Learner), " would like you to approve their learning contract. Read it through, then approve and sign it, ask for changes, or propose an amendment.")
	summary := "A learning contract is waiting for your approval"
	if v > 1 {
		intro = txt("📝 ", at(c.Learner), fmt.Sprintf(" sent a new version of their learning contract (version %d). Here's what changed since version %d, and the whole contract below.", v, v-1))
		summary = "A revised learning contract is waiting for your approval"
	}
	return signCard(c, c.Approver, blocks{section(intro)}, summary)
}

// signCard asks recipient to sign the current version: the intro, what
// changed, the terms, and the buttons for their part (the approver's
// decision, or the learner's answer to the approver's proposal).
func signCard(c *contract.Contract, recipient string, intro blocks, summary string) message.Message {
	v := c.Version
	bs := intro
	if recipient == c.Approver {
		bs = append(bs, peerReviewBlocks(c)...)
	}
	if v > 1 {
		bs = append(bs, diffBlocks(baseOf(c, v), changesSince(c, v))...)
		bs = append(bs, message.Divider{})
	}
	bs = append(bs, termsBlocks(c, termsOf(c, v), false)...)
	btns, hint := decisionButtons(c, recipient, value(c))
	return msg(summary, append(bs, btns, message.Context{Text: hint})...)
}

// decisionButtons are recipient's buttons on the current version, carrying
// val, and a line on what they do: the approver's decision, or the
// learner's answer to the approver's proposal.
func decisionButtons(c *contract.Contract, recipient, val string) (message.Actions, text) {
	v := c.Version
	renegotiating := c.Status == contract.Renegotiating
	switch {
	case recipient == c.Learner && renegotiating:
		return actions(button("Accept & sign", ActionAccept, val, message.Primary),
				button("Decline", ActionDecline, val, message.Default)),
			txt(fmt.Sprintf("Accept & sign puts version %d in force. Decline keeps version %d.", v, c.Signed))
	case recipient == c.Learner:
		return actions(button("Accept & sign", ActionAccept, val, message.Primary),
				button("Counter", ActionCounter, val, message.Default)),
			txt("Accept & sign makes the contract active. Counter lets you edit it and send your own version back.")
	case renegotiating:
		return actions(button("Approve & sign", ActionApprove, val, message.Primary),
				button("Decline", ActionDecline, val, message.Default)),
			txt(fmt.Sprintf("Version %d. Approving puts it in force; declining keeps version %d.", v, c.Signed))
	default:
		return actions(button("Approve & sign", ActionApprove, val, message.Primary),
				button("Request changes", ActionRequestChanges, val, message.Default),
				button("Propose an amendment", ActionAmend, val, message.Default)),
			txt(fmt.Sprintf("Version %d. Approving signs this version together with ", v), at(c.Learner), ".")
	}
}

// decidedMsg is a contract card whose buttons have been used: the outcome,
// then the terms of the version it was for.
func decidedMsg(c *contract.Contract, v int, summary string, outcome text) message.Message {
	bs := blocks{section(outcome), message.Divider{}}
	bs = append(bs, termsBlocks(c, termsOf(c, v), false)...)
	return msg(summary, bs...)
}

func signedOutcome(c *contract.Contract, signer string, pending []string) text {
	if len(pending) == 0 {
		return txt("✅ Approved and signed by ", at(signer), fmt.Sprintf(" — version %d", c.Version))
	}
	return append(txt("✅ Signed by ", at(signer), fmt.Sprintf(" — version %d. Waiting for ", c.Version)), append(mentions(pending), txt(" to sign.")...)...)
}

func approvedMsg(c *contract.Contract, approver string, pending []string) message.Message {
	if len(pending) == 0 {
		return msg("Your learning contract is active",
			section("🎉 ", at(approver), fmt.Sprintf(" approved and signed your learning contract (version %d). It's active now: good luck, you've got this!", c.Version)),
			message.Context{Text: txt(titleOf(c.Terms))},
		)
	}
	return msg("Your learning contract was signed",
		section("✅ ", at(approver), fmt.Sprintf(" signed your learning contract (version %d). It becomes active once ", c.Version), mentions(pending), " signs too."),
		message.Context{Text: txt(titleOf(c.Terms))},
	)
}

func changesOutcome(approver string, v int) text {
	return txt("✏️ Changes requested by ", at(approver), fmt.Sprintf(" — version %d", v))
}

func changesRequestedMsg(c *contract.Contract, approver, comments string) message.Message {
	return msg("Your approver asked for changes",
		section("✏️ ", at(approver), fmt.Sprintf(" would like some changes to your learning contract (version %d):", c.Version)),
		section(comments),
		actions(button("Revise", ActionRevise, value(c), message.Primary)),
		message.Context{Text: txt("Revise opens your contract so you can edit any part and send it back.")},
	)
}

func reviseLead(c *contract.Contract) text {
	x := txt(at(c.Approver), " asked for these changes:\n")
	x = append(x, txt(c.Requested)...)
	return append(x, txt("\n\nEdit any part below, then press ", bold("Send to my manager"), " to send them the new version.")...)
}

func amendedOutcome(approver, learner string, v int) text {
	return txt("✏️ Amendment proposed by ", at(approver), fmt.Sprintf(" — version %d. Waiting for ", v), at(learner), ".")
}

func amendmentMsg(c *contract.Contract, approver, comment string) message.Message {
	bs := blocks{section("✏️ ", at(approver), fmt.Sprintf(" proposed an amendment to your learning contract (version %d). They've signed it; it's your turn.", c.Version))}
	if comment != "" {
		bs = append(bs, section(italic("Their note:"), " ", comment))
	}
	return signCard(c, c.Learner, bs, "Your approver proposed an amendment")
}

func acceptedOutcome(c *contract.Contract, pending []string) text {
	if len(pending) == 0 {
		return txt(fmt.Sprintf("✅ You accepted and signed version %d. The contract is active.", c.Version))
	}
	return append(txt(fmt.Sprintf("✅ You signed version %d. Waiting for ", c.Version)), append(mentions(pending), txt(" to sign.")...)...)
}

func acceptedMsg(c *contract.Contract, learner string, pending []string) message.Message {
	if len(pending) == 0 {
		return msg("Your amendment was accepted",
			section("✅ ", at(learner), fmt.Sprintf(" accepted your amendment and signed. Version %d is active now.", c.Version)),
			message.Context{Text: txt(titleOf(c.Terms))})
	}
	return msg("Your amendment was accepted",
		section("✅ ", at(learner), fmt.Sprintf(" accepted your amendment and signed version %d. Waiting for ", c.Version), mentions(pending), " to sign."),
		message.Context{Text: txt(titleOf(c.Terms))})
}

func counterOutcome(v int) text {
	return txt(fmt.Sprintf("↩️ You're countering version %d.", v))
}

func counterLead(c *contract.Contract) text {
	return txt("Make the changes you'd like, then press ", bold("Send to my manager"), " to send ", at(c.Approver), " your version. What they proposed is the starting point.")
}

func counterNoticeMsg(c *contract.Contract) message.Message {
	return note("A counter-proposal is on its way",
		"↩️ ", at(c.Learner), fmt.Sprintf(" is preparing a counter-proposal to version %d. I'll send it to you when it's ready.", c.Version))
}

// retryFormMsg explains why a form was not applied, with a button to open it
// again.
func retryFormMsg(why text, label string, id ActionID, v ActionValue) message.Message {
	return msg("That didn't go through",
		section(why),
		actions(button(label, id, v.Encode(), message.Primary)),
		message.Context{Text: txt("Nothing was changed.")},
	)
}

func problemsText(lead string, problems []string) text {
	x := txt(lead)
	for _, p := range problems {
		x = append(x, txt("\n• ", p)...)
	}
	return x
}

// refusalMsg answers a lifecycle error in words.
func refusalMsg(err error, verb string, c *contract.Contract) message.Message {
	var (
		stale  *contract.StaleError
		denied *contract.DeniedError
		state  *contract.StateError
	)
	switch {
	case errors.As(err, &stale):
		return note("This was for an earlier version", fmt.Sprintf("This was for version %d; the contract is at version %d now.", stale.Clicked, stale.Current))
	case errors.As(err, &denied):
		if len(denied.Allowed) == 0 {
			return note("You can't do that here", "You can't "+verb+" this contract.")
		}
		return note("You can't do that here", append(append(txt("Only "), mentions(denied.Allowed)...), txt(" can "+verb+" this contract.")...))
	case errors.As(err, &state):
		return note("That can't be done now", stateText(c))
	case errors.Is(err, contract.ErrAlreadySigned):
		x := txt(fmt.Sprintf("You've already signed version %d.", c.Version))
		if w := c.AwaitingSignature(); len(w) > 0 {
			x = append(append(append(x, txt(" Waiting for ")...), mentions(w)...), txt(".")...)
		}
		return note("You've already signed", x)
	case errors.Is(err, contract.ErrNotAmended):
		return note("Nothing to counter", "There's no amendment to counter: this version is your own proposal, waiting for ", at(c.Approver), ".")
	}
	return note("That didn't work", "Sorry, that didn't work. Type ", code("help"), " to see what you can do.")
}

// stateText explains a contract's status as the reason nothing was done.
func stateText(c *contract.Contract) text {
	switch c.Status {
	case contract.Active:
		return txt("This contract is already active.")
	case contract.ChangesRequested:
		return txt("Changes were requested on this version, so it's back with ", at(c.Learner), " for now.")
	case contract.Draft, contract.InPeerReview:
		if c.Version > 0 {
			return txt("It's back with ", at(c.Learner), ", who is revising it.")
		}
		return txt("This contract hasn't been sent for approval yet.")
	case contract.Proposed:
		return txt(fmt.Sprintf("It's waiting for a decision on version %d, so it can't be changed right now.", c.Version))
	case contract.Withdrawn:
		return txt("This contract was withdrawn.")
	case contract.Completed:
		return txt("This contract is already completed.")
	case contract.Submitted:
		return txt("The evidence for this contract has already been submitted.")
	case contract.Paused:
		return txt("This contract is paused.")
	case contract.Renegotiating:
		return txt(fmt.Sprintf("A change to this contract (version %d) is waiting to be signed; version %d stays in force until then.", c.Version, c.Signed))
	}
	return txt("That can't be done with this contract right now.")
}

var statusLabels = map[contract.Status]string{
	contract.Draft: "Draft, not sent yet", contract.InPeerReview: "With your learning set for review",
	contract.Proposed: "Waiting for approval", contract.ChangesRequested: "Changes requested",
	contract.Active: "Active", contract.Renegotiating: "Being renegotiated", contract.Submitted: "Evidence submitted",
	contract.Completed: "Completed", contract.Paused: "Paused", contract.Withdrawn: "Withdrawn",
}

func statusLabel(s contract.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

func requestChangesModal(c *contract.Contract, v ActionValue) message.Modal {
	return message.Modal{
		CallbackID: CallbackRequestChanges, PrivateData: v.Encode(),
		Title: "Request changes", Submit: "Send", Close: "Cancel",
		Blocks: blocks{
			section("What would you like ", at(c.Learner), fmt.Sprintf(" to change in version %d? They'll see your words as written.", c.Version)),
			message.Input{ID: FieldComments, Label: "Your comments", Multiline: true, MaxLength: 3000,
				Placeholder: "e.g. Could the evidence include a demo to the team?"},
		},
	}
}

func amendModal(c *contract.Contract, v ActionValue) message.Modal {
	bs := blocks{section("Change what you'd like to amend. ", at(c.Learner),
		" will see exactly what changed and can accept or counter. Proposing it signs the new version for you.")}
	bs = append(bs, termsInputs(c.Terms)...)
	bs = append(bs, message.Input{ID: FieldComment, Label: "A note to the learner", Multiline: true, Optional: true, MaxLength: 3000})
	return message.Modal{
		CallbackID: CallbackAmend, PrivateData: v.Encode(),
		Title: "Propose an amendment", Submit: "Propose", Close: "Cancel",
		Blocks: bs,
	}
}

// termsInputs are the fields of a form that changes terms, filled with tm.
func termsInputs(tm contract.Terms) blocks {
	goals := make([]string, len(tm.Goals))
	for i, g := range tm.Goals {
		goals[i] = goalLine(g)
	}
	crit := make([]string, len(tm.Criteria))
	for i, cr := range tm.Criteria {
		crit[i] = cr.Text
	}
	return blocks{
		message.Input{ID: FieldTitle, Label: "Title", Initial: tm.Title},
		message.Input{ID: FieldGoals, Label: "Goals, one per line", Multiline: true, Initial: strings.Join(goals, "\n")},
		message.Input{ID: FieldActivity, Label: "Activities and resources, one per line", Multiline: true, Optional: true, Initial: strings.Join(tm.Activities, "\n")},
		message.Input{ID: FieldEvidence, Label: "Evidence, one per line", Multiline: true, Initial: strings.Join(tm.Evidence, "\n")},
		message.Input{ID: FieldCriteria, Label: "Success criteria, one per line", Multiline: true, Initial: strings.Join(crit, "\n")},
		message.Input{ID: FieldDeadline, Label: "Deadline", Initial: isoDate(tm.Deadline), Placeholder: "e.g. 2027-03-20 or in 8 weeks"},
	}
}

// --- commands ---

// helpMsg lists the commands; with kept (the learner's signed contract) it
// also says how check-ins work.
func helpMsg(doing string, kept *contract.Contract) message.Message {
	lines := [][2]string{
		{"new", "start a new learning contract"},
		{"back", "go to the previous step; what you entered is kept"},
		{"skip", "skip an optional step"},
		{"edit goals", "change one part (also title, activities, evidence, criteria, deadline, cadence, approver)"},
		{"cancel", "stop for now; your draft is kept"},
		{"resume", "carry on where you left off"},
		{"status", "where your contract is and who still has to sign"},
		{"list", "all your contracts"},
	}
	x := txt(bold("Here's what you can type here"))
	for _, l := range lines {
		x = append(x, txt("\n", code(l[0]), " — ", l[1])...)
	}
	where := txt("Right now there's no draft under way.")
	if doing != "" {
		where = txt("Right now you're ", doing, ".")
	}
	bs := blocks{section(x)}
	if kept != nil {
		bs = append(bs, section(checkInsHelp(kept)))
	}
	return msg("What you can do here", append(bs, message.Context{Text: where})...)
}

// checkInsHelp explains check-ins on the learner's signed contract.
func checkInsHelp(c *contract.Contract) text {
	when := "at the mid-point"
	if cad := c.InForce().Cadence.String(); cad != "" {
		when = cad + " and at the mid-point"
	}
	return txt(bold("Check-ins"), "\nI'll check in on ", quoted(c), " ", when, ": answer ", bold("On track"), ", ", bold("Behind"),
		" or ", bold("Blocked"), ", or ", bold("Snooze a day"), ". Behind or blocked? You can propose a new deadline or a smaller scope, or ask ",
		at(c.Approver), " for a hand.\n", code("pause"), " — pause check-ins and reminders (leave, crunch time)\n",
		code("resume"), " — pick a paused contract up again")
}

func editHelpMsg() message.Message {
	return note("Which part?", "Which part would you like to change? Try ", code("edit title"), ", ", code("edit goals"), ", ",
		code("edit activities"), ", ", code("edit evidence"), ", ", code("edit criteria"), ", ", code("edit deadline"), ", ",
		code("edit cadence"), " or ", code("edit approver"), ".")
}

func unknownCommand(cmd string) message.Message {
	return note("I don't know that command", "I don't know that command. Type ", code("help"), " to see what you can do.")
}

// idleMsg answers text when no draft is under way.
func idleMsg(c *contract.Contract, user string) message.Message {
	if c != nil && c.Learner == user && c.Status == contract.Proposed {
		return note("Your contract is with your approver", "Your contract is with ", at(c.Approver), fmt.Sprintf(" for approval (version %d). ", c.Version),
			"I'll let you know when they answer. Type ", code("status"), " to check on it, or ", code("new"), " to start another.")
	}
	if c != nil && c.Learner == user && editable(c.Status) {
		return note("Your draft is waiting", "Your draft is waiting for you. Type ", code("resume"), " to carry on, or ", code("help"), " to see what else you can do.")
	}
	return note("Hi! I help you write learning contracts", "Hi! I help you write a learning contract and agree it with your manager. Type ",
		code("new"), " to start one, ", code("list"), " to see yours, or ", code("help"), ".")
}

// notEditableMsg explains why the current contract can't be edited.
func notEditableMsg(c *contract.Contract, user string) message.Message {
	if c == nil || c.Learner != user {
		return note("No draft to edit", "There's no draft to edit right now. Type ", code("new"), " to start one.")
	}
	if c.Status == contract.Proposed {
		return note("Your contract is with your approver", "It's with ", at(c.Approver), fmt.Sprintf(" for approval (version %d), so it can't be edited right now. ", c.Version),
			"If they ask for changes, you can revise it then.")
	}
	if c.Status == contract.Active {
		return activeEditHint(c)
	}
	return note("That can't be edited now", stateText(c))
}

// activeEditHint offers ways to change a signed contract: a proposal that
// the other party signs.
func activeEditHint(c *contract.Contract) message.Message {
	val := value(c)
	return msg("That can't be edited now",
		section("This contract is signed and active, so it can't be edited directly. You can propose a change for ",
			mentions(approvers(c)), " to sign; until then, the signed version stays in force."),
		actions(button("Propose a new deadline", ActionNewDeadline, val, message.Default),
			button("Change the scope", ActionChangeScope, val, message.Default)),
	)
}

func statusMsg(c *contract.Contract, user string, doing string, now, today time.Time) message.Message {
	if c == nil {
		return note("No contract in progress", "You don't have a contract on the go. Type ", code("new"), " to start one, or ", code("list"), " to see all of yours.")
	}
	head := txt(bold(statusLabel(c.Status)))
	switch {
	case c.Status == contract.Renegotiating:
		head = append(head, txt(fmt.Sprintf(" · version %d in force, version %d proposed", c.Signed, c.Version))...)
	case shownVersion(c) > 0:
		head = append(head, txt(fmt.Sprintf(" · version %d", shownVersion(c)))...)
	}
	head = append(head, txt("\n", titleOf(c.InForce()))...)
	var detail text
	switch c.Status {
	case contract.Draft, contract.InPeerReview:
		if m := c.Missing(now); len(m) > 0 {
			detail = txt("Still needed before it can be sent: ", andList(m), ".")
		} else {
			detail = txt("Complete and ready to send.")
		}
	case contract.Proposed:
		if w := c.AwaitingSignature(); len(w) > 0 {
			detail = append(append(txt("Still to sign: "), mentions(w)...), txt(".")...)
		}
	case contract.Renegotiating:
		detail = append(append(txt(fmt.Sprintf("A change (version %d) is waiting for ", c.Version)), mentions(c.AwaitingSignature())...),
			txt(fmt.Sprintf(" to sign. Version %d stays in force until then.", c.Signed))...)
	case contract.ChangesRequested:
		detail = txt(at(c.Approver), " asked for changes. Type ", code("resume"), " to revise it.")
	case contract.Active, contract.Submitted, contract.Completed:
		detail = append(append(txt("Signed by "), mentions(c.Parties())...), txt(fmt.Sprintf(" on version %d.", c.Signed))...)
	case contract.Paused:
		detail = txt("Paused since ", formatDate(c.PausedAt))
		if c.PauseReason != "" {
			detail = append(detail, txt(" (", c.PauseReason, ")")...)
		}
		detail = append(detail, txt(": no check-ins or reminders until it's resumed.")...)
		if user == c.Learner {
			detail = append(detail, txt(" Type ", code("resume"), " to pick it up again.")...)
		}
	}
	bs := blocks{section(head)}
	if len(detail) > 0 {
		bs = append(bs, section(detail))
	}
	if alive(c.Status) {
		bs = append(bs, checkInHistory(c, now, today)...)
	}
	if doing != "" {
		bs = append(bs, message.Context{Text: txt("Right now you're ", doing, ".")})
	}
	return msg("Where your contract is", bs...)
}

// shownVersion is the version to name for a contract: the one in force once
// signed (a declined proposal is not), else the latest proposal.
func shownVersion(c *contract.Contract) int {
	if c.Signed > 0 && (c.Status == contract.Active || c.Status == contract.Paused) {
		return c.Signed
	}
	return c.Version
}

// maxHistory is how many check-ins status shows.
const maxHistory = 3

// checkInHistory shows the latest check-ins, newest first, and when the
// next one is.
func checkInHistory(c *contract.Contract, now, today time.Time) blocks {
	var bs blocks
	if n := len(c.CheckIns); n > 0 {
		x := txt(bold("Check-ins"))
		for i := n - 1; i >= 0 && i >= n-maxHistory; i-- {
			ci := c.CheckIns[i]
			x = append(x, txt("\n• ", formatDate(ci.At), ": ", checkInLabel(ci.Status))...)
			if ci.Happened != "" {
				x = append(x, txt(" — ", clipString(ci.Happened, 120))...)
			}
		}
		if n > maxHistory {
			x = append(x, txt(fmt.Sprintf("\n…and %d earlier", n-maxHistory))...)
		}
		bs = append(bs, section(x))
	}
	var line text
	if next, ok := nextCheckIn(c, now); ok {
		line = txt("Next check-in: around ", formatDate(next), ". ")
	}
	line = append(line, timeLeftText(c, today)...)
	if len(line) > 0 {
		bs = append(bs, message.Context{Text: line})
	}
	return bs
}

func roleOf(c *contract.Contract, user string) string {
	switch user {
	case c.Learner:
		return "learner"
	case c.Approver:
		return "approver"
	case c.Advocate:
		return "advocate"
	}
	return "participant"
}

func listMsg(cs []*contract.Contract, user string) message.Message {
	if len(cs) == 0 {
		return note("No contracts yet", "You don't have any contracts yet. Type ", code("new"), " to start one.")
	}
	bs := blocks{message.Header{Text: "Your learning contracts"}}
	for i, c := range cs {
		if c == nil {
			continue
		}
		if i == maxListed {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more.", len(cs)-maxListed))})
			break
		}
		line := txt(titleOf(c.InForce()), "\n", statusLabel(c.Status), " · you're the ", roleOf(c, user))
		if v := shownVersion(c); v > 0 {
			line = append(line, txt(fmt.Sprintf(" · version %d", v))...)
		}
		s := section(line)
		if c.Learner == user && editable(c.Status) {
			b := button("Open", ActionOpen, value(c), message.Default)
			s.Accessory = &b
		}
		bs = append(bs, s)
	}
	return msg("Your learning contracts", bs...)
}

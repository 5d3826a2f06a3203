package conversation

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
)

// command is one thing a person can type in a DM (or after /contract, or in
// a channel they share with the bot). The table of commands drives both the
// parser (onText) and the help message, so help lists exactly what the
// parser knows, filtered to the person's roles and where they are.
type command struct {
	name    string   // the words that start it, as typed
	aliases []string // other words for it
	args    bool     // takes words after the name ("edit goals", "away until 3 March")
	usage   string   // how help shows it, when not just the name
	who     role     // whose command it is; 0 for anyone
	help    string   // one line for help, after the usage
	// forApprover is the help line for someone who approves contracts and
	// writes none of their own, when it differs from help.
	forApprover string
	// forDrafter is the help line for someone drafting a contract for
	// another, and none of their own, when it differs from help.
	forDrafter string
	// accepts reports whether, in this turn, the words are this command
	// at all (nil: always). When not, typed text is the answer to the
	// current step, and a slash command is unknown.
	accepts func(t *turn) bool
	// applies reports whether help lists it in this turn (nil: always):
	// only where it does something useful.
	applies func(t *turn) bool
	run     func(t *turn, args string)
	// needsList and needsSets say what the engine must load for it (see
	// NeedsList and NeedsSets).
	needsList, needsSets bool
}

// role is what a person is to the contracts they take part in.
type role int

const (
	learner role = 1 << iota
	approver
	// drafter drafts a contract for someone else (see draft-for).
	drafter

	anyone role = 0 // a command for anyone names no role
)

// commands is the command table, in the order help lists it, built once
// on first use (a package-level variable's initializer may not refer to
// the handlers, which reach the table: help lists it).
func commands() []command {
	commandsOnce.Do(func() { commandTable = buildCommands() })
	return commandTable
}

// commandTable holds the table once built; it is read-only.
var (
	commandsOnce sync.Once
	commandTable []command
)

func buildCommands() []command {
	return []command{
		{name: "new", aliases: []string{"start"}, help: "start a new learning contract",
			forApprover: "start a learning contract of your own",
			run:         noArgs((*turn).start)},
		{name: "draft-for", aliases: []string{"draft for"}, args: true, usage: "draft-for @person", needsList: true,
			accepts: (*turn).draftForTyped,
			help:    "draft a contract for someone you approve; they accept it, change it or decline it",
			run:     (*turn).draftForCommand},
		{name: "back", who: learner | drafter, help: "go to the previous step; what you entered is kept",
			applies: (*turn).atStep, run: noArgs((*turn).back)},
		{name: "skip", who: learner | drafter, help: "skip an optional step",
			applies: func(t *turn) bool { return t.atStep() || t.inFollowUp() }, run: noArgs((*turn).skip)},
		{name: "edit", args: true, usage: "edit goals", who: learner | drafter, help: editLine(),
			applies: (*turn).inDraft, run: (*turn).editCommand},
		{name: "send", who: learner | drafter, help: "send your draft to your approver",
			forDrafter: "send the draft to the person you're drafting it for",
			accepts:    func(t *turn) bool { return t.in.Kind == CommandInput || t.s.State == StateSummary },
			applies:    func(t *turn) bool { return t.inDraft() && t.s.State == StateSummary }, run: noArgs((*turn).sendDraft)},
		{name: "share", who: learner, help: "share your draft with your learning set for feedback", needsSets: true,
			applies: func(t *turn) bool { return t.draftOf(t.sessionContract()) }, run: noArgs((*turn).shareClick)},
		{name: "cancel", aliases: []string{"stop"}, who: learner | drafter, help: "stop for now; your draft is kept",
			applies: func(t *turn) bool { return t.atStep() || t.inFollowUp() }, run: noArgs((*turn).cancel)},
		{name: "resume", aliases: []string{"continue", "carry on"}, who: learner | drafter,
			help: "carry on where you left off, or pick a paused contract up again", applies: (*turn).resumable, run: noArgs((*turn).resume)},
		{name: "withdraw", aliases: []string{"discard", "delete draft"}, who: learner | drafter, needsList: true,
			help:    "withdraw a draft or a contract not signed yet, for good (asks first)",
			applies: func(t *turn) bool { return len(t.withdrawable()) > 0 }, run: noArgs((*turn).withdrawCmd)},
		{name: "pause", who: learner, help: "pause check-ins and reminders (leave, crunch time)",
			accepts: func(t *turn) bool { return !t.inDraft() }, applies: (*turn).pausable, run: noArgs((*turn).pauseCommand)},
		{name: "submit", aliases: []string{"submit evidence", "evidence", "hand in", "done"}, who: learner,
			help:    "hand in your evidence and rate yourself against each success criterion",
			accepts: (*turn).finishTyped, applies: (*turn).submittable, run: noArgs((*turn).submitCommand)},
		{name: "reflect", aliases: []string{"complete", "finish"}, who: learner,
			help:    "once your work is assessed: reflect on it and complete the contract",
			accepts: (*turn).finishTyped, applies: (*turn).reflectable, run: noArgs((*turn).reflectCommand)},
		{name: "end", aliases: []string{"end early"}, who: learner,
			help:    "end your contract early: finished early, or no longer relevant",
			accepts: (*turn).finishTyped, applies: func(t *turn) bool { return t.pausable() && !t.inFollowUp() }, run: noArgs((*turn).endCommand)},
		{name: "status", help: "where your contract is and who still has to sign", run: noArgs((*turn).status),
			forApprover: "where your own learning contract is, once you have one",
			forDrafter:  "where the contract you're drafting is, and who still has to sign"},
		{name: "list", help: "all your contracts", needsList: true, run: noArgs((*turn).list),
			forApprover: "the contracts you approve, and where each one is"},
		{name: "show", args: true, needsList: true, accepts: (*turn).recordAsked,
			help: "the record of your contract: the terms in force, who signed which version and when, its history (show ID for another)", run: (*turn).show},
		{name: "export", args: true, needsList: true, accepts: (*turn).recordAsked,
			help: "the record as a PDF, sent to you here (export ID for another)", run: (*turn).export},
		{name: "home", help: "your contracts, what waits for you and what comes next, on one page", needsList: true, needsSets: true,
			run: noArgs((*turn).home)},
		{name: "report", args: true, usage: "report [since 2027-01-01]", who: approver,
			help: "for L&D admins and approvers: how contracts are going (a card and a CSV file; no one is ranked)", run: (*turn).reportCommand},
		{name: "away", args: true, usage: "away until 3 March", needsSets: true,
			help: "no review requests from your learning sets until then (away off to have them again)", run: (*turn).away},
		{name: "learning-set", args: true, needsSets: true,
			help: "in a shared channel I'm in: make it a learning set, for peer review of drafts", run: (*turn).learningSetCommand},
		{name: "learning-set reviewers", args: true, usage: "learning-set reviewers 3", needsSets: true,
			help: "in a learning set: how many members review each draft (1 to 5)", run: (*turn).setReviewers},
		{name: "examples", args: true, usage: "examples TOPIC",
			help: "examples from colleagues' completed contracts on a topic: their goals, activities, evidence and what they learned", run: (*turn).examplesCommand},
		{name: "library", who: learner, help: "whether colleagues may see your completed contracts as examples; change it at any time", needsList: true,
			run: noArgs((*turn).libraryCommand)},
		{name: "my-data", help: "a file of everything I keep about you", run: noArgs((*turn).myData)},
		{name: "forget-me", help: "delete everything I keep about you (you confirm first)", run: noArgs((*turn).forgetMe)},
		{name: "help", aliases: []string{"?"}, help: "this list", needsList: true, run: noArgs((*turn).help)},
	}
}

func noArgs(f func(*turn)) func(*turn, string) { return func(t *turn, _ string) { f(t) } }

// editLine is the help line of "edit": the parts that can be named.
func editLine() string {
	var names []string
	for _, p := range parts {
		if p.name != contract.FieldGoals {
			names = append(names, p.name)
		}
	}
	return "change one part (also " + strings.Join(names, ", ") + "), or one goal, activity, piece of evidence or criterion: edit goal 2, edit evidence 1"
}

// lookup finds the command that cmd (normalized text) starts with, the
// longest name first, and the words after it.
func lookup(cmd string) (command, string, bool) {
	var (
		found command
		args  string
		best  = -1
	)
	for _, c := range commands() {
		for _, n := range append([]string{c.name}, c.aliases...) {
			rest, ok := strings.CutPrefix(cmd, n)
			switch {
			case !ok || len(n) <= best:
				continue
			case rest == "":
			case c.args && rest[0] == ' ':
				rest = strings.TrimSpace(rest)
			default:
				continue
			}
			found, args, best = c, rest, len(n)
		}
	}
	return found, args, best >= 0
}

// Typos. A short single word one keystroke away from a command's name
// ("hepl", "stauts": a letter added, dropped, changed or two swapped) is
// most likely that command mistyped, not an answer: the learner is asked
// whether they meant the command, and sending the same word again takes it
// as the answer after all. Longer text, or words further away, are answers.
// Only the names of commands that help would list here count (not their
// aliases, and not a learner's commands that do nothing where they are).
const (
	minTypo = 4  // shorter words are too often real answers ("now", "new")
	maxTypo = 16 // the longest command name is "learning-set", 12
)

// suggestion is the name of a command usable in this turn that cmd
// (normalized text) is probably a typo of.
func (t *turn) suggestion(cmd string) (string, bool) {
	n := utf8.RuneCountInString(cmd)
	if n < minTypo || n > maxTypo || strings.ContainsRune(cmd, ' ') {
		return "", false
	}
	if _, _, ok := lookup(cmd); ok {
		return "", false
	}
	for _, c := range t.helpLines() {
		if (c.accepts == nil || c.accepts(t)) && !strings.ContainsRune(c.name, ' ') && oneEditApart(cmd, c.name) {
			return c.name, true
		}
	}
	return "", false
}

// oneEditApart reports whether a becomes b by adding, dropping or changing
// one letter, or by swapping two neighbouring ones (optimal string
// alignment distance 1).
func oneEditApart(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y)-len(x) > 1 || string(x) == string(y) {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	switch {
	case len(x) < len(y): // one letter added
		return string(x[i:]) == string(y[i+1:])
	case string(x[i+1:]) == string(y[i+1:]): // one letter changed
		return true
	}
	// two neighbouring letters swapped
	return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:])
}

// typedCommand is the command an input types, if any (a bare slash command
// asks for help).
func typedCommand(in Input) (command, string, bool) {
	if in.Kind != TextInput && in.Kind != CommandInput {
		return command{}, "", false
	}
	cmd := normalize(in.Text)
	if cmd == "" && in.Kind == CommandInput {
		cmd = "help"
	}
	return lookup(cmd)
}

// IsCommand reports whether text, typed in a DM or after /contract, is a
// command the dialog knows.
func IsCommand(text string) bool {
	_, _, ok := lookup(normalize(text))
	return ok
}

// helpFor is the command's help line for someone with these roles.
func (c command) helpFor(r role) string {
	switch {
	case r&drafter != 0 && r&learner == 0 && c.forDrafter != "":
		return c.forDrafter
	case r&^drafter == approver && c.forApprover != "":
		return c.forApprover
	}
	return c.help
}

// usageOf is how help shows a command.
func (c command) usageOf() string {
	if c.usage != "" {
		return c.usage
	}
	return c.name
}

// roles are what the actor is to the contracts the turn knows of: the
// session's and, for help, all of theirs (Env.Contracts).
func (t *turn) roles() role {
	var r role
	cs := t.env.Contracts
	if c := t.sessionContract(); c != nil {
		cs = append([]*contract.Contract{c}, cs...)
	}
	for _, c := range cs {
		if c != nil && t.draftedFor(c) && editable(c.Status) && c.Drafter() == t.in.User {
			r |= drafter
		}
		switch {
		case c == nil || t.in.User == "" || c.HiddenFrom(t.in.User):
		case c.Learner == t.in.User:
			r |= learner
		case c.Approver == t.in.User:
			r |= approver
		}
	}
	return r
}

// helpLines are the commands that help lists in this turn: those of the
// actor's roles that apply where they are.
func (t *turn) helpLines() []command {
	roles := t.roles()
	var out []command
	for _, c := range commands() {
		if c.who != anyone && roles&c.who == 0 || c.applies != nil && !c.applies(t) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// atStep reports whether the learner is at a step of their draft (not
// stopped).
func (t *turn) atStep() bool { return t.inDraft() && t.s.State != StateStopped }

// resumable reports whether resume would carry something on: a stopped
// draft, a draft not open in the dialog, or a paused contract.
func (t *turn) resumable() bool {
	c := t.sessionContract()
	switch {
	case t.inDraft():
		return t.s.State == StateStopped
	case t.inFollowUp():
		return t.s.State == StatePauseReason
	}
	return t.draftOf(c) || c != nil && c.Learner == t.in.User && c.Status == contract.Paused
}

// finishTyped reports whether typed words are a finishing command: not
// while drafting, and in a follow-up only for a command typed with
// /contract or the evidence's "done".
func (t *turn) finishTyped() bool {
	switch {
	case t.inDraft():
		return t.in.Kind == CommandInput
	case t.inFollowUp():
		return t.in.Kind == CommandInput || t.s.State == StateHandIn
	}
	return true
}

// submittable reports whether submit would hand in evidence.
func (t *turn) submittable() bool {
	c := t.ownContract()
	return c != nil && !t.inDraft() && (c.Status == contract.Active || c.Status == contract.Renegotiating) &&
		(!t.inFollowUp() || t.s.State == StateHandIn)
}

// reflectable reports whether reflect would start the reflection.
func (t *turn) reflectable() bool {
	c := t.ownContract()
	return c != nil && !t.inDraft() && !t.inFollowUp() && c.Status == contract.Submitted && c.Assessed()
}

// pausable reports whether pause would pause the learner's contract.
func (t *turn) pausable() bool {
	c := t.sessionContract()
	return !t.inDraft() && c != nil && c.Learner == t.in.User && (c.Status == contract.Active || c.Status == contract.Renegotiating)
}

package conversation

import (
	"regexp"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/record"
)

// The signed record: /contract show and /contract export, for the
// contract's parties only.

// Record buttons: show a contract's record (from the list of contracts to
// pick from), and export it as a PDF (from the record).
const (
	ActionShowRecord   ActionID = "lp_show_record"
	ActionExportRecord ActionID = "lp_export_record"
)

// Export sends the record of a contract to User's DM as a PDF file, with
// Comment. A platform that cannot send files, or fails to, sends Card (the
// record as a message) instead.
type Export struct {
	User    string
	Record  record.Record
	Comment message.Message
	Card    message.Message
}

func (Export) effect() {}

// recordButtons are the record's buttons and what they do.
var recordButtons = map[ActionID]func(*turn){
	ActionShowRecord:   func(t *turn) { t.showRecord(t.c, false) },
	ActionDecide:       (*turn).decideClick,
	ActionExportRecord: func(t *turn) { t.showRecord(t.c, true) },
}

// show answers /contract show [ID].
func (t *turn) show(id string) { t.record(id, false) }

// export answers /contract export [ID].
func (t *turn) export(id string) { t.record(id, true) }

// recordAsked reports whether typed words starting with show or export
// ask for a record: always after /contract, and in a DM unless a step of
// a draft or a question is waiting for an answer, where only the bare word
// or the id of one of the actor's contracts after it is a command ("Show
// and tell" is a fine title).
func (t *turn) recordAsked() bool {
	if t.in.Kind == CommandInput || !t.atStep() && !t.inFollowUp() {
		return true
	}
	_, id, _ := typedCommand(t.in)
	if id == "" {
		return true
	}
	for _, c := range t.env.Contracts {
		if c != nil && c.ID == id {
			return true
		}
	}
	return false
}

// typedID is how a contract id may be typed: letters, digits, '.', '_'
// and '-'.
var typedID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// record finds the contract a show or export is about: the one named, else
// the session's, else the actor's only one; with several, it asks which.
func (t *turn) record(id string, export bool) {
	mine := t.env.Contracts
	if id != "" {
		for _, c := range mine {
			if c != nil && c.ID == id {
				t.showRecord(c, export)
				return
			}
		}
		t.reply(notYoursMsg(id, typedID.MatchString(id)))
		return
	}
	if c := t.sessionContract(); c != nil && t.party(c) {
		t.showRecord(c, export)
		return
	}
	var cs []*contract.Contract
	for _, c := range mine {
		if c != nil && t.party(c) {
			cs = append(cs, c)
		}
	}
	switch len(cs) {
	case 0:
		t.reply(note("No contracts yet", "You don't have any contracts yet. Type ", code("new"), " to start one."))
	case 1:
		t.showRecord(cs[0], export)
	default:
		t.reply(pickRecordMsg(cs, t.in.User, export))
	}
}

// party reports whether the actor is one of c's parties, on c's platform
// and team.
func (t *turn) party(c *contract.Contract) bool {
	if c == nil || t.in.User == "" || c.HiddenFrom(t.in.User) || c.Platform != "" && c.Platform != t.env.Platform || c.Team != "" && c.Team != t.env.Team {
		return false
	}
	for _, p := range c.Parties() {
		if p == t.in.User {
			return true
		}
	}
	return false
}

// showRecord shows c's record, or sends it as a PDF: only to its parties,
// and a PDF only once the contract has been proposed.
func (t *turn) showRecord(c *contract.Contract, export bool) {
	if !t.party(c) {
		id := ""
		if c != nil {
			id = c.ID
		}
		t.reply(notYoursMsg(id, id != ""))
		return
	}
	r := record.Build(c, t.env.Now)
	if !export {
		t.reply(recordMsg(r, exportable(c)))
		return
	}
	if !exportable(c) {
		t.reply(draftExportMsg(c))
		return
	}
	t.out = append(t.out, Export{User: t.in.User, Record: r, Comment: exportCommentMsg(r), Card: recordCardMsg(r)})
}

// exportable reports whether c has a record worth a PDF: it has been
// proposed at least once.
func exportable(c *contract.Contract) bool { return c.Version > 0 }

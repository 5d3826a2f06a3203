package conversation

import "github.com/learnpact/learnpact/conversation/message"

// Privacy buttons: on the card that asks a person to confirm deleting
// everything stored about them.
const (
	ActionForgetMe   ActionID = "lp_forget_me"    // delete it all
	ActionKeepMyData ActionID = "lp_keep_my_data" // changed their mind
)

// ExportData asks the engine for a file of everything stored about User,
// sent to their direct conversation with Comment.
type ExportData struct {
	User    string
	Comment message.Message
}

// Forget asks the engine to delete everything stored about User: their
// session, the contracts they are the learner of, and their words in
// everyone else's contracts, which then show "a former colleague". Done is
// sent to them afterwards.
type Forget struct {
	User string
	Done message.Message
}

func (ExportData) effect() {}
func (Forget) effect()     {}

// myData sends the person a file of what is stored about them.
func (t *turn) myData() {
	t.out = append(t.out, ExportData{User: t.in.User, Comment: note("Everything I keep about you",
		"Here is everything I keep about you, as a JSON file: your conversation with me, the contracts you take part in, and what you wrote in others' contracts. Type ",
		message.Code("forget-me"), " to have it deleted.")})
}

// forgetMe asks the person to confirm; nothing is deleted yet.
func (t *turn) forgetMe() { t.reply(forgetConfirmMsg()) }

func forgetConfirmMsg() message.Message {
	return msg("Delete everything I keep about you?",
		section(bold("Delete everything I keep about you?")),
		section("This deletes our conversation, the contracts you are the learner of, and what you wrote in other people's contracts (feedback, comments, assessments): there it will say ",
			message.Italic("a former colleague"), ". Only anonymous counts remain. It cannot be undone; type ", code("my-data"), " first for a copy."),
		actions(button("Delete everything", ActionForgetMe, "", message.Danger),
			button("Keep my data", ActionKeepMyData, "", message.Default)),
	)
}

// forgetClick deletes everything about the person who clicked: the click
// carries its clicker, so nobody can confirm for someone else.
func (t *turn) forgetClick() {
	t.s = Session{User: t.in.User}
	if t.in.Source.TS != "" {
		t.update(t.in.Source, note("You asked me to delete everything about you", "You asked me to delete everything I keep about you."))
	}
	t.out = append(t.out, Forget{User: t.in.User, Done: note("Everything about you is deleted",
		"Done: everything I kept about you is deleted. If you write to me again, we start afresh.")})
}

// keepClick leaves everything as it is.
func (t *turn) keepClick() {
	t.settleCard(note("Nothing was deleted", "Nothing was deleted."))
}

package conversation

import (
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// Session is one user's dialog state, stored as JSON between turns.
type Session struct {
	User  string `json:"user"`
	State State  `json:"state"`
	// ContractID is the contract the dialog is about (the draft being
	// written or revised); empty when none.
	ContractID string    `json:"contract_id,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`

	// Back is the stack of earlier states, for "back".
	Back []State `json:"back,omitempty"`
	// Pending holds a value awaiting confirmation, e.g. a coached goal.
	Pending *Pending `json:"pending,omitempty"`
	// Editing is set when the learner came to a step from the summary, so
	// finishing it returns there.
	Editing bool `json:"editing,omitempty"`
	// EditItem is the number (from 1) of the one goal, activity, piece of
	// evidence or criterion being changed at its part's step ("edit goal
	// 2"); 0 when the step is about the whole part.
	EditItem int `json:"edit_item,omitempty"`
	// Aside is a drafting dialog that a follow-up question (a check-in,
	// a pause reason) interrupted; it is waiting, stopped, once the
	// question is answered.
	Aside *Aside `json:"aside,omitempty"`
	// Date is the new deadline understood (YYYY-MM-DD), waiting for the
	// learner to confirm it before it goes to the approver.
	Date string `json:"date,omitempty"`
	// Typo is a word just questioned as a likely typo of a command ("did
	// you mean help?"); the same word typed next is taken as an answer.
	Typo string `json:"typo,omitempty"`
	// Item is what a follow-up question about finishing a contract is
	// on: the piece of evidence, success criterion or impact check.
	Item int `json:"item,omitempty"`
	// Template is the template ("id@version") picked for the draft, whose
	// form is open (StateTemplateForm).
	Template string `json:"template,omitempty"`
	// Reflection holds the answers to the closing prompts so far.
	Reflection *contract.Reflection `json:"reflection,omitempty"`
	// Offered is the draft that colleagues' examples were offered for,
	// so they are offered once per draft.
	Offered string `json:"offered,omitempty"`
}

// Aside is a drafting dialog set aside: its contract, step and back stack.
type Aside struct {
	ContractID string  `json:"contract_id"`
	State      State   `json:"state"`
	Back       []State `json:"back,omitempty"`
}

// Pending is a suggestion waiting for "Use suggestion" / "Keep mine".
type Pending struct {
	Original   string `json:"original"`
	Suggestion string `json:"suggestion"`
}

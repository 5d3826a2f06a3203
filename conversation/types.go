// Package conversation is the dialog state machine. Step is a pure function:
// (session, contract, input) → (session', contract', effects). It never
// touches a network, a store or a clock it was not given; the engine in
// package bot carries out the effects.
package conversation

import (
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/template"
)

// State is where a user's dialog is.
type State string

// InputKind says what started a turn.
type InputKind string

const (
	TextInput    InputKind = "text"    // a message typed in a DM
	ActionInput  InputKind = "action"  // a button click or select choice
	CommandInput InputKind = "command" // a slash command (Text holds its arguments)
	SubmitInput  InputKind = "submit"  // a modal submission
	DueInput     InputKind = "due"     // a scheduled item came due
	// ThreadInput is a message in a channel thread (Thread is its root).
	// Value is filled in by the engine: the ActionValue of the contract
	// whose shared draft the thread is under.
	ThreadInput InputKind = "thread"
	// JoinInput says the bot was added to a channel (Channel); User is
	// whoever added it, when known.
	JoinInput InputKind = "joined"
	// DeliveredInput says the platform took a nudge's message (see
	// Nudge): Contract, DueKind and DueAt name the item, User its
	// recipient. The item then counts as sent.
	DeliveredInput InputKind = "delivered"
	// PostedInput says the platform took a shared draft's post (see
	// Shared): Contract and Round name the review round, User is the
	// learner, and Channel and Thread are where the post went, the root
	// of the thread its reviewers answer in.
	PostedInput InputKind = "posted"
)

// MessageRef points at a message already sent, so it can be updated.
type MessageRef struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
	// ReplaceURL replaces a message that has no TS: a card shown to one
	// person only (Slack's response_url of an ephemeral message).
	ReplaceURL string `json:"replace_url,omitempty"`
}

// Known reports whether the message can be updated.
func (r MessageRef) Known() bool { return r.TS != "" || r.ReplaceURL != "" }

// Input is one thing a person (or the clock) did.
type Input struct {
	Kind    InputKind
	User    string // platform user id of the actor
	Channel string // where it happened (a DM id, a channel id)
	// Thread is the root message id when the message is a thread reply.
	Thread string
	Text   string
	// Public is set for text said where others see it (a mention of the
	// bot in a channel or group chat) rather than in the actor's direct
	// conversation with the bot: what the bot answers is for them alone.
	Public bool

	// ActionID and Value are set for ActionInput; Value for a contract
	// decision is an ActionValue.
	ActionID string
	Value    string
	// Source is the message the button was on, when known.
	Source MessageRef
	// TriggerID lets a click open a modal (valid for 3 s on Slack).
	TriggerID string

	// CallbackID, PrivateData and Form are set for SubmitInput.
	CallbackID  string
	PrivateData string
	Form        map[string]string

	// DueKind names the scheduled item for DueInput (a contract.DueKind),
	// and User is its recipient.
	DueKind string
	// Contract is the contract a DueInput or DeliveredInput is about. A
	// digest names none: Env.Contracts holds the approver's contracts.
	Contract string
	// DueAt is the planned time of the item a DeliveredInput confirms.
	DueAt time.Time
	// Round is the review round a PostedInput records.
	Round int

	// Files are the files shared with a TextInput (the text may be
	// empty): the platform's references, never their bytes.
	Files []contract.File
}

// Env is what Step may know of the world beyond its arguments.
type Env struct {
	Now      time.Time
	Platform string
	Team     string
	// NewID returns a fresh contract id.
	NewID func() string
	// Location is the user's time zone, for reading dates; UTC when nil.
	Location *time.Location
	// BotUser is the bot's own user id, so a learner cannot name the bot
	// as their approver; empty when unknown.
	BotUser string
	// Approvers is the policy on who may approve (the APPROVERS
	// setting); ApproverGroup the members of its group, for a group
	// policy, loaded when ChoosesApprover (nil when they could not be
	// read).
	Approvers     approverpolicy.Policy
	ApproverGroup []string
	// Contracts are the actor's contracts, loaded by the engine only when
	// NeedsList reports that the turn needs them.
	Contracts []*contract.Contract
	// Reviews are contracts whose peer review may wait for the actor,
	// loaded with Contracts for the home (NeedsHome); the home keeps
	// those that still do.
	Reviews []*contract.Contract
	// Older counts the actor's contracts older than those in Contracts,
	// which the engine left out of a home: a home says how many.
	Older int
	// ImpactDays are the impact check-backs a contract completed in this
	// turn gets, in days after completion; contract.DefaultImpactDays
	// when nil.
	ImpactDays []int
	// Sets are the team's learning sets with their members now, and the
	// channel the input came from when it is not a set yet (Exists
	// false), loaded only when NeedsSets reports that the turn needs them.
	Sets []learningset.View
	// Examples are examples from the library of past contracts, loaded
	// only when NeedsExamples reports that the turn needs them: the best
	// matches of its search, or the one example opened; each checked
	// against its contract's consent as the turn began.
	Examples []library.Example
	// Templates are the contract templates a draft may start from (the
	// LEARNPACT_TEMPLATES setting); drafts start blank when it has none.
	Templates *template.Library
}

// Effect is something the engine must do after the turn is saved. Concrete
// types: Reply, Send, Update, Ephemeral, OpenModal, Post, SetChange.
type Effect interface{ effect() }

// Reply answers the actor where they spoke (their DM for text and commands,
// the channel of the clicked message for actions).
type Reply struct{ Message message.Message }

// Send sends a message to a user's DM.
type Send struct {
	User    string
	Message message.Message
	// Nudge is set when the message is a scheduled item: once the
	// platform took it, Nudge.Input confirms it in a turn of its own.
	Nudge *Nudge
}

// Nudge names the scheduled item a message is, so that its delivery can be
// confirmed: a nudge counts as sent only once the platform took it.
// Outboxes keep it with the message.
type Nudge struct {
	Contract string    `json:"contract"`
	Kind     string    `json:"kind"` // a contract.DueKind
	At       time.Time `json:"at"`   // the item's planned time (contract.Due.At)
	User     string    `json:"user"` // its recipient
}

// Input is the DeliveredInput that confirms the nudge.
func (n Nudge) Input() Input {
	return Input{Kind: DeliveredInput, User: n.User, Contract: n.Contract, DueKind: n.Kind, DueAt: n.At}
}

// Update replaces a message already sent (e.g. a card whose buttons have
// been used).
type Update struct {
	Ref     MessageRef
	Message message.Message
}

// Ephemeral answers the actor privately, visible only to them.
type Ephemeral struct{ Message message.Message }

// OpenModal opens a form in response to a click.
type OpenModal struct {
	TriggerID string
	Modal     message.Modal
}

// Post sends a message to a channel, or in the thread under Thread. When
// Shared is set the message is a draft shared for review: the engine
// remembers its thread, so replies find the contract, and records where it
// was posted on the contract.
type Post struct {
	Channel string
	Thread  string
	Message message.Message
	Shared  *Shared
}

// Shared names a contract's round of peer review, shared by the contract's
// learner. Outboxes keep it with the message, so that once the platform
// took the post, Shared.Input records where it went in a turn of its own.
type Shared struct {
	Contract string `json:"contract"`
	Round    int    `json:"round"`
	Learner  string `json:"learner"`
}

// Input is the PostedInput that records that the shared draft was posted
// at ref.
func (s Shared) Input(ref MessageRef) Input {
	return Input{Kind: PostedInput, User: s.Learner, Contract: s.Contract, Round: s.Round, Channel: ref.Channel, Thread: ref.TS}
}

// SetChange changes a learning set after the turn; Create makes the
// channel one first (the change then applies to the new set).
type SetChange struct {
	Channel string
	Create  *learningset.Set
	Change  learningset.Change
}

func (Post) effect()      {}
func (SetChange) effect() {}
func (Reply) effect()     {}
func (Send) effect()      {}
func (Update) effect()    {}
func (Ephemeral) effect() {}
func (OpenModal) effect() {}

// Result is the outcome of one Step.
type Result struct {
	Session  Session
	Contract *contract.Contract // nil when the turn touched no contract
	Effects  []Effect
}

// ContractOf returns the contract an input refers to explicitly (a button's
// value, a modal's private data, a due item's contract), or "" when the
// session's current contract applies.
func ContractOf(in Input) string {
	switch in.Kind {
	case DueInput, DeliveredInput, PostedInput:
		return in.Contract
	case ActionInput, ThreadInput:
		if v, err := ParseActionValue(in.Value); err == nil {
			return v.ContractID
		}
	case SubmitInput:
		if v, err := ParseActionValue(in.PrivateData); err == nil {
			return v.ContractID
		}
	}
	return ""
}

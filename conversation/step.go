package conversation

import "github.com/learnpact/learnpact/conversation/contract"

// Step runs one turn of the dialog. (Placeholder while the flows are built.)
func Step(env Env, s Session, c *contract.Contract, in Input) Result {
	return Result{Session: s}
}

// NeedsList reports whether the turn needs the actor's contracts in Env.
func NeedsList(s Session, in Input) bool { return false }

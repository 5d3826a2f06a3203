package conversation

import (
	"errors"

	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/conversation/message"
)

// ChoosesApprover reports whether the turn may name an approver: text
// typed at the approver step, or draft-for (whose actor becomes the
// approver). The engine then reads the members of the approver group
// (Env.ApproverGroup) when the policy names one.
func ChoosesApprover(s Session, in Input) bool {
	if c, _, ok := typedCommand(in); ok && c.name == "draft-for" {
		return true
	}
	return (s.State == StateApprover || s.State == StateAdvocate) && (in.Kind == TextInput || in.Kind == CommandInput)
}

// approverRefusedMsg says why the approver named may not approve the
// learner's contracts under the APPROVERS policy, and whom to name instead.
func approverRefusedMsg(err error, named string) message.Message {
	var r *approverpolicy.Refused
	if !errors.As(err, &r) {
		return note("Pick someone else to approve", "I can't take ", at(named), " as your approver. Mention someone else, like ", code("@Mo"), ".")
	}
	switch {
	case r.Group != "" && r.Unknown:
		return note("I couldn't check that approver", "Approvers here are the members of ", code("@"+r.Group),
			", and I couldn't read who they are just now. Please mention your approver again in a moment.")
	case r.Group != "":
		return note("Pick an approver from "+"@"+r.Group, at(named), " isn't in ", code("@"+r.Group),
			": here, only its members approve learning contracts. Mention your manager or facilitator from that group.")
	case r.Unlisted:
		return note("No approver is listed for you", "Here, each learner's approvers come from a list your organisation keeps, and you aren't on it yet. Ask your L&D team to add you; your draft is kept meanwhile.")
	}
	x := txt(at(named), " isn't one of your approvers in the list your organisation keeps. Mention ")
	for i, a := range r.Listed {
		switch {
		case i == 0:
		case i == len(r.Listed)-1:
			x = append(x, txt(" or ")...)
		default:
			x = append(x, txt(", ")...)
		}
		x = append(x, at(a))
	}
	return note("Pick one of your listed approvers", append(x, txt(".")...))
}

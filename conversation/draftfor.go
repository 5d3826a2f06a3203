package conversation

import (
	"errors"
	"slices"
	"strings"

	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Drafting for someone: `draft-for @person` lets an approver (a manager,
// someone in L&D) draft the terms of a learner's contract and send them.
// The drafter runs the same drafting dialog, without the approver step
// (they are the approver); sending proposes the terms to the learner, with
// the drafter's signature on them, as an amendment is. The learner accepts
// and signs, counters (edits and sends their own version back), or
// declines. The learner sees nothing of it until it is sent.

// ActionDeclineDraft turns down a contract drafted for the learner.
const ActionDeclineDraft ActionID = "lp_decline_draft"

// errSeveral says that more than one person was mentioned.
var errSeveral = errors.New("mentioned several people")

// draftForCommand answers `draft-for @person`: a new draft for them, or a
// clear answer that changes nothing. The person is read from the text as
// typed (the arguments are lower-cased, and user ids are not).
func (t *turn) draftForCommand(string) {
	if t.in.User == "" {
		t.help()
		return
	}
	learner, err := parseLearner(t.in.Text, t.in.User, t.env.BotUser)
	if err != nil {
		t.reply(draftForErrorMsg(err))
		return
	}
	if err := t.env.Approvers.Check(learner, t.in.User, t.env.ApproverGroup); err != nil {
		t.reply(draftForRefusedMsg(err, learner))
		return
	}
	if c := t.draftingFor(learner); c != nil {
		t.reply(alreadyDraftingMsg(c))
		return
	}
	t.c = contract.NewDraftFor(t.newID(), t.env.Platform, t.env.Team, learner, t.in.User, t.env.Now)
	t.dirty = true
	t.s = Session{User: t.s.User, State: StateTitle, ContractID: t.c.ID, UpdatedAt: t.s.UpdatedAt}
	if t.offersTemplates() {
		t.s.State = StateStart
		t.reply(t.prompt(nil))
		return
	}
	t.reply(draftForWelcomeMsg(learner))
}

// draftForTyped reports whether typed words are draft-for: always as
// "draft-for"; as "draft for" only with a mention, or where no answer is
// waited for ("Draft for the board" is a fine title).
func (t *turn) draftForTyped() bool {
	return t.in.Kind == CommandInput || strings.HasPrefix(normalize(t.in.Text), "draft-for") ||
		!t.awaitsText() || mention.MatchString(t.in.Text)
}

// newID is a fresh contract id.
func (t *turn) newID() string {
	if t.env.NewID != nil {
		if id := t.env.NewID(); id != "" {
			return id
		}
	}
	return "c" + t.env.Now.UTC().Format("20060102150405.000000000")
}

// parseLearner reads the one person mentioned in args: not the actor, not
// a bot, and no second person.
func parseLearner(args, actor, botUser string) (string, error) {
	var people []string
	for _, m := range mention.FindAllStringSubmatch(args, -1) {
		if !slices.Contains(people, m[1]) {
			people = append(people, m[1])
		}
	}
	switch {
	case len(people) > 1:
		return "", errSeveral
	case len(people) == 0:
		return "", errNoMention
	}
	if err := checkPerson(people[0], actor, botUser); err != nil {
		return "", err
	}
	return people[0], nil
}

// draftingFor is a contract the actor drafted for learner that is still
// being negotiated, if any.
func (t *turn) draftingFor(learner string) *contract.Contract {
	cs := t.env.Contracts
	if c := t.sessionContract(); c != nil {
		cs = append([]*contract.Contract{c}, cs...)
	}
	for _, c := range cs {
		if c == nil || c.DraftedBy != t.in.User || c.Learner != learner {
			continue
		}
		switch c.Status {
		case contract.Draft, contract.InPeerReview, contract.ChangesRequested, contract.Proposed:
			return c
		}
	}
	return nil
}

// draftedFor reports whether the actor is drafting c for someone else.
func (t *turn) draftedFor(c *contract.Contract) bool {
	return c != nil && c.DraftedBy != "" && c.DraftedBy == t.in.User && c.Learner != t.in.User
}

// declineDraft turns down terms drafted for the learner: the contract is
// withdrawn and the drafter told; the learner may say why.
func (t *turn) declineDraft() {
	v, ok := t.target(t.in.Value)
	if !ok {
		return
	}
	c := t.c
	if !t.decide(c.DoDeclineDrafted(t.in.User, v.Version, t.env.Now), "decline") {
		return
	}
	t.update(t.in.Source, decidedMsg(c, c.Version, "Declined", declinedDraftOutcome(c)))
	t.send(c.DraftedBy, declinedDraftMsg(c))
	t.reply(declineReasonOffer(c, c.DraftedBy))
}

// visible drops the contracts user may not see yet (see
// contract.HiddenFrom).
func visible(cs []*contract.Contract, user string) []*contract.Contract {
	if !slices.ContainsFunc(cs, func(c *contract.Contract) bool { return c != nil && c.HiddenFrom(user) }) {
		return cs
	}
	out := make([]*contract.Contract, 0, len(cs))
	for _, c := range cs {
		if c == nil || !c.HiddenFrom(user) {
			out = append(out, c)
		}
	}
	return out
}

// draftForRefusedMsg says why the actor may not draft for learner under
// the APPROVERS policy.
func draftForRefusedMsg(err error, learner string) message.Message {
	var r *approverpolicy.Refused
	switch {
	case !errors.As(err, &r):
		return note("You can't draft for them", "You can't draft a contract for ", at(learner), ": you aren't someone who may approve it.")
	case r.Group != "" && r.Unknown:
		return note("I couldn't check that just now", "Approvers here are the members of ", code("@"+r.Group),
			", and I couldn't read who they are just now. Please try again in a moment.")
	case r.Group != "":
		return note("Only approvers draft for others", "Only members of ", code("@"+r.Group),
			" approve learning contracts here, so you can't draft one for ", at(learner), ". Nothing was started.")
	case r.Unlisted:
		return note("No approver is listed for them", "The list of approvers your organisation keeps names none for ", at(learner),
			", so you can't draft a contract for them yet. Nothing was started.")
	}
	x := txt("You aren't one of ", at(learner), "'s approvers in the list your organisation keeps, so you can't draft a contract for them. Their approvers are ")
	x = append(x, mentions(r.Listed)...)
	return note("You aren't their approver", append(x, txt(".")...))
}

// sentToMe is the latest contract drafted for the actor that waits for
// their answer, for status when their dialog holds no contract: drafted
// for them, it never passed through their dialog.
func (t *turn) sentToMe() *contract.Contract {
	var out *contract.Contract
	for _, c := range t.env.Contracts {
		if c == nil || c.Learner != t.in.User || c.DraftedBy == "" || c.HiddenFrom(t.in.User) || c.Status != contract.Proposed {
			continue
		}
		if out == nil || c.UpdatedAt.After(out.UpdatedAt) {
			out = c
		}
	}
	return out
}

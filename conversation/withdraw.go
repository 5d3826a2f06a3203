package conversation

import (
	"fmt"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Withdrawing: the person who holds a contract's pen (its learner, or
// someone drafting it for them) abandons a draft, a proposal or a paused
// contract for good, after confirming. A signed contract is ended with
// "end" instead.
const (
	ActionWithdrawAsk ActionID = "lp_withdraw_ask" // which one, from a list of several
	ActionWithdraw    ActionID = "lp_withdraw"     // confirmed
	ActionKeepIt      ActionID = "lp_keep_it"      // changed their mind
)

var withdrawButtons = map[ActionID]func(*turn){
	ActionWithdrawAsk: (*turn).withdrawAskClick,
	ActionWithdraw:    (*turn).withdrawClick,
	ActionKeepIt:      (*turn).keepItClick,
}

// withdrawable are the contracts the actor may withdraw now, the one in
// their dialog first.
func (t *turn) withdrawable() []*contract.Contract {
	var out []*contract.Contract
	if c := t.sessionContract(); c != nil && c.Check(contract.Withdraw, t.in.User, 0) == nil {
		out = append(out, c)
	}
	for _, c := range t.env.Contracts {
		if c == nil || len(out) > 0 && c.ID == out[0].ID || c.HiddenFrom(t.in.User) {
			continue
		}
		if c.Check(contract.Withdraw, t.in.User, 0) == nil {
			out = append(out, c)
		}
	}
	return out
}

// withdrawCmd answers "withdraw": the confirmation for the contract in the
// dialog (or the only one that can be withdrawn), a choice among several,
// or why there is none.
func (t *turn) withdrawCmd() {
	cs := t.withdrawable()
	switch {
	case len(cs) == 0:
		t.reply(nothingToWithdrawMsg())
	case len(cs) == 1 || t.sessionContract() != nil && cs[0].ID == t.sessionContract().ID:
		t.reply(withdrawConfirmMsg(cs[0], t.in.User))
	default:
		t.reply(withdrawWhichMsg(cs))
	}
}

// withdrawAskClick asks to confirm withdrawing the contract picked.
func (t *turn) withdrawAskClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	if err := t.c.Check(contract.Withdraw, t.in.User, 0); err != nil {
		t.refuse(err, "withdraw")
		return
	}
	t.reply(withdrawConfirmMsg(t.c, t.in.User))
}

// withdrawClick withdraws the contract confirmed: the parties who saw it
// are told; the card becomes what was done.
func (t *turn) withdrawClick() {
	if _, ok := t.target(t.in.Value); !ok {
		return
	}
	c := t.c
	if !t.decide(c.DoWithdraw(t.in.User, t.env.Now), "withdraw") {
		return
	}
	if t.s.ContractID == c.ID {
		t.idle()
	}
	t.settleCard(withdrawnMsg(c))
	if c.Version == 0 {
		return // nobody else has seen it
	}
	for _, u := range c.Parties() {
		if u != t.in.User {
			t.send(u, withdrawnNoticeMsg(c, t.in.User))
		}
	}
}

// keepItClick leaves the contract as it is, and carries on with the step
// the person was at.
func (t *turn) keepItClick() {
	t.settleCard(note("Nothing was withdrawn", "Nothing changed: the contract is kept."))
	if t.atStep() {
		t.reprompt(txt("Here's where we were."))
	}
}

func nothingToWithdrawMsg() message.Message {
	return note("Nothing to withdraw",
		"There's nothing to withdraw: drafts, contracts waiting for signatures and paused contracts can be. A signed contract ends with ",
		code("end"), "; to stop drafting for now and keep the draft, type ", code("cancel"), ".")
}

func withdrawConfirmMsg(c *contract.Contract, actor string) message.Message {
	who := txt("Nobody else has seen it.")
	if c.Version > 0 {
		var others []string
		for _, u := range c.Parties() {
			if u != actor {
				others = append(others, u)
			}
		}
		who = append(append(txt("I'll tell "), mentions(others)...), txt(".")...)
	}
	v := ActionValue{ContractID: c.ID, Version: c.Version}.Encode()
	return msg("Withdraw this contract?",
		section(bold("Withdraw "), quoted(c), bold("?")),
		section("This stops it for good: it stays in your list as withdrawn. ", who,
			" To stop for now and keep the draft, type ", code("cancel"), " instead."),
		actions(button("Withdraw it", ActionWithdraw, v, message.Danger),
			button("Keep it", ActionKeepIt, v, message.Default)))
}

// maxWithdrawListed is how many contracts the choice of which to withdraw
// lists.
const maxWithdrawListed = 10

func withdrawWhichMsg(cs []*contract.Contract) message.Message {
	bs := blocks{section(bold("Which contract do you want to withdraw?"))}
	for i, c := range cs {
		if i == maxWithdrawListed {
			bs = append(bs, message.Context{Text: txt("and more: type ", code("list"), " to see them all.")})
			break
		}
		s := section(clipString(titleOf(c.Terms), maxHeader), "\n", statusLabel(c.Status))
		b := button("Withdraw…", ActionWithdrawAsk, ActionValue{ContractID: c.ID}.Encode(), message.Default)
		s.Accessory = &b
		bs = append(bs, s)
	}
	return msg("Which contract do you want to withdraw?", bs...)
}

func withdrawnMsg(c *contract.Contract) message.Message {
	return note("Contract withdrawn", "You withdrew ", quoted(c), ". Type ", code("new"), " whenever you want to start another.")
}

func withdrawnNoticeMsg(c *contract.Contract, by string) message.Message {
	return note("A contract was withdrawn", at(by), " withdrew ", quoted(c), fmt.Sprintf(" (version %d). Nothing waits for you on it any more.", c.Version))
}

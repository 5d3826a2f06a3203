package conversation

import (
	"errors"
	"strconv"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Check-ins both ways: the approver hears of a Blocked check-in or a
// request for help (contract.DueSupport, sent by the scheduler in their
// working hours) and can answer any check-in, from that message or from
// their digest, with a few words or an offer to talk; the learner gets the
// answer.

// The approver's answers to a check-in.
const (
	ActionReplyCheckIn ActionID = "lp_reply_checkin" // open the reply form
	ActionLetsTalk     ActionID = "lp_lets_talk"     // offer to talk it through
)

// CallbackReplyCheckIn is the reply form; FieldReply its text and
// FieldTalk its "let's talk" box (checked: TalkYes).
const (
	CallbackReplyCheckIn = "reply_checkin"
	FieldReply           = "reply"
	FieldTalk            = "talk"
	TalkYes              = "yes"
)

// replyPrefix names the check-in a reply button answers (a Prompt).
const replyPrefix = "re:"

func checkInReplyPrompt(i int) string { return replyPrefix + strconv.Itoa(i) }

// checkInOf reads which check-in a reply button or form is about.
func checkInOf(v ActionValue, c *contract.Contract) (int, bool) {
	s, ok := strings.CutPrefix(v.Prompt, replyPrefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	return i, err == nil && i >= 0 && i < len(c.CheckIns)
}

// replyValue is what a reply button about check-in i of c carries.
func replyValue(c *contract.Contract, i int, digest bool) string {
	return ActionValue{ContractID: c.ID, Version: c.Version, Prompt: checkInReplyPrompt(i), Digest: digest}.Encode()
}

// replyTarget reads the contract and check-in a reply click or form is
// about, and checks that the actor may answer it; it answers and returns
// false otherwise.
func (t *turn) replyTarget(raw string) (ActionValue, int, bool) {
	v, ok := t.target(raw)
	if !ok {
		return v, 0, false
	}
	if err := t.c.Check(contract.ReplyCheckIn, t.in.User, 0); err != nil {
		t.refuse(err, "answer check-ins on")
		return v, 0, false
	}
	i, ok := checkInOf(v, t.c)
	if !ok {
		t.ephemeral(note("I can't find that check-in", "I can't find that check-in any more. Type ", code("list"), " to see the contracts you approve."))
		return v, 0, false
	}
	return v, i, true
}

// replyCheckInClick opens the reply form for the check-in of the card clicked.
func (t *turn) replyCheckInClick() {
	v, i, ok := t.replyTarget(t.in.Value)
	if !ok {
		return
	}
	ref := t.in.Source
	if v.Digest {
		ref = MessageRef{} // the digest stays as it is
	}
	av := ActionValue{ContractID: t.c.ID, Version: t.c.Version, Ref: ref, Digest: v.Digest, Prompt: checkInReplyPrompt(i)}
	t.out = append(t.out, OpenModal{TriggerID: t.in.TriggerID, Modal: replyModal(t.c, i, av)})
}

// letsTalkClick answers the check-in of the card clicked with an offer to
// talk it through.
func (t *turn) letsTalkClick() {
	v, i, ok := t.replyTarget(t.in.Value)
	if !ok {
		return
	}
	if v.Digest {
		v.Ref = MessageRef{}
	} else {
		v.Ref = t.in.Source
	}
	t.answerCheckIn(v, i, "", true)
}

// submitReply answers a check-in from the reply form.
func (t *turn) submitReply() {
	v, i, ok := t.replyTarget(t.in.PrivateData)
	if !ok {
		return
	}
	text := strings.TrimSpace(t.in.Form[FieldReply])
	talk := strings.Contains(t.in.Form[FieldTalk], TalkYes)
	if text == "" && !talk {
		t.ephemeral(retryFormMsg(txt("Please write a few words for ", at(t.c.Learner), ", or tick ", bold("Let's talk"), "."),
			"Write your reply", ActionReplyCheckIn, v))
		return
	}
	t.answerCheckIn(v, i, text, talk)
}

// answerCheckIn records the approver's answer, tells the learner, and
// shows the answer on the approver's card (or, from a digest, privately).
func (t *turn) answerCheckIn(v ActionValue, i int, text string, talk bool) {
	c := t.c
	err := c.DoReply(t.in.User, i, text, talk, t.env.Now)
	if errors.Is(err, contract.ErrEmptyReply) {
		return
	}
	if !t.decide(err, "answer check-ins on") {
		return
	}
	ci := c.CheckIns[i]
	t.send(c.Learner, checkInAnsweredMsg(c, ci, t.in.User, text, talk))
	outcome := replyOutcome(c, text, talk)
	if v.Ref.TS == "" {
		t.ephemeral(msg("Your reply was sent", section(outcome), message.Context{Text: txt(titleOf(c.InForce()))}))
		return
	}
	t.update(v.Ref, repliedCardMsg(c, ci, outcome))
}

// supportMsg is the approver's news of a Blocked check-in, a request for
// help, a pause or a resumption (contract.DueSupport), from what they have
// not been told yet.
func (t *turn) supportMsg(c *contract.Contract) message.Message {
	return supportAlertMsg(c, c.SupportNews(), t.today())
}

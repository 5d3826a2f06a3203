package conversation

import (
	"fmt"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

const (
	digestTitle = "Your week in learning contracts"
	// maxWaiting is how many decisions a digest shows with their buttons.
	maxWaiting = 5
	// maxDigestLines is how many lines each other part of a digest shows.
	maxDigestLines = 10
	// maxDigestNote is how much of a check-in note a digest shows.
	maxDigestNote = 200
)

// digestMsg is an approver's weekly digest: the decisions waiting for
// them (with their buttons), who might need support, what is drifting and
// the check-ins of the week. Parts with nothing to say are left out.
func digestMsg(d digest, approver string, today time.Time) message.Message {
	bs := blocks{message.Header{Text: digestTitle}}
	if len(d.waiting) > 0 {
		bs = append(bs, section(bold("Waiting for your decision")))
		for i, c := range d.waiting {
			if i == maxWaiting {
				bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more — type ", len(d.waiting)-maxWaiting), code("list"), " to see them all.")})
				break
			}
			btns, _ := decisionButtons(c, approver, ActionValue{ContractID: c.ID, Version: c.Version, Digest: true}.Encode())
			bs = append(bs, section(waitingText(c)), btns)
		}
	}
	if len(d.assess) > 0 {
		bs = append(bs, section(digestList("Ready for your assessment", d.assess, func(c *contract.Contract) text {
			s, _ := c.LastSubmission()
			return txt(at(c.Learner), " handed in ", quoted(c), " on ", formatDate(s.At), " — the card with their evidence is in our chat.")
		})))
	}
	if len(d.support) > 0 {
		bs = append(bs, section(digestList("Might need support", d.support, func(c *contract.Contract) text {
			return txt(at(c.Learner), " hasn't checked in on ", quoted(c), " for a while — a quick word might help.")
		})))
	}
	if len(d.struggling) > 0 {
		bs = append(bs, section(bold("Behind or blocked")))
		for i, c := range d.struggling {
			if i == maxDigestLines {
				bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more", len(d.struggling)-maxDigestLines))})
				break
			}
			x := append(txt("• "), driftText(c, today)...)
			if at, ok := c.HelpAsked(); ok && !at.Before(today.AddDate(0, 0, -recentDays)) {
				x = append(x, txt(" · asked you for a hand (", formatDate(at), ")")...)
			}
			s := section(x)
			if n := len(c.CheckIns); n > 0 {
				b := button("Reply", ActionReplyCheckIn, replyValue(c, n-1, true), message.Default)
				s.Accessory = &b
			}
			bs = append(bs, s)
		}
		bs = append(bs, message.Context{Text: txt(bold("Reply"), " answers a check-in; a new deadline or a smaller scope can help too: either of you can propose a change.")})
	}
	if len(d.drifting) > 0 {
		bs = append(bs, section(digestList("Drifting from the plan", d.drifting, func(c *contract.Contract) text {
			return driftText(c, today)
		})), message.Context{Text: txt("A new deadline or a smaller scope can bring a plan back within reach: either of you can propose a change.")})
	}
	if len(d.recent) > 0 {
		bs = append(bs, section(bold("Check-ins in the last week")))
		for i, r := range d.recent {
			if i == maxDigestLines {
				bs = append(bs, message.Context{Text: txt(fmt.Sprintf("…and %d more", len(d.recent)-maxDigestLines))})
				break
			}
			x := txt("• ", at(r.c.Learner), " · ", quoted(r.c), " · ", bold(checkInLabel(r.ci.Status)), " (", formatDate(r.ci.At), ")")
			if r.ci.Happened != "" {
				x = append(x, txt(" — ", clipString(r.ci.Happened, maxDigestNote))...)
			}
			if n := len(r.c.RepliesTo(r.i)); n > 0 {
				x = append(x, txt(" · ", italic("you answered"))...)
			}
			s := section(x)
			b := button("Reply", ActionReplyCheckIn, replyValue(r.c, r.i, true), message.Default)
			s.Accessory = &b
			bs = append(bs, s)
		}
	}
	if len(d.completed) > 0 {
		bs = append(bs, section(digestList("Completed this week", d.completed, func(c *contract.Contract) text {
			return txt("🎉 ", at(c.Learner), " · ", quoted(c), " · completed ", formatDate(c.CompletedAt))
		})))
	}
	if len(d.impact) > 0 {
		bs = append(bs, section(digestList("Since they completed", d.impact, func(r recentImpact) text {
			x := txt(at(r.c.Learner), " · ", quoted(r.c), " · completed ", formatDate(r.c.CompletedAt),
				fmt.Sprintf(" · %d days on, has it changed how they work? ", r.im.Day), bold(impactLabel(r.im.Answer)))
			if r.im.Example != "" {
				x = append(x, txt(" — ", clipString(r.im.Example, maxDigestNote))...)
			}
			return x
		})))
	}
	return msg(digestTitle, bs...)
}

// digestList is a part of a digest: a heading, then a line per item, at
// most maxDigestLines.
func digestList[T any](heading string, items []T, line func(T) text) text {
	x := txt(bold(heading))
	for i, it := range items {
		if i == maxDigestLines {
			x = append(x, txt(fmt.Sprintf("\n…and %d more", len(items)-maxDigestLines))...)
			break
		}
		x = append(x, txt("\n• ")...)
		x = append(x, line(it)...)
	}
	return x
}

// waitingText says what a decision waiting in a digest is about.
func waitingText(c *contract.Contract) text {
	r, _ := c.Revision(c.Version)
	since := fmt.Sprintf(" · waiting since %s", formatDate(r.At))
	if c.Status == contract.Renegotiating {
		return txt("A change to ", quoted(c), " from ", at(r.ProposedBy),
			fmt.Sprintf(" · version %d (version %d stays in force until you decide)", c.Version, c.Signed), since)
	}
	return txt(quoted(c), " from ", at(r.ProposedBy), fmt.Sprintf(" · version %d", c.Version), since)
}

// driftText says how a drifting contract is going, from its check-ins.
func driftText(c *contract.Contract, today time.Time) text {
	x := txt(quoted(c), " · ", at(c.Learner), " · ")
	if ci, ok := c.LastCheckIn(); ok {
		x = append(x, txt("latest check-in ", bold(checkInLabel(ci.Status)), " (", formatDate(ci.At), ")")...)
	} else {
		x = append(x, txt("no check-in yet")...)
	}
	d := c.Deadline()
	switch n := daysTo(d, today); {
	case d.IsZero():
	case n < 0:
		x = append(x, txt(" · the deadline was ", formatDate(d))...)
	case n == 0:
		x = append(x, txt(" · the deadline is today")...)
	default:
		x = append(x, txt(" · ", timeLeft(n))...)
	}
	return x
}

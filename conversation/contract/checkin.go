package contract

import (
	"errors"
	"fmt"
	"time"
)

// How a check-in says it's going.
const (
	OnTrack = "on_track"
	Behind  = "behind"
	Blocked = "blocked"
)

// CheckIn is one short check-in by the learner: how it's going, what
// happened since the last one and what's next.
type CheckIn struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Status   string    `json:"status"` // OnTrack, Behind or Blocked
	Happened string    `json:"happened,omitempty"`
	Next     string    `json:"next,omitempty"`
	// Version is the signed version in force at the check-in.
	Version int `json:"version"`
}

// Reply is the approver's answer to a check-in: a few words, an offer to
// talk it through, or both.
type Reply struct {
	// CheckIn is the check-in answered, by its place in CheckIns (from 0).
	CheckIn int       `json:"check_in"`
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Text    string    `json:"text,omitempty"`
	Talk    bool      `json:"talk,omitempty"`
}

// ErrEmptyReply says that a reply has neither words nor an offer to talk.
var ErrEmptyReply = errors.New("contract: a reply needs words or an offer to talk")

// ErrNoCheckIn says that there is no check-in by the actor to add notes to.
var ErrNoCheckIn = errors.New("contract: no check-in to add to")

// ErrNothingToSnooze says that no check-in is waiting for an answer.
var ErrNothingToSnooze = errors.New("contract: no check-in waiting to be snoozed")

// DoCheckIn records how it's going (OnTrack, Behind or Blocked); the notes
// follow with NoteCheckIn.
func (c *Contract) DoCheckIn(actor, status string, now time.Time) error {
	if err := c.Check(RecordCheckIn, actor, 0); err != nil {
		return err
	}
	switch status {
	case OnTrack, Behind, Blocked:
	default:
		return fmt.Errorf("contract: unknown check-in status %q", status)
	}
	c.CheckIns = append(c.CheckIns, CheckIn{At: now, By: actor, Status: status, Version: c.Signed})
	c.record(now, actor, "checked_in", "", "", status)
	c.UpdatedAt = now
	return nil
}

// NoteCheckIn adds what happened and what's next to the actor's latest
// check-in; an empty note leaves that part as it is.
func (c *Contract) NoteCheckIn(actor, happened, next string, now time.Time) error {
	if err := c.Check(RecordCheckIn, actor, 0); err != nil {
		return err
	}
	ci, ok := c.LastCheckIn()
	if !ok || ci.By != actor {
		return ErrNoCheckIn
	}
	if happened != "" {
		ci.Happened = happened
	}
	if next != "" {
		ci.Next = next
	}
	c.CheckIns[len(c.CheckIns)-1] = ci
	c.UpdatedAt = now
	return nil
}

// LastCheckIn returns the latest check-in.
func (c *Contract) LastCheckIn() (CheckIn, bool) {
	if n := len(c.CheckIns); n > 0 {
		return c.CheckIns[n-1], true
	}
	return CheckIn{}, false
}

// CheckInWaiting reports whether a check-in prompt went out and is still
// waiting for an answer.
func (c *Contract) CheckInWaiting() bool { return c.cycle().open() }

// DoSnooze puts the check-in waiting for an answer off until tomorrow (see
// Plan). It fails with ErrNothingToSnooze when none is waiting.
func (c *Contract) DoSnooze(actor string, now time.Time) error {
	if err := c.Check(Snooze, actor, 0); err != nil {
		return err
	}
	if !c.cycle().open() {
		return ErrNothingToSnooze
	}
	c.Snoozed = now
	c.record(now, actor, "snoozed", "", "", "")
	c.UpdatedAt = now
	return nil
}

// DoPause stops all nudges until the learner resumes; reason is optional.
func (c *Contract) DoPause(actor, reason string, now time.Time) error {
	if err := c.Check(Pause, actor, 0); err != nil {
		return err
	}
	c.PausedFrom, c.PausedAt, c.PauseReason = c.Status, now, reason
	c.record(now, actor, "paused", "status", string(c.Status), string(Paused))
	c.History[len(c.History)-1].Comment = reason
	c.Status = Paused
	c.UpdatedAt = now
	return nil
}

// NotePause records why the contract was paused, after the fact.
func (c *Contract) NotePause(actor, reason string, now time.Time) error {
	if actor != c.Learner || actor == "" {
		return &DeniedError{Action: Pause, Actor: actor, Allowed: []string{c.Learner}}
	}
	if c.Status != Paused {
		return &StateError{Action: Pause, Status: c.Status}
	}
	c.PauseReason = reason
	for i := len(c.History) - 1; i >= 0; i-- {
		if c.History[i].Kind == "paused" {
			c.History[i].Comment = reason
			break
		}
	}
	c.UpdatedAt = now
	return nil
}

// DoResume picks a paused contract up again, in the status it was paused
// in; check-ins start again from now.
func (c *Contract) DoResume(actor string, now time.Time) error {
	if err := c.Check(Resume, actor, 0); err != nil {
		return err
	}
	to := c.PausedFrom
	if to != Active && to != Renegotiating {
		to = Active
	}
	c.record(now, actor, "resumed", "status", string(Paused), string(to))
	c.Status, c.PausedFrom, c.ResumedAt = to, "", now
	c.UpdatedAt = now
	return nil
}

// DoAskForHelp records that the learner asked the approver for a hand.
func (c *Contract) DoAskForHelp(actor, note string, now time.Time) error {
	if err := c.Check(AskForHelp, actor, 0); err != nil {
		return err
	}
	c.record(now, actor, "help_asked", "", "", "")
	c.History[len(c.History)-1].Comment = note
	c.UpdatedAt = now
	return nil
}

// DoReply records the approver's answer to check-in i (from 0): text, an
// offer to talk, or both. It fails with ErrNoCheckIn when there is no
// such check-in.
func (c *Contract) DoReply(actor string, i int, text string, talk bool, now time.Time) error {
	if err := c.Check(ReplyCheckIn, actor, 0); err != nil {
		return err
	}
	if i < 0 || i >= len(c.CheckIns) {
		return ErrNoCheckIn
	}
	if text == "" && !talk {
		return ErrEmptyReply
	}
	c.Replies = append(c.Replies, Reply{CheckIn: i, At: now, By: actor, Text: text, Talk: talk})
	c.record(now, actor, "checkin_replied", "", "", "")
	c.History[len(c.History)-1].Comment = text
	c.UpdatedAt = now
	return nil
}

// News is what the approver has not yet been told (see DueSupport), since
// the last such news went out.
type News struct {
	// Blocked says a check-in said Blocked.
	Blocked bool
	// Help holds the notes of requests for help ("" for one without).
	Help []string
	// Paused says the contract was paused, and PauseReason why, when
	// the learner said; Resumed that it was picked up again after.
	Paused      bool
	PauseReason string
	Resumed     bool
}

// Trouble reports whether the news is about the learner being stuck,
// rather than only a pause or a resumption.
func (n News) Trouble() bool { return n.Blocked || len(n.Help) > 0 }

// SupportNews returns the news the approver has not been told yet.
func (c *Contract) SupportNews() News {
	var n News
	last := c.lastSupport()
	for _, ci := range c.CheckIns {
		if ci.Status == Blocked && ci.At.After(last) {
			n.Blocked = true
		}
	}
	for _, e := range c.History {
		if !e.At.After(last) {
			continue
		}
		switch e.Kind {
		case "help_asked":
			n.Help = append(n.Help, e.Comment)
		case "paused":
			n.Paused, n.PauseReason, n.Resumed = true, e.Comment, false
		case "resumed":
			n.Resumed = true
		}
	}
	return n
}

// HelpAsked returns when the learner last asked the approver for a hand.
func (c *Contract) HelpAsked() (time.Time, bool) {
	for i := len(c.History) - 1; i >= 0; i-- {
		if c.History[i].Kind == "help_asked" {
			return c.History[i].At, true
		}
	}
	return time.Time{}, false
}

// RepliesTo lists the replies to check-in i, oldest first.
func (c *Contract) RepliesTo(i int) []Reply {
	var out []Reply
	for _, r := range c.Replies {
		if r.CheckIn == i {
			out = append(out, r)
		}
	}
	return out
}

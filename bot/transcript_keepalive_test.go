package bot_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// activate has Lee draft a contract (weekly check-ins, due Fri 12 Mar
// 2027) and Mo approve and sign it, on Fri 15 Jan 2027.
func activate(w *bottest.World) {
	w.Quietly("Lee drafted “Running design reviews”, weekly check-ins, due Fri 12 Mar 2027; Mo approved and signed it on Fri 15 Jan: version 1 is active", func() {
		draftAndSend(w)
		w.Click(mo, "Approve & sign")
	})
}

// nothingHappened checks that the latest turn had no effect at all.
func nothingHappened(t *testing.T, w *bottest.World, what string) {
	t.Helper()
	if turn := w.Turn(); !turn.Quiet() {
		t.Errorf("%s: %d deliveries, contract saved %v", what, len(turn.Deliveries), turn.Saved != nil)
	}
}

func plannedAt(c *contract.Contract, now time.Time, k contract.DueKind) string {
	for _, d := range c.Plan(now) {
		if d.Kind == k {
			return d.At.Format(time.DateOnly)
		}
	}
	return "none"
}

func TestTranscriptCheckInOnTrack(t *testing.T) {
	w := newWorld(t, "A weekly check-in, on track")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "On track")
	w.Say(lee, "Shadowed two of Ana's reviews and drafted my checklist")
	w.Say(lee, "Run my first review on Thursday")
	w.Say(lee, "status")
	golden(t, w, "checkin_on_track")

	c := w.Contract("c1")
	want := []contract.CheckIn{{At: time.Date(2027, 1, 22, 9, 0, 0, 0, time.UTC), By: lee, Status: contract.OnTrack,
		Happened: "Shadowed two of Ana's reviews and drafted my checklist", Next: "Run my first review on Thursday", Version: 1}}
	if !reflect.DeepEqual(c.CheckIns, want) {
		t.Errorf("check-ins %+v, want %+v", c.CheckIns, want)
	}
	if got := plannedAt(c, w.Now(), contract.DueCheckIn); got != "2027-01-29" {
		t.Errorf("next check-in %s, want 2027-01-29", got)
	}
	if sess := w.Session(lee); sess.State != conversation.StateIdle || sess.ContractID != "c1" {
		t.Errorf("session after the check-in: %+v", sess)
	}
	if got := lastText(w, lee); !strings.Contains(got, "Fri 22 Jan 2027: On track — Shadowed two") || !strings.Contains(got, "Next check-in: around Fri 29 Jan 2027") {
		t.Errorf("status does not show the check-in:\n%s", got)
	}
}

func TestTranscriptCheckInBehindNewDeadline(t *testing.T) {
	w := newWorld(t, "Behind at a check-in: a new deadline, signed by the approver")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Behind")
	w.Say(lee, "Two of the reviews I meant to shadow were cancelled")
	w.Click(lee, "Skip")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "whenever")
	w.Say(lee, "2027-04-30")
	if c := w.Contract("c1"); c.Status != contract.Active || c.Version != 1 {
		t.Fatalf("sent before the learner confirmed the date: %s v%d", c.Status, c.Version)
	}
	w.Click(lee, "Send Fri 30 Apr 2027")
	w.Say(lee, "status")

	c := w.Contract("c1")
	if c.Status != contract.Renegotiating || c.Version != 2 || c.Signed != 1 {
		t.Fatalf("after proposing: %s v%d signed %d, want renegotiating v2 signed 1", c.Status, c.Version, c.Signed)
	}
	if d := c.InForce().Deadline; !d.Equal(time.Date(2027, 3, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("in force until signed: deadline %s, want the signed one", d)
	}
	if got := plannedAt(c, w.Now(), contract.DueDeadlineSoon); got != "2027-03-05" {
		t.Errorf("while renegotiating the reminders follow the signed deadline: %s", got)
	}
	if got := lastText(w, mo); !strings.Contains(got, "Fri 12 Mar 2027 → Fri 30 Apr 2027") || !strings.Contains(got, "Latest check-in") {
		t.Errorf("the approver's card lacks the diff or the check-in:\n%s", got)
	}

	w.Due("c1", contract.DueApprovalReminder)
	w.Click(mo, "Approve & sign")
	golden(t, w, "checkin_behind_new_deadline")

	c = w.Contract("c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 2 {
		t.Errorf("after signing: %s v%d signed %d, want active v2 signed 2", c.Status, c.Version, c.Signed)
	}
	if d := c.InForce().Deadline; !d.Equal(time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("deadline in force %s, want 2027-04-30", d)
	}
	if kinds := historyKinds(c); !strings.Contains(kinds, "checked_in proposed changed renegotiating signed activated") {
		t.Errorf("history %s", kinds)
	}
}

// TestTranscriptNewDeadlineConfirmed shows the learner the date each phrase
// was read as, and sends nothing to the approver until they confirm it:
// a weekday that does not match the date is questioned, a Sunday gets a
// note, "no" asks again, and the card of a date replaced since sends
// nothing.
func TestTranscriptNewDeadlineConfirmed(t *testing.T) {
	w := newWorld(t, "A new deadline: the date understood, confirmed before it is sent")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Behind")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "thursday 26 march")
	w.Say(lee, "end of Q1")
	w.Say(lee, "no")
	w.Say(lee, "sunday 28 march")
	sunday := w.Latest(lee)
	w.Say(lee, "friday 26 march")
	w.ClickOn(lee, sunday, "Send Sun 28 Mar 2027")
	if c := w.Contract("c1"); c.Version != 1 {
		t.Fatalf("a replaced date was sent: v%d", c.Version)
	}
	for _, m := range w.Platform.Messages(mo) {
		if strings.Contains(messagetest.Text(m.Message), "would like to change") {
			t.Fatalf("the approver heard of a date the learner had not confirmed")
		}
	}
	w.Say(lee, "yes")
	golden(t, w, "new_deadline_confirmed")

	c := w.Contract("c1")
	if c.Status != contract.Renegotiating || c.Version != 2 || !c.Terms.Deadline.Equal(time.Date(2027, 3, 26, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("after confirming: %s v%d deadline %s, want renegotiating v2 to Fri 26 Mar 2027", c.Status, c.Version, c.Terms.Deadline)
	}
	if got := lastText(w, mo); !strings.Contains(got, "Fri 12 Mar 2027 → Fri 26 Mar 2027") {
		t.Errorf("the approver's card lacks the new date:\n%s", got)
	}
	if s := w.Session(lee); s.State != conversation.StateIdle || s.Date != "" {
		t.Errorf("session after sending: %+v", s)
	}
}

func TestTranscriptCheckInBlockedAskForHelp(t *testing.T) {
	w := newWorld(t, "Blocked at a check-in: asking the approver for a hand")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Blocked")
	w.Say(lee, "skip")
	w.Say(lee, "Not sure: no team I know runs design reviews right now")
	w.Click(lee, "Ask my manager for help")
	w.Say(lee, "Could you introduce me to a team that runs them?")
	w.Due("c1", contract.DueSupport)
	got := lastText(w, mo)
	w.Click(mo, "Reply")
	w.Submit(mo, map[string]string{conversation.FieldReply: "Ana's team runs reviews on Thursdays: I'll ask her to let you sit in.",
		conversation.FieldTalk: conversation.TalkYes})
	golden(t, w, "checkin_blocked_help")

	answer := lastText(w, lee)
	for _, want := range []string{"@UMO answered your check-in on “Running design reviews” (Fri 22 Jan 2027, Blocked):",
		"Ana's team runs reviews on Thursdays", "talk it through"} {
		if !strings.Contains(answer, want) {
			t.Errorf("the learner's answer lacks %q:\n%s", want, answer)
		}
	}
	if card := lastText(w, mo); !strings.Contains(card, "You replied, and offered to talk it through: Ana's team") || strings.Contains(card, "[Reply]") {
		t.Errorf("the approver's card after replying:\n%s", card)
	}
	for _, want := range []string{"@ULEE could use a hand with “Running design reviews”", "Could you introduce me to a team that runs them?", "Blocked"} {
		if !strings.Contains(got, want) {
			t.Errorf("the approver's message lacks %q:\n%s", want, got)
		}
	}
	c := w.Contract("c1")
	if !strings.Contains(historyKinds(c), "help_asked") || c.Status != contract.Active {
		t.Errorf("%s, history %s", c.Status, historyKinds(c))
	}
	if ci, _ := c.LastCheckIn(); ci.Happened != "" || ci.Next == "" || ci.Status != contract.Blocked {
		t.Errorf("check-in %+v", ci)
	}
	if len(c.Replies) != 1 || c.Replies[0].CheckIn != 0 || !c.Replies[0].Talk || c.Replies[0].By != mo {
		t.Errorf("replies %+v", c.Replies)
	}
	for _, d := range c.Plan(w.Now()) {
		if d.Kind == contract.DueSupport {
			t.Errorf("the approver is to be told again: %+v", d)
		}
	}
}

func TestTranscriptChangeScopeDeclined(t *testing.T) {
	w := newWorld(t, "A smaller scope, declined by the approver")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Behind")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Click(lee, "Change the scope")
	w.Submit(lee, map[string]string{contract.FieldGoals: "Run two design reviews using a checklist the team adopts",
		conversation.FieldComment: "Three reviews is too many with the release coming up."})
	w.Click(mo, "Decline")
	declined := lastText(w, lee)
	w.Click(mo, "Add a reason")
	w.Submit(mo, map[string]string{conversation.FieldReason: "The release is in March: let's look at the scope after it."})
	reason := lastText(w, lee)
	golden(t, w, "change_scope_declined")
	if !strings.Contains(reason, "@UMO says why they declined version 2 of “Running design reviews”:\nThe release is in March") {
		t.Errorf("the learner's reason:\n%s", reason)
	}

	c := w.Contract("c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 1 {
		t.Errorf("after declining: %s v%d signed %d, want active v2 signed 1", c.Status, c.Version, c.Signed)
	}
	if c.Terms.Goals[0].Text != "Run three design reviews using a checklist the team adopts" {
		t.Errorf("the declined goals are in the working terms: %+v", c.Terms.Goals)
	}
	if !strings.Contains(declined, "version 1 stays in force") {
		t.Errorf("the learner was not told: %s", declined)
	}
	if e := c.History[len(c.History)-1]; e.Kind != "declined" || !strings.HasPrefix(e.Comment, "The release is in March") {
		t.Errorf("the decline keeps no reason: %+v", e)
	}
}

func TestTranscriptSnooze(t *testing.T) {
	w := newWorld(t, "Snoozing a check-in")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	first := w.Latest(lee)
	w.Click(lee, "Snooze a day")
	w.Wait(4 * time.Hour)
	w.DeliverDue(lee, "c1", contract.DueCheckIn)
	nothingHappened(t, w, "the check-in again the same day")
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "On track")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.ClickOn(lee, first, "Snooze a day")
	golden(t, w, "snooze")

	c := w.Contract("c1")
	if len(c.Nudges) != 2 || !c.Nudges[1].At.Equal(time.Date(2027, 1, 23, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("prompts sent %+v, want the 22nd and the 23rd", c.Nudges)
	}
	if got := plannedAt(c, w.Now(), contract.DueCheckIn); got != "2027-01-30" {
		t.Errorf("next check-in %s, want 2027-01-30", got)
	}
}

func TestTranscriptPauseResume(t *testing.T) {
	w := newWorld(t, "Pausing and resuming a contract")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Pause")
	w.Say(lee, "Two weeks of leave")
	w.Say(lee, "status")
	// Nothing for the learner while paused; the approver is told, with
	// the reason.
	if p := w.Contract("c1").Plan(w.Now()); len(p) != 1 || p[0].Kind != contract.DueSupport || p[0].User != mo {
		t.Errorf("planned while paused: %+v", p)
	}
	w.Due("c1", contract.DueSupport)
	if got := lastText(w, mo); !strings.Contains(got, "@ULEE paused “Running design reviews”: check-ins stop until they resume.\nTheir reason: Two weeks of leave") {
		t.Errorf("the approver's news of the pause:\n%s", got)
	}
	w.Wait(7 * 24 * time.Hour)
	w.DeliverDue(lee, "c1", contract.DueCheckIn)
	nothingHappened(t, w, "a check-in while paused")
	w.Say(lee, "resume")
	if got := plannedAt(w.Contract("c1"), w.Now(), contract.DueCheckIn); got != "2027-02-05" {
		t.Errorf("after resuming, the next check-in is %s, want 2027-02-05", got)
	}
	w.Due("c1", contract.DueSupport)
	if got := lastText(w, mo); !strings.Contains(got, "@ULEE resumed “Running design reviews”: check-ins start again.") {
		t.Errorf("the approver's news of the resumption:\n%s", got)
	}
	w.Wait(time.Hour)
	w.Say(lee, "pause")
	w.Click(lee, "Skip")
	w.Click(lee, "Resume")
	w.Due("c1", contract.DueSupport)
	if got := lastText(w, mo); !strings.Contains(got, "paused “Running design reviews” for a while and has resumed it since") {
		t.Errorf("the approver's news of a short pause:\n%s", got)
	}
	golden(t, w, "pause_resume")

	c := w.Contract("c1")
	if c.Status != contract.Active {
		t.Errorf("status %s", c.Status)
	}
	if kinds := historyKinds(c); !strings.Contains(kinds, "paused resumed paused resumed") {
		t.Errorf("history %s", kinds)
	}
	var reasons []string
	for _, e := range c.History {
		if e.Kind == "paused" {
			reasons = append(reasons, e.Comment)
		}
	}
	if !reflect.DeepEqual(reasons, []string{"Two weeks of leave", ""}) {
		t.Errorf("pause reasons %q", reasons)
	}
}

func TestTranscriptApprovalReminder(t *testing.T) {
	w := newWorld(t, "A gentle reminder to the approver")
	w.Quietly("Lee drafted “Running design reviews” and sent it to Mo on Fri 15 Jan", func() { draftAndSend(w) })
	w.Due("c1", contract.DueApprovalReminder)
	w.Click(mo, "Approve & sign")
	w.DeliverDue(mo, "c1", contract.DueApprovalReminder)
	nothingHappened(t, w, "a reminder after approving")
	golden(t, w, "approval_reminder")

	if d := w.Now().Format("Mon 2006-01-02"); d != "Tue 2027-01-19" {
		t.Errorf("the reminder came on %s, want two working days after Friday", d)
	}
	if c := w.Contract("c1"); c.Status != contract.Active {
		t.Errorf("approving from the reminder left the contract %s", c.Status)
	}
}

func TestTranscriptStaleDueItems(t *testing.T) {
	w := newWorld(t, "Due items that no longer apply do nothing")
	activate(w)
	w.Wait(7*24*time.Hour - time.Hour)
	w.Logf("   (the check-in, for the wrong person)\n")
	w.DeliverDue(mo, "c1", contract.DueCheckIn)
	nothingHappened(t, w, "a check-in for the approver")
	w.Due("c1", contract.DueCheckIn)
	before := w.Contract("c1").Rev
	sessions := map[string]conversation.Session{lee: w.Session(lee), mo: w.Session(mo)}
	stale := []struct {
		user, contract string
		kind           contract.DueKind
		why            string
	}{
		{lee, "c1", contract.DueCheckIn, "the check-in delivered twice"},
		{lee, "c1", contract.DueDeadlineSoon, "a reminder before its day"},
		{mo, "c1", contract.DueApprovalReminder, "a reminder for a version already signed"},
		{lee, "c1", "fireworks", "an unknown kind"},
		{lee, "c9", contract.DueCheckIn, "a contract that does not exist"},
	}
	for _, st := range stale {
		w.Logf("   (%s)\n", st.why)
		w.DeliverDue(st.user, st.contract, st.kind)
		nothingHappened(t, w, st.why)
	}
	w.Quietly("Sam drafts a contract, sends it to Mo, and withdraws it", func() {
		w.Say(sam, "new")
		w.Say(sam, "Public speaking")
		w.Say(sam, "Give a ten-minute talk at the all-hands and take three questions")
		w.Click(sam, "Skip")
		w.Click(sam, "Done with goals")
		w.Click(sam, "Skip")
		w.Say(sam, "A recording of the talk")
		w.Say(sam, "Three questions answered without notes")
		w.Say(sam, "in 6 weeks")
		w.Click(sam, "Weekly")
		w.Say(sam, "<@UMO>")
		w.SkipNotes(sam)
		w.Click(sam, "Send to my manager")
		c := w.Contract("c2")
		if err := c.DoWithdraw(sam, w.Now()); err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		w.Store(c)
	})
	w.Wait(5 * 24 * time.Hour)
	w.Logf("   (a reminder for a withdrawn contract)\n")
	w.DeliverDue(mo, "c2", contract.DueApprovalReminder)
	nothingHappened(t, w, "a withdrawn contract")
	golden(t, w, "stale_due")

	if w.Contract("c1").Rev != before {
		t.Error("a stale item changed the contract")
	}
	for u, sess := range sessions {
		got := w.Session(u)
		got.UpdatedAt = sess.UpdatedAt // the engine stamps every turn
		if !reflect.DeepEqual(got, sess) {
			t.Errorf("a stale item changed %s's session: %+v, was %+v", u, got, sess)
		}
	}
}

func TestTranscriptRemindersToTheDeadline(t *testing.T) {
	w := newWorld(t, "A missed check-in, the mid-point, the deadline and after")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	w.Due("c1", contract.DueCheckInMissed)
	if got := plannedAt(w.Contract("c1"), w.Now(), contract.DueCheckInMissed); got != "none" {
		t.Errorf("a second re-nudge is planned: %s", got)
	}
	w.Wait(2 * 24 * time.Hour)
	if c := w.Contract("c1"); !c.NeedsSupport(w.Now()) {
		t.Error("an unanswered re-nudge does not show as needing support")
	}
	w.Quietly("Lee answers the next check-ins on time, on track", func() {
		for _, k := range []contract.DueKind{contract.DueCheckIn, contract.DueCheckIn} {
			w.Due("c1", k)
			w.Click(lee, "On track")
			w.Click(lee, "Skip")
			w.Click(lee, "Skip")
		}
	})
	w.Due("c1", contract.DueMidpoint)
	w.Click(lee, "On track")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Quietly("Lee answers the next three check-ins on time, on track; the one-week reminder comes with the last", func() {
		for range 3 {
			w.Due("c1", contract.DueCheckIn)
			w.Click(lee, "On track")
			w.Click(lee, "Skip")
			w.Click(lee, "Skip")
		}
	})
	w.Due("c1", contract.DueDeadlineTomorrow)
	w.Due("c1", contract.DueOverdue)
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "in 3 weeks")
	w.Say(lee, "yes")
	golden(t, w, "reminders_to_the_deadline")

	c := w.Contract("c1")
	var kinds []string
	for _, n := range c.Nudges {
		kinds = append(kinds, string(n.Kind)+" "+n.For.Format("01-02"))
	}
	want := "checkin 01-22,checkin_missed 01-24,checkin 01-29,checkin 02-05,midpoint 02-12,checkin 02-19,checkin 02-26,checkin 03-05,deadline_1d 03-11,overdue 03-13"
	if got := strings.Join(kinds, ","); got != want {
		t.Errorf("sent %s\nwant %s", got, want)
	}
	if c.Status != contract.Renegotiating {
		t.Errorf("after proposing a new deadline from the overdue note: %s", c.Status)
	}
}

// TestCheckInSetsTheDraftAside has a check-in arrive while the learner is
// writing another contract: the draft waits, stopped, and resume returns
// to it.
func TestCheckInSetsTheDraftAside(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Click(mo, "Approve & sign")
	w.Say(lee, "new")
	w.Say(lee, "Public speaking")
	before := w.Session(lee)
	w.Due("c1", contract.DueCheckIn)
	after := w.Session(lee)
	after.UpdatedAt = before.UpdatedAt
	if n := len(w.Turn().Deliveries); !reflect.DeepEqual(after, before) || n != 1 {
		t.Fatalf("the check-in prompt changed the session: %+v (deliveries %d)", after, n)
	}
	w.Click(lee, "Behind")
	if sess := w.Session(lee); sess.ContractID != "c1" || sess.State != conversation.StateHappened || sess.Aside == nil ||
		sess.Aside.ContractID != "c2" || sess.Aside.State != conversation.StateGoal {
		t.Fatalf("session during the check-in: %+v aside %+v", sess, sess.Aside)
	}
	w.Say(lee, "help")
	if got := lastText(w, lee); !strings.Contains(got, "checking in: saying what happened") || !strings.Contains(got, "Check-ins") {
		t.Errorf("help during a check-in:\n%s", got)
	}
	w.Say(lee, "Less than I hoped")
	w.Say(lee, "Book two reviews")
	if got := lastText(w, lee); !strings.Contains(got, "Your draft is where you left it") {
		t.Errorf("the learner is not told about the draft:\n%s", got)
	}
	if sess := w.Session(lee); sess.ContractID != "c2" || sess.State != conversation.StateStopped || sess.Aside != nil {
		t.Fatalf("session after the check-in: %+v", sess)
	}
	w.Say(lee, "resume")
	if sess := w.Session(lee); sess.State != conversation.StateGoal {
		t.Errorf("resume went to %q, want the goal step", sess.State)
	}
	if ci, _ := w.Contract("c1").LastCheckIn(); ci.Happened != "Less than I hoped" || ci.Next != "Book two reviews" {
		t.Errorf("check-in %+v", ci)
	}
}

// TestFollowUpEndsWhenTheContractMovesOn answers a follow-up question
// whose contract was paused meanwhile: the text is not taken as an answer.
func TestFollowUpEndsWhenTheContractMovesOn(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Click(mo, "Approve & sign")
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "On track")
	c := w.Contract("c1")
	if err := c.DoPause(lee, "", w.Now()); err != nil {
		t.Fatal(err)
	}
	w.Store(c)
	w.Say(lee, "Shadowed a review")
	if sess := w.Session(lee); sess.State != conversation.StateIdle {
		t.Errorf("state %q, want idle", sess.State)
	}
	if ci, _ := w.Contract("c1").LastCheckIn(); ci.Happened != "" {
		t.Errorf("the text was stored on a paused contract: %+v", ci)
	}
}

func TestKeepAliveButtonsAreChecked(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Click(mo, "Approve & sign")
	w.Due("c1", contract.DueCheckIn)
	prompt := w.Latest(lee)
	tests := []struct {
		user, label, says string
	}{
		{mo, "On track", "Only @ULEE can check in on this contract."},
		{sam, "Pause", "Only @ULEE can pause this contract."},
		{mo, "Snooze a day", "Only @ULEE can snooze this contract."},
	}
	before := w.Contract("c1").Rev
	for _, tc := range tests {
		w.ClickOn(tc.user, prompt, tc.label)
		if got := messagetest.Text(w.Last(bottest.Ephemeral, tc.user)); !strings.Contains(got, tc.says) {
			t.Errorf("%s clicks %s: %q, want %q", tc.user, tc.label, got, tc.says)
		}
	}
	if w.Contract("c1").Rev != before {
		t.Error("a refused click changed the contract")
	}
	// The approver cannot start the learner's deadline question.
	w.Click(lee, "Behind")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.ClickOn(mo, w.Latest(lee), "Propose a new deadline")
	if got := messagetest.Text(w.Last(bottest.Ephemeral, mo)); !strings.Contains(got, "Only @ULEE can propose a new deadline") {
		t.Errorf("the approver proposes a new deadline: %q", got)
	}
	// A Skip for a question already answered.
	w.ClickOn(lee, w.Find(lee, "Skip"), "Skip")
	if got := messagetest.Text(w.Last(bottest.Ephemeral, lee)); !strings.Contains(got, "answered already") {
		t.Errorf("an old Skip: %q", got)
	}
}

func TestHelpMentionsCheckIns(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Say(lee, "help")
	if strings.Contains(lastText(w, lee), "Check-ins") {
		t.Error("help mentions check-ins before the contract is signed")
	}
	w.Click(mo, "Approve & sign")
	w.Say(lee, "help")
	if got := lastText(w, lee); !strings.Contains(got, "I'll check in on “Running design reviews” weekly and at the mid-point") {
		t.Errorf("help with an active contract:\n%s", got)
	}
	w.Say(mo, "help")
	if strings.Contains(lastText(w, mo), "Check-ins") {
		t.Error("the approver is told about the learner's check-ins")
	}
}

func TestDeclinedProposalIsNotTheVersionShown(t *testing.T) {
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Click(mo, "Approve & sign")
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Behind")
	w.Click(lee, "Skip")
	w.Click(lee, "Skip")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "in 12 weeks")
	w.ClickID(lee, conversation.ActionSendDeadline)
	w.Click(mo, "Decline")
	w.Say(lee, "status")
	if got := lastText(w, lee); !strings.Contains(got, "Active · version 1") || !strings.Contains(got, "deadline Fri 12 Mar 2027") {
		t.Errorf("status after a declined change:\n%s", got)
	}
	w.Say(lee, "list")
	if got := lastText(w, lee); !strings.Contains(got, "Active · you're the learner · version 1") {
		t.Errorf("list after a declined change:\n%s", got)
	}
}

// TestKeepAliveUserTextStaysPlain types hostile and huge text into every
// keep-alive question and checks that it is shown only in plain spans and
// every message fits the platforms' limits.
func TestKeepAliveUserTextStaysPlain(t *testing.T) {
	hostile := "<!channel> *bold* <https://x|y> &amp;"
	huge := strings.Repeat("x", 5000) + " <!channel>"
	w := bottest.NewWorld(t, start)
	draftAndSend(w)
	w.Click(mo, "Approve & sign")
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Blocked")
	w.Say(lee, huge)
	w.Say(lee, hostile)
	w.Click(lee, "Ask my manager for help")
	w.Say(lee, hostile)
	w.Due("c1", contract.DueSupport)
	w.Click(mo, "Reply")
	w.Submit(mo, map[string]string{conversation.FieldReply: huge + hostile})
	w.Click(lee, "Change the scope")
	w.Submit(lee, map[string]string{conversation.FieldComment: hostile, contract.FieldTitle: hostile})
	w.Say(lee, "status")
	w.Say(lee, "pause")
	w.Say(lee, huge)
	w.Say(lee, "status")
	seen := 0
	for _, d := range shown(w) {
		messagetest.ForEachSpan(d.Message.Blocks, func(sp message.Span) {
			if strings.Contains(sp.Text, "<!channel>") || strings.Contains(sp.Text, "xxxxxxxxxx") {
				seen++
				if sp.Kind != message.Plain {
					t.Errorf("%s: user text in a %v span: %q", d.User, sp.Kind, sp.Text)
				}
			}
		})
		messagetest.CheckLimits(t, d.User, d.Message)
	}
	if seen < 9 {
		t.Errorf("user text appeared in only %d spans; the test is not looking at it", seen)
	}
	if c := w.Contract("c1"); c.PauseReason != huge {
		t.Errorf("the pause reason was not kept as typed")
	}
}

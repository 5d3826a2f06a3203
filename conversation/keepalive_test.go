package conversation

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// quietly runs steps without writing them to the transcript, then notes
// what they did.
func quietly(s *sim, summary string, steps func()) {
	log := s.log
	s.log = nil
	steps()
	s.log = log
	s.logf("   (%s)\n\n", summary)
}

// activate has Lee draft a contract (weekly check-ins, due Fri 12 Mar
// 2027) and Mo approve and sign it, on Fri 15 Jan 2027.
func activate(s *sim) {
	quietly(s, "Lee drafted “Running design reviews”, weekly check-ins, due Fri 12 Mar 2027; Mo approved and signed it on Fri 15 Jan: version 1 is active", func() {
		draftAndSend(s)
		s.click(mo, "Approve & sign")
	})
}

// nothingHappened checks that the latest turn had no effect at all.
func nothingHappened(t *testing.T, s *sim, res Result, what string) {
	t.Helper()
	if s.err != nil {
		t.Fatalf("%s: %v", what, s.err)
	}
	if len(res.Effects) != 0 || res.Contract != nil {
		t.Errorf("%s: %d effects, contract saved %v", what, len(res.Effects), res.Contract != nil)
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
	s := newTestSim(t, "A weekly check-in, on track")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "On track")
	s.say(lee, "Shadowed two of Ana's reviews and drafted my checklist")
	s.say(lee, "Run my first review on Thursday")
	s.say(lee, "status")
	golden(t, s, "checkin_on_track")

	c := mustContract(t, s, "c1")
	want := []contract.CheckIn{{At: time.Date(2027, 1, 22, 9, 0, 0, 0, time.UTC), By: lee, Status: contract.OnTrack,
		Happened: "Shadowed two of Ana's reviews and drafted my checklist", Next: "Run my first review on Thursday", Version: 1}}
	if !reflect.DeepEqual(c.CheckIns, want) {
		t.Errorf("check-ins %+v, want %+v", c.CheckIns, want)
	}
	if got := plannedAt(c, s.now, contract.DueCheckIn); got != "2027-01-29" {
		t.Errorf("next check-in %s, want 2027-01-29", got)
	}
	if sess := s.session(lee); sess.State != StateIdle || sess.ContractID != "c1" {
		t.Errorf("session after the check-in: %+v", sess)
	}
	if got := lastText(s, lee); !strings.Contains(got, "Fri 22 Jan 2027: On track — Shadowed two") || !strings.Contains(got, "Next check-in: around Fri 29 Jan 2027") {
		t.Errorf("status does not show the check-in:\n%s", got)
	}
}

func TestTranscriptCheckInBehindNewDeadline(t *testing.T) {
	s := newTestSim(t, "Behind at a check-in: a new deadline, signed by the approver")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Behind")
	s.say(lee, "Two of the reviews I meant to shadow were cancelled")
	s.click(lee, "Skip")
	s.click(lee, "Propose a new deadline")
	s.say(lee, "whenever")
	s.say(lee, "2027-04-30")
	s.say(lee, "status")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Renegotiating || c.Version != 2 || c.Signed != 1 {
		t.Fatalf("after proposing: %s v%d signed %d, want renegotiating v2 signed 1", c.Status, c.Version, c.Signed)
	}
	if d := c.InForce().Deadline; !d.Equal(time.Date(2027, 3, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("in force until signed: deadline %s, want the signed one", d)
	}
	if got := plannedAt(c, s.now, contract.DueDeadlineSoon); got != "2027-03-05" {
		t.Errorf("while renegotiating the reminders follow the signed deadline: %s", got)
	}
	if got := messageText(s.latest(mo).msg); !strings.Contains(got, "Fri 12 Mar 2027 → Fri 30 Apr 2027") || !strings.Contains(got, "Latest check-in") {
		t.Errorf("the approver's card lacks the diff or the check-in:\n%s", got)
	}

	s.due("c1", contract.DueApprovalReminder)
	s.click(mo, "Approve & sign")
	golden(t, s, "checkin_behind_new_deadline")

	c = mustContract(t, s, "c1")
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

func TestTranscriptCheckInBlockedAskForHelp(t *testing.T) {
	s := newTestSim(t, "Blocked at a check-in: asking the approver for a hand")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Blocked")
	s.say(lee, "skip")
	s.say(lee, "Not sure: no team I know runs design reviews right now")
	s.click(lee, "Ask my manager for help")
	s.say(lee, "Could you introduce me to a team that runs them?")
	golden(t, s, "checkin_blocked_help")

	got := lastText(s, mo)
	for _, want := range []string{"@ULEE could use a hand with “Running design reviews”", "Could you introduce me to a team that runs them?", "Blocked"} {
		if !strings.Contains(got, want) {
			t.Errorf("the approver's message lacks %q:\n%s", want, got)
		}
	}
	c := mustContract(t, s, "c1")
	if !strings.Contains(historyKinds(c), "help_asked") || c.Status != contract.Active {
		t.Errorf("%s, history %s", c.Status, historyKinds(c))
	}
	if ci, _ := c.LastCheckIn(); ci.Happened != "" || ci.Next == "" || ci.Status != contract.Blocked {
		t.Errorf("check-in %+v", ci)
	}
}

func TestTranscriptChangeScopeDeclined(t *testing.T) {
	s := newTestSim(t, "A smaller scope, declined by the approver")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Behind")
	s.click(lee, "Skip")
	s.click(lee, "Skip")
	s.click(lee, "Change the scope")
	s.submit(lee, map[string]string{contract.FieldGoals: "Run two design reviews using a checklist the team adopts",
		FieldComment: "Three reviews is too many with the release coming up."})
	s.click(mo, "Decline")
	golden(t, s, "change_scope_declined")

	c := mustContract(t, s, "c1")
	if c.Status != contract.Active || c.Version != 2 || c.Signed != 1 {
		t.Errorf("after declining: %s v%d signed %d, want active v2 signed 1", c.Status, c.Version, c.Signed)
	}
	if c.Terms.Goals[0].Text != "Run three design reviews using a checklist the team adopts" {
		t.Errorf("the declined goals are in the working terms: %+v", c.Terms.Goals)
	}
	if !strings.Contains(lastText(s, lee), "version 1 stays in force") {
		t.Errorf("the learner was not told: %s", lastText(s, lee))
	}
}

func TestTranscriptSnooze(t *testing.T) {
	s := newTestSim(t, "Snoozing a check-in")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	first := s.latest(lee)
	s.click(lee, "Snooze a day")
	s.wait(4 * time.Hour)
	res := s.deliverDue(lee, "c1", contract.DueCheckIn)
	nothingHappened(t, s, res, "the check-in again the same day")
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "On track")
	s.click(lee, "Skip")
	s.click(lee, "Skip")
	s.clickOn(lee, first, "Snooze a day")
	golden(t, s, "snooze")

	c := mustContract(t, s, "c1")
	if len(c.Nudges) != 2 || !c.Nudges[1].At.Equal(time.Date(2027, 1, 23, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("prompts sent %+v, want the 22nd and the 23rd", c.Nudges)
	}
	if got := plannedAt(c, s.now, contract.DueCheckIn); got != "2027-01-30" {
		t.Errorf("next check-in %s, want 2027-01-30", got)
	}
}

func TestTranscriptPauseResume(t *testing.T) {
	s := newTestSim(t, "Pausing and resuming a contract")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Pause")
	s.say(lee, "Two weeks of leave")
	s.say(lee, "status")
	if p := mustContract(t, s, "c1").Plan(s.now); len(p) != 0 {
		t.Errorf("nudges planned while paused: %+v", p)
	}
	s.wait(7 * 24 * time.Hour)
	res := s.deliverDue(lee, "c1", contract.DueCheckIn)
	nothingHappened(t, s, res, "a check-in while paused")
	s.say(lee, "resume")
	if got := plannedAt(mustContract(t, s, "c1"), s.now, contract.DueCheckIn); got != "2027-02-05" {
		t.Errorf("after resuming, the next check-in is %s, want 2027-02-05", got)
	}
	s.say(lee, "pause")
	s.click(lee, "Skip")
	s.click(lee, "Resume")
	golden(t, s, "pause_resume")

	c := mustContract(t, s, "c1")
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
	s := newTestSim(t, "A gentle reminder to the approver")
	quietly(s, "Lee drafted “Running design reviews” and sent it to Mo on Fri 15 Jan", func() { draftAndSend(s) })
	s.due("c1", contract.DueApprovalReminder)
	s.click(mo, "Approve & sign")
	res := s.deliverDue(mo, "c1", contract.DueApprovalReminder)
	nothingHappened(t, s, res, "a reminder after approving")
	golden(t, s, "approval_reminder")

	if d := s.now.Format("Mon 2006-01-02"); d != "Tue 2027-01-19" {
		t.Errorf("the reminder came on %s, want two working days after Friday", d)
	}
	if c := mustContract(t, s, "c1"); c.Status != contract.Active {
		t.Errorf("approving from the reminder left the contract %s", c.Status)
	}
}

func TestTranscriptStaleDueItems(t *testing.T) {
	s := newTestSim(t, "Due items that no longer apply do nothing")
	activate(s)
	s.wait(7*24*time.Hour - time.Hour)
	s.logf("   (the check-in, for the wrong person)\n")
	nothingHappened(t, s, s.deliverDue(mo, "c1", contract.DueCheckIn), "a check-in for the approver")
	s.due("c1", contract.DueCheckIn)
	before := s.contracts["c1"].rev
	sessions := map[string]Session{lee: s.session(lee), mo: s.session(mo)}
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
		s.logf("   (%s)\n", st.why)
		nothingHappened(t, s, s.deliverDue(st.user, st.contract, st.kind), st.why)
	}
	quietly(s, "Sam drafts a contract, sends it to Mo, and withdraws it", func() {
		s.say(sam, "new")
		s.say(sam, "Public speaking")
		s.say(sam, "Give a ten-minute talk at the all-hands and take three questions")
		s.click(sam, "Skip")
		s.click(sam, "Done with goals")
		s.click(sam, "Skip")
		s.say(sam, "A recording of the talk")
		s.say(sam, "Three questions answered without notes")
		s.say(sam, "in 6 weeks")
		s.click(sam, "Weekly")
		s.say(sam, "<@UMO>")
		s.click(sam, "Send to my manager")
		c := s.contract("c2")
		if err := c.DoWithdraw(sam, s.now); err != nil {
			s.fail("withdraw: %v", err)
		}
		s.store(c)
	})
	s.wait(5 * 24 * time.Hour)
	s.logf("   (a reminder for a withdrawn contract)\n")
	nothingHappened(t, s, s.deliverDue(mo, "c2", contract.DueApprovalReminder), "a withdrawn contract")
	golden(t, s, "stale_due")

	if s.contracts["c1"].rev != before {
		t.Error("a stale item changed the contract")
	}
	for u, sess := range sessions {
		got := s.session(u)
		got.UpdatedAt = sess.UpdatedAt // the engine stamps every turn
		if !reflect.DeepEqual(got, sess) {
			t.Errorf("a stale item changed %s's session: %+v, was %+v", u, got, sess)
		}
	}
}

func TestTranscriptRemindersToTheDeadline(t *testing.T) {
	s := newTestSim(t, "A missed check-in, the mid-point, the deadline and after")
	activate(s)
	s.due("c1", contract.DueCheckIn)
	s.due("c1", contract.DueCheckInMissed)
	if got := plannedAt(mustContract(t, s, "c1"), s.now, contract.DueCheckInMissed); got != "none" {
		t.Errorf("a second re-nudge is planned: %s", got)
	}
	s.wait(2 * 24 * time.Hour)
	if c := mustContract(t, s, "c1"); !c.NeedsSupport(s.now) {
		t.Error("an unanswered re-nudge does not show as needing support")
	}
	quietly(s, "Lee answers the next check-ins on time, on track", func() {
		for _, k := range []contract.DueKind{contract.DueCheckIn, contract.DueCheckIn} {
			s.due("c1", k)
			s.click(lee, "On track")
			s.click(lee, "Skip")
			s.click(lee, "Skip")
		}
	})
	s.due("c1", contract.DueMidpoint)
	s.click(lee, "On track")
	s.click(lee, "Skip")
	s.click(lee, "Skip")
	quietly(s, "Lee answers the next three check-ins on time, on track; the one-week reminder comes with the last", func() {
		for i := 0; i < 3; i++ {
			s.due("c1", contract.DueCheckIn)
			s.click(lee, "On track")
			s.click(lee, "Skip")
			s.click(lee, "Skip")
		}
	})
	s.due("c1", contract.DueDeadlineTomorrow)
	s.due("c1", contract.DueOverdue)
	s.click(lee, "Propose a new deadline")
	s.say(lee, "in 3 weeks")
	golden(t, s, "reminders_to_the_deadline")

	c := mustContract(t, s, "c1")
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
	s := newSim(start, nil)
	draftAndSend(s)
	s.click(mo, "Approve & sign")
	s.say(lee, "new")
	s.say(lee, "Public speaking")
	before := s.session(lee)
	res := s.due("c1", contract.DueCheckIn)
	after := s.session(lee)
	after.UpdatedAt = before.UpdatedAt
	if !reflect.DeepEqual(after, before) || len(res.Effects) != 1 {
		t.Fatalf("the check-in prompt changed the session: %+v (effects %d)", after, len(res.Effects))
	}
	s.click(lee, "Behind")
	if sess := s.session(lee); sess.ContractID != "c1" || sess.State != StateHappened || sess.Aside == nil ||
		sess.Aside.ContractID != "c2" || sess.Aside.State != StateGoal {
		t.Fatalf("session during the check-in: %+v aside %+v", sess, sess.Aside)
	}
	s.say(lee, "help")
	if got := lastText(s, lee); !strings.Contains(got, "checking in: saying what happened") || !strings.Contains(got, "Check-ins") {
		t.Errorf("help during a check-in:\n%s", got)
	}
	s.say(lee, "Less than I hoped")
	s.say(lee, "Book two reviews")
	if got := lastText(s, lee); !strings.Contains(got, "Your draft is where you left it") {
		t.Errorf("the learner is not told about the draft:\n%s", got)
	}
	if sess := s.session(lee); sess.ContractID != "c2" || sess.State != StateStopped || sess.Aside != nil {
		t.Fatalf("session after the check-in: %+v", sess)
	}
	s.say(lee, "resume")
	if sess := s.session(lee); sess.State != StateGoal {
		t.Errorf("resume went to %q, want the goal step", sess.State)
	}
	if ci, _ := mustContract(t, s, "c1").LastCheckIn(); ci.Happened != "Less than I hoped" || ci.Next != "Book two reviews" {
		t.Errorf("check-in %+v", ci)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

// TestFollowUpEndsWhenTheContractMovesOn answers a follow-up question
// whose contract was paused meanwhile: the text is not taken as an answer.
func TestFollowUpEndsWhenTheContractMovesOn(t *testing.T) {
	s := newSim(start, nil)
	draftAndSend(s)
	s.click(mo, "Approve & sign")
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "On track")
	c := s.contract("c1")
	if err := c.DoPause(lee, "", s.now); err != nil {
		t.Fatal(err)
	}
	s.store(c)
	s.say(lee, "Shadowed a review")
	if sess := s.session(lee); sess.State != StateIdle {
		t.Errorf("state %q, want idle", sess.State)
	}
	if ci, _ := mustContract(t, s, "c1").LastCheckIn(); ci.Happened != "" {
		t.Errorf("the text was stored on a paused contract: %+v", ci)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

func TestKeepAliveButtonsAreChecked(t *testing.T) {
	s := newSim(start, nil)
	draftAndSend(s)
	s.click(mo, "Approve & sign")
	s.due("c1", contract.DueCheckIn)
	prompt := s.latest(lee)
	tests := []struct {
		user, label, says string
	}{
		{mo, "On track", "Only @ULEE can check in on this contract."},
		{sam, "Pause", "Only @ULEE can pause this contract."},
		{mo, "Snooze a day", "Only @ULEE can snooze this contract."},
	}
	before := s.contracts["c1"].rev
	for _, tc := range tests {
		s.clickOn(tc.user, prompt, tc.label)
		if got := messageText(s.lastMessage("ephemeral")); !strings.Contains(got, tc.says) {
			t.Errorf("%s clicks %s: %q, want %q", tc.user, tc.label, got, tc.says)
		}
	}
	if s.contracts["c1"].rev != before {
		t.Error("a refused click changed the contract")
	}
	// The approver cannot start the learner's deadline question.
	s.click(lee, "Behind")
	s.click(lee, "Skip")
	s.click(lee, "Skip")
	s.clickOn(mo, s.latest(lee), "Propose a new deadline")
	if got := messageText(s.lastMessage("ephemeral")); !strings.Contains(got, "Only @ULEE can propose a new deadline") {
		t.Errorf("the approver proposes a new deadline: %q", got)
	}
	// A Skip for a question already answered.
	s.clickOn(lee, find(s, lee, "Skip"), "Skip")
	if got := messageText(s.lastMessage("ephemeral")); !strings.Contains(got, "answered already") {
		t.Errorf("an old Skip: %q", got)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

func TestHelpMentionsCheckIns(t *testing.T) {
	s := newSim(start, nil)
	draftAndSend(s)
	s.say(lee, "help")
	if strings.Contains(lastText(s, lee), "Check-ins") {
		t.Error("help mentions check-ins before the contract is signed")
	}
	s.click(mo, "Approve & sign")
	s.say(lee, "help")
	if got := lastText(s, lee); !strings.Contains(got, "I'll check in on “Running design reviews” weekly and at the mid-point") {
		t.Errorf("help with an active contract:\n%s", got)
	}
	s.say(mo, "help")
	if strings.Contains(lastText(s, mo), "Check-ins") {
		t.Error("the approver is told about the learner's check-ins")
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

// TestDueFixturesSend checks the fuzz corpus's due items against the
// fixtures: each comes due and sends one message to its recipient.
func TestDueFixturesSend(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		fixture string
		user    string
		days    int
		kind    contract.DueKind
	}{
		{"active", lee, 7, contract.DueCheckIn}, {"active", lee, 28, contract.DueMidpoint}, {"prompted", lee, 9, contract.DueCheckInMissed},
		{"proposed", mo, 4, contract.DueApprovalReminder}, {"renegotiating", mo, 12, contract.DueApprovalReminder}, {"active", lee, 57, contract.DueOverdue},
	}
	for _, tc := range tests {
		env := testEnv()
		env.Now = env.Now.AddDate(0, 0, tc.days)
		in := Input{Kind: DueInput, User: tc.user, DueKind: string(tc.kind), Value: "c=c1&v=0"}
		res := Step(env, Session{User: tc.user}, fx[tc.fixture], in)
		if res.Contract == nil || len(res.Effects) != 1 {
			t.Errorf("%s %s after %d days: saved %v, %d effects", tc.fixture, tc.kind, tc.days, res.Contract != nil, len(res.Effects))
			continue
		}
		if s, ok := res.Effects[0].(Send); !ok || s.User != tc.user {
			t.Errorf("%s %s: effect %+v", tc.fixture, tc.kind, res.Effects[0])
		}
	}
}

func TestDeclinedProposalIsNotTheVersionShown(t *testing.T) {
	s := newSim(start, nil)
	draftAndSend(s)
	s.click(mo, "Approve & sign")
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Behind")
	s.click(lee, "Skip")
	s.click(lee, "Skip")
	s.click(lee, "Propose a new deadline")
	s.say(lee, "in 12 weeks")
	s.click(mo, "Decline")
	s.say(lee, "status")
	if got := lastText(s, lee); !strings.Contains(got, "Active · version 1") || !strings.Contains(got, "deadline Fri 12 Mar 2027") {
		t.Errorf("status after a declined change:\n%s", got)
	}
	s.say(lee, "list")
	if got := lastText(s, lee); !strings.Contains(got, "Active · you're the learner · version 1") {
		t.Errorf("list after a declined change:\n%s", got)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
}

// TestKeepAliveUserTextStaysPlain types hostile and huge text into every
// keep-alive question and checks that it is shown only in plain spans and
// every message fits the platforms' limits.
func TestKeepAliveUserTextStaysPlain(t *testing.T) {
	hostile := "<!channel> *bold* <https://x|y> &amp;"
	huge := strings.Repeat("x", 5000) + " <!channel>"
	s := newSim(start, nil)
	draftAndSend(s)
	s.click(mo, "Approve & sign")
	s.due("c1", contract.DueCheckIn)
	s.click(lee, "Blocked")
	s.say(lee, huge)
	s.say(lee, hostile)
	s.click(lee, "Ask my manager for help")
	s.say(lee, hostile)
	s.click(lee, "Change the scope")
	s.submit(lee, map[string]string{FieldComment: hostile, contract.FieldTitle: hostile})
	s.say(lee, "status")
	s.say(lee, "pause")
	s.say(lee, huge)
	s.say(lee, "status")
	if s.err != nil {
		t.Fatal(s.err)
	}
	seen := 0
	for user, box := range s.inbox {
		for _, p := range box {
			forEachSpan(p.msg.Blocks, func(sp message.Span) {
				if strings.Contains(sp.Text, "<!channel>") || strings.Contains(sp.Text, "xxxxxxxxxx") {
					seen++
					if sp.Kind != message.Plain {
						t.Errorf("%s: user text in a %v span: %q", user, sp.Kind, sp.Text)
					}
				}
			})
			checkLimits(t, user, p.msg)
		}
	}
	if seen < 9 {
		t.Errorf("user text appeared in only %d spans; the test is not looking at it", seen)
	}
	if c := mustContract(t, s, "c1"); c.PauseReason != huge {
		t.Errorf("the pause reason was not kept as typed")
	}
}

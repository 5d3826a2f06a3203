package bottest

import (
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Samples returns one instance of every kind of message the flows send,
// keyed by a stable name ("welcome", "goal_coach", "summary",
// "approval_request", "approval_request_diff", "approved", …), and every
// form they open ("request_changes", "amend", "renegotiate", "share",
// "feedback"), for the platform renderers' golden tests. They come from
// scripted turns run through the engine from now, so they stay true to the
// flows; a script that breaks fails t.
func Samples(t testing.TB, now time.Time) (map[string]message.Message, map[string]message.Modal) {
	t.Helper()
	msgs := map[string]message.Message{}
	modals := map[string]message.Modal{}
	draftingSamples(t, now, msgs, modals)
	keepAliveSamples(t, now, msgs, modals)
	digestSamples(t, now, msgs)
	reviewSamples(t, now, msgs, modals)
	finishSamples(t, now, msgs, modals)
	recordSamples(t, now, msgs)
	reportSamples(t, now, msgs)
	homeSamples(t, now, msgs)
	privacySamples(t, now, msgs)
	advocateSamples(t, now, msgs, modals)
	librarySamples(t, now, msgs)
	draftForSamples(t, now, msgs, modals)
	templateSamples(t, now, msgs, modals)
	withdrawSamples(t, now, msgs)
	return msgs, modals
}

// sampler keeps the latest turn's messages and the forms open under their
// sample names.
type sampler struct {
	*World
	msgs   map[string]message.Message
	modals map[string]message.Modal
}

func (s sampler) keep(name string, kind Kind, to string) {
	s.t.Helper()
	s.msgs[name] = s.Last(kind, to)
}

// keepSummary keeps the latest turn's newest message of the kind for to
// whose summary is summary, when the turn sent more than one.
func (s sampler) keepSummary(name string, kind Kind, to, summary string) {
	s.t.Helper()
	ds := s.turn.Deliveries
	for i := len(ds) - 1; i >= 0; i-- {
		if d := ds[i]; d.Kind == kind && d.User == to && d.Message.Summary == summary {
			s.msgs[name] = d.Message
			return
		}
	}
	s.fatalf("the latest turn had no %s message %q for %s", kind, summary, to)
}

func (s sampler) form(name, user string) {
	s.t.Helper()
	m, ok := s.Platform.OpenForm(user)
	if !ok {
		s.fatalf("no form open for %s to keep as %q", user, name)
	}
	s.modals[name] = m
}

// draftingSamples adds the messages and forms of drafting a contract and
// agreeing on it.
func draftingSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, approver, stranger, other = "ULEE", "UMO", "USAM", "UKAI"
	s := sampler{NewWorld(t, now), msgs, modals}

	s.Say(learner, "help")
	s.keep("help", Sent, learner)
	s.Say(learner, "status")
	s.keep("status_none", Sent, learner)
	s.Say(learner, "what is this")
	s.keep("idle", Sent, learner)
	s.Say(learner, "hi")
	s.keep("welcome", Sent, learner)
	s.Say(learner, "Running design reviews")
	s.keep("goal_prompt", Sent, learner)
	s.Say(learner, "learn about design reviews")
	s.keep("goal_coach", Sent, learner)
	s.Click(learner, "Use suggestion")
	s.keep("suggestion_used_card", Updated, learner)
	s.keep("mastery_prompt", Sent, learner)
	s.Say(learner, "A review I run, observed by my manager")
	s.keep("goals", Sent, learner)
	s.Say(learner, "cancel")
	s.keep("cancelled", Sent, learner)
	s.Say(learner, "resume")
	s.Click(learner, "Done with goals")
	s.keep("activities_prompt", Sent, learner)
	s.Say(learner, "Shadow two reviews; read the Design Review Handbook")
	s.keep("evidence_prompt", Sent, learner)
	s.Say(learner, "skip")
	s.keep("cannot_skip", Sent, learner)
	s.Say(learner, "A write-up of three reviews")
	s.keep("criteria_prompt", Sent, learner)
	s.Say(learner, "Two teammates use my checklist without help")
	s.keep("deadline_prompt", Sent, learner)
	s.Say(learner, "yesterday")
	s.keep("deadline_retry", Sent, learner)
	s.Say(learner, "in 8 weeks")
	s.keep("cadence_prompt", Sent, learner)
	s.Click(learner, "Fortnightly")
	s.keep("approver_prompt", Sent, learner)
	s.Say(learner, "<@ULEE>")
	s.keep("approver_rejected", Sent, learner)
	// Under an APPROVERS policy: a group, then a list.
	group, _ := approverpolicy.Parse("@managers", nil)
	s.Platform.AddGroup("managers", approver)
	s.Approvers(group)
	s.Say(learner, "<@"+other+">")
	s.keep("approver_not_in_group", Sent, learner)
	s.Approvers(approverpolicy.Listed(map[string][]string{learner: {approver, other}}))
	s.Say(learner, "<@"+stranger+">")
	s.keep("approver_not_listed", Sent, learner)
	s.Approvers(approverpolicy.Listed(map[string][]string{other: {approver}}))
	s.Say(learner, "<@"+approver+">")
	s.keep("approver_none_listed", Sent, learner)
	s.Approvers(approverpolicy.Anyone)
	s.Say(learner, "<@UMO> <@"+other+">")
	s.keep("people_ambiguous", Sent, learner)
	s.Say(learner, "<@UMO>")
	s.keep("advocate_prompt", Sent, learner)
	s.Say(learner, "<@UMO>")
	s.keep("advocate_rejected", Sent, learner)
	s.Click(learner, "Skip")
	s.keep("support_prompt", Sent, learner)
	s.Click(learner, "Skip")
	s.keep("ethics_prompt", Sent, learner)
	s.Click(learner, "Skip")
	s.keep("summary", Sent, learner)
	s.Say(learner, "edit deadline")
	s.keep("edit_step", Sent, learner)
	s.Click(learner, "Keep as is")
	s.Say(learner, "stauts")
	s.keep("did_you_mean", Sent, learner)
	s.Say(learner, "edit goal 1")
	s.keep("item_prompt", Sent, learner)
	s.Click(learner, "Keep as is")
	s.Say(learner, "edit goal 4")
	s.keep("no_such_item", Sent, learner)
	s.Say(learner, "new")
	s.keep("confirm_new", Sent, learner)
	s.Click(learner, "Send to my manager")
	s.keep("sent", Sent, learner)
	s.keep("approval_request", Sent, approver)
	s.Say(learner, "status")
	s.keep("status", Sent, learner)
	s.Say(learner, "list")
	s.keep("list", Sent, learner)
	s.Say(learner, "edit goals")
	s.keep("not_editable", Sent, learner)

	card := s.Latest(approver)
	s.ClickOn(stranger, card, "Approve & sign")
	s.keep("denied", Ephemeral, stranger)
	s.Click(approver, "Request changes")
	s.form("request_changes", approver)
	s.Submit(approver, map[string]string{conversation.FieldComments: ""})
	s.keep("form_retry", Ephemeral, approver)
	s.Click(approver, "Write your comments")
	s.Submit(approver, map[string]string{conversation.FieldComments: "Could the evidence include a demo to the team?"})
	s.keep("changes_requested_card", Updated, approver)
	s.keep("changes_requested", Sent, learner)
	s.Click(learner, "Revise")
	s.keep("revise_summary", Sent, learner)
	s.ClickID(learner, conversation.ActionEditEvidence)
	s.Say(learner, "A write-up of three reviews; a demo to the team")
	s.Click(learner, "Send to my manager")
	s.keep("approval_request_diff", Sent, approver)
	long := sampler{NewWorld(t, now), msgs, modals}
	LongGoalRevised(long.World, learner, approver)
	long.keep("approval_request_long_diff", Sent, approver)
	s.ClickOn(approver, card, "Approve & sign")
	s.keep("stale", Ephemeral, approver)
	s.keep("stale_card", Updated, approver)
	s.Click(approver, "Propose an amendment")
	s.form("amend", approver)
	s.Submit(approver, map[string]string{contract.FieldDeadline: "in 10 weeks",
		contract.FieldCriteria:    "Two teammates use my checklist without help\nI observe one review",
		conversation.FieldComment: "A little longer, and I'd like to sit in on one."})
	s.keep("amendment_card", Updated, approver)
	s.keep("amendment", Sent, learner)
	s.Click(learner, "Counter")
	s.keep("countered_card", Updated, learner)
	s.keep("counter_summary", Sent, learner)
	s.keep("counter_notice", Sent, approver)
	s.Click(learner, "Send to my manager")
	card = s.Latest(approver)
	s.Click(approver, "Approve & sign")
	s.keep("approved_card", Updated, approver)
	s.keep("approved", Sent, learner)
	s.ClickOn(approver, card, "Approve & sign")
	s.keep("already_active", Ephemeral, approver)

	s.Command(other, "new")
	s.Say(other, "Public speaking")
	s.Command(other, "send")
	s.keep("incomplete", Sent, other)
	s.Click(other, "Add a goal")
	s.Say(other, "Explain our deployment pipeline to a new teammate without notes")
	s.Click(other, "Skip")
	s.Click(other, "Done with goals")
	s.Click(other, "Add evidence")
	s.Say(other, "Notes from two rehearsals")
	s.Click(other, "Add success criteria")
	s.Say(other, "Three questions answered without notes")
	s.Click(other, "Set the deadline")
	s.Say(other, "in 6 weeks")
	s.Click(other, "Choose an approver")
	s.Say(other, "<@UMO>")
	s.Click(other, "Send to my manager")
	s.Click(approver, "Propose an amendment")
	s.Submit(approver, map[string]string{contract.FieldDeadline: "in 8 weeks"})
	s.Click(other, "Accept & sign")
	s.keep("accepted_card", Updated, other)
	s.keep("amendment_accepted", Sent, approver)
	s.Do(conversation.Input{Kind: conversation.ActionInput, User: other, Channel: DM(other), ActionID: "lp_retired"})
	s.keep("unknown_button", Ephemeral, other)
}

// keepAliveSamples adds the messages and forms that keep a signed contract
// alive: check-ins, renegotiation, pausing and reminders.
func keepAliveSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, approver = "ULEE", "UMO"
	s := sampler{NewWorld(t, now), msgs, modals}
	Signed(s.World, learner, approver)
	s.Due("c1", contract.DueCheckIn)
	s.keep("checkin_prompt", Sent, learner)
	prompt := s.Latest(learner)
	s.Click(learner, "Behind")
	s.keep("checkin_answered_card", Updated, learner)
	s.keep("checkin_happened", Sent, learner)
	s.Say(learner, "Two of the reviews I meant to shadow were cancelled")
	s.keep("checkin_next", Sent, learner)
	s.Say(learner, "Book two more with Ana")
	s.keep("checkin_done_behind", Sent, learner)
	s.ClickOn(learner, prompt, "On track")
	s.keep("checkin_passed", Ephemeral, learner)
	s.keep("checkin_passed_card", Updated, learner)
	s.Click(learner, "Propose a new deadline")
	s.keep("new_deadline_prompt", Sent, learner)
	s.Say(learner, "monday 29 jan 2026")
	s.keep("deadline_weekday_retry", Sent, learner)
	s.Say(learner, "in 12 weeks")
	s.keep("new_deadline_confirm", Sent, learner)
	s.ClickID(learner, conversation.ActionSendDeadline)
	s.keep("renegotiation_sent", Sent, learner)
	s.keep("renegotiation_request", Sent, approver)
	s.Due("c1", contract.DueApprovalReminder)
	s.keep("approval_reminder", Sent, approver)
	s.Click(approver, "Approve & sign")
	s.keep("renegotiated_card", Updated, approver)
	s.keep("renegotiated", Sent, learner)
	s.Due("c1", contract.DueCheckIn)
	s.Click(learner, "Snooze a day")
	s.keep("snoozed_card", Updated, learner)
	s.keep("snoozed", Sent, learner)
	s.Due("c1", contract.DueCheckIn)
	s.Click(learner, "On track")
	s.Say(learner, "Ran my first review")
	s.Click(learner, "Skip")
	s.keep("checkin_done", Sent, learner)
	s.Say(learner, "status")
	s.keep("status_active", Sent, learner)
	s.Say(learner, "help")
	s.keep("help_active", Sent, learner)
	s.Say(learner, "edit goals")
	s.keep("active_edit_hint", Sent, learner)
	s.Due("c1", contract.DueCheckIn)
	s.Due("c1", contract.DueCheckInMissed)
	s.keep("checkin_missed", Sent, learner)
	s.Click(learner, "Blocked")
	s.Say(learner, "cancel")
	s.keep("followup_stopped", Sent, learner)
	s.Click(learner, "Ask my manager for help")
	s.keep("help_note_prompt", Sent, learner)
	s.Say(learner, "Could you introduce me to a team that runs reviews?")
	s.keep("help_sent", Sent, learner)
	s.Due("c1", contract.DueSupport)
	s.keep("support_alert", Sent, approver)
	s.Click(approver, "Reply")
	s.form("reply_checkin", approver)
	s.Submit(approver, map[string]string{conversation.FieldReply: "Ana's team runs reviews on Thursdays: I'll ask her to let you sit in.",
		conversation.FieldTalk: conversation.TalkYes})
	s.keep("replied_card", Updated, approver)
	s.keep("checkin_answered", Sent, learner)
	s.Click(approver, "Propose a change")
	s.form("renegotiate", approver)
	s.Submit(approver, map[string]string{contract.FieldEvidence: "A write-up of two reviews"})
	s.keep("renegotiation_request_learner", Sent, learner)
	s.Click(learner, "Decline")
	s.keep("declined_card", Updated, learner)
	s.keep("declined", Sent, approver)
	s.keep("decline_reason_offer", Sent, learner)
	s.Click(learner, "Add a reason")
	s.form("decline_reason", learner)
	s.Submit(learner, map[string]string{conversation.FieldReason: "Two reviews won't show the checklist works: let's keep three."})
	s.keep("declined_why", Sent, approver)
	s.Advance(time.Hour)
	s.Say(learner, "pause")
	s.keep("pause_reason_prompt", Sent, learner)
	s.Say(learner, "On leave for two weeks")
	s.keep("pause_noted", Sent, learner)
	s.Say(learner, "status")
	s.keep("status_paused", Sent, learner)
	s.Due("c1", contract.DueSupport)
	s.keep("pause_news", Sent, approver)
	s.Say(learner, "resume")
	s.keep("resumed", Sent, learner)

	// The reminders towards the deadline, on a contract of their own.
	r := sampler{NewWorld(t, now), msgs, modals}
	Signed(r.World, learner, approver)
	for _, k := range []struct {
		kind contract.DueKind
		name string
	}{{contract.DueMidpoint, "midpoint_prompt"}, {contract.DueDeadlineSoon, "deadline_7d"},
		{contract.DueDeadlineTomorrow, "deadline_1d"}, {contract.DueOverdue, "overdue"}} {
		r.Due("c1", k.kind)
		r.keep(k.name, Sent, learner)
	}
}

// Signed has learner draft a contract (weekly check-ins, due in 8 weeks)
// that approver approves and signs.
func Signed(w *World, learner, approver string) {
	w.t.Helper()
	w.Say(learner, "new")
	w.Say(learner, "Running design reviews")
	w.Say(learner, "Run three design reviews using a checklist the team adopts")
	w.Click(learner, "Skip")
	w.Click(learner, "Done with goals")
	w.Click(learner, "Skip")
	w.Say(learner, "A write-up of three reviews")
	w.Say(learner, "Two teammates use my checklist without help")
	w.Say(learner, "in 8 weeks")
	w.Click(learner, "Weekly")
	w.Say(learner, "<@"+approver+">")
	w.SkipNotes(learner)
	w.Click(learner, "Send to my manager")
	w.Click(approver, "Approve & sign")
}

// digestSamples adds an approver's digest with every part in it.
func digestSamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const learner, quiet, proposer, approver = "ULEE", "UKAI", "USAM", "UMO"
	s := sampler{NewWorld(t, now), msgs, nil}
	DigestWeeks(s.World, learner, quiet, proposer, approver)
	s.Wait(24 * time.Hour)
	s.DigestDue(approver)
	s.keep("digest", Sent, approver)
}

// LongGoal is a goal written at length, as some learners do: with its
// ending, longer than a section holds twice.
func LongGoal(ending string) string {
	return "Run three design reviews for the payments team using a checklist the team adopts, " +
		strings.Repeat("covering the failure modes we keep meeting in production, the migration plan, "+
			"the rollout and its rollback, how we observe the change once it is live, ", 14) + ending
}

// LongGoalRevised has learner send approver a contract whose first of two
// goals is long (LongGoal), and, after approver asks for changes, send a
// second version where only that goal's ending changed.
func LongGoalRevised(w *World, learner, approver string) {
	goals := func(ending string) {
		w.Say(learner, LongGoal(ending))
		w.Click(learner, "Skip")
		w.Click(learner, "Add another goal")
		w.Say(learner, "Write a one-page guide to our review checklist that two teammates use without help")
		w.Click(learner, "Skip")
		w.Click(learner, "Done with goals")
	}
	w.Say(learner, "new")
	w.Say(learner, "Running design reviews")
	goals("and who signs it off.")
	w.Say(learner, "Shadow Ana's reviews; read the Design Review Handbook")
	w.Say(learner, "A write-up of three reviews")
	w.Say(learner, "Two teammates use my checklist without help")
	w.Say(learner, "in 8 weeks")
	w.Click(learner, "Weekly")
	w.Say(learner, "<@"+approver+">")
	w.SkipNotes(learner)
	w.Click(learner, "Send to my manager")
	w.Click(approver, "Request changes")
	w.Submit(approver, map[string]string{conversation.FieldComments: "Who signs the reviews off? Name them, please."})
	w.Click(learner, "Revise")
	w.ClickID(learner, conversation.ActionEditGoals)
	w.Click(learner, "Start goals over")
	goals("and Priya, our staff engineer, signs it off.")
	w.Click(learner, "Send to my manager")
}

// DigestWeeks makes four weeks of contracts with approver: learner checks
// in every week and, at the mid-point, says they're behind; quiet misses
// the first check-in and goes quiet; proposer sends a new contract that
// waits for approver. It ends just after the mid-point check-in.
func DigestWeeks(w *World, learner, quiet, proposer, approver string) {
	w.t.Helper()
	reviews := ProposeAs(w, learner, approver, "Running design reviews", "Run three design reviews using a checklist the team adopts")
	w.Click(approver, "Approve & sign")
	speaking := ProposeAs(w, quiet, approver, "Public speaking", "Give a ten-minute talk at the all-hands and take three questions")
	w.Click(approver, "Approve & sign")
	onTrack := func() {
		w.Due(reviews, contract.DueCheckIn)
		w.Click(learner, "On track")
		w.Click(learner, "Skip")
		w.Click(learner, "Skip")
	}
	onTrack()
	w.Due(speaking, contract.DueCheckIn)
	w.Due(speaking, contract.DueCheckInMissed)
	onTrack()
	onTrack()
	ProposeAs(w, proposer, approver, "Mentoring", "Mentor two juniors through their first on-call week")
	w.Due(reviews, contract.DueMidpoint)
	w.Click(learner, "Behind")
	w.Say(learner, "Two of the reviews I meant to shadow were cancelled")
	w.Say(learner, "Book two more with Ana")
}

// ProposeAs has learner draft a contract with one goal (weekly check-ins,
// due in 8 weeks) and send it to approver; it returns the contract's id.
func ProposeAs(w *World, learner, approver, title, goal string) string {
	w.t.Helper()
	w.Say(learner, "new")
	w.Say(learner, title)
	w.Say(learner, goal)
	w.Click(learner, "Skip")
	w.Click(learner, "Done with goals")
	w.Click(learner, "Skip")
	w.Say(learner, "Notes on what I did and what I learned")
	w.Say(learner, "My manager agrees each goal is met")
	w.Say(learner, "in 8 weeks")
	w.Click(learner, "Weekly")
	w.Say(learner, "<@"+approver+">")
	w.SkipNotes(learner)
	w.Click(learner, "Send to my manager")
	return w.created[len(w.created)-1]
}

// reviewSamples adds the messages and forms of learning sets: the offer,
// a shared draft, feedback, a decline, reminders and the learner's digest.
func reviewSamples(t testing.TB, now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) {
	t.Helper()
	const learner, a, b, c, stranger = "ULEE", "UPAT", "USAM", "UKAI", "UOUT"
	s := sampler{NewWorld(t, now), msgs, modals}
	s.AddChannel("CSET", learner, a, b, c)
	s.Joined(learner, "CSET")
	s.keep("set_offer", Sent, "CSET")
	s.ClickInChannel(a, "CSET", "Make this a learning set")
	s.keep("set_created", Updated, "CSET")
	s.Command(learner, "new")
	s.Say(learner, "Public speaking")
	s.Say(learner, "Explain our deployment pipeline to a new teammate without notes")
	s.Click(learner, "Skip")
	s.Click(learner, "Done with goals")
	s.Say(learner, "Two rehearsals with the team")
	s.Say(learner, "Notes from two rehearsals")
	s.Say(learner, "Three questions answered without notes")
	s.Say(learner, "in 6 weeks")
	s.Click(learner, "Weekly")
	s.Say(learner, "<@UMO>")
	s.Say(learner, "share")
	s.keep("share_prompt", Sent, learner)
	s.Click(learner, "Share with my learning set")
	s.form("share", learner)
	s.Submit(learner, map[string]string{conversation.FieldNote: "Is six weeks enough?"})
	s.keep("shared_draft", Sent, "CSET")
	s.keep("shared", Sent, learner)
	asked := s.Contract("c1").Waiting()
	s.ClickInChannel(stranger, "CSET", "Give feedback")
	s.keep("review_not_member", Ephemeral, stranger)
	s.Due("c1", contract.DueReviewReminder)
	s.keep("review_reminder", Sent, "")
	s.ClickInChannel(asked[0], "CSET", "Not this week")
	s.keep("review_replaced", Sent, "CSET")
	s.keep("review_declined", Ephemeral, asked[0])
	s.Due("c1", contract.DueReviewSlow)
	s.keep("review_slow", Sent, learner)
	waiting := s.Contract("c1").Waiting()
	if len(waiting) != 2 {
		s.fatalf("after a decline, waiting for %v; the script needs two reviewers", waiting)
	}
	s.ClickInChannel(waiting[0], "CSET", "Give feedback")
	s.form("feedback", waiting[0])
	s.Submit(waiting[0], map[string]string{conversation.FieldSpecific: "Yes, the goal is clear.", conversation.FieldTimeline: "Six weeks is tight."})
	s.keep("feedback_notice", Sent, "CSET")
	s.keep("feedback_thanks", Ephemeral, waiting[0])
	s.ReplyInThread(waiting[1], "CSET", "Could the evidence be a recorded talk?")
	s.keep("review_gathered", Sent, learner)
	s.ReplyInThread(stranger, "CSET", "late thought")
	s.Click(learner, "Send to my manager")
	s.keep("approval_request_peer", Sent, "UMO")
}

package conversation

import (
	"errors"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// SampleMessages returns one instance of every kind of message the flows
// send, keyed by a stable name ("welcome", "goal_coach", "summary",
// "approval_request", "approval_request_diff", "approved", …), for the
// platform renderers' golden tests. They come from running Step on scripted
// turns starting at now, so they stay true to the flows.
func SampleMessages(now time.Time) map[string]message.Message {
	m, _, _ := samples(now)
	return m
}

// SampleModals returns every modal the flows open, keyed by name
// ("request_changes", "amend").
func SampleModals(now time.Time) map[string]message.Modal {
	_, m, _ := samples(now)
	return m
}

// samples runs the script behind SampleMessages and SampleModals; the error
// says where the script broke.
func samples(now time.Time) (map[string]message.Message, map[string]message.Modal, error) {
	const learner, approver, stranger, other = "ULEE", "UMO", "USAM", "UKAI"
	s := newSim(now, nil)
	msgs := map[string]message.Message{}
	modals := map[string]message.Modal{}
	keep := keeper(s, msgs)
	form := former(s, modals)

	s.say(learner, "help")
	keep("help", "reply")
	s.say(learner, "status")
	keep("status_none", "reply")
	s.say(learner, "what is this")
	keep("idle", "reply")
	s.say(learner, "hi")
	keep("welcome", "reply")
	s.say(learner, "Running design reviews")
	keep("goal_prompt", "reply")
	s.say(learner, "learn about design reviews")
	keep("goal_coach", "reply")
	s.click(learner, "Use suggestion")
	keep("mastery_prompt", "reply")
	s.say(learner, "A review I run, observed by my manager")
	keep("goals", "reply")
	s.say(learner, "cancel")
	keep("cancelled", "reply")
	s.say(learner, "resume")
	s.click(learner, "Done with goals")
	keep("activities_prompt", "reply")
	s.say(learner, "Shadow two reviews; read the Design Review Handbook")
	keep("evidence_prompt", "reply")
	s.say(learner, "skip")
	keep("cannot_skip", "reply")
	s.say(learner, "A write-up of three reviews")
	keep("criteria_prompt", "reply")
	s.say(learner, "Two teammates use my checklist without help")
	keep("deadline_prompt", "reply")
	s.say(learner, "yesterday")
	keep("deadline_retry", "reply")
	s.say(learner, "in 8 weeks")
	keep("cadence_prompt", "reply")
	s.click(learner, "Fortnightly")
	keep("approver_prompt", "reply")
	s.say(learner, "<@ULEE>")
	keep("approver_rejected", "reply")
	s.say(learner, "<@UMO>")
	keep("summary", "reply")
	s.say(learner, "edit deadline")
	keep("edit_step", "reply")
	s.click(learner, "Keep as is")
	s.say(learner, "new")
	keep("confirm_new", "reply")
	s.click(learner, "Send to my manager")
	keep("sent", "reply")
	keep("approval_request", "send")
	s.say(learner, "status")
	keep("status", "reply")
	s.say(learner, "list")
	keep("list", "reply")
	s.say(learner, "edit goals")
	keep("not_editable", "reply")

	card := s.latest(approver)
	s.clickOn(stranger, card, "Approve & sign")
	keep("denied", "ephemeral")
	s.click(approver, "Request changes")
	form("request_changes", approver)
	s.submit(approver, map[string]string{FieldComments: ""})
	keep("form_retry", "ephemeral")
	s.click(approver, "Write your comments")
	s.submit(approver, map[string]string{FieldComments: "Could the evidence include a demo to the team?"})
	keep("changes_requested_card", "update")
	keep("changes_requested", "send")
	s.click(learner, "Revise")
	keep("revise_summary", "reply")
	s.clickID(learner, ActionEditEvidence)
	s.say(learner, "A write-up of three reviews; a demo to the team")
	s.click(learner, "Send to my manager")
	keep("approval_request_diff", "send")
	s.clickOn(approver, card, "Approve & sign")
	keep("stale", "ephemeral")
	s.click(approver, "Propose an amendment")
	form("amend", approver)
	s.submit(approver, map[string]string{contract.FieldDeadline: "in 10 weeks",
		contract.FieldCriteria: "Two teammates use my checklist without help\nI observe one review", FieldComment: "A little longer, and I'd like to sit in on one."})
	keep("amendment_card", "update")
	keep("amendment", "send")
	s.click(learner, "Counter")
	keep("countered_card", "update")
	keep("counter_summary", "reply")
	keep("counter_notice", "send")
	s.click(learner, "Send to my manager")
	card = s.latest(approver)
	s.click(approver, "Approve & sign")
	keep("approved_card", "update")
	keep("approved", "send")
	s.clickOn(approver, card, "Approve & sign")
	keep("already_active", "ephemeral")

	s.command(other, "new")
	s.say(other, "Public speaking")
	s.command(other, "send")
	keep("incomplete", "reply")
	s.click(other, "Add a goal")
	s.say(other, "Explain our deployment pipeline to a new teammate without notes")
	s.click(other, "Skip")
	s.click(other, "Done with goals")
	s.click(other, "Add evidence")
	s.say(other, "Notes from two rehearsals")
	s.click(other, "Add success criteria")
	s.say(other, "Three questions answered without notes")
	s.click(other, "Set the deadline")
	s.say(other, "in 6 weeks")
	s.click(other, "Choose an approver")
	s.say(other, "<@UMO>")
	s.click(other, "Send to my manager")
	s.click(approver, "Propose an amendment")
	s.submit(approver, map[string]string{contract.FieldDeadline: "in 8 weeks"})
	s.click(other, "Accept & sign")
	keep("accepted_card", "update")
	keep("amendment_accepted", "send")
	s.do(Input{Kind: ActionInput, User: other, Channel: "DUKAI", ActionID: "lp_retired"})
	keep("unknown_button", "ephemeral")
	return msgs, modals, errors.Join(s.err, keepAliveSamples(now, msgs, modals), digestSamples(now, msgs), reviewSamples(now, msgs, modals))
}

// keepAliveSamples adds the messages and modals that keep a signed contract
// alive: check-ins, renegotiation, pausing and reminders.
func keepAliveSamples(now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) error {
	const learner, approver = "ULEE", "UMO"
	s := newSim(now, nil)
	keep := keeper(s, msgs)
	s.signed(learner, approver)
	s.due("c1", contract.DueCheckIn)
	keep("checkin_prompt", "send")
	s.click(learner, "Behind")
	keep("checkin_answered_card", "update")
	keep("checkin_happened", "reply")
	s.say(learner, "Two of the reviews I meant to shadow were cancelled")
	keep("checkin_next", "reply")
	s.say(learner, "Book two more with Ana")
	keep("checkin_done_behind", "reply")
	s.click(learner, "Propose a new deadline")
	keep("new_deadline_prompt", "reply")
	s.say(learner, "in 12 weeks")
	keep("renegotiation_sent", "reply")
	keep("renegotiation_request", "send")
	s.due("c1", contract.DueApprovalReminder)
	keep("approval_reminder", "send")
	s.click(approver, "Approve & sign")
	keep("renegotiated_card", "update")
	keep("renegotiated", "send")
	s.due("c1", contract.DueCheckIn)
	s.click(learner, "Snooze a day")
	keep("snoozed_card", "update")
	keep("snoozed", "reply")
	s.due("c1", contract.DueCheckIn)
	s.click(learner, "On track")
	s.say(learner, "Ran my first review")
	s.click(learner, "Skip")
	keep("checkin_done", "reply")
	s.say(learner, "status")
	keep("status_active", "reply")
	s.say(learner, "help")
	keep("help_active", "reply")
	s.say(learner, "edit goals")
	keep("active_edit_hint", "reply")
	s.due("c1", contract.DueCheckIn)
	s.due("c1", contract.DueCheckInMissed)
	keep("checkin_missed", "send")
	s.click(learner, "Blocked")
	s.say(learner, "cancel")
	keep("followup_stopped", "reply")
	s.click(learner, "Ask my manager for help")
	keep("help_note_prompt", "reply")
	s.say(learner, "Could you introduce me to a team that runs reviews?")
	keep("help_sent", "reply")
	keep("help_request", "send")
	s.click(approver, "Propose a change")
	if m, ok := s.modals[approver]; ok {
		modals["renegotiate"] = m
	}
	s.submit(approver, map[string]string{contract.FieldEvidence: "A write-up of two reviews"})
	keep("renegotiation_request_learner", "send")
	s.click(learner, "Decline")
	keep("declined_card", "update")
	keep("declined", "send")
	s.say(learner, "pause")
	keep("pause_reason_prompt", "reply")
	s.say(learner, "On leave for two weeks")
	keep("pause_noted", "reply")
	s.say(learner, "status")
	keep("status_paused", "reply")
	s.say(learner, "resume")
	keep("resumed", "reply")

	// The reminders towards the deadline, on a contract of their own.
	r := newSim(now, nil)
	r.signed(learner, approver)
	for _, k := range []contract.DueKind{contract.DueMidpoint, contract.DueDeadlineSoon, contract.DueDeadlineTomorrow, contract.DueOverdue} {
		r.due("c1", k)
		if r.err == nil {
			msgs[map[contract.DueKind]string{contract.DueMidpoint: "midpoint_prompt", contract.DueDeadlineSoon: "deadline_7d",
				contract.DueDeadlineTomorrow: "deadline_1d", contract.DueOverdue: "overdue"}[k]] = r.lastMessage("send")
		}
	}
	return errors.Join(s.err, r.err)
}

// signed has learner draft a contract (weekly check-ins, due in 8 weeks)
// that approver approves and signs.
func (s *sim) signed(learner, approver string) {
	s.say(learner, "new")
	s.say(learner, "Running design reviews")
	s.say(learner, "Run three design reviews using a checklist the team adopts")
	s.click(learner, "Skip")
	s.click(learner, "Done with goals")
	s.click(learner, "Skip")
	s.say(learner, "A write-up of three reviews")
	s.say(learner, "Two teammates use my checklist without help")
	s.say(learner, "in 8 weeks")
	s.click(learner, "Weekly")
	s.say(learner, "<@"+approver+">")
	s.click(learner, "Send to my manager")
	s.click(approver, "Approve & sign")
}

// digestSamples adds an approver's digest with every part in it.
func digestSamples(now time.Time, msgs map[string]message.Message) error {
	const learner, quiet, proposer, approver = "ULEE", "UKAI", "USAM", "UMO"
	s := newSim(now, nil)
	s.digestWeek(learner, quiet, proposer, approver)
	s.wait(24 * time.Hour)
	s.digestDue(approver)
	if s.err == nil {
		msgs["digest"] = s.lastMessage("send")
	}
	return s.err
}

// digestWeek makes four weeks of contracts with approver: learner checks
// in every week and, at the mid-point, says they're behind; quiet misses
// the first check-in and goes quiet; proposer sends a new contract that
// waits for approver. It ends just after the mid-point check-in.
func (s *sim) digestWeek(learner, quiet, proposer, approver string) {
	reviews := s.proposeAs(learner, approver, "Running design reviews", "Run three design reviews using a checklist the team adopts")
	s.click(approver, "Approve & sign")
	speaking := s.proposeAs(quiet, approver, "Public speaking", "Give a ten-minute talk at the all-hands and take three questions")
	s.click(approver, "Approve & sign")
	onTrack := func() {
		s.due(reviews, contract.DueCheckIn)
		s.click(learner, "On track")
		s.click(learner, "Skip")
		s.click(learner, "Skip")
	}
	onTrack()
	s.due(speaking, contract.DueCheckIn)
	s.due(speaking, contract.DueCheckInMissed)
	onTrack()
	onTrack()
	s.proposeAs(proposer, approver, "Mentoring", "Mentor two juniors through their first on-call week")
	s.due(reviews, contract.DueMidpoint)
	s.click(learner, "Behind")
	s.say(learner, "Two of the reviews I meant to shadow were cancelled")
	s.say(learner, "Book two more with Ana")
}

// proposeAs has learner draft a contract with one goal (weekly check-ins,
// due in 8 weeks) and send it to approver; it returns the contract's id.
func (s *sim) proposeAs(learner, approver, title, goal string) string {
	s.say(learner, "new")
	s.say(learner, title)
	s.say(learner, goal)
	s.click(learner, "Skip")
	s.click(learner, "Done with goals")
	s.click(learner, "Skip")
	s.say(learner, "Notes on what I did and what I learned")
	s.say(learner, "My manager agrees each goal is met")
	s.say(learner, "in 8 weeks")
	s.click(learner, "Weekly")
	s.say(learner, "<@"+approver+">")
	s.click(learner, "Send to my manager")
	if s.err != nil || len(s.created) == 0 {
		return ""
	}
	return s.created[len(s.created)-1]
}

// reviewSamples adds the messages and forms of learning sets: the offer,
// a shared draft, feedback, a decline, reminders and the learner's digest.
func reviewSamples(now time.Time, msgs map[string]message.Message, modals map[string]message.Modal) error {
	const learner, a, b, c, stranger = "ULEE", "UPAT", "USAM", "UKAI", "UOUT"
	s := newSim(now, nil)
	keep := keeper(s, msgs)
	form := former(s, modals)
	s.addChannel("CSET", learner, a, b, c)
	s.joined(learner, "CSET")
	keep("set_offer", "post")
	s.clickInChannel(a, "CSET", "Make this a learning set")
	keep("set_created", "update")
	s.command(learner, "new")
	s.say(learner, "Public speaking")
	s.say(learner, "Explain our deployment pipeline to a new teammate without notes")
	s.click(learner, "Skip")
	s.click(learner, "Done with goals")
	s.say(learner, "Two rehearsals with the team")
	s.say(learner, "Notes from two rehearsals")
	s.say(learner, "Three questions answered without notes")
	s.say(learner, "in 6 weeks")
	s.click(learner, "Weekly")
	s.say(learner, "<@UMO>")
	s.say(learner, "share")
	keep("share_prompt", "reply")
	s.click(learner, "Share with my learning set")
	form("share", learner)
	s.submit(learner, map[string]string{FieldNote: "Is six weeks enough?"})
	keep("shared_draft", "post")
	keep("shared", "reply")
	ct := s.contract("c1")
	if ct == nil {
		return errors.Join(s.err, errors.New("review samples: no contract"))
	}
	asked := ct.Waiting()
	s.clickInChannel(stranger, "CSET", "Give feedback")
	keep("review_not_member", "ephemeral")
	s.due("c1", contract.DueReviewReminder)
	keep("review_reminder", "send")
	s.clickInChannel(asked[0], "CSET", "Not this week")
	keep("review_replaced", "post")
	keep("review_declined", "ephemeral")
	s.due("c1", contract.DueReviewSlow)
	keep("review_slow", "send")
	if ct = s.contract("c1"); ct != nil && len(ct.Waiting()) == 2 {
		w := ct.Waiting()
		s.clickInChannel(w[0], "CSET", "Give feedback")
		form("feedback", w[0])
		s.submit(w[0], map[string]string{FieldSpecific: "Yes, the goal is clear.", FieldTimeline: "Six weeks is tight."})
		keep("feedback_notice", "post")
		keep("feedback_thanks", "ephemeral")
		s.replyInThread(w[1], "CSET", "Could the evidence be a recorded talk?")
		keep("review_gathered", "send")
	}
	s.replyInThread(stranger, "CSET", "late thought")
	s.click(learner, "Send to my manager")
	keep("approval_request_peer", "send")
	return s.err
}

// keeper returns a function that keeps the latest turn's message of a kind
// under a name, unless the script broke.
func keeper(s *sim, msgs map[string]message.Message) func(name, kind string) {
	return func(name, kind string) {
		if s.err == nil {
			msgs[name] = s.lastMessage(kind)
		}
	}
}

// former returns a function that keeps the form open for a user under a
// name.
func former(s *sim, modals map[string]message.Modal) func(name, user string) {
	return func(name, user string) {
		if m, ok := s.modals[user]; ok {
			modals[name] = m
		}
	}
}

package bot_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

func TestSamples(t *testing.T) {
	msgs, modals := bottest.Samples(t, start)
	want := []string{"welcome", "goal_prompt", "goal_coach", "mastery_prompt", "goals", "activities_prompt", "evidence_prompt",
		"criteria_prompt", "deadline_prompt", "deadline_retry", "cadence_prompt", "approver_prompt", "approver_rejected", "approver_not_in_group", "approver_not_listed", "approver_none_listed",
		"summary", "edit_step", "incomplete", "sent", "approval_request", "approval_request_diff", "approval_request_long_diff",
		"approved", "approved_card",
		"changes_requested", "changes_requested_card", "revise_summary", "amendment", "amendment_card", "countered_card",
		"counter_summary", "counter_notice", "accepted_card", "amendment_accepted", "help", "status", "status_none", "list",
		"denied", "stale", "already_active", "unknown_button", "cancelled", "cannot_skip", "confirm_new", "idle",
		"not_editable", "form_retry", "suggestion_used_card", "stale_card", "checkin_passed", "checkin_passed_card",
		"checkin_prompt", "checkin_answered_card", "checkin_happened", "checkin_next", "checkin_done_behind", "new_deadline_prompt",
		"new_deadline_confirm", "deadline_weekday_retry", "did_you_mean", "item_prompt", "no_such_item",
		"renegotiation_sent", "renegotiation_request", "approval_reminder", "renegotiated_card", "renegotiated", "snoozed_card",
		"snoozed", "checkin_done", "status_active", "help_active", "active_edit_hint", "checkin_missed", "followup_stopped",
		"help_note_prompt", "help_sent", "support_alert", "replied_card", "checkin_answered", "pause_news", "decline_reason_offer", "declined_why", "renegotiation_request_learner", "declined_card", "declined",
		"pause_reason_prompt", "pause_noted", "status_paused", "resumed", "midpoint_prompt", "deadline_7d", "deadline_1d", "overdue",
		"digest",
		"set_offer", "set_created", "share_prompt", "shared_draft", "shared", "review_not_member", "review_reminder",
		"review_replaced", "review_declined", "review_slow", "feedback_notice", "feedback_thanks", "review_gathered",
		"approval_request_peer",
		"files_not_kept", "end_early", "handin_prompt", "handin_refused", "handin_more", "rate_prompt", "rate_answered_card",
		"rate_note_prompt", "submitted", "assess_card", "evidence_card", "status_submitted", "comment_notice", "more_asked_card",
		"more_asked", "card_out_of_date", "assessed_card", "assessed", "reply_prompt", "reply_notice", "reflect_prompt",
		"completed", "completed_approver", "status_completed", "impact_prompt", "impact_answered_card", "impact_example_prompt",
		"impact_thanks", "digest_finish", "impact_approver", "retire_note_prompt", "retired", "retired_notice",
		"record", "record_pick", "record_not_yours", "record_draft_export", "record_exported", "record_card", "record_huge",
		"report", "report_approver", "report_refused",
		"my_data", "forget_confirm", "forget_kept", "forget_asked", "forgotten",
		"home", "home_approver", "home_empty", "home_reviewer", "home_full", "home_examples", "home_templates",
		"people_ambiguous", "advocate_prompt", "advocate_rejected", "support_prompt", "ethics_prompt", "people_named",
		"summary_advocate", "sent_advocate", "approval_request_advocate", "advocate_request", "status_advocate", "advocate_denied",
		"advocate_comment_sent", "advocate_commented", "advocate_released", "advocate_request_diff", "advocate_signed_card",
		"advocate_signed", "advocate_active",
		"consent_card", "consent_chosen_card", "consent_chosen", "library_list", "library_empty",
		"examples_offered", "example", "examples_found", "examples_none", "examples_bad", "example_gone",
		"draft_for_who", "draft_for_self", "draft_for_two", "draft_for_welcome", "draft_for_summary", "draft_for_already",
		"draft_for_sent", "drafted_for", "draft_accepted_card", "draft_accepted", "draft_declined_card", "draft_declined",
		"draft_declined_why", "draft_for_refused",
		"template_start", "template_pick", "template_form_waiting", "template_applied", "template_criteria_kept", "template_stale_form",
		"withdraw_nothing", "withdraw_which", "withdraw_confirm", "withdrawn", "withdrawn_notice"}
	for _, k := range want {
		m, ok := msgs[k]
		if !ok {
			t.Errorf("no sample %q", k)
			continue
		}
		messagetest.CheckLimits(t, k, m)
	}
	if len(msgs) != len(want) {
		t.Errorf("%d samples, the test knows %d", len(msgs), len(want))
	}
	if !strings.Contains(messagetest.Text(msgs["approval_request_diff"]), "What changed since version 1") {
		t.Error("approval_request_diff shows no diff")
	}
	if !strings.Contains(messagetest.Text(msgs["approval_request_peer"]), "Peer review") {
		t.Error("approval_request_peer shows no peer review")
	}
	forms := []string{"request_changes", "amend", "renegotiate", "share", "feedback", "comment_work", "ask_more", "assess", "reply_checkin", "decline_reason",
		"draft_decline_reason", "advocate_comment", "from_template", "from_template_long"}
	for _, k := range forms {
		m, ok := modals[k]
		if !ok {
			t.Errorf("no modal %q", k)
			continue
		}
		if utf8.RuneCountInString(m.Title) > 24 || m.CallbackID == "" || m.PrivateData == "" {
			t.Errorf("modal %s: %+v", k, m)
		}
	}
	if len(modals) != len(forms) {
		t.Errorf("%d sample modals, the test knows %d", len(modals), len(forms))
	}
	again, againModals := bottest.Samples(t, start)
	if !reflect.DeepEqual(again, msgs) || !reflect.DeepEqual(againModals, modals) {
		t.Error("the samples are not deterministic")
	}
}

// TestSamplesAnyDay: the sample scripts hold at any date and on any day of
// the week.
func TestSamplesAnyDay(t *testing.T) {
	days := []time.Time{time.Date(2031, 12, 31, 23, 0, 0, 0, time.UTC)}
	for d := 1; d < 7; d++ {
		days = append(days, start.AddDate(0, 0, d))
	}
	for _, day := range days {
		t.Run(day.Format("Mon 2006-01-02 15:04"), func(t *testing.T) {
			msgs, modals := bottest.Samples(t, day)
			if len(msgs) == 0 || len(modals) == 0 {
				t.Errorf("%d messages, %d modals", len(msgs), len(modals))
			}
		})
	}
}

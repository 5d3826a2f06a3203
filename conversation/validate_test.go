package conversation

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	submit := func(callback string, form map[string]string) Input {
		return Input{Kind: SubmitInput, CallbackID: callback, Form: form}
	}
	tests := []struct {
		name string
		in   Input
		want []string // input ids with a problem
	}{
		{"comments given", submit(CallbackRequestChanges, map[string]string{FieldComments: "More time"}), nil},
		{"comments blank", submit(CallbackRequestChanges, map[string]string{FieldComments: "  "}), []string{FieldComments}},
		{"a reply", submit(CallbackReplyCheckIn, map[string]string{FieldReply: "Ask Ana", FieldTalk: ""}), nil},
		{"only let's talk", submit(CallbackReplyCheckIn, map[string]string{FieldReply: " ", FieldTalk: TalkYes}), nil},
		{"an empty reply", submit(CallbackReplyCheckIn, map[string]string{FieldReply: " ", FieldTalk: ""}), []string{FieldReply}},
		{"a reason", submit(CallbackDeclineReason, map[string]string{FieldReason: "After the release"}), nil},
		{"no reason", submit(CallbackDeclineReason, map[string]string{FieldReason: ""}), []string{FieldReason}},
		{"amendment fine", submit(CallbackAmend, map[string]string{contract.FieldGoals: "Lead a review", contract.FieldEvidence: "Notes", contract.FieldCriteria: "Two reviews", contract.FieldDeadline: "2027-03-01"}), nil},
		{"amendment bad date", submit(CallbackAmend, map[string]string{contract.FieldGoals: "Lead a review", contract.FieldDeadline: "whenever"}), []string{contract.FieldDeadline}},
		{"amendment past date", submit(CallbackAmend, map[string]string{contract.FieldDeadline: "2020-01-01"}), []string{contract.FieldDeadline}},
		{"amendment cleared parts", submit(CallbackAmend, map[string]string{contract.FieldGoals: "", contract.FieldEvidence: " ", contract.FieldCriteria: ""}), []string{contract.FieldGoals, contract.FieldEvidence, contract.FieldCriteria}},
		{"not a submission", Input{Kind: TextInput, Text: "hi"}, nil},
		{"unknown form", submit("something_else", map[string]string{"x": ""}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(tt.in, now, nil)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %v, want them for %v", got, tt.want)
			}
			for _, id := range tt.want {
				if got[id] == "" {
					t.Errorf("no problem reported for %s: %v", id, got)
				}
			}
		})
	}
}

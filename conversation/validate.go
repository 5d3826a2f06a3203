package conversation

import (
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/deadline"
)

// Validate checks a modal submission before it is accepted, so the form can
// stay open with the problems shown beside the fields and nothing typed is
// lost. It needs no contract and no store, so adapters call it while
// answering the submission. It returns problems by input id; none means
// the submission goes on to Step, which checks everything again.
func Validate(in Input, now time.Time, loc *time.Location) map[string]string {
	if in.Kind != SubmitInput {
		return nil
	}
	problems := map[string]string{}
	blank := func(id, msg string) {
		if v, ok := in.Form[id]; ok && strings.TrimSpace(v) == "" {
			problems[id] = msg
		}
	}
	switch in.CallbackID {
	case CallbackRequestChanges:
		if strings.TrimSpace(in.Form[FieldComments]) == "" {
			problems[FieldComments] = "Please say what you'd like changed."
		}
	case CallbackDeclineReason:
		if strings.TrimSpace(in.Form[FieldReason]) == "" {
			problems[FieldReason] = "Please write a line, or cancel."
		}
	case CallbackReplyCheckIn:
		if strings.TrimSpace(in.Form[FieldReply]) == "" && !strings.Contains(in.Form[FieldTalk], TalkYes) {
			problems[FieldReply] = "Please write a few words, or tick Let's talk."
		}
	case CallbackFeedback:
		if strings.TrimSpace(in.Form[FieldSpecific]+in.Form[FieldConvincing]+in.Form[FieldTimeline]+in.Form[FieldSuggestion]) == "" {
			problems[FieldSuggestion] = "Please answer at least one of the questions."
		}
	case CallbackFromTemplate:
		validateTemplate(in.Form, problems)
	case CallbackAmend:
		blank(contract.FieldGoals, "It needs at least one goal.")
		blank(contract.FieldEvidence, "It needs the evidence the learner will produce.")
		blank(contract.FieldCriteria, "It needs at least one success criterion.")
		if s, ok := in.Form[contract.FieldDeadline]; ok {
			s = strings.TrimSpace(s)
			if _, err := deadline.Parse(s, now, loc); err != nil {
				problems[contract.FieldDeadline] = deadlineProblem(err, s)
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return problems
}

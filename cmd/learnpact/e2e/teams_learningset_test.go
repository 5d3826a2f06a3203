package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
)

const (
	teamsSet = "19:learning-set@thread.tacv2"
	teamsPat = "29:pat"
	teamsKim = "29:kim"
)

// inChannel is an activity from user in the learning set's channel, in the
// thread under root ("" for the channel itself).
func (h *teamsHarness) inChannel(typ, user, root string) map[string]any {
	act := h.activity(typ, user)
	conv := teamsSet
	if root != "" {
		conv += ";messageid=" + root
	}
	act["conversation"] = map[string]any{"id": conv, "conversationType": "channel", "tenantId": teamsTenant}
	act["channelData"] = map[string]any{"tenant": map[string]any{"id": teamsTenant},
		"channel": map[string]any{"id": teamsSet, "name": "learning-set"}, "team": map[string]any{"id": teamsSet}}
	return act
}

// channelPost waits for an activity the bot posted in the channel (in any
// of its threads) whose text contains want.
func (h *teamsHarness) channelPost(want string) connectortest.Activity {
	h.t.Helper()
	var found connectortest.Activity
	err := h.fake.Await(h.ctx(), func(as []connectortest.Activity) bool {
		for _, a := range as {
			if a.Method == http.MethodPost && strings.HasPrefix(a.Conversation, teamsSet) && strings.Contains(teamsText(a), want) {
				found = a
				return true
			}
		}
		return false
	})
	if err != nil {
		h.t.Fatalf("the bot never posted %q in the channel", want)
	}
	return found
}

// clickInChannel presses a button on a card in the channel, in the thread
// under root, with inputs filled in.
func (h *teamsHarness) clickInChannel(user, root string, card connectortest.Activity, actionID string, inputs map[string]string) {
	h.t.Helper()
	data := teamsButton(h.t, card, actionID)
	for k, v := range inputs {
		data[k] = v
	}
	act := h.inChannel("message", user, root)
	act["value"] = data
	act["replyToId"] = card.ID
	h.mustDeliver(act)
}

// TestTeamsLearningSet: peer review in a Teams channel. The bot, added to
// the team, offers to make the channel a learning set; a member accepts.
// The learner shares their draft from their personal chat; the draft is
// posted in the channel with the reviewers @mentioned; one answers in the
// thread, the other in the form card; the learner gets the feedback.
func TestTeamsLearningSet(t *testing.T) {
	h := newTeamsHarness(t)
	h.fake.SetMembers(teamsSet,
		connectortest.Member{ID: teamsLearner, Name: teamsNames[teamsLearner]},
		connectortest.Member{ID: teamsPat, Name: "Pat Peer"},
		connectortest.Member{ID: teamsKim, Name: "Kim Peer"},
		connectortest.Member{ID: teamsBot, Name: "learnpact"})

	join := h.inChannel("conversationUpdate", teamsPat, "")
	join["membersAdded"] = []any{map[string]any{"id": teamsBot}}
	h.mustDeliver(join)
	offer := h.channelPost("Make this a learning set")
	h.clickInChannel(teamsPat, offer.ID, offer, string(conversation.ActionCreateSet), nil)
	h.fake.Await(h.ctx(), func(as []connectortest.Activity) bool {
		return slices.ContainsFunc(as, func(a connectortest.Activity) bool { return strings.Contains(teamsText(a), "is now a learning set") })
	})

	summary := h.draft()
	h.click(teamsLearner, summary, string(conversation.ActionShare), nil)
	form := h.expect(teamsLearner, "Share for feedback")
	h.click(teamsLearner, form, "lp_submit", map[string]string{conversation.FieldNote: "Is eight weeks enough?"})
	root := h.channelPost("Draft for review")
	h.expect(teamsLearner, "Shared with")

	cs := h.contracts(teamsLearner)
	if len(cs) != 1 || cs[0].Status != contract.InPeerReview {
		t.Fatalf("contracts after sharing: %+v", cs)
	}
	asked := cs[0].Waiting()
	if !slices.Equal(asked, []string{teamsPat, teamsKim}) && !slices.Equal(asked, []string{teamsKim, teamsPat}) {
		t.Fatalf("asked %v", asked)
	}
	// The reviewers are @mentioned: the card names them and carries a
	// mention entity for each.
	names := map[string]string{teamsPat: "Pat Peer", teamsKim: "Kim Peer"}
	for _, r := range asked {
		if !strings.Contains(string(root.Raw), `"id":"`+r+`"`) || !strings.Contains(teamsText(root), "<at>"+names[r]+"</at>") {
			t.Fatalf("the shared draft does not mention %s:\n%s", r, teamsText(root))
		}
	}

	// Pat answers in the thread, Kim with the form card.
	reply := h.inChannel("message", teamsPat, root.ID)
	reply["text"] = "A short demo would be more convincing than a write-up."
	h.mustDeliver(reply)
	h.clickInChannel(teamsKim, root.ID, root, string(conversation.ActionFeedback), nil)
	kimForm := h.channelPost("Critical, kind and specific")
	h.clickInChannel(teamsKim, root.ID, kimForm, "lp_submit", map[string]string{conversation.FieldSpecific: "Goal 1 is clear."})

	gathered := h.expect(teamsLearner, "Your learning set has reviewed your draft")
	text := teamsText(gathered)
	if !strings.Contains(text, "short demo") || !strings.Contains(text, "Goal 1 is clear.") {
		t.Fatalf("gathered feedback:\n%s", text)
	}
	if c := h.contracts(teamsLearner)[0]; len(c.Feedback) != 2 || len(c.Waiting()) != 0 {
		t.Fatalf("stored: %+v", c.Feedback)
	}
}

// TestTeamsGeneralChannelOffer: Teams sends no name for a team's General
// channel; the bot still offers to make it a learning set, by that name.
func TestTeamsGeneralChannelOffer(t *testing.T) {
	h := newTeamsHarness(t)
	h.fake.SetMembers(teamsSet, connectortest.Member{ID: teamsPat, Name: "Pat Peer"}, connectortest.Member{ID: teamsBot})
	join := h.inChannel("conversationUpdate", teamsPat, "")
	join["channelData"] = map[string]any{"tenant": map[string]any{"id": teamsTenant},
		"channel": map[string]any{"id": teamsSet}, "team": map[string]any{"id": teamsSet}}
	join["membersAdded"] = []any{map[string]any{"id": teamsBot}}
	h.mustDeliver(join)
	if offer := h.channelPost("Make this a learning set"); !strings.Contains(teamsText(offer), "General") {
		t.Fatalf("offer does not name the General channel:\n%s", teamsText(offer))
	}
}

package sandbox

import (
	"context"
	"net/http"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func TestPageThreadReplies(t *testing.T) {
	p := newPageEnv(t)
	ctx := context.Background()
	_, root, err := p.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("Ada's draft", false))
	if err != nil {
		t.Fatal(err)
	}
	// The page's script shows each channel message with its thread and a
	// reply box.
	_, js := p.get(t, "/static/app.js")
	for _, id := range []string{"channel-message", "thread-message", "thread-reply-input", "thread-reply-send"} {
		if !strings.Contains(js, `"data-testid": "`+id+`"`) {
			t.Errorf("the page script has no data-testid %q", id)
		}
	}

	status, out := p.uiPost(t, "/ui/send", map[string]any{"as": PeerKim, "channel": LearningSet, "thread_ts": root, "text": "Clear criteria, @ada"}, nil)
	if status != http.StatusOK {
		t.Fatalf("reply: %d %v", status, out)
	}
	msg, ok := parseEvent(t, p.bot.last(t)).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || msg.ThreadTimeStamp != root || msg.ChannelType != "channel" || msg.User != PeerKim || msg.Text != "Clear criteria, <@"+Learner+">" {
		t.Errorf("reply event = %+v", parseEvent(t, p.bot.last(t)).InnerEvent.Data)
	}
	var thread []Message
	for _, c := range p.state(t, PeerKim).Conversations {
		if c.ID == LearningSet {
			thread = c.Messages
		}
	}
	if len(thread) != 2 || thread[1].ThreadTS != root || thread[1].User != PeerKim {
		t.Errorf("Kim's view of #learning-set = %+v", thread)
	}

	// Someone outside the channel neither sees it nor can write in it.
	n := len(p.bot.deliveries())
	status, out = p.uiPost(t, "/ui/send", map[string]any{"as": Manager, "channel": LearningSet, "thread_ts": root, "text": "let me in"}, nil)
	if status != http.StatusBadRequest || !strings.Contains(out["error"].(string), "not_in_channel") {
		t.Errorf("reply by a non-member: %d %v", status, out)
	}
	if len(p.bot.deliveries()) != n || len(p.w.Thread(LearningSet, root)) != 2 {
		t.Error("a non-member's reply was delivered or stored")
	}
	for _, c := range p.state(t, Manager).Conversations {
		if c.ID == LearningSet {
			t.Error("Mo is shown #learning-set")
		}
	}
	status, _ = p.uiPost(t, "/ui/click", map[string]any{"as": Advocate, "channel": LearningSet, "ts": root, "action_id": "x"}, nil)
	if status != http.StatusBadRequest {
		t.Errorf("click by a non-member: %d", status)
	}
}

func TestPageSubmitsChoices(t *testing.T) {
	p := newPageEnv(t)
	if _, err := p.client.OpenViewContext(context.Background(), clickForTrigger(t, p.env, PeerPat), choiceModal()); err != nil {
		t.Fatal(err)
	}
	_, js := p.get(t, "/static/app.js")
	if !strings.Contains(js, `"checkboxes"`) || !strings.Contains(js, `"modal-option-"`) {
		t.Error("the page script does not show check boxes")
	}
	status, out := p.uiPost(t, "/ui/submit", map[string]any{"as": PeerPat, "values": map[string]string{"strengths": "goals,evidence", "ready": "yes"}}, nil)
	if status != http.StatusOK {
		t.Fatalf("submit: %d %v", status, out)
	}
	cb, err := slackapi.InteractionCallbackParse(p.bot.last(t).req)
	if err != nil {
		t.Fatal(err)
	}
	if got := optionValues(cb.View.State.Values["strengths"]["strengths"].SelectedOptions); got != "goals,evidence" {
		t.Errorf("ticked = %q", got)
	}
	if got := cb.View.State.Values["ready"]["ready"].SelectedOption.Value; got != "yes" {
		t.Errorf("chosen = %q", got)
	}
}

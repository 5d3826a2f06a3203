package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// parseEvent parses an Events API delivery as the adapter does.
func parseEvent(t *testing.T, d delivery) slackevents.EventsAPIEvent {
	t.Helper()
	if d.Path != EventsPath || !strings.HasPrefix(d.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("event delivered to %s as %s", d.Path, d.Header.Get("Content-Type"))
	}
	ev, err := slackevents.ParseEvent(d.Body, slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatalf("parse event: %v\n%s", err, d.Body)
	}
	return ev
}

func TestSendDM(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.w.SendDM(ctx, Learner, "I want to learn Go"); err != nil {
		t.Fatalf("SendDM: %v", err)
	}
	if err := e.w.SendDM(ctx, Learner, "by March"); err != nil {
		t.Fatalf("SendDM: %v", err)
	}
	got := e.bot.deliveries()
	if len(got) != 2 {
		t.Fatalf("bot received %d requests, want 2", len(got))
	}
	ids := map[string]bool{}
	for i, d := range got {
		ev := parseEvent(t, d)
		if ev.Type != slackevents.CallbackEvent || ev.TeamID != e.w.TeamID() || ev.APIAppID == "" {
			t.Errorf("envelope %d: type %q team %q app %q", i, ev.Type, ev.TeamID, ev.APIAppID)
		}
		cb := ev.Data.(*slackevents.EventsAPICallbackEvent)
		if int64(cb.EventTime) != start.Unix() {
			t.Errorf("event_time %d, want the sandbox time %d", cb.EventTime, start.Unix())
		}
		ids[cb.EventID] = true
		msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
		if !ok {
			t.Fatalf("inner event is %T", ev.InnerEvent.Data)
		}
		if msg.User != Learner || msg.Channel != "D01ADA" || !msg.IsIM() || msg.TimeStamp == "" {
			t.Errorf("message event %d = %+v", i, msg)
		}
	}
	if len(ids) != 2 {
		t.Errorf("event ids are not unique: %v", ids)
	}
	dm := e.w.DM(Learner)
	if len(dm) != 2 || dm[0].Text != "I want to learn Go" || dm[0].User != Learner {
		t.Errorf("DM = %+v", dm)
	}

	for _, tt := range []struct {
		user, text string
		want       error
	}{
		{Learner, "  ", ErrInvalidInput},
		{"U99NOBODY", "hi", ErrNotFound},
		{BotUser, "hi", ErrNotFound},
	} {
		if err := e.w.SendDM(ctx, tt.user, tt.text); !errors.Is(err, tt.want) {
			t.Errorf("SendDM(%s, %q) = %v, want %v", tt.user, tt.text, err, tt.want)
		}
	}
	if n := len(e.bot.deliveries()); n != 2 {
		t.Errorf("refused messages were delivered (%d requests)", n)
	}
}

func TestSignature(t *testing.T) {
	e := newEnv(t)
	if err := e.w.SendDM(context.Background(), Learner, "hi"); err != nil {
		t.Fatal(err)
	}
	d := e.bot.last(t)
	sv, err := slackapi.NewSecretsVerifier(d.Header, "some other secret")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write(d.Body)
	if err := sv.Ensure(); !errors.Is(err, slackapi.ErrInvalidSignature) {
		t.Errorf("verifying with the wrong secret: %v, want ErrInvalidSignature", err)
	}
	// Advancing the sandbox clock does not make signatures stale.
	e.w.Clock().Advance(7 * 24 * time.Hour)
	if err := e.w.SendDM(context.Background(), Learner, "a week later"); err != nil {
		t.Fatalf("after a week: %v", err)
	}
}

func TestPostInChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.w.Post(ctx, PeerPat, LearningSet, "hey <@"+BotUser+"> share my draft", ""); err != nil {
		t.Fatalf("Post: %v", err)
	}
	got := e.bot.deliveries()
	if len(got) != 2 {
		t.Fatalf("bot received %d events, want message + app_mention", len(got))
	}
	msg, ok := parseEvent(t, got[0]).InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || !msg.IsChannel() || msg.Channel != LearningSet || msg.User != PeerPat {
		t.Errorf("first event = %+v", parseEvent(t, got[0]).InnerEvent.Data)
	}
	am, ok := parseEvent(t, got[1]).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || am.User != PeerPat || am.Channel != LearningSet || am.TimeStamp != msg.TimeStamp {
		t.Errorf("second event = %+v", parseEvent(t, got[1]).InnerEvent.Data)
	}

	// A reply in the thread carries thread_ts; no mention, no app_mention.
	if err := e.w.Post(ctx, PeerSam, LearningSet, "+1", msg.TimeStamp); err != nil {
		t.Fatal(err)
	}
	if n := len(e.bot.deliveries()); n != 3 {
		t.Fatalf("bot received %d events, want 3", n)
	}
	reply := parseEvent(t, e.bot.last(t)).InnerEvent.Data.(*slackevents.MessageEvent)
	if reply.ThreadTimeStamp != msg.TimeStamp {
		t.Errorf("reply thread_ts %q, want %q", reply.ThreadTimeStamp, msg.TimeStamp)
	}
	if th := e.w.Thread(LearningSet, msg.TimeStamp); len(th) != 2 || th[1].User != PeerSam {
		t.Errorf("thread = %+v", th)
	}

	if err := e.w.Post(ctx, PeerSam, "D01ADA", "snooping", ""); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("posting in someone else's DM: %v", err)
	}
	if err := e.w.Post(ctx, PeerSam, LearningSet, "x", "1.000001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("replying to a missing thread: %v", err)
	}
}

func TestClick(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, ts, err := e.client.PostMessageContext(ctx, Manager, slackapi.MsgOptionText("Ada proposes", false), card())
	if err != nil {
		t.Fatal(err)
	}
	ref := MessageRef{ch, ts}
	if err := e.w.Click(ctx, Manager, ref, "approve"); err != nil { // prefix of "approve#2"
		t.Fatalf("Click: %v", err)
	}
	d := e.bot.last(t)
	if d.Path != InteractivityPath || d.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("delivered to %s as %s", d.Path, d.Header.Get("Content-Type"))
	}
	cb, err := slackapi.InteractionCallbackParse(d.req)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if cb.Type != slackapi.InteractionTypeBlockActions || cb.User.ID != Manager || cb.Team.ID != e.w.TeamID() ||
		cb.TriggerID == "" || cb.ResponseURL == "" || cb.APIAppID == "" {
		t.Errorf("callback = type %q user %q team %q trigger %q response_url %q", cb.Type, cb.User.ID, cb.Team.ID, cb.TriggerID, cb.ResponseURL)
	}
	if cb.Container.Type != "message" || cb.Container.ChannelID != ch || cb.Container.MessageTs != ts || cb.Channel.ID != ch {
		t.Errorf("container = %+v, channel %q", cb.Container, cb.Channel.ID)
	}
	if cb.Message.Timestamp != ts || cb.Message.Text != "Ada proposes" {
		t.Errorf("message = %+v", cb.Message.Msg)
	}
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0].ActionID != "approve#2" || acts[0].Value != "c=C1&v=2" || acts[0].Type != "button" || acts[0].BlockID == "" || acts[0].Text.Text != "Approve" {
		t.Errorf("actions = %+v", acts)
	}

	// Each click gets a fresh trigger.
	first := cb.TriggerID
	if err := e.w.Click(ctx, Manager, ref, "approve#2"); err != nil {
		t.Fatal(err)
	}
	if cb2, _ := slackapi.InteractionCallbackParse(e.bot.last(t).req); cb2.TriggerID == first {
		t.Error("the trigger_id was reused")
	}

	for _, tt := range []struct {
		user, action string
		ref          MessageRef
		want         error
	}{
		{Manager, "nope", ref, ErrNotFound},
		{Learner, "approve", ref, ErrNotAllowed}, // Mo's DM
		{Manager, "approve", MessageRef{ch, "1.000001"}, ErrNotFound},
		{Manager, "snooze", ref, ErrNotFound}, // a select, not a button
	} {
		if err := e.w.Click(ctx, tt.user, tt.ref, tt.action); !errors.Is(err, tt.want) {
			t.Errorf("Click(%s, %s) = %v, want %v", tt.user, tt.action, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, ts, err := e.client.PostMessageContext(ctx, Learner, card())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Select(ctx, Learner, MessageRef{ch, ts}, "snooze", "1w"); err != nil {
		t.Fatalf("Select: %v", err)
	}
	cb, err := slackapi.InteractionCallbackParse(e.bot.last(t).req)
	if err != nil {
		t.Fatal(err)
	}
	acts := cb.ActionCallback.BlockActions
	if len(acts) != 1 || acts[0].ActionID != "snooze" || acts[0].SelectedOption.Value != "1w" || acts[0].Type != "static_select" {
		t.Errorf("actions = %+v", acts)
	}
	if err := e.w.Select(ctx, Learner, MessageRef{ch, ts}, "snooze", "1y"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("choosing a missing option: %v", err)
	}
}

func TestCommand(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bot.setAnswer(func(delivery) (int, string) {
		return http.StatusOK, `{"response_type":"ephemeral","text":"Starting a new contract…"}`
	})
	if err := e.w.Command(ctx, Learner, "", "new"); err != nil {
		t.Fatalf("Command: %v", err)
	}
	d := e.bot.last(t)
	if d.Path != CommandsPath {
		t.Errorf("delivered to %s", d.Path)
	}
	cmd, err := slackapi.SlashCommandParse(d.req)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Command != "/contract" || cmd.Text != "new" || cmd.UserID != Learner || cmd.ChannelID != "D01ADA" ||
		cmd.TeamID != e.w.TeamID() || cmd.TriggerID == "" || cmd.ResponseURL == "" {
		t.Errorf("command = %+v", cmd)
	}
	dm := e.w.DM(Learner)
	if len(dm) != 1 || !dm[0].Ephemeral || dm[0].Text != "Starting a new contract…" {
		t.Errorf("the immediate answer shows as %+v", dm)
	}

	// Follow-ups through the response_url, as slack-go sends them.
	if _, _, err := e.client.PostMessageContext(ctx, "", slackapi.MsgOptionResponseURL(cmd.ResponseURL, slackapi.ResponseTypeInChannel), slackapi.MsgOptionText("Draft ready", false)); err != nil {
		t.Fatalf("response_url: %v", err)
	}
	if dm = e.w.DM(Learner); len(dm) != 2 || dm[1].Ephemeral || dm[1].Text != "Draft ready" {
		t.Errorf("after in_channel response: %+v", dm)
	}

	if err := e.w.Command(ctx, Manager, LearningSet, "list"); !errors.Is(err, ErrNotInChannel) {
		t.Errorf("command by a non-member: %v, want ErrNotInChannel", err)
	}
	if err := e.w.Command(ctx, PeerLee, LearningSet, "list"); err != nil {
		t.Fatal(err)
	}
	if cmd, _ := slackapi.SlashCommandParse(e.bot.last(t).req); cmd.ChannelID != LearningSet || cmd.ChannelName != "learning-set" {
		t.Errorf("command in channel = %+v", cmd)
	}
}

func TestLearnedURL(t *testing.T) {
	bot := &testBot{t: t}
	botSrv := httptest.NewServer(bot)
	defer botSrv.Close()
	w := New(Config{BotURL: botSrv.URL})
	bot.secret = w.Secret()
	api := httptest.NewServer(w.APIHandler())
	defer api.Close()
	client := slackapi.New(w.Token(), slackapi.OptionAPIURL(api.URL+"/api/"))
	ctx := context.Background()
	if _, err := client.AuthTestContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Command(ctx, Learner, "", "help"); err != nil {
		t.Fatal(err)
	}
	cmd, _ := slackapi.SlashCommandParse(bot.last(t).req)
	if !strings.HasPrefix(cmd.ResponseURL, api.URL+"/api/response/") {
		t.Errorf("response_url %q is not served by %s", cmd.ResponseURL, api.URL)
	}
}

func TestResponseURLReplacesOriginal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, ts, err := e.client.PostMessageContext(ctx, Manager, card())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Click(ctx, Manager, MessageRef{ch, ts}, "approve"); err != nil {
		t.Fatal(err)
	}
	cb, _ := slackapi.InteractionCallbackParse(e.bot.last(t).req)
	if _, _, err := e.client.PostMessageContext(ctx, "", slackapi.MsgOptionReplaceOriginal(cb.ResponseURL), slackapi.MsgOptionText("Approved by Mo", false)); err != nil {
		t.Fatalf("replace_original: %v", err)
	}
	m, _ := e.w.Message(MessageRef{ch, ts})
	if m.Text != "Approved by Mo" || m.Updated != 1 || len(m.Blocks) != 0 {
		t.Errorf("after replace: %+v", m)
	}
	e.w.Clock().Advance(31 * time.Minute)
	_, _, err = e.client.PostMessageContext(ctx, "", slackapi.MsgOptionReplaceOriginal(cb.ResponseURL), slackapi.MsgOptionText("late", false))
	var sc slackapi.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusNotFound {
		t.Errorf("an expired response_url: %v", err)
	}
}

func TestSubmit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The bot opens a modal when the button is clicked, as the adapter does.
	e.bot.setAnswer(func(d delivery) (int, string) {
		cb, err := slackapi.InteractionCallbackParse(d.req)
		if err != nil {
			t.Errorf("parse: %v", err)
			return http.StatusBadRequest, ""
		}
		switch cb.Type {
		case slackapi.InteractionTypeBlockActions:
			deadline := slackapi.NewPlainTextInputBlockElement(nil, "deadline")
			deadline.InitialValue = "2025-03-01"
			if _, err := e.client.OpenViewContext(ctx, cb.TriggerID, modal("Ask for changes", commentInput(),
				slackapi.NewInputBlock("deadline", plain("Deadline"), nil, deadline))); err != nil {
				t.Errorf("views.open: %v", err)
			}
			return http.StatusOK, ""
		case slackapi.InteractionTypeViewSubmission:
			v := cb.View.State.Values
			if v["comment"]["comment"].Value == "too vague" {
				return http.StatusOK, `{"response_action":"errors","errors":{"comment":"Say what should change"}}`
			}
			return http.StatusOK, ""
		}
		return http.StatusOK, ""
	})
	ch, ts, err := e.client.PostMessageContext(ctx, Manager, card())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Click(ctx, Manager, MessageRef{ch, ts}, "changes"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.w.OpenModal(Manager); !ok {
		t.Fatal("no modal opened")
	}

	// A required field left empty never leaves the client.
	n := len(e.bot.deliveries())
	if err := e.w.Submit(ctx, Manager, map[string]string{"comment": ""}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("empty required field: %v", err)
	}
	if got := len(e.bot.deliveries()); got != n {
		t.Error("an incomplete form was delivered")
	}
	if err := e.w.Submit(ctx, Manager, map[string]string{"nosuch": "x"}); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("unknown field: %v", err)
	}

	if err := e.w.Submit(ctx, Manager, map[string]string{"comment": "too vague"}); err != nil {
		t.Fatalf("Submit: %v", err)
	}
	v, ok := e.w.OpenModal(Manager)
	if !ok || v.Errors["comment"] != "Say what should change" {
		t.Errorf("after errors: open %v, errors %v", ok, v.Errors)
	}
	cb, err := slackapi.InteractionCallbackParse(e.bot.last(t).req)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != slackapi.InteractionTypeViewSubmission || cb.View.CallbackID != "changes" || cb.View.PrivateMetadata != "c=C1&v=2" || cb.User.ID != Manager {
		t.Errorf("submission = type %q callback %q metadata %q user %q", cb.Type, cb.View.CallbackID, cb.View.PrivateMetadata, cb.User.ID)
	}
	if got := cb.View.State.Values["deadline"]["deadline"]; got.Type != "plain_text_input" || got.Value != "2025-03-01" {
		t.Errorf("untouched field = %+v, want its initial value", got)
	}

	if err := e.w.Submit(ctx, Manager, map[string]string{"comment": "Add a second criterion", "deadline": "2025-04-01"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.w.OpenModal(Manager); ok {
		t.Error("the modal stayed open after an empty 200")
	}
	if err := e.w.Submit(ctx, Manager, nil); !errors.Is(err, ErrNoModal) {
		t.Errorf("Submit without a modal: %v", err)
	}
}

func TestSubmitUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, Learner), modal("Step 1", commentInput())); err != nil {
		t.Fatal(err)
	}
	next, err := json.Marshal(map[string]any{"response_action": "update", "view": modal("Step 2", commentInput())})
	if err != nil {
		t.Fatal(err)
	}
	e.bot.setAnswer(func(delivery) (int, string) { return http.StatusOK, string(next) })
	if err := e.w.Submit(ctx, Learner, map[string]string{"comment": "x"}); err != nil {
		t.Fatal(err)
	}
	if v, ok := e.w.OpenModal(Learner); !ok || v.Title != "Step 2" {
		t.Errorf("after update: %+v %v", v, ok)
	}
}

func TestDeliveryErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bot.setAnswer(func(delivery) (int, string) { return http.StatusInternalServerError, "boom" })
	err := e.w.SendDM(ctx, Learner, "hi")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusInternalServerError || se.Path != EventsPath {
		t.Errorf("SendDM to a failing bot: %v", err)
	}

	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	w := New(Config{BotURL: down.URL})
	if err := w.SendDM(ctx, Learner, "hi"); err == nil || errors.As(err, &se) {
		t.Errorf("SendDM to a closed port: %v, want a transport error", err)
	}
	if err := New(Config{}).SendDM(ctx, Learner, "hi"); !errors.Is(err, ErrNoBot) {
		t.Errorf("SendDM without a bot: %v", err)
	}
}

func TestRedeliver(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.w.Redeliver(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Redeliver before any event: %v", err)
	}
	if err := e.w.SendDM(ctx, Learner, "hi"); err != nil {
		t.Fatal(err)
	}
	if err := e.w.Redeliver(ctx, 1); err != nil {
		t.Fatal(err)
	}
	got := e.bot.deliveries()
	first := parseEvent(t, got[0]).Data.(*slackevents.EventsAPICallbackEvent)
	retry := parseEvent(t, got[1]).Data.(*slackevents.EventsAPICallbackEvent)
	if first.EventID != retry.EventID || got[1].Header.Get("X-Slack-Retry-Num") != "1" || got[1].Header.Get("X-Slack-Retry-Reason") != "http_timeout" {
		t.Errorf("retry: ids %s/%s, headers %v", first.EventID, retry.EventID, got[1].Header)
	}
}

func TestVerifyURL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bot.setAnswer(func(d delivery) (int, string) {
		var v struct{ Challenge string }
		_ = json.Unmarshal(d.Body, &v)
		return http.StatusOK, v.Challenge
	})
	if err := e.w.VerifyURL(ctx); err != nil {
		t.Errorf("VerifyURL with an echoing bot: %v", err)
	}
	e.bot.setAnswer(func(delivery) (int, string) { return http.StatusOK, "" })
	if err := e.w.VerifyURL(ctx); err == nil {
		t.Error("VerifyURL with a silent bot succeeded")
	}
}

func TestHome(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bot.setAnswer(func(d delivery) (int, string) {
		if d.Path != EventsPath {
			return http.StatusOK, ""
		}
		ev := parseEvent(t, d)
		if home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok {
			view := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
				slackapi.NewActionBlock("", slackapi.NewButtonBlockElement("new_contract", "", plain("New contract"))),
			}}}
			if _, err := e.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: home.User, View: view}); err != nil {
				t.Errorf("views.publish: %v", err)
			}
		}
		return http.StatusOK, ""
	})
	if err := e.w.OpenHome(ctx, Learner); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.w.Home(Learner); !ok {
		t.Fatal("no home published")
	}
	if err := e.w.ClickHome(ctx, Learner, "new_contract"); err != nil {
		t.Fatal(err)
	}
	cb, err := slackapi.InteractionCallbackParse(e.bot.last(t).req)
	if err != nil || cb.Container.Type != "view" || cb.View.Type != slackapi.VTHomeTab || cb.ActionCallback.BlockActions[0].ActionID != "new_contract" {
		t.Errorf("home click = %+v, %v", cb.Container, err)
	}
}

func TestAwait(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- e.w.Await(ctx, func() bool { return len(e.w.DM(Learner)) == 2 })
	}()
	for _, text := range []string{"one", "two"} {
		if _, _, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText(text, false)); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Await: %v", err)
	}
	short, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := e.w.Await(short, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("Await on a cancelled context: %v", err)
	}
}

func TestSubscribe(t *testing.T) {
	e := newEnv(t)
	ch, cancel := e.w.Subscribe()
	if _, _, err := e.client.PostMessageContext(context.Background(), Learner, slackapi.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	c := <-ch
	if c.Kind != "message" || c.Channel != "D01ADA" {
		t.Errorf("change = %+v", c)
	}
	cancel()
	cancel() // twice is fine
	if _, open := <-ch; open {
		t.Error("channel still open after cancel")
	}
}

func TestClock(t *testing.T) {
	c := NewClock(start)
	changed := c.Changed()
	c.Advance(24 * time.Hour)
	select {
	case <-changed:
	default:
		t.Error("Changed not closed by Advance")
	}
	if !c.Now().Equal(start.Add(24 * time.Hour)) {
		t.Errorf("Now = %v", c.Now())
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("after Set: %v", c.Now())
	}

	wall := NewWallClock()
	wall.Advance(48 * time.Hour)
	if d := time.Until(wall.Now()); d < 47*time.Hour || d > 49*time.Hour {
		t.Errorf("wall clock advanced by %v, want about 48h", d)
	}
	wall.Set(start)
	if d := wall.Now().Sub(start); d < 0 || d > time.Minute {
		t.Errorf("wall clock set to %v, want %v", wall.Now(), start)
	}
}

func TestCustomPeople(t *testing.T) {
	w := New(Config{People: []Person{
		{ID: "U1", Name: "one"},
		{ID: "bad id"},
		{ID: "U1", Name: "dup"},
		{ID: "UBOT", Name: "helper", IsBot: true},
	}})
	if w.BotUserID() != "UBOT" {
		t.Errorf("bot = %q", w.BotUserID())
	}
	ps := w.People()
	if len(ps) != 2 || ps[0].ID != "U1" || ps[0].Name != "one" || ps[0].TZ != "UTC" || ps[1].ID != "UBOT" {
		t.Errorf("people = %+v", ps)
	}
}

package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, false)
}

// card is a message with a section, an approve button and a select.
func card() slackapi.MsgOption {
	return slackapi.MsgOptionBlocks(
		slackapi.NewSectionBlock(mrkdwn("*Contract* v2"), nil, nil),
		slackapi.NewActionBlock("",
			slackapi.NewButtonBlockElement("approve#2", "c=C1&v=2", plain("Approve")).WithStyle(slackapi.StylePrimary),
			slackapi.NewButtonBlockElement("changes", "c=C1&v=2", plain("Ask for changes")),
			slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, plain("Snooze"), "snooze",
				slackapi.NewOptionBlockObject("1d", plain("A day"), nil),
				slackapi.NewOptionBlockObject("1w", plain("A week"), nil)),
		),
	)
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	res, err := e.client.AuthTestContext(ctx)
	if err != nil {
		t.Fatalf("auth.test: %v", err)
	}
	if res.UserID != BotUser || res.TeamID != e.w.TeamID() || res.BotID == "" || res.User != "learnpact" {
		t.Errorf("auth.test = %+v", res)
	}

	for token, want := range map[string]string{"": "not_authed", "xoxb-wrong": "invalid_auth"} {
		c := slackapi.New(token, slackapi.OptionAPIURL(e.api.URL+"/api/"))
		_, err := c.AuthTestContext(ctx)
		if got := slackErr(t, err); got != want {
			t.Errorf("token %q: error %q, want %q", token, got, want)
		}
		// JSON methods carry the token in the Authorization header.
		_, err = c.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: Learner, View: slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab}})
		if got := slackErr(t, err); got != want {
			t.Errorf("token %q, views.publish: error %q, want %q", token, got, want)
		}
	}
	if _, ok := e.w.Home(Learner); ok {
		t.Error("an unauthenticated views.publish was applied")
	}
}

func TestUnknownMethod(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.GetTeamInfoContext(context.Background())
	if got := slackErr(t, err); got != "unknown_method" {
		t.Errorf("team.info: error %q, want unknown_method", got)
	}
}

func TestUsersInfo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		user, tz, label string
		offset          int
		when            time.Time
	}{
		{Learner, "Europe/London", "Greenwich Mean Time", 0, start},
		{Learner, "Europe/London", "British Summer Time", 3600, start.AddDate(0, 6, 0)},
		{Manager, "America/New_York", "Eastern Standard Time", -5 * 3600, start},
		{Advocate, "Asia/Singapore", "Singapore Standard Time", 8 * 3600, start},
		{PeerPat, "Europe/Berlin", "Central European Time", 3600, start},
		{PeerSam, "America/Los_Angeles", "Pacific Daylight Time", -7 * 3600, start.AddDate(0, 6, 0)},
	}
	for _, tt := range tests {
		e.w.Clock().Set(tt.when)
		u, err := e.client.GetUserInfoContext(ctx, tt.user)
		if err != nil {
			t.Fatalf("users.info %s: %v", tt.user, err)
		}
		if u.ID != tt.user || u.TZ != tt.tz || u.TZLabel != tt.label || u.TZOffset != tt.offset {
			t.Errorf("users.info %s at %s: tz %q %q %d, want %q %q %d", tt.user, tt.when.Format(time.DateOnly), u.TZ, u.TZLabel, u.TZOffset, tt.tz, tt.label, tt.offset)
		}
		if u.RealName == "" || u.Profile.RealName != u.RealName || u.Name == "" || u.IsBot {
			t.Errorf("users.info %s: names %q %q %q, is_bot %v", tt.user, u.Name, u.RealName, u.Profile.RealName, u.IsBot)
		}
	}
	if u, err := e.client.GetUserInfoContext(ctx, BotUser); err != nil || !u.IsBot {
		t.Errorf("users.info bot: %+v, %v", u, err)
	}
	_, err := e.client.GetUserInfoContext(ctx, "U99NOBODY")
	if got := slackErr(t, err); got != "user_not_found" {
		t.Errorf("unknown user: error %q, want user_not_found", got)
	}
}

func TestConversations(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	ch, noOp, _, err := e.client.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{Learner}})
	if err != nil {
		t.Fatalf("conversations.open: %v", err)
	}
	if ch.ID != "D01ADA" || noOp {
		t.Errorf("first open: channel %q no_op %v, want D01ADA false", ch.ID, noOp)
	}
	again, noOp, _, err := e.client.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{Learner}, ReturnIM: true})
	if err != nil || again.ID != ch.ID || !noOp || !again.IsIM || again.User != Learner {
		t.Errorf("second open: %+v no_op %v err %v", again, noOp, err)
	}

	for _, tt := range []struct {
		users []string
		want  string
	}{
		{[]string{"U99NOBODY"}, "user_not_found"},
		{[]string{BotUser}, "cannot_dm_bot"},
		{nil, "users_list_not_supplied"},
	} {
		_, _, _, err := e.client.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: tt.users})
		if got := slackErr(t, err); got != tt.want {
			t.Errorf("open %v: error %q, want %q", tt.users, got, tt.want)
		}
	}

	info, err := e.client.GetConversationInfoContext(ctx, &slackapi.GetConversationInfoInput{ChannelID: LearningSet})
	if err != nil {
		t.Fatalf("conversations.info: %v", err)
	}
	if info.Name != "learning-set" || !info.IsChannel || !info.IsMember || info.NumMembers != 6 {
		t.Errorf("conversations.info #learning-set = name %q channel %v member %v members %d", info.Name, info.IsChannel, info.IsMember, info.NumMembers)
	}
	dm, err := e.client.GetConversationInfoContext(ctx, &slackapi.GetConversationInfoInput{ChannelID: "D02MO"})
	if err != nil || !dm.IsIM || dm.User != Manager {
		t.Errorf("conversations.info D02MO = %+v, %v", dm, err)
	}
	_, err = e.client.GetConversationInfoContext(ctx, &slackapi.GetConversationInfoInput{ChannelID: "C99NONE"})
	if got := slackErr(t, err); got != "channel_not_found" {
		t.Errorf("info of unknown channel: %q", got)
	}

	members, _, err := e.client.GetUsersInConversationContext(ctx, &slackapi.GetUsersInConversationParameters{ChannelID: LearningSet})
	if err != nil {
		t.Fatalf("conversations.members: %v", err)
	}
	// The approver and the advocate are not in the learning set.
	want := []string{Learner, PeerPat, PeerSam, PeerLee, PeerKim, BotUser}
	if fmt.Sprint(members) != fmt.Sprint(want) {
		t.Errorf("members = %v, want %v", members, want)
	}
	_, _, err = e.client.GetUsersInConversationContext(ctx, &slackapi.GetUsersInConversationParameters{ChannelID: "C99NONE"})
	if got := slackErr(t, err); got != "channel_not_found" {
		t.Errorf("members of unknown channel: %q", got)
	}
}

func TestPostMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	// To a user id: lands in their DM with the bot.
	ch, ts, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("Hello Ada", false), card())
	if err != nil {
		t.Fatalf("chat.postMessage: %v", err)
	}
	if ch != "D01ADA" || ts == "" {
		t.Errorf("posted to %q at %q", ch, ts)
	}
	dm := e.w.DM(Learner)
	if len(dm) != 1 || dm[0].Text != "Hello Ada" || dm[0].User != BotUser || dm[0].TS != ts {
		t.Fatalf("DM = %+v", dm)
	}
	// Slack gives blocks without a block_id one.
	var blocks []map[string]any
	if err := json.Unmarshal(dm[0].Blocks, &blocks); err != nil || len(blocks) != 2 {
		t.Fatalf("stored blocks %s: %v", dm[0].Blocks, err)
	}
	for i, b := range blocks {
		if b["block_id"] == "" || b["block_id"] == nil {
			t.Errorf("block %d has no block_id", i)
		}
	}

	// To a channel, then in its thread.
	_, parent, err := e.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("Draft for review", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := e.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("Feedback round", false), slackapi.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.w.Channel(LearningSet); len(got) != 1 || got[0].TS != parent || got[0].ReplyCount != 1 {
		t.Errorf("channel = %+v, want the parent with one reply", got)
	}
	if got := e.w.Thread(LearningSet, parent); len(got) != 2 || got[1].TS != reply || got[1].ThreadTS != parent {
		t.Errorf("thread = %+v", got)
	}
	// A reply to a message that is not there is posted un-threaded.
	_, _, m, err := e.client.PostMessageWithResponseContext(ctx, LearningSet, slackapi.MsgOptionText("orphan", false), slackapi.MsgOptionTS("1.000001"))
	if err != nil || m.ThreadTimestamp != "" {
		t.Errorf("reply to a missing parent: thread_ts %q, err %v", m.ThreadTimestamp, err)
	}

	tooMany := make([]slackapi.Block, 51)
	for i := range tooMany {
		tooMany[i] = slackapi.NewDividerBlock()
	}
	longSection := slackapi.NewSectionBlock(mrkdwn(strings.Repeat("x", 3001)), nil, nil)
	for _, tt := range []struct {
		name, channel string
		opts          []slackapi.MsgOption
		want          string
	}{
		{"unknown channel", "C99NONE", []slackapi.MsgOption{slackapi.MsgOptionText("hi", false)}, "channel_not_found"},
		{"unknown user", "U99NOBODY", []slackapi.MsgOption{slackapi.MsgOptionText("hi", false)}, "channel_not_found"},
		{"no text", Learner, nil, "no_text"},
		{"51 blocks", Learner, []slackapi.MsgOption{slackapi.MsgOptionBlocks(tooMany...)}, "invalid_blocks"},
		{"long section", Learner, []slackapi.MsgOption{slackapi.MsgOptionBlocks(longSection)}, "invalid_blocks"},
		{"long text", Learner, []slackapi.MsgOption{slackapi.MsgOptionText(strings.Repeat("y", 40001), false)}, "msg_too_long"},
	} {
		_, _, err := e.client.PostMessageContext(ctx, tt.channel, tt.opts...)
		if got := slackErr(t, err); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}
	// The Block Kit error points at the offending field, as Slack's does.
	_, _, err = e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionBlocks(longSection))
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) || len(se.ResponseMetadata.Messages) != 1 || !strings.Contains(se.ResponseMetadata.Messages[0], "/blocks/0/text/text") {
		t.Errorf("invalid_blocks metadata = %+v", se.ResponseMetadata)
	}
	if n := len(e.w.DM(Learner)); n != 1 {
		t.Errorf("failed posts were stored: DM has %d messages", n)
	}
}

// postRaw calls a Web API method with a hand-made body.
func postRaw(t *testing.T, e *env, method, contentType, body string, bearer bool) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.api.URL+"/api/"+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if bearer {
		req.Header.Set("Authorization", "Bearer "+e.w.Token())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: decode answer: %v", method, err)
	}
	return out
}

func TestPostMessageBodies(t *testing.T) {
	e := newEnv(t)
	// A JSON body with blocks as an array.
	out := postRaw(t, e, "chat.postMessage", "application/json; charset=utf-8",
		`{"channel":"U02MO","text":"json","blocks":[{"type":"divider"}]}`, true)
	if out["ok"] != true || out["channel"] != "D02MO" {
		t.Errorf("JSON post = %v", out)
	}
	// A form with the token as a field and blocks as a JSON string.
	form := url.Values{"token": {e.w.Token()}, "channel": {Manager}, "text": {"form"}, "blocks": {`[{"type":"divider"}]`}}
	out = postRaw(t, e, "chat.postMessage", "application/x-www-form-urlencoded", form.Encode(), false)
	if out["ok"] != true {
		t.Errorf("form post = %v", out)
	}
	form.Set("blocks", `[{"type":"divider"`)
	out = postRaw(t, e, "chat.postMessage", "application/x-www-form-urlencoded", form.Encode(), false)
	if out["error"] != "invalid_blocks" {
		t.Errorf("malformed blocks = %v, want invalid_blocks", out)
	}
	form.Set("blocks", `[{"type":"section"}]`)
	out = postRaw(t, e, "chat.postMessage", "application/x-www-form-urlencoded", form.Encode(), false)
	if out["error"] != "invalid_blocks" {
		t.Errorf("section without text = %v, want invalid_blocks", out)
	}
	if got := e.w.DM(Manager); len(got) != 2 {
		t.Errorf("DM = %d messages, want 2", len(got))
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ch, ts, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("v1", false), card())
	if err != nil {
		t.Fatal(err)
	}
	_, _, text, err := e.client.UpdateMessageContext(ctx, ch, ts, slackapi.MsgOptionText("Approved", false))
	if err != nil || text != "Approved" {
		t.Fatalf("chat.update: %q %v", text, err)
	}
	m, _ := e.w.Message(MessageRef{ch, ts})
	if m.Text != "Approved" || m.Updated != 1 || len(m.Blocks) == 0 {
		t.Errorf("after update: %+v (blocks kept when not sent)", m)
	}
	_, _, _, err = e.client.UpdateMessageContext(ctx, ch, ts, slackapi.MsgOptionBlocks(slackapi.NewDividerBlock()))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ = e.w.Message(MessageRef{ch, ts}); m.Updated != 2 || strings.Contains(string(m.Blocks), "approve") {
		t.Errorf("after block update: %+v", m)
	}

	if err := e.w.SendDM(ctx, Learner, "my words"); err != nil {
		t.Fatal(err)
	}
	dm := e.w.DM(Learner)
	userTS := dm[len(dm)-1].TS
	for _, tt := range []struct {
		channel, ts, want string
	}{
		{ch, "1.000001", "message_not_found"},
		{ch, userTS, "cant_update_message"},
		{"C99NONE", ts, "channel_not_found"},
	} {
		_, _, _, err := e.client.UpdateMessageContext(ctx, tt.channel, tt.ts, slackapi.MsgOptionText("x", false))
		if got := slackErr(t, err); got != tt.want {
			t.Errorf("update %s/%s: error %q, want %q", tt.channel, tt.ts, got, tt.want)
		}
	}
}

func TestEphemeral(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ts, err := e.client.PostEphemeralContext(ctx, "D01ADA", Learner, slackapi.MsgOptionText("only you", false))
	if err != nil || ts == "" {
		t.Fatalf("chat.postEphemeral: %q %v", ts, err)
	}
	dm := e.w.DM(Learner)
	if len(dm) != 1 || !dm[0].Ephemeral || dm[0].EphemeralFor != Learner {
		t.Errorf("DM = %+v, want one ephemeral for Ada", dm)
	}
	_, err = e.client.PostEphemeralContext(ctx, "D01ADA", Manager, slackapi.MsgOptionText("nope", false))
	if got := slackErr(t, err); got != "user_not_in_channel" {
		t.Errorf("ephemeral to a non-member: %q", got)
	}
	// chat.update cannot reach an ephemeral message.
	_, _, _, err = e.client.UpdateMessageContext(ctx, "D01ADA", ts, slackapi.MsgOptionText("x", false))
	if got := slackErr(t, err); got != "message_not_found" {
		t.Errorf("update of an ephemeral: %q", got)
	}
}

func modal(title string, blocks ...slackapi.Block) slackapi.ModalViewRequest {
	return slackapi.ModalViewRequest{
		Type: slackapi.VTModal, Title: plain(title), Submit: plain("Send"), Close: plain("Cancel"),
		CallbackID: "changes", PrivateMetadata: "c=C1&v=2",
		Blocks: slackapi.Blocks{BlockSet: blocks},
	}
}

func commentInput() slackapi.Block {
	el := slackapi.NewPlainTextInputBlockElement(plain("What should change?"), "comment")
	el.Multiline = true
	return slackapi.NewInputBlock("comment", plain("Comment"), nil, el)
}

// clickForTrigger clicks a button so the bot gets a trigger_id, and returns it.
func clickForTrigger(t *testing.T, e *env, user string) string {
	t.Helper()
	ctx := context.Background()
	_, ts, err := e.client.PostMessageContext(ctx, user, card())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.Click(ctx, user, MessageRef{dmChannel(user), ts}, "changes"); err != nil {
		t.Fatal(err)
	}
	cb, err := slackapi.InteractionCallbackParse(e.bot.last(t).req)
	if err != nil || cb.TriggerID == "" {
		t.Fatalf("parse click: %v, trigger %q", err, cb.TriggerID)
	}
	return cb.TriggerID
}

func TestViewsOpen(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	tid := clickForTrigger(t, e, Manager)
	e.w.Clock().Advance(2 * time.Second)
	res, err := e.client.OpenViewContext(ctx, tid, modal("Ask for changes", commentInput()))
	if err != nil {
		t.Fatalf("views.open: %v", err)
	}
	v, ok := e.w.OpenModal(Manager)
	if !ok || v.ID != res.ID || v.Title != "Ask for changes" || v.CallbackID != "changes" || v.User != Manager {
		t.Errorf("open modal = %+v, %v (views.open gave %s)", v, ok, res.ID)
	}
	if _, ok := e.w.OpenModal(Learner); ok {
		t.Error("the modal opened for the wrong person")
	}
	_, err = e.client.OpenViewContext(ctx, tid, modal("Again", commentInput()))
	if got := slackErr(t, err); got != "exchanged_trigger_id" {
		t.Errorf("reused trigger: %q", got)
	}

	tid = clickForTrigger(t, e, Learner)
	e.w.Clock().Advance(3 * time.Second)
	_, err = e.client.OpenViewContext(ctx, tid, modal("Late", commentInput()))
	if got := slackErr(t, err); got != "expired_trigger_id" {
		t.Errorf("3 s old trigger: %q", got)
	}
	_, err = e.client.OpenViewContext(ctx, "123.456.abc", modal("Forged", commentInput()))
	if got := slackErr(t, err); got != "invalid_trigger_id" {
		t.Errorf("unknown trigger: %q", got)
	}

	many := make([]slackapi.Block, 101)
	for i := range many {
		many[i] = slackapi.NewDividerBlock()
	}
	noSubmit := modal("No submit", commentInput())
	noSubmit.Submit = nil
	for name, view := range map[string]slackapi.ModalViewRequest{
		"long title": modal("A title that is far too long", commentInput()),
		"101 blocks": modal("Many", many...),
		"no submit":  noSubmit,
	} {
		_, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, Learner), view)
		if got := slackErr(t, err); got != "invalid_arguments" {
			t.Errorf("%s: error %q, want invalid_arguments", name, got)
		}
	}
	if _, ok := e.w.OpenModal(Learner); ok {
		t.Error("an invalid view was opened")
	}

	// A form body works too.
	form := url.Values{"token": {e.w.Token()}, "trigger_id": {clickForTrigger(t, e, Learner)},
		"view": {`{"type":"modal","title":{"type":"plain_text","text":"Form"},"blocks":[]}`}}
	if out := postRaw(t, e, "views.open", "application/x-www-form-urlencoded", form.Encode(), false); out["ok"] != true {
		t.Errorf("views.open from a form = %v", out)
	}
	if v, ok := e.w.OpenModal(Learner); !ok || v.Title != "Form" {
		t.Errorf("modal from a form = %+v %v", v, ok)
	}
}

func TestViewsUpdateAndPublish(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.client.OpenViewContext(ctx, clickForTrigger(t, e, Manager), modal("First", commentInput()))
	if err != nil {
		t.Fatal(err)
	}
	up, err := e.client.UpdateViewContext(ctx, modal("Second", commentInput()), "", res.Hash, res.ID)
	if err != nil {
		t.Fatalf("views.update: %v", err)
	}
	if v, _ := e.w.OpenModal(Manager); v.Title != "Second" || v.ID != res.ID || up.Hash == res.Hash {
		t.Errorf("after update: %+v (hash %s → %s)", v, res.Hash, up.Hash)
	}
	_, err = e.client.UpdateViewContext(ctx, modal("Third", commentInput()), "", res.Hash, res.ID)
	if got := slackErr(t, err); got != "hash_conflict" {
		t.Errorf("stale hash: %q", got)
	}
	_, err = e.client.UpdateViewContext(ctx, modal("Third", commentInput()), "", "", "V404")
	if got := slackErr(t, err); got != "not_found" {
		t.Errorf("unknown view: %q", got)
	}

	home := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
		slackapi.NewHeaderBlock(plain("Your contracts")),
	}}}
	pub, err := e.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: Learner, View: home})
	if err != nil {
		t.Fatalf("views.publish: %v", err)
	}
	h, ok := e.w.Home(Learner)
	if !ok || h.ID != pub.ID || h.Type != "home" || !strings.Contains(string(h.Blocks), "Your contracts") {
		t.Errorf("home = %+v %v", h, ok)
	}
	again, err := e.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: Learner, View: home})
	if err != nil || again.ID != pub.ID {
		t.Errorf("republish: id %s, want %s (%v)", again.ID, pub.ID, err)
	}
	_, err = e.client.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: "U99NOBODY", View: home})
	if got := slackErr(t, err); got != "user_not_found" {
		t.Errorf("publish to unknown user: %q", got)
	}
}

func TestFailNext(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.w.FailNext("chat.postMessage", http.StatusTooManyRequests, 1500*time.Millisecond, 2)
	for i := range 2 {
		_, _, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("hi", false))
		var rl *slackapi.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
			t.Fatalf("call %d: %v, want rate limited for 2s", i, err)
		}
	}
	if _, _, err := e.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("third call: %v", err)
	}
	if len(e.w.DM(Learner)) != 1 {
		t.Errorf("rate-limited calls were applied")
	}

	e.w.FailNext("users.info", http.StatusServiceUnavailable, 0, 1)
	_, err := e.client.GetUserInfoContext(ctx, Learner)
	var sc slackapi.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable {
		t.Errorf("5xx: %v", err)
	}
	if _, err := e.client.GetUserInfoContext(ctx, Learner); err != nil {
		t.Errorf("after the failure: %v", err)
	}
	if got := e.w.Calls("chat.postMessage"); got != 3 {
		t.Errorf("Calls(chat.postMessage) = %d, want 3", got)
	}
	if got := e.w.Calls("users.info"); got != 2 {
		t.Errorf("Calls(users.info) = %d, want 2", got)
	}
}

func TestHistoryAndReplies(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, parent, _ := e.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("draft", false))
	if err := e.w.Post(ctx, PeerPat, LearningSet, "looks good", parent); err != nil {
		t.Fatal(err)
	}
	msgs, _, _, err := e.client.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{ChannelID: LearningSet, Timestamp: parent})
	if err != nil || len(msgs) != 2 || msgs[1].User != PeerPat || msgs[1].Text != "looks good" {
		t.Fatalf("conversations.replies = %+v, %v", msgs, err)
	}
	hist, err := e.client.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{ChannelID: LearningSet})
	if err != nil || len(hist.Messages) != 1 || hist.Messages[0].ReplyCount != 1 {
		t.Errorf("conversations.history = %+v, %v", hist, err)
	}
}

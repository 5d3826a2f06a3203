package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// pageEnv is env with the page served too.
type pageEnv struct {
	*env
	page *httptest.Server
}

func newPageEnv(t *testing.T) *pageEnv {
	e := newEnv(t)
	page := httptest.NewServer(e.w.PageHandler())
	t.Cleanup(page.Close)
	return &pageEnv{env: e, page: page}
}

func (p *pageEnv) origin() string { return p.page.URL }

// uiPost posts to the page as the page's script does; header tweaks let
// tests break one rule at a time.
func (p *pageEnv) uiPost(t *testing.T, path string, body any, tweak func(*http.Request)) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	default:
		r = strings.NewReader(string(encodeJSON(b)))
	}
	req, err := http.NewRequest(http.MethodPost, p.page.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sandbox-Token", p.w.pageToken)
	req.Header.Set("Origin", p.origin())
	if tweak != nil {
		tweak(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (p *pageEnv) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(p.page.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (p *pageEnv) state(t *testing.T, as string) pageState {
	t.Helper()
	resp, body := p.get(t, "/ui/state?as="+as+"&token="+p.w.pageToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("state: %d %s", resp.StatusCode, body)
	}
	var st pageState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPageServed(t *testing.T) {
	p := newPageEnv(t)
	resp, body := p.get(t, "/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, `content="`+p.w.pageToken+`"`) || !strings.Contains(body, `name="sandbox-person" content="`+Learner+`"`) {
		t.Error("the page does not carry its token and default person")
	}
	for _, id := range []string{"composer-input", "send-button", "person-switcher", "clock-plus-day", "clock-plus-week", "modal-submit", "modal-close", "clock-time"} {
		if !strings.Contains(body, `data-testid="`+id+`"`) {
			t.Errorf("the page has no data-testid %q", id)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	for _, asset := range []string{"/static/app.js", "/static/style.css"} {
		if r, _ := p.get(t, asset); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", asset, r.StatusCode)
		}
	}
	// The page never turns strings into markup or code.
	_, js := p.get(t, "/static/app.js")
	if m := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function`).FindString(js); m != "" {
		t.Errorf("app.js uses %s", m)
	}
	// The test ids the script gives elements.
	for _, id := range []string{`"button-" + id`, `"select-" + id`, `"modal-input-" + b.block_id`, `"data-testid": "message"`, `"nav-home"`} {
		if !strings.Contains(js, id) {
			t.Errorf("app.js does not set test id %s", id)
		}
	}
}

func TestPageRefusesForeignHost(t *testing.T) {
	p := newPageEnv(t)
	req, _ := http.NewRequest(http.MethodGet, p.page.URL+"/", nil)
	req.Host = "evil.example:8080" // DNS rebinding: a foreign name resolving to us
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d, want 403", resp.StatusCode)
	}
	// A configured URL's host is the sandbox's own.
	w := New(Config{URL: "http://sandbox.test:9000"})
	rec := httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "http://sandbox.test:9000/", nil)
	w.PageHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("configured host: %d, want 200", rec.Code)
	}
}

func TestPagePostGuards(t *testing.T) {
	p := newPageEnv(t)
	msg := map[string]any{"as": Learner, "channel": "D01ADA", "text": "hello"}
	for _, tt := range []struct {
		name  string
		tweak func(*http.Request)
		body  any
		want  int
	}{
		{"no token", func(r *http.Request) { r.Header.Del("X-Sandbox-Token") }, msg, http.StatusForbidden},
		{"wrong token", func(r *http.Request) { r.Header.Set("X-Sandbox-Token", "guess") }, msg, http.StatusForbidden},
		{"token in query only", func(r *http.Request) {
			r.Header.Del("X-Sandbox-Token")
			r.URL.RawQuery = "token=" + p.w.pageToken
		}, msg, http.StatusForbidden},
		{"foreign origin", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, msg, http.StatusForbidden},
		{"no origin", func(r *http.Request) { r.Header.Del("Origin") }, msg, http.StatusForbidden},
		{"null origin", func(r *http.Request) { r.Header.Set("Origin", "null") }, msg, http.StatusForbidden},
		{"too big", nil, map[string]any{"as": Learner, "channel": "D01ADA", "text": strings.Repeat("x", 70<<10)}, http.StatusRequestEntityTooLarge},
		{"not JSON", nil, "as=U01ADA", http.StatusBadRequest},
		{"empty message", nil, map[string]any{"as": Learner, "channel": "D01ADA", "text": "  \n "}, http.StatusBadRequest},
		{"as the bot", nil, map[string]any{"as": BotUser, "channel": "D01ADA", "text": "hi"}, http.StatusBadRequest},
		{"into another DM", nil, map[string]any{"as": Manager, "channel": "D01ADA", "text": "hi"}, http.StatusBadRequest},
	} {
		status, out := p.uiPost(t, "/ui/send", tt.body, tt.tweak)
		if status != tt.want {
			t.Errorf("%s: %d %v, want %d", tt.name, status, out, tt.want)
		}
	}
	if n := len(p.bot.deliveries()); n != 0 {
		t.Errorf("refused requests reached the bot (%d deliveries)", n)
	}
	if n := len(p.w.DM(Learner)); n != 0 {
		t.Errorf("refused requests were stored (%d messages)", n)
	}
	if status, out := p.uiPost(t, "/ui/send", msg, nil); status != http.StatusOK {
		t.Fatalf("a proper request: %d %v", status, out)
	}
	if n := len(p.bot.deliveries()); n != 1 {
		t.Errorf("the bot got %d deliveries, want 1", n)
	}
}

func TestPageHTMLIsData(t *testing.T) {
	p := newPageEnv(t)
	payload := `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	if status, out := p.uiPost(t, "/ui/send", map[string]any{"as": Learner, "channel": "D01ADA", "text": payload}, nil); status != http.StatusOK {
		t.Fatalf("send: %d %v", status, out)
	}
	// Stored and delivered in Slack's format, as Slack's client sends it.
	want := `&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;`
	ev := parseEvent(t, p.bot.last(t)).InnerEvent.Data.(*slackevents.MessageEvent)
	if ev.Text != want {
		t.Errorf("event text %q, want %q", ev.Text, want)
	}
	// A bot message with the raw payload (a renderer bug) is data too.
	if _, _, err := p.client.PostMessageContext(context.Background(), Learner, slackapi.MsgOptionText(payload, false)); err != nil {
		t.Fatal(err)
	}
	resp, body := p.get(t, "/ui/state?as="+Learner+"&token="+p.w.pageToken)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("state served as %q, nosniff %q", resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"))
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
		t.Error("state JSON carries raw markup")
	}
	var st pageState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	msgs := st.Conversations[0].Messages
	if len(msgs) != 2 || msgs[0].Text != want || msgs[1].Text != payload {
		t.Errorf("state messages = %+v", msgs)
	}
	if _, page := p.get(t, "/"); strings.Contains(page, "alert") {
		t.Error("the page's HTML embeds message content")
	}
}

func TestPageState(t *testing.T) {
	p := newPageEnv(t)
	ctx := context.Background()
	if _, err := p.client.PostEphemeralContext(ctx, LearningSet, PeerPat, slackapi.MsgOptionText("for Pat", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.client.PostMessageContext(ctx, LearningSet, slackapi.MsgOptionText("for all", false)); err != nil {
		t.Fatal(err)
	}
	count := func(st pageState, id string) (n int) {
		for _, c := range st.Conversations {
			if c.ID == id {
				return len(c.Messages)
			}
		}
		return -1
	}
	if n := count(p.state(t, PeerPat), LearningSet); n != 2 {
		t.Errorf("Pat sees %d messages in #learning-set, want 2", n)
	}
	ada := p.state(t, Learner)
	if n := count(ada, LearningSet); n != 1 {
		t.Errorf("Ada sees %d messages in #learning-set, want 1 (not Pat's ephemeral)", n)
	}
	if n := count(p.state(t, Manager), LearningSet); n != -1 {
		t.Errorf("Mo, not a member, is shown #learning-set (%d messages)", n)
	}
	if count(ada, "D02MO") != -1 || count(ada, "D01ADA") != 0 {
		t.Errorf("Ada's conversations = %+v", ada.Conversations)
	}
	if ada.Bot != BotUser || !ada.Now.Equal(start) || len(ada.People) != 8 {
		t.Errorf("state = bot %q now %v people %d", ada.Bot, ada.Now, len(ada.People))
	}
	for _, q := range []string{"?as=" + Learner, "?as=" + Learner + "&token=nope", "?as=U99NOBODY&token=" + p.w.pageToken} {
		if resp, _ := p.get(t, "/ui/state"+q); resp.StatusCode == http.StatusOK {
			t.Errorf("GET /ui/state%s = 200", q)
		}
	}
}

func TestPageActions(t *testing.T) {
	p := newPageEnv(t)
	ctx := context.Background()

	// "/contract …" typed in the composer runs the command.
	if status, out := p.uiPost(t, "/ui/send", map[string]any{"as": Learner, "channel": "D01ADA", "text": "/contract new"}, nil); status != http.StatusOK {
		t.Fatalf("command: %d %v", status, out)
	}
	if cmd, err := slackapi.SlashCommandParse(p.bot.last(t).req); err != nil || cmd.Command != "/contract" || cmd.Text != "new" {
		t.Errorf("command delivered = %+v, %v", cmd, err)
	}
	// Mentions in a command come escaped, as /contract asks Slack to.
	if status, out := p.uiPost(t, "/ui/send", map[string]any{"as": Manager, "channel": "D02MO", "text": "/contract draft-for @ada @nobody"}, nil); status != http.StatusOK {
		t.Fatalf("command with a mention: %d %v", status, out)
	}
	if cmd, _ := slackapi.SlashCommandParse(p.bot.last(t).req); cmd.Text != "draft-for <@"+Learner+"|ada> @nobody" {
		t.Errorf("command text = %q", cmd.Text)
	}
	if status, _ := p.uiPost(t, "/ui/send", map[string]any{"as": Learner, "channel": "D01ADA", "text": "/giphy cats"}, nil); status != http.StatusBadRequest {
		t.Errorf("unknown command: %d", status)
	}

	// @handles become mentions; mentioning the bot in a channel is an app_mention.
	if status, out := p.uiPost(t, "/ui/send", map[string]any{"as": PeerPat, "channel": LearningSet, "text": "@learnpact please ask @mo"}, nil); status != http.StatusOK {
		t.Fatalf("channel post: %d %v", status, out)
	}
	am, ok := parseEvent(t, p.bot.last(t)).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || am.Text != "<@"+BotUser+"> please ask <@"+Manager+">" {
		t.Errorf("app_mention = %+v", p.bot.last(t).Body)
	}

	// Buttons and selects.
	ch, ts, err := p.client.PostMessageContext(ctx, Manager, card())
	if err != nil {
		t.Fatal(err)
	}
	if status, out := p.uiPost(t, "/ui/click", map[string]any{"as": Manager, "channel": ch, "ts": ts, "action_id": "approve#2"}, nil); status != http.StatusOK {
		t.Fatalf("click: %d %v", status, out)
	}
	cb, err := slackapi.InteractionCallbackParse(p.bot.last(t).req)
	if err != nil || cb.ActionCallback.BlockActions[0].ActionID != "approve#2" {
		t.Errorf("click delivered = %+v, %v", cb.ActionCallback, err)
	}
	if status, _ := p.uiPost(t, "/ui/select", map[string]any{"as": Manager, "channel": ch, "ts": ts, "action_id": "snooze", "value": "1d"}, nil); status != http.StatusOK {
		t.Errorf("select: %d", status)
	}
	if status, _ := p.uiPost(t, "/ui/click", map[string]any{"as": Learner, "channel": ch, "ts": ts, "action_id": "approve#2"}, nil); status != http.StatusBadRequest {
		t.Errorf("clicking in someone else's DM: %d", status)
	}

	// A modal: refused when incomplete, submitted when filled in.
	if _, err := p.client.OpenViewContext(ctx, cb.TriggerID, modal("Ask for changes", commentInput())); err != nil {
		t.Fatal(err)
	}
	if status, _ := p.uiPost(t, "/ui/submit", map[string]any{"as": Manager, "values": map[string]string{"comment": ""}}, nil); status != http.StatusBadRequest {
		t.Errorf("incomplete modal: %d", status)
	}
	if v := p.state(t, Manager).Modal; v == nil || v.Errors["comment"] == "" {
		t.Errorf("modal after refusal = %+v", v)
	}
	if status, out := p.uiPost(t, "/ui/submit", map[string]any{"as": Manager, "values": map[string]string{"comment": "More detail"}}, nil); status != http.StatusOK {
		t.Errorf("submit: %d %v", status, out)
	}
	if p.state(t, Manager).Modal != nil {
		t.Error("the modal is still open")
	}

	// App Home and the clock.
	if status, _ := p.uiPost(t, "/ui/home", map[string]any{"as": Learner}, nil); status != http.StatusOK {
		t.Errorf("home: %d", status)
	}
	if _, ok := parseEvent(t, p.bot.last(t)).InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); !ok {
		t.Error("opening Home did not deliver app_home_opened")
	}
	if status, _ := p.uiPost(t, "/ui/clock", map[string]any{"advance": "168h"}, nil); status != http.StatusOK {
		t.Errorf("clock: %d", status)
	}
	if got := p.w.Clock().Now(); !got.Equal(start.Add(7 * 24 * time.Hour)) {
		t.Errorf("clock = %v, want a week on", got)
	}
	for _, bad := range []string{"-24h", "0s", "soon", "9000h"} {
		if status, _ := p.uiPost(t, "/ui/clock", map[string]any{"advance": bad}, nil); status != http.StatusBadRequest {
			t.Errorf("advance %q: %d", bad, status)
		}
	}

	// A failing bot is reported, not hidden.
	p.bot.setAnswer(func(delivery) (int, string) { return http.StatusInternalServerError, "" })
	status, out := p.uiPost(t, "/ui/send", map[string]any{"as": Learner, "channel": "D01ADA", "text": "hi"}, nil)
	if status != http.StatusBadGateway || !strings.Contains(fmt.Sprint(out["error"]), "500") {
		t.Errorf("failing bot: %d %v", status, out)
	}
}

func TestPageEvents(t *testing.T) {
	p := newPageEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, _ := p.get(t, "/events"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("events without token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.page.URL+"/events?token="+p.w.pageToken, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func() Change {
		t.Helper()
		for lines.Scan() {
			if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				var c Change
				if err := json.Unmarshal([]byte(data), &c); err != nil {
					t.Fatal(err)
				}
				return c
			}
		}
		t.Fatalf("stream ended: %v", lines.Err())
		return Change{}
	}
	// The stream is subscribed once its first line arrives.
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "retry:") {
		t.Fatalf("first line %q", lines.Text())
	}
	if _, _, err := p.client.PostMessageContext(ctx, Learner, slackapi.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	if c := next(); c.Kind != "message" || c.Channel != "D01ADA" {
		t.Errorf("change = %+v", c)
	}
	p.w.Clock().Advance(24 * time.Hour)
	if c := next(); c.Kind != "clock" {
		t.Errorf("change = %+v, want clock", c)
	}
}

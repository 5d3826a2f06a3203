package teams

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// TestHandlerRefusesBadRequests: without a valid channel token, or with a
// body that is not an activity, nothing is handled.
func TestHandlerRefusesBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	other := connectortest.New(t) // signs with keys the bot does not trust
	good := e.personal(lee, leeChat, "hi")
	body, _ := json.Marshal(good)
	good["channelId"] = "webchat"
	otherChannel, _ := json.Marshal(good)
	str := func(s string) *string { return &s }
	token := func(edit func(connectortest.Claims)) *string {
		return str("Bearer " + e.fake.Token(e.fake.ServiceURL(), edit))
	}
	cases := []struct {
		name string
		body []byte
		auth *string
		want int
	}{
		{"no token", body, str(""), http.StatusUnauthorized},
		{"not a bearer token", body, str("Basic Zm9vOmJhcg=="), http.StatusUnauthorized},
		{"garbage token", body, str("Bearer abc.def.ghi"), http.StatusUnauthorized},
		{"untrusted key", body, str("Bearer " + other.Token(e.fake.ServiceURL(), nil)), http.StatusUnauthorized},
		{"other app", body, token(func(c connectortest.Claims) { c["aud"] = "someone-else" }), http.StatusUnauthorized},
		{"other issuer", body, token(func(c connectortest.Claims) { c["iss"] = "https://evil.example" }), http.StatusUnauthorized},
		{"expired", body, token(func(c connectortest.Claims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), http.StatusUnauthorized},
		{"no expiry", body, token(func(c connectortest.Claims) { delete(c, "exp") }), http.StatusUnauthorized},
		{"claims of the wrong type", body, token(func(c connectortest.Claims) { c["serviceurl"] = 42; c["iss"] = []string{"x"} }), http.StatusUnauthorized},
		{"other service URL", body, str("Bearer " + e.fake.Token("https://evil.example/", nil)), http.StatusUnauthorized},
		{"key not endorsed for the channel", otherChannel, nil, http.StatusUnauthorized},
		{"malformed JSON", []byte(`{"type":"message",`), nil, http.StatusBadRequest},
		{"not an activity", []byte(`{"hello":"world"}`), nil, http.StatusBadRequest},
		{"oversized", append(append([]byte(`{"type":"message","text":"`), bytes.Repeat([]byte("a"), maxBody)...), `"}`...), nil, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.postRaw(c.body, c.auth); got != c.want {
				t.Errorf("status %d, want %d", got, c.want)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Activities()); n != 0 {
		t.Errorf("refused requests made the bot send %d activities", n)
	}
	if _, _, err := e.store.Doc(ctx, userKey(lee)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused activity left a conversation reference (err %v)", err)
	}
}

// TestSigningKeysCached: keys are fetched once, and tokens naming unknown
// keys cannot make the bot fetch them again and again.
func TestSigningKeysCached(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 10 {
		e.post(e.personal(lee, leeChat, "help"), nil)
		bad := "Bearer " + e.fake.Token(e.fake.ServiceURL(), func(c connectortest.Claims) { c["kid"] = "rotated-" + itoa(i) })
		if got := e.post(e.personal(lee, leeChat, "help"), &bad); got != http.StatusUnauthorized {
			t.Errorf("token naming an unknown key answered %d", got)
		}
	}
	if n := e.fake.KeyRequests(); n != 1 {
		t.Errorf("signing keys fetched %d times, want 1", n)
	}
}

// TestNewRefusesUnsafeConfig: no credentials needs an explicit sandbox
// flag, the flag cannot weaken a configured app, and references need a
// store.
func TestNewRefusesUnsafeConfig(t *testing.T) {
	if _, err := New(Config{Insecure: true}, nil, nil); err == nil {
		t.Error("no engine was accepted")
	}
	e := newEnv(t, nil)
	engine := newEngine(bot.Config{Store: e.store})
	for name, cfg := range map[string]Config{
		"no credentials":         {Docs: e.store},
		"password only":          {AppPassword: "x", Docs: e.store},
		"insecure with creds":    {AppID: "a", AppPassword: "b", Insecure: true, Docs: e.store},
		"service URL not a URL":  {AppID: "a", AppPassword: "b", ServiceURL: "ftp://x", Docs: e.store},
		"token URL without host": {AppID: "a", AppPassword: "b", TokenURL: "https://", Docs: e.store},
		"metadata URL not a URL": {AppID: "a", AppPassword: "b", OpenIDMetadataURL: "::", Docs: e.store},
		"no document store":      {AppID: "a", AppPassword: "b"},
		"sandbox without docs":   {Insecure: true},
	} {
		if _, err := New(cfg, engine, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The same config with its documents is fine.
	a, err := New(Config{AppID: "a", AppPassword: "b", Docs: e.store}, engine, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("a config with credentials and documents: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.Shutdown(ctx)
}

// TestInsecureSandbox accepts activities without a token when asked to.
func TestInsecureSandbox(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Insecure, c.AppID, c.AppPassword = true, "", "" })
	empty := ""
	if got := e.post(e.personal(lee, leeChat, "hi"), &empty); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	// Without credentials the bot calls the connector without a token,
	// which the fake (like Teams) refuses: nothing is sent, and no token
	// was asked for.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n, calls := e.fake.TokenRequests(), e.fake.Calls(); n != 0 || calls == 0 {
		t.Errorf("%d token requests and %d connector calls", n, calls)
	}
}

// TestPersonalChat: a message in a personal chat is answered there, and
// its reference and the user's time zone are kept.
func TestPersonalChat(t *testing.T) {
	e := newEnv(t, nil)
	if got := e.post(e.personal(lee, leeChat, "help"), nil); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	answer := e.await("answering help", sentTo(leeChat, "contract"))
	var envelope struct {
		Timestamp    time.Time                 `json:"timestamp"`
		From         struct{ ID string }       `json:"from"`
		Recipient    struct{ ID string }       `json:"recipient"`
		Conversation struct{ TenantID string } `json:"conversation"`
	}
	if err := json.Unmarshal(answer.Raw, &envelope); err != nil {
		t.Fatal(err)
	}
	if answer.UserAgent == UserAgent || envelope.Timestamp.IsZero() || envelope.From.ID != botID || envelope.Recipient.ID != lee || envelope.Conversation.TenantID != tenant {
		t.Errorf("the library's client sent the answer as %s", answer.Raw)
	}
	data, _, err := e.store.Doc(e.ctx(), userKey(lee))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.Conversation.ID != leeChat || ref.ServiceURL != e.fake.ServiceURL() || ref.TenantID != tenant || ref.Bot.ID != botID {
		t.Errorf("stored reference = %+v", ref)
	}
	if loc := e.a.Location(e.ctx(), lee); loc.String() != "Europe/Berlin" {
		t.Errorf("location = %s", loc)
	}
	if loc := e.a.Location(e.ctx(), "29:unknown"); loc != time.UTC {
		t.Errorf("unknown user's location = %s", loc)
	}
	// After a restart, before Lee writes again: the time zone comes from
	// the stored reference, so nudges still wait for Lee's working hours.
	if loc := e.adapter(nil).Location(e.ctx(), lee); loc.String() != "Europe/Berlin" {
		t.Errorf("location after a restart = %s, want Europe/Berlin", loc)
	}
	if id := e.a.BotUserID(e.ctx()); id != botID {
		t.Errorf("bot id = %s", id)
	}
}

// TestDuplicateActivity: a redelivered activity is handled once.
func TestDuplicateActivity(t *testing.T) {
	e := newEnv(t, nil)
	act := e.personal(lee, leeChat, "help")
	e.post(act, nil)
	e.post(act, nil)
	e.post(e.personal(lee, leeChat, "status"), nil)
	e.await("answering status", sentTo(leeChat, "don't have a contract"))
	posts := 0
	for _, a := range e.fake.Activities() {
		if a.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d messages sent for two distinct activities and one repeat:\n%s", posts, dump(e.fake.Activities()))
	}
}

// TestUnknownCard: a card the bot did not make, or a retired button, gets
// a friendly answer and changes nothing.
func TestUnknownCard(t *testing.T) {
	e := newEnv(t, nil)
	e.post(e.submit(lee, leeChat, "1", map[string]any{"foo": "bar"}), nil)
	e.await("answering a foreign card", sentTo(leeChat, "can't do anything with that card"))
	e.post(e.submit(lee, leeChat, "1", map[string]any{keyAction: "lp_retired", keyValue: "c=nope&v=1"}), nil)
	if err := e.fake.Await(e.ctx(), func(as []connectortest.Activity) bool { return len(as) >= 2 }); err != nil {
		t.Fatalf("a retired button was not answered: %v", err)
	}
	if got := cardText(e.fake.Activities()[1].Body); !strings.Contains(got, "don't know that button") {
		t.Errorf("answer to a retired button: %s", got)
	}
	ids, err := e.store.Contracts(e.ctx(), storage.UserKey{Platform: "teams", Team: tenant, User: lee})
	if err != nil || len(ids) != 0 {
		t.Errorf("contracts after unknown cards: %v, %v", ids, err)
	}
}

// TestDecode covers the activities the bot reads.
func TestDecode(t *testing.T) {
	svc := "https://svc.example/"
	base := func(typ, convType, conv string) map[string]any {
		return map[string]any{"type": typ, "id": "1", "serviceUrl": svc,
			"from": map[string]any{"id": lee, "name": "Lee"}, "recipient": map[string]any{"id": botID, "name": "learnpact"},
			"conversation": map[string]any{"id": conv, "conversationType": convType, "tenantId": tenant}}
	}
	decodeMap := func(m map[string]any) inbound {
		t.Helper()
		b, _ := json.Marshal(m)
		in, err := decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	thread := base("message", "channel", teamChan+";messageid=1700")
	thread["text"] = "<at>learnpact</at> Looks good, ask <at>Mo</at> &amp; me"
	thread["entities"] = []any{
		map[string]any{"type": "mention", "text": "<at>learnpact</at>", "mentioned": map[string]any{"id": botID}},
		map[string]any{"type": "mention", "text": "<at>Mo</at>", "mentioned": map[string]any{"id": mo}},
	}
	in := decodeMap(thread)
	if in.intent != turn || in.input.Kind != "thread" || in.input.Channel != teamChan || in.input.Thread != "1700" || in.input.Public ||
		in.input.Text != "Looks good, ask <@"+mo+"> & me" {
		t.Errorf("thread reply = %+v", in.input)
	}

	top := base("message", "channel", teamChan)
	top["text"] = "hello"
	if in := decodeMap(top); in.input.Kind != "text" || in.input.Channel != teamChan || in.input.Thread != "" || !in.input.Public {
		t.Errorf("channel message = %+v", in.input)
	}

	joined := base("conversationUpdate", "channel", teamChan)
	joined["membersAdded"] = []any{map[string]any{"id": botID}}
	joined["channelData"] = map[string]any{"channel": map[string]any{"id": teamChan, "name": "General"}, "team": map[string]any{"id": "19:team"}}
	if in := decodeMap(joined); in.input.Kind != "joined" || in.input.Channel != teamChan || in.input.User != lee {
		t.Errorf("bot added to a channel = %+v", in.input)
	}

	installed := base("conversationUpdate", "personal", leeChat)
	installed["membersAdded"] = []any{map[string]any{"id": botID}}
	if in := decodeMap(installed); in.input.Kind != "text" || in.input.Text != "hi" || in.input.Channel != leeChat || in.input.Public {
		t.Errorf("personal install = %+v", in.input)
	}

	someone := base("conversationUpdate", "channel", teamChan)
	someone["membersAdded"] = []any{map[string]any{"id": mo}}
	if in := decodeMap(someone); in.intent != ignore {
		t.Errorf("someone else added = %+v", in)
	}

	sel := base("message", "personal", leeChat)
	sel["replyToId"] = "77"
	sel["value"] = map[string]any{keyAction: "lp_cadence", keySelect: "lp_select_lp_cadence", "lp_select_lp_cadence": "weekly"}
	if in := decodeMap(sel); in.input.Kind != "action" || in.input.ActionID != "lp_cadence" || in.input.Value != "weekly" ||
		in.input.Source.TS != "77" || in.input.Source.Channel != leeChat || in.input.TriggerID != leeChat+"|77|"+lee {
		t.Errorf("select = %+v", in.input)
	}

	inThread := base("message", "channel", teamChan+";messageid=1700")
	inThread["replyToId"] = "1700"
	inThread["value"] = map[string]any{keyAction: "lp_set_create"}
	if in := decodeMap(inThread); in.input.Channel != teamChan || in.input.Source.Channel != teamChan+";messageid=1700" || in.input.Source.TS != "1700" {
		t.Errorf("click in a channel thread = %+v", in.input)
	}

	form := base("message", "personal", moChat)
	form["value"] = map[string]any{keySubmit: "request_changes", keyPrivate: "c=c1&v=1", "comments": "More", "days": "mon,wed", "n": 3.0}
	if in := decodeMap(form); in.input.Kind != "submit" || in.input.CallbackID != "request_changes" || in.input.PrivateData != "c=c1&v=1" ||
		in.input.Form["comments"] != "More" || in.input.Form["days"] != "mon,wed" || in.input.Form["n"] != "3" || len(in.input.Form) != 3 {
		t.Errorf("form = %+v", in.input)
	}

	file := base("message", "personal", leeChat)
	file["attachments"] = []any{
		map[string]any{"contentType": fileDownloadInfo, "name": "deck.pdf", "contentUrl": "https://contoso-my.sharepoint.com/personal/lee/Documents/deck.pdf",
			"content": map[string]any{"downloadUrl": "https://contoso-my.sharepoint.com/download?tempauth=SECRET", "uniqueId": "1A2B", "fileType": "pdf"}},
		map[string]any{"contentType": "text/html", "content": "<div>see attached</div>"},
		map[string]any{"contentType": fileDownloadInfo, "name": "notes.txt", "content": "not an object", "contentUrl": "https://contoso-my.sharepoint.com/notes.txt"},
		map[string]any{"contentType": fileDownloadInfo, "name": "nothing to point at"},
	}
	in = decodeMap(file)
	want := []contract.File{{ID: "1A2B", Name: "deck.pdf", Permalink: "https://contoso-my.sharepoint.com/personal/lee/Documents/deck.pdf", Type: "pdf"},
		{ID: "https://contoso-my.sharepoint.com/notes.txt", Name: "notes.txt", Permalink: "https://contoso-my.sharepoint.com/notes.txt"}}
	if in.input.Kind != "text" || !reflect.DeepEqual(in.input.Files, want) {
		t.Errorf("files sent in a personal chat = %+v, want %+v", in.input.Files, want)
	}
	if strings.Contains(fmt.Sprint(in.input), "tempauth") {
		t.Error("the short-lived download URL was kept")
	}
	inChannel := base("message", "channel", teamChan)
	inChannel["attachments"] = file["attachments"]
	if in := decodeMap(inChannel); len(in.input.Files) != 0 {
		t.Errorf("files in a channel are evidence: %+v", in.input.Files)
	}

	own := base("message", "personal", leeChat)
	own["from"] = map[string]any{"id": botID}
	if in := decodeMap(own); in.intent != ignore {
		t.Errorf("the bot's own message = %+v", in)
	}
	weird := base("message", "personal", leeChat)
	weird["value"] = "just a string"
	if in := decodeMap(weird); in.intent != unknown {
		t.Errorf("a string value = %+v", in)
	}
}

// TestFloodFromOnePerson: one person's flood is refused (503, never a 2xx
// for work not taken) for that person only; another person on the same
// single worker is taken and answered before the flood's backlog runs.
// (While the flood's first turn is held nothing is saved, so what is
// taken is answered 503 "not saved" once the wait for its save passes.)
func TestFloodFromOnePerson(t *testing.T) {
	const flooder = "29:flood"
	e := newEnv(t, func(c *Config) { c.Workers, c.AckWait = 1, 10*time.Millisecond })
	release := make(chan struct{})  // ends the flood's first turn
	answered := make(chan struct{}) // lee got an answer
	var first sync.Once
	handle := e.a.handle
	e.a.handle = func(ctx context.Context, turn bot.Turn) error {
		if turn.Input.User == flooder {
			held := answered
			first.Do(func() { held = release })
			<-held
		}
		return handle(ctx, turn)
	}
	var accepted, refused int
	for range 100 {
		switch status, body := e.postBody(e.personal(flooder, "a:chat-flood", "help")); {
		case status == http.StatusServiceUnavailable && body == "not saved\n":
			accepted++
		case status == http.StatusServiceUnavailable && body == "busy\n":
			refused++
		default:
			t.Fatalf("flood: status %d %q, want 503, busy or not saved yet", status, body)
		}
	}
	if accepted > 1+personDepth || refused == 0 {
		t.Errorf("flood: %d accepted, %d refused; want at most %d accepted and the rest refused", accepted, refused, 1+personDepth)
	}
	if status, body := e.postBody(e.personal(lee, leeChat, "help")); body != "not saved\n" {
		t.Fatalf("another person during the flood: status %d %q, want it taken", status, body)
	}
	close(release)
	e.await("answering the other person", sentTo(leeChat, "contract"))
	close(answered)
}

// TestTokenCheckedBeforeBody: a request without a valid token is refused
// from its headers while its body is still arriving, so strangers trickling
// large bodies hold no memory; an honest oversized one is refused from its
// declared length.
func TestTokenCheckedBeforeBody(t *testing.T) {
	e := newEnv(t, nil)
	for _, tt := range []struct {
		name, auth string
		length     int
		want       int
	}{
		{"no token", "", maxBody, http.StatusUnauthorized},
		{"forged token", "Bearer abc.def.ghi", maxBody, http.StatusUnauthorized},
		{"valid token, too long", "Bearer " + e.fake.Token(e.fake.ServiceURL(), nil), maxBody + 1, http.StatusRequestEntityTooLarge},
	} {
		if got := answerBeforeBody(t, e.srv.URL, "/api/messages", tt.auth, tt.length); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
}

// answerBeforeBody sends a request's headers, declaring a body of length
// bytes, and 16 bytes of that body, then reads the answer: a server that
// waits for the rest answers nothing before the deadline.
func answerBeforeBody(t *testing.T, base, path, auth string, length int) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: " + strings.TrimPrefix(base, "http://") +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(length) + "\r\n"
	if auth != "" {
		head += "Authorization: " + auth + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"+`{"type":"message"`); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body was still arriving: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

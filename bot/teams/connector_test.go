package teams

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/connector/client"
	libactivity "github.com/infracloudio/msbotbuilder-go/core/activity"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

func note(text string) message.Message {
	return message.Message{Summary: text, Blocks: []message.Block{message.Section{Text: message.T(text)}}}
}

// known makes the adapter know lee's personal chat, as after lee wrote.
func (e *env) known() {
	e.t.Helper()
	e.post(e.personal(lee, leeChat, "help"), nil)
	e.await("answering help", sentTo(leeChat, "contract"))
}

// inChannel makes the adapter know teamChan as a channel, as after it was
// added there. Posts into it go through the adapter's own connector.
func (e *env) inChannel() {
	e.t.Helper()
	var joined activity
	joined.ServiceURL, joined.Conversation.ID, joined.Conversation.ConversationType = e.fake.ServiceURL(), teamChan, "channel"
	joined.Recipient.ID, joined.From.ID = botID, lee
	joined.ChannelData.Channel = &idName{ID: teamChan, Name: "Design reviews"}
	e.a.observe(e.ctx(), joined)
}

// TestConcurrentSends: 100 concurrent channel posts through the adapter's
// own connector all arrive with their ids, with one token request,
// race-free.
func TestConcurrentSends(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	before := len(e.fake.Activities())
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			ref, err := e.a.Post(e.ctx(), teamChan, note("hello "+itoa(i)))
			if err == nil && ref.TS == "" {
				err = errors.New("a channel post without its id")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(e.fake.Activities()) - before; got != 100 {
		t.Errorf("the connector got %d activities, want 100", got)
	}
	if n := e.fake.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

// TestTokenRefreshUnderLoad: concurrent sends with expiring tokens fetch
// new ones without racing.
func TestTokenRefreshUnderLoad(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.SetTokenTTL(time.Minute) // within the renewal margin: every call renews
	e.inChannel()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := e.a.Post(e.ctx(), teamChan, note("x"+itoa(i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := e.fake.TokenRequests(); n < 2 {
		t.Errorf("%d token requests with short-lived tokens", n)
	}
}

// TestRetries: the own connector retries dropped connections, 502 and
// 500; a 429 waits its Retry-After; nothing is lost and nothing panics.
func TestRetries(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	e.fake.SetRetryAfter(7 * time.Second)
	e.fake.Fail(1, connectortest.Drop)
	e.fake.Fail(1, connectortest.BadGateway)
	e.fake.Fail(1, connectortest.ServerError)
	e.fake.Fail(1, connectortest.TooMany)
	ref, err := e.a.Post(e.ctx(), teamChan, note("after trouble"))
	if err != nil {
		t.Fatal(err)
	}
	if ref.TS == "" || ref.Channel != teamChan {
		t.Errorf("ref = %+v", ref)
	}
	e.await("the message", sentTo(teamChan, "after trouble"))
	e.mu.Lock()
	waits := append([]time.Duration(nil), e.waits...)
	e.mu.Unlock()
	if len(waits) != 4 {
		t.Fatalf("waits = %v, want 4", waits)
	}
	if waits[3] < 7*time.Second {
		t.Errorf("waited %v after a 429 with Retry-After 7s", waits[3])
	}
}

// TestPersistentFailure: a connector that keeps failing gives the own
// connector an error after a bounded number of calls.
func TestPersistentFailure(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	calls := e.fake.Calls()
	e.fake.Fail(maxServerErrors, connectortest.ServerError)
	_, err := e.a.Post(e.ctx(), teamChan, note("doomed"))
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Calls() - calls; n != maxServerErrors {
		t.Errorf("%d calls for a failing connector, want %d", n, maxServerErrors)
	}
	calls = e.fake.Calls()
	e.fake.Fail(maxAttempts, connectortest.Drop)
	if _, err := e.a.Post(e.ctx(), teamChan, note("doomed")); err == nil {
		t.Fatal("a connector that drops every call gave no error")
	}
	if n := e.fake.Calls() - calls; n != maxAttempts {
		t.Errorf("%d calls for a dropping connector, want %d", n, maxAttempts)
	}
}

// TestTokenEndpointDown: a token endpoint that cannot be reached, or
// refuses the credentials, is an error, never a panic.
func TestTokenEndpointDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/token"
	dead.Close()
	e := newEnv(t, func(c *Config) { c.TokenURL = deadURL })
	e.a.remember(e.ctx(), convKey(leeChat), reference{ConversationReference: schema.ConversationReference{ServiceURL: e.fake.ServiceURL()}})
	if _, err := e.a.Post(e.ctx(), leeChat, note("x")); err == nil {
		t.Error("no error without a token endpoint")
	}
	bad := newEnv(t, func(c *Config) { c.AppPassword = "wrong" })
	if _, err := bad.a.Post(bad.ctx(), leeChat, note("x")); !errors.Is(err, errToken) {
		t.Errorf("bad credentials: err = %v", err)
	}
	if n := bad.fake.TokenRequests(); n != 1 {
		t.Errorf("bad credentials were tried %d times", n)
	}
	if err := bad.a.CredentialsRefused(); !errors.Is(err, errToken) {
		t.Errorf("after the token endpoint refused the credentials, CredentialsRefused = %v", err)
	}
	if err := e.a.CredentialsRefused(); err != nil {
		t.Errorf("an unreachable token endpoint counts as refusing the credentials: %v", err)
	}
}

// TestProactive: a restarted adapter reaches a user through the stored
// reference; a user it never met is reached through a new chat in the
// configured tenant; without a tenant it says why it cannot.
func TestProactive(t *testing.T) {
	e := newEnv(t, nil)
	e.known()
	restarted := e.adapter(nil)
	ref, err := restarted.SendDM(e.ctx(), lee, note("your check-in"))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Channel != leeChat {
		t.Errorf("sent to %s, want lee's chat %s", ref.Channel, leeChat)
	}
	e.await("the check-in", sentTo(leeChat, "your check-in"))
	if n := len(e.fake.Conversations()); n != 0 {
		t.Errorf("%d conversations created for a known user", n)
	}

	ref, err = restarted.SendDM(e.ctx(), mo, note("please approve"))
	if err != nil {
		t.Fatal(err)
	}
	convs := e.fake.Conversations()
	if len(convs) != 1 || convs[0].TenantID != tenant || len(convs[0].Members) != 1 || convs[0].Members[0] != mo || ref.Channel != convs[0].ID {
		t.Fatalf("conversations = %+v, ref %+v", convs, ref)
	}
	e.await("the approval", sentTo(convs[0].ID, "please approve"))
	if _, err := restarted.SendDM(e.ctx(), mo, note("again")); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Conversations()); n != 1 {
		t.Errorf("a second send started another chat (%d)", n)
	}

	noTenant := e.adapter(func(c *Config) { c.TenantID = "" })
	if _, err := noTenant.SendDM(e.ctx(), "29:stranger", note("hi")); err == nil || !strings.Contains(err.Error(), "install the app") {
		t.Errorf("err = %v", err)
	}
	// Someone met in a channel is reached in their tenant.
	var seen activity
	seen.ServiceURL, seen.Conversation.ID, seen.Conversation.ConversationType = e.fake.ServiceURL(), teamChan, "channel"
	seen.Conversation.TenantID, seen.From.ID, seen.Recipient.ID = "tenant-2", "29:pat", botID
	noTenant.observe(e.ctx(), seen)
	if _, err := noTenant.SendDM(e.ctx(), "29:pat", note("hi Pat")); err != nil {
		t.Fatal(err)
	}
	if convs := e.fake.Conversations(); convs[len(convs)-1].TenantID != "tenant-2" {
		t.Errorf("chat with Pat started in %+v", convs[len(convs)-1])
	}
}

// TestUpdateAndThread: cards are updated in place and thread replies go
// under their root.
func TestUpdateAndThread(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	e.fake.SetMembers(teamChan, connectortest.Member{ID: lee, Name: "Lee"}, connectortest.Member{ID: mo, Name: "Mo"},
		connectortest.Member{ID: botID, Name: "learnpact"})
	restarted := e.adapter(nil) // the channel's reference is in storage
	ci, err := restarted.Channel(e.ctx(), teamChan)
	if err != nil {
		t.Fatal(err)
	}
	if ci.ID != teamChan || ci.Name != "Design reviews" || len(ci.Members) != 2 || ci.Members[0] != lee || ci.Members[1] != mo {
		t.Errorf("channel info = %+v", ci)
	}
	if _, err := e.a.Channel(e.ctx(), "19:unknown@thread.tacv2"); err == nil {
		t.Error("members of an unknown channel gave no error")
	}
	root, err := e.a.Post(e.ctx(), teamChan, note("draft for review"))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.a.PostThread(e.ctx(), root, note("feedback summary"))
	if err != nil {
		t.Fatal(err)
	}
	if want := teamChan + ";messageid=" + root.TS; reply.Channel != want {
		t.Errorf("reply in %s, want %s", reply.Channel, want)
	}
	if err := e.a.Update(e.ctx(), root, note("draft (closed)")); err != nil {
		t.Fatal(err)
	}
	up := e.await("the update", func(a connectortest.Activity) bool { return a.Method == http.MethodPut })
	if up.ID != root.TS || !strings.Contains(string(up.Raw), "draft (closed)") {
		t.Errorf("update = %+v", up)
	}
	if err := e.a.Update(e.ctx(), conversation.MessageRef{Channel: teamChan, TS: "missing"}, note("x")); err == nil {
		t.Error("updating a message that does not exist gave no error")
	}
}

// TestLibraryClients: the library's own connector client works against the
// fake (so the fake speaks Bot Framework as the library expects), and the
// library's activity helpers run over the adapter's client.
func TestLibraryClients(t *testing.T) {
	e := newEnv(t, nil)
	tokenURL, _ := url.Parse(e.fake.TokenURL())
	lib, err := client.NewClient(&client.Config{
		Credentials: auth.SimpleCredentialProvider{AppID: connectortest.AppID, Password: connectortest.AppPassword},
		AuthURL:     *tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	act := schema.Activity{Type: schema.Message, ServiceURL: e.fake.ServiceURL(), Text: "from the library",
		Conversation: schema.ConversationAccount{ID: leeChat}}
	resp, _ := libactivity.NewActivityResponse(lib)
	if err := resp.SendActivity(act); err != nil {
		t.Fatal(err)
	}
	sent := e.await("the library's message", sentTo(leeChat, "from the library"))

	ours, _ := libactivity.NewActivityResponse(e.a.conn)
	act.ID, act.Text = sent.ID, "updated through the library"
	if err := ours.UpdateActivity(act); err != nil {
		t.Fatal(err)
	}
	e.await("the update", func(a connectortest.Activity) bool {
		return a.Method == http.MethodPut && strings.Contains(string(a.Raw), "updated through the library")
	})
}

// TestFormCard: a form is a card in the conversation; a submission with
// problems shows the card again with the problems and what was typed, a
// good one closes the card and goes on to the turn.
func TestFormCard(t *testing.T) {
	e := newEnv(t, nil)
	e.post(e.personal(mo, moChat, "help"), nil)
	e.await("answering help", sentTo(moChat, "contract"))
	_, forms := bottest.Samples(t, e.now)
	form := forms["request_changes"]
	if err := e.a.OpenModal(e.ctx(), trigger(moChat, "1", mo), form); err != nil {
		t.Fatal(err)
	}
	card := e.await("the form card", sentTo(moChat, keySubmit))
	if card.UserAgent == UserAgent {
		t.Error("the form card was sent by the own connector, not the library's client")
	}
	value := map[string]any{}
	for k, v := range buttonData(t, card, keySubmit) {
		value[k] = v
	}
	value[conversation.FieldComments] = "   "
	e.post(e.submit(mo, moChat, card.ID, value), nil)
	again := e.await("the form with its problem", func(a connectortest.Activity) bool {
		return a.Method == http.MethodPut && a.ID == card.ID && strings.Contains(string(a.Raw), errorPrefix)
	})
	if !strings.Contains(cardText(again.Body), "Please say what you") || !strings.Contains(string(again.Raw), `"value":"   "`) {
		t.Errorf("form shown again as: %s", again.Raw)
	}
	if again.UserAgent == UserAgent {
		t.Error("the form was updated by the own connector, not the library's client")
	}

	value[conversation.FieldComments] = "Could the evidence include a demo?"
	e.post(e.submit(mo, moChat, card.ID, value), nil)
	e.await("the closed form", func(a connectortest.Activity) bool {
		return a.Method == http.MethodPut && a.ID == card.ID && strings.Contains(string(a.Raw), "Sent.")
	})
}

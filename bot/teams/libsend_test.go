package teams

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/message"
)

// libraryAgent is the User-Agent of the library's client (Go's default).
const libraryAgent = "Go-http-client/1.1"

// knowsLee stores lee's personal chat, as after lee wrote, without
// sending anything.
func (e *env) knowsLee(a *Adapter) {
	e.t.Helper()
	ref := reference{TenantID: tenant}
	ref.ServiceURL, ref.ChannelID = e.fake.ServiceURL(), "msteams"
	ref.User = schema.ChannelAccount{ID: lee}
	ref.Conversation = schema.ConversationAccount{ID: leeChat, ConversationType: "personal", TenantID: tenant}
	for _, key := range []string{userKey(lee), convKey(leeChat)} {
		if err := a.remember(e.ctx(), key, ref); err != nil {
			e.t.Fatal(err)
		}
	}
}

// sentBy lists the User-Agents of the activities whose text contains
// want.
func (e *env) sentBy(want string) []string {
	var agents []string
	for _, a := range e.fake.Activities() {
		if strings.Contains(string(a.Raw), want) {
			agents = append(agents, a.UserAgent)
		}
	}
	return agents
}

func (e *env) waitCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.waits)
}

// idle is the number of library clients in the pool.
func idle(a *Adapter) int { return len(a.lib.clients) }

// TestLibConcurrentSends: 100 concurrent SendDMs all arrive exactly once
// through the library's client, with at most one token per pooled client,
// race-free.
func TestLibConcurrentSends(t *testing.T) {
	e := newEnv(t, nil)
	e.knowsLee(e.a)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Go(func() {
			ref, err := e.a.SendDM(e.ctx(), lee, note("hello #"+itoa(i)+"#"))
			if err == nil && (ref.Channel != leeChat || ref.TS != "") {
				t.Errorf("ref = %+v", ref)
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
	if n := len(e.fake.Activities()); n != 100 {
		t.Errorf("the connector got %d activities, want 100", n)
	}
	for i := range 100 {
		if agents := e.sentBy("hello #" + itoa(i) + "#"); len(agents) != 1 || agents[0] != libraryAgent {
			t.Errorf("message %d arrived from %v, want once from the library", i, agents)
		}
	}
	if n := e.fake.TokenRequests(); n < 1 || n > libClients {
		t.Errorf("%d token requests for a pool of %d clients", n, libClients)
	}
	if n := idle(e.a); n != libClients {
		t.Errorf("%d idle clients after the sends, want %d", n, libClients)
	}
}

// TestLibRetries: dropped connections, 500, 502 and 429 are retried, and
// the message arrives once.
func TestLibRetries(t *testing.T) {
	e := newEnv(t, nil)
	e.knowsLee(e.a)
	e.fake.Fail(1, connectortest.Drop)
	e.fake.Fail(1, connectortest.ServerError)
	e.fake.Fail(1, connectortest.BadGateway)
	e.fake.Fail(1, connectortest.TooMany)
	if _, err := e.a.SendDM(e.ctx(), lee, note("after trouble")); err != nil {
		t.Fatal(err)
	}
	if agents := e.sentBy("after trouble"); len(agents) != 1 || agents[0] != libraryAgent {
		t.Errorf("the message arrived from %v", agents)
	}
	if n := e.fake.Calls(); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
	if n := e.waitCount(); n != 4 {
		t.Errorf("%d waits between attempts, want 4", n)
	}
}

// TestLibPersistentFailure: a connector that keeps failing gives an error
// after a bounded number of calls.
func TestLibPersistentFailure(t *testing.T) {
	for name, tc := range map[string]struct {
		fail   connectortest.Failure
		calls  int
		status int
	}{
		"500":  {connectortest.ServerError, maxServerErrors, http.StatusInternalServerError},
		"502":  {connectortest.BadGateway, maxAttempts, http.StatusBadGateway},
		"429":  {connectortest.TooMany, maxAttempts, http.StatusTooManyRequests},
		"drop": {connectortest.Drop, maxAttempts, 0},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.knowsLee(e.a)
			e.fake.Fail(maxAttempts+2, tc.fail)
			_, err := e.a.SendDM(e.ctx(), lee, note("doomed"))
			if status, ok := libStatus(err); !ok || status != tc.status {
				t.Fatalf("err = %v, want status %d", err, tc.status)
			}
			if n := e.fake.Calls(); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			if n := idle(e.a); n != libClients {
				t.Errorf("%d idle clients, want %d", n, libClients)
			}
		})
	}
	e := newEnv(t, nil)
	e.knowsLee(e.a)
	if err := e.a.Update(e.ctx(), conversation.MessageRef{Channel: leeChat, TS: "missing"}, note("x")); err == nil {
		t.Error("updating a message that does not exist gave no error")
	}
	if n := e.fake.Calls(); n != 1 {
		t.Errorf("a 404 was tried %d times", n)
	}
}

// TestLibTokenEndpointDown: the library's client panics when its token
// request fails in transport; the call ends in an error instead, after
// bounded retries, and the pool keeps its size.
func TestLibTokenEndpointDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/token"
	dead.Close()
	e := newEnv(t, func(c *Config) { c.TokenURL = deadURL })
	e.knowsLee(e.a)
	_, err := e.a.SendDM(e.ctx(), lee, note("x"))
	if !errors.Is(err, errLibPanic) {
		t.Fatalf("err = %v", err)
	}
	if n := e.waitCount(); n != maxAttempts-1 {
		t.Errorf("%d retries, want %d", n, maxAttempts-1)
	}
	if n := e.fake.Calls(); n != 0 {
		t.Errorf("%d connector calls without a token", n)
	}
	if n := idle(e.a); n != libClients {
		t.Errorf("%d idle clients, want %d", n, libClients)
	}
}

// TestLibNoAnswer: a connector that never answers makes the call return
// after the per-call timeout (or when the caller gives up), without a
// retry; a fresh client takes the stuck one's place, so other sends go
// on; too many stuck calls refuse new ones at once.
func TestLibNoAnswer(t *testing.T) {
	e := newEnv(t, nil)
	e.knowsLee(e.a)
	e.a.lib.timeout = 50 * time.Millisecond
	e.fake.Fail(1, connectortest.Hang)
	if _, err := e.a.SendDM(e.ctx(), lee, note("into the void")); !errors.Is(err, errLibTimeout) {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Calls(); n != 1 {
		t.Errorf("%d calls, want 1 (a call given up on is not repeated)", n)
	}
	if n := idle(e.a); n != libClients {
		t.Errorf("%d idle clients, want %d", n, libClients)
	}
	if n := e.a.lib.stuck.Load(); n != 1 {
		t.Errorf("%d stuck calls, want 1", n)
	}

	// The caller's context ends first.
	e.a.lib.timeout = time.Hour
	e.fake.Fail(1, connectortest.Hang)
	ctx, cancel := context.WithTimeout(e.ctx(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.a.SendDM(ctx, lee, note("into the void")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if n := idle(e.a); n != libClients {
		t.Errorf("%d idle clients, want %d", n, libClients)
	}

	// The connector answers again.
	if _, err := e.a.SendDM(e.ctx(), lee, note("back again")); err != nil {
		t.Fatal(err)
	}
	e.await("the message after the stuck ones", sentTo(leeChat, "back again"))

	e.a.lib.stuck.Store(maxStuck)
	calls := e.fake.Calls()
	if _, err := e.a.SendDM(e.ctx(), lee, note("refused")); !errors.Is(err, errLibTimeout) {
		t.Errorf("err = %v with %d stuck calls", err, maxStuck)
	}
	if n := e.fake.Calls(); n != calls {
		t.Errorf("%d calls made with too many stuck", n-calls)
	}
}

// TestLibSplit: what needs no id goes through the library; a channel post
// (whose id roots a thread), a post with mentions outside a personal chat
// (the library drops who is mentioned, which Teams notifies from) and
// everything of an Insecure sandbox go through the own connector.
func TestLibSplit(t *testing.T) {
	e := newEnv(t, nil)
	e.knowsLee(e.a)
	e.inChannel()
	root, err := e.a.Post(e.ctx(), teamChan, note("channel post"))
	if err != nil || root.TS == "" {
		t.Fatalf("ref %+v, err %v", root, err)
	}
	if _, err := e.a.PostThread(e.ctx(), root, note("thread reply")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Post(e.ctx(), leeChat, note("personal post")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Ephemeral(e.ctx(), teamChan, lee, note("just for lee")); err != nil {
		t.Fatal(err)
	}
	mentioning := func(text string) message.Message {
		return message.Message{Summary: text, Blocks: []message.Block{message.Section{Text: message.T(text, " ", message.Mention(mo))}}}
	}
	if _, err := e.a.SendDM(e.ctx(), lee, mentioning("personal mention")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.PostThread(e.ctx(), root, mentioning("thread mention")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Update(e.ctx(), root, mentioning("channel post, closed")); err != nil {
		t.Fatal(err)
	}
	for want, agent := range map[string]string{
		"channel post\"": UserAgent, "thread reply": libraryAgent, "personal post": libraryAgent,
		"just for lee": libraryAgent, "personal mention": libraryAgent, "thread mention": UserAgent,
		"channel post, closed": libraryAgent,
	} {
		if got := e.sentBy(want); len(got) != 1 || got[0] != agent {
			t.Errorf("%s sent by %v, want %s", want, got, agent)
		}
	}
	for _, a := range e.fake.Activities() {
		if strings.Contains(string(a.Raw), "thread mention") && !strings.Contains(string(a.Raw), `"entities":[{"type":"mention"`) {
			t.Errorf("a channel mention lost its entities: %s", a.Raw)
		}
	}

	sandbox := newEnv(t, func(c *Config) { c.Insecure, c.AppID, c.AppPassword = true, "", "" })
	if sandbox.a.lib != nil {
		t.Error("an Insecure adapter has a library client, which would ask for a token")
	}
}

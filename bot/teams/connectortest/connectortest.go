// Package connectortest is a local Bot Framework service for tests: a
// connector (the /v3/conversations REST API a bot calls to send, reply,
// update and list members), the token endpoint that issues the bot's
// access tokens (client credentials), and the channel's OpenID metadata
// with its signing keys, so a test can sign activities it delivers to the
// bot exactly as Teams does.
//
// It records every activity the bot sends, checks the bearer token on every
// call, and can be told to fail the next calls (429 with Retry-After, 500,
// or a dropped connection, or no answer until the server closes).
package connectortest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Credentials the fake token endpoint accepts unless Config says otherwise.
const (
	AppID       = "00000000-0000-0000-0000-00000000b07"
	AppPassword = "s3cret"
)

// Failure is how the connector answers a call it was told to fail.
type Failure int

const (
	TooMany     Failure = iota + 1 // 429 with Retry-After
	ServerError                    // 500
	Drop                           // the connection is closed without an answer
	BadGateway                     // 502
	Hang                           // no answer until the server closes
)

// Activity is one activity the bot sent, as the connector received it.
type Activity struct {
	Method       string // POST (send or reply) or PUT (update)
	Conversation string // conversation id from the path
	ID           string // the activity's id (assigned on send, from the path on update)
	ReplyTo      string // the activity replied to, for replies
	UserAgent    string // the User-Agent of the call that sent it
	Body         map[string]any
	Raw          []byte
}

// Conversation is one conversation the bot created.
type Conversation struct {
	ID       string
	TenantID string
	Members  []string
	IsGroup  bool
}

// Server is the fake Bot Framework service. Its methods may be called
// concurrently.
type Server struct {
	*httptest.Server
	appID, password string
	key             *rsa.PrivateKey
	keyID           string
	stop            chan struct{} // closed when the server closes: hanging calls end
	stopOnce        sync.Once

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every change
	tokens        map[string]time.Time
	tokenRequests int
	keyRequests   int
	calls         int
	activities    []Activity
	conversations []Conversation
	members       map[string][]Member
	failures      []Failure
	retryAfter    time.Duration
	tokenTTL      time.Duration
	nextID        int
	uploads       map[string][]byte
}

// Member is a conversation member, as GET …/members lists it.
type Member struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AadObjectID string `json:"aadObjectId,omitempty"`
}

// New starts a server accepting the package's AppID and AppPassword; it
// closes when the test ends.
func New(tb interface {
	Helper()
	Fatal(...any)
	Cleanup(func())
}) *Server {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{
		appID: AppID, password: AppPassword, key: key, keyID: "test-key-1",
		changed: make(chan struct{}), stop: make(chan struct{}), tokens: map[string]time.Time{},
		members: map[string][]Member{}, tokenTTL: time.Hour, retryAfter: time.Second, uploads: map[string][]byte{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /botframework.com/oauth2/v2.0/token", s.serveToken)
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", s.serveMetadata)
	mux.HandleFunc("GET /v1/.well-known/keys", s.serveKeys)
	mux.HandleFunc("POST /v3/conversations", s.authed(s.serveCreate))
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", s.authed(s.serveSend))
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{id}", s.authed(s.serveSend))
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{id}", s.authed(s.serveUpdate))
	mux.HandleFunc("DELETE /v3/conversations/{conv}/activities/{id}", s.authed(s.serveDelete))
	mux.HandleFunc("GET /v3/conversations/{conv}/members", s.authed(s.serveMembers))
	mux.HandleFunc("PUT /onedrive/upload/{name}", s.serveUpload)
	s.Server = httptest.NewServer(mux)
	tb.Cleanup(s.Close)
	return s
}

// Close ends calls left hanging, then shuts the server down.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.Server.Close()
}

// ServiceURL is the connector's base URL, as activities carry it.
func (s *Server) ServiceURL() string { return s.URL + "/" }

// TokenURL is the token endpoint (client credentials).
func (s *Server) TokenURL() string { return s.URL + "/botframework.com/oauth2/v2.0/token" }

// OpenIDMetadataURL is the channel's OpenID metadata document.
func (s *Server) OpenIDMetadataURL() string { return s.URL + "/v1/.well-known/openidconfiguration" }

// Fail makes the next n connector calls (not token requests) fail as f.
func (s *Server) Fail(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, f)
	}
}

// SetRetryAfter sets the Retry-After a 429 carries (default 1s; whole
// seconds on the wire, rounded up).
func (s *Server) SetRetryAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = d
}

// SetTokenTTL sets how long issued tokens live (default 1h).
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// SetMembers sets a conversation's members.
func (s *Server) SetMembers(conversation string, members ...Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[conversation] = members
}

// TokenRequests counts the token requests served.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// KeyRequests counts fetches of the signing keys.
func (s *Server) KeyRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyRequests
}

// Calls counts connector calls, failed ones included.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Activities returns what the bot has sent so far, in order.
func (s *Server) Activities() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Activity(nil), s.activities...)
}

// Conversations returns the conversations the bot created.
func (s *Server) Conversations() []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Conversation(nil), s.conversations...)
}

// Await waits until cond holds for the activities sent so far, or ctx ends.
func (s *Server) Await(ctx context.Context, cond func([]Activity) bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		sent := append([]Activity(nil), s.activities...)
		s.mu.Unlock()
		if cond(sent) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// notify wakes Await; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests++
	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != s.appID ||
		r.PostForm.Get("client_secret") != s.password {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	token := randomToken()
	s.tokens[token] = time.Now().Add(s.tokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": int(s.tokenTTL / time.Second), "ext_expires_in": int(s.tokenTTL / time.Second),
		"access_token": token,
	})
}

// authed checks the bearer token and applies queued failures.
func (s *Server) authed(next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.calls++
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		exp, ok := s.tokens[token]
		var fail Failure
		if ok && time.Now().Before(exp) && len(s.failures) > 0 {
			fail, s.failures = s.failures[0], s.failures[1:]
		}
		retryAfter := s.retryAfter
		s.mu.Unlock()
		if !ok || !time.Now().Before(exp) {
			writeJSON(w, http.StatusUnauthorized, errorBody("Unauthorized", "Authorization has been denied for this request."))
			return
		}
		switch fail {
		case TooMany:
			secs := int((retryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeJSON(w, http.StatusTooManyRequests, errorBody("Throttled", "Too many requests"))
			return
		case ServerError:
			writeJSON(w, http.StatusInternalServerError, errorBody("ServiceError", "Internal error"))
			return
		case BadGateway:
			writeJSON(w, http.StatusBadGateway, errorBody("BadGateway", "Bad gateway"))
			return
		case Hang:
			<-s.stop
			writeJSON(w, http.StatusServiceUnavailable, errorBody("ServiceUnavailable", "Shutting down"))
			return
		case Drop:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		next(w, r, body)
	}
}

func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request, body []byte) {
	var p struct {
		IsGroup  bool   `json:"isGroup"`
		TenantID string `json:"tenantId"`
		Members  []struct {
			ID string `json:"id"`
		} `json:"members"`
		ChannelData struct {
			Tenant struct {
				ID string `json:"id"`
			} `json:"tenant"`
		} `json:"channelData"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Members) == 0 {
		writeJSON(w, http.StatusBadRequest, errorBody("BadArgument", "members are required"))
		return
	}
	c := Conversation{TenantID: p.TenantID, IsGroup: p.IsGroup}
	if c.TenantID == "" {
		c.TenantID = p.ChannelData.Tenant.ID
	}
	for _, m := range p.Members {
		c.Members = append(c.Members, m.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Creating a personal chat that exists returns it, as Teams does.
	for _, old := range s.conversations {
		if !c.IsGroup && len(old.Members) == 1 && len(c.Members) == 1 && old.Members[0] == c.Members[0] {
			writeJSON(w, http.StatusOK, map[string]string{"id": old.ID})
			return
		}
	}
	s.nextID++
	c.ID = fmt.Sprintf("a:personal-%d", s.nextID)
	s.conversations = append(s.conversations, c)
	s.notify()
	writeJSON(w, http.StatusCreated, map[string]string{"id": c.ID})
}

func (s *Server) serveSend(w http.ResponseWriter, r *http.Request, body []byte) {
	var act map[string]any
	if err := json.Unmarshal(body, &act); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("BadArgument", "malformed activity"))
		return
	}
	if t, _ := act["type"].(string); t == "" {
		writeJSON(w, http.StatusBadRequest, errorBody("BadArgument", "activity type is required"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := strconv.Itoa(1700000000000 + s.nextID)
	s.activities = append(s.activities, Activity{
		Method: http.MethodPost, Conversation: r.PathValue("conv"), ID: id, ReplyTo: r.PathValue("id"),
		UserAgent: r.UserAgent(), Body: act, Raw: body,
	})
	s.notify()
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (s *Server) serveUpdate(w http.ResponseWriter, r *http.Request, body []byte) {
	var act map[string]any
	if err := json.Unmarshal(body, &act); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("BadArgument", "malformed activity"))
		return
	}
	conv, id := r.PathValue("conv"), r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, a := range s.activities {
		if a.Method == http.MethodPost && a.ID == id && sameConversation(a.Conversation, conv) {
			found = true
		}
	}
	if !found {
		writeJSON(w, http.StatusNotFound, errorBody("ActivityNotFound", "no such activity"))
		return
	}
	s.activities = append(s.activities, Activity{Method: http.MethodPut, Conversation: conv, ID: id, UserAgent: r.UserAgent(), Body: act, Raw: body})
	s.notify()
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

func (s *Server) serveDelete(w http.ResponseWriter, r *http.Request, _ []byte) {
	w.WriteHeader(http.StatusOK)
}

func (s *Server) serveMembers(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	members, ok := s.members[r.PathValue("conv")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, errorBody("ConversationNotFound", "no such conversation"))
		return
	}
	writeJSON(w, http.StatusOK, members)
}

// sameConversation matches a channel thread ("19:…;messageid=1") with its
// channel, as Teams does for updates.
func sameConversation(a, b string) bool {
	base := func(s string) string { c, _, _ := strings.Cut(s, ";messageid="); return c }
	return base(a) == base(b)
}

func errorBody(code, msg string) map[string]any {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("tok-%x", b)
}

// UploadURL is where a file consent's accept lets the bot upload a file
// named name, as the uploadUrl of a fileConsent/invoke: a OneDrive upload
// session, which takes the whole file in one PUT with its Content-Range.
func (s *Server) UploadURL(name string) string {
	return s.URL + "/onedrive/upload/" + url.PathEscape(name)
}

// Uploads returns the files uploaded so far, by name.
func (s *Server) Uploads() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte, len(s.uploads))
	for k, v := range s.uploads {
		out[k] = v
	}
	return out
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("BadRequest", "unreadable upload"))
		return
	}
	if want := fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body)); len(body) == 0 || r.Header.Get("Content-Range") != want {
		writeJSON(w, http.StatusBadRequest, errorBody("InvalidRange", "Content-Range must be "+want))
		return
	}
	s.mu.Lock()
	s.uploads[r.PathValue("name")] = body
	s.notify()
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"name": r.PathValue("name"), "size": len(body)})
}

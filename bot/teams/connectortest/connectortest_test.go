package connectortest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func token(t *testing.T, s *Server, secret string) (string, int) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {AppID}, "client_secret": {secret},
		"scope": {"https://api.botframework.com/.default"}}
	resp, err := http.PostForm(s.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return body.AccessToken, resp.StatusCode
}

func send(t *testing.T, s *Server, tok, conv, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.ServiceURL()+"v3/conversations/"+url.PathEscape(conv)+"/activities", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestServer: tokens for the app's credentials only, calls need a valid
// token, failures are served as told, and sends are recorded.
func TestServer(t *testing.T) {
	s := New(t)
	if _, code := token(t, s, "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	tok, code := token(t, s, AppPassword)
	if code != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %q", code, tok)
	}
	if r := send(t, s, "forged", "a:1", `{"type":"message"}`); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged token: %d", r.StatusCode)
	}
	s.SetRetryAfter(1500 * time.Millisecond)
	s.Fail(1, TooMany)
	if r := send(t, s, tok, "a:1", `{"type":"message"}`); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "2" {
		t.Errorf("429: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := send(t, s, tok, "a:1", `{"text":"no type"}`); r.StatusCode != http.StatusBadRequest {
		t.Errorf("activity without type: %d", r.StatusCode)
	}
	if r := send(t, s, tok, "a:1", `{"type":"message","text":"hi"}`); r.StatusCode != http.StatusCreated {
		t.Errorf("send: %d", r.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Await(ctx, func(as []Activity) bool {
		return len(as) == 1 && as[0].Conversation == "a:1" && as[0].Body["text"] == "hi"
	}); err != nil {
		t.Errorf("recorded: %+v", s.Activities())
	}
	if s.TokenRequests() != 2 || s.Calls() != 4 {
		t.Errorf("%d token requests, %d calls", s.TokenRequests(), s.Calls())
	}
}

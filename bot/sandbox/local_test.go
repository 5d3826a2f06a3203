package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLocalOnlyRefusesWhatAPageOrTheNetworkCouldSend(t *testing.T) {
	w := New(Config{URL: "http://127.0.0.1:3000"})
	reached := 0
	h := w.LocalOnly(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached++ }))
	emulator := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/api/messages", strings.NewReader(`{"type":"message"}`))
		r.RemoteAddr = "127.0.0.1:50000"
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		return r
	}
	for _, tt := range []struct {
		name  string
		tweak func(*http.Request)
		want  int
	}{
		{"the emulator", func(*http.Request) {}, http.StatusOK},
		{"IPv6 loopback", func(r *http.Request) { r.RemoteAddr = "[::1]:50000" }, http.StatusOK},
		{"the sandbox page itself", func(r *http.Request) { r.Header.Set("Origin", "http://127.0.0.1:3000") }, http.StatusOK},
		{"a peer on the network", func(r *http.Request) { r.RemoteAddr = "192.168.1.20:50000" }, http.StatusForbidden},
		{"a foreign Host (DNS rebinding)", func(r *http.Request) { r.Host = "evil.example:3000" }, http.StatusForbidden},
		{"a cross-origin page", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, http.StatusForbidden},
		{"an opaque origin", func(r *http.Request) { r.Header.Set("Origin", "null") }, http.StatusForbidden},
		{"text/plain (a simple cross-origin request)", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }, http.StatusForbidden},
		{"a form", func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, http.StatusForbidden},
		{"no content type", func(r *http.Request) { r.Header.Del("Content-Type") }, http.StatusForbidden},
	} {
		before := reached
		r := emulator()
		tt.tweak(r)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tt.want {
			t.Errorf("%s: %d %q, want %d", tt.name, rec.Code, rec.Body.String(), tt.want)
		}
		if got := reached - before; (tt.want == http.StatusOK) != (got == 1) {
			t.Errorf("%s: reached the endpoint %d times", tt.name, got)
		}
	}
}

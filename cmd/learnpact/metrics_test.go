package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsAccess checks who may read /metrics: with METRICS_TOKEN, only
// callers with that bearer token; without it, only loopback callers that
// no proxy forwarded.
func TestMetricsAccess(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		remote string
		header map[string]string
		want   int
	}{
		{"loopback, no token set", "", "127.0.0.1:5000", nil, http.StatusOK},
		{"loopback v6, no token set", "", "[::1]:5000", nil, http.StatusOK},
		{"another host, no token set", "", "10.1.2.3:5000", nil, http.StatusForbidden},
		{"forwarded by a local proxy", "", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, http.StatusForbidden},
		{"forwarded, standard header", "", "127.0.0.1:5000", map[string]string{"Forwarded": "for=203.0.113.9"}, http.StatusForbidden},
		{"token set, right token", "s3cret", "10.1.2.3:5000", map[string]string{"Authorization": "Bearer s3cret"}, http.StatusOK},
		{"token set, wrong token", "s3cret", "10.1.2.3:5000", map[string]string{"Authorization": "Bearer s3cre"}, http.StatusUnauthorized},
		{"token set, none sent, loopback", "s3cret", "127.0.0.1:5000", nil, http.StatusUnauthorized},
		{"token set, basic scheme", "s3cret", "10.1.2.3:5000", map[string]string{"Authorization": "Basic s3cret"}, http.StatusUnauthorized},
	}
	h := newMetrics().handler
	for _, tc := range tests {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.RemoteAddr = tc.remote
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h(tc.token).ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d (%s)", tc.name, w.Code, tc.want, w.Body)
		}
		if w.Code == http.StatusOK && !strings.Contains(w.Body.String(), "learnpact_store_errors_total") {
			t.Errorf("%s: served, but not the metrics: %.200s", tc.name, w.Body)
		}
		if w.Code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
		}
	}
}

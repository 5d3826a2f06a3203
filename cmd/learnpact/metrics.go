package main

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/storage"
)

// metrics are the server's Prometheus metrics, on a registry of its own,
// served on GET /metrics.
type metrics struct {
	reg         *prometheus.Registry
	turns       *prometheus.CounterVec
	turnSeconds *prometheus.HistogramVec
	ackSeconds  *prometheus.HistogramVec
	limited     *prometheus.CounterVec
	dueLag      prometheus.Histogram
	storeErrors *prometheus.CounterVec
	storeRetry  *prometheus.CounterVec
}

var _ bot.Observer = (*metrics)(nil)

// latencyBuckets span a quick turn to Slack's 3 s acknowledgement limit
// and past it.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "learnpact_turns_total",
			Help: "Turns handled, by platform, input kind and outcome (saved, applied: a redelivery, failed)."},
			[]string{"platform", "kind", "outcome"}),
		turnSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "learnpact_turn_seconds",
			Help: "How long turns took, effects included.", Buckets: latencyBuckets}, []string{"platform", "kind"}),
		ackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "learnpact_ack_seconds",
			Help:    "How long platform requests (Slack events, clicks, commands; Teams activities) took to answer.",
			Buckets: latencyBuckets}, []string{"platform", "code"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "learnpact_rate_limited_total",
			Help: "429 answers from the platform, by API method."}, []string{"platform", "method"}),
		dueLag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "learnpact_due_lag_seconds",
			Help:    "How late scheduled items were claimed after their due time (deferrals to working hours included).",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 3600, 6 * 3600, 24 * 3600}}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "learnpact_store_errors_total",
			Help: "Store operations of turns that failed, by operation."}, []string{"op"}),
		storeRetry: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "learnpact_store_retries_total",
			Help: "Turns saved again after a concurrent change, by operation."}, []string{"op"}),
	}
	for _, op := range []string{"load", "save"} {
		m.storeErrors.WithLabelValues(op) // at 0 from the start
	}
	m.storeRetry.WithLabelValues("save")
	m.reg.MustRegister(m.turns, m.turnSeconds, m.ackSeconds, m.limited, m.dueLag, m.storeErrors, m.storeRetry,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Turn implements bot.Observer.
func (m *metrics) Turn(platform, kind, outcome string, d time.Duration) {
	m.turns.WithLabelValues(platform, kind, outcome).Inc()
	m.turnSeconds.WithLabelValues(platform, kind).Observe(d.Seconds())
}

// StoreError implements bot.Observer.
func (m *metrics) StoreError(op string) { m.storeErrors.WithLabelValues(op).Inc() }

// StoreRetry implements bot.Observer.
func (m *metrics) StoreRetry(op string) { m.storeRetry.WithLabelValues(op).Inc() }

// DueLag hears a scheduled item's lateness.
func (m *metrics) DueLag(d time.Duration) { m.dueLag.Observe(d.Seconds()) }

// handler serves the registry: to callers with the bearer token when
// token is set, otherwise to loopback callers only, since the figures
// (team sizes, traffic, store errors) are not for the public listener.
func (m *metrics) handler(token string) http.Handler {
	serve := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics: a bearer token (METRICS_TOKEN) is required", http.StatusUnauthorized)
				return
			}
		} else if !loopbackCaller(r) {
			http.Error(w, "metrics: served to loopback callers only; set METRICS_TOKEN to scrape from elsewhere", http.StatusForbidden)
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// loopbackCaller reports whether a request came from this machine
// directly, not through a proxy that forwards others' requests.
func loopbackCaller(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	return err == nil && loopback(host) && !strings.EqualFold(host, "localhost")
}

// acks times a platform's requests until they are answered.
func (m *metrics) acks(platform string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.ackSeconds.WithLabelValues(platform, strconv.Itoa(sw.code)).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countLimits wraps a platform client's transport, counting 429 answers
// by API method (the last element of the URL's path).
func (m *metrics) countLimits(platform string) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := base.RoundTrip(r)
			if err == nil && resp.StatusCode == http.StatusTooManyRequests {
				m.limited.WithLabelValues(platform, path.Base(r.URL.Path)).Inc()
			}
			return resp, err
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// outboxes reports each platform's outbox depth and the age of its oldest
// message, read from the store when scraped.
type outboxes struct {
	now     func() time.Time
	backlog map[string]storage.Backlog // by platform
	depth   *prometheus.Desc
	oldest  *prometheus.Desc
}

func newOutboxes(now func() time.Time, backlog map[string]storage.Backlog) *outboxes {
	return &outboxes{now: now, backlog: backlog,
		depth: prometheus.NewDesc("learnpact_outbox_messages", "Messages waiting in the outbox.", []string{"platform"}, nil),
		oldest: prometheus.NewDesc("learnpact_outbox_oldest_seconds",
			"How long the oldest message in the outbox has been claimable; 0 when none is.", []string{"platform"}, nil),
	}
}

func (o *outboxes) Describe(ch chan<- *prometheus.Desc) { ch <- o.depth; ch <- o.oldest }

// outboxTimeout bounds the store reads of one scrape.
const outboxTimeout = time.Second

func (o *outboxes) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
	defer cancel()
	for platform, b := range o.backlog {
		n, first, err := b.Backlog(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(o.depth, err)
			continue
		}
		age := 0.0
		if !first.IsZero() {
			age = max(o.now().Sub(first).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(o.depth, prometheus.GaugeValue, float64(n), platform)
		ch <- prometheus.MustNewConstMetric(o.oldest, prometheus.GaugeValue, age, platform)
	}
}

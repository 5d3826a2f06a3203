package e2e

// The fault suite's platform: a Slack Web API that fails on request, and
// Slack's delivery of events, with its retries, modelled faithfully enough
// that "acknowledged" means what it means on Slack.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
)

// faultAPI serves the sandbox workspace's Web API and, on request, makes
// chosen methods hang, answer an error status, or lose their answer.
// Faults of a method are taken in the order they were added, each for its
// number of calls. What Slack took (every chat.postMessage served, in
// order per conversation) is what the workspace shows.
type faultAPI struct {
	ws  *sandbox.Workspace
	api http.Handler
	srv *httptest.Server

	mu     sync.Mutex
	faults map[string][]*apiFault
	gates  []*callGate
}

type faultKind int

const (
	// faultHang holds the call until its gate opens (then the call is served,
	// and its answer lost when the fault says so) or the caller gives up
	// (then Slack never saw it).
	faultHang faultKind = iota
	// faultStatus answers with an HTTP error status; a 429 carries Retry-After.
	faultStatus
)

type apiFault struct {
	kind       faultKind
	status     int
	retryAfter time.Duration
	// lose serves the call (Slack takes the message) and then closes the
	// connection without an answer, as when an answer times out.
	lose bool
	// left is how many more calls the fault takes; below zero, every
	// call until the method's faults are cleared.
	left int
	gate *callGate
}

// newFaultAPI serves ws's Web API on a loopback server, at URL()+"/api/".
// Hanging calls are let go when the test ends.
func newFaultAPI(t *testing.T, ws *sandbox.Workspace) *faultAPI {
	f := &faultAPI{ws: ws, api: ws.APIHandler(), faults: map[string][]*apiFault{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.openAll) // runs first: Close waits for the calls held
	return f
}

// URL is the Web API's base URL, SLACK_API_URL.
func (f *faultAPI) URL() string { return f.srv.URL + "/api/" }

// hang makes the next n calls of method (every call when n < 0) wait for
// the gate it returns; lose makes a call let through lose its answer.
func (f *faultAPI) hang(method string, n int, lose bool) *callGate {
	g := newGate()
	f.add(method, &apiFault{kind: faultHang, left: n, gate: g, lose: lose})
	f.mu.Lock()
	f.gates = append(f.gates, g)
	f.mu.Unlock()
	return g
}

// fail answers the next n calls of method (every call when n < 0) with
// code; a 429 says Retry-After retryAfter, in whole seconds.
func (f *faultAPI) fail(method string, code int, retryAfter time.Duration, n int) {
	f.add(method, &apiFault{kind: faultStatus, status: code, retryAfter: retryAfter, left: n})
}

func (f *faultAPI) add(method string, ft *apiFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], ft)
}

// clear ends the faults of method; calls held by a hang stay held until
// its gate opens.
func (f *faultAPI) clear(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.faults, method)
}

// unused returns how many faults of method are still waiting for a call:
// a scenario whose faults were never hit proves nothing.
func (f *faultAPI) unused(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.faults[method])
}

func (f *faultAPI) openAll() {
	f.mu.Lock()
	gates := f.gates
	f.mu.Unlock()
	for _, g := range gates {
		g.open()
	}
}

// take returns the fault for the next call of method, if any.
func (f *faultAPI) take(method string) *apiFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.faults[method]
	if len(q) == 0 {
		return nil
	}
	ft := q[0]
	if ft.left > 0 {
		if ft.left--; ft.left == 0 {
			f.faults[method] = q[1:]
		}
	}
	return ft
}

func (f *faultAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, _ := strings.CutPrefix(r.URL.Path, "/api/")
	ft := f.take(method)
	if ft == nil {
		f.api.ServeHTTP(w, r)
		return
	}
	switch ft.kind {
	case faultStatus:
		if ft.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(int((ft.retryAfter+time.Second-1)/time.Second)))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		http.Error(w, http.StatusText(ft.status), ft.status)
	case faultHang:
		// Read the call first: the server notices a caller that gives up
		// only once the request body is consumed.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		ft.gate.arrive(callArgs(r.Header.Get("Content-Type"), body))
		select {
		case <-ft.gate.opened:
		case <-ft.gate.dropped:
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return // Slack never saw the call
		case <-r.Context().Done():
			return // the caller gave up: Slack never saw the call
		}
		if !ft.lose {
			f.api.ServeHTTP(w, r)
			return
		}
		f.api.ServeHTTP(httptest.NewRecorder(), r) // taken, and the answer lost
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}
}

// callArgs reads a Web API call's arguments, from a form or JSON.
func callArgs(contentType string, body []byte) map[string]string {
	out := map[string]string{}
	if strings.HasPrefix(contentType, "application/json") {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out[k] = s
				}
			}
		}
		return out
	}
	form, _ := url.ParseQuery(string(body))
	for k := range form {
		out[k] = form.Get(k)
	}
	return out
}

// callGate holds hanging calls until it opens, and tells a test which calls
// it holds: a hook to act on ("the reply is on its way to Slack") without
// waiting an arbitrary time.
type callGate struct {
	opened chan struct{}
	once   sync.Once
	// dropped ends the calls held without Slack seeing them, as a
	// connection that broke before the request reached Slack.
	dropped  chan struct{}
	dropOnce sync.Once

	mu      sync.Mutex
	arrived []map[string]string // the arguments of each call held, in order
	changed chan struct{}
}

func newGate() *callGate {
	return &callGate{opened: make(chan struct{}), dropped: make(chan struct{}), changed: make(chan struct{})}
}

// drop ends the calls held, and all later ones, unseen by Slack: their
// connections are closed without an answer.
func (g *callGate) drop() { g.dropOnce.Do(func() { close(g.dropped) }) }

// open lets the calls held, and all later ones, through.
func (g *callGate) open() { g.once.Do(func() { close(g.opened) }) }

func (g *callGate) arrive(args map[string]string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.arrived = append(g.arrived, args)
	close(g.changed)
	g.changed = make(chan struct{})
}

// await waits until cond holds of the calls that arrived so far.
func (g *callGate) await(ctx context.Context, cond func(calls []map[string]string) bool) error {
	for {
		g.mu.Lock()
		ok, ch := cond(g.arrived), g.changed
		g.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("gate: %w", ctx.Err())
		case <-ch:
		}
	}
}

// slackAck is how long Slack waits for an acknowledgement before it counts
// the delivery as failed.
const slackAck = 3 * time.Second

// slackEvents delivers Events API requests to the bot as Slack does:
// signed, waiting at most 3 s for the answer, and, when the answer is not
// a 2xx or does not come in time, again with X-Slack-Retry-Num 1 to 3
// after the waits in retries. An event answered 2xx is acknowledged:
// Slack never sends it again, so the bot must not lose it.
type slackEvents struct {
	// target returns the bot's base URL for an attempt (0 is the first
	// delivery), so deliveries can be spread over replicas.
	target  func(attempt int) string
	secret  string
	team    string
	bot     string
	client  *http.Client
	retries [3]time.Duration
	runID   string
	// answered, when set, is called after each attempt with its status:
	// a hook for acting at a precise point of a burst.
	answered func(d *eventDelivery, code int)

	seq atomic.Int64
	mu  sync.Mutex
	all []*eventDelivery
}

// eventDelivery is one event and what became of it.
type eventDelivery struct {
	ID, User, Text string

	mu       sync.Mutex
	statuses []int // per attempt: the HTTP status, or 0 without an answer in time
	acked    bool
	answer   string        // a slash command's immediate answer, if any
	done     chan struct{} // closed once acknowledged or given up
}

// Acked reports whether the bot answered 2xx to an attempt.
func (d *eventDelivery) Acked() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.acked
}

// Answer returns the text of a slash command's immediate answer: what the
// bot said in its acknowledgement, "" for an empty one.
func (d *eventDelivery) Answer() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.answer
}

// Answered reports whether the first attempt has its outcome.
func (d *eventDelivery) Answered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.statuses) > 0
}

// Statuses returns what each attempt was answered.
func (d *eventDelivery) Statuses() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]int(nil), d.statuses...)
}

// Wait waits until the event is acknowledged or Slack gave up on it, and
// reports whether it was acknowledged.
func (d *eventDelivery) Wait(ctx context.Context) bool {
	select {
	case <-d.done:
	case <-ctx.Done():
	}
	return d.Acked()
}

func newSlackEvents(ws *sandbox.Workspace, retries [3]time.Duration, target func(attempt int) string) *slackEvents {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &slackEvents{
		target:  target,
		secret:  ws.Secret(),
		team:    ws.TeamID(),
		bot:     ws.BotUserID(),
		client:  &http.Client{Timeout: slackAck, Transport: tr},
		retries: retries,
		runID:   strings.ToUpper(strconv.FormatInt(time.Now().UnixNano()%1e9, 36)),
	}
}

// dm delivers a direct message from user to the bot, retrying as Slack
// does, and returns once it is acknowledged or given up.
func (s *slackEvents) dm(ctx context.Context, user, text string) *eventDelivery {
	d := s.start(ctx, user, text)
	d.Wait(ctx)
	return d
}

// start delivers a direct message in the background.
func (s *slackEvents) start(ctx context.Context, user, text string) *eventDelivery {
	n := s.seq.Add(1)
	d := &eventDelivery{ID: fmt.Sprintf("Ev%s%08d", s.runID, n), User: user, Text: text, done: make(chan struct{})}
	s.mu.Lock()
	s.all = append(s.all, d)
	s.mu.Unlock()
	now := time.Now()
	ts := fmt.Sprintf("%d.%06d", now.Unix(), n%1_000_000)
	body, _ := json.Marshal(map[string]any{
		"token": "unused", "team_id": s.team, "context_team_id": s.team, "api_app_id": "A00LP",
		"type": "event_callback", "event_id": d.ID, "event_time": now.Unix(),
		"authorizations": []any{map[string]any{"team_id": s.team, "user_id": s.bot, "is_bot": true}},
		"event": map[string]any{
			"type": "message", "channel_type": "im", "user": user, "channel": "D" + user[1:],
			"text": text, "ts": ts, "event_ts": ts, "team": s.team,
			"client_msg_id": d.ID,
		},
	})
	go func() {
		defer close(d.done)
		last := 0
		for attempt := 0; attempt <= len(s.retries); attempt++ {
			if attempt > 0 {
				t := time.NewTimer(s.retries[attempt-1])
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			code, _ := s.post(ctx, "/slack/events", "application/json", body, attempt, last)
			last = code
			d.mu.Lock()
			d.statuses = append(d.statuses, code)
			d.acked = code/100 == 2
			d.mu.Unlock()
			if s.answered != nil {
				s.answered(d, code)
			}
			if code/100 == 2 || ctx.Err() != nil {
				return
			}
		}
	}()
	return d
}

// command runs the slash command "/contract text" as user in their DM
// with the bot. Slack does not retry a command: there is one attempt,
// acknowledged or not, and the person sees when it failed.
func (s *slackEvents) command(ctx context.Context, user, text string) *eventDelivery {
	n := s.seq.Add(1)
	d := &eventDelivery{ID: fmt.Sprintf("Cmd%s%08d", s.runID, n), User: user, Text: "/contract " + text, done: make(chan struct{})}
	s.mu.Lock()
	s.all = append(s.all, d)
	s.mu.Unlock()
	body := url.Values{
		"token": {"unused"}, "team_id": {s.team}, "team_domain": {"learnpact-sandbox"},
		"channel_id": {"D" + user[1:]}, "channel_name": {"directmessage"},
		"user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {"/contract"}, "text": {text}, "api_app_id": {"A00LP"},
		"is_enterprise_install": {"false"},
		"response_url":          {"https://hooks.slack.invalid/commands/" + d.ID},
		"trigger_id":            {fmt.Sprintf("%d.%d.%s", time.Now().Unix(), n, d.ID)},
	}.Encode()
	code, answer := s.post(ctx, "/slack/commands", "application/x-www-form-urlencoded", []byte(body), 0, 0)
	var js struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	d.mu.Lock()
	d.statuses = append(d.statuses, code)
	d.acked = code/100 == 2
	if d.acked && json.Unmarshal(answer, &js) == nil && (js.Text != "" || len(js.Blocks) > 0) {
		d.answer = cmp.Or(js.Text, string(js.Blocks))
	}
	d.mu.Unlock()
	close(d.done)
	return d
}

// post makes one attempt and returns its status and answer, or 0 when no
// answer came within Slack's 3 s.
func (s *slackEvents) post(ctx context.Context, path, contentType string, body []byte, attempt, last int) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.target(attempt), "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(s.secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	if attempt > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(attempt))
		reason := "http_error"
		if last == 0 {
			reason = "http_timeout"
		}
		req.Header.Set("X-Slack-Retry-Reason", reason)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil
	}
	return resp.StatusCode, answer
}

// deliveries returns every event delivered so far.
func (s *slackEvents) deliveries() []*eventDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*eventDelivery(nil), s.all...)
}

// tallyDeliveries counts events acknowledged, given up, and still being
// delivered.
func tallyDeliveries(ds []*eventDelivery) (acked, gaveUp, open int) {
	for _, d := range ds {
		select {
		case <-d.done:
			if d.Acked() {
				acked++
			} else {
				gaveUp++
			}
		default:
			open++
		}
	}
	return acked, gaveUp, open
}

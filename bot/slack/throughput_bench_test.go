package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/scheduler"
	redisstore "github.com/learnpact/learnpact/storage/redis"
	"github.com/learnpact/learnpact/storage/redis/redistest"
)

// BenchmarkDMThroughput measures how many DM turns a second learnpact
// takes, against a minimal bot on the same machine, the same redis-server
// and the same fake Web API, in the same run. A turn is a signed event
// posted to the bot's HTTP handler, done when its reply reaches the fake
// chat.postMessage; each of many learners posts its next step once the
// reply to the last one has arrived.
//
//   - bot=learnpact is the adapter as New builds it, in HTTP mode, with no
//     workspace budget (SLACK_MESSAGES_PER_MINUTE=0, NoBudget), its outbox
//     on Redis drained by RunOutbox, and the engine as the server builds
//     it (learning sets, planner). The learners keep a contract draft's
//     dialog going: they answer the activities step, then go back to it.
//   - bot=minimal does the least any bot can: it verifies the signature,
//     dedupes the event id (SET NX EX), loads and saves a small JSON
//     session (GET, SET) and calls chat.postMessage once, with the same
//     client library, before it answers.
//   - both runs the two back to back (minimal, learnpact, learnpact,
//     minimal, half the turns each time, so a change of load on the machine
//     weighs on both) and reports the ratio learnpact/minimal.
//
// Each reports turns/s and Redis round trips per turn (one per command
// sent alone, one per pipeline or script), learnpact's delivery included.
//
// The adapter's clock runs throughputClockSpeed times faster than the
// wall clock. The outbox keeps Slack's rate of about one message a second
// per channel, with or without a workspace budget, and a learner here
// types far faster than any person: on the wall clock the crowd would take
// one turn a second per learner, whatever the bot's cost. Everything else
// the adapter times (leases, caches, Retry-After) is scaled alike.
func BenchmarkDMThroughput(b *testing.B) {
	env := newThroughputEnv(b, throughputLearners)
	b.Run("bot=minimal", func(b *testing.B) {
		r := env.minimal.run(b, b.N)
		b.ReportMetric(r.turnsPerSecond(), "turns/s")
		b.ReportMetric(r.tripsPerTurn(), "roundtrips/turn")
	})
	b.Run("bot=learnpact", func(b *testing.B) {
		r := env.learnpact.run(b, b.N)
		b.ReportMetric(r.turnsPerSecond(), "turns/s")
		b.ReportMetric(r.tripsPerTurn(), "roundtrips/turn")
	})
	b.Run("both", func(b *testing.B) {
		half := b.N / 2
		var m, l runResult
		m.add(env.minimal.run(b, half))
		l.add(env.learnpact.run(b, half))
		l.add(env.learnpact.run(b, b.N-half))
		m.add(env.minimal.run(b, b.N-half))
		b.ReportMetric(l.turnsPerSecond(), "learnpact-turns/s")
		b.ReportMetric(m.turnsPerSecond(), "minimal-turns/s")
		b.ReportMetric(l.turnsPerSecond()/m.turnsPerSecond(), "learnpact/minimal")
		b.ReportMetric(l.tripsPerTurn(), "learnpact-roundtrips/turn")
		b.ReportMetric(m.tripsPerTurn(), "minimal-roundtrips/turn")
	})
}

const (
	// throughputLearners is how many learners talk at once.
	throughputLearners = 200
	// throughputClockSpeed is how much faster than the wall clock the
	// adapter's clock runs: a conversation may take 50 messages a second.
	throughputClockSpeed = 50
	// replyWait bounds the wait for one turn's reply: past it, the reply
	// is taken as lost.
	replyWait = 30 * time.Second
)

// learnpactWarmUp takes a learner from a new contract to the activities
// step; learnpactLoop then answers it and goes back to it, turn after
// turn. Each step is answered with one message.
var (
	learnpactWarmUp = []string{"new", "Running design reviews", "Run three design reviews using a checklist the team adopts", "skip", "edit activities"}
	learnpactLoop   = []string{"Shadow Ana's reviews; read the handbook", "edit activities"}
)

// throughputEnv is one redis-server and one fake Web API, with both bots
// on them.
type throughputEnv struct {
	learnpact, minimal *crowd
}

func newThroughputEnv(b *testing.B, learners int) *throughputEnv {
	b.Helper()
	srv := redistest.Start(b)
	api := newReplyAPI(b)
	// The learners are Slack: it keeps connections open to the bot.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * learners}}
	b.Cleanup(client.CloseIdleConnections)

	lp := newCrowd("L", learners, api, client, learnpactLoop)
	lp.url, lp.trips = startLearnpact(b, srv.URL(), api)
	mb := newCrowd("M", learners, api, client, []string{"I read the handbook", "I shadowed a review"})
	mb.url, mb.trips = startMinimal(b, srv.URL(), api)

	// Before timing: each learnpact learner starts a contract and reaches
	// the step the loop keeps answering; each minimal one has a session.
	// Connections, time zones and DM channels are known by then.
	for _, text := range learnpactWarmUp {
		lp.all(b, func(l *learner) error { return lp.turn(l, text) })
	}
	lp.all(b, func(l *learner) error { return lp.turn(l, lp.next(l)) })
	mb.all(b, func(l *learner) error { return mb.turn(l, mb.next(l)) })
	if got, want := api.posts.Load(), int64(len(learnpactWarmUp)+2)*int64(learners); got != want {
		b.Fatalf("warm-up: %d messages posted for %d turns", got, want)
	}
	api.posts.Store(0)
	return &throughputEnv{learnpact: lp, minimal: mb}
}

// startLearnpact starts the adapter as the server does, with no workspace
// budget and its outbox on the redis-server at url, and returns its base
// URL and a count of its Redis round trips.
func startLearnpact(b *testing.B, url string, api *replyAPI) (string, *roundTrips) {
	b.Helper()
	s, err := redisstore.Open(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	trips := &roundTrips{}
	s.Client().AddHook(trips)
	st := s.Stores()
	planner := scheduler.NewPlanner(scheduler.PlannerConfig{})
	engine := newEngine(bot.Config{Store: st.Turns, Docs: st.Docs, Planner: planner, Log: discardLog()})
	a, err := New(Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.Base(),
		Outbox: st.Outbox("slack"), MessagesPerMinute: NoBudget, Now: fastClock(throughputClockSpeed),
	}, engine, discardLog())
	if err != nil {
		b.Fatal(err)
	}
	delivering := make(chan error, 1)
	go func() { delivering <- a.RunOutbox(context.Background()) }()
	h := httptest.NewServer(a.Handler())
	b.Cleanup(func() {
		h.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			b.Errorf("shutdown: %v", err)
		}
		if err := <-delivering; err != nil {
			b.Errorf("outbox: %v", err)
		}
	})
	return h.URL, trips
}

// fastClock is a clock that runs speed times faster than the wall clock,
// from now on.
func fastClock(speed int) func() time.Time {
	start := time.Now()
	return func() time.Time { return start.Add(time.Since(start) * time.Duration(speed)) }
}

// startMinimal starts the minimal bot on the redis-server at url and
// returns its base URL and a count of its Redis round trips.
func startMinimal(b *testing.B, url string, api *replyAPI) (string, *roundTrips) {
	b.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	b.Cleanup(func() { rdb.Close() })
	trips := &roundTrips{}
	rdb.AddHook(trips)
	// It keeps its connections to Slack open, as a bot that does the
	// least would.
	web := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * throughputLearners}}
	b.Cleanup(web.CloseIdleConnections)
	m := &minimalBot{
		secret: testSecret,
		rdb:    rdb,
		api:    slackapi.New("xoxb-test", slackapi.OptionAPIURL(api.Base()+"/"), slackapi.OptionHTTPClient(web)),
	}
	h := httptest.NewServer(m)
	b.Cleanup(h.Close)
	return h.URL, trips
}

// minimalBot is the least any bot can do for a DM turn: verify, dedupe,
// load, save, reply.
type minimalBot struct {
	secret string
	rdb    *redis.Client
	api    *slackapi.Client
}

// minimalSession is the minimal bot's state of one person.
type minimalSession struct {
	Step int    `json:"step"`
	Last string `json:"last"`
}

func (m *minimalBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sv, err := slackapi.NewSecretsVerifier(r.Header, m.secret)
	if err != nil {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	sv.Write(body)
	if err := sv.Ensure(); err != nil {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var ec struct {
		TeamID  string `json:"team_id"`
		EventID string `json:"event_id"`
		Event   struct {
			User    string `json:"user"`
			Channel string `json:"channel"`
			Text    string `json:"text"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &ec); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	fresh, err := m.rdb.SetNX(ctx, "min:event:"+ec.EventID, 1, time.Hour).Result()
	switch {
	case err != nil:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case !fresh:
		w.WriteHeader(http.StatusOK)
		return
	}
	key := "min:session:" + ec.TeamID + "/" + ec.Event.User
	var s minimalSession
	raw, err := m.rdb.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
	case err != nil:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	default:
		if err := json.Unmarshal(raw, &s); err != nil {
			http.Error(w, "bad session", http.StatusInternalServerError)
			return
		}
	}
	s.Step++
	s.Last = ec.Event.Text
	raw, _ = json.Marshal(s)
	if err := m.rdb.Set(ctx, key, raw, 0).Err(); err != nil {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if _, _, err := m.api.PostMessageContext(ctx, ec.Event.Channel, slackapi.MsgOptionText(fmt.Sprintf("Step %d noted.", s.Step), false)); err != nil {
		http.Error(w, "cannot reply", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// replyAPI is a lean Slack Web API that tells each learner when a message
// is posted to their DM channel. It keeps no record of the calls (the
// benchmark makes too many): fakeAPI is for tests that read them.
type replyAPI struct {
	*httptest.Server
	posts atomic.Int64
	// inboxes are the learners' DM channels; they are all added before
	// the first turn, and read only after.
	inboxes map[string]chan struct{}
}

func newReplyAPI(tb testing.TB) *replyAPI {
	f := &replyAPI{inboxes: map[string]chan struct{}{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

// Base is the Web API base URL.
func (f *replyAPI) Base() string { return f.URL + "/api" }

func (f *replyAPI) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/api/") {
	case "auth.test":
		fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"BBOT"}`)
	case "conversations.open":
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, r.PostForm.Get("users"))
	case "chat.postMessage":
		channel := r.PostForm.Get("channel")
		f.posts.Add(1)
		if in := f.inboxes[channel]; in != nil {
			select {
			case in <- struct{}{}:
			default: // the learner was sent more than it reads: it counts
			}
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000100"}`, channel)
	case "users.info":
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"tz":"Europe/Berlin"}}`, r.PostForm.Get("user"))
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

// crowd is the learners of one bot.
type crowd struct {
	url      string // the bot's base URL
	trips    *roundTrips
	api      *replyAPI
	client   *http.Client
	loop     []string
	learners []*learner
	events   atomic.Int64
}

// learner is one person talking to a bot, one turn at a time.
type learner struct {
	user  string
	inbox chan struct{}
	pos   int // in the crowd's loop
	timer *time.Timer
}

func newCrowd(tag string, n int, api *replyAPI, client *http.Client, loop []string) *crowd {
	c := &crowd{api: api, client: client, loop: loop}
	for i := range n {
		l := &learner{user: fmt.Sprintf("U%s%d", tag, i), inbox: make(chan struct{}, 16), timer: time.NewTimer(time.Hour)}
		l.timer.Stop()
		api.inboxes["D"+l.user] = l.inbox
		c.learners = append(c.learners, l)
	}
	return c
}

// next is the learner's next step in the loop.
func (c *crowd) next(l *learner) string {
	text := c.loop[l.pos]
	l.pos = (l.pos + 1) % len(c.loop)
	return text
}

// turn posts text from l as a signed DM event and waits for the reply.
func (c *crowd) turn(l *learner, text string) error {
	body := []byte(dmEvent(fmt.Sprintf("Ev%d", c.events.Add(1)), l.user, text))
	req, err := http.NewRequest(http.MethodPost, c.url+"/slack/events", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sign(req.Header, body, time.Now(), testSecret)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%q from %s: status %d", text, l.user, resp.StatusCode)
	}
	l.timer.Reset(replyWait)
	defer l.timer.Stop()
	select {
	case <-l.inbox:
		return nil
	case <-l.timer.C:
		return fmt.Errorf("%q from %s: no reply in %s", text, l.user, replyWait)
	}
}

// all runs f for every learner at once and fails b if any fails.
func (c *crowd) all(b *testing.B, f func(*learner) error) {
	b.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, l := range c.learners {
		wg.Go(func() {
			if err := f(l); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
}

// runResult is how many turns took how long, with how many Redis round
// trips.
type runResult struct {
	turns   int
	elapsed time.Duration
	trips   int64
}

func (r *runResult) add(o runResult) {
	r.turns += o.turns
	r.elapsed += o.elapsed
	r.trips += o.trips
}

func (r runResult) turnsPerSecond() float64 { return float64(r.turns) / r.elapsed.Seconds() }
func (r runResult) tripsPerTurn() float64   { return float64(r.trips) / float64(r.turns) }

// run takes n turns, shared among the learners, each taking its next step
// once the reply to its last has arrived, and times them on b.
func (c *crowd) run(b *testing.B, n int) runResult {
	b.Helper()
	if n <= 0 {
		return runResult{}
	}
	var left atomic.Int64
	left.Store(int64(n))
	posts := c.api.posts.Load()
	trips := c.trips.n.Load()
	b.StartTimer()
	start := time.Now()
	c.all(b, func(l *learner) error {
		for left.Add(-1) >= 0 {
			if err := c.turn(l, c.next(l)); err != nil {
				return err
			}
		}
		return nil
	})
	r := runResult{turns: n, elapsed: time.Since(start), trips: c.trips.n.Load() - trips}
	b.StopTimer()
	if got := c.api.posts.Load() - posts; got != int64(n) {
		b.Fatalf("%d messages posted for %d turns", got, n)
	}
	return r
}

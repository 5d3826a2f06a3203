package slack

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/outbox"
	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// simAPI is the Web API answering at once, on a simulated clock: it
// records each chat.postMessage with the clock's time, so what is
// measured is the outbox's scheduling, not the network. Posts are taken
// in the order the calls arrive, as Slack takes them, not in the order
// the goroutines making them next get hold of a lock.
type simAPI struct {
	slackAPI // the calls the outbox does not make
	clock    *sandbox.Clock
	arrived  atomic.Int64

	mu    sync.Mutex
	posts []simPost // by seq
}

// simPost is a chat.postMessage Slack took.
type simPost struct {
	seq     int64 // the order it arrived in
	at      time.Time
	channel string
	text    string
}

func (f *simAPI) PostMessageContext(_ context.Context, channel string, options ...slackapi.MsgOption) (string, string, error) {
	p := simPost{seq: f.arrived.Add(1), at: f.clock.Now(), channel: channel}
	_, form, err := slackapi.UnsafeApplyMsgOptions("xoxb-sim", channel, "", options...)
	if err != nil {
		return "", "", err
	}
	p.text = form.Get("text")
	f.mu.Lock()
	defer f.mu.Unlock()
	i, _ := slices.BinarySearchFunc(f.posts, p.seq, func(q simPost, seq int64) int { return cmp.Compare(q.seq, seq) })
	f.posts = slices.Insert(f.posts, i, p)
	return channel, fmt.Sprint(p.seq), nil
}

// AuthTestContext answers the identity the adapter learns when it starts.
func (f *simAPI) AuthTestContext(context.Context) (*slackapi.AuthTestResponse, error) {
	return &slackapi.AuthTestResponse{UserID: "UBOT", TeamID: "T1"}, nil
}

func (f *simAPI) UpdateMessageContext(_ context.Context, channel, ts string, _ ...slackapi.MsgOption) (string, string, string, error) {
	return channel, ts, "", nil
}

func (f *simAPI) OpenConversationContext(_ context.Context, p *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error) {
	ch := &slackapi.Channel{}
	ch.ID = "D" + p.Users[0]
	return ch, false, false, nil
}

// sent returns the posts Slack took so far.
func (f *simAPI) sent() []simPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.posts)
}

// sim is an adapter whose outbox delivers to a simAPI on a simulated
// clock, driven the way RunOutbox drives it: claiming when something was
// queued or comes back, and otherwise only sending what may go.
type sim struct {
	a      *Adapter
	clock  *sandbox.Clock
	api    *simAPI
	store  storage.DueStore
	queued bool // since the last claim: the next step claims
}

func newSim(tb testing.TB, perMinute int) *sim {
	tb.Helper()
	return newSimOn(tb, memory.New().Outbox("slack"), sandbox.NewClock(outboxStart), perMinute)
}

// newSimOn is a sim on store and clock, shared with other processes.
func newSimOn(tb testing.TB, store storage.DueStore, clock *sandbox.Clock, perMinute int) *sim {
	tb.Helper()
	api := &simAPI{clock: clock}
	a, err := newAdapter(Config{BotToken: "xoxb-sim", SigningSecret: testSecret, Outbox: store, Now: clock.Now, MessagesPerMinute: perMinute},
		newEngine(bot.Config{Store: memory.New()}), discardLog(), defaultLimits, func(a *Adapter) { a.api = api })
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Shutdown(context.Background()) })
	return &sim{a: a, clock: clock, api: api, store: store, queued: true} // RunOutbox claims first
}

// post queues a message marked marker to channel in lane.
func (s *sim) post(tb testing.TB, lane bot.Lane, channel, marker string) {
	tb.Helper()
	if _, err := s.a.Post(bot.WithLane(tb.Context(), lane), channel, withMarker(marker)); err != nil {
		tb.Fatalf("queue %s: %v", marker, err)
	}
	s.queued = true
}

// step delivers what may go now, claiming first when something was
// queued or comes back, and returns how many went.
func (s *sim) step(tb testing.TB) int {
	tb.Helper()
	o := s.a.out
	claim := s.queued || o.ClaimDue(s.clock.Now())
	s.queued = false
	n, err := o.Step(tb.Context(), claim)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// run steps and moves the clock to the next time something may go,
// until done reports true (checked after each step) or nothing is left.
func (s *sim) run(tb testing.TB, done func() bool) {
	tb.Helper()
	for steps := 0; ; steps++ {
		if steps > 1_000_000 {
			tb.Fatal("the outbox did not settle")
		}
		s.step(tb)
		if done != nil && done() {
			return
		}
		next, due := s.a.out.NextPending(s.clock.Now())
		if due {
			tb.Fatalf("step %d left messages due", steps)
		}
		if next.IsZero() {
			return
		}
		s.clock.Set(next)
	}
}

// slot is the default budget's interval between two chat.postMessage
// calls.
var slot = methodRates[methodPost].every

// nudgeBacklog queues n nudges, each to a learner's DM channel of its
// own, then the nudges of more, and delivers until sent messages have
// gone.
func (s *sim) nudgeBacklog(tb testing.TB, n, sent int, more ...[2]string) {
	tb.Helper()
	for i := range n {
		s.post(tb, bot.LaneNudge, fmt.Sprintf("DN%05d", i), fmt.Sprintf("nudge %05d", i))
	}
	for _, m := range more {
		s.post(tb, bot.LaneNudge, m[0], m[1])
	}
	s.run(tb, func() bool { return len(s.api.sent()) >= sent })
}

// replyBehind queues a reply just after a nudge took a slot, and
// delivers until it goes. It returns how long it waited, and how many
// messages went before it.
func (s *sim) replyBehind(tb testing.TB, marker string) (wait time.Duration, ahead int) {
	tb.Helper()
	before := len(s.api.sent())
	s.clock.Advance(time.Millisecond)
	queued := s.clock.Now()
	s.post(tb, bot.LaneReply, "DREPLY", marker)
	ahead = -1
	s.run(tb, func() bool {
		for i, p := range s.api.sent()[before:] {
			if p.text == marker {
				wait, ahead = p.at.Sub(queued), i
				return true
			}
		}
		return false
	})
	if ahead < 0 {
		tb.Fatal("the reply was never sent")
	}
	return wait, ahead
}

// TestRepliesFirst: with 10,000 nudges queued, a reply is the next
// chat.postMessage, within one slot of the workspace budget; a
// conversation's messages keep their queue order whatever their lane,
// and its nudges queued before a reply go with the reply.
func TestRepliesFirst(t *testing.T) {
	const backlog = 10_000
	s := newSim(t, 0)
	// X is a learner whose check-in is at the end of the backlog.
	s.nudgeBacklog(t, backlog, 500, [2]string{"DX", "x-nudge-1"})

	before := len(s.api.sent())
	if before >= backlog/2 {
		t.Fatalf("%d nudges went before the reply was queued: no backlog left", before)
	}
	s.clock.Advance(time.Millisecond) // just after a nudge took its slot
	queued := s.clock.Now()
	s.post(t, bot.LaneReply, "DREPLY", "reply")
	s.post(t, bot.LaneReply, "DX", "x-reply")
	s.post(t, bot.LaneNudge, "DX", "x-nudge-2")
	s.run(t, func() bool { return len(s.api.sent()) >= before+3 })

	next := s.api.sent()[before:]
	if next[0].text != "reply" {
		t.Errorf("the next chat.postMessage after the reply was queued was %s", next[0].text)
	} else if wait := next[0].at.Sub(queued); wait > slot {
		t.Errorf("the reply went %s after it was queued, more than one slot (%s)", wait, slot)
	}
	// X's nudge was queued before X's reply: it goes first, with it.
	if got := []string{next[1].text, next[2].text}; !slices.Equal(got, []string{"x-nudge-1", "x-reply"}) {
		t.Errorf("after the reply, Slack got %q; want X's nudge, then X's reply", got)
	}
	if wait := next[2].at.Sub(queued); wait > 3*slot {
		t.Errorf("X's reply went %s after it was queued, more than three slots", wait)
	}

	s.run(t, nil)
	posts := s.api.sent()
	if len(posts) != backlog+4 {
		t.Errorf("%d messages sent, want %d", len(posts), backlog+4)
	}
	var x []string
	seen := map[string]int{}
	for _, p := range posts {
		seen[p.text]++
		if p.channel == "DX" {
			x = append(x, p.text)
		}
	}
	if want := []string{"x-nudge-1", "x-reply", "x-nudge-2"}; !slices.Equal(x, want) {
		t.Errorf("X got %q, want %q", x, want)
	}
	for text, n := range seen {
		if n != 1 {
			t.Errorf("%s sent %d times", text, n)
		}
	}
	checkEmpty(t, s.store)
	// Within the workspace budget: a token bucket of its rate and burst
	// takes every call when it was made.
	r, bucket := methodRates[methodPost], cell{rate: methodRates[methodPost]}
	for i, p := range posts {
		if bucket.ready(p.at).After(p.at) {
			t.Fatalf("call %d at +%s went over the workspace budget of one every %s, bursts of %d", i, p.at.Sub(outboxStart), r.every, r.burst)
		}
		bucket.take(p.at)
	}
	t.Logf("%d messages in %s of clock time", len(posts), s.clock.Now().Sub(outboxStart))
}

// TestRepliesFirstAcrossProcesses: with one process holding a backlog of
// nudges, another process sends a reply at once; when the first stops,
// it gives the backlog back, and the next process to claim the store
// gets the reply queued meanwhile before any of the nudges; nothing is
// lost or sent twice.
func TestRepliesFirstAcrossProcesses(t *testing.T) {
	const backlog = 1_000
	for name, stores := range outboxStores {
		t.Run(name, func(t *testing.T) {
			open, closeStore := stores(t)
			store := open()
			clock := sandbox.NewClock(outboxStart)
			a := newSimOn(t, store, clock, 0)
			a.nudgeBacklog(t, backlog, 1)
			if n := len(a.api.sent()); n != methodRates[methodPost].burst {
				t.Fatalf("the first process sent %d nudges at once, want the budget's burst", n)
			}

			b := newSimOn(t, store, clock, 0)
			b.post(t, bot.LaneReply, "DB", "b-reply")
			if n := b.step(t); n != 1 || b.api.sent()[0].text != "b-reply" {
				t.Fatalf("the second process sent %d: %v; want its reply at once", n, b.api.sent())
			}

			clock.Advance(time.Second) // ten more nudges
			a.step(t)
			if err := a.a.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}
			sentByA := len(a.api.sent())
			b.post(t, bot.LaneReply, "DB", "b-reply-2")
			b.queued = false // queued, but not claimed by b
			closeStore()

			store = open()
			c := newSimOn(t, store, clock, 0)
			// One call at a time, so that the order Slack takes the
			// messages in is the order the outbox sends them in, not
			// the order concurrent calls happen to reach it.
			retune(t, c.a, func(c *outbox.Config) { c.Senders = 1 })
			claims, err := store.Claim(t.Context(), clock.Now(), 1, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if len(claims) != 1 || !strings.Contains(string(claims[0].Item.Data), "b-reply-2") {
				t.Fatalf("the first claim after the restart took %d items, the first %s; want the reply", len(claims), claims[0].Item.Data)
			}
			clock.Advance(time.Millisecond) // the lease runs out
			c.run(t, nil)
			sent := c.api.sent()
			i := slices.IndexFunc(sent, func(p simPost) bool { return p.text == "b-reply-2" })
			if i != 0 {
				t.Errorf("the next process sent the reply as its message %d, want it first", i)
			}
			seen := map[string]int{}
			for _, s := range []*sim{a, b, c} {
				for _, p := range s.api.sent() {
					seen[p.text]++
				}
			}
			if len(seen) != backlog+2 {
				t.Errorf("%d messages sent, want %d", len(seen), backlog+2)
			}
			for text, n := range seen {
				if n != 1 {
					t.Errorf("%s sent %d times", text, n)
				}
			}
			checkEmpty(t, store)
			t.Logf("the first process sent %d nudges, the next %d", sentByA, len(c.api.sent())-1)
		})
	}
}

// BenchmarkReplyBehindNudges: the delay of a reply queued when 10,000
// nudges wait (500 sent already, so the budget's burst is spent), just
// after a nudge took its slot, the worst moment. sim-ms/reply and
// slots/reply are simulated time from queue to chat.postMessage, in
// milliseconds and in slots of the default budget; sent-ahead/reply is
// how many messages went between. ns/op is the cost of the simulation.
func BenchmarkReplyBehindNudges(b *testing.B) {
	var wait time.Duration
	var ahead int
	for range b.N {
		s := newSim(b, 0)
		s.nudgeBacklog(b, 10_000, 500)
		w, n := s.replyBehind(b, "reply")
		wait += w
		ahead += n
	}
	b.ReportMetric(float64(wait)/float64(time.Millisecond)/float64(b.N), "sim-ms/reply")
	b.ReportMetric(float64(wait)/float64(slot)/float64(b.N), "slots/reply")
	b.ReportMetric(float64(ahead)/float64(b.N), "sent-ahead/reply")
}

// BenchmarkReplyLatency500: 500 learners each send the bot one message at
// once, and each gets one reply, under the default budget; the p50, p99
// and worst simulated time from queue to chat.postMessage. In "alone"
// and "behind-10000-nudges" the replies go to the DM channels the
// learners wrote in (as the engine answers a DM); in "dm-by-user-cold"
// they are sent to the learners by user id with no DM channel known yet,
// so each first needs conversations.open (Tier 3). ns/op is the cost of
// the simulation.
func BenchmarkReplyLatency500(b *testing.B) {
	const learners = 500
	for _, bc := range []struct {
		name   string
		nudges int
		byUser bool
	}{{"alone", 0, false}, {"behind-10000-nudges", 10_000, false}, {"dm-by-user-cold", 0, true}} {
		b.Run(bc.name, func(b *testing.B) {
			var p50, p99, worst time.Duration
			for range b.N {
				s := newSim(b, 0)
				if bc.nudges > 0 {
					s.nudgeBacklog(b, bc.nudges, 500)
				}
				t0 := s.clock.Now()
				for i := range learners {
					marker := fmt.Sprintf("reply %03d", i)
					if bc.byUser {
						if _, err := s.a.SendDM(bot.WithLane(b.Context(), bot.LaneReply), fmt.Sprintf("UL%03d", i), withMarker(marker)); err != nil {
							b.Fatal(err)
						}
						s.queued = true
						continue
					}
					s.post(b, bot.LaneReply, fmt.Sprintf("DL%03d", i), marker)
				}
				var lat []time.Duration
				s.run(b, func() bool {
					lat = lat[:0]
					for _, p := range s.api.sent() {
						if strings.HasPrefix(p.text, "reply ") {
							lat = append(lat, p.at.Sub(t0))
						}
					}
					return len(lat) == learners
				})
				if len(lat) != learners {
					b.Fatalf("%d replies sent, want %d", len(lat), learners)
				}
				slices.Sort(lat)
				p50 += lat[learners/2-1]
				p99 += lat[learners*99/100-1]
				worst += lat[learners-1]
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
			b.ReportMetric(ms(p50), "p50-sim-ms")
			b.ReportMetric(ms(p99), "p99-sim-ms")
			b.ReportMetric(ms(worst), "max-sim-ms")
		})
	}
}

// TestOutboxBudget: SLACK_MESSAGES_PER_MINUTE paces chat.postMessage
// across channels, with a burst of five seconds' worth; NoBudget leaves
// only each channel's rate.
func TestOutboxBudget(t *testing.T) {
	for _, tc := range []struct {
		name      string
		perMinute int
		want      time.Duration // for 200 messages to 200 channels
	}{
		{"60 a minute", 60, 195 * time.Second},
		{"default", 0, 15 * time.Second},
		{"none", NoBudget, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, tc.perMinute)
			for i := range 200 {
				s.post(t, bot.LaneReply, fmt.Sprintf("C%03d", i), fmt.Sprintf("m%03d", i))
			}
			s.run(t, nil)
			posts := s.api.sent()
			if len(posts) != 200 {
				t.Fatalf("%d sent, want 200", len(posts))
			}
			if took := posts[len(posts)-1].at.Sub(outboxStart); took != tc.want {
				t.Errorf("200 messages took %s, want %s", took, tc.want)
			}
		})
	}
}

// TestLimiterBacksOff: after 429s the workspace budget halves, at most
// once per round of calls, and grows back by a quarter every 15 seconds
// after a quiet minute; a 429 from one channel alone holds that channel
// but does not cut the workspace's budget. With no budget, a 429 sets
// one at half the rate that drew it, which lifts again once it is back
// to that rate.
func TestLimiterBacksOff(t *testing.T) {
	now := outboxStart
	every := func(l *limiter, method string, want time.Duration) {
		t.Helper()
		if got := l.rateOf(method, now).every; got != want {
			t.Errorf("at +%s the %s budget is one call every %s, want %s", now.Sub(outboxStart), method, got, want)
		}
	}
	l := newLimiterFor(DefaultMessagesPerMinute)
	base := methodRates[methodPost].every

	until := l.limited(methodPost, "C1", now, now, 2*time.Second)
	if !until.Equal(now.Add(2*time.Second)) || !l.channelWait(methodPost, "C1", now).Equal(until) {
		t.Errorf("a 429 with Retry-After 2s holds C1 until +%s", l.channelWait(methodPost, "C1", now).Sub(now))
	}
	every(l, methodPost, base) // one channel
	l.limited(methodPost, "C1", now, now, time.Second)
	every(l, methodPost, base) // still one channel
	started := now
	now = now.Add(time.Second)
	l.limited(methodPost, "C2", started, now, time.Second)
	every(l, methodPost, 2*base) // two channels: the workspace
	l.limited(methodPost, "C3", started, now, time.Second)
	every(l, methodPost, 2*base) // a call made before the cut
	l.limited(methodPost, "C4", now, now, time.Second)
	every(l, methodPost, 4*base)
	for range 10 {
		l.limited(methodPost, "C5", now, now, 0)
		l.limited(methodPost, "C6", now, now, 0)
		now = now.Add(time.Millisecond)
	}
	every(l, methodPost, deepestCut*base)
	if got := l.channelWait(methodPost, "C6", now); !got.Equal(now.Add(outbox.MinRateLimitWait - time.Millisecond)) {
		t.Errorf("a 429 without Retry-After holds for %s, want %s", got.Sub(now), outbox.MinRateLimitWait)
	}

	now = now.Add(quietSpell - 2*time.Millisecond) // a minute after the last 429, less a millisecond
	every(l, methodPost, deepestCut*base)
	now = now.Add(time.Millisecond)
	every(l, methodPost, deepestCut*base*4/5)
	now = now.Add(recoveryStep)
	every(l, methodPost, deepestCut*base*4/5*4/5)
	now = now.Add(20 * recoveryStep)
	every(l, methodPost, base)

	// chat.update has no channel limit: each 429 counts.
	l.limited(methodUpdate, "C1", now, now, time.Second)
	every(l, methodUpdate, 2*methodRates[methodUpdate].every)
	if got := l.methodWait(methodUpdate, now); !got.Equal(now.Add(time.Second)) {
		t.Errorf("a 429 on chat.update holds it for %s, want 1s", got.Sub(now))
	}

	// No budget: 120 calls in the last minute draw a 429.
	l = newLimiterFor(NoBudget)
	every(l, methodUpdate, 0)
	for range 120 {
		l.take(methodUpdate, "C1", now)
		now = now.Add(500 * time.Millisecond)
	}
	l.limited(methodUpdate, "C1", now, now, 0)
	cut := l.rateOf(methodUpdate, now).every
	if cut < 950*time.Millisecond || cut > 1050*time.Millisecond {
		t.Errorf("after 120 calls in a minute and a 429, one call every %s, want about 1s", cut)
	}
	now = now.Add(quietSpell + 2*recoveryStep)
	every(l, methodUpdate, cut*4/5*4/5*4/5)
	now = now.Add(recoveryStep)
	every(l, methodUpdate, 0) // back past the rate that drew the 429
}

package e2e

// The fault suite's harness: the real learnpact binary run against the
// fault-injecting Web API (faultapi_test.go) and a store the test can
// read, learners following a scripted dialog whose every step leaves a
// mark in the store, and the checks that nothing acknowledged was lost or
// applied twice and that every reply arrived, in order.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/sandbox"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
	redisstore "github.com/learnpact/learnpact/storage/redis"
)

// faultSize is how big the fault scenarios are: LEARNPACT_FAULTS=small
// (the default, run by make test) or full (make faults).
type faultSize struct {
	name string
	// burst is how many learners answer a step at once when the process
	// is killed.
	burst int
	// outage is how long Redis is down, and outageEvents how many
	// learners write to the bot meanwhile.
	outage       time.Duration
	outageEvents int
	// unwritable is how many learners write while the embedded store
	// cannot be written.
	unwritable int
	// wave is how many new people write while users.info hangs.
	wave int
	// flood is how many events one person sends as fast as the bot takes
	// them.
	flood int
	// learners is how many learners talk while replies fail to go out,
	// or while two replicas share the work; goals is how many goals each
	// writes.
	learners, goals int
	// retries are Slack's waits before its three retries of an event
	// not acknowledged: at once, after a minute and after five minutes,
	// scaled down with the rest of the scenario.
	retries [3]time.Duration
}

func sizeOf(t *testing.T) faultSize {
	t.Helper()
	switch v := os.Getenv("LEARNPACT_FAULTS"); v {
	case "", "small":
		return faultSize{name: "small", burst: 50, outage: 3 * time.Second, outageEvents: 10, unwritable: 15,
			wave: 50, flood: 300, learners: 5, goals: 2, retries: [3]time.Duration{0, 2 * time.Second, 10 * time.Second}}
	case "full":
		return faultSize{name: "full", burst: 1000, outage: 30 * time.Second, outageEvents: 30, unwritable: 100,
			wave: 600, flood: 2000, learners: 20, goals: 3, retries: [3]time.Duration{0, 10 * time.Second, 50 * time.Second}}
	default:
		t.Fatalf("LEARNPACT_FAULTS=%q: want small (the default) or full", v)
		return faultSize{}
	}
}

// skipShort skips a fault scenario under go test -short: each runs the
// binary, or waits out Slack's retries.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault scenario: runs the learnpact binary and waits out Slack's retries")
	}
}

// learnerID is the id of the i-th learner of a fault scenario.
func learnerID(i int) string { return fmt.Sprintf("UL%04d", i) }

// faultPeople returns n learners (and the bot) for a sandbox workspace.
func faultPeople(n int) []sandbox.Person {
	out := make([]sandbox.Person, 0, n)
	for i := range n {
		out = append(out, sandbox.Person{ID: learnerID(i), Name: fmt.Sprintf("learner%d", i),
			RealName: fmt.Sprintf("Learner %d", i), TZ: "Europe/London", Role: "learner"})
	}
	return out
}

// script is learner i's drafting dialog, one step per event: "new", a
// title, then goals, each followed by how its mastery is shown, with
// "add" between them. Every step changes what is stored, and a step lost
// or applied twice sends the following ones into the wrong fields: a
// goal's "shown by" stored as a goal, a goal stored as its own "shown by".
type script int

func (s script) user() string { return learnerID(int(s)) }

func (s script) title() string { return fmt.Sprintf("Design reviews for team %d", s) }

// goal is the text of goal k (from 1).
func (s script) goal(k int) string {
	return fmt.Sprintf("Run %d design reviews for team %d using a checklist the team adopts", k, s)
}

// mastery is how goal k's mastery is shown.
func (s script) mastery(k int) string {
	return fmt.Sprintf("Teammates on team %d use checklist %d without help", s, k)
}

// scriptSteps returns the number of steps that writes n goals with their
// mastery: "new", the title, then goal, mastery, "add" for each goal but
// the last.
func scriptSteps(goals int) int { return 2 + 3*goals - 1 }

// step returns the text of step k (from 0).
func (s script) step(k int) string {
	switch {
	case k == 0:
		return "new"
	case k == 1:
		return s.title()
	}
	g, r := (k-2)/3+1, (k-2)%3
	switch r {
	case 0:
		return s.goal(g)
	case 1:
		return s.mastery(g)
	}
	return "add"
}

// reply returns the label (see replyLabel) of the bot's answer to step k.
func (s script) reply(k int) string {
	switch {
	case k == 0:
		return "ask title"
	case k == 1:
		return "ask goal 1"
	}
	g, r := (k-2)/3+1, (k-2)%3
	switch r {
	case 0:
		return fmt.Sprintf("goal %d saved", g)
	case 1:
		return fmt.Sprintf("goals so far %d", g)
	}
	return fmt.Sprintf("ask goal %d", g+1)
}

// replies returns the labels of the answers to steps [0, n).
func (s script) replies(n int) []string {
	out := make([]string, n)
	for k := range n {
		out[k] = s.reply(k)
	}
	return out
}

// storedDraft is what the store holds of a learner's dialog.
type storedDraft struct {
	state conversation.State
	title string
	goals []contract.Goal
}

func (d storedDraft) String() string {
	var gs []string
	for _, g := range d.goals {
		gs = append(gs, fmt.Sprintf("{%q shown by %q}", g.Text, g.Mastery))
	}
	return fmt.Sprintf("state %q, title %q, goals [%s]", d.state, d.title, strings.Join(gs, ", "))
}

// diff says how d differs from want: where the goals part, rather than
// all of them.
func (d storedDraft) diff(want storedDraft) string {
	var out []string
	if d.state != want.state {
		out = append(out, fmt.Sprintf("state %q, want %q", d.state, want.state))
	}
	if d.title != want.title {
		out = append(out, fmt.Sprintf("title %q, want %q", d.title, want.title))
	}
	for i := range max(len(d.goals), len(want.goals)) {
		var g, w contract.Goal
		if i < len(d.goals) {
			g = d.goals[i]
		}
		if i < len(want.goals) {
			w = want.goals[i]
		}
		if g.Text != w.Text || g.Mastery != w.Mastery {
			out = append(out, fmt.Sprintf("%d goals; goal %d is {%q shown by %q}, want {%q shown by %q}",
				len(d.goals), i+1, g.Text, g.Mastery, w.Text, w.Mastery))
			break
		}
	}
	return strings.Join(out, "; ")
}

func (d storedDraft) equal(o storedDraft) bool {
	return d.state == o.state && d.title == o.title && slices.EqualFunc(d.goals, o.goals, func(a, b contract.Goal) bool {
		return a.Text == b.Text && a.Mastery == b.Mastery
	})
}

// after returns the draft once the first n steps are applied.
func (s script) after(n int) storedDraft {
	var d storedDraft
	for k := range n {
		switch {
		case k == 0:
			d.state = conversation.StateTitle
		case k == 1:
			d.title, d.state = s.title(), conversation.StateGoal
		default:
			g, r := (k-2)/3+1, (k-2)%3
			switch r {
			case 0:
				d.goals, d.state = append(d.goals, contract.Goal{Text: s.goal(g)}), conversation.StateMastery
			case 1:
				d.goals[len(d.goals)-1].Mastery, d.state = s.mastery(g), conversation.StateGoals
			default:
				d.state = conversation.StateGoal
			}
		}
	}
	return d
}

// readDraft reads a learner's session and current contract.
func readDraft(ctx context.Context, st storage.Store, team, user string) (storedDraft, error) {
	snap, err := st.Load(ctx, storage.UserKey{Platform: "slack", Team: team, User: user}, "", "")
	if err != nil {
		return storedDraft{}, err
	}
	var d storedDraft
	if snap.Session != nil {
		var s conversation.Session
		if err := json.Unmarshal(snap.Session, &s); err != nil {
			return storedDraft{}, fmt.Errorf("session of %s: %w", user, err)
		}
		d.state = s.State
	}
	if snap.Contract != nil {
		var c contract.Contract
		if err := json.Unmarshal(snap.Contract, &c); err != nil {
			return storedDraft{}, fmt.Errorf("contract of %s: %w", user, err)
		}
		d.title, d.goals = c.Terms.Title, c.Terms.Goals
	}
	return d, nil
}

// reach is how far a learner got: the steps Slack saw acknowledged, in
// order, and whether Slack gave up on the step after them (which the bot
// may or may not have applied).
type reach struct {
	acked  int
	gaveUp bool
}

// checkDrafts waits until the stored draft of every learner is what their
// acknowledged steps make it, and fails t with those that never get
// there: an acknowledged step lost, or one applied twice.
func checkDrafts(ctx context.Context, t *testing.T, st storage.Store, team string, got map[script]reach, within time.Duration) {
	t.Helper()
	var bad []string
	err := pollUntil(ctx, within, func() bool {
		bad = bad[:0]
		for s, p := range got {
			d, err := readDraft(ctx, st, team, s.user())
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", s.user(), err))
				continue
			}
			if d.equal(s.after(p.acked)) || p.gaveUp && d.equal(s.after(p.acked+1)) {
				continue
			}
			bad = append(bad, fmt.Sprintf("%s (%d steps acknowledged): %s", s.user(), p.acked, d.diff(s.after(p.acked))))
		}
		return len(bad) == 0
	})
	if err != nil {
		slices.Sort(bad)
		t.Errorf("%d of %d learners' stored drafts do not hold each acknowledged step exactly once (a step lost sends the next answers into the wrong fields):\n  %s",
			len(bad), len(got), strings.Join(bad[:min(len(bad), 8)], "\n  "))
	}
}

// pollUntil polls cond every few milliseconds until it holds, for at most
// within: the bot runs in another process, with no hook to wait on.
func pollUntil(ctx context.Context, within time.Duration, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// forEachLearner runs f for each learner 0 ≤ i < n, at most width at a time.
func forEachLearner(n, width int, f func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, width)
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			f(i)
		})
	}
	wg.Wait()
}

// faultEnv is one scenario's world: a sandbox workspace of learners
// behind the fault-injecting Web API, Slack delivering their events to
// one or more learnpact processes, and the store they share.
type faultEnv struct {
	t     *testing.T
	ctx   context.Context
	size  faultSize
	ws    *sandbox.Workspace
	api   *faultAPI
	slack *slackEvents
	bin   string
	// store is what the processes keep, opened by the test.
	store storage.Stores
	// env configures every process: the store, working hours.
	env  []string
	bots []*botProc

	mu   sync.Mutex
	next int // round robin over bots
}

// newFaultEnv builds a workspace of n learners and the learnpact binary.
// storeEnv names the store (REDIS_URL=… or LEARNPACT_DATA=…).
func newFaultEnv(t *testing.T, n int, store storage.Stores, storeEnv ...string) *faultEnv {
	t.Helper()
	e := &faultEnv{t: t, ctx: t.Context(), size: sizeOf(t), store: store}
	e.ws = sandbox.New(sandbox.Config{BotToken: "xoxb-faults", People: faultPeople(n), Clock: sandbox.NewWallClock()})
	e.api = newFaultAPI(t, e.ws)
	e.slack = newSlackEvents(e.ws, e.size.retries, e.target)
	e.bin = buildLearnpact(t)
	// The scripts draft blank contracts: an empty template directory
	// offers no templates, so "new" asks for the title at once.
	e.env = append(storeEnv,
		"LEARNPACT_TEMPLATES="+t.TempDir(),
		"SLACK_BOT_TOKEN="+e.ws.Token(),
		"SLACK_SIGNING_SECRET="+e.ws.Secret(),
		"SLACK_API_URL="+e.api.URL(),
		"SLACK_APP_TOKEN=",
		// No self-imposed budget: the fake Web API answers 429 only when
		// told to, and the scenarios are about what is lost, not pace.
		"SLACK_MESSAGES_PER_MINUTE=0",
		"WORK_HOURS=00:00-24:00",
		"WORK_DAYS=mon-sun",
		"LOG_FORMAT=json",
		"LOG_LEVEL=info",
	)
	return e
}

// target spreads deliveries over the running processes, round robin.
func (e *faultEnv) target(int) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.bots) == 0 {
		return "http://127.0.0.1:1" // nobody: the delivery fails
	}
	b := e.bots[e.next%len(e.bots)]
	e.next++
	return b.URL()
}

// startBot starts one more learnpact process and waits until it serves.
func (e *faultEnv) startBot() *botProc {
	e.t.Helper()
	b := &botProc{t: e.t, bin: e.bin, addr: freeAddr(e.t), env: e.env}
	b.start()
	e.mu.Lock()
	e.bots = append(e.bots, b)
	e.mu.Unlock()
	return b
}

// say delivers learner s's step k and waits until Slack is done with it.
func (e *faultEnv) say(s script, k int) *eventDelivery {
	return e.slack.dm(e.ctx, s.user(), s.step(k))
}

// walk takes learners through steps [from, to) of their scripts, a few
// learners at a time, each step once the one before is stored: a dialog
// as people type it, at a pace any bot keeps up with. It is the setup of
// a scenario, and fails t if the bot cannot keep up even so.
func (e *faultEnv) walk(learners []script, from, to int) {
	e.t.Helper()
	var mu sync.Mutex
	var errs []string
	forEachLearner(len(learners), 8, func(i int) {
		s := learners[i]
		for k := from; k < to; k++ {
			if d := e.say(s, k); !d.Acked() {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s step %d %q: answered %v", s.user(), k, s.step(k), d.Statuses()))
				mu.Unlock()
				return
			}
			want := s.after(k + 1)
			var last storedDraft
			err := pollUntil(e.ctx, 20*time.Second, func() bool {
				last, _ = readDraft(e.ctx, e.store.Turns, e.ws.TeamID(), s.user())
				return last.equal(want)
			})
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Sprintf("%s step %d %q: stored %s; want %s", s.user(), k, s.step(k), last, want))
				mu.Unlock()
				return
			}
		}
	})
	if len(errs) > 0 {
		e.t.Fatalf("setup: %d learners could not take their first steps:\n  %s", len(errs), strings.Join(errs[:min(len(errs), 8)], "\n  "))
	}
}

// run sends learner s's steps [from, to), each once Slack is done with the
// one before, and returns how far the learner got: after a step Slack
// gave up on, the learner stops.
func (e *faultEnv) run(s script, from, to int) reach {
	for k := from; k < to; k++ {
		if d := e.say(s, k); !d.Acked() {
			return reach{acked: k, gaveUp: true}
		}
	}
	return reach{acked: to}
}

// scriptsOf returns the scripts of learners [from, to).
func scriptsOf(from, to int) []script {
	var out []script
	for i := from; i < to; i++ {
		out = append(out, script(i))
	}
	return out
}

var (
	goalSavedRE = regexp.MustCompile(`Goal (\d+) saved\.`)
	askGoalRE   = regexp.MustCompile(`What's goal (\d+)\?`)
	goalLineRE  = regexp.MustCompile(`(?m)^\d+\. `)
)

// replyLabel names what a bot message is, for comparing a conversation with
// what it should be; "" for an apology ("try again"), which may come at
// any point when the bot could not take a step.
func replyLabel(m sandbox.Message) string {
	text := textOf(m)
	switch {
	case strings.Contains(text, "try again"):
		return ""
	case strings.Contains(text, "First, a title"):
		return "ask title"
	case strings.Contains(text, "What's your first goal?"):
		return "ask goal 1"
	case strings.HasPrefix(text, "Your goals so far"):
		return fmt.Sprintf("goals so far %d", len(goalLineRE.FindAllString(text, -1)))
	case strings.HasPrefix(text, "Time for a quick check-in"):
		return "check-in"
	case strings.HasPrefix(text, "What you can do here"):
		return "help"
	}
	if sub := goalSavedRE.FindStringSubmatch(text); sub != nil {
		return "goal " + sub[1] + " saved"
	}
	if sub := askGoalRE.FindStringSubmatch(text); sub != nil {
		return "ask goal " + sub[1]
	}
	first, _, _ := strings.Cut(text, "\n")
	return "other: " + first
}

// conversation returns the labels of the bot's messages to user, in the
// order Slack took them, apologies left out.
func (e *faultEnv) conversation(user string) []string {
	var out []string
	for _, m := range e.ws.DM(user) {
		if m.User != e.ws.BotUserID() {
			continue
		}
		if l := replyLabel(m); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// collapseRepeats drops repeats that follow the message they repeat: a message
// delivered again because its first delivery's answer was lost.
func collapseRepeats(labels []string) []string { return slices.Compact(slices.Clone(labels)) }

// expectReplies returns the answers each learner should get for the
// steps Slack saw acknowledged: any of the lists given, the second for a
// step Slack gave up on that the bot may have taken.
func expectReplies(got map[script]reach) map[string][][]string {
	out := map[string][][]string{}
	for s, p := range got {
		out[s.user()] = [][]string{s.replies(p.acked)}
		if p.gaveUp {
			out[s.user()] = append(out[s.user()], s.replies(p.acked+1))
		}
	}
	return out
}

// checkReplies waits until each user has had one of the lists of answers
// in want, and fails t unless every answer arrived, in order, any repeat
// right after the message it repeats.
func (e *faultEnv) checkReplies(want map[string][][]string, within time.Duration) {
	e.t.Helper()
	var bad []string
	err := pollUntil(e.ctx, within, func() bool {
		bad = bad[:0]
		for user, ws := range want {
			got := collapseRepeats(e.conversation(user))
			if !slices.ContainsFunc(ws, func(w []string) bool { return slices.Equal(got, w) }) {
				bad = append(bad, fmt.Sprintf("%s got %q; want %q", user, got, ws[0]))
			}
		}
		return len(bad) == 0
	})
	if err != nil {
		slices.Sort(bad)
		e.t.Errorf("%d of %d conversations did not get every reply once or more, in order:\n  %s",
			len(bad), len(want), strings.Join(bad[:min(len(bad), 8)], "\n  "))
	}
}

// buildLearnpact builds the binary into the test's directory.
func buildLearnpact(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "learnpact")
	out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
	if err != nil {
		t.Fatalf("build learnpact: %v\n%s", err, out)
	}
	return bin
}

// botProc is one learnpact process, in Slack HTTP mode on a fixed
// address, so it can be killed and started again where Slack sends.
type botProc struct {
	t    *testing.T
	bin  string
	addr string
	env  []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    []string // the last lines it logged, across restarts
}

// URL is where the process serves.
func (b *botProc) URL() string { return "http://" + b.addr }

// start runs the process and waits until it serves Slack's requests.
func (b *botProc) start() {
	b.t.Helper()
	cmd := exec.Command(b.bin)
	cmd.Env = append(os.Environ(), append([]string{"ADDR=" + b.addr}, b.env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	exited := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			b.record(line)
			if strings.Contains(line, "serving Slack requests") {
				once.Do(func() { close(ready) })
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
	}()
	b.mu.Lock()
	b.cmd, b.exited = cmd, exited
	b.mu.Unlock()
	b.t.Cleanup(b.kill)
	select {
	case <-ready:
	case <-exited:
		b.t.Fatalf("learnpact exited at start:\n%s", b.lastLog(20))
	case <-time.After(30 * time.Second):
		b.t.Fatalf("learnpact did not start within 30s:\n%s", b.lastLog(20))
	}
}

func (b *botProc) record(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.log) >= 2000 {
		b.log = slices.Delete(b.log, 0, 1000)
	}
	b.log = append(b.log, line)
}

// kill stops the process with SIGKILL, as a crash or an OOM kill would,
// and waits for it to exit.
func (b *botProc) kill() {
	b.mu.Lock()
	cmd, exited := b.cmd, b.exited
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-exited
}

// lastLog returns the last n lines the process logged.
func (b *botProc) lastLog(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.log[max(0, len(b.log)-n):], "\n")
}

// logged counts the lines logged that contain s.
func (b *botProc) logged(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, l := range b.log {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

// ready asks the process's /readyz and returns the status, or 0 without
// an answer.
func (b *botProc) ready(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.URL()+"/readyz", nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// openRedis opens the store a process keeps in Redis at url.
func openRedis(t *testing.T, url string) storage.Stores {
	t.Helper()
	s, err := redisstore.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Stores()
}

// newHarnessOf is newHarness with a workspace of the given people, the
// in-process bot for a store the test holds.
func newHarnessOf(t *testing.T, store storage.Stores, ps []sandbox.Person) *harness {
	t.Helper()
	h := &harness{t: t, store: store, seen: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/slack/", func(w http.ResponseWriter, r *http.Request) {
		(*h.handler.Load()).ServeHTTP(w, r)
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	h.ws = sandbox.New(sandbox.Config{BotURL: h.srv.URL, URL: h.srv.URL, People: ps, Clock: sandbox.NewWallClock(),
		Log: slog.New(slog.DiscardHandler)})
	mux.Handle("/", h.ws.Handler())
	h.startBot()
	t.Cleanup(func() { h.stopBot() })
	return h
}

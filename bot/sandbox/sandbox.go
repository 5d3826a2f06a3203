// Package sandbox is a local, Slack-compatible workspace. It serves a subset
// of Slack's Web API (so the bot's Slack adapter can point SLACK_API_URL at
// it), acts as the people of the workspace by delivering signed Events API
// requests, interactions and slash commands to the bot over HTTP, exactly as
// Slack does, and shows the whole workspace on a local web page.
//
// The end-to-end tests drive it from Go; `learnpact` starts it, with its
// page, when no Slack credentials are set.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SlashCommand is the command the sandbox sends for Command.
const SlashCommand = "/contract"

// Errors of the acting methods (SendDM, Post, Click, …). Delivery failures
// are *StatusError (the bot answered non-2xx) or transport errors.
var (
	ErrNotFound     = errors.New("sandbox: not found")
	ErrNotAllowed   = errors.New("sandbox: not allowed")
	ErrNoModal      = errors.New("sandbox: no open modal")
	ErrInvalidInput = errors.New("sandbox: invalid input")
	ErrNoBot        = errors.New("sandbox: no bot URL configured")
)

// StatusError reports a delivery the bot answered with a non-2xx status.
type StatusError struct {
	Path   string
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("sandbox: bot answered %s with %d: %.200s", e.Path, e.Status, e.Body)
}

// Config configures a Workspace. Every field is optional.
type Config struct {
	// BotURL is where the bot listens: deliveries go to BotURL+"/slack/events",
	// "/slack/interactivity" and "/slack/commands".
	BotURL string
	// URL is the sandbox's own base URL (response_url targets are under
	// URL+"/api/"). When empty it is learned from the first request the
	// sandbox serves.
	URL string
	// SigningSecret signs deliveries; generated when empty, see Secret.
	SigningSecret string
	// BotToken is the bearer token the Web API accepts; generated when
	// empty, see Token.
	BotToken string
	// Clock is the sandbox time (message timestamps, trigger expiry, time
	// zones); NewClock(time.Now()) when nil.
	Clock *Clock
	// RequestTime is the time signed into X-Slack-Request-Timestamp;
	// time.Now when nil. It is the real time, not Clock, because adapters
	// check it against their own wall clock (slack.NewSecretsVerifier uses
	// time.Now): advancing the sandbox clock must not make deliveries stale.
	RequestTime func() time.Time
	// People are the workspace members; DemoPeople when nil. A bot user is
	// added when none is marked IsBot. #learning-set holds the bot and
	// everyone but approvers and advocates (Role); Join, Leave and
	// CreateChannel change channels later.
	People     []Person
	HTTPClient *http.Client
	Log        *slog.Logger
	// StatePath, when set, is the file that keeps the workspace across
	// restarts: its conversations, App Home tabs and clock. New restores
	// it (an unreadable file is moved aside to StatePath+".corrupt"), the
	// workspace saves changes to it, and Close saves it a last time.
	StatePath string
	// WorkingMorning is when the next working day's window opens after t
	// in loc, for the page's "next working morning" (the scheduler's
	// working hours in learnpact); weekdays at 09:00 when nil.
	WorkingMorning func(t time.Time, loc *time.Location) time.Time
}

// Message is a message in a conversation, as the workspace shows it.
type Message struct {
	Channel      string          `json:"channel"`
	TS           string          `json:"ts"`
	User         string          `json:"user"`
	Text         string          `json:"text"`
	ThreadTS     string          `json:"thread_ts,omitempty"`
	Blocks       json.RawMessage `json:"blocks,omitempty"`
	Ephemeral    bool            `json:"ephemeral,omitempty"`
	EphemeralFor string          `json:"ephemeral_for,omitempty"`
	Updated      int             `json:"updated,omitempty"`     // times changed since posted
	ReplyCount   int             `json:"reply_count,omitempty"` // thread replies (thread parents only)
	Files        []File          `json:"files,omitempty"`       // files shared with it (see files.go)
}

// MessageRef names a message.
type MessageRef struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// Ref returns the message's reference.
func (m Message) Ref() MessageRef { return MessageRef{Channel: m.Channel, TS: m.TS} }

// View is a modal or an App Home tab the bot opened or published.
type View struct {
	ID              string            `json:"id"`
	Type            string            `json:"type"` // "modal" or "home"
	User            string            `json:"user"`
	CallbackID      string            `json:"callback_id,omitempty"`
	PrivateMetadata string            `json:"private_metadata,omitempty"`
	ExternalID      string            `json:"external_id,omitempty"`
	Hash            string            `json:"hash"`
	Title           string            `json:"title,omitempty"`
	Submit          string            `json:"submit,omitempty"`
	Close           string            `json:"close,omitempty"`
	Blocks          json.RawMessage   `json:"blocks"`
	Errors          map[string]string `json:"errors,omitempty"` // by block_id, from response_action "errors"
}

// Change tells subscribers what changed.
type Change struct {
	Kind    string `json:"kind"` // message, update, delete, modal, home, clock, members
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	User    string `json:"user,omitempty"` // whose modal or home; who sees an ephemeral
}

// Workspace is one sandbox workspace. It is safe for concurrent use.
type Workspace struct {
	botURL      string
	secret      string
	token       string
	verifyToken string
	pageToken   string
	morning     func(time.Time, *time.Location) time.Time
	ownURLHost  string // the host of Config.URL, which the page answers on
	clock       *Clock
	requestTime func() time.Time
	client      *http.Client
	log         *slog.Logger
	bot         string // the bot's user id

	mu        sync.Mutex
	baseURL   string
	people    map[string]*Person
	order     []string // people ids in display order
	convs     map[string]*conv
	convOrder []string
	lastTS    int64 // microseconds, keeps ts unique and increasing
	seq       int64
	runID     string // random per workspace, part of every event id
	triggers  map[string]*trigger
	views     map[string]*view
	modals    map[string][]string // user → stack of open modal view ids
	homes     map[string]string   // user → home view id
	responses map[string]*responseTarget
	calls     map[string]int
	callLog   []Call
	failures  map[string]*failure
	flaky     map[string]*flakiness
	lastEvent []byte // body of the last Events API delivery, for Redeliver
	subs      map[int]chan Change
	subSeq    int
	changed   chan struct{}
	persist   *persister         // nil without Config.StatePath
	uploads   map[string]*upload // files uploaded, by id (see files.go)
}

type conv struct {
	id      string
	name    string // channels only
	im      bool
	user    string // the person of a direct conversation
	members []string
	creator string // channels only: who made it
	created int64
	opened  bool // conversations.open was called
	msgs    []*Message
}

type trigger struct {
	user   string
	issued time.Time
	used   bool
}

type view struct {
	View
	title, submit, close        json.RawMessage // text objects as sent
	clearOnClose, notifyOnClose bool
	rootID                      string
}

type responseTarget struct {
	channel   string
	user      string
	ts        string // the message acted on; empty for commands
	threadTS  string
	issued    time.Time
	uses      int
	ephemeral bool
}

type failure struct {
	status     int
	retryAfter time.Duration
	n          int
}

// flakiness fails calls of a method at random, see FailRandomly.
type flakiness struct {
	p429, p5xx float64
	retryAfter time.Duration
	rnd        *mrand.Rand
}

// maxCallLog bounds how many calls CallLog remembers.
const maxCallLog = 100_000

// Call is one Web API call the workspace received.
type Call struct {
	Method string
	// Channel is the call's channel argument (a channel or user id), if
	// any.
	Channel string
	// At is the sandbox time the call arrived.
	At time.Time
	// Status is the HTTP status answered: 200 also for calls Slack
	// answers with "ok": false.
	Status int
	// RetryAfter is the wait a 429 asked for.
	RetryAfter time.Duration
}

// New makes a workspace. With Config.StatePath, call Close when done.
func New(cfg Config) *Workspace {
	w := &Workspace{
		botURL:      cfg.BotURL,
		secret:      cfg.SigningSecret,
		token:       cfg.BotToken,
		verifyToken: randomHex(12),
		runID:       strings.ToUpper(randomHex(4)),
		pageToken:   randomHex(16),
		morning:     cfg.WorkingMorning,
		clock:       cfg.Clock,
		requestTime: cfg.RequestTime,
		client:      cfg.HTTPClient,
		log:         cfg.Log,
		baseURL:     cfg.URL,
		people:      map[string]*Person{},
		convs:       map[string]*conv{},
		triggers:    map[string]*trigger{},
		views:       map[string]*view{},
		modals:      map[string][]string{},
		homes:       map[string]string{},
		responses:   map[string]*responseTarget{},
		calls:       map[string]int{},
		failures:    map[string]*failure{},
		flaky:       map[string]*flakiness{},
		subs:        map[int]chan Change{},
		changed:     make(chan struct{}),
	}
	if u, err := url.Parse(cfg.URL); err == nil {
		w.ownURLHost = u.Host
	}
	if w.secret == "" {
		w.secret = randomHex(16)
	}
	if w.token == "" {
		w.token = "xoxb-sandbox-" + randomHex(12)
	}
	if w.clock == nil {
		w.clock = NewClock(time.Now())
	}
	if w.requestTime == nil {
		w.requestTime = time.Now
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: 10 * time.Second}
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.log = w.log.With("component", "sandbox")

	people := cfg.People
	if people == nil {
		people = DemoPeople()
	}
	for _, p := range people {
		if !validUserID(p.ID) || w.people[p.ID] != nil {
			w.log.Warn("skipping person with a bad or repeated id", "id", p.ID)
			continue
		}
		if p.IsBot && w.bot == "" {
			w.bot = p.ID
		} else if p.IsBot {
			continue
		}
		w.addPerson(p)
	}
	if w.bot == "" {
		b := botPerson()
		if w.people[b.ID] != nil {
			w.log.Warn("the bot's id is taken by a person", "id", b.ID)
		}
		w.bot = b.ID
		w.addPerson(b)
	}
	created := w.clock.Now().Unix()
	set := &conv{id: LearningSet, name: LearningSetName, created: created}
	for _, id := range w.order {
		if inLearningSet(*w.people[id]) {
			set.members = append(set.members, id)
		}
		if id != w.bot {
			w.addConv(&conv{id: dmChannel(id), im: true, user: id, members: []string{id, w.bot}, created: created})
		}
	}
	if len(set.members) > 0 {
		set.creator = set.members[0]
	}
	w.addConv(set)
	if cfg.StatePath != "" {
		w.startPersisting(cfg.StatePath)
	}
	return w
}

func (w *Workspace) addPerson(p Person) {
	if p.TZ == "" {
		p.TZ = "UTC"
	}
	if p.Name == "" {
		p.Name = p.ID
	}
	if p.RealName == "" {
		p.RealName = p.Name
	}
	w.people[p.ID] = &p
	w.order = append(w.order, p.ID)
}

func (w *Workspace) addConv(c *conv) {
	w.convs[c.id] = c
	w.convOrder = append(w.convOrder, c.id)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// Secret returns the signing secret the bot must verify deliveries with.
func (w *Workspace) Secret() string { return w.secret }

// Token returns the bot token the Web API accepts.
func (w *Workspace) Token() string { return w.token }

// TeamID returns the workspace's team id.
func (w *Workspace) TeamID() string { return teamID }

// BotUserID returns the bot's user id.
func (w *Workspace) BotUserID() string { return w.bot }

// Clock returns the sandbox clock.
func (w *Workspace) Clock() *Clock { return w.clock }

// People returns the members of the workspace, the bot last.
func (w *Workspace) People() []Person {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Person, 0, len(w.order))
	for _, id := range w.order {
		if id != w.bot {
			out = append(out, *w.people[id])
		}
	}
	return append(out, *w.people[w.bot])
}

// DMChannel returns the id of user's direct conversation with the bot.
func (w *Workspace) DMChannel(user string) string { return dmChannel(user) }

// DM returns the bot↔user direct conversation, oldest first, thread
// replies and ephemeral messages included.
func (w *Workspace) DM(user string) []Message {
	if !validUserID(user) {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[dmChannel(user)]
	if c == nil {
		return nil
	}
	out := make([]Message, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, w.copyMsg(c, m))
	}
	return out
}

// Channel returns a conversation's top-level messages (thread parents with
// their ReplyCount, no replies), oldest first, ephemeral messages included.
func (w *Workspace) Channel(id string) []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[id]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			out = append(out, w.copyMsg(c, m))
		}
	}
	return out
}

// Thread returns a thread's parent followed by its replies.
func (w *Workspace) Thread(channel, ts string) []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.convs[channel]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.msgs {
		if m.TS == ts || m.ThreadTS == ts {
			out = append(out, w.copyMsg(c, m))
		}
	}
	if len(out) == 0 || out[0].TS != ts {
		return nil
	}
	return out
}

// Message returns one message.
func (w *Workspace) Message(ref MessageRef) (Message, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c, m := w.findMsg(ref)
	if m == nil {
		return Message{}, false
	}
	return w.copyMsg(c, m), true
}

func (w *Workspace) findMsg(ref MessageRef) (*conv, *Message) {
	c := w.convs[ref.Channel]
	if c == nil {
		return nil, nil
	}
	for _, m := range c.msgs {
		if m.TS == ref.TS {
			return c, m
		}
	}
	return c, nil
}

func (w *Workspace) copyMsg(c *conv, m *Message) Message {
	out := *m
	out.Blocks = slices.Clone(m.Blocks)
	out.Files = slices.Clone(m.Files)
	if m.ThreadTS == "" {
		for _, r := range c.msgs {
			if r.ThreadTS == m.TS && r.TS != m.TS {
				out.ReplyCount++
			}
		}
	}
	return out
}

// OpenModal returns the modal the bot opened for user that is still open
// (the top of the stack).
func (w *Workspace) OpenModal(user string) (View, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.topModal(user)
	if v == nil {
		return View{}, false
	}
	return v.public(), true
}

func (w *Workspace) topModal(user string) *view {
	stack := w.modals[user]
	if len(stack) == 0 {
		return nil
	}
	return w.views[stack[len(stack)-1]]
}

func (v *view) public() View {
	out := v.View
	out.Blocks = slices.Clone(v.Blocks)
	if v.Errors != nil {
		out.Errors = make(map[string]string, len(v.Errors))
		for k, e := range v.Errors {
			out.Errors[k] = e
		}
	}
	return out
}

// Home returns the App Home view the bot published for user.
func (w *Workspace) Home(user string) (View, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := w.views[w.homes[user]]
	if v == nil {
		return View{}, false
	}
	return v.public(), true
}

// Calls returns how many Web API calls of method the sandbox has received,
// failed ones included.
func (w *Workspace) Calls(method string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[method]
}

// FailNext answers the next n calls of method with status: 429 carries a
// Retry-After header of retryAfter (rounded up to whole seconds), other
// statuses (5xx) an error body.
func (w *Workspace) FailNext(method string, status int, retryAfter time.Duration, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n <= 0 {
		delete(w.failures, method)
		return
	}
	w.failures[method] = &failure{status: status, retryAfter: retryAfter, n: n}
}

// FailRandomly answers each later call of method, at random, with 429
// (probability p429, with a Retry-After of retryAfter rounded up to whole
// seconds) or 500 (probability p5xx); the others are served. The draws
// come from a generator seeded with seed, so a test sees the same
// failures on every run with the same calls. FailNext goes first; zero
// probabilities turn the failures off.
func (w *Workspace) FailRandomly(method string, p429, p5xx float64, retryAfter time.Duration, seed int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p429 <= 0 && p5xx <= 0 {
		delete(w.flaky, method)
		return
	}
	w.flaky[method] = &flakiness{p429: p429, p5xx: p5xx, retryAfter: retryAfter,
		rnd: mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)>>32|1))}
}

// CallLog returns the Web API calls of method received so far (the last
// 100,000 calls of all methods), oldest first, failed ones included.
func (w *Workspace) CallLog(method string) []Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Call
	for _, c := range w.callLog {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// failureLocked returns the failure, if any, to answer the next call of
// method with.
func (w *Workspace) failureLocked(method string) *failure {
	if f := w.failures[method]; f != nil {
		if f.n--; f.n <= 0 {
			delete(w.failures, method)
		}
		return f
	}
	fl := w.flaky[method]
	if fl == nil {
		return nil
	}
	switch u := fl.rnd.Float64(); {
	case u < fl.p429:
		return &failure{status: http.StatusTooManyRequests, retryAfter: fl.retryAfter}
	case u < fl.p429+fl.p5xx:
		return &failure{status: http.StatusInternalServerError}
	}
	return nil
}

// logCallLocked records a call.
func (w *Workspace) logCallLocked(c Call) {
	if len(w.callLog) >= maxCallLog {
		w.callLog = slices.Delete(w.callLog, 0, len(w.callLog)-maxCallLog+1)
	}
	w.callLog = append(w.callLog, c)
}

// Subscribe returns live changes until cancel is called. A subscriber that
// falls behind misses changes, so on each change it should re-read the
// state it shows rather than apply the change itself.
func (w *Workspace) Subscribe() (<-chan Change, func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan Change, 64)
	id := w.subSeq
	w.subSeq++
	w.subs[id] = ch
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			delete(w.subs, id)
			close(ch)
		})
	}
}

// Await returns once cond holds, re-checking it after every change, or
// when ctx ends. cond may call the workspace's reading methods.
func (w *Workspace) Await(ctx context.Context, cond func() bool) error {
	for {
		w.mu.Lock()
		ch := w.changed
		w.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sandbox: await: %w", ctx.Err())
		case <-ch:
		}
	}
}

// notifyLocked tells subscribers and waiters about a change; w.mu is held.
func (w *Workspace) notifyLocked(c Change) {
	for _, ch := range w.subs {
		select {
		case ch <- c:
		default:
		}
	}
	close(w.changed)
	w.changed = make(chan struct{})
	if c.Kind != "modal" { // open modals are not saved
		w.persist.touch()
	}
}

// nextTSLocked returns a new message timestamp: the sandbox time, bumped
// so timestamps stay unique and increasing.
func (w *Workspace) nextTSLocked() string {
	us := w.clock.Now().UnixMicro()
	if us <= w.lastTS {
		us = w.lastTS + 1
	}
	w.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// nextIDLocked returns a fresh id with a prefix, e.g. "V0000000007".
func (w *Workspace) nextIDLocked(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%010d", prefix, w.seq)
}

// resolveLocked finds a conversation by C/D id, or a user's DM by user id.
func (w *Workspace) resolveLocked(id string) *conv {
	if c := w.convs[id]; c != nil {
		return c
	}
	if p := w.people[id]; p != nil && id != w.bot {
		return w.convs[dmChannel(id)]
	}
	return nil
}

func (c *conv) isMember(user string) bool { return slices.Contains(c.members, user) }

// root returns the thread a reply to ts joins: ts's own thread root,
// or "" when no message ts exists (Slack then posts un-threaded).
func (c *conv) root(ts string) string {
	for _, m := range c.msgs {
		if m.TS == ts {
			if m.ThreadTS != "" {
				return m.ThreadTS
			}
			return m.TS
		}
	}
	return ""
}

func (w *Workspace) appendLocked(c *conv, m *Message) {
	c.msgs = append(c.msgs, m)
	w.notifyLocked(Change{Kind: "message", Channel: c.id, TS: m.TS, User: m.EphemeralFor})
}

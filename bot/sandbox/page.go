package sandbox

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

//go:embed web
var webFS embed.FS

// maxPageBody caps the bodies of the page's requests.
const maxPageBody = 64 << 10

// maxClockJump bounds one advance of the clock from the page.
const maxClockJump = 366 * 24 * time.Hour

// Handler serves the whole sandbox: the Web API under /api/ and the page
// everywhere else.
func (w *Workspace) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", w.APIHandler())
	mux.Handle("/", w.PageHandler())
	return mux
}

// PageHandler serves the sandbox's web page: GET / (the page), GET /events
// (server-sent events), GET /ui/state (what one person sees) and POST
// /ui/... (what they do). It answers only requests addressed to a loopback
// host or to Config.URL's host; reads need the page's token, writes also
// a same-origin Origin header.
func (w *Workspace) PageHandler() http.Handler {
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		return w.broken(err)
	}
	page, err := template.ParseFS(static, "index.html")
	if err != nil {
		return w.broken(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(rw http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		people := w.People()
		data := struct{ Token, Person string }{w.pageToken, people[0].ID}
		if err := page.Execute(&buf, data); err != nil {
			w.log.Error("render page", "err", err)
			http.Error(rw, "the page could not be rendered", http.StatusInternalServerError)
			return
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		_, _ = rw.Write(buf.Bytes())
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /events", w.read(w.serveEvents))
	mux.HandleFunc("GET /ui/state", w.read(w.serveState))
	mux.HandleFunc("GET /files/{id}/{name}", w.read(w.serveFile))
	mux.HandleFunc("POST /ui/send", w.write(w.uiSend))
	mux.HandleFunc("POST /ui/file", w.uiFile)
	mux.HandleFunc("POST /ui/click", w.write(w.uiAct))
	mux.HandleFunc("POST /ui/select", w.write(w.uiAct))
	mux.HandleFunc("POST /ui/submit", w.write(w.uiSubmit))
	mux.HandleFunc("POST /ui/close", w.write(w.uiClose))
	mux.HandleFunc("POST /ui/home", w.write(w.uiHome))
	mux.HandleFunc("POST /ui/clock", w.write(w.uiClock))
	return w.guard(mux)
}

func (w *Workspace) broken(err error) http.Handler {
	w.log.Error("page assets", "err", err)
	return http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		http.Error(rw, "the page is unavailable", http.StatusInternalServerError)
	})
}

// guard refuses requests addressed to a foreign host (DNS rebinding) and
// sets the page's security headers.
func (w *Workspace) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !w.ownHost(r.Host) {
			http.Error(rw, "this sandbox answers only on its own address", http.StatusForbidden)
			return
		}
		w.learnURL(r)
		h := rw.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		next.ServeHTTP(rw, r)
	})
}

// ownHost reports whether host (a Host header) names the sandbox: a
// loopback address, localhost, or the host of Config.URL (never a host
// learned from a request, which would let any name in).
func (w *Workspace) ownHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if strings.EqualFold(name, "localhost") {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	return w.ownURLHost != "" && strings.EqualFold(w.ownURLHost, host)
}

func (w *Workspace) tokenOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(w.pageToken)) == 1
}

// read guards GET endpoints: they need the page token (a query parameter,
// since EventSource cannot set headers).
func (w *Workspace) read(h http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if !w.tokenOK(r.URL.Query().Get("token")) {
			pageError(rw, http.StatusForbidden, "missing or wrong page token")
			return
		}
		h(rw, r)
	}
}

// uiRequest is the body of every POST from the page.
type uiRequest struct {
	As       string            `json:"as"`
	Surface  string            `json:"surface"` // "message" (default) or "home"
	Channel  string            `json:"channel"`
	TS       string            `json:"ts"`
	ThreadTS string            `json:"thread_ts"`
	Text     string            `json:"text"`
	ActionID string            `json:"action_id"`
	Value    string            `json:"value"`
	Values   map[string]string `json:"values"`
	Advance  string            `json:"advance"`
	// To moves the clock to a moment instead: "morning" for the next
	// working morning of the person (As), or a date and time on their wall
	// clock ("2027-01-29T09:00", from the page's date picker).
	To string `json:"to"`
}

// write guards POST endpoints: the page token in X-Sandbox-Token, an Origin
// that is the sandbox itself, a JSON body of at most 64 KiB.
func (w *Workspace) write(h func(context.Context, *http.Request, uiRequest) error) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if !w.tokenOK(r.Header.Get("X-Sandbox-Token")) {
			pageError(rw, http.StatusForbidden, "missing or wrong page token")
			return
		}
		if !sameOrigin(r) {
			pageError(rw, http.StatusForbidden, "cross-origin request refused")
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, maxPageBody)
		var req uiRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				pageError(rw, http.StatusRequestEntityTooLarge, "request too large")
				return
			}
			pageError(rw, http.StatusBadRequest, "bad request body")
			return
		}
		if err := h(r.Context(), r, req); err != nil {
			status, msg := uiError(err)
			pageError(rw, status, msg)
			return
		}
		writeJSON(rw, http.StatusOK, obj{"ok": true})
	}
}

// sameOrigin reports whether a request's Origin is the host it was sent to.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func pageError(rw http.ResponseWriter, status int, msg string) {
	writeJSON(rw, status, obj{"ok": false, "error": msg})
}

// uiError turns an acting method's error into what the page shows.
func uiError(err error) (int, string) {
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return http.StatusBadGateway, fmt.Sprintf("The bot answered with status %d.", se.Status)
	case errors.Is(err, ErrNoBot):
		return http.StatusServiceUnavailable, "No bot is connected to this sandbox."
	case errors.Is(err, ErrInvalidInput), errors.Is(err, ErrNotFound), errors.Is(err, ErrNotAllowed), errors.Is(err, ErrNoModal):
		return http.StatusBadRequest, strings.TrimPrefix(err.Error(), "sandbox: ")
	default:
		return http.StatusBadGateway, "The bot could not be reached."
	}
}

// commandRE matches the slash command at the start of typed text.
var commandRE = regexp.MustCompile(`^` + regexp.QuoteMeta(SlashCommand) + `(?:\s+|$)`)

func (w *Workspace) uiSend(ctx context.Context, _ *http.Request, req uiRequest) error {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return fmt.Errorf("%w: type a message first", ErrInvalidInput)
	}
	if loc := commandRE.FindStringIndex(text); loc != nil {
		return w.Command(ctx, req.As, req.Channel, w.escapedCommand(text[loc[1]:]))
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		return fmt.Errorf("%w: %s is not a command here; try %s", ErrInvalidInput, cmd, SlashCommand)
	}
	return w.Post(ctx, req.As, req.Channel, w.typed(text), req.ThreadTS)
}

// typed turns text as a person types it into Slack's message format, as
// Slack's client does: &, < and > escaped, @handle mentions as <@U…>.
func (w *Workspace) typed(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	return w.mentions(s, func(id, _ string) string { return "<@" + id + ">" })
}

// escapedCommand is a slash command's text as Slack sends it for a
// command that escapes users (the manifest's should_escape: true): each
// @handle as <@U…|handle>.
func (w *Workspace) escapedCommand(s string) string {
	return w.mentions(s, func(id, handle string) string { return "<@" + id + "|" + handle + ">" })
}

// mentions replaces each @handle of a member in s with as(id, handle).
func (w *Workspace) mentions(s string, as func(id, handle string) string) string {
	w.mu.Lock()
	handles := map[string]string{}
	for id, p := range w.people {
		handles[strings.ToLower(p.Name)] = id
	}
	w.mu.Unlock()
	return mentionRE.ReplaceAllStringFunc(s, func(m string) string {
		if id, ok := handles[strings.ToLower(m[1:])]; ok {
			return as(id, m[1:])
		}
		return m
	})
}

var mentionRE = regexp.MustCompile(`@[A-Za-z0-9._-]+`)

func (w *Workspace) uiAct(ctx context.Context, r *http.Request, req uiRequest) error {
	sel := strings.HasSuffix(r.URL.Path, "/select")
	if req.ActionID == "" {
		return fmt.Errorf("%w: no action_id", ErrInvalidInput)
	}
	switch {
	case req.Surface == "home" && sel:
		return w.SelectHome(ctx, req.As, req.ActionID, req.Value)
	case req.Surface == "home":
		return w.ClickHome(ctx, req.As, req.ActionID)
	case sel:
		return w.Select(ctx, req.As, MessageRef{req.Channel, req.TS}, req.ActionID, req.Value)
	default:
		return w.Click(ctx, req.As, MessageRef{req.Channel, req.TS}, req.ActionID)
	}
}

func (w *Workspace) uiSubmit(ctx context.Context, _ *http.Request, req uiRequest) error {
	return w.Submit(ctx, req.As, req.Values)
}

func (w *Workspace) uiClose(ctx context.Context, _ *http.Request, req uiRequest) error {
	return w.CloseModal(ctx, req.As)
}

func (w *Workspace) uiHome(ctx context.Context, _ *http.Request, req uiRequest) error {
	return w.OpenHome(ctx, req.As)
}

// uiClock moves the sandbox clock forward: by a duration ("advance"), to
// the person's next working morning, or to a date and time on their wall
// clock ("to"). The clock never goes back, and jumps at most a year.
func (w *Workspace) uiClock(_ context.Context, _ *http.Request, req uiRequest) error {
	if req.To == "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d <= 0 || d > maxClockJump {
			return fmt.Errorf("%w: advance must be a duration between 1ns and %s", ErrInvalidInput, maxClockJump)
		}
		w.clock.Advance(d)
		return nil
	}
	loc, err := w.zoneOf(req.As)
	if err != nil {
		return err
	}
	now := w.clock.Now()
	var to time.Time
	switch req.To {
	case "morning":
		to = w.workingMorning(now, loc)
	default:
		to, err = time.ParseInLocation("2006-01-02T15:04", req.To, loc)
		if err != nil {
			return fmt.Errorf("%w: to must be \"morning\" or a date and time like 2027-01-29T09:00", ErrInvalidInput)
		}
	}
	if !to.After(now) || to.Sub(now) > maxClockJump {
		return fmt.Errorf("%w: the clock moves forward only, at most a year: it is %s now", ErrInvalidInput, now.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	w.clock.Advance(to.Sub(now))
	return nil
}

// zoneOf is a person's time zone.
func (w *Workspace) zoneOf(user string) (*time.Location, error) {
	w.mu.Lock()
	p, err := w.personLocked(user)
	zone := ""
	if err == nil {
		zone = p.TZ
	}
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// workingMorning is when the next working day's window opens after now in
// loc: Config.WorkingMorning, or 09:00 on the next weekday.
func (w *Workspace) workingMorning(now time.Time, loc *time.Location) time.Time {
	if w.morning != nil {
		return w.morning(now, loc)
	}
	lt := now.In(loc)
	for i := 0; ; i++ {
		d := time.Date(lt.Year(), lt.Month(), lt.Day()+i, 9, 0, 0, 0, loc)
		if wd := d.Weekday(); d.After(now) && wd != time.Saturday && wd != time.Sunday {
			return d
		}
	}
}

// pageState is what one person sees.
type pageState struct {
	Me            string         `json:"me"`
	Bot           string         `json:"bot"`
	Now           time.Time      `json:"now"`
	People        []Person       `json:"people"`
	Conversations []conversation `json:"conversations"`
	Home          *View          `json:"home"`
	Modal         *View          `json:"modal"`
}

type conversation struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Kind     string    `json:"kind"` // "dm" or "channel"
	Messages []Message `json:"messages"`
}

// serveState answers GET /ui/state?as=U…: the conversations as that person
// sees them (ephemeral messages for others left out), oldest first, thread
// replies included with their thread_ts.
func (w *Workspace) serveState(rw http.ResponseWriter, r *http.Request) {
	me := r.URL.Query().Get("as")
	w.mu.Lock()
	if _, err := w.personLocked(me); err != nil {
		w.mu.Unlock()
		pageError(rw, http.StatusBadRequest, "unknown person")
		return
	}
	st := pageState{Me: me, Bot: w.bot, Now: w.clock.Now(), Conversations: []conversation{}}
	for _, id := range w.order {
		st.People = append(st.People, *w.people[id])
	}
	for _, id := range w.convOrder {
		c := w.convs[id]
		if !c.isMember(me) {
			continue
		}
		cv := conversation{ID: c.id, Name: c.name, Kind: "channel", Messages: []Message{}}
		if c.im {
			cv.Name, cv.Kind = w.people[w.bot].Name, "dm"
		}
		for _, m := range c.msgs {
			if !m.Ephemeral || m.EphemeralFor == me {
				cv.Messages = append(cv.Messages, w.copyMsg(c, m))
			}
		}
		st.Conversations = append(st.Conversations, cv)
	}
	if v := w.views[w.homes[me]]; v != nil {
		pv := v.public()
		st.Home = &pv
	}
	if v := w.topModal(me); v != nil {
		pv := v.public()
		st.Modal = &pv
	}
	w.mu.Unlock()
	rw.Header().Set("Cache-Control", "no-store")
	writeJSON(rw, http.StatusOK, st)
}

// serveEvents streams changes as server-sent events; the page re-reads its
// state on each.
func (w *Workspace) serveEvents(rw http.ResponseWriter, r *http.Request) {
	flusher, ok := rw.(http.Flusher)
	if !ok {
		pageError(rw, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	// The stream outlives the server's read and write timeouts, which
	// bound ordinary requests; it ends when the page goes or the server
	// stops.
	rc := http.NewResponseController(rw)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	changes, cancel := w.Subscribe()
	defer cancel()
	clock := w.clock.Changed() // before the first line, so no jump is missed
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(rw, "retry: 1000\n\n")
	flusher.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		var c Change
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			_, _ = fmt.Fprint(rw, ": ping\n\n")
			flusher.Flush()
			continue
		case <-clock:
			clock = w.clock.Changed()
			c = Change{Kind: "clock"}
		case c, ok = <-changes:
			if !ok {
				return
			}
		}
		if _, err := fmt.Fprintf(rw, "data: %s\n\n", encodeJSON(c)); err != nil {
			return
		}
		flusher.Flush()
	}
}

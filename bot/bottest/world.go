package bottest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/conversation/template"
	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/memory"
)

// Team is the workspace every World runs in.
const Team = "T1"

// World runs scripted turns through the real engine on a Platform, over a
// store of its own, at a time it controls: people type, run commands,
// click buttons by their label, submit forms, reply in threads, add the
// bot to channels, and due items come due as the scheduler delivers them.
// Contract ids are "c1", "c2", … in creation order. Once Transcribe was
// called it writes a transcript of every turn: who did what (->) and what
// the bot did (<-). Any turn the engine fails, or a step the script cannot
// take (a button nobody sees), fails the test at once.
type World struct {
	// Platform is what people see.
	Platform *Platform

	t      testing.TB
	engine *bot.Engine
	store  *observed
	now    time.Time
	names  map[string]string
	log    *strings.Builder

	ids, triggers int
	templates     *template.Library
	created       []string          // contract ids, oldest first
	formFrom      map[string]string // user → the conversation their open form came from
	in            conversation.Input
	turn          Turn
}

// Turn is what the latest turn did.
type Turn struct {
	// Deliveries are what the platform was asked to do, in order.
	Deliveries []Delivery
	// Saved is the contract the turn saved, if any.
	Saved *contract.Contract
	// SetChanges counts the changes to learning sets.
	SetChanges int

	session []byte // the session the turn saved
}

// Quiet reports whether the turn did nothing at all: nothing shown,
// nothing saved.
func (t Turn) Quiet() bool { return len(t.Deliveries) == 0 && t.Saved == nil && t.SetChanges == 0 }

// NewWorld returns a world whose clock starts at start, with a store that
// is removed when the test ends.
func NewWorld(t testing.TB, start time.Time) *World {
	t.Helper()
	return NewWorldOn(t, start, nil)
}

// NewWorldOn returns a world over the store s (its Turns and Docs, and
// its Erase and Library when Turns implements them), such as a Redis or
// embedded store; over a store of its own when s is nil. The caller
// closes s.
func NewWorldOn(t testing.TB, start time.Time, s *storage.Stores) *World {
	t.Helper()
	w := &World{Platform: NewPlatform(), t: t, now: start, names: map[string]string{}, formFrom: map[string]string{}}
	w.store = &observed{w: w}
	if s != nil {
		w.store.Store, w.store.Docs = s.Turns, s.Docs
	} else {
		w.store.Store, w.store.Docs = openStore(t, w.Now)
	}
	w.engine = newEngine(t, w.store, w.Now, w.newID, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	w.Platform.observe = w.delivered
	return w
}

// Reports lets admins (and approvers, about their learners) run
// /contract report over the World's contracts.
func (w *World) Reports(admins ...string) {
	w.t.Helper()
	src, ok := w.store.Store.(bot.ContractSource)
	if !ok {
		w.t.Fatal("bottest: the store cannot list its contracts")
	}
	e, err := bot.New(bot.Config{Store: w.store, Docs: w.store, Now: w.Now, NewID: w.newID,
		Log: slog.New(slog.NewTextHandler(testLog{w.t}, nil)), Reports: bot.Reports{Contracts: src, Admins: admins}, Templates: w.templates})
	if err != nil {
		w.t.Fatal(err)
	}
	w.engine = e
}

// Approvers sets who may approve whose contracts (APPROVERS) for the
// turns to come.
func (w *World) Approvers(p approverpolicy.Policy) {
	w.t.Helper()
	erase, _ := w.store.Store.(storage.Eraser)
	lib, _ := w.store.Store.(storage.Library)
	e, err := bot.New(bot.Config{Store: w.store, Docs: w.store, Erase: erase, Library: lib, Now: w.Now, NewID: w.newID,
		Log: slog.New(slog.NewTextHandler(testLog{w.t}, nil)), Approvers: p, Templates: w.templates})
	if err != nil {
		w.t.Fatal(err)
	}
	w.engine = e
}

// Templates offers the contract templates of lib (LEARNPACT_TEMPLATES)
// in the turns to come; nil offers none.
func (w *World) Templates(lib *template.Library) {
	w.t.Helper()
	erase, _ := w.store.Store.(storage.Eraser)
	library, _ := w.store.Store.(storage.Library)
	e, err := bot.New(bot.Config{Store: w.store, Docs: w.store, Erase: erase, Library: library, Now: w.Now, NewID: w.newID,
		Log: slog.New(slog.NewTextHandler(testLog{w.t}, nil)), Templates: lib})
	if err != nil {
		w.t.Fatal(err)
	}
	w.engine, w.templates = e, lib
}

// newEngine is the engine a World runs: learning sets on the same store,
// the World's clock and contract ids. It schedules nothing: a World's due
// turns come from the contract's plan (Due) or are delivered by hand.
func newEngine(t testing.TB, s *observed, now func() time.Time, newID func() string, log *slog.Logger) *bot.Engine {
	t.Helper()
	erase, _ := s.Store.(storage.Eraser)
	lib, _ := s.Store.(storage.Library)
	e, err := bot.New(bot.Config{Store: s, Docs: s, Erase: erase, Library: lib, Now: now, NewID: newID, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// openStore opens an empty store for a World, closed when the test ends.
func openStore(t testing.TB, now func() time.Time) (storage.Store, storage.Docs) {
	t.Helper()
	s := memory.New(memory.WithClock(now))
	t.Cleanup(func() { s.Close() })
	return s, s
}

// testLog writes the engine's log to the test's.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func (w *World) newID() string {
	w.ids++
	return fmt.Sprintf("c%d", w.ids)
}

// Now is the World's time.
func (w *World) Now() time.Time { return w.now }

// Advance moves the clock on without a word in the transcript.
func (w *World) Advance(d time.Duration) { w.now = w.now.Add(d) }

// Wait moves the clock on and notes the new time in the transcript.
func (w *World) Wait(d time.Duration) {
	w.now = w.now.Add(d)
	w.Logf("   (%s)\n\n", w.now.Format("Mon 2 Jan 15:04"))
}

// Names sets the names transcripts call people by (user id → name);
// others are called by their id.
func (w *World) Names(names map[string]string) {
	for id, n := range names {
		w.names[id] = n
		w.Platform.SetName(id, n)
	}
}

func (w *World) name(user string) string {
	if n, ok := w.names[user]; ok {
		return n
	}
	return user
}

// AddChannel adds a shared channel with its members.
func (w *World) AddChannel(id string, members ...string) { w.Platform.AddChannel(id, members...) }

// Transcribe starts the transcript: a title, who is who, and how to read
// it.
func (w *World) Transcribe(title, cast string) {
	w.log = new(strings.Builder)
	w.Logf("%s\n%s\n\n%s\n-> is what a person does, <- what the bot does; [Label]* is a primary button.\n\n",
		title, strings.Repeat("=", len(title)), cast)
}

// Transcript is the transcript so far.
func (w *World) Transcript() string {
	if w.log == nil {
		return ""
	}
	return w.log.String()
}

// Logf adds to the transcript.
func (w *World) Logf(format string, args ...any) {
	if w.log != nil {
		fmt.Fprintf(w.log, format, args...)
	}
}

// Quietly runs steps without writing them to the transcript, then notes
// what they did.
func (w *World) Quietly(summary string, steps func()) {
	log := w.log
	w.log = nil
	steps()
	w.log = log
	w.Logf("   (%s)\n\n", summary)
}

func (w *World) fatalf(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf("%s\n\ntranscript so far:\n%s", fmt.Sprintf(format, args...), w.Transcript())
}

// Do runs one turn through the engine and writes what it did.
func (w *World) Do(in conversation.Input) {
	w.t.Helper()
	var before conversation.Session
	if in.User != "" {
		before = w.Session(in.User)
	}
	w.in, w.turn = in, Turn{}
	if err := w.engine.Handle(context.Background(), bot.Turn{Platform: w.Platform, Team: Team, Input: in}); err != nil {
		w.fatalf("%s turn of %s: %v", in.Kind, in.User, err)
	}
	if c := w.turn.Saved; c != nil {
		w.Logf("   (saved contract %s: %s, version %d)\n", c.ID, c.Status, c.Version)
	}
	if w.turn.Quiet() {
		w.Logf("   (nothing happens)\n")
	}
	if w.turn.session != nil {
		var after conversation.Session
		if err := json.Unmarshal(w.turn.session, &after); err != nil {
			w.fatalf("decode the session of %s: %v", in.User, err)
		}
		if after.State != before.State {
			state := string(after.State)
			if state == "" {
				state = "idle"
			}
			w.Logf("   (%s's step: %s)\n", w.name(in.User), state)
		}
	}
	w.Logf("\n")
}

// delivered writes what the platform was asked to do during a turn. A new
// message in the direct conversation of the person whose turn it is
// answers them ("reply"), unless the turn is a due item, which nobody
// started; one to anyone else is a "message".
func (w *World) delivered(d Delivery) {
	w.turn.Deliveries = append(w.turn.Deliveries, d)
	switch d.Kind {
	case Sent:
		switch {
		case d.User == "":
			where := "#" + strings.ToLower(d.Channel)
			if d.Thread != "" {
				where += " in the thread of #" + seqOf(d.Thread)
			}
			w.Logf("<- post in %s (#%s):\n%s", where, seqOf(d.Ref.TS), messagetest.Render(d.Message))
		case d.User == w.in.User && w.in.Kind != conversation.DueInput:
			w.Logf("<- reply to %s (#%s):\n%s", w.name(d.User), seqOf(d.Ref.TS), messagetest.Render(d.Message))
		default:
			w.Logf("<- message to %s (#%s):\n%s", w.name(d.User), seqOf(d.Ref.TS), messagetest.Render(d.Message))
		}
	case Updated:
		whose := w.name(d.User)
		if d.User == "" {
			whose = "#" + strings.ToLower(d.Channel)
		}
		w.Logf("<- %s's message #%s is updated:\n%s", whose, seqOf(d.Ref.TS), messagetest.Render(d.Message))
	case Ephemeral:
		w.Logf("<- only %s sees:\n%s", w.name(d.User), messagetest.Render(d.Message))
	case FileSent:
		what := fmt.Sprintf("%d bytes", len(d.File.Data))
		if strings.HasSuffix(d.File.Name, ".pdf") {
			what = "PDF of " + pages(pdfPages(d.File.Data))
		}
		w.Logf("<- a file for %s: %s (%s, %s)\n%s", w.name(d.User), d.File.Name, d.File.Title, what, messagetest.Render(d.Message))
	case Home:
		w.Logf("<- %s's home is published:\n%s", w.name(d.User), messagetest.Render(d.Message))
	case Form:
		w.formFrom[d.User] = w.in.Channel
		w.Logf("<- a form opens for %s:\n%s", w.name(d.User), messagetest.RenderModal(d.Modal))
	}
}

// pdfPages counts a PDF's pages by its page objects.
func pdfPages(pdf []byte) int {
	return len(pagePattern.FindAll(pdf, -1))
}

func pages(n int) string {
	if n == 1 {
		return "1 page"
	}
	return strconv.Itoa(n) + " pages"
}

var pagePattern = regexp.MustCompile(`/Type /Page\b`)

// seqOf is a message's number in sending order, from its TS.
func seqOf(ts string) string {
	_, n, _ := strings.Cut(ts, ".")
	return strings.TrimLeft(n, "0")
}

// Turn is what the latest turn did.
func (w *World) Turn() Turn { return w.turn }

// Last is the newest message of the latest turn of a kind (Sent, Updated,
// Ephemeral) for to: a person, a shared channel, or anyone when "".
func (w *World) Last(kind Kind, to string) message.Message {
	w.t.Helper()
	ds := w.turn.Deliveries
	for i := len(ds) - 1; i >= 0; i-- {
		if d := ds[i]; d.Kind == kind && (to == "" || d.User == to || (d.User == "" && d.Channel == to)) {
			return d.Message
		}
	}
	w.fatalf("the latest turn had no %s message for %s", kind, to)
	return message.Message{}
}

// Say types text in user's direct conversation with the bot.
func (w *World) Say(user, text string) {
	w.t.Helper()
	w.Logf("-> %s types: %s\n", w.name(user), strings.ReplaceAll(text, "\n", " ⏎ "))
	w.Do(conversation.Input{Kind: conversation.TextInput, User: user, Channel: DM(user), Text: text})
}

// Share shares files in user's direct conversation with the bot, with
// text (which may be empty), as a platform reports a file shared there.
func (w *World) Share(user, text string, files ...contract.File) {
	w.t.Helper()
	var names []string
	for _, f := range files {
		names = append(names, fmt.Sprintf("%q (%s, %d bytes)", f.Name, f.ID, f.Size))
	}
	w.Logf("-> %s shares %s%s\n", w.name(user), strings.Join(names, ", "), map[bool]string{true: "", false: " with: " + text}[text == ""])
	w.Do(conversation.Input{Kind: conversation.TextInput, User: user, Channel: DM(user), Text: text, Files: files})
}

// Command runs "/contract args" in user's direct conversation.
func (w *World) Command(user, args string) {
	w.t.Helper()
	w.Logf("-> %s runs: /contract %s\n", w.name(user), args)
	w.Do(conversation.Input{Kind: conversation.CommandInput, User: user, Channel: DM(user), Text: args})
}

// OpenHome opens user's home (Slack's App Home tab).
func (w *World) OpenHome(user string) {
	w.t.Helper()
	w.Logf("-> %s opens their Home\n", w.name(user))
	w.Do(conversation.Input{Kind: conversation.HomeInput, User: user})
}

// InChannel runs "/contract args" in a shared channel.
func (w *World) InChannel(user, channel, args string) {
	w.t.Helper()
	w.Logf("-> %s runs in #%s: /contract %s\n", w.name(user), strings.ToLower(channel), args)
	w.Do(conversation.Input{Kind: conversation.CommandInput, User: user, Channel: channel, Text: args})
}

// Mention has user say text to the bot in a shared channel, mentioning it
// (@learnpact status): said in public.
func (w *World) Mention(user, channel, text string) {
	w.t.Helper()
	w.Logf("-> %s says in #%s: @learnpact %s\n", w.name(user), strings.ToLower(channel), text)
	w.Do(conversation.Input{Kind: conversation.TextInput, User: user, Channel: channel, Text: text, Public: true})
}

// Joined has inviter add the bot to a channel.
func (w *World) Joined(inviter, channel string) {
	w.t.Helper()
	w.Logf("-> %s adds the bot to #%s\n", w.name(inviter), strings.ToLower(channel))
	w.Do(conversation.Input{Kind: conversation.JoinInput, User: inviter, Channel: channel})
}

// Click presses the button with the label on the newest message user sees
// that has one.
func (w *World) Click(user, label string) {
	w.t.Helper()
	w.clickWhere(user, label, func(b message.Button) bool { return b.Label == label })
}

// ClickID presses the newest button with the action id that user sees.
func (w *World) ClickID(user string, id conversation.ActionID) {
	w.t.Helper()
	w.clickWhere(user, string(id), func(b message.Button) bool { return b.ActionID == string(id) })
}

func (w *World) clickWhere(user, what string, match func(message.Button) bool) {
	w.t.Helper()
	box := w.Platform.Messages(user)
	for i := len(box) - 1; i >= 0; i-- {
		for _, b := range messagetest.Buttons(box[i].Message) {
			if match(b) {
				w.press(user, box[i], b)
				return
			}
		}
	}
	w.fatalf("%s has no button %q", user, what)
}

// Choose picks the option with the label in the newest menu (a select)
// user sees that has it.
func (w *World) Choose(user, label string) {
	w.t.Helper()
	box := w.Platform.Messages(user)
	for i := len(box) - 1; i >= 0; i-- {
		for _, b := range box[i].Message.Blocks {
			a, ok := b.(message.Actions)
			if !ok || a.Select == nil {
				continue
			}
			for _, o := range a.Select.Options {
				if o.Label == label {
					w.Logf("-> %s chooses %q in message #%s\n", w.name(user), label, seqOf(box[i].Ref.TS))
					w.Do(conversation.Input{Kind: conversation.ActionInput, User: user, Channel: DM(user), ActionID: a.Select.ActionID,
						Value: o.Value, Source: box[i].Ref, TriggerID: w.trigger(user)})
					return
				}
			}
		}
	}
	w.fatalf("%s has no menu with %q", user, label)
}

// ClickOn presses a button on a given copy of a message as user: someone
// else's card, or one that has been replaced since. The click comes from
// user's direct conversation, as a forwarded card's would.
func (w *World) ClickOn(user string, p Posted, label string) {
	w.t.Helper()
	for _, b := range messagetest.Buttons(p.Message) {
		if b.Label == label {
			w.press(user, p, b)
			return
		}
	}
	w.fatalf("no button %q on that message", label)
}

// editPrefix starts the action ids of the summary's Edit buttons; the rest
// names the part, which transcripts add to the label.
const editPrefix = "lp_edit_"

func (w *World) press(user string, p Posted, b message.Button) {
	w.t.Helper()
	where := "a private note"
	if p.Ref.TS != "" {
		where = "message #" + seqOf(p.Ref.TS)
	}
	label := b.Label
	if part, ok := strings.CutPrefix(b.ActionID, editPrefix); ok && label == "Edit" {
		label += " " + part
	}
	w.Logf("-> %s clicks [%s] on %s\n", w.name(user), label, where)
	w.Do(conversation.Input{Kind: conversation.ActionInput, User: user, Channel: DM(user), ActionID: b.ActionID,
		Value: b.Value, Source: p.Ref, TriggerID: w.trigger(user)})
}

func (w *World) trigger(user string) string {
	w.triggers++
	id := fmt.Sprintf("trigger-%d", w.triggers)
	w.Platform.click(id, user)
	return id
}

// ClickInChannel presses the button with the label on the newest post in
// the channel that has one.
func (w *World) ClickInChannel(user, channel, label string) {
	w.t.Helper()
	posts := w.Platform.Posts(channel)
	for i := len(posts) - 1; i >= 0; i-- {
		for _, b := range messagetest.Buttons(posts[i].Message) {
			if b.Label == label {
				w.Logf("-> %s clicks [%s] on #%s's message #%s\n", w.name(user), label, strings.ToLower(channel), seqOf(posts[i].Ref.TS))
				w.Do(conversation.Input{Kind: conversation.ActionInput, User: user, Channel: channel, ActionID: b.ActionID,
					Value: b.Value, Source: posts[i].Ref, TriggerID: w.trigger(user)})
				return
			}
		}
	}
	w.fatalf("#%s has no button %q", channel, label)
}

// Submit fills in the form open for user (fields not given keep their
// initial value) and submits it from the conversation it was opened in, as
// a Teams form card is. (A Slack view submission names no conversation:
// the engine then answers a refused form in a direct message rather than
// ephemerally.)
func (w *World) Submit(user string, form map[string]string) {
	w.t.Helper()
	m, ok := w.Platform.closeForm(user)
	if !ok {
		w.fatalf("%s has no form open", user)
	}
	values := map[string]string{}
	var changed []string
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Input:
			values[b.ID] = b.Initial
			if v, ok := form[b.ID]; ok {
				values[b.ID] = v
				changed = append(changed, fmt.Sprintf("%s = %q", b.ID, v))
			}
		case message.Choice:
			values[b.ID] = strings.Join(b.Initial, ",")
			if v, ok := form[b.ID]; ok {
				values[b.ID] = v
				changed = append(changed, fmt.Sprintf("%s = %q", b.ID, v))
			}
		}
	}
	w.Logf("-> %s submits %q with %s\n", w.name(user), m.Title, strings.Join(changed, ", "))
	w.Do(conversation.Input{Kind: conversation.SubmitInput, User: user, Channel: w.formFrom[user],
		CallbackID: m.CallbackID, PrivateData: m.PrivateData, Form: values})
}

// ReplyInThread answers in the thread of the newest draft shared in the
// channel.
func (w *World) ReplyInThread(user, channel, text string) {
	w.t.Helper()
	var root string
	for _, c := range w.Contracts() {
		for _, sh := range c.Shares {
			if sh.Channel == channel && sh.TS > root {
				root = sh.TS
			}
		}
	}
	w.ReplyUnder(user, channel, root, text)
}

// ReplyUnder replies in the thread under the channel message root.
func (w *World) ReplyUnder(user, channel, root, text string) {
	w.t.Helper()
	w.Logf("-> %s replies in the thread of #%s: %s\n", w.name(user), seqOf(root), text)
	w.Do(conversation.Input{Kind: conversation.ThreadInput, User: user, Channel: channel, Thread: root, Text: text})
}

// Due moves the clock to the time the contract's plan holds for the kind
// (when that is later) and delivers the item as the scheduler does.
func (w *World) Due(id string, kind contract.DueKind) {
	w.t.Helper()
	c := w.Contract(id)
	for _, d := range c.Plan(w.now) {
		if d.Kind == kind {
			if d.At.After(w.now) {
				w.now = d.At
			}
			w.DeliverDue(d.User, id, kind)
			return
		}
	}
	w.fatalf("contract %s plans no %s at %s", id, kind, w.now)
}

// DeliverDue delivers a due item now, whatever the contract's plan says.
func (w *World) DeliverDue(user, id string, kind contract.DueKind) {
	w.t.Helper()
	w.Logf("-> %s: %s comes due for %s\n", w.now.Format("Mon 2 Jan 15:04"), kind, w.name(user))
	w.Do(conversation.Input{Kind: conversation.DueInput, User: user, DueKind: string(kind), Contract: id})
}

// DigestDue delivers user's digest now, as the scheduler does.
func (w *World) DigestDue(user string) {
	w.t.Helper()
	w.Logf("-> %s: the digest comes due for %s\n", w.now.Format("Mon 2 Jan 15:04"), w.name(user))
	w.Do(conversation.Input{Kind: conversation.DueInput, User: user, DueKind: string(contract.DueDigest)})
}

// Latest is the newest message user sees, as it is now.
func (w *World) Latest(user string) Posted {
	w.t.Helper()
	box := w.Platform.Messages(user)
	if len(box) == 0 {
		w.fatalf("%s has no messages", user)
	}
	return box[len(box)-1]
}

// Find is the newest message user sees with a button labelled so; zero
// when there is none.
func (w *World) Find(user, label string) Posted {
	box := w.Platform.Messages(user)
	for i := len(box) - 1; i >= 0; i-- {
		for _, b := range messagetest.Buttons(box[i].Message) {
			if b.Label == label {
				return box[i]
			}
		}
	}
	return Posted{}
}

func (w *World) key(user string) storage.UserKey {
	return storage.UserKey{Platform: PlatformName, Team: Team, User: user}
}

// Session is user's stored session.
func (w *World) Session(user string) conversation.Session {
	w.t.Helper()
	snap, err := w.store.Load(context.Background(), w.key(user), "", "")
	if err != nil {
		w.fatalf("load the session of %s: %v", user, err)
	}
	sess := conversation.Session{User: user}
	if snap.Session != nil {
		if err := json.Unmarshal(snap.Session, &sess); err != nil {
			w.fatalf("decode the session of %s: %v", user, err)
		}
	}
	return sess
}

// Contract is a stored contract, with its revision.
func (w *World) Contract(id string) *contract.Contract {
	w.t.Helper()
	data, rev, err := w.store.Contract(context.Background(), id)
	if err != nil {
		w.fatalf("contract %s: %v", id, err)
	}
	c := new(contract.Contract)
	if err := json.Unmarshal(data, c); err != nil {
		w.fatalf("decode contract %s: %v", id, err)
	}
	c.Rev = rev
	return c
}

// Contracts are every stored contract, oldest first, whoever they belong
// to.
func (w *World) Contracts() []*contract.Contract {
	w.t.Helper()
	out := make([]*contract.Contract, 0, len(w.created))
	for _, id := range w.created {
		out = append(out, w.Contract(id))
	}
	return out
}

// Store replaces a stored contract, as another process would: c.Rev must
// be the stored revision.
func (w *World) Store(c *contract.Contract) {
	w.t.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		w.fatalf("encode contract %s: %v", c.ID, err)
	}
	var users []storage.UserKey
	for _, u := range c.Parties() {
		users = append(users, w.key(u))
	}
	err = w.store.Store.Save(context.Background(), storage.TurnWrite{User: w.key(c.Learner), Contract: &storage.ContractWrite{ID: c.ID, Data: data, Rev: c.Rev, Users: users}})
	if err != nil {
		w.fatalf("store contract %s: %v", c.ID, err)
	}
}

// Set is the learning set of a channel.
func (w *World) Set(channel string) learningset.Set {
	w.t.Helper()
	data, _, err := w.store.Doc(context.Background(), learningset.Key(PlatformName, Team, channel))
	if err != nil {
		w.fatalf("learning set %s: %v", channel, err)
	}
	var s learningset.Set
	if err := json.Unmarshal(data, &s); err != nil {
		w.fatalf("decode learning set %s: %v", channel, err)
	}
	return s
}

// observed is the World's store: it notes the contracts and sessions each
// turn saves and the changes to learning sets, for the transcript.
type observed struct {
	storage.Store
	storage.Docs
	w *World
}

func (s *observed) Save(ctx context.Context, w storage.TurnWrite) error {
	if err := s.Store.Save(ctx, w); err != nil {
		return err
	}
	if w.Session == nil {
		return nil // a change outside the turn's dialog, such as where a draft was posted
	}
	t := &s.w.turn
	t.session = w.Session
	if c := w.Contract; c != nil {
		saved := new(contract.Contract)
		if err := json.Unmarshal(c.Data, saved); err != nil {
			return fmt.Errorf("decode the contract saved: %w", err)
		}
		t.Saved = saved
		if c.Rev == 0 {
			s.w.created = append(s.w.created, c.ID)
		}
	}
	return nil
}

func (s *observed) PutDoc(ctx context.Context, key string, data []byte, rev int64) (int64, error) {
	channel, isSet := strings.CutPrefix(key, learningset.Key(PlatformName, Team, ""))
	if !isSet {
		return s.Docs.PutDoc(ctx, key, data, rev)
	}
	var before *learningset.Set
	old, _, err := s.Docs.Doc(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		before = new(learningset.Set)
		if err := json.Unmarshal(old, before); err != nil {
			return 0, fmt.Errorf("decode learning set %s: %w", channel, err)
		}
	}
	n, err := s.Docs.PutDoc(ctx, key, data, rev)
	if err != nil {
		return n, err
	}
	var after learningset.Set
	if err := json.Unmarshal(data, &after); err != nil {
		return n, fmt.Errorf("decode learning set %s: %w", channel, err)
	}
	s.w.turn.SetChanges++
	s.w.Logf("   (learning set #%s: %s)\n", strings.ToLower(channel), describeChange(before, after))
	return n, nil
}

// describeChange says what changed in a learning set: created, who was
// asked (in the order they were), who declined, the number of reviewers,
// who is away until when.
func describeChange(before *learningset.Set, after learningset.Set) string {
	var parts []string
	old := learningset.Set{}
	if before == nil {
		parts = append(parts, "created")
	} else {
		old = *before
	}
	members := slices.Sorted(maps.Keys(after.Members))
	var asked []string
	for seq := old.Seq + 1; seq <= after.Seq; seq++ {
		for _, u := range members {
			if after.Members[u].Last == seq {
				asked = append(asked, u)
			}
		}
	}
	if len(asked) > 0 {
		parts = append(parts, "asked "+strings.Join(asked, ", "))
	}
	for _, u := range members {
		if !after.Members[u].Declined.Equal(old.Members[u].Declined) {
			parts = append(parts, u+" declined")
		}
	}
	if after.Reviewers != old.Reviewers {
		parts = append(parts, fmt.Sprintf("%d reviewers", after.Reviewers))
	}
	for _, u := range members {
		if until := after.Members[u].AwayUntil; !until.Equal(old.Members[u].AwayUntil) {
			parts = append(parts, u+" away until "+until.Format(time.DateOnly))
		}
	}
	if len(parts) == 0 {
		return "nobody asked"
	}
	return strings.Join(parts, "; ")
}

package scheduler_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/scheduler"
)

// zonedDMs is a platform whose users live in time zones, recording each
// message with the time (by the test's clock) it was sent or updated.
type zonedDMs struct {
	now   func() time.Time
	zones map[string]*time.Location
	mu    sync.Mutex
	msgs  []dm
	seq   int
}

type dm struct {
	user string
	at   time.Time
	ref  conversation.MessageRef
	m    message.Message
}

var (
	_ bot.Platform = (*zonedDMs)(nil)
	_ bot.Locator  = (*zonedDMs)(nil)
)

func (p *zonedDMs) Name() string { return "slack" }
func (p *zonedDMs) SendDM(_ context.Context, user string, m message.Message) (conversation.MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	ref := conversation.MessageRef{Channel: "D" + user, TS: time.Duration(p.seq).String()}
	p.msgs = append(p.msgs, dm{user: user, at: p.now(), ref: ref, m: m})
	return ref, nil
}
func (p *zonedDMs) Post(ctx context.Context, channel string, m message.Message) (conversation.MessageRef, error) {
	return p.SendDM(ctx, strings.TrimPrefix(channel, "D"), m)
}
func (p *zonedDMs) Update(_ context.Context, ref conversation.MessageRef, m message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.msgs {
		if p.msgs[i].ref == ref {
			p.msgs[i].m = m
		}
	}
	return nil
}
func (p *zonedDMs) Ephemeral(_ context.Context, channel, user string, m message.Message) error {
	return nil
}
func (p *zonedDMs) OpenModal(context.Context, string, message.Modal) error { return nil }
func (p *zonedDMs) Location(_ context.Context, user string) *time.Location {
	if l := p.zones[user]; l != nil {
		return l
	}
	return time.UTC
}

// since returns the messages user got after i messages in all (and how
// many there are now).
func (p *zonedDMs) since(i int, user string) ([]dm, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []dm
	for _, d := range p.msgs[i:] {
		if d.user == user {
			out = append(out, d)
		}
	}
	return out, len(p.msgs)
}

// button finds the newest button with the label on user's messages.
func (p *zonedDMs) button(t *testing.T, user, label string) (message.Button, conversation.MessageRef) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.msgs) - 1; i >= 0; i-- {
		if p.msgs[i].user != user {
			continue
		}
		for _, b := range messagetest.Buttons(p.msgs[i].m) {
			if b.Label == label {
				return b, p.msgs[i].ref
			}
		}
	}
	var all []string
	for _, m := range p.msgs {
		if m.user == user {
			all = append(all, messagetest.Text(m.m))
		}
	}
	t.Fatalf("%s has no button %q:\n%s", user, label, strings.Join(all, "\n---\n"))
	return message.Button{}, conversation.MessageRef{}
}

// TestSupportSpell walks a weekly contract through a bad spell with the
// scheduler and the engine on one store: a Behind check-in, then a Blocked
// one and a request for help. The learner is in London, the approver in
// Sydney. The approver hears of the Blocked check-in and the request for
// help in their next working hours, not before, together; the Monday
// digest lists the learner as behind, then blocked; each answer the
// approver gives (from the alert, from the digest) reaches the learner.
func TestSupportSpell(t *testing.T) {
	store := fullStores["embedded"](t)
	clk := newClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // a Monday
	p := &zonedDMs{now: clk.Now, zones: map[string]*time.Location{learner: zone(t, "Europe/London"), manager: zone(t, "Australia/Sydney")}}
	e := newEngine(t, store, "", clk.Now)
	s, err := scheduler.New(scheduler.Config{Due: store, Handler: e, Platforms: map[string]bot.Platform{"slack": p}, Now: clk.Now, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	handle := func(in conversation.Input) {
		t.Helper()
		if err := e.Handle(context.Background(), bot.Turn{Platform: p, Team: team, Input: in}); err != nil {
			t.Fatal(err)
		}
	}
	click := func(user, label string) {
		t.Helper()
		b, ref := p.button(t, user, label)
		handle(conversation.Input{Kind: conversation.ActionInput, User: user, Channel: "D" + user, ActionID: b.ActionID, Value: b.Value, Source: ref})
	}
	say := func(text string) {
		t.Helper()
		handle(conversation.Input{Kind: conversation.TextInput, User: learner, Channel: "D" + learner, Text: text})
	}
	seen := 0
	// sweepTo sweeps at every quarter hour up to until and returns what
	// the approver and the learner got meanwhile.
	sweepTo := func(until time.Time) (toApprover, toLearner []dm) {
		t.Helper()
		from := seen
		for at := clk.Now(); at.Before(until); at = at.Add(15 * time.Minute) {
			clk.Set(at)
			sweep(t, s)
		}
		clk.Set(until)
		sweep(t, s)
		toApprover, _ = p.since(from, manager)
		toLearner, seen = p.since(from, learner)
		return toApprover, toLearner
	}
	text := func(ds []dm) string {
		var b []string
		for _, d := range ds {
			b = append(b, d.at.UTC().Format("Mon 15:04")+" "+messagetest.Text(d.m))
		}
		return strings.Join(b, "\n---\n")
	}

	ready(t, store, "c1", learner, manager, clk.Now())
	handle(send(learner, "c1"))
	click(manager, "Approve & sign")
	sweepTo(clk.Now())

	// Week 1: Behind. No alert: the digest tells.
	_, got := sweepTo(time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC))
	if !strings.Contains(text(got), "Time for a quick check-in") {
		t.Fatalf("no check-in on Monday 9 March:\n%s", text(got))
	}
	click(learner, "Behind")
	say("Two of the reviews I meant to shadow were cancelled")
	say("Book two more with Ana")
	// The Monday digest waits for Sydney's morning: Mon 22:00 UTC.
	toMo, _ := sweepTo(time.Date(2026, 3, 9, 21, 59, 0, 0, time.UTC))
	if len(toMo) != 0 {
		t.Fatalf("the approver got messages outside their working hours:\n%s", text(toMo))
	}
	toMo, _ = sweepTo(time.Date(2026, 3, 9, 22, 0, 0, 0, time.UTC))
	if d := text(toMo); len(toMo) != 1 || !strings.Contains(d, "Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Behind") {
		all, _ := p.since(0, manager)
		t.Fatalf("the approver's Tuesday morning:\n%s\nall:\n%s", d, text(all))
	}
	// Mo answers the Behind check-in from the digest.
	click(manager, "Reply")
	b, _ := p.button(t, manager, "Reply")
	v, err := conversation.ParseActionValue(b.Value)
	if err != nil || !v.Digest {
		t.Fatalf("the digest's reply button carries %+v, %v", v, err)
	}
	handle(conversation.Input{Kind: conversation.SubmitInput, User: manager, CallbackID: conversation.CallbackReplyCheckIn,
		PrivateData: b.Value, Form: map[string]string{conversation.FieldReply: "Ana has two more on Thursday."}})
	_, got = sweepTo(clk.Now())
	if d := text(got); len(got) != 1 || !strings.Contains(d, "@UMO answered your check-in on “Running design reviews” (Mon 9 Mar 2026, Behind):\nAna has two more on Thursday.") {
		t.Fatalf("the learner's answer:\n%s", d)
	}

	// Week 2: Blocked at 11:00 London, and a request for help.
	_, got = sweepTo(time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC))
	if !strings.Contains(text(got), "Time for a quick check-in") {
		t.Fatalf("no check-in on Monday 16 March:\n%s", text(got))
	}
	click(learner, "Blocked")
	say("skip")
	say("No team I know runs design reviews right now")
	click(learner, "Ask my manager for help")
	say("Could you introduce me to a team that runs them?")
	// Sydney is asleep (22:00 there): the news waits for its morning,
	// with the digest.
	toMo, _ = sweepTo(time.Date(2026, 3, 16, 21, 59, 0, 0, time.UTC))
	if len(toMo) != 0 {
		t.Fatalf("the approver got messages outside their working hours:\n%s", text(toMo))
	}
	toMo, _ = sweepTo(time.Date(2026, 3, 16, 22, 0, 0, 0, time.UTC))
	d := text(toMo)
	if len(toMo) != 2 {
		t.Fatalf("the approver's Tuesday morning: %d messages, want the news and the digest:\n%s", len(toMo), d)
	}
	for _, want := range []string{
		"@ULEE could use a hand with “Running design reviews”.\nTheir note: Could you introduce me to a team that runs them?\nLatest check-in (Mon 16 Mar 2026): Blocked",
		"What's next: No team I know runs design reviews right now",
		"Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Blocked (Mon 16 Mar 2026)",
		"asked you for a hand (Mon 16 Mar 2026)",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("the approver's Tuesday morning lacks %q:\n%s", want, d)
		}
	}
	for _, m := range toMo {
		if local := m.at.In(p.zones[manager]); local.Hour() < 9 || local.Hour() >= 17 {
			t.Errorf("sent at %s in Sydney", local)
		}
		if m.at.Sub(time.Date(2026, 3, 16, 11, 5, 0, 0, time.UTC)) > 24*time.Hour {
			t.Errorf("sent more than a day after the learner asked: %s", m.at)
		}
	}
	// Mo offers to talk, from the news.
	click(manager, "Let's talk")
	_, got = sweepTo(clk.Now())
	if d := text(got); len(got) != 1 || !strings.Contains(d, "@UMO would like to talk about your check-in on “Running design reviews” (Mon 16 Mar 2026, Blocked)") {
		t.Fatalf("the learner's answer:\n%s", d)
	}
	// Told once: nothing more to the approver until the next digest.
	toMo, _ = sweepTo(time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC))
	if len(toMo) != 0 {
		t.Errorf("the approver was told again:\n%s", text(toMo))
	}
	c := stored(t, store, "c1")
	if len(c.Replies) != 2 || c.Replies[0].CheckIn != 0 || c.Replies[0].Text == "" || c.Replies[1].CheckIn != 1 || !c.Replies[1].Talk {
		t.Errorf("replies %+v", c.Replies)
	}
	if n := c.SentCount(contract.DueSupport); n != 1 {
		t.Errorf("the approver's news went out %d times, want once", n)
	}
}

package conversation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
)

// sim runs scripted turns the way the engine does: it loads the session and
// the contract an input refers to, runs Step, saves both as JSON (checking
// the contract's revision) and delivers the effects to per-user inboxes.
// SampleMessages and the transcript tests are built on it. When log is set,
// it writes a readable transcript of every turn.
type sim struct {
	now   time.Time
	names map[string]string // user id → name, for transcripts
	log   *strings.Builder

	ids       int
	ts        int
	triggers  int
	contracts map[string]simRecord
	created   []string // contract ids in creation order
	sessions  map[string][]byte
	inbox     map[string][]posted
	modals    map[string]message.Modal
	last      []Effect // effects of the latest turn
	err       error    // the first failure; later turns are skipped

	// Channels: their members, posts, learning sets and the threads of
	// shared drafts (root ts → contract id).
	members  map[string][]string
	channel  map[string][]posted
	sets     map[string]learningset.Set
	threads  map[string]string
	setOrder []string
}

type simRecord struct {
	data []byte
	rev  int64
}

// posted is a message in someone's DM, or shown only to them (no ref).
type posted struct {
	ref MessageRef
	msg message.Message
}

func newSim(now time.Time, names map[string]string) *sim {
	return &sim{
		now: now, names: names,
		contracts: map[string]simRecord{}, sessions: map[string][]byte{},
		inbox: map[string][]posted{}, modals: map[string]message.Modal{},
		members: map[string][]string{}, channel: map[string][]posted{},
		sets: map[string]learningset.Set{}, threads: map[string]string{},
	}
}

// addChannel adds a shared channel with its members (names are kept
// without '#').
func (s *sim) addChannel(id string, members ...string) { s.members[id] = members }

// views are the learning sets as the engine loads them for a turn.
func (s *sim) views(channel string) []learningset.View {
	var out []learningset.View
	for _, ch := range s.setOrder {
		out = append(out, learningset.View{Set: s.sets[ch], Exists: true, Members: slices.Clone(s.members[ch])})
	}
	if _, isSet := s.sets[channel]; !isSet {
		if ms, ok := s.members[channel]; ok {
			out = append(out, learningset.View{Set: learningset.Set{Platform: "slack", Team: "T1", Channel: channel, Name: strings.ToLower(channel)}, Members: slices.Clone(ms)})
		}
	}
	return out
}

func (s *sim) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
}

func (s *sim) name(user string) string {
	if n, ok := s.names[user]; ok {
		return n
	}
	return user
}

func (s *sim) logf(format string, args ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, format, args...)
	}
}

func (s *sim) contract(id string) *contract.Contract {
	r, ok := s.contracts[id]
	if !ok {
		return nil
	}
	c := new(contract.Contract)
	if err := json.Unmarshal(r.data, c); err != nil {
		s.fail("decode contract %s: %v", id, err)
		return nil
	}
	c.Rev = r.rev
	return c
}

func (s *sim) session(user string) Session {
	sess := Session{User: user}
	if data, ok := s.sessions[user]; ok {
		if err := json.Unmarshal(data, &sess); err != nil {
			s.fail("decode session of %s: %v", user, err)
		}
	}
	return sess
}

// do runs one turn.
func (s *sim) do(in Input) Result {
	if s.err != nil {
		return Result{}
	}
	sess := s.session(in.User)
	id := ContractOf(in)
	if id == "" {
		id = sess.ContractID
	}
	env := Env{Now: s.now, Platform: "slack", Team: "T1", Location: time.UTC, BotUser: "UBOT",
		NewID: func() string { s.ids++; return fmt.Sprintf("c%d", s.ids) }}
	if NeedsList(sess, in) {
		for _, cid := range s.created {
			if c := s.contract(cid); c != nil && slices.Contains(c.Parties(), in.User) {
				env.Contracts = append(env.Contracts, c)
			}
		}
	}
	if NeedsSets(sess, in) {
		env.Sets = s.views(in.Channel)
	}
	res := Step(env, sess, s.contract(id), in)
	if res.Session.User != in.User {
		s.fail("session of %s came back for %q", in.User, res.Session.User)
	}
	res.Session.UpdatedAt = s.now
	data, err := json.Marshal(res.Session)
	if err != nil {
		s.fail("encode session: %v", err)
	}
	s.sessions[in.User] = data
	if c := res.Contract; c != nil {
		stored, exists := s.contracts[c.ID]
		if c.Rev != stored.rev || (!exists && c.Rev != 0) {
			s.fail("contract %s saved at rev %d, stored rev is %d", c.ID, c.Rev, stored.rev)
		}
		data, err := json.Marshal(c)
		if err != nil {
			s.fail("encode contract: %v", err)
		}
		if !exists {
			s.created = append(s.created, c.ID)
		}
		s.contracts[c.ID] = simRecord{data: data, rev: stored.rev + 1}
	}
	s.last = res.Effects
	for _, ef := range res.Effects {
		s.deliver(in, ef)
	}
	if c := res.Contract; c != nil {
		s.logf("   (saved contract %s: %s, version %d)\n", c.ID, c.Status, c.Version)
	}
	if len(res.Effects) == 0 && res.Contract == nil {
		s.logf("   (nothing happens)\n")
	}
	if res.Session.State != sess.State {
		state := string(res.Session.State)
		if state == "" {
			state = "idle"
		}
		s.logf("   (%s's step: %s)\n", s.name(in.User), state)
	}
	s.logf("\n")
	return res
}

func (s *sim) post(user string, m message.Message) MessageRef {
	s.ts++
	ref := MessageRef{Channel: "D" + user, TS: fmt.Sprintf("1700000000.%06d", s.ts)}
	s.inbox[user] = append(s.inbox[user], posted{ref: ref, msg: m})
	return ref
}

func (s *sim) deliver(in Input, ef Effect) {
	switch ef := ef.(type) {
	case Reply:
		s.post(in.User, ef.Message)
		s.logf("<- reply to %s (#%d):\n%s", s.name(in.User), s.ts, renderMessage(ef.Message))
	case Send:
		s.post(ef.User, ef.Message)
		s.logf("<- message to %s (#%d):\n%s", s.name(ef.User), s.ts, renderMessage(ef.Message))
	case Ephemeral:
		s.inbox[in.User] = append(s.inbox[in.User], posted{msg: ef.Message})
		s.logf("<- only %s sees:\n%s", s.name(in.User), renderMessage(ef.Message))
	case Update:
		for user, box := range s.inbox {
			for i := range box {
				if ef.Ref.TS != "" && box[i].ref == ef.Ref {
					box[i].msg = ef.Message
					s.logf("<- %s's message #%s is updated:\n%s", s.name(user), seqOf(ef.Ref), renderMessage(ef.Message))
					return
				}
			}
		}
		s.logf("<- (no message to update at %q)\n", ef.Ref.TS)
	case OpenModal:
		s.modals[in.User] = ef.Modal
		s.logf("<- a form opens for %s:\n%s", s.name(in.User), renderModal(ef.Modal))
	case Post:
		s.ts++
		ref := MessageRef{Channel: ef.Channel, TS: fmt.Sprintf("1700000000.%06d", s.ts)}
		s.channel[ef.Channel] = append(s.channel[ef.Channel], posted{ref: ref, msg: ef.Message})
		where := "#" + strings.ToLower(ef.Channel)
		if ef.Thread != "" {
			where += " in the thread of #" + seqOf(MessageRef{TS: ef.Thread})
		}
		s.logf("<- post in %s (#%d):\n%s", where, s.ts, renderMessage(ef.Message))
		if sh := ef.Shared; sh != nil {
			s.threads[ref.TS] = sh.Contract
			if c := s.contract(sh.Contract); c != nil {
				c.Posted(sh.Round, ref.TS)
				data, _ := json.Marshal(c)
				s.contracts[c.ID] = simRecord{data: data, rev: s.contracts[c.ID].rev + 1}
			}
		}
	case SetChange:
		set, ok := s.sets[ef.Channel]
		if !ok {
			if ef.Create == nil {
				s.fail("change of %s, which is not a learning set", ef.Channel)
				return
			}
			set = *ef.Create
			s.setOrder = append(s.setOrder, ef.Channel)
		}
		set.Apply(ef.Change, s.now)
		s.sets[ef.Channel] = set
		s.logf("   (learning set #%s: %s)\n", strings.ToLower(ef.Channel), describeChange(ef))
	default:
		s.fail("unknown effect %T", ef)
	}
}

func describeChange(ef SetChange) string {
	var parts []string
	if ef.Create != nil {
		parts = append(parts, "created")
	}
	c := ef.Change
	if len(c.Assign) > 0 {
		parts = append(parts, "asked "+strings.Join(c.Assign, ", "))
	}
	if c.Decline != "" {
		parts = append(parts, c.Decline+" declined")
	}
	if c.Reviewers > 0 {
		parts = append(parts, fmt.Sprintf("%d reviewers", c.Reviewers))
	}
	if c.Away != "" {
		parts = append(parts, c.Away+" away until "+c.AwayUntil.Format(time.DateOnly))
	}
	if len(parts) == 0 {
		return "nobody asked"
	}
	return strings.Join(parts, "; ")
}

// inChannel runs "/contract args" in a channel.
func (s *sim) inChannel(user, channel, args string) Result {
	s.logf("-> %s runs in #%s: /contract %s\n", s.name(user), strings.ToLower(channel), args)
	return s.do(Input{Kind: CommandInput, User: user, Channel: channel, Text: args})
}

// joined tells the bot it was added to a channel.
func (s *sim) joined(inviter, channel string) Result {
	s.logf("-> %s adds the bot to #%s\n", s.name(inviter), strings.ToLower(channel))
	return s.do(Input{Kind: JoinInput, User: inviter, Channel: channel})
}

// clickInChannel presses the button with the label on the newest post of
// the channel that has one.
func (s *sim) clickInChannel(user, channel, label string) Result {
	if s.err != nil {
		return Result{}
	}
	posts := s.channel[channel]
	for i := len(posts) - 1; i >= 0; i-- {
		for _, b := range buttonsOf(posts[i].msg) {
			if b.Label == label {
				s.triggers++
				s.logf("-> %s clicks [%s] on #%s's message #%s\n", s.name(user), label, strings.ToLower(channel), seqOf(posts[i].ref))
				return s.do(Input{Kind: ActionInput, User: user, Channel: channel, ActionID: b.ActionID,
					Value: b.Value, Source: posts[i].ref, TriggerID: fmt.Sprintf("trigger-%d", s.triggers)})
			}
		}
	}
	s.fail("#%s has no button %q", channel, label)
	return Result{}
}

// replyInThread answers in the thread of the channel's newest shared draft,
// as the engine does: the thread names the contract.
func (s *sim) replyInThread(user, channel, text string) Result {
	var root string
	for _, p := range s.channel[channel] {
		if _, ok := s.threads[p.ref.TS]; ok {
			root = p.ref.TS
		}
	}
	return s.replyUnder(user, channel, root, text)
}

// replyUnder replies in the thread under root.
func (s *sim) replyUnder(user, channel, root, text string) Result {
	s.logf("-> %s replies in the thread of #%s: %s\n", s.name(user), seqOf(MessageRef{TS: root}), text)
	id, ok := s.threads[root]
	if !ok {
		s.logf("   (not a shared draft's thread: nothing happens)\n\n")
		return Result{}
	}
	return s.do(Input{Kind: ThreadInput, User: user, Channel: channel, Thread: root, Text: text,
		Value: ActionValue{ContractID: id}.Encode()})
}

func seqOf(ref MessageRef) string {
	_, n, _ := strings.Cut(ref.TS, ".")
	return strings.TrimLeft(n, "0")
}

// say types text in the user's DM with the bot.
func (s *sim) say(user, text string) Result {
	s.logf("-> %s types: %s\n", s.name(user), strings.ReplaceAll(text, "\n", " ⏎ "))
	return s.do(Input{Kind: TextInput, User: user, Channel: "D" + user, Text: text})
}

// command runs "/contract args".
func (s *sim) command(user, args string) Result {
	s.logf("-> %s runs: /contract %s\n", s.name(user), args)
	return s.do(Input{Kind: CommandInput, User: user, Channel: "D" + user, Text: args})
}

// click presses the button with the label on the newest message of the
// user's that has one.
func (s *sim) click(user, label string) Result {
	return s.clickWhere(user, label, func(b message.Button) bool { return b.Label == label })
}

// clickID presses the newest button with the action id.
func (s *sim) clickID(user string, id ActionID) Result {
	return s.clickWhere(user, string(id), func(b message.Button) bool { return b.ActionID == string(id) })
}

func (s *sim) clickWhere(user, what string, match func(message.Button) bool) Result {
	if s.err != nil {
		return Result{}
	}
	box := s.inbox[user]
	for i := len(box) - 1; i >= 0; i-- {
		for _, b := range buttonsOf(box[i].msg) {
			if match(b) {
				return s.press(user, box[i], b)
			}
		}
	}
	s.fail("%s has no button %q", user, what)
	return Result{}
}

// latest is the newest message in the user's inbox, as it is now.
func (s *sim) latest(user string) posted {
	box := s.inbox[user]
	if len(box) == 0 {
		s.fail("%s has no messages", user)
		return posted{}
	}
	return box[len(box)-1]
}

// clickOn presses a button on a given copy of a message as user: someone
// else's card, or one that has since been replaced.
func (s *sim) clickOn(user string, p posted, label string) Result {
	for _, b := range buttonsOf(p.msg) {
		if b.Label == label {
			return s.press(user, p, b)
		}
	}
	s.fail("no button %q on that message", label)
	return Result{}
}

func (s *sim) press(user string, p posted, b message.Button) Result {
	if s.err != nil {
		return Result{}
	}
	s.triggers++
	where := "a private note"
	if p.ref.TS != "" {
		where = "message #" + seqOf(p.ref)
	}
	label := b.Label
	if p, ok := partByEdit(ActionID(b.ActionID)); ok && label == "Edit" {
		label += " " + p.name
	}
	s.logf("-> %s clicks [%s] on %s\n", s.name(user), label, where)
	return s.do(Input{Kind: ActionInput, User: user, Channel: "D" + user, ActionID: b.ActionID,
		Value: b.Value, Source: p.ref, TriggerID: fmt.Sprintf("trigger-%d", s.triggers)})
}

// submit fills in the user's open form (fields not given keep their initial
// value) and submits it.
func (s *sim) submit(user string, form map[string]string) Result {
	if s.err != nil {
		return Result{}
	}
	m, ok := s.modals[user]
	if !ok {
		s.fail("%s has no form open", user)
		return Result{}
	}
	delete(s.modals, user)
	values := map[string]string{}
	var changed []string
	for _, b := range m.Blocks {
		if in, ok := b.(message.Input); ok {
			values[in.ID] = in.Initial
			if v, ok := form[in.ID]; ok {
				values[in.ID] = v
				changed = append(changed, fmt.Sprintf("%s = %q", in.ID, v))
			}
		}
		if ch, ok := b.(message.Choice); ok {
			values[ch.ID] = strings.Join(ch.Initial, ",")
			if v, ok := form[ch.ID]; ok {
				values[ch.ID] = v
				changed = append(changed, fmt.Sprintf("%s = %q", ch.ID, v))
			}
		}
	}
	s.logf("-> %s submits %q with %s\n", s.name(user), m.Title, strings.Join(changed, ", "))
	return s.do(Input{Kind: SubmitInput, User: user, CallbackID: m.CallbackID, PrivateData: m.PrivateData, Form: values})
}

// due moves the clock to the time the contract's plan holds for the kind
// (when that is later) and delivers the item as the scheduler does.
func (s *sim) due(id string, kind contract.DueKind) Result {
	c := s.contract(id)
	if s.err != nil || c == nil {
		s.fail("no contract %s for %s", id, kind)
		return Result{}
	}
	for _, d := range c.Plan(s.now) {
		if d.Kind == kind {
			if d.At.After(s.now) {
				s.now = d.At
			}
			return s.deliverDue(d.User, id, kind)
		}
	}
	s.fail("contract %s plans no %s at %s", id, kind, s.now)
	return Result{}
}

// deliverDue delivers a due item now, whatever the contract's plan says.
func (s *sim) deliverDue(user, id string, kind contract.DueKind) Result {
	s.logf("-> %s: %s comes due for %s\n", s.now.Format("Mon 2 Jan 15:04"), kind, s.name(user))
	return s.do(Input{Kind: DueInput, User: user, DueKind: string(kind), Contract: id})
}

// digestDue delivers the user's digest now, as the scheduler does.
func (s *sim) digestDue(user string) Result {
	s.logf("-> %s: the digest comes due for %s\n", s.now.Format("Mon 2 Jan 15:04"), s.name(user))
	return s.do(Input{Kind: DueInput, User: user, DueKind: string(contract.DueDigest)})
}

// wait moves the clock on.
func (s *sim) wait(d time.Duration) {
	s.now = s.now.Add(d)
	s.logf("   (%s)\n\n", s.now.Format("Mon 2 Jan 15:04"))
}

// lastMessage is the newest message in the latest turn's effects of the
// given kind ("reply", "send", "update", "ephemeral").
func (s *sim) lastMessage(kind string) message.Message {
	for i := len(s.last) - 1; i >= 0; i-- {
		switch ef := s.last[i].(type) {
		case Reply:
			if kind == "reply" {
				return ef.Message
			}
		case Send:
			if kind == "send" {
				return ef.Message
			}
		case Update:
			if kind == "update" {
				return ef.Message
			}
		case Ephemeral:
			if kind == "ephemeral" {
				return ef.Message
			}
		case Post:
			if kind == "post" {
				return ef.Message
			}
		}
	}
	s.fail("the latest turn sent no %s", kind)
	return message.Message{}
}

func buttonsOf(m message.Message) []message.Button {
	var out []message.Button
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case message.Actions:
			out = append(out, b.Buttons...)
		case message.Section:
			if b.Accessory != nil {
				out = append(out, *b.Accessory)
			}
		}
	}
	return out
}

// renderMessage writes a message as indented plain text: the text of each
// block, buttons in brackets (primary ones marked), the summary first.
func renderMessage(m message.Message) string {
	var b strings.Builder
	line := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			b.WriteString("     | " + l + "\n")
		}
	}
	line("(" + m.Summary + ")")
	renderBlocks(m.Blocks, line)
	return b.String()
}

func renderModal(m message.Modal) string {
	var b strings.Builder
	line := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			b.WriteString("     | " + l + "\n")
		}
	}
	line(fmt.Sprintf("[%s]  (submit: %s, close: %s)", m.Title, m.Submit, m.Close))
	renderBlocks(m.Blocks, line)
	return b.String()
}

func renderBlocks(bs []message.Block, line func(string)) {
	btn := func(b message.Button) string {
		if b.Style == message.Primary {
			return "[" + b.Label + "]*"
		}
		return "[" + b.Label + "]"
	}
	for _, bl := range bs {
		switch bl := bl.(type) {
		case message.Header:
			line("# " + bl.Text)
		case message.Section:
			s := bl.Text.String()
			if bl.Accessory != nil {
				s += "  " + btn(*bl.Accessory)
			}
			line(s)
		case message.Fields:
			for _, f := range bl.Fields {
				line(f.Label + ": " + f.Value.String())
			}
		case message.Context:
			line("~ " + bl.Text.String())
		case message.Divider:
			line("----")
		case message.Actions:
			var bb []string
			for _, b := range bl.Buttons {
				bb = append(bb, btn(b))
			}
			line(strings.Join(bb, " "))
		case message.Input:
			s := bl.Label
			if bl.Optional {
				s += " (optional)"
			}
			s += ": "
			if bl.Initial != "" {
				s += strings.ReplaceAll(bl.Initial, "\n", " / ")
			} else {
				s += "____"
			}
			line(s)
		case message.Choice:
			var opts []string
			for _, o := range bl.Options {
				mark := "( )"
				if bl.Multi {
					mark = "[ ]"
				}
				if slices.Contains(bl.Initial, o.Value) {
					mark = strings.Replace(strings.Replace(mark, " ", "x", 1), "( )", "(x)", 1)
				}
				opts = append(opts, mark+" "+o.Label)
			}
			line(bl.Label + ": " + strings.Join(opts, "  "))
		}
	}
}

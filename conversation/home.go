package conversation

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/library"
	"github.com/learnpact/learnpact/conversation/message"
)

// Home: the bot's home for a person (Slack's App Home tab, or `home` in a
// DM, the home card on Teams): the decisions and peer reviews waiting for
// them, their contracts with where each stands and what comes next, the
// contracts they support, their learning sets, and buttons to start.

// HomeInput says the person opened the bot's home (Slack's App Home tab).
const HomeInput InputKind = "home"

// PublishHome shows View as User's home (Slack's App Home tab). A platform
// without one leaves it.
type PublishHome struct {
	User string
	View message.Message
}

func (PublishHome) effect() {}

// How much each part of the home lists. Together (with a heading and an
// "and N more" line each) they keep a home well inside Slack's 100 blocks
// for a Home tab and Teams' 28 KB for a card, however many contracts a
// person has.
const (
	maxHomeWaiting   = 8
	maxHomeReviews   = 5
	maxHomeMine      = 8
	maxHomeSupported = 6
	maxHomeSets      = 10
	// HomeExamples is how many examples from the library a home shows.
	HomeExamples = 3
	maxHomeTitle = 150
)

// NeedsHome reports whether the turn shows the actor's home: it needs
// their contracts (NeedsList), the team's learning sets (NeedsSets) and
// the reviews waiting for them (Env.Reviews).
func NeedsHome(in Input) bool {
	c, _, ok := typedCommand(in)
	return in.Kind == HomeInput || ok && c.name == "home"
}

// onHome publishes the home of the person who opened it.
func (t *turn) onHome() {
	t.out = append(t.out, PublishHome{User: t.in.User, View: HomeView(t.in.User, t.env)})
}

// home answers `home` in a DM with the same view.
func (t *turn) home() { t.reply(HomeView(t.in.User, t.env)) }

// homePart is where a contract shows in a person's home.
type homePart int

const (
	homeNone      homePart = iota
	homeWaiting            // a decision, an assessment or a request for help waits for them
	homeReview             // their peer review of a shared draft
	homeMine               // their own contract
	homeSupported          // a contract they approve or advocate, nothing waiting
)

// homeItem is one contract as a person's home shows it.
type homeItem struct {
	part homePart
	// done says the contract is completed or withdrawn.
	done   bool
	line   text
	button message.Button
}

// HomeView is user's home, from env: Contracts (theirs as learner,
// approver or advocate), Reviews (contracts whose peer review may wait
// for them), Sets (the team's learning sets, to list theirs), Examples
// (from the library, like their latest contract: see ExamplesFor),
// Templates and Now.
func HomeView(user string, env Env) message.Message {
	parts := map[homePart][]homeItem{}
	seen := map[string]bool{}
	for _, c := range slices.Concat(env.Contracts, env.Reviews) {
		if c == nil || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if it := homeItemOf(c, user, env.Now); it.part != homeNone {
			parts[it.part] = append(parts[it.part], it)
		}
	}
	for _, p := range []homePart{homeWaiting, homeReview, homeMine, homeSupported} {
		// Newest first, so the cut keeps what is live.
		slices.Reverse(parts[p])
	}
	// Finished contracts go last.
	for _, p := range []homePart{homeMine, homeSupported} {
		slices.SortStableFunc(parts[p], func(a, b homeItem) int { return cmp.Compare(rank(a.done), rank(b.done)) })
	}

	bs := blocks{message.Header{Text: "Your learning contracts"}, homeButtons(env)}
	if w := parts[homeWaiting]; len(w) > 0 {
		bs = append(bs, message.Divider{}, section(bold("Waiting for you")))
		bs = append(bs, homeItems(w, maxHomeWaiting, listMore)...)
	}
	if r := parts[homeReview]; len(r) > 0 {
		bs = append(bs, message.Divider{}, section(bold("Peer reviews waiting for you")))
		bs = append(bs, homeItems(r, maxHomeReviews, txt(" — the others wait in your learning sets' threads"))...)
	}
	bs = append(bs, message.Divider{}, section(bold("Your contracts")))
	mine := parts[homeMine]
	switch {
	case len(mine) == 0 && len(seen) > 0:
		bs = append(bs, message.Context{Text: txt("None of your own yet.")})
	case len(mine) == 0:
		bs = append(bs, message.Context{Text: txt("None yet. Press ", bold("New contract"), " (or type ", code("new"), " in Messages) to draft one: a goal, how you'll learn it, and how you'll show it.")})
	}
	bs = append(bs, homeItems(mine, maxHomeMine, listMore)...)
	if s := parts[homeSupported]; len(s) > 0 {
		bs = append(bs, message.Divider{}, section(bold("Contracts you support")))
		bs = append(bs, homeItems(s, maxHomeSupported, listMore)...)
	}
	if env.Older > 0 {
		bs = append(bs, message.Context{Text: txt(fmt.Sprintf("and %d older — type ", env.Older), code("list"), " in Messages")})
	}
	bs = append(bs, homeSets(user, env.Sets)...)
	bs = append(bs, homeExamples(user, env.Examples)...)
	bs = append(bs, message.Divider{}, message.Context{Text: txt("Updated ", env.Now.UTC().Format("Mon 2 Jan 15:04 UTC"), ". Type ", code("help"), " in Messages for everything you can do.")})
	return msg("Your learning contracts", bs...)
}

// homeButtons are the ways to start a contract: blank, or from a
// template when there are templates.
func homeButtons(env Env) message.Actions {
	a := actions(button("New contract", ActionStartNew, "", message.Primary))
	if len(env.Templates.All()) > 0 {
		a.Buttons = append(a.Buttons, button("From a template", ActionFromTemplate, "", message.Default))
	}
	return a
}

// homeExamples shows a few examples from the library like the person's
// latest contract (never their own), or where to find some.
func homeExamples(user string, es []library.Example) blocks {
	bs := blocks{message.Divider{}, section(bold("Colleagues learned something similar"))}
	n := 0
	for _, e := range es {
		if n == HomeExamples || e.Learner != "" && e.Learner == user {
			continue
		}
		bs = append(bs, exampleLine(e))
		n++
	}
	if n == 0 {
		return blocks{message.Divider{}, message.Context{Text: txt("Looking for ideas? Type ", code("examples"), " and a topic in Messages (", code("examples design reviews"), ") to see contracts colleagues completed and chose to share.")}}
	}
	return append(bs, message.Context{Text: txt("For ideas, not to copy. Type ", code("examples"), " and a topic in Messages for more.")})
}

// homeSets lists the learning sets user is a member of.
func homeSets(user string, sets []learningset.View) blocks {
	var names []string
	for _, v := range sets {
		if v.Exists && v.Has(user) {
			names = append(names, clipString(v.Set.Label(), 80))
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	line := txt(bold("Your learning sets"), "\n")
	for i, n := range names {
		if i == maxHomeSets {
			line = append(line, txt(fmt.Sprintf(" and %d more", len(names)-maxHomeSets))...)
			break
		}
		if i > 0 {
			line = append(line, txt(" · ")...)
		}
		line = append(line, txt(n)...)
	}
	return blocks{message.Divider{}, section(line), message.Context{Text: txt("Share a draft there for peer feedback before it goes to your approver.")}}
}

// listMore says where contracts a home leaves out are listed.
var listMore = txt(" — type ", code("list"), " in Messages")

// homeItems shows up to max items, then how many more there are and, in
// more, where they are.
func homeItems(items []homeItem, max int, more text) blocks {
	var bs blocks
	for i, it := range items {
		if i == max {
			bs = append(bs, message.Context{Text: txt(fmt.Sprintf("and %d more", len(items)-max), more)})
			break
		}
		s := section(it.line)
		b := it.button
		s.Accessory = &b
		bs = append(bs, s)
	}
	return bs
}

// homeItemOf is c as user's home shows it; its part is homeNone when it
// does not show there.
func homeItemOf(c *contract.Contract, user string, now time.Time) homeItem {
	title := bold(clipString(titleOf(c.InForce()), maxHomeTitle))
	open := button("Open", ActionShowRecord, value(c), message.Default)
	switch {
	case user == "" || c.HiddenFrom(user):
		return homeItem{}
	case c.Learner == user:
		if editable(c.Status) {
			open = button("Open", ActionOpen, value(c), message.Default)
		}
		line := txt(title, "\n", statusLabelFor(c, user))
		if d := draftedText(c, user); len(d) > 0 {
			line = append(append(line, txt(" · ")...), d...)
		}
		if next := learnerNext(c, now); len(next) > 0 {
			line = append(line, txt(" · ")...)
			line = append(line, next...)
		}
		return homeItem{part: homeMine, done: finished(c), line: line, button: open}
	case c.Drafter() == user && editable(c.Status):
		line := append(txt(title, "\n", statusLabelFor(c, user), " · "), draftedText(c, user)...)
		line = append(line, txt(" · ", bold("yours to finish and send"))...)
		return homeItem{part: homeSupported, line: line, button: button("Open", ActionOpen, value(c), message.Default)}
	case c.Approver == user || c.Advocate == user:
		line := txt(title, "\n", statusLabelFor(c, user), " · ", at(c.Learner), "'s")
		if d := draftedText(c, user); len(d) > 0 {
			line = append(append(line, txt(" · ")...), d...)
		}
		if w := waitingFor(c, user); len(w) > 0 {
			b := button("Open", ActionShowRecord, value(c), message.Primary)
			if label, _, ok := decision(c, user); ok {
				b = button(label, ActionDecide, value(c), message.Primary)
			}
			return homeItem{part: homeWaiting, line: append(append(line, txt(" · ")...), w...), button: b}
		}
		if next := supporterNext(c, now); len(next) > 0 {
			line = append(line, txt(" · ")...)
			line = append(line, next...)
		}
		return homeItem{part: homeSupported, done: finished(c), line: line, button: open}
	case reviewWaits(c, user):
		line := txt(title, "\n", at(c.Learner), "'s draft, shared for peer feedback")
		if sh, ok := c.CurrentShare(); ok && !sh.At.IsZero() {
			line = append(line, txt(" on ", sh.At.Format("Mon 2 Jan"))...)
		}
		return homeItem{part: homeReview, line: line, button: button("Give feedback", ActionFeedback, value(c), message.Primary)}
	}
	return homeItem{}
}

func rank(done bool) int {
	if done {
		return 1
	}
	return 0
}

func finished(c *contract.Contract) bool {
	return c.Status == contract.Completed || c.Status == contract.Withdrawn
}

// reviewWaits reports whether user was asked to review c's draft in the
// current round and has not answered or declined.
func reviewWaits(c *contract.Contract, user string) bool {
	return c.Status == contract.InPeerReview && c.Learner != user && slices.Contains(c.Waiting(), user)
}

// waitingFor says what c waits for user (its approver or advocate) to do:
// sign a version, assess the work handed in, or answer a request for
// help; nil when nothing.
func waitingFor(c *contract.Contract, user string) text {
	switch c.Status {
	case contract.Proposed, contract.Renegotiating:
		if c.SignedBy(user, c.Version) {
			break
		}
		if c.Approver == user && c.Status == contract.Proposed {
			return txt(bold(fmt.Sprintf("version %d waits for your decision", c.Version)))
		}
		return txt(bold(fmt.Sprintf("version %d waits for your signature", c.Version)))
	case contract.Submitted:
		if c.Approver == user && !c.Assessed() {
			return txt(bold("handed in: yours to assess"))
		}
	}
	if c.Approver == user && helpWaiting(c) {
		return txt(bold("asked for your support: yours to answer"))
	}
	return nil
}

// helpWaiting reports whether the learner asked for a hand, or checked in
// as Blocked, since the approver last answered a check-in.
func helpWaiting(c *contract.Contract) bool {
	switch c.Status {
	case contract.Active, contract.Renegotiating, contract.Paused:
	default:
		return false
	}
	asked, ok := c.HelpAsked()
	if ci, found := c.LastCheckIn(); found && ci.Status == contract.Blocked && ci.At.After(asked) {
		asked, ok = ci.At, true
	}
	if !ok {
		return false
	}
	for _, r := range c.Replies {
		if r.By == c.Approver && !r.At.Before(asked) {
			return false
		}
	}
	return true
}

// learnerNext says what comes next for the learner of c.
func learnerNext(c *contract.Contract, now time.Time) text {
	switch c.Status {
	case contract.Draft:
		return txt(bold("yours to finish and send"))
	case contract.ChangesRequested:
		return txt(bold("yours to revise and send again"))
	case contract.InPeerReview:
		asked, answered := 0, 0
		for _, r := range c.RoundReviews() {
			switch r.Status {
			case contract.ReviewAnswered:
				asked, answered = asked+1, answered+1
			case contract.ReviewAsked:
				asked++
			}
		}
		return txt(fmt.Sprintf("%d of %d reviewers answered · ", answered, asked), bold("send it when you're ready"))
	case contract.Proposed, contract.Renegotiating:
		if r, ok := c.Revision(c.Version); ok && !c.SignedBy(c.Learner, c.Version) && r.ProposedBy == c.DraftedBy && r.Base == 0 {
			return txt(bold(fmt.Sprintf("version %d waits for your answer", c.Version)))
		}
		if !c.SignedBy(c.Learner, c.Version) {
			return txt(bold(fmt.Sprintf("changes to version %d wait for your answer", c.Version)))
		}
		x := txt(fmt.Sprintf("version %d waits for ", c.Version))
		x = append(x, mentions(c.AwaitingSignature())...)
		return append(x, txt("'s signature")...)
	case contract.Paused:
		return txt(bold("type "), code("resume"), bold(" to pick it up again"))
	case contract.Submitted:
		if c.Assessed() {
			return txt(bold("assessed: yours to reflect on and complete"))
		}
		return txt("handed in, waiting for ", at(c.Approver), "'s assessment")
	case contract.Completed:
		return completedNext(c, c.Learner, now)
	case contract.Active:
		if c.CheckInWaiting() {
			return txt(bold("a check-in waits for your answer"))
		}
	}
	return checkInNext(c, now)
}

// supporterNext says what comes next for c, as its approver or advocate
// sees it when nothing waits for them.
func supporterNext(c *contract.Contract, now time.Time) text {
	switch c.Status {
	case contract.Draft, contract.InPeerReview:
		return txt("not sent yet")
	case contract.ChangesRequested:
		return txt("sent back: waiting for the revision")
	case contract.Proposed, contract.Renegotiating:
		x := txt(fmt.Sprintf("version %d waits for ", c.Version))
		x = append(x, mentions(c.AwaitingSignature())...)
		return append(x, txt("'s signature")...)
	case contract.Submitted:
		if c.Assessed() {
			return txt("assessed: waiting for the reflection")
		}
		return txt("handed in, waiting for ", at(c.Approver), "'s assessment")
	case contract.Completed:
		return completedNext(c, c.Approver, now)
	}
	return checkInNext(c, now)
}

// checkInNext is an active contract's next check-in and deadline.
func checkInNext(c *contract.Contract, now time.Time) text {
	if c.Status != contract.Active && c.Status != contract.Renegotiating {
		return nil
	}
	var x text
	for _, d := range c.Plan(now) {
		if d.Kind == contract.DueCheckIn || d.Kind == contract.DueMidpoint {
			x = txt("next check-in ", d.At.Format("Mon 2 Jan"))
			break
		}
	}
	if dl := c.Deadline(); !dl.IsZero() {
		if len(x) > 0 {
			x = append(x, txt(" · ")...)
		}
		x = append(x, txt("due ", formatDate(dl))...)
	}
	return x
}

// completedNext is when a completed contract's next impact check-back
// asks user (its learner or approver) how it changed their work.
func completedNext(c *contract.Contract, user string, now time.Time) text {
	x := txt("completed ", formatDate(c.CompletedAt))
	for _, d := range c.Plan(now) {
		if d.User == user && (d.Kind == contract.DueImpact || d.Kind == contract.DueImpactApprover) {
			return append(x, txt(" · we'll ask how it changed the work on ", d.At.Format("Mon 2 Jan"))...)
		}
	}
	return x
}

// HomeAudience are the people whose homes show c: its learner, approver
// and advocate, and the reviewers of its current round.
func HomeAudience(c *contract.Contract) []string {
	if c == nil {
		return nil
	}
	out := c.Parties()
	for _, r := range c.RoundReviews() {
		if !slices.Contains(out, r.Reviewer) {
			out = append(out, r.Reviewer)
		}
	}
	return out
}

// HomeShows reports whether user's home shows c differently after a turn
// (before is nil for a new contract, after nil for none) at now.
func HomeShows(user string, before, after *contract.Contract, now time.Time) bool {
	var b, a homeItem
	if before != nil {
		b = homeItemOf(before, user, now)
	}
	if after != nil {
		a = homeItemOf(after, user, now)
	}
	return !reflect.DeepEqual(a, b)
}

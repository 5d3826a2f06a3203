package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/conversation/template"
	"github.com/learnpact/learnpact/storage/memory"
)

// homeText is the text of the home last published for user.
func homeText(t *testing.T, w *bottest.World, user string) string {
	t.Helper()
	m, ok := w.Platform.Home(user)
	if !ok {
		t.Fatalf("no home published for %s", user)
	}
	return messagetest.Text(m)
}

// wantHome checks that user's home shows each of want.
func wantHome(t *testing.T, w *bottest.World, user string, want ...string) {
	t.Helper()
	got := homeText(t, w, user)
	for _, s := range want {
		if !strings.Contains(got, s) {
			t.Errorf("%s's home lacks %q:\n%s", user, s, got)
		}
	}
}

// homesPublished counts the homes published for user in the latest turn.
func homesPublished(w *bottest.World, user string) int {
	n := 0
	for _, d := range w.Turn().Deliveries {
		if d.Kind == bottest.Home && d.User == user {
			n++
		}
	}
	return n
}

// TestTranscriptHome: the home shows the learner their contract and what
// comes next, and the approver the decision waiting for them; the homes
// of both, opened once, are refreshed after each step of the negotiation
// (draft, send, changes requested, revised and sent again, signed), and
// Sam's, which shows nothing of it, is not.
func TestTranscriptHome(t *testing.T) {
	w := newWorld(t, "Home: contracts, what waits for you and what comes next, refreshed as it changes")
	w.Say(sam, "home")
	w.OpenHome(lee)
	w.OpenHome(mo)
	w.OpenHome(sam)
	w.Say(lee, "new")
	w.Say(lee, "Running design reviews")
	wantHome(t, w, lee, "Running design reviews", "Draft, not sent yet · yours to finish and send")
	w.Quietly("Lee wrote goals, activities, evidence, criteria, deadline, cadence and named Mo", func() {
		w.Say(lee, "Run three design reviews using a checklist the team adopts")
		w.Click(lee, "Skip")
		w.Click(lee, "Done with goals")
		w.Say(lee, "Shadow Ana's reviews; read the Design Review Handbook")
		w.Say(lee, "A write-up of three reviews")
		w.Say(lee, "Two teammates use my checklist without help")
		w.Say(lee, "in 8 weeks")
		w.Click(lee, "Weekly")
		w.Say(lee, "<@UMO|mo>")
		w.SkipNotes(lee)
	})
	w.Click(lee, "Send to my manager")
	wantHome(t, w, lee, "Waiting for approval · version 1 waits for @UMO's signature")
	wantHome(t, w, mo, "Waiting for you", "@ULEE's · version 1 waits for your decision")
	w.Command(mo, "home")
	w.Click(mo, "Request changes")
	w.Submit(mo, map[string]string{conversation.FieldComments: "Add a demo to the team, please."})
	wantHome(t, w, lee, "Changes requested · yours to revise and send again")
	wantHome(t, w, mo, "Contracts you support", "sent back: waiting for the revision")
	if strings.Contains(homeText(t, w, mo), "Waiting for you") {
		t.Errorf("Mo's home still shows a decision waiting after asking for changes")
	}
	w.Click(lee, "Revise")
	w.ClickID(lee, conversation.ActionEditEvidence)
	w.Say(lee, "A write-up of three reviews; a demo to the team")
	w.Click(lee, "Send to my manager")
	wantHome(t, w, mo, "Waiting for you", "version 2 waits for your decision")
	w.Click(mo, "Approve & sign")
	wantHome(t, w, lee, "Active · next check-in Fri 22 Jan · due Fri 12 Mar 2027")
	if got := homeText(t, w, mo); strings.Contains(got, "Waiting for you") || !strings.Contains(got, "Contracts you support") {
		t.Errorf("Mo's home after signing:\n%s", got)
	}
	if _, ok := w.Platform.Home(sam); !ok {
		t.Fatal("Sam's home was not published when opened")
	}
	golden(t, w, "home")
}

// TestTranscriptHomeReviews: a draft shared with a learning set shows in
// the homes of the reviewers asked, with a button to give feedback; when
// a reviewer answers or declines, their home is refreshed without it, and
// the replacement's home shows it; the learner's home counts the answers
// and lists the learning set.
func TestTranscriptHomeReviews(t *testing.T) {
	w := reviewWorld(t, "Home: peer reviews waiting in a learning set")
	w.Quietly("Lee, Sam, Pat, Kai and Ana open their Homes", func() {
		for _, u := range []string{lee, sam, pat, kai, ana} {
			w.OpenHome(u)
		}
	})
	w.Quietly("Lee wrote a draft for Mo", func() { draftOnly(w) })
	w.Click(lee, "Share with my learning set")
	w.Submit(lee, nil)
	asked := w.Contract("c1").Waiting()
	if len(asked) != 2 {
		t.Fatalf("asked %v", asked)
	}
	for _, u := range asked {
		wantHome(t, w, u, "Peer reviews waiting for you", "Running design reviews", "@ULEE's draft, shared for peer feedback", "[Give feedback]*", "#cset")
	}
	wantHome(t, w, lee, "0 of 2 reviewers answered", "Your learning sets", "#cset")

	w.ClickInChannel(asked[0], "CSET", "Give feedback")
	w.Submit(asked[0], map[string]string{conversation.FieldSpecific: "Goal 1 is clear."})
	if got := homeText(t, w, asked[0]); strings.Contains(got, "Peer reviews") || strings.Contains(got, "Running design reviews") {
		t.Errorf("the home of %s, who answered, still shows the review:\n%s", asked[0], got)
	}
	wantHome(t, w, lee, "1 of 2 reviewers answered")

	w.ClickInChannel(asked[1], "CSET", "Not this week")
	if got := homeText(t, w, asked[1]); strings.Contains(got, "Peer reviews") {
		t.Errorf("the home of %s, who declined, still shows the review:\n%s", asked[1], got)
	}
	waiting := w.Contract("c1").Waiting()
	if len(waiting) != 1 || slices.Contains(asked, waiting[0]) {
		t.Fatalf("after the decline, waiting for %v", waiting)
	}
	wantHome(t, w, waiting[0], "Peer reviews waiting for you", "Running design reviews")
	wantHome(t, w, lee, "1 of 2 reviewers answered")

	// The replacement gives feedback from their home.
	home, _ := w.Platform.Home(waiting[0])
	w.ClickOn(waiting[0], bottest.Posted{Message: home}, "Give feedback")
	w.Submit(waiting[0], map[string]string{conversation.FieldSuggestion: "Ask Ana to observe one review."})
	if got := w.Contract("c1").Waiting(); len(got) != 0 {
		t.Errorf("after feedback from the home, still waiting for %v", got)
	}
	wantHome(t, w, lee, "2 of 2 reviewers answered")
	if got := homeText(t, w, waiting[0]); strings.Contains(got, "Peer reviews") {
		t.Errorf("the home of %s still shows the review after their feedback:\n%s", waiting[0], got)
	}
	for _, u := range []string{sam, pat, kai, ana} {
		if !slices.Contains(asked, u) && u != waiting[0] {
			if got := homeText(t, w, u); strings.Contains(got, "Running design reviews") {
				t.Errorf("%s, never asked, sees the draft:\n%s", u, got)
			}
		}
	}
	golden(t, w, "home_reviews")
}

// TestHomeNewLearningSet: when a channel becomes a learning set, the
// homes its members opened show it.
func TestHomeNewLearningSet(t *testing.T) {
	w := bottest.NewWorld(t, start)
	w.AddChannel("CSET", lee, sam)
	w.OpenHome(lee)
	w.Joined(lee, "CSET")
	w.ClickInChannel(sam, "CSET", "Make this a learning set")
	if n := homesPublished(w, lee); n != 1 {
		t.Fatalf("Lee's home published %d times when the set was made", n)
	}
	wantHome(t, w, lee, "Your learning sets", "#cset")
	if n := homesPublished(w, sam); n != 0 {
		t.Errorf("Sam, who never opened their home, had it published %d times", n)
	}
}

// TestHomeOneRefreshPerTurn: a turn refreshes each home that shows the
// change once, and no home that was not opened.
func TestHomeOneRefreshPerTurn(t *testing.T) {
	w := bottest.NewWorld(t, start)
	w.OpenHome(lee)
	draftAndSend(w)
	if n := homesPublished(w, lee); n != 1 {
		t.Errorf("sending published Lee's home %d times", n)
	}
	if n := homesPublished(w, mo); n != 0 {
		t.Errorf("Mo, who never opened their home, had it published %d times", n)
	}
	w.Say(lee, "status")
	if n := homesPublished(w, lee); n != 0 {
		t.Errorf("a turn that changed nothing published Lee's home %d times", n)
	}
}

// TestHomePublishFails: a failing views.publish neither fails the turn
// nor loses what it saved.
func TestHomePublishFails(t *testing.T) {
	w := bottest.NewWorld(t, start)
	w.OpenHome(lee)
	w.Platform.HomeError = errors.New("views.publish: ratelimited")
	draftAndSend(w) // fails the test if a turn fails
	w.OpenHome(lee)
	if c := w.Contract("c1"); c == nil || c.Status != "proposed" {
		t.Fatalf("contract after the failed publishes: %+v", c)
	}
}

// blockingHome is a platform whose PublishHome, once armed, waits for
// release; it keeps the text of every home published.
type blockingHome struct {
	*bottest.Platform
	mu        sync.Mutex
	armed     bool
	entered   chan struct{}
	release   chan struct{}
	published []string
}

func (p *blockingHome) PublishHome(_ context.Context, _ string, m message.Message) error {
	p.mu.Lock()
	wait := p.armed
	p.armed = false
	p.mu.Unlock()
	if wait {
		close(p.entered)
		<-p.release
	}
	p.mu.Lock()
	p.published = append(p.published, messagetest.Text(m))
	p.mu.Unlock()
	return nil
}

var _ bot.HomePublisher = (*blockingHome)(nil)

// TestHomeCoalesced: changes made while a person's home is being
// published cost one more publish, not one each, and it shows them all.
func TestHomeCoalesced(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.WithClock(func() time.Time { return start }))
	t.Cleanup(func() { s.Close() })
	e, err := bot.New(bot.Config{Store: s, Docs: s, Now: func() time.Time { return start }})
	if err != nil {
		t.Fatal(err)
	}
	p := &blockingHome{Platform: bottest.NewPlatform(), entered: make(chan struct{}), release: make(chan struct{})}
	say := func(text string) error {
		return e.Handle(ctx, bot.Turn{Platform: p, Team: bottest.Team, Input: conversation.Input{Kind: conversation.TextInput, User: lee, Channel: bottest.DM(lee), Text: text}})
	}
	if err := e.Handle(ctx, bot.Turn{Platform: p, Team: bottest.Team, Input: conversation.Input{Kind: conversation.HomeInput, User: lee}}); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.armed = true
	p.mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- say("new") }()
	<-p.entered // the draft's refresh is publishing
	for _, text := range []string{"Running design reviews", "Run three design reviews using a checklist the team adopts"} {
		if err := say(text); err != nil {
			t.Fatal(err)
		}
	}
	close(p.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.published) != 3 {
		t.Fatalf("%d homes published, want 3 (opened, the draft, once more for both changes after it)", len(p.published))
	}
	if last := p.published[2]; !strings.Contains(last, "Running design reviews") {
		t.Errorf("the last home does not show the latest change:\n%s", last)
	}
}

// TestHomeOpenedElsewhere: a home opened through one replica is refreshed
// by another after a change, until half an hour after it was opened.
func TestHomeOpenedElsewhere(t *testing.T) {
	ctx := context.Background()
	now := start
	clock := func() time.Time { return now }
	s := memory.New(memory.WithClock(clock))
	t.Cleanup(func() { s.Close() })
	replica := func() *bot.Engine {
		e, err := bot.New(bot.Config{Store: s, Docs: s, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b := replica(), replica()
	p := bottest.NewPlatform()
	turn := func(e *bot.Engine, in conversation.Input) {
		t.Helper()
		if err := e.Handle(ctx, bot.Turn{Platform: p, Team: bottest.Team, Input: in}); err != nil {
			t.Fatal(err)
		}
	}
	say := func(text string) conversation.Input {
		return conversation.Input{Kind: conversation.TextInput, User: lee, Channel: bottest.DM(lee), Text: text}
	}
	homes := func() int {
		n := 0
		for _, d := range p.Deliveries() {
			if d.Kind == bottest.Home {
				n++
			}
		}
		return n
	}
	turn(a, conversation.Input{Kind: conversation.HomeInput, User: lee})
	turn(b, say("new"))
	if n := homes(); n != 2 {
		t.Fatalf("%d homes published, want the one opened and the draft's, by the other replica", n)
	}
	now = now.Add(31 * time.Minute)
	turn(b, say("Running design reviews"))
	if n := homes(); n != 2 {
		t.Errorf("a home opened 31 minutes ago was refreshed: %d published", n)
	}

	// Replica b asked the store just now and heard of no recent opening:
	// it asks again only after bot.HomeRecheck, so a home opened through a
	// meanwhile is refreshed by b's changes from then on.
	turn(a, conversation.Input{Kind: conversation.HomeInput, User: lee})
	turn(b, say("edit title"))
	turn(b, say("Running better design reviews"))
	if n := homes(); n != 3 {
		t.Errorf("%d homes published; want the one opened, and none by b, which has just asked the store", n)
	}
	now = now.Add(bot.HomeRecheck)
	turn(b, say("edit title"))
	turn(b, say("Running design reviews well"))
	if n := homes(); n != 4 {
		t.Errorf("%d homes published; want b to refresh the home a opened, %v later", n, bot.HomeRecheck)
	}
}

// TestHomeExamples: a home shows examples from the library like the
// person's latest contract, without the learner's name when shared
// anonymously, never one's own, and none once its learner stops sharing
// it; without any, it says how to search.
func TestHomeExamples(t *testing.T) {
	w, _ := sharedWorld(t)
	samDrafts(w, "Design reviews for the platform team")
	w.OpenHome(sam)
	got := homeText(t, w, sam)
	if !strings.Contains(got, "Colleagues learned something similar") || !strings.Contains(got, "Running design reviews") || strings.Contains(got, "@ULEE") {
		t.Errorf("Sam's home does not show Lee's anonymous example as it should:\n%s", got)
	}
	w.OpenHome(lee)
	if got := homeText(t, w, lee); strings.Contains(got, "Colleagues learned") || !strings.Contains(got, "Type examples and a topic") {
		t.Errorf("Lee's home offers Lee's own contract as an example, or no pointer:\n%s", got)
	}
	w.Say(lee, "library")
	w.ClickID(lee, conversation.ActionShareNone)
	if c := w.Contract("c1"); c.Library != contract.NotShared {
		t.Fatalf("Lee's contract is still shared: %q", c.Library)
	}
	w.OpenHome(sam)
	if got := homeText(t, w, sam); strings.Contains(got, "Colleagues learned") {
		t.Errorf("Sam's home still shows an example no longer shared:\n%s", got)
	}
}

// TestHomeFromTemplate: with templates configured, From a template on the
// home starts a draft from one.
func TestHomeFromTemplate(t *testing.T) {
	lib, err := template.Load(template.Examples())
	if err != nil {
		t.Fatal(err)
	}
	w := bottest.NewWorld(t, start)
	w.Templates(lib)
	w.OpenHome(lee)
	home, _ := w.Platform.Home(lee)
	w.ClickOn(lee, bottest.Posted{Message: home}, "From a template")
	if got := lastText(w, lee); !strings.Contains(got, "Give feedback people can act on") {
		t.Errorf("From a template on the home answered:\n%s", got)
	}
}

// TestHomeDecide: an approver's home brings back the card they decide on
// (Decide), where they approve; once decided, the same button on a home
// drawn before shows the record instead of a card to decide again.
func TestHomeDecide(t *testing.T) {
	w := newWorld(t, "Deciding from the home")
	draftAndSend(w)
	w.Say(mo, "home")
	w.Click(mo, "Decide")
	if got := lastText(w, mo); !strings.Contains(got, "Approve & sign") {
		t.Fatalf("Decide did not bring back the approval card:\n%s", got)
	}
	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Active {
		t.Fatalf("after approving from the card Decide brought back: %s", c.Status)
	}
	w.ClickID(mo, conversation.ActionDecide) // on the home drawn before
	if got := lastText(w, mo); strings.Contains(got, "Approve & sign") || !strings.Contains(got, "Running design reviews") {
		t.Errorf("a passed decision offered its card again, or no record:\n%s", got)
	}
}

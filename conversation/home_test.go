package conversation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/learningset"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/conversation/template"
)

// homeOf is the text of user's home with cs as their contracts (and
// reviews) at the fixtures' start.
func homeOf(user string, cs ...*contract.Contract) string {
	return messagetest.Text(HomeView(user, Env{Now: start, Contracts: cs, Reviews: cs}))
}

// homePartOf is the heading of the part of the home a line is in.
func homePartOf(home, line string) string {
	part := ""
	for _, l := range strings.Split(home, "\n") {
		switch l {
		case "Waiting for you", "Peer reviews waiting for you", "Your contracts", "Contracts you support":
			part = l
		}
		if strings.Contains(l, line) {
			return part
		}
	}
	return ""
}

// TestHomeEveryStatus: in every status, the learner's and the approver's
// homes show the contract in the right part, with what comes next for
// each; someone else's home does not show it.
func TestHomeEveryStatus(t *testing.T) {
	fx := fixtures(t)
	helped := fx["active"].Clone()
	if err := helped.DoAskForHelp(lee, "Stuck on the checklist", start); err != nil {
		t.Fatal(err)
	}
	answered := helped.Clone()
	if err := answered.DoCheckIn(lee, contract.Blocked, start); err != nil {
		t.Fatal(err)
	}
	if err := answered.DoReply(mo, 0, "Let's talk on Monday", true, start.Add(1)); err != nil {
		t.Fatal(err)
	}
	withAdvocate := fx["proposed"].Clone()
	withAdvocate.Advocate = "UWEN"

	tests := []struct {
		name     string
		c        *contract.Contract
		user     string
		part     string
		line     string
		notShown string
	}{
		{"draft", fx["draft"], lee, "Your contracts", "Draft, not sent yet · yours to finish and send", ""},
		{"draft to the approver", fx["draft"], mo, "", "", "Running design reviews"},
		{"in peer review", fx["in_peer_review"], lee, "Your contracts", "0 of 2 reviewers answered · send it when you're ready", ""},
		{"in peer review, reviewer", fx["in_peer_review"], sam, "Peer reviews waiting for you", "@ULEE's draft, shared for peer feedback on Fri 15 Jan", ""},
		{"in peer review, approver", fx["in_peer_review"], mo, "Contracts you support", "not sent yet", ""},
		{"proposed", fx["proposed"], lee, "Your contracts", "Waiting for approval · version 1 waits for @UMO's signature", ""},
		{"proposed, approver", fx["proposed"], mo, "Waiting for you", "@ULEE's · version 1 waits for your decision", ""},
		{"proposed, advocate", withAdvocate, "UWEN", "Waiting for you", "version 1 waits for your signature", ""},
		{"proposed, learner sees both", withAdvocate, lee, "Your contracts", "waits for @UMO and @UWEN's signature", ""},
		{"changes requested", fx["changes_requested"], lee, "Your contracts", "Changes requested · yours to revise and send again", ""},
		{"changes requested, approver", fx["changes_requested"], mo, "Contracts you support", "Changes requested · @ULEE's · sent back: waiting for the revision", ""},
		{"active", fx["active"], lee, "Your contracts", "Active · next check-in Fri 22 Jan · due Fri 12 Mar 2027", ""},
		{"active, approver", fx["active"], mo, "Contracts you support", "next check-in Fri 22 Jan · due Fri 12 Mar 2027", "Waiting for you"},
		{"check-in waiting", fx["prompted"], lee, "Your contracts", "a check-in waits for your answer", ""},
		{"help asked", helped, mo, "Waiting for you", "asked for your support: yours to answer", ""},
		{"help answered", answered, mo, "Contracts you support", "Active · @ULEE's", "Waiting for you"},
		{"renegotiating", fx["renegotiating"], lee, "Your contracts", "Being renegotiated · version 3 waits for @UMO's signature", ""},
		{"renegotiating, approver", fx["renegotiating"], mo, "Waiting for you", "version 3 waits for your signature", ""},
		{"paused", fx["paused"], lee, "Your contracts", "Paused · type resume to pick it up again", ""},
		{"paused, approver", fx["paused"], mo, "Contracts you support", "Paused · @ULEE's", "paused ·"},
		{"submitted", fx["submitted"], lee, "Your contracts", "Evidence submitted · handed in, waiting for @UMO's assessment", ""},
		{"submitted, approver", fx["submitted"], mo, "Waiting for you", "handed in: yours to assess", ""},
		{"assessed", fx["assessed"], lee, "Your contracts", "assessed: yours to reflect on and complete", ""},
		{"assessed, approver", fx["assessed"], mo, "Contracts you support", "Evidence submitted · @ULEE's · assessed: waiting for the reflection", "Waiting for you"},
		{"completed", fx["completed"], lee, "Your contracts", "Completed · completed Sun 14 Feb 2027 · we'll ask how it changed the work on Tue 16 Mar", ""},
		{"completed, approver", fx["completed"], mo, "Contracts you support", "we'll ask how it changed the work on Sat 15 May", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := homeOf(tc.user, tc.c)
			if tc.line != "" {
				if got := homePartOf(home, tc.line); got != tc.part {
					t.Errorf("%q is in part %q, want %q:\n%s", tc.line, got, tc.part, home)
				}
			}
			if tc.notShown != "" && strings.Contains(home, tc.notShown) {
				t.Errorf("home shows %q:\n%s", tc.notShown, home)
			}
		})
	}
}

// TestHomeReviewDone: a reviewer who answered, or was never asked, sees
// no review waiting, even when the contract is handed to their home.
func TestHomeReviewDone(t *testing.T) {
	c := fixtures(t)["in_peer_review"]
	if err := c.GiveFeedback(contract.Feedback{By: sam, Specific: "Clear"}, start); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{sam, "UKAI"} {
		if home := homeOf(u, c); strings.Contains(home, "Peer reviews") || strings.Contains(home, "Running design reviews") {
			t.Errorf("%s's home:\n%s", u, home)
		}
	}
	if home := homeOf("UPAT", c); !strings.Contains(home, "Peer reviews waiting for you") {
		t.Errorf("Pat's home shows no review:\n%s", home)
	}
}

// TestHomeWithinLimits: however many contracts, reviews and sets a person
// has, the home stays within 100 blocks, each long list is cut with how
// many more there are, and titles are clipped.
func TestHomeWithinLimits(t *testing.T) {
	fx := fixtures(t)
	var cs []*contract.Contract
	for i := range 300 {
		for _, k := range []string{"active", "proposed", "in_peer_review"} {
			c := fx[k].Clone()
			c.ID = fmt.Sprintf("%s-%d", k, i)
			c.Terms.Title = strings.Repeat("Long title <!channel> ", 40)
			if k == "proposed" {
				c.Learner, c.Approver = "UOTHER", lee
			}
			if k == "in_peer_review" {
				c.Learner, c.Reviews = "UOTHER", []contract.Review{{Round: 1, Reviewer: lee, Status: contract.ReviewAsked}}
			}
			cs = append(cs, c)
		}
	}
	var sets []learningset.View
	for i := range 40 {
		sets = append(sets, learningset.View{Exists: true, Set: learningset.Set{Channel: fmt.Sprint("C", i), Name: fmt.Sprint("set-", i)}, Members: []string{lee}})
	}
	m := HomeView(lee, Env{Now: start, Contracts: cs, Reviews: cs, Sets: sets})
	if n := len(m.Blocks); n > 100 {
		t.Errorf("%d blocks", n)
	}
	text := messagetest.Text(m)
	for _, want := range []string{"and 292 more — type list", "and 295 more — the others wait in your learning sets' threads", "and 292 more — type list", "and 30 more"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	for _, b := range m.Blocks {
		if s, ok := b.(message.Section); ok && len([]rune(s.Text.String())) > 400 {
			t.Errorf("a section of %d characters", len([]rune(s.Text.String())))
		}
	}
}

// TestHomeShows: a change shows in the homes of those who see it
// differently, and only theirs.
func TestHomeShows(t *testing.T) {
	fx := fixtures(t)
	shared := fx["in_peer_review"]
	answered := shared.Clone()
	if err := answered.GiveFeedback(contract.Feedback{By: sam, Specific: "Clear"}, start); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		before, after *contract.Contract
		user          string
		want          bool
	}{
		{shared, answered, sam, true},     // their review is done
		{shared, answered, lee, true},     // one more answer
		{shared, answered, "UPAT", false}, // still waiting for Pat
		{fx["proposed"], fx["changes_requested"], mo, true},
		{nil, fx["draft"], lee, true},
		{fx["active"], fx["active"], lee, false},
	} {
		if got := HomeShows(tc.user, tc.before, tc.after, start); got != tc.want {
			t.Errorf("case %d: HomeShows(%s) = %v", i, tc.user, got)
		}
	}
	if got := HomeAudience(shared); strings.Join(got, " ") != "ULEE UMO USAM UPAT" {
		t.Errorf("audience %v", got)
	}
}

// TestHomeFromTemplate: *From a template* is offered only when there are
// templates.
func TestHomeFromTemplate(t *testing.T) {
	lib, err := template.Load(template.Examples())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lib  *template.Library
		want bool
	}{{nil, false}, {lib, true}} {
		m := HomeView(lee, Env{Now: start, Templates: tc.lib})
		got := false
		for _, b := range messagetest.Buttons(m) {
			got = got || b.ActionID == string(ActionFromTemplate)
		}
		if got != tc.want {
			t.Errorf("templates %v: From a template shown %v", tc.lib != nil, got)
		}
	}
}

// TestHomeOlder: a home built from a person's latest contracts says how
// many older ones it left out.
func TestHomeOlder(t *testing.T) {
	fx := fixtures(t)
	text := messagetest.Text(HomeView(lee, Env{Now: start, Contracts: []*contract.Contract{fx["active"]}, Older: 7}))
	if !strings.Contains(text, "and 7 older — type list in Messages") {
		t.Errorf("no count of older contracts:\n%s", text)
	}
}

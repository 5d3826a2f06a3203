package conversation

import (
	"reflect"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/approverpolicy"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// draftedFixture is a contract Mo is drafting for Lee, complete and not
// sent; sent, the same after Mo sent it (version 1).
func draftedFixture(t testing.TB) (draft, sent *contract.Contract) {
	t.Helper()
	c := contract.NewDraftFor("c9", "slack", "T1", lee, mo, start)
	if err := c.SetTerms(mo, fixtureTerms(), start); err != nil {
		t.Fatal(err)
	}
	draft = c.Clone()
	draft.Rev = 2
	if err := c.DoPropose(mo, "", start); err != nil {
		t.Fatal(err)
	}
	c.Rev = 3
	return draft, c
}

// TestDraftForRefusals: each bad draft-for is answered, and changes
// nothing: no contract saved, the session as it was.
func TestDraftForRefusals(t *testing.T) {
	draft, sent := draftedFixture(t)
	own := fixtures(t)["draft"]
	tests := []struct {
		name    string
		text    string
		policy  approverpolicy.Policy
		members []string
		list    []*contract.Contract
		says    string
	}{
		{"no mention", "draft-for", approverpolicy.Anyone, nil, nil, "Mention who you're drafting the contract for"},
		{"draft for, no mention", "draft for", approverpolicy.Anyone, nil, nil, "Mention who you're drafting the contract for"},
		{"a name without @", "draft-for Lee", approverpolicy.Anyone, nil, nil, "Mention who you're drafting the contract for"},
		{"two people", "draft-for <@ULEE> and <@USAM|sam>", approverpolicy.Anyone, nil, nil, "mention one person"},
		{"oneself", "draft-for <@UMO|mo>", approverpolicy.Anyone, nil, nil, "To draft a contract of your own, type new"},
		{"the bot", "draft-for <@UBOT>", approverpolicy.Anyone, nil, nil, "That's a bot"},
		{"slackbot", "draft-for <@USLACKBOT>", approverpolicy.Anyone, nil, nil, "That's a bot"},
		{"outside the group", "draft-for <@ULEE>", group(t), []string{"UANA"}, nil, "Only members of @managers approve"},
		{"group unreadable", "draft-for <@ULEE>", group(t), nil, nil, "I couldn't read who they are just now"},
		{"not in the list", "draft-for <@ULEE>", approverpolicy.Listed(map[string][]string{lee: {"UANA"}}), nil, nil,
			"You aren't one of @ULEE's approvers in the list your organisation keeps, so you can't draft a contract for them. Their approvers are @UANA."},
		{"learner not listed", "draft-for <@ULEE>", approverpolicy.Listed(map[string][]string{sam: {mo}}), nil, nil,
			"names none for @ULEE"},
		{"drafting for them", "draft-for <@ULEE>", approverpolicy.Anyone, nil, []*contract.Contract{own, draft}, "You already have a contract for @ULEE on the go"},
		{"sent to them", "draft-for <@ULEE>", approverpolicy.Anyone, nil, []*contract.Contract{sent}, "(Waiting for approval, version 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, kind := range []InputKind{CommandInput, TextInput} {
				env := testEnv()
				env.Approvers, env.ApproverGroup, env.Contracts = tc.policy, tc.members, tc.list
				sess := Session{User: mo, State: StateIdle}
				in := Input{Kind: kind, User: mo, Channel: "DUMO", Text: tc.text}
				if !NeedsList(sess, in) || !ChoosesApprover(sess, in) {
					t.Error("draft-for does not load the drafter's contracts and the approver group")
				}
				res := Step(env, sess, nil, in)
				if res.Contract != nil || !reflect.DeepEqual(res.Session, sess) {
					t.Errorf("%s: a refused draft-for changed things: contract %v, session %+v", kind, res.Contract != nil, res.Session)
				}
				if got := repliesText(res); !strings.Contains(got, tc.says) {
					t.Errorf("%s: reply %q does not say %q", kind, got, tc.says)
				}
			}
		})
	}
}

func group(t *testing.T) approverpolicy.Policy {
	t.Helper()
	p, err := approverpolicy.Parse("@managers", nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDraftForStarts: draft-for starts a draft whose learner is the person
// named, approved and drafted by the drafter, at its title.
func TestDraftForStarts(t *testing.T) {
	env := testEnv()
	env.Approvers, env.ApproverGroup = group(t), []string{mo}
	res := Step(env, Session{User: mo}, nil, Input{Kind: CommandInput, User: mo, Text: "draft-for <@ULEE|lee>"})
	c := res.Contract
	if c == nil || c.Learner != lee || c.Approver != mo || c.DraftedBy != mo || c.Status != contract.Draft {
		t.Fatalf("started %+v", c)
	}
	if res.Session.State != StateTitle || res.Session.ContractID != c.ID {
		t.Errorf("session %+v", res.Session)
	}
	if got := repliesText(res); !strings.Contains(got, "Let's draft a learning contract for @ULEE") {
		t.Errorf("reply %q", got)
	}
	for _, ef := range res.Effects {
		if s, ok := ef.(Send); ok {
			t.Errorf("the learner was told before anything was sent: %+v", s)
		}
	}
}

// TestDraftForSkipsTheApprover: after the check-ins the drafter is at the
// summary, and the approver cannot be changed.
func TestDraftForSkipsTheApprover(t *testing.T) {
	draft, _ := draftedFixture(t)
	sess := Session{User: mo, State: StateCadence, ContractID: draft.ID, Back: []State{StateDeadline}}
	res := Step(testEnv(), sess, draft, Input{Kind: TextInput, User: mo, Text: "weekly"})
	if res.Session.State != StateSummary {
		t.Fatalf("after the check-ins: %q, want the summary", res.Session.State)
	}
	if got := repliesText(res); !strings.Contains(got, "Send to the learner") || strings.Contains(got, "Share with my learning set") {
		t.Errorf("the drafter's summary: %q", got)
	}
	for _, text := range []string{"edit approver", "edit manager"} {
		r := Step(testEnv(), res.Session, draft, Input{Kind: TextInput, User: mo, Text: text})
		if r.Contract != nil || r.Session.State != StateSummary || !strings.Contains(repliesText(r), "is its approver, so that part doesn't change") {
			t.Errorf("%s: state %q, reply %q", text, r.Session.State, repliesText(r))
		}
	}
	// "edit" with a part it doesn't know lists the parts the drafter may
	// change: the approver is not among them.
	if r := Step(testEnv(), res.Session, draft, Input{Kind: TextInput, User: mo, Text: "edit colour"}); !strings.Contains(repliesText(r), "edit deadline") ||
		strings.Contains(repliesText(r), "edit approver") {
		t.Errorf("the drafter's edit help: %q", repliesText(r))
	}
	click := Input{Kind: ActionInput, User: mo, ActionID: string(ActionEditApprover), Value: ActionValue{ContractID: draft.ID}.Encode()}
	if r := Step(testEnv(), res.Session, draft, click); r.Contract != nil || !strings.Contains(repliesText(r), "that part doesn't change") {
		t.Errorf("an old Edit approver button: %q", repliesText(r))
	}
}

// TestDraftForHiddenUntilSent: before it is sent, the learner does not see
// the draft: not in list, home, help or show, and cannot open or send it.
func TestDraftForHiddenUntilSent(t *testing.T) {
	draft, sent := draftedFixture(t)
	env := testEnv()
	env.Contracts = []*contract.Contract{draft}
	for _, text := range []string{"list", "show c9", "home"} {
		got := repliesText(Step(env, Session{User: lee}, nil, Input{Kind: TextInput, User: lee, Text: text}))
		if strings.Contains(got, "Running design reviews") {
			t.Errorf("%s shows the hidden draft: %q", text, got)
		}
	}
	if got := messagetest.Text(HomeView(lee, Env{Contracts: []*contract.Contract{draft}, Now: start})); strings.Contains(got, "Running design reviews") {
		t.Errorf("the home shows the hidden draft: %q", got)
	}
	if got := messagetest.Text(HomeView(mo, Env{Contracts: []*contract.Contract{draft}, Now: start})); !strings.Contains(got, "you drafted it for @ULEE") {
		t.Errorf("the drafter's home: %q", got)
	}
	for _, id := range []ActionID{ActionOpen, ActionSend, ActionShowRecord, ActionEditGoals} {
		in := Input{Kind: ActionInput, User: lee, ActionID: string(id), Value: ActionValue{ContractID: draft.ID}.Encode()}
		res := Step(env, Session{User: lee}, draft, in)
		if res.Contract != nil || strings.Contains(allText(res), "Running design reviews") {
			t.Errorf("%s by the learner on the hidden draft: saved %v, %q", id, res.Contract != nil, allText(res))
		}
	}
	env.Contracts = []*contract.Contract{sent}
	got := repliesText(Step(env, Session{User: lee}, nil, Input{Kind: TextInput, User: lee, Text: "list"}))
	if !strings.Contains(got, "drafted by @UMO for you") {
		t.Errorf("once sent, the learner's list: %q", got)
	}
	got = repliesText(Step(env, Session{User: lee}, nil, Input{Kind: TextInput, User: lee, Text: "status"}))
	if !strings.Contains(got, "drafted by @UMO for you") {
		t.Errorf("once sent, the learner's status: %q", got)
	}
}

func allText(res Result) string {
	var b strings.Builder
	for _, ef := range res.Effects {
		switch e := ef.(type) {
		case Reply:
			b.WriteString(messagetest.Text(e.Message))
		case Ephemeral:
			b.WriteString(messagetest.Text(e.Message))
		case Send:
			b.WriteString(messagetest.Text(e.Message))
		}
	}
	return b.String()
}

// TestDraftForLearnerCard: the learner's card offers Accept & sign, Edit /
// counter and Decline; the drafter cannot use them.
func TestDraftForLearnerCard(t *testing.T) {
	_, sent := draftedFixture(t)
	m := draftedForMsg(sent)
	got := messagetest.Text(m)
	for _, want := range []string{"@UMO drafted a learning contract for you (version 1)", "[Accept & sign]*", "[Edit / counter]", "[Decline]"} {
		if !strings.Contains(got, want) {
			t.Errorf("card %q lacks %q", got, want)
		}
	}
	for _, id := range []ActionID{ActionAccept, ActionCounter, ActionDeclineDraft} {
		in := Input{Kind: ActionInput, User: mo, ActionID: string(id), Value: ActionValue{ContractID: sent.ID, Version: 1}.Encode()}
		if res := Step(testEnv(), Session{User: mo}, sent, in); res.Contract != nil {
			t.Errorf("%s by the drafter changed the contract", id)
		}
	}
	decline := Input{Kind: ActionInput, User: lee, ActionID: string(ActionDeclineDraft), Value: ActionValue{ContractID: sent.ID, Version: 1}.Encode(),
		Source: MessageRef{Channel: "DULEE", TS: "1.1"}}
	res := Step(testEnv(), Session{User: lee}, sent, decline)
	if res.Contract == nil || res.Contract.Status != contract.Withdrawn {
		t.Fatalf("declined: %+v", res.Contract)
	}
	var told bool
	for _, ef := range res.Effects {
		if s, ok := ef.(Send); ok && s.User == mo && strings.Contains(messagetest.Text(s.Message), "declined the learning contract you drafted") {
			told = true
		}
	}
	if !told {
		t.Error("the drafter was not told of the decline")
	}
}

// FuzzParseLearner: whatever follows draft-for, the person read is one
// mentioned in it, never the actor nor the bot, and a second person
// mentioned is refused.
func FuzzParseLearner(f *testing.F) {
	for _, s := range []string{"draft-for <@ULEE>", "draft-for <@ULEE|lee> <@USAM>", "<@UMO>", "<@UBOT>", "<@ULEE> <@ULEE>",
		"draft-for @lee", "<@>", "<@ULEE|>", "<<@ULEE>>", "<@29:lee>", "<@USLACKBOT>", "<@B0123>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		id, err := parseLearner(text, mo, "UBOT")
		if err != nil {
			return
		}
		if id == "" || id == mo || id == "UBOT" || !strings.Contains(text, "<@"+id) {
			t.Fatalf("%q read as %q", text, id)
		}
		for _, m := range mention.FindAllStringSubmatch(text, -1) {
			if m[1] != id {
				t.Fatalf("%q names %q too, and %q was taken", text, m[1], id)
			}
		}
	})
}

// TestDraftForTyped: "draft for @Lee" starts a draft for Lee; at a step
// waiting for an answer, "Draft for the board" is the answer.
func TestDraftForTyped(t *testing.T) {
	res := Step(testEnv(), Session{User: mo}, nil, Input{Kind: TextInput, User: mo, Text: "Draft for <@ULEE>"})
	if res.Contract == nil || res.Contract.Learner != lee || res.Contract.DraftedBy != mo {
		t.Fatalf("draft for @Lee: %+v", res.Contract)
	}
	draft := fixtures(t)["draft"]
	sess := Session{User: lee, State: StateTitle, ContractID: draft.ID}
	res = Step(testEnv(), sess, draft, Input{Kind: TextInput, User: lee, Text: "Draft for the board"})
	if res.Contract == nil || res.Contract.Terms.Title != "Draft for the board" {
		t.Errorf("a title starting with draft for: %+v", res.Contract)
	}
}

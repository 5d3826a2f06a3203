package conversation

import (
	"slices"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

func TestCommandTable(t *testing.T) {
	seen := map[string]string{}
	for _, c := range commands() {
		if c.help == "" || c.run == nil {
			t.Errorf("command %q has no help line or no handler", c.name)
		}
		for _, n := range append([]string{c.name}, c.aliases...) {
			if normalize(n) != n || n == "" {
				t.Errorf("command %q: %q is not how normalized text reads", c.name, n)
			}
			if other, ok := seen[n]; ok {
				t.Errorf("%q starts both %q and %q", n, other, c.name)
			}
			seen[n] = c.name
		}
		if got, _, ok := lookup(normalize(c.usageOf())); !ok || got.name != c.name {
			t.Errorf("help shows %q as %q, which the parser reads as %q", c.name, c.usageOf(), got.name)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct{ typed, name, args string }{
		{"help", "help", ""},
		{"?", "help", ""},
		{"carry on", "resume", ""},
		{"edit goals", "edit", "goals"},
		{"edit", "edit", ""},
		{"away until 3 march", "away", "until 3 march"},
		{"learning-set", "learning-set", ""},
		{"learning-set weekly", "learning-set", "weekly"},
		{"learning-set reviewers 3", "learning-set reviewers", "3"},
		{"learning-set reviewers", "learning-set reviewers", ""},
		{"list of books", "", ""},
		{"newt", "", ""},
		{"back to it", "", ""},
		{"helpful", "", ""},
	}
	for _, tc := range tests {
		c, args, ok := lookup(tc.typed)
		if ok != (tc.name != "") || c.name != tc.name || args != tc.args {
			t.Errorf("lookup(%q) = %q, %q, %v; want %q, %q", tc.typed, c.name, args, ok, tc.name, tc.args)
		}
	}
}

// helpCase is someone asking for help somewhere.
type helpCase struct {
	name string
	user string
	sess Session
	c    *contract.Contract
	list []*contract.Contract // the actor's contracts (Env.Contracts)
}

func helpCases(t *testing.T) []helpCase {
	fx := fixtures(t)
	draft := fx["draft"]
	at := func(st State, c *contract.Contract, back ...State) Session {
		return Session{User: lee, State: st, ContractID: c.ID, Back: back}
	}
	return []helpCase{
		{"newcomer", sam, Session{User: sam}, nil, nil},
		{"writing goals", lee, at(StateGoal, draft, StateTitle), draft, []*contract.Contract{draft}},
		{"at the summary", lee, at(StateSummary, draft, StateTitle), draft, []*contract.Contract{draft}},
		{"stopped", lee, at(StateStopped, draft, StateGoal), draft, []*contract.Contract{draft}},
		{"draft not open", lee, at(StateIdle, draft), draft, []*contract.Contract{draft}},
		{"proposed", lee, at(StateIdle, fx["proposed"]), fx["proposed"], []*contract.Contract{fx["proposed"]}},
		{"approver", mo, Session{User: mo}, nil, []*contract.Contract{fx["proposed"]}},
		{"active", lee, at(StateIdle, fx["active"]), fx["active"], []*contract.Contract{fx["active"]}},
		{"checking in", lee, at(StateHappened, fx["prompted"]), fx["prompted"], []*contract.Contract{fx["prompted"]}},
		{"paused", lee, at(StateIdle, fx["paused"]), fx["paused"], []*contract.Contract{fx["paused"]}},
		{"assessed", lee, at(StateIdle, fx["assessed"]), fx["assessed"], []*contract.Contract{fx["assessed"]}},
		{"handing in evidence", lee, at(StateHandIn, fx["active"]), fx["active"], []*contract.Contract{fx["active"]}},
		{"saying why paused", lee, at(StatePauseReason, fx["paused"]), fx["paused"], []*contract.Contract{fx["paused"]}},
	}
}

// listed is what a help message lists: the code at the start of each line
// of its first section.
func listed(t *testing.T, res Result) []string {
	t.Helper()
	if len(res.Effects) != 1 {
		t.Fatalf("help answered with %d effects", len(res.Effects))
	}
	r, ok := res.Effects[0].(Reply)
	if !ok || len(r.Message.Blocks) == 0 {
		t.Fatalf("help answered with %+v", res.Effects[0])
	}
	s, ok := r.Message.Blocks[0].(message.Section)
	if !ok {
		t.Fatalf("help starts with %T", r.Message.Blocks[0])
	}
	var out []string
	for i, sp := range s.Text {
		if sp.Kind == message.Monospace && i > 0 && strings.HasSuffix(s.Text[i-1].Text, "\n") {
			out = append(out, sp.Text)
		}
	}
	return out
}

// TestHelpListsWhatTheParserKnows asks for help in each situation: help
// lists every command of the person's roles that applies there, each in a
// form the parser reads as that command; commands for anyone are always
// listed, a learner's never to someone who is not one; and every command
// in the table is listed somewhere.
func TestHelpListsWhatTheParserKnows(t *testing.T) {
	shown := map[string]bool{}
	for _, hc := range helpCases(t) {
		t.Run(hc.name, func(t *testing.T) {
			env := testEnv()
			env.Contracts = hc.list
			in := Input{Kind: TextInput, User: hc.user, Channel: "D" + hc.user, Text: "help"}
			if !NeedsList(hc.sess, in) {
				t.Fatal("help does not load the person's contracts")
			}
			got := listed(t, Step(env, hc.sess, hc.c, in))
			tn := newTurn(env, hc.sess, hc.c, in)
			var want []string
			for _, c := range tn.helpLines() {
				want = append(want, c.usageOf())
			}
			if !slices.Equal(got, want) {
				t.Errorf("help lists %q, want %q", got, want)
			}
			for _, u := range got {
				c, _, ok := lookup(normalize(u))
				if !ok || c.usageOf() != u {
					t.Errorf("help lists %q, which the parser reads as %q", u, c.name)
					continue
				}
				typed := newTurn(env, hc.sess, hc.c, Input{Kind: TextInput, User: hc.user, Text: u})
				if c.accepts != nil && !c.accepts(typed) {
					t.Errorf("help lists %q, but typed here it is not the command", u)
				}
				shown[c.name] = true
			}
			for _, c := range commands() {
				listed := slices.Contains(got, c.usageOf())
				switch {
				case c.who == anyone && !listed:
					t.Errorf("%q is for anyone but help leaves it out", c.name)
				case c.who != anyone && listed && tn.roles()&c.who == 0:
					t.Errorf("%q is a command of another role, listed to someone who is not in it", c.name)
				}
			}
		})
	}
	for _, c := range commands() {
		if !shown[c.name] {
			t.Errorf("help never lists %q", c.name)
		}
	}
}

// An approver is told how they decide, and not given the learner's
// commands.
func TestHelpForAnApprover(t *testing.T) {
	fx := fixtures(t)
	env := testEnv()
	env.Contracts = []*contract.Contract{fx["proposed"]}
	res := Step(env, Session{User: mo}, nil, Input{Kind: TextInput, User: mo, Channel: "DUMO", Text: "help"})
	text := repliesText(res)
	if !strings.Contains(text, "Approving") || !strings.Contains(text, "approve and sign it") {
		t.Errorf("an approver's help does not say how they decide:\n%s", text)
	}
	for _, c := range listed(t, res) {
		if c == "back" || c == "skip" || c == "cancel" || strings.HasPrefix(c, "edit") {
			t.Errorf("an approver is offered %q:\n%s", c, text)
		}
	}
	res = Step(env, Session{User: lee}, nil, Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: "help"})
	if strings.Contains(repliesText(res), "Approving") {
		t.Errorf("a learner is told how approvers decide:\n%s", repliesText(res))
	}
}

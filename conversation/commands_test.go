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

func TestSuggestion(t *testing.T) {
	tests := []struct{ typed, want string }{
		{"hepl", "help"},
		{"hlep", "help"},
		{"stauts", "status"},
		{"statsu", "status"},
		{"lsit", "list"},
		{"cancle", "cancel"},
		{"learnign-set", "learning-set"},
		{"helpp", "help"},
		{"stats", "status"},
		{"sned", "send"}, // at the summary
		{"bakc", "back"},
		// aliases, and commands that do nothing here, are not suggested
		{"stat", ""},
		{"dome", "home"}, // not done, which does nothing here: home is one edit away
		{"resme", ""},    // resume does nothing at the summary
		{"pase", ""},
		// commands, long words, sentences and words two edits away are not typos
		{"help", ""},
		{"status", ""},
		{"now", ""},
		{"hi", ""},
		{"mentoring", ""},
		{"presenting", ""},
		{"get better at presenting", ""},
		{"hepl me", ""},
		{"stutas", ""},
		{"statistics", ""},
		{"ünïcode", ""},
	}
	fx := fixtures(t)
	draft := fx["draft"]
	tn := newTurn(testEnv(), Session{User: lee, State: StateSummary, ContractID: draft.ID}, draft, Input{Kind: TextInput, User: lee})
	for _, tc := range tests {
		got, ok := tn.suggestion(tc.typed)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("suggestion(%q) = %q, %v; want %q", tc.typed, got, ok, tc.want)
		}
	}
}

func TestOneEditApart(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"help", "help", false}, {"hepl", "help", true}, {"hel", "help", true}, {"helps", "help", true},
		{"kelp", "help", true}, {"hple", "help", false}, {"he", "help", false}, {"ehlp", "help", true},
		{"", "a", true}, {"ab", "ba", true}, {"abc", "cba", false}, {"héip", "help", false}, {"hélp", "help", true},
	} {
		if got := oneEditApart(tc.a, tc.b); got != tc.want {
			t.Errorf("oneEditApart(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := oneEditApart(tc.b, tc.a); got != tc.want {
			t.Errorf("oneEditApart(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
}

// FuzzOneEditApart checks the typo test against the edit distance it
// stands for, computed the long way.
func FuzzOneEditApart(f *testing.F) {
	for _, s := range [][2]string{{"hepl", "help"}, {"stauts", "status"}, {"", ""}, {"a", "ab"}, {"ab", "ba"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 32 || len(b) > 32 {
			return
		}
		if got, want := oneEditApart(a, b), osaDistance([]rune(a), []rune(b)) == 1; got != want {
			t.Fatalf("oneEditApart(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}

// osaDistance is the optimal string alignment distance of a and b.
func osaDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// A typo of a command is questioned, not taken as the answer; the same
// word sent again is the answer after all.
func TestTypoIsQuestionedThenAccepted(t *testing.T) {
	fx := fixtures(t)
	draft := fx["draft"]
	env := testEnv()
	s := Session{User: lee, State: StateTitle, ContractID: draft.ID}
	res := Step(env, s, draft, Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: "Stauts"})
	if res.Contract != nil || res.Session.State != StateTitle || !strings.Contains(repliesText(res), "Did you mean status?") {
		t.Fatalf("a typo of status was taken as the title: %+v\n%s", res.Session, repliesText(res))
	}
	again := Step(env, res.Session, draft, Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: "stauts"})
	if again.Contract == nil || again.Contract.Terms.Title != "stauts" {
		t.Fatalf("sent again, the word is still not the title:\n%s", repliesText(again))
	}
	if again.Session.Typo != "" {
		t.Errorf("the typo is still remembered: %+v", again.Session)
	}
	other := Step(env, res.Session, draft, Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: "hepl"})
	if other.Contract != nil || !strings.Contains(repliesText(other), "Did you mean help?") {
		t.Errorf("another typo after the first was taken as the title:\n%s", repliesText(other))
	}
	cmd := Step(env, Session{User: lee}, nil, Input{Kind: CommandInput, User: lee, Channel: "DULEE", Text: "stauts"})
	if !strings.Contains(repliesText(cmd), "Did you mean status?") {
		t.Errorf("/contract stauts:\n%s", repliesText(cmd))
	}
}

// An approver's help words the commands for them.
func TestHelpWordedForAnApprover(t *testing.T) {
	fx := fixtures(t)
	env := testEnv()
	env.Contracts = []*contract.Contract{fx["proposed"]}
	mine := repliesText(Step(env, Session{User: mo}, nil, Input{Kind: TextInput, User: mo, Channel: "DUMO", Text: "help"}))
	if !strings.Contains(mine, "the contracts you approve") || strings.Contains(mine, "all your contracts") {
		t.Errorf("an approver's help is worded for a learner:\n%s", mine)
	}
	env.Contracts = []*contract.Contract{fx["draft"]}
	at := Session{User: lee, State: StateSummary, ContractID: fx["draft"].ID}
	theirs := repliesText(Step(env, at, fx["draft"], Input{Kind: TextInput, User: lee, Channel: "DULEE", Text: "help"}))
	if strings.Contains(theirs, "the contracts you approve") || !strings.Contains(theirs, "all your contracts") {
		t.Errorf("a learner's help is worded for an approver:\n%s", theirs)
	}
	for _, want := range []string{"away until 3 March", "learning-set", "learning-set reviewers 3", "share", "edit goal 2"} {
		if !strings.Contains(theirs, "\n"+want+" — ") && !strings.Contains(theirs, want+", ") {
			t.Errorf("a learner's help leaves out %q:\n%s", want, theirs)
		}
	}
}

package library

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/learnpact/learnpact/conversation/contract"
)

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"reviews": "review", "reviewing": "review", "reviewed": "review", "review": "review",
		"planning": "plan", "planned": "plan", "plans": "plan",
		"stories": "story", "classes": "class", "class": "class", "status": "status", "analysis": "analysis",
		"boxes": "box", "quickly": "quick", "k8s": "k8s", "go": "go", "api": "api",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("I want to learn about Kubernetes deployments with <@U123|mo> and <at>Wen Li</at>; the team's Postgres reviews!")
	want := []string{"kubernete", "deployment", "team", "postgre", "review"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
	if got := Tokens("Écrire des RÉSUMÉS"); !slices.Equal(got, []string{"écrire", "des", "résumé"}) {
		t.Errorf("Tokens of accented words = %q", got)
	}
	long := Tokens(strings.Repeat("é", 100))
	if len(long) != 1 || len(long[0]) > MaxTerm || !utf8.ValidString(long[0]) {
		t.Errorf("a very long word = %q, want one valid term of at most %d bytes", long, MaxTerm)
	}
	if got := Tokens("a <@U1 unclosed"); !slices.Equal(got, []string{"u1", "unclos"}) {
		t.Errorf("Tokens with an unclosed mention = %q, want its words", got)
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  error
	}{
		{"Postgres query tuning", []string{"postgre", "query", "tun"}, nil},
		{"  kube*  ", []string{"kube"}, nil},
		{"review reviews reviewing", []string{"review"}, nil},
		{"*", nil, ErrWildcard},
		{"* ?", nil, ErrWildcard},
		{"", nil, ErrEmptyQuery},
		{"   ", nil, ErrEmptyQuery},
		{"!!! ... ---", nil, ErrEmptyQuery},
		{"the and of to", nil, ErrCommonWords},
		{"how do I learn", nil, ErrCommonWords},
		{"<@U123>", nil, ErrEmptyQuery},
	} {
		q, err := ParseQuery(tc.in)
		if !errors.Is(err, tc.err) || !slices.Equal(q.Terms, tc.want) {
			t.Errorf("ParseQuery(%q) = %q, %v; want %q, %v", tc.in, q.Terms, err, tc.want, tc.err)
		}
	}
	var long *QueryTooLongError
	if _, err := ParseQuery(strings.Repeat("x", 10000)); !errors.As(err, &long) || long.Len != 10000 {
		t.Errorf("a search of 10,000 characters: %v, want QueryTooLongError of 10000", err)
	}
	q, err := ParseQuery(strings.Repeat("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron ", 3))
	if err != nil || len(q.Terms) != MaxQueryTerms {
		t.Errorf("many words: %d terms, %v; want the first %d", len(q.Terms), err, MaxQueryTerms)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"*", "", "Postgres tuning", "the of", "<@U1|x> <at>y</at>", "kube*", "\xff\xfe", strings.Repeat("a ", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if len(q.Terms) != 0 {
				t.Fatalf("ParseQuery(%q) failed with terms %q", s, q.Terms)
			}
			return
		}
		if len(q.Terms) == 0 || len(q.Terms) > MaxQueryTerms {
			t.Fatalf("ParseQuery(%q) = %d terms", s, len(q.Terms))
		}
		for _, term := range q.Terms {
			if term == "" || len(term) > MaxTerm || !utf8.ValidString(term) || Stopword(term) || strings.ContainsAny(term, " *<>") {
				t.Fatalf("ParseQuery(%q): bad term %q", s, term)
			}
		}
	})
}

func index(docs map[string]string) Index {
	ix := Index{Postings: map[string][]Posting{}}
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range docs {
			if !yield(id) {
				return
			}
		}
	}) {
		counts := map[string]int{}
		n := 0
		for _, term := range Tokens(docs[id]) {
			counts[term]++
			n++
		}
		ix.Docs++
		ix.TotalLen += int64(n)
		for term, c := range counts {
			ix.Postings[term] = append(ix.Postings[term], Posting{ID: id, Count: c, Len: n})
		}
	}
	return ix
}

func TestRank(t *testing.T) {
	ix := index(map[string]string{
		"pg":    "Postgres query tuning: read query plans, tune indexes on the orders database",
		"pg2":   "Run a Postgres upgrade",
		"talk":  "Public speaking: give a talk at the team meeting",
		"k8s":   "Deploy services on Kubernetes, write Helm charts, review deployments",
		"long":  "Postgres " + strings.Repeat("and many other words about databases and storage engines ", 20),
		"other": "Write better design documents",
	})
	hits := Rank(ix, mustQuery(t, "postgres query plans"), 0)
	ids := idsOf(hits)
	if len(ids) != 3 || ids[0] != "pg" {
		t.Fatalf("Rank = %v, want pg first and only the three Postgres examples", hits)
	}
	if i, j := slices.Index(ids, "pg2"), slices.Index(ids, "long"); i > j {
		t.Errorf("a short example mentioning Postgres once should rank above a long one mentioning it once: %v", hits)
	}
	if got := Rank(ix, mustQuery(t, "postgres"), 1); len(got) != 1 {
		t.Errorf("limit 1: %v", got)
	}
	if got := Rank(ix, mustQuery(t, "gardening"), 0); len(got) != 0 {
		t.Errorf("a term nobody holds found %v", got)
	}
	if got := Rank(Index{}, []string{"x"}, 3); got != nil {
		t.Errorf("an empty index found %v", got)
	}
	// A rare term weighs more than a common one.
	ix = index(map[string]string{"a": "review review", "b": "review helm", "c": "review", "d": "review"})
	if ids := idsOf(Rank(ix, []string{"review", "helm"}, 0)); ids[0] != "b" {
		t.Errorf("the example with the rare term should lead: %v", ids)
	}
}

func mustQuery(t *testing.T, s string) []string {
	t.Helper()
	q, err := ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q.Terms
}

func idsOf(hits []Hit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func completed(consent contract.Consent) *contract.Contract {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := contract.New("c1", "slack", "T1", "ULEARN", now)
	c.Approver = "UMGR"
	c.Terms = contract.Terms{Title: "Postgres tuning with <@UMGR>", Goals: []contract.Goal{{Text: "Explain query plans to ULEARN's team", Mastery: "a talk"}},
		Activities: []string{"pair with <@UPEER|peer>"}, Evidence: []string{"a write-up"}, Criteria: []contract.Criterion{{Text: "clear"}, {Text: "fast"}}}
	c.Status = contract.Completed
	c.Submissions = []contract.Submission{{N: 1, At: now}}
	c.Assessments = []contract.Assessment{{Submission: 1, Criterion: 1, By: "UMGR", Rating: contract.Met}, {Submission: 1, Criterion: 2, By: "UMGR", Rating: contract.Partly},
		{Submission: 1, Criterion: 2, By: "ULEARN", Rating: contract.Met}}
	c.Reflection = &contract.Reflection{Learned: "asking <at>Wen</at> early helps", Change: "review plans weekly"}
	c.Library = consent
	return c
}

func TestExampleOf(t *testing.T) {
	if _, ok := ExampleOf(completed(contract.NotShared)); ok {
		t.Error("a contract not shared is an example")
	}
	c := completed(contract.Anonymous)
	c.Status = contract.Withdrawn
	if _, ok := ExampleOf(c); ok {
		t.Error("a withdrawn contract is an example")
	}
	e, ok := ExampleOf(completed(contract.Anonymous))
	if !ok {
		t.Fatal("an anonymous completed contract is no example")
	}
	all := strings.Join([]string{e.Title, e.Goals[0].Text, e.Goals[0].Mastery, e.Activities[0], e.Evidence[0], e.Reflection.Learned, e.Learner}, " | ")
	for _, name := range []string{"ULEARN", "UMGR", "UPEER", "peer", "Wen", "<@", "<at>"} {
		if strings.Contains(all, name) {
			t.Errorf("the anonymous example names %q: %s", name, all)
		}
	}
	if e.Title != "Postgres tuning with a colleague" || e.Goals[0].Text != "Explain query plans to a colleague's team" {
		t.Errorf("anonymous texts: %q / %q", e.Title, e.Goals[0].Text)
	}
	if e.Outcome != (Outcome{Met: 1, Partly: 1}) {
		t.Errorf("outcome = %+v, want the approver's: 1 met, 1 partly", e.Outcome)
	}
	terms := e.Terms()
	if terms["postgre"] != 2 || terms["plan"] != 2 || terms["ulearn"] != 0 || terms["colleague"] == 0 {
		t.Errorf("terms = %v", terms)
	}
	named, _ := ExampleOf(completed(contract.Named))
	if named.Learner != "ULEARN" {
		t.Errorf("a named example's learner = %q", named.Learner)
	}
}

// TestRankLimitIsPrefix: the best few are the first few of the full
// ranking, ties broken by id alike.
func TestRankLimitIsPrefix(t *testing.T) {
	docs := map[string]string{}
	words := []string{"review", "design", "checklist", "talk", "helm", "postgres", "query"}
	for i := range 60 {
		var b strings.Builder
		for j := range 1 + i%5 {
			b.WriteString(words[(i*7+j*3)%len(words)] + " ")
		}
		docs[fmt.Sprintf("c%02d", i)] = b.String()
	}
	ix := index(docs)
	q := []string{"review", "helm", "query"}
	all := Rank(ix, q, 0)
	for _, limit := range []int{1, 3, 10, len(all), len(all) + 5} {
		got := Rank(ix, q, limit)
		want := all[:min(limit, len(all))]
		if !slices.Equal(got, want) {
			t.Errorf("Rank limit %d = %v, want %v", limit, idsOf(got), idsOf(want))
		}
	}
}

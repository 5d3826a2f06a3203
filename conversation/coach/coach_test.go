package coach

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const (
	learnAbout = "“learn about” can't be observed"
	noMeasure  = problemNoMeasure
	noVerb     = problemNoVerb
	noNumber   = problemNoNumber
)

func TestReview(t *testing.T) {
	for _, tc := range []struct {
		goal     string
		ok       bool
		problems []string
		// suggest is the exact rewrite, or the words it must contain
		// when it ends in "…".
		suggest string
	}{
		// Measurable as written.
		{goal: "Explain our pricing model to new customers", ok: true},
		{goal: "Lead the weekly stand-up for a month without help", ok: true},
		{goal: "I will run three retrospectives for my team by the end of June.", ok: true},
		{goal: "To be able to confidently present quarterly results to the board", ok: true},
		{goal: "Compare three CRM vendors and recommend one", ok: true},
		{goal: "Pass the AWS Solutions Architect exam", ok: true},
		{goal: "Reduce build times by 30%", ok: true},
		{goal: "Teach git branching to two new starters", ok: true},
		{goal: "I want to be able to write unit tests that are reviewed by a senior engineer", ok: true},
		{goal: "Facilitate the monthly planning meeting so that every team leaves with agreed priorities", ok: true},
		{goal: "Build a churn dashboard by March", ok: true},
		{goal: "Negotiated renewals with at least 2 suppliers", ok: true},
		{goal: "I lead the weekly incident review", ok: true},

		// A good verb but no way to tell it is met.
		{goal: "Write SQL queries", problems: []string{noMeasure},
			suggest: "Write SQL queries to answer three real reporting questions from my team, reviewed by a colleague"},
		{goal: "Facilitate a workshop", problems: []string{noMeasure},
			suggest: "Facilitate a workshop at least three times in the next two months, with feedback from my manager after each"},
		{goal: "Explain how our billing works.", problems: []string{noMeasure},
			suggest: "Explain how our billing works to my team in a 10-minute session, and answer their questions without notes"},
		{goal: "Building dashboards in Tableau", problems: []string{noMeasure},
			suggest: "Build dashboards in Tableau to answer three real reporting questions from my team, reviewed by a colleague"},
		{goal: "design a new onboarding checklist", problems: []string{noMeasure},
			suggest: "Design a new onboarding checklist for a real need in my team, and have the result reviewed by a colleague"},
		{goal: "Analysed customer churn", problems: []string{noMeasure},
			suggest: "Analyse customer churn to answer three real questions from my team, and have the answers checked by a colleague"},
		{goal: "Reduce build times", problems: []string{noNumber},
			suggest: "Reduce build times, with a before-and-after measure agreed with my manager (e.g. 20% faster)"},
		{goal: "Improve our onboarding", problems: []string{noNumber},
			suggest: "Improve our onboarding, with a before-and-after measure agreed with my manager (e.g. 20% faster)"},

		// Vague: the rewrite keeps the subject.
		{goal: "I will learn about negotiation", problems: []string{learnAbout, noMeasure},
			suggest: "Lead a negotiation with a supplier or client and agree terms without escalating, observed by my manager"},
		{goal: "get better at Excel", problems: []string{"“get better at” can't be observed", noMeasure},
			suggest: "Build an Excel model of a report my team uses, with pivot tables and lookups, and have it checked by a colleague"},
		{goal: "I WILL LEARN ABOUT SQL", problems: []string{learnAbout, noMeasure},
			suggest: "Write SQL queries that answer three real reporting questions from my team, reviewed by a colleague"},
		{goal: "I want to understand how Kubernetes works", problems: []string{"“understand” can't be observed", noMeasure},
			suggest: "Build a small Kubernetes project that solves a real task for my team, and get it through code review"},
		{goal: "Improve my presentation skills", problems: []string{"“improve skills” can't be observed", noMeasure},
			suggest: "Give a 10-minute presentation on a topic from my work to my team, and get written feedback from three colleagues"},
		{goal: "Develop my Python skills", problems: []string{"“develop skills” can't be observed", noMeasure},
			suggest: "Build a small Python project that solves a real task for my team, and get it through code review"},
		{goal: "Become more confident in public speaking", problems: []string{"“become more confident in” can't be observed", noMeasure},
			suggest: "Give a 10-minute presentation on a topic from my work to my team, and get written feedback from three colleagues"},
		{goal: "I'd like to get up to speed on stakeholder management.", problems: []string{"“get up to speed on” can't be observed", noMeasure},
			suggest: "Run a review of my project with at least three stakeholders, and send an agreed action list within two days"},
		{goal: "Be familiar with GDPR", problems: []string{"“be familiar with” can't be observed", noMeasure},
			suggest: "Explain what matters most about GDPR to my team in a 10-minute session, and answer their questions without notes"},
		{goal: "Learn more about machine learning because it is the future", problems: []string{"“learn more about” can't be observed", noMeasure},
			suggest: "Explain what matters most about machine learning to my team in a 10-minute session, and answer their questions without notes"},
		{goal: "Explore design thinking", problems: []string{"“explore” can't be observed", noMeasure},
			suggest: "Explain what matters most about design thinking to my team in a 10-minute session, and answer their questions without notes"},
		{goal: "Study statistics by June", problems: []string{"“study” can't be observed"},
			suggest: "Analyse a real data set from my work to answer three questions my team has, and present the findings in a 10-minute review"},
		{goal: "Gain an understanding of the basics of cloud security", problems: []string{"“gain an understanding of the basics of” can't be observed", noMeasure},
			suggest: "Build a small cloud project that solves a real task for my team, and get it through code review"},
		{goal: "Complete the leadership course", problems: []string{"“complete” is an activity, not what you'll be able to do", noMeasure},
			suggest: "Lead my team's weekly meeting for a month, and agree one improvement with my manager after each"},
		{goal: "learn how to build APIs", problems: []string{"“learn how to” can't be observed", noMeasure},
			suggest: "Build APIs for a real need in my team, and have the result reviewed by a colleague"},
		{goal: "Learn to present to my team", problems: []string{"“learn to” can't be observed"},
			suggest: "Present to my team"},
		{goal: "Negotiation skills", problems: []string{noVerb, noMeasure},
			suggest: "Lead a negotiation with a supplier or client and agree terms without escalating, observed by my manager"},
		{goal: "I will learn", problems: []string{"“learn” can't be observed", noMeasure}, suggest: exampleGoal},

		// Not a goal yet.
		{goal: "", problems: []string{problemEmpty}, suggest: exampleGoal},
		{goal: " \t\n ", problems: []string{problemEmpty}, suggest: exampleGoal},
		{goal: "?!", problems: []string{problemEmpty}, suggest: exampleGoal},
		{goal: "I want to", problems: []string{problemEmpty}, suggest: exampleGoal},
	} {
		got := Review(tc.goal)
		if got.OK != tc.ok || !slices.Equal(got.Problems, tc.problems) {
			t.Errorf("Review(%q) = OK %v, problems %q; want OK %v, problems %q", tc.goal, got.OK, got.Problems, tc.ok, tc.problems)
		}
		if got.Suggestion != tc.suggest {
			t.Errorf("Review(%q).Suggestion =\n\t%q\nwant\n\t%q", tc.goal, got.Suggestion, tc.suggest)
		}
	}
}

func TestReviewLongGoal(t *testing.T) {
	for _, goal := range []string{
		"learn about " + strings.Repeat("negotiating with suppliers ", 400),
		"Write " + strings.Repeat("reports ", 1250),
		"Learn about " + strings.Repeat("ç", 9990),
		"explore " + strings.Repeat("word ", 2000),
		strings.Repeat("x", 10000),
	} {
		start := time.Now()
		a := Review(goal)
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Review of %d bytes took %v", len(goal), d)
		}
		if a.OK || a.Suggestion == "" {
			t.Errorf("Review(%.30q…) = %+v, want a suggestion", goal, a)
		}
		if n := utf8.RuneCountInString(a.Suggestion); n > maxSuggestion || !utf8.ValidString(a.Suggestion) {
			t.Errorf("Review(%.30q…).Suggestion has %d runes (valid UTF-8: %v)", goal, n, utf8.ValidString(a.Suggestion))
		}
	}
	// The object is cut at a word, not mid-word.
	a := Review("explore " + strings.Repeat("word ", 2000))
	if !strings.Contains(a.Suggestion, "word word…") {
		t.Errorf("long subject not cut at a word: %q", a.Suggestion)
	}
}

func TestVerbListsDisjoint(t *testing.T) {
	seen := map[string]verbKind{}
	for kind, list := range verbLists {
		for _, w := range strings.Fields(list) {
			if other, ok := seen[w]; ok {
				t.Errorf("%q is in verb lists %d and %d", w, other, kind)
			}
			seen[w] = kind
		}
	}
}

func TestBaseVerb(t *testing.T) {
	for in, want := range map[string]string{
		"explains": "explain", "explained": "explain", "explaining": "explain",
		"analyses": "analyse", "analysed": "analyse", "analyzing": "analyze",
		"running": "run", "ran": "run", "planned": "plan", "led": "lead", "taught": "teach",
		"writing": "write", "written": "write", "studies": "study", "used": "use",
		"negotiating": "negotiate", "sets": "set", "setting": "set",
		"process": "process", "business": "business", "news": "news", "need": "need",
	} {
		if got := baseVerb(in); got != want {
			t.Errorf("baseVerb(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzReview(f *testing.F) {
	for _, s := range []string{
		"I will learn about negotiation", "get better at Excel", "Write SQL queries",
		"", "   ", "I WANT TO", "learn how to to to", "Ünderstand Ω", "be able to -",
		"improve my skills,", "to", "the basics of", "Explain X to my team",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, goal string) {
		a := Review(goal)
		if a.OK {
			if a.Suggestion != "" || len(a.Problems) != 0 {
				t.Fatalf("Review(%q) is OK but has advice: %+v", goal, a)
			}
			return
		}
		if a.Suggestion == "" || len(a.Problems) == 0 {
			t.Fatalf("Review(%q) = %+v: not OK without a suggestion and a reason", goal, a)
		}
		if n := utf8.RuneCountInString(a.Suggestion); n > maxSuggestion {
			t.Fatalf("Review(%q).Suggestion has %d runes", goal, n)
		}
		if utf8.ValidString(goal) && !utf8.ValidString(a.Suggestion) {
			t.Fatalf("Review(%q).Suggestion is not valid UTF-8: %q", goal, a.Suggestion)
		}
		for _, p := range a.Problems {
			if !utf8.ValidString(p) || utf8.RuneCountInString(p) > maxSuggestion {
				t.Fatalf("Review(%q) problem %q", goal, p)
			}
		}
	})
}

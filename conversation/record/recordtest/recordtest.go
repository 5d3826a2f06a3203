// Package recordtest holds a signed contract with a history worth
// recording, for tests of the record and its renderers.
package recordtest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
)

// The parties of Signed, and their names (outside ASCII on purpose).
const (
	Learner  = "ULEARNER"
	Approver = "UAPPROVER"
)

// Names are the parties' names.
var Names = map[string]string{Learner: "Zoë Øberg-Nakamura", Approver: "Łukasz Müller"}

// Start is when Signed was drafted.
var Start = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// Terms are Signed's first proposal.
func Terms() contract.Terms { return termsBy(Learner) }

func termsBy(learner string) contract.Terms {
	return contract.Terms{
		Title: "Leading design reviews — Søren's checklist",
		Goals: []contract.Goal{
			{Text: "Run three design reviews using a checklist the team adopts", Mastery: "the team runs one without me"},
			{Text: "Explain the trade-offs of our caching layer to new joiners"},
		},
		Activities: []string{"Shadow Ana's reviews", "read the Design Review Handbook"},
		Evidence:   []string{"A write-up of three reviews", "A recorded walkthrough of the cache"},
		Criteria: []contract.Criterion{
			{Text: "Two teammates use my checklist without help", ProposedBy: learner},
			{Text: "New joiners can explain the cache's eviction rule", ProposedBy: learner},
		},
		Support:  "An hour a week with Ana",
		Deadline: time.Date(2026, 6, 12, 0, 0, 0, 0, time.UTC),
		Cadence:  contract.Weekly,
	}
}

// Signed is a contract taken through negotiation: Zoë proposes version 1,
// Łukasz asks for changes, Zoë proposes version 2 with a third criterion,
// Łukasz signs it on 5 March (active), and Zoë checks in a week later,
// behind.
func Signed(t testing.TB) *contract.Contract { return SignedBy(t, Learner, Approver) }

// SignedBy is Signed between learner and approver.
func SignedBy(t testing.TB, learner, approver string) *contract.Contract {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	at := func(days int, hour int) time.Time {
		return Start.AddDate(0, 0, days).Add(time.Duration(hour) * time.Hour)
	}
	c := contract.New("c42", "slack", "T1", learner, Start)
	must(c.SetTerms(learner, termsBy(learner), Start))
	must(c.SetApprover(learner, approver, Start))
	must(c.DoPropose(learner, "First go — happy to change the criteria.", at(0, 1)))
	must(c.DoRequestChanges(approver, 1, "Add a criterion about the write-up, s'il te plaît.", at(1, 2)))
	tm := termsBy(learner)
	tm.Criteria = append(tm.Criteria, contract.Criterion{Text: "The write-up is shared on the wiki", ProposedBy: approver})
	must(c.SetTerms(learner, tm, at(2, 0)))
	must(c.DoPropose(learner, "Added the wiki criterion.", at(2, 1)))
	must(c.DoSign(approver, 2, at(3, 4)))
	must(c.DoCheckIn(learner, contract.Behind, at(10, 3)))
	must(c.NoteCheckIn(learner, "Ran one review; the checklist needs a section on accessibility.", "Second review on Friday.", at(10, 3)))
	return c
}

// Reflection is Completed's reflection.
var Reflection = contract.Reflection{
	Learned:     "A checklist only helps once the team wrote part of it — naïve of me to think otherwise.",
	Differently: "Start the cache walkthrough earlier.",
	Change:      "I open every review by asking what the author worries about.",
}

// Completed is Signed taken to the end: Zoë hands in a link, a file and a
// write-up, rates each criterion and submits; Łukasz rates two criteria as
// she did and the wiki one "Partly", with a note; she replies; she
// reflects and the contract is completed; thirty days on she says it
// changed how she works, a lot.
func Completed(t testing.TB) *contract.Contract { return CompletedBy(t, Learner, Approver) }

// CompletedBy is Completed between learner and approver.
func CompletedBy(t testing.TB, learner, approver string) *contract.Contract {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := SignedBy(t, learner, approver)
	at := func(days int) time.Time { return Start.AddDate(0, 0, days).Add(2 * time.Hour) }
	must(c.DoAddEvidence(learner, contract.EvidenceItem{Of: 1, Kind: contract.EvidenceLink, URL: "https://wiki.example.com/reviews/three"}, at(40)))
	must(c.DoAddEvidence(learner, contract.EvidenceItem{Of: 2, Kind: contract.EvidenceFile,
		File: &contract.File{ID: "F123", Name: "cache-walkthrough.mp4", Permalink: "https://files.example.com/F123"}}, at(40)))
	must(c.DoAddEvidence(learner, contract.EvidenceItem{Kind: contract.EvidenceText, Text: "Ana now uses the checklist for her own reviews."}, at(40)))
	must(c.DoSelfAssess(learner, 1, contract.Met, "Both used it last sprint.", at(40)))
	must(c.DoSelfAssess(learner, 2, contract.Met, "", at(40)))
	must(c.DoSelfAssess(learner, 3, contract.Met, "Linked above.", at(40)))
	must(c.DoSubmit(learner, at(40)))
	must(c.DoAssess(approver, 1, 1, contract.Met, "Seen it in use.", at(42)))
	must(c.DoAssess(approver, 1, 2, contract.Met, "", at(42)))
	must(c.DoAssess(approver, 1, 3, contract.Partly, "The page is a draft, not shared yet.", at(42)))
	must(c.DoComment(learner, 3, "Fair — it goes out with Friday's notes.", at(43)))
	must(c.DoComplete(learner, Reflection, []int{30, 90}, at(44)))
	must(c.DoAnswerImpact(learner, 30, contract.ImpactALot, "Reviews take half the time.", at(75)))
	return c
}

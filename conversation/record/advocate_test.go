package record_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/record"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// TestRecordAdvocateAndPrivateNotes: the record, which only the parties
// see, shows the advocate, the private notes, the advocate's signature
// and their comment.
func TestRecordAdvocateAndPrivateNotes(t *testing.T) {
	const l, a, adv = recordtest.Learner, recordtest.Approver, "UWEN"
	at := recordtest.Start
	c := contract.New("c1", "slack", "T1", l, at)
	tm := recordtest.Terms()
	tm.Support, tm.Ethics = "Two hours a week", "Unreleased designs stay in the team space"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetTerms(l, tm, at))
	must(c.SetApprover(l, a, at))
	must(c.SetAdvocate(l, adv, at))
	must(c.DoPropose(l, "", at))
	must(c.DoAdvise(adv, 1, "Fridays are quiet here", at))
	must(c.DoSign(a, 1, at))
	must(c.DoSign(adv, 1, at))

	r := record.Build(c, at)
	sections := map[string]string{}
	for _, s := range r.Sections {
		sections[s.Heading] = text(s)
	}
	for heading, wants := range map[string][]string{
		record.HeadingTerms:      {"Support needed", "Two hours a week", "Ethical considerations", "Unreleased designs"},
		record.HeadingSignatures: {"@" + adv},
		record.HeadingHistory:    {"named the workplace advocate", "commented as workplace advocate on version 1: Fridays are quiet here"},
	} {
		for _, w := range wants {
			if !strings.Contains(sections[heading], w) {
				t.Errorf("%s lacks %q:\n%s", heading, w, sections[heading])
			}
		}
	}
}

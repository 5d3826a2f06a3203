package record_test

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/record"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// TestRecordLibraryConsent: the history says when the learner let
// colleagues see the contract as an example, and when they stopped.
func TestRecordLibraryConsent(t *testing.T) {
	at := recordtest.Start
	c := contract.New("c1", "slack", "T1", recordtest.Learner, at)
	c.Status = contract.Completed
	for _, s := range []contract.Consent{contract.Anonymous, contract.Named, contract.NotShared} {
		if err := c.DoConsent(recordtest.Learner, s, at); err != nil {
			t.Fatal(err)
		}
	}
	var history string
	for _, s := range record.Build(c, at).Sections {
		history += text(s)
	}
	for _, want := range []string{"let colleagues see it as an example, anonymously", "let colleagues see it as an example, with their name",
		"stopped colleagues seeing it as an example"} {
		if !strings.Contains(history, want) {
			t.Errorf("the record does not say %q:\n%s", want, history)
		}
	}
}

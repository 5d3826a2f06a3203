package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/message"
)

func TestScrubRemovesOnePerson(t *testing.T) {
	const doc = `{"id":"c1","learner":"ULEE","approver":"UPAT",
		"terms":{"criteria":[{"text":"Two teammates use it","proposed_by":"UPAT"}]},
		"feedback":[{"by":"UPAT","specific":"PAT-SECRET words","round":1},{"by":"UKIM","text":"ask <@UPAT> about it"}],
		"history":[{"actor":"UPAT","kind":"changes_requested","comment":"PAT-SECRET comment"}],
		"away":{"UPAT":"2027-01-01","UKIM":"2027-02-01"},
		"members":["ULEE","UPAT","UKIM"],
		"other":"UPATRICK stays, UPAT goes"}`
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	s := newScrubber("UPAT")
	if !s.mentions(v) {
		t.Fatal("the document names UPAT, mentions says not")
	}
	if got := len(s.authored(v, nil)); got != 2 {
		t.Errorf("authored found %d objects by UPAT, want 2 (feedback, history)", got)
	}
	out, _ := json.Marshal(s.scrub(v, true))
	got := string(out)
	for _, gone := range []string{`"UPAT"`, "PAT-SECRET", "<@UPAT>", "UPAT goes"} {
		if strings.Contains(got, gone) {
			t.Errorf("%s is still in %s", gone, got)
		}
	}
	for _, stays := range []string{"Two teammates use it", "UPATRICK stays", `"UKIM":"2027-02-01"`, `["ULEE","UKIM"]`, message.FormerColleague} {
		if !strings.Contains(got, stays) {
			t.Errorf("%s is missing from %s", stays, got)
		}
	}
	var back any
	json.Unmarshal(out, &back)
	if s.mentions(back) {
		t.Errorf("the scrubbed document still names UPAT: %s", got)
	}
}

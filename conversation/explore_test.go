package conversation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/coach"
)

func TestExplore(t *testing.T) {
	for _, g := range []string{"learn about design reviews", "Run three design reviews using a checklist the team adopts", "Explain our deployment pipeline to a new teammate without notes", "get better at Go"} {
		fmt.Printf("%q => %+v\n", g, coach.Review(g))
	}
	var b strings.Builder
	s := newSim(time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC), map[string]string{"ULEE": "Lee", "UMO": "Mo"})
	s.log = &b
	s.say("ULEE", "hi")
	s.say("ULEE", "Running design reviews")
	s.say("ULEE", "learn about design reviews")
	s.click("ULEE", "Use suggestion")
	s.say("ULEE", "A review I run, observed by Mo")
	s.click("ULEE", "Done with goals")
	s.say("ULEE", "Shadow Ana's reviews; read Design Review Handbook")
	s.say("ULEE", "back")
	s.click("ULEE", "Keep as is")
	s.say("ULEE", "A write-up of three reviews")
	s.say("ULEE", "Two teammates use my checklist")
	s.say("ULEE", "yesterday")
	s.say("ULEE", "in 8 weeks")
	s.click("ULEE", "Fortnightly")
	s.say("ULEE", "<@ULEE>")
	s.say("ULEE", "<@UMO|mo>")
	s.click("ULEE", "Send to my manager")
	s.click("UMO", "Approve & sign")
	fmt.Println(b.String())
	if s.err != nil {
		t.Fatal(s.err)
	}
}

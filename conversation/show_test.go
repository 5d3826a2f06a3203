package conversation

import (
	"strings"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
	"github.com/learnpact/learnpact/conversation/record/recordtest"
)

// showTurn runs /contract ARGS for user with c among their contracts.
func showTurn(c *contract.Contract, user, args string) Result {
	env := testEnv()
	env.Contracts = []*contract.Contract{c}
	return Step(env, Session{User: user}, nil, Input{Kind: CommandInput, User: user, Text: args})
}

// TestShowCompletedRecord: a completed contract's record in a chat shows
// each criterion with both ratings, the reflection and the impact answer,
// within the platforms' limits.
func TestShowCompletedRecord(t *testing.T) {
	c := recordtest.Completed(t)
	c.Platform, c.Team = "slack", "T1"
	for _, user := range []string{recordtest.Learner, recordtest.Approver} {
		res := showTurn(c, user, "show c42")
		if len(res.Effects) != 1 || res.Contract != nil {
			t.Fatalf("%s: %d effects, saved %v", user, len(res.Effects), res.Contract != nil)
		}
		r := res.Effects[0].(Reply)
		messagetest.CheckLimits(t, "record", r.Message)
		text := messagetest.Text(r.Message)
		for _, want := range []string{
			"Criterion 3: The write-up is shared on the wiki", "Learner's rating: Met — Linked above.",
			"Approver's rating: Partly — The page is a draft, not shared yet.",
			"What I learned: " + recordtest.Reflection.Learned, "After 30 days: @ULEARNER",
			"Signatures", "@UAPPROVER · approver · version 2 · 5 Mar 2026, 13:30 UTC",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s's record lacks %q:\n%s", user, want, text)
			}
		}
	}
}

// TestShowRefusesStrangers: someone who is not a party, or on another
// team, gets a refusal and nothing of the contract.
func TestShowRefusesStrangers(t *testing.T) {
	c := recordtest.Completed(t)
	c.Platform, c.Team = "slack", "T1"
	for _, args := range []string{"show c42", "export c42", "show", "export"} {
		res := showTurn(c, sam, args)
		text := repliesText(res)
		if strings.Contains(text, "Leading design reviews") || len(res.Effects) != 1 {
			t.Errorf("%s by a stranger: %d effects\n%s", args, len(res.Effects), text)
		}
		if _, ok := res.Effects[0].(Export); ok {
			t.Errorf("%s by a stranger exported the record", args)
		}
	}
	other := c.Clone()
	other.Team = "T2"
	res := showTurn(other, recordtest.Learner, "export c42")
	if _, ok := res.Effects[0].(Export); ok || !strings.Contains(repliesText(res), "can't show you contract c42") {
		t.Errorf("a contract of another team was exported: %s", repliesText(res))
	}
}

// TestExportCarriesTheRecord: export hands the engine the record, with
// the message to send where files cannot go.
func TestExportCarriesTheRecord(t *testing.T) {
	c := recordtest.Completed(t)
	c.Platform, c.Team = "slack", "T1"
	res := showTurn(c, recordtest.Approver, "export")
	ex, ok := res.Effects[0].(Export)
	if !ok || ex.User != recordtest.Approver || ex.Record.ContractID != "c42" {
		t.Fatalf("effects %+v", res.Effects)
	}
	if _, ok := ex.Record.Section("Assessment"); !ok {
		t.Error("the exported record has no assessment")
	}
	messagetest.CheckLimits(t, "card", ex.Card)
	messagetest.CheckLimits(t, "comment", ex.Comment)
}

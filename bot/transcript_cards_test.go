package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// Every click means what its card said: a card carries the version and the
// question it was rendered for, and a click whose question has passed is
// answered privately, with the card updated in place of its buttons.

// passedTo checks that the latest turn answered user privately with want
// and replaced the card clicked by an outcome without buttons.
func passedTo(t *testing.T, w *bottest.World, user, want string) {
	t.Helper()
	if got := messagetest.Text(w.Last(bottest.Ephemeral, user)); !strings.Contains(got, want) {
		t.Errorf("%s was told %q, want %q", user, got, want)
	}
	card := w.Last(bottest.Updated, user)
	if bs := messagetest.Buttons(card); len(bs) > 0 {
		t.Errorf("the card clicked still has buttons: %+v", bs)
	}
	for _, d := range w.Turn().Deliveries {
		if d.Kind == bottest.Sent {
			t.Errorf("a passed click sent a message to %s: %s", d.User, messagetest.Text(d.Message))
		}
	}
}

func TestTranscriptOldSuggestionCard(t *testing.T) {
	w := newWorld(t, "An old suggestion card after a newer goal was typed")
	w.Say(lee, "new")
	w.Say(lee, "Presenting")
	w.Say(lee, "get better at presenting")
	cardA := w.Latest(lee)
	w.Say(lee, "hepl") // questioned as a typo of help
	w.Say(lee, "hepl") // sent again: the goal after all
	cardB := w.Latest(lee)
	w.ClickOn(lee, cardA, "Use suggestion")
	passedTo(t, w, lee, "That suggestion was for a goal you typed earlier")
	if goals := w.Contract("c1").Terms.Goals; len(goals) != 0 {
		t.Errorf("an old suggestion card saved a goal: %+v", goals)
	}
	w.ClickOn(lee, cardA, "Keep mine")
	if goals := w.Contract("c1").Terms.Goals; len(goals) != 0 {
		t.Errorf("an old suggestion card kept a goal: %+v", goals)
	}
	w.ClickOn(lee, cardB, "Keep mine")
	w.ClickOn(lee, cardB, "Use suggestion")
	golden(t, w, "old_suggestion_card")

	goals := w.Contract("c1").Terms.Goals
	if len(goals) != 1 || goals[0].Text != "hepl" {
		t.Errorf("goals %+v, want only the goal kept from the latest card", goals)
	}
}

func TestTranscriptOldCheckInCard(t *testing.T) {
	w := newWorld(t, "An old check-in card after a newer check-in was answered")
	activate(w)
	w.Due("c1", contract.DueCheckIn)
	first := w.Latest(lee)
	w.Wait(7 * 24 * time.Hour)
	w.Due("c1", contract.DueCheckIn)
	w.Click(lee, "Blocked")
	w.Say(lee, "The review board was cancelled twice")
	w.Click(lee, "Skip")
	w.ClickOn(lee, first, "On track")
	passedTo(t, w, lee, "You've checked in since this was sent: Blocked")
	w.ClickOn(lee, first, "Snooze a day")
	w.Say(lee, "status")
	status := lastText(w, lee)
	w.Wait(24 * time.Hour)
	w.DigestDue(mo)
	golden(t, w, "old_checkin_card")

	c := w.Contract("c1")
	if len(c.CheckIns) != 1 || c.CheckIns[0].Status != contract.Blocked {
		t.Errorf("check-ins %+v, want only the Blocked one", c.CheckIns)
	}
	if strings.Contains(status, "On track") || !strings.Contains(status, "Blocked") {
		t.Errorf("status after an old card's click: %q", status)
	}
}

func TestTranscriptContractsOnlyToParties(t *testing.T) {
	w := newWorld(t, "Contracts are shown only to their parties")
	w.AddChannel("CTEAM", lee, mo, sam)
	activate(w)
	w.Say(lee, "pause")
	w.Say(lee, "Family matters, back in March")
	open := conversation.ActionValue{ContractID: "c1", Version: 1}.Encode()
	w.Logf("-> Sam clicks [Open] with Lee's contract id (from a shared draft's button)\n")
	w.Do(conversation.Input{Kind: conversation.ActionInput, User: sam, Channel: bottest.DM(sam),
		ActionID: string(conversation.ActionOpen), Value: open})
	if got := messagetest.Text(w.Last(bottest.Ephemeral, sam)); strings.Contains(got, "Family") || strings.Contains(got, "design reviews") {
		t.Errorf("a stranger saw the contract: %q", got)
	}
	w.Logf("-> Mo clicks [Open] with the same id\n")
	w.Do(conversation.Input{Kind: conversation.ActionInput, User: mo, Channel: bottest.DM(mo),
		ActionID: string(conversation.ActionOpen), Value: open})
	w.Mention(lee, "CTEAM", "status")
	for _, d := range w.Turn().Deliveries {
		if d.Kind != bottest.Ephemeral || d.User != lee {
			t.Errorf("status in a shared channel was shown as %s to %q in %s", d.Kind, d.User, d.Channel)
		}
	}
	w.InChannel(lee, "CTEAM", "status")
	golden(t, w, "contracts_only_to_parties")
}

// amendedTwice has Mo amend Lee's proposal (version 2), Lee counter and
// send it again (version 3), and Mo amend that (version 4): Lee has the
// amendment cards of versions 2 and 4. It returns the older one.
func amendedTwice(t *testing.T, w *bottest.World) bottest.Posted {
	t.Helper()
	draftAndSend(w)
	w.Click(mo, "Propose an amendment")
	w.Submit(mo, map[string]string{contract.FieldDeadline: "2027-04-30"})
	old := w.Latest(lee)
	w.Click(lee, "Counter")
	w.Say(lee, "edit deadline")
	w.Say(lee, "2027-04-16")
	w.Click(lee, "Send to my manager")
	w.Click(mo, "Propose an amendment")
	w.Submit(mo, map[string]string{contract.FieldDeadline: "2027-05-14"})
	if c := w.Contract("c1"); c.Version != 4 || c.Status != contract.Proposed {
		t.Fatalf("version %d %s, want version 4 proposed", c.Version, c.Status)
	}
	return old
}

func TestAcceptOnAnOldAmendmentSignsNothing(t *testing.T) {
	w := newWorld(t, "")
	old := amendedTwice(t, w)
	w.ClickOn(lee, old, "Accept & sign")
	c := w.Contract("c1")
	if c.SignedBy(lee, 4) || c.Status != contract.Proposed {
		t.Errorf("Accept on version 2's card signed version 4: %s, signatures %+v", c.Status, c.Signatures)
	}
	passedTo(t, w, lee, "This was for version 2; the contract is at version 4 now.")
	w.Click(lee, "Accept & sign")
	if c := w.Contract("c1"); c.Status != contract.Active || c.Signed != 4 {
		t.Errorf("Accept on the latest card: %s, signed %d", c.Status, c.Signed)
	}
}

func TestCounterOnAnOldAmendmentChangesNothing(t *testing.T) {
	w := newWorld(t, "")
	old := amendedTwice(t, w)
	w.ClickOn(lee, old, "Counter")
	if c := w.Contract("c1"); c.Status != contract.Proposed || c.Version != 4 {
		t.Errorf("Counter on version 2's card countered version 4: %s version %d", c.Status, c.Version)
	}
	passedTo(t, w, lee, "This was for version 2; the contract is at version 4 now.")
}

func TestDeclineOnAnOldRenegotiationChangesNothing(t *testing.T) {
	w := newWorld(t, "")
	activate(w)
	w.Say(lee, "edit deadline")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "2027-04-30")
	w.ClickID(lee, conversation.ActionSendDeadline)
	old := w.Latest(mo)
	w.Click(mo, "Decline")
	w.Say(lee, "edit deadline")
	w.Click(lee, "Propose a new deadline")
	w.Say(lee, "2027-04-16")
	w.ClickID(lee, conversation.ActionSendDeadline)
	if c := w.Contract("c1"); c.Version != 3 || c.Status != contract.Renegotiating {
		t.Fatalf("version %d %s, want version 3 renegotiating", c.Version, c.Status)
	}
	w.ClickOn(mo, old, "Decline")
	if c := w.Contract("c1"); c.Status != contract.Renegotiating || c.Version != 3 {
		t.Errorf("Decline on version 2's card declined version 3: %s version %d", c.Status, c.Version)
	}
	passedTo(t, w, mo, "This was for version 2; the contract is at version 3 now.")
	w.Click(mo, "Approve & sign")
	if c := w.Contract("c1"); c.Status != contract.Active || c.Signed != 3 {
		t.Errorf("Approve on the latest card: %s, signed %d", c.Status, c.Signed)
	}
}

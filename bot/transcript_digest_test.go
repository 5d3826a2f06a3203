package bot_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/bot/bottest"
	"github.com/learnpact/learnpact/conversation"
	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

const (
	kai = "UKAI" // a learner who goes quiet
	ana = "UANA" // another approver
)

// digestWorld runs DigestWeeks with Lee, Kai and Sam learning with Mo,
// and Sam also learning with Ana (that contract is not Mo's: Sam checks in
// on it at its mid-point). It ends on the Monday after the mid-point at
// 09:00, when the digests come due.
func digestWorld(w *bottest.World) {
	docs := bottest.ProposeAs(w, sam, ana, "Writing design docs", "Write two design docs the team approves without a second round")
	w.Click(ana, "Approve & sign")
	bottest.DigestWeeks(w, lee, kai, sam, mo)
	w.Due(docs, contract.DueMidpoint)
	w.Click(sam, "On track")
	w.Say(sam, "Wrote the first doc; it went through review in one round")
	w.Click(sam, "Skip")
	now := w.Now()
	y, m, d := now.Date()
	monday := time.Date(y, m, d+(8-int(now.Weekday()))%7, 9, 0, 0, 0, time.UTC)
	w.Wait(monday.Sub(now))
}

func TestTranscriptDigest(t *testing.T) {
	title := "An approver's weekly digest"
	w := bottest.NewWorld(t, start)
	w.Names(map[string]string{lee: "Lee", mo: "Mo", sam: "Sam", kai: "Kai", ana: "Ana"})
	w.Transcribe(title, "Lee (ULEE), Kai (UKAI) and Sam (USAM) are learners; Mo (UMO) approves their contracts, and Ana (UANA) another of Sam's.")
	w.Quietly("Four weeks on from Fri 15 Jan: Lee checks in every week and at the mid-point says they're behind; "+
		"Kai missed their first check-in and its reminder and has been quiet since; Sam sent Mo a new contract on Fri 5 Feb, "+
		"and checked in on the contract Ana approves", func() { digestWorld(w) })
	w.DigestDue(mo)
	digest := w.Latest(mo)
	w.Click(mo, "Approve & sign")
	w.ClickOn(mo, digest, "Approve & sign")
	w.DigestDue(ana)
	w.Logf("   (Lee approves nobody's contracts)\n")
	w.DigestDue(lee)
	nothingHappened(t, w, "the digest of someone who approves nothing")
	golden(t, w, "digest")

	got := messagetest.Text(digest.Message)
	for _, want := range []string{
		"# Your week in learning contracts",
		"Waiting for your decision\n“Mentoring” from @USAM · version 1 · waiting since Fri 5 Feb 2027",
		"@UKAI hasn't checked in on “Public speaking” for a while — a quick word might help.",
		"“Running design reviews” · @ULEE · latest check-in Behind (Fri 12 Feb 2027)",
		"@ULEE · “Running design reviews” · Behind (Fri 12 Feb 2027) — Two of the reviews I meant to shadow were cancelled",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Mo's digest lacks %q:\n%s", want, got)
		}
	}
	for _, never := range []string{"Writing design docs", "Public speaking” · @UKAI"} {
		if strings.Contains(got, never) {
			t.Errorf("Mo's digest shows %q:\n%s", never, got)
		}
	}
	if c := w.Contract("c4"); c.Terms.Title != "Mentoring" || c.Status != contract.Active {
		t.Errorf("approving from the digest left %q %s", c.Terms.Title, c.Status)
	}
	if after := messagetest.Text(w.Find(mo, "Propose an amendment").Message); after != got {
		t.Errorf("deciding changed the digest:\n%s", after)
	}
	anas := lastText(w, ana)
	if !strings.Contains(anas, "Writing design docs") || strings.Contains(anas, "Running design reviews") || strings.Contains(anas, "Mentoring") {
		t.Errorf("Ana's digest:\n%s", anas)
	}
}

// TestDigestOnlyTheApproversContracts hands Step everyone's contracts: each
// digest tells of its approver's only, and changes nothing.
func TestDigestOnlyTheApproversContracts(t *testing.T) {
	w := bottest.NewWorld(t, start)
	digestWorld(w)
	all := w.Contracts()
	env := conversation.Env{Now: w.Now(), Platform: bottest.PlatformName, Team: bottest.Team, Location: time.UTC,
		BotUser: bottest.BotUser, Contracts: all, NewID: func() string { return "new" }}
	for _, tc := range []struct {
		user         string
		says, silent []string
	}{
		{mo, []string{"Mentoring", "Public speaking", "Running design reviews"}, []string{"Writing design docs"}},
		{ana, []string{"Writing design docs"}, []string{"Mentoring", "Public speaking", "Running design reviews"}},
		{lee, nil, nil},
		{sam, nil, nil},
		{"", nil, nil},
	} {
		sess := conversation.Session{User: tc.user, State: conversation.StateIdle, ContractID: "c1"}
		in := conversation.Input{Kind: conversation.DueInput, User: tc.user, DueKind: string(contract.DueDigest)}
		res := conversation.Step(env, sess, all[0], in)
		if res.Contract != nil || !reflect.DeepEqual(res.Session, sess) {
			t.Errorf("%s: the digest changed the contract (%v) or the session (%+v)", tc.user, res.Contract != nil, res.Session)
		}
		if tc.says == nil {
			if len(res.Effects) != 0 {
				t.Errorf("%s approves nothing, and got %+v", tc.user, res.Effects)
			}
			continue
		}
		if len(res.Effects) != 1 {
			t.Fatalf("%s: %d effects", tc.user, len(res.Effects))
		}
		send, ok := res.Effects[0].(conversation.Send)
		if !ok || send.User != tc.user {
			t.Fatalf("%s: effect %+v", tc.user, res.Effects[0])
		}
		got := messagetest.Text(send.Message)
		for _, w := range tc.says {
			if !strings.Contains(got, w) {
				t.Errorf("%s's digest lacks %q:\n%s", tc.user, w, got)
			}
		}
		for _, w := range tc.silent {
			if strings.Contains(got, w) {
				t.Errorf("%s's digest shows %q:\n%s", tc.user, w, got)
			}
		}
		messagetest.CheckLimits(t, tc.user, send.Message)
	}
}

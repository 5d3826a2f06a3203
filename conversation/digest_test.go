package conversation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
	"github.com/learnpact/learnpact/conversation/message/messagetest"
)

// digestInput is an approver's digest coming due.
func digestInput(user string) Input {
	return Input{Kind: DueInput, User: user, DueKind: string(contract.DueDigest)}
}

func TestDigestParts(t *testing.T) {
	fx := fixtures(t)
	at := func(days int) time.Time { return start.AddDate(0, 0, days) }
	// behind is the active contract with a Behind check-in after half
	// its time (it runs eight weeks from start).
	behind := fx["active"].Clone()
	if err := behind.DoCheckIn(lee, contract.Behind, at(30)); err != nil {
		t.Fatal(err)
	}
	if err := behind.NoteCheckIn(lee, "Lost a week to an incident", "", at(30)); err != nil {
		t.Fatal(err)
	}
	// missed had a check-in prompt and its re-nudge go unanswered.
	missed := fx["active"].Clone()
	missed.Sent(contract.Due{Kind: contract.DueCheckIn, At: at(7)}, at(7))
	missed.Sent(contract.Due{Kind: contract.DueCheckInMissed, At: at(9)}, at(9))
	// onTrack checked in on track last week.
	onTrack := fx["active"].Clone()
	if err := onTrack.DoCheckIn(lee, contract.OnTrack, at(27)); err != nil {
		t.Fatal(err)
	}
	// old checked in on track, eight days ago.
	old := fx["active"].Clone()
	if err := old.DoCheckIn(lee, contract.OnTrack, at(23).Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// blocked is the active contract blocked a week in, with a request
	// for help: well before half its time.
	blocked := fx["active"].Clone()
	if err := blocked.DoCheckIn(lee, contract.Blocked, at(7)); err != nil {
		t.Fatal(err)
	}
	if err := blocked.DoAskForHelp(lee, "An intro, please", at(7)); err != nil {
		t.Fatal(err)
	}
	mine := fx["renegotiating"].Clone()
	if err := mine.DoDecline(mo, mine.Version, "", at(1)); err != nil {
		t.Fatal(err)
	}
	if err := mine.DoRenegotiate(mo, 0, fx["renegotiating"].Terms, "", at(2)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		cs       []*contract.Contract
		days     int
		want     []string
		nothing  bool
		controls int // rows of buttons
	}{
		{"nothing at all", nil, 31, nil, true, 0},
		{"a draft, a change request, a withdrawn proposal", []*contract.Contract{fx["draft"], fx["changes_requested"], withdrawn(t, fx["proposed"])}, 31, nil, true, 0},
		{"on track, nothing waiting", []*contract.Contract{old, fx["paused"]}, 31, nil, true, 0},
		{"a proposal", []*contract.Contract{fx["proposed"]}, 1, []string{
			"Waiting for your decision\n“Running design reviews” from @ULEE · version 1 · waiting since Fri 15 Jan 2027\n[Approve & sign]* [Request changes] [Propose an amendment]",
		}, false, 1},
		{"a change to a signed contract", []*contract.Contract{fx["renegotiating"]}, 1, []string{
			"A change to “Running design reviews” from @ULEE · version 3 (version 2 stays in force until you decide)",
			"[Approve & sign]* [Decline]",
		}, false, 1},
		// Nothing waits for the approver; the learner's Behind shows.
		{"the approver's own change waits for the learner", []*contract.Contract{mine}, 3, []string{
			"# Your week in learning contracts\nBehind or blocked\n• “Running design reviews” · @ULEE · latest check-in Behind (Fri 22 Jan 2027)",
		}, false, 0},
		{"a missed check-in", []*contract.Contract{missed}, 12, []string{
			"Might need support\n• @ULEE hasn't checked in on “Running design reviews” for a while — a quick word might help.",
		}, false, 0},
		{"behind", []*contract.Contract{behind}, 31, []string{
			"Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Behind (Sun 14 Feb 2027) · about 4 weeks left",
			"Check-ins in the last week\n• @ULEE · “Running design reviews” · Behind (Sun 14 Feb 2027) — Lost a week to an incident  [Reply]",
		}, false, 0},
		{"blocked early, and asking for a hand", []*contract.Contract{blocked}, 9, []string{
			"Behind or blocked\n• “Running design reviews” · @ULEE · latest check-in Blocked (Fri 22 Jan 2027) · about 7 weeks left · asked you for a hand (Fri 22 Jan 2027)",
			"Check-ins in the last week\n• @ULEE · “Running design reviews” · Blocked (Fri 22 Jan 2027)  [Reply]",
		}, false, 0},
		{"quiet for two cadences", []*contract.Contract{fx["active"]}, 15, []string{
			"Drifting from the plan\n• “Running design reviews” · @ULEE · no check-in yet",
		}, false, 0},
		{"a check-in this week", []*contract.Contract{onTrack, old}, 31, []string{
			"Check-ins in the last week\n• @ULEE · “Running design reviews” · On track (Thu 11 Feb 2027)  [Reply]",
		}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			env.Now, env.Contracts = at(tc.days), tc.cs
			res := Step(env, Session{User: mo}, nil, digestInput(mo))
			if res.Contract != nil {
				t.Error("the digest saved a contract")
			}
			if tc.nothing {
				if len(res.Effects) != 0 {
					t.Errorf("nothing to say, and sent %+v", res.Effects)
				}
				return
			}
			if len(res.Effects) != 1 {
				t.Fatalf("%d effects", len(res.Effects))
			}
			m := res.Effects[0].(Send).Message
			got := messagetest.Text(m)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			rows := 0
			for _, b := range m.Blocks {
				if _, ok := b.(message.Actions); ok {
					rows++
				}
			}
			if rows != tc.controls {
				t.Errorf("%d rows of buttons, want %d", rows, tc.controls)
			}
			for _, b := range messagetest.Buttons(m) {
				if v, err := ParseActionValue(b.Value); err != nil || !v.Digest || v.Version == 0 || (b.ActionID == string(ActionReplyCheckIn)) != (v.Prompt != "") {
					t.Errorf("button %s carries %+v, %v", b.Label, v, err)
				}
			}
			messagetest.CheckLimits(t, tc.name, m)
		})
	}
}

func withdrawn(t *testing.T, c *contract.Contract) *contract.Contract {
	t.Helper()
	c = c.Clone()
	if err := c.DoWithdraw(c.Learner, start); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDigestAtMostFiveDecisions: the sixth proposal on is counted, not
// shown, and so are check-ins past ten lines; hostile text stays plain.
func TestDigestAtMostFiveDecisions(t *testing.T) {
	hostile := "<!channel> *bold* " + strings.Repeat("x", 400)
	var cs []*contract.Contract
	for i := range 7 {
		c := contract.New(fmt.Sprintf("p%d", i), "slack", "T1", fmt.Sprintf("UL%d", i), start)
		tm := contract.Terms{Title: fmt.Sprintf("Proposal %d %s", i, hostile), Goals: []contract.Goal{{Text: "Run a review"}},
			Evidence: []string{"Notes"}, Criteria: []contract.Criterion{{Text: "It is run"}}, Deadline: start.AddDate(0, 2, 0), Cadence: contract.Weekly}
		if err := c.SetTerms(c.Learner, tm, start); err != nil {
			t.Fatal(err)
		}
		if err := c.SetApprover(c.Learner, mo, start); err != nil {
			t.Fatal(err)
		}
		if err := c.DoPropose(c.Learner, "", start.Add(time.Duration(7-i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	active := fixtures(t)["active"].Clone()
	for i := range 12 {
		if err := active.DoCheckIn(lee, contract.OnTrack, start.AddDate(0, 0, 25).Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := active.NoteCheckIn(lee, hostile, "", start); err != nil {
			t.Fatal(err)
		}
	}
	env := testEnv()
	env.Now, env.Contracts = start.AddDate(0, 0, 27), append(cs, active)
	res := Step(env, Session{User: mo}, nil, digestInput(mo))
	if len(res.Effects) != 1 {
		t.Fatalf("%d effects", len(res.Effects))
	}
	m := res.Effects[0].(Send).Message
	got := messagetest.Text(m)
	if n := len(messagetest.Buttons(m)); n != 5*3+10 {
		t.Errorf("%d buttons, want three for each of five proposals and a reply to each of ten check-ins", n)
	}
	// Longest waiting first: p6 was proposed first.
	if i, j := strings.Index(got, "Proposal 6"), strings.Index(got, "Proposal 2"); i < 0 || j < 0 || i > j || strings.Contains(got, "Proposal 1") {
		t.Errorf("not the five longest waiting, longest first:\n%s", got)
	}
	for _, w := range []string{"…and 2 more — type list to see them all.", "…and 2 more\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
	messagetest.ForEachSpan(m.Blocks, func(sp message.Span) {
		if strings.Contains(sp.Text, "<!channel>") && sp.Kind != message.Plain {
			t.Errorf("user text in a %v span", sp.Kind)
		}
	})
	messagetest.CheckLimits(t, "digest", m)
}

// TestDecisionsFromTheDigest: a decision made on a digest is answered with
// its outcome; the digest, which lists other contracts, stays as it is.
func TestDecisionsFromTheDigest(t *testing.T) {
	fx := fixtures(t)
	src := MessageRef{Channel: "DUMO", TS: "1.9"}
	click := func(id ActionID, c *contract.Contract) Input {
		return Input{Kind: ActionInput, User: mo, Channel: "DUMO", ActionID: string(id), TriggerID: "t", Source: src,
			Value: ActionValue{ContractID: c.ID, Version: c.Version, Digest: true}.Encode()}
	}
	answered := func(t *testing.T, res Result, outcome string) {
		t.Helper()
		if res.Contract == nil {
			t.Fatal("the decision was not saved")
		}
		var said string
		for _, ef := range res.Effects {
			switch ef := ef.(type) {
			case Update:
				t.Errorf("the digest was replaced by %q", messagetest.Text(ef.Message))
			case Reply:
				said += messagetest.Text(ef.Message)
			}
		}
		if !strings.Contains(said, outcome) {
			t.Errorf("answered %q, want %q", said, outcome)
		}
	}

	res := Step(testEnv(), Session{User: mo}, fx["proposed"], click(ActionApprove, fx["proposed"]))
	answered(t, res, "Approved and signed by @UMO — version 1")
	res = Step(testEnv(), Session{User: mo}, fx["renegotiating"], click(ActionDecline, fx["renegotiating"]))
	answered(t, res, "Declined by @UMO — version 2 stays in force.")

	for _, tc := range []struct {
		id      ActionID
		form    map[string]string
		outcome string
	}{
		{ActionRequestChanges, map[string]string{FieldComments: "A demo, please"}, "Changes requested"},
		{ActionAmend, map[string]string{contract.FieldDeadline: "in 10 weeks"}, "Amendment proposed by @UMO — version 2"},
	} {
		res = Step(testEnv(), Session{User: mo}, fx["proposed"], click(tc.id, fx["proposed"]))
		if len(res.Effects) != 1 {
			t.Fatalf("%s: %+v", tc.id, res.Effects)
		}
		modal := res.Effects[0].(OpenModal).Modal
		v, err := ParseActionValue(modal.PrivateData)
		if err != nil || !v.Digest || v.Ref.TS != "" {
			t.Errorf("%s: the form carries %+v, %v", tc.id, v, err)
		}
		res = Step(testEnv(), Session{User: mo}, fx["proposed"], Input{Kind: SubmitInput, User: mo,
			CallbackID: modal.CallbackID, PrivateData: modal.PrivateData, Form: tc.form})
		answered(t, res, tc.outcome)
	}
}

func TestDigestNeedsTheList(t *testing.T) {
	in := digestInput(mo)
	if !NeedsList(Session{}, in) || !IsDigest(in) || ContractOf(in) != "" {
		t.Errorf("NeedsList %v, IsDigest %v, ContractOf %q", NeedsList(Session{}, in), IsDigest(in), ContractOf(in))
	}
	for _, in := range []Input{
		{Kind: DueInput, DueKind: string(contract.DueCheckIn)},
		{Kind: ActionInput, DueKind: string(contract.DueDigest)},
		{Kind: TextInput, Text: "digest"},
	} {
		if IsDigest(in) || NeedsList(Session{}, in) {
			t.Errorf("%+v is taken for a digest", in)
		}
	}
}

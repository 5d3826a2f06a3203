package conversation

import (
	"slices"
	"testing"

	"github.com/learnpact/learnpact/conversation/contract"
)

func TestReadPeople(t *testing.T) {
	tests := []struct {
		text                 string
		at                   State
		approvers, advocates []string
	}{
		{"<@UMO>", StateApprover, []string{"UMO"}, nil},
		{"<@UWEN>", StateAdvocate, nil, []string{"UWEN"}},
		// The reported bug: the advocate was taken as the approver.
		{"<@UMO|mo> with <@UWEN|wen> as my advocate", StateApprover, []string{"UMO"}, []string{"UWEN"}},
		{"<@UWEN> as my advocate and <@UMO> to approve", StateApprover, []string{"UMO"}, []string{"UWEN"}},
		{"advocate <@UWEN>, approver <@UMO>", StateApprover, []string{"UMO"}, []string{"UWEN"}},
		{"<@UMO>, and my advocate is <@UWEN>", StateApprover, []string{"UMO"}, []string{"UWEN"}},
		{"<@UMO> (my manager) and <@UWEN> (advocate)", StateApprover, []string{"UMO"}, []string{"UWEN"}},
		{"<@UMO> as my workplace advocate", StateApprover, nil, []string{"UMO"}},
		{"Advocate: <@UWEN>", StateApprover, nil, []string{"UWEN"}},
		// At the advocate step an unmarked mention is the advocate, and
		// one marked as the approver is the approver.
		{"<@UWEN>, and <@UANA> will be my approver", StateAdvocate, []string{"UANA"}, []string{"UWEN"}},
		// Two people for one role: both kept, so the caller asks.
		{"<@UMO> <@UWEN>", StateApprover, []string{"UMO", "UWEN"}, nil},
		{"<@UMO> or <@UANA>", StateApprover, []string{"UMO", "UANA"}, nil},
		{"<@UWEN> and <@UANA>", StateAdvocate, nil, []string{"UWEN", "UANA"}},
		// The same person twice is one person.
		{"<@UMO> yes <@UMO|mo>", StateApprover, []string{"UMO"}, nil},
		// "advocate" about someone else's words is not a role.
		{"<@UMO> who advocates for learning", StateApprover, []string{"UMO"}, nil},
	}
	for _, tc := range tests {
		p, err := readPeople(tc.text, tc.at)
		if err != nil {
			t.Errorf("readPeople(%q): %v", tc.text, err)
			continue
		}
		if !slices.Equal(p.approvers, tc.approvers) || !slices.Equal(p.advocates, tc.advocates) {
			t.Errorf("readPeople(%q, %s) = approvers %v advocates %v; want %v %v", tc.text, tc.at, p.approvers, p.advocates, tc.approvers, tc.advocates)
		}
		if one := len(tc.approvers) == 1; one != (p.approver != "") {
			t.Errorf("readPeople(%q): approver %q", tc.text, p.approver)
		}
	}
	if _, err := readPeople("Mo and Wen", StateApprover); err != errNoMention {
		t.Errorf("no mention: %v", err)
	}
}

func FuzzReadPeople(f *testing.F) {
	for _, s := range []string{"<@UMO> with <@UWEN> as my advocate", "advocate <@W>", "<@A|x> <@B> approver <@C>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := readPeople(s, StateApprover)
		if err != nil {
			return
		}
		if len(p.approvers)+len(p.advocates) == 0 {
			t.Fatalf("%q: mentions read as nobody", s)
		}
		if p.approver != "" && len(p.approvers) != 1 {
			t.Fatalf("%q: an approver chosen among %v", s, p.approvers)
		}
	})
}

// TestNotesParts: the steps after the approver are named for edit, have
// their own Edit buttons, and only the advocate a template asks for
// cannot be skipped.
func TestNotesParts(t *testing.T) {
	for name, want := range map[string]State{
		"advocate": StateAdvocate, "workplace advocate": StateAdvocate, "support": StateSupport,
		"support needed": StateSupport, "ethics": StateEthics, "ethical considerations": StateEthics,
	} {
		if p, ok := partNamed(name); !ok || p.state != want {
			t.Errorf("edit %s goes to %q", name, p.state)
		}
	}
	for id, want := range map[ActionID]State{ActionEditAdvocate: StateAdvocate, ActionEditSupport: StateSupport, ActionEditEthics: StateEthics} {
		if p, ok := partByEdit(id); !ok || p.state != want {
			t.Errorf("%s goes to %q", id, p.state)
		}
	}
	ap, _ := partOf(StateApprover)
	if next, _ := nextPart(ap); next.state != StateAdvocate {
		t.Errorf("after the approver comes %q", next.state)
	}
	adv, _ := partOf(StateAdvocate)
	tr := &turn{c: &contract.Contract{}}
	if !tr.skippable(adv) {
		t.Error("the advocate cannot be skipped")
	}
	tr.c.AdvocateRequired = true
	if tr.skippable(adv) {
		t.Error("the advocate a template asks for can be skipped")
	}
}

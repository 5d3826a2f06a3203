package conversation

import (
	"regexp"
	"slices"
	"strings"
)

// Reading who approves and who advocates from one message: "@Mo", "@Mo
// with @Wen as my advocate", "advocate @Wen, approver @Mo". A mention is
// the approver's or the advocate's when the words next to it say so;
// otherwise it is taken for the step being asked (the approver at the
// approver step, the advocate at the advocate step). Two people for one
// role are never guessed between.

// people is what one message named.
type people struct {
	approver, advocate string
	// approvers and advocates are every distinct person named for each
	// role; more than one is ambiguous.
	approvers, advocates []string
}

var (
	// A role named before a mention: "advocate @Wen", "my advocate is @Wen".
	advocateBefore = regexp.MustCompile(`(?i)\badvocate\s*(?:is|will be|would be|[:=-])?\s*$`)
	approverBefore = regexp.MustCompile(`(?i)\b(?:approver|manager|approved by|signed off by)\s*(?:is|will be|would be|[:=-])?\s*$`)
	// A role named after a mention: "@Wen as my advocate", "@Mo to approve".
	advocateAfter = regexp.MustCompile(`(?i)^[\s,]*(?:(?:is|as|will be|would be|to be)\s+(?:my|our|the|a)?\s*(?:workplace\s+)?advocate\b|\(?\s*(?:my\s+|the\s+)?(?:workplace\s+)?advocate\s*\)?\s*[.!]?\s*$)`)
	approverAfter = regexp.MustCompile(`(?i)^[\s,]*(?:(?:is|as|will be|would be|to be)\s+(?:my|our|the|an?)?\s*(?:approver|manager)\b|(?:to\s+)?(?:approve|approves|sign off|signs off)\b|\(?\s*(?:my\s+|the\s+)?(?:approver|manager)\s*\)?\s*[.!]?\s*$)`)
)

// readPeople reads the mentions of text for the step at (StateApprover or
// StateAdvocate). It fails with errNoMention when there is none.
func readPeople(text string, at State) (people, error) {
	locs := mention.FindAllStringSubmatchIndex(text, -1)
	if len(locs) == 0 {
		return people{}, errNoMention
	}
	var p people
	for i, l := range locs {
		id := text[l[2]:l[3]]
		prevEnd, nextStart := 0, len(text)
		if i > 0 {
			prevEnd = locs[i-1][1]
		}
		if i+1 < len(locs) {
			nextStart = locs[i+1][0]
		}
		before, after := text[prevEnd:l[0]], text[l[1]:nextStart]
		switch {
		case advocateBefore.MatchString(before):
			p.advocates = addOnce(p.advocates, id)
		case approverBefore.MatchString(before):
			p.approvers = addOnce(p.approvers, id)
		case advocateAfter.MatchString(after):
			p.advocates = addOnce(p.advocates, id)
		case approverAfter.MatchString(after):
			p.approvers = addOnce(p.approvers, id)
		case at == StateAdvocate:
			p.advocates = addOnce(p.advocates, id)
		default:
			p.approvers = addOnce(p.approvers, id)
		}
	}
	if len(p.approvers) == 1 {
		p.approver = p.approvers[0]
	}
	if len(p.advocates) == 1 {
		p.advocate = p.advocates[0]
	}
	return p, nil
}

func addOnce(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// noOne reports whether the words say "nobody" (no advocate, no support
// needed, nothing to note).
func noOne(text string) bool {
	switch normalize(text) {
	case "none", "no one", "noone", "nobody", "no", "nope", "n/a", "na", "nothing", "no advocate", "not needed",
		"nothing needed", "none needed", "no support", "no support needed", "nothing to note", "no thanks", "remove", "clear":
		return true
	}
	return false
}

// checkPerson rejects the actor and bots as a person to sign (the same
// rules as parseApprover).
func checkPerson(id, actor, botUser string) error {
	switch {
	case id == actor:
		return errSelf
	case id == botUser, strings.EqualFold(id, "USLACKBOT"), strings.HasPrefix(id, "B") && isUpperAlnum(id):
		return errBot
	}
	return nil
}

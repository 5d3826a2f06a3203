package record

import (
	"fmt"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
)

// Headings of the sections about how the contract ended.
const (
	HeadingEvidence   = "Evidence"
	HeadingAssessment = "Assessment"
	HeadingReflection = "Reflection"
	HeadingImpact     = "Impact"
)

// finish is the sections about the work handed in and what came of it,
// those that have something in them.
func finish(c *contract.Contract) []Section {
	var out []Section
	for _, s := range []func(*contract.Contract) (Section, bool){evidence, assessment, reflection, impact} {
		if sec, ok := s(c); ok {
			out = append(out, sec)
		}
	}
	return out
}

// evidence lists each submission with the evidence handed in for it, and
// the approver's request for more where there was one.
func evidence(c *contract.Contract) (Section, bool) {
	if len(c.Evidence) == 0 && len(c.Submissions) == 0 {
		return Section{}, false
	}
	s := Section{Heading: HeadingEvidence}
	named := c.InForce().Evidence
	last := 0
	for _, e := range c.Evidence {
		last = max(last, e.Submission)
	}
	for _, sb := range c.Submissions {
		last = max(last, sb.N)
	}
	for n := 1; n <= last; n++ {
		e := Entry{Title: message.T(fmt.Sprintf("Submission %d", n))}
		sub, handedIn := submission(c, n)
		if handedIn {
			when := "handed in " + Time(sub.At)
			if sub.Early {
				when += ", before the deadline"
			}
			e.Title = message.T(e.Title, " · ", when)
		} else {
			e.Title = message.T(e.Title, " · not handed in yet")
		}
		for _, ev := range c.Evidence {
			if ev.Submission != n {
				continue
			}
			x := evidenceText(ev)
			if ev.Of > 0 && ev.Of <= len(named) {
				x = message.T("for “", named[ev.Of-1], "”: ", x)
			} else {
				x = message.T("not foreseen in the contract: ", x)
			}
			e.Fields = append(e.Fields, Field{Label: evidenceKind(ev.Kind), Value: message.T(x, " (", message.Mention(ev.By), ", ", Time(ev.At), ")")})
		}
		if !sub.MoreAt.IsZero() {
			x := message.T(message.Mention(c.Approver), " on ", Time(sub.MoreAt))
			if !sub.Due.IsZero() {
				x = message.T(x, ", by ", Date(sub.Due))
			}
			if sub.MoreComment != "" {
				x = message.T(x, ": ", sub.MoreComment)
			}
			e.Fields = append(e.Fields, Field{Label: "More asked for", Value: x})
		}
		s.Blocks = append(s.Blocks, e)
	}
	return s, true
}

func submission(c *contract.Contract, n int) (contract.Submission, bool) {
	for _, s := range c.Submissions {
		if s.N == n {
			return s, true
		}
	}
	return contract.Submission{}, false
}

func evidenceKind(k string) string {
	switch k {
	case contract.EvidenceLink:
		return "Link"
	case contract.EvidenceFile:
		return "File"
	case contract.EvidenceText:
		return "Write-up"
	}
	return k
}

// evidenceText is what a piece of evidence is: the link, the file's name
// and where it is, or the text.
func evidenceText(e contract.EvidenceItem) message.Text {
	switch {
	case e.File != nil:
		x := message.T(e.File.Name)
		if e.File.Permalink != "" {
			x = message.T(message.Link(e.File.Permalink, e.File.Name))
		}
		if e.Text != "" {
			x = message.T(x, " — ", e.Text)
		}
		return x
	case e.URL != "":
		x := message.T(message.Link(e.URL, e.URL))
		if e.Text != "" {
			x = message.T(x, " — ", e.Text)
		}
		return x
	}
	return message.T(e.Text)
}

var ratingLabels = map[contract.Rating]string{contract.Met: "Met", contract.Partly: "Partly", contract.NotYet: "Not yet"}

// RatingLabel names a rating for people.
func RatingLabel(r contract.Rating) string {
	if l, ok := ratingLabels[r]; ok {
		return l
	}
	return string(r)
}

// assessment shows, for the latest submission that has ratings, each
// success criterion with the learner's and the approver's ratings side by
// side, and the exchange about it.
func assessment(c *contract.Contract) (Section, bool) {
	n := 0
	for _, a := range c.Assessments {
		n = max(n, a.Submission)
	}
	if n == 0 {
		return Section{}, false
	}
	s := Section{Heading: HeadingAssessment}
	if n > 1 {
		s.Blocks = append(s.Blocks, Para{Text: message.T(fmt.Sprintf("The ratings of submission %d; earlier ones were followed by a request for more evidence.", n))})
	}
	crit := c.InForce().Criteria
	for i := 1; i <= len(crit); i++ {
		e := Entry{Title: message.T(fmt.Sprintf("Criterion %d: ", i), crit[i-1].Text)}
		e.Fields = append(e.Fields,
			Field{Label: "Learner's rating", Value: rating(c, c.Learner, n, i)},
			Field{Label: "Approver's rating", Value: rating(c, c.Approver, n, i)})
		e.Fields = append(e.Fields, comments(c, n, i)...)
		s.Blocks = append(s.Blocks, e)
	}
	if cs := comments(c, n, 0); len(cs) > 0 {
		s.Blocks = append(s.Blocks, Entry{Title: message.T("On the work as a whole"), Fields: cs})
	}
	return s, true
}

// rating is one person's rating of criterion i in submission n, with
// their note.
func rating(c *contract.Contract, by string, n, i int) message.Text {
	a, ok := c.Rated(by, n, i)
	if !ok || by == "" {
		return message.T("not rated")
	}
	x := message.T(RatingLabel(a.Rating))
	if a.Note != "" {
		x = message.T(x, " — ", a.Note)
	}
	return x
}

// comments are the remarks about criterion i (0: the work as a whole) in
// submission n, oldest first.
func comments(c *contract.Contract, n, i int) []Field {
	var out []Field
	for _, cm := range c.Comments {
		if cm.Submission == n && cm.Criterion == i {
			out = append(out, Field{Label: "Comment", Value: message.T(message.Mention(cm.By), " (", Time(cm.At), "): ", cm.Text)})
		}
	}
	return out
}

// reflection is the learner's answers to the closing prompts.
func reflection(c *contract.Contract) (Section, bool) {
	r := c.Reflection
	if r == nil {
		return Section{}, false
	}
	answer := func(s string) message.Text {
		if s == "" {
			return message.T("(skipped)")
		}
		return message.T(s)
	}
	lead := message.T("By ", message.Mention(c.Learner), " on ", Time(r.At))
	if !c.CompletedAt.IsZero() {
		lead = message.T(lead, "; the contract was completed on ", Time(c.CompletedAt))
	}
	return Section{Heading: HeadingReflection, Blocks: []Block{
		Para{Text: message.T(lead, ".")},
		Entry{Fields: []Field{
			{Label: "What I learned", Value: answer(r.Learned)},
			{Label: "What I'd do differently", Value: answer(r.Differently)},
			{Label: "What I'll change at work", Value: answer(r.Change)},
		}},
	}}, true
}

var impactLabels = map[string]string{contract.ImpactALot: "Yes, a lot", contract.ImpactSomewhat: "Somewhat", contract.ImpactNotYet: "Not yet"}

// impact is the answers to the check-backs after completion: has this
// changed how the learner works, and has the approver seen a difference.
func impact(c *contract.Contract) (Section, bool) {
	if c.CompletedAt.IsZero() && len(c.Impacts) == 0 {
		return Section{}, false
	}
	s := Section{Heading: HeadingImpact}
	if len(c.Impacts) == 0 {
		x := message.T("No answers yet.")
		if len(c.ImpactDays) > 0 {
			x = message.T("No answers yet; the check-backs come ", days(c.ImpactDays), " after completion.")
		}
		s.Blocks = []Block{Para{Text: x}}
		return s, true
	}
	e := Entry{}
	for _, im := range c.Impacts {
		l, ok := impactLabels[im.Answer]
		if !ok {
			l = im.Answer
		}
		x := message.T(message.Mention(im.By), " (", Date(im.At), "): ", l)
		if im.Example != "" {
			x = message.T(x, " — ", im.Example)
		}
		e.Fields = append(e.Fields, Field{Label: fmt.Sprintf("After %d days", im.Day), Value: x})
	}
	s.Blocks = []Block{Para{Text: message.T("Has this changed how the learner works? And for the approver: have they seen a difference?")}, e}
	return s, true
}

func days(ds []int) string {
	out := ""
	for i, d := range ds {
		switch {
		case i == 0:
		case i == len(ds)-1:
			out += " and "
		default:
			out += ", "
		}
		out += fmt.Sprintf("%d", d)
	}
	return out + " days"
}

// ended says how a contract that ended early ended.
func ended(c *contract.Contract) (message.Text, bool) {
	switch c.EndReason {
	case contract.FinishedEarly:
		return message.T("Finished early, before the deadline."), true
	case contract.NoLongerRelevant:
		x := message.T("Withdrawn: no longer relevant.")
		if c.EndNote != "" {
			x = message.T(x, " ", c.EndNote)
		}
		return x, true
	}
	return nil, false
}

package template

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/learnpact/learnpact/conversation/contract"
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Parse reads one template from data, the contents of file. It reports
// every problem it finds, as Errors, and returns no template then.
// Anchors and aliases are refused (so a "billion laughs" file costs
// nothing), as are unknown fields, duplicate fields, empty texts and
// menus past MaxMenu.
func Parse(file string, data []byte) (Template, error) {
	p := &parser{file: file}
	if len(data) > MaxFileSize {
		p.fail(0, "", fmt.Sprintf("the file is %d bytes; a template may have at most %d", len(data), MaxFileSize))
		return Template{}, p.errs
	}
	if !utf8.Valid(data) {
		p.fail(0, "", "the file is not UTF-8 text")
		return Template{}, p.errs
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.fail(yamlLine(err), "", "not valid YAML: "+yamlMessage(err))
		return Template{}, p.errs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.fail(0, "", "the file is empty")
		return Template{}, p.errs
	}
	if !p.plain(doc.Content[0]) {
		return Template{}, p.errs
	}
	t := p.template(doc.Content[0])
	if len(p.errs) > 0 {
		return Template{}, p.errs
	}
	t.File = file
	return t, nil
}

type parser struct {
	file string
	errs Errors
}

func (p *parser) fail(line int, field, msg string) {
	p.errs = append(p.errs, Error{File: p.file, Line: line, Field: field, Msg: msg})
}

// plain refuses anchors, aliases and tags other than the plain ones
// anywhere under n.
func (p *parser) plain(n *yaml.Node) bool {
	ok := true
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case n.Kind == yaml.AliasNode:
			p.fail(n.Line, "", "aliases (*name) are not allowed in a template")
			ok = false
			return
		case n.Anchor != "":
			p.fail(n.Line, "", "anchors (&name) are not allowed in a template")
			ok = false
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ok
}

// fields are the fields a template may have, in the order of the format.
var fields = []string{"id", "version", "title", "summary", "goals", "activities", "resources",
	"evidence", "criteria", "cadence", "duration", "signers"}

func (p *parser) template(root *yaml.Node) Template {
	var t Template
	if root.Kind != yaml.MappingNode {
		p.fail(root.Line, "", "a template is a mapping of fields (id: …, title: …)")
		return t
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name := k.Value
		switch {
		case !contains(fields, name):
			p.fail(k.Line, name, "unknown field; a template has "+strings.Join(fields, ", "))
			continue
		case seen[name] != nil:
			p.fail(k.Line, name, fmt.Sprintf("given twice (first on line %d)", seen[name].Line))
			continue
		}
		seen[name] = k
		switch name {
		case "id":
			t.ID = p.text(v, name, 64)
			if t.ID != "" && !idPattern.MatchString(t.ID) {
				p.fail(v.Line, name, "use lower-case letters, digits and dashes, starting with a letter or digit")
			}
		case "version":
			t.Version = p.number(v, name, 1, 1_000_000)
		case "title":
			t.Title = p.text(v, name, 80)
		case "summary":
			t.Summary = p.text(v, name, MaxText)
		case "goals":
			t.Goals = p.goals(v)
		case "activities":
			t.Activities = p.list(v, name, 0)
		case "resources":
			t.Resources = p.list(v, name, 0)
		case "evidence":
			t.Evidence = p.list(v, name, 0)
		case "criteria":
			t.Criteria = p.list(v, name, 0)
		case "cadence":
			t.Cadence = p.cadence(v)
		case "duration":
			t.Duration = p.duration(v)
		case "signers":
			t.Signers = p.signers(v)
		}
	}
	for _, name := range []string{"id", "version", "title", "goals", "criteria"} {
		if seen[name] == nil {
			p.fail(root.Line, name, "missing; every template needs id, version, title, goals and criteria")
		}
	}
	if t.Cadence == 0 {
		t.Cadence = contract.Weekly
	}
	if t.Duration == 0 {
		t.Duration = 8 * 7
	}
	if len(t.Signers) == 0 {
		t.Signers = []string{RoleApprover}
	}
	return t
}

// text reads a non-empty scalar of at most max characters, trimmed.
func (p *parser) text(v *yaml.Node, field string, max int) string {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.fail(v.Line, field, "must be text")
		return ""
	}
	s := strings.TrimSpace(v.Value)
	switch {
	case s == "":
		p.fail(v.Line, field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		p.fail(v.Line, field, fmt.Sprintf("is %d characters; at most %d", utf8.RuneCountInString(s), max))
	}
	return s
}

func (p *parser) number(v *yaml.Node, field string, lo, hi int) int {
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil || n < lo || n > hi {
		p.fail(v.Line, field, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return 0
	}
	return n
}

// list reads a sequence of texts: at least min, at most MaxMenu, no two
// the same.
func (p *parser) list(v *yaml.Node, field string, min int) []string {
	if v.Kind != yaml.SequenceNode {
		p.fail(v.Line, field, "must be a list (- item)")
		return nil
	}
	switch {
	case len(v.Content) > MaxMenu:
		p.fail(v.Line, field, fmt.Sprintf("has %d items; at most %d", len(v.Content), MaxMenu))
		return nil
	case len(v.Content) < min:
		p.fail(v.Line, field, fmt.Sprintf("needs at least %d item(s)", min))
	}
	out := make([]string, 0, len(v.Content))
	first := map[string]int{}
	for i, c := range v.Content {
		name := fmt.Sprintf("%s[%d]", field, i+1)
		s := p.text(c, name, MaxText)
		if s == "" {
			continue
		}
		if line, dup := first[strings.ToLower(s)]; dup {
			p.fail(c.Line, name, fmt.Sprintf("repeats the item on line %d", line))
			continue
		}
		first[strings.ToLower(s)] = c.Line
		out = append(out, s)
	}
	return out
}

func (p *parser) goals(v *yaml.Node) []Goal {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.fail(v.Line, "goals", "must be a list of at least one goal (- text: …)")
		return nil
	}
	if len(v.Content) > MaxMenu {
		p.fail(v.Line, "goals", fmt.Sprintf("has %d goals; at most %d", len(v.Content), MaxMenu))
		return nil
	}
	var out []Goal
	for i, g := range v.Content {
		name := fmt.Sprintf("goals[%d]", i+1)
		if g.Kind != yaml.MappingNode {
			p.fail(g.Line, name, "a goal is a mapping: text: …, mastery: [ … ]")
			continue
		}
		var goal Goal
		var hasText bool
		for j := 0; j+1 < len(g.Content); j += 2 {
			k, val := g.Content[j], g.Content[j+1]
			switch k.Value {
			case "text":
				goal.Text, hasText = p.text(val, name+".text", MaxText), true
			case "mastery":
				goal.Mastery = p.list(val, name+".mastery", 0)
			default:
				p.fail(k.Line, name+"."+k.Value, "unknown field; a goal has text and mastery")
			}
		}
		if !hasText {
			p.fail(g.Line, name+".text", "missing; every goal needs its text")
		}
		out = append(out, goal)
	}
	return out
}

func (p *parser) cadence(v *yaml.Node) contract.Cadence {
	switch strings.ToLower(strings.TrimSpace(v.Value)) {
	case "weekly":
		return contract.Weekly
	case "fortnightly":
		return contract.Fortnightly
	}
	p.fail(v.Line, "cadence", "must be weekly or fortnightly")
	return 0
}

// duration reads "8w", "56d" or a number of days.
func (p *parser) duration(v *yaml.Node) int {
	s := strings.ToLower(strings.TrimSpace(v.Value))
	unit := 1
	switch {
	case strings.HasSuffix(s, "w"):
		s, unit = strings.TrimSuffix(s, "w"), 7
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	}
	n, err := strconv.Atoi(s)
	if v.Kind != yaml.ScalarNode || err != nil || n <= 0 || n*unit > MaxDuration {
		p.fail(v.Line, "duration", fmt.Sprintf("must be weeks (8w) or days (56d), up to %d days", MaxDuration))
		return 0
	}
	return n * unit
}

func (p *parser) signers(v *yaml.Node) []string {
	roles := p.list(v, "signers", 1)
	hasApprover := false
	for _, r := range roles {
		switch r {
		case RoleApprover:
			hasApprover = true
		case RoleAdvocate:
		default:
			p.fail(v.Line, "signers", fmt.Sprintf("unknown role %q; signers are approver and advocate", r))
		}
	}
	if len(roles) > 0 && !hasApprover {
		p.fail(v.Line, "signers", "must include approver")
	}
	return roles
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// yamlLine and yamlMessage take the line and the message out of a YAML
// library error ("yaml: line 3: mapping values are not allowed…").
func yamlLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i:], "line %d", &line)
	}
	return line
}

func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
		msg = msg[i+2:]
	}
	return msg
}

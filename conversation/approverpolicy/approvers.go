// Package approverpolicy is the policy on who may approve a learner's contract
// (the APPROVERS setting): anyone, the members of a user group, or the
// approvers a list names for each learner. It is pure: a group's members
// are looked up by whoever holds the platform, and handed to Check.
package approverpolicy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Policy says who may approve whose contracts. The zero value is Anyone.
type Policy struct {
	group string              // a user group's handle, without "@"
	list  map[string][]string // learner → approvers, for a listed policy
	file  string              // where the list came from
}

// Anyone lets a learner name any colleague.
var Anyone = Policy{}

// Parse reads an APPROVERS setting: "anyone" (or empty), "@handle" (the
// members of that Slack user group, or on Teams of the team one of whose
// channels has that id, "@19:…@thread.tacv2"), or "file:PATH" (a list,
// read with readFile, of lines "LEARNER = APPROVER, APPROVER" by user id;
// blank lines and lines starting with # are skipped).
func Parse(setting string, readFile func(string) ([]byte, error)) (Policy, error) {
	s := strings.TrimSpace(setting)
	switch {
	case s == "" || strings.EqualFold(s, "anyone"):
		return Anyone, nil
	case strings.HasPrefix(s, "@"):
		h := strings.TrimPrefix(s, "@")
		if h == "" || strings.ContainsAny(h, " \t,") || strings.HasPrefix(h, "@") {
			return Policy{}, fmt.Errorf("APPROVERS %q: a group handle is one word after @, like @managers", setting)
		}
		return Policy{group: h}, nil
	case strings.HasPrefix(s, "file:"):
		path := strings.TrimSpace(strings.TrimPrefix(s, "file:"))
		if path == "" {
			return Policy{}, fmt.Errorf("APPROVERS %q: name the file, like file:/etc/learnpact/approvers.txt", setting)
		}
		data, err := readFile(path)
		if err != nil {
			return Policy{}, fmt.Errorf("APPROVERS: cannot read %s: %w", path, err)
		}
		list, err := parseList(data)
		if err != nil {
			return Policy{}, fmt.Errorf("APPROVERS: %s: %w", path, err)
		}
		return Policy{list: list, file: path}, nil
	}
	return Policy{}, fmt.Errorf("APPROVERS %q: want anyone, @group-handle or file:PATH", setting)
}

// parseList reads the lines of an approver list.
func parseList(data []byte) (map[string][]string, error) {
	list := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	var errs []error
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		learner, rest, ok := strings.Cut(line, "=")
		learner = strings.TrimSpace(learner)
		var approvers []string
		for _, a := range strings.Split(rest, ",") {
			if a = strings.TrimSpace(a); a != "" {
				approvers = append(approvers, a)
			}
		}
		switch {
		case !ok || learner == "" || strings.ContainsAny(learner, " \t"):
			errs = append(errs, fmt.Errorf("line %d: want LEARNER = APPROVER, APPROVER", n))
		case len(approvers) == 0:
			errs = append(errs, fmt.Errorf("line %d: no approver for %s", n, learner))
		default:
			list[learner] = append(list[learner], approvers...)
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 && len(list) == 0 {
		errs = append(errs, errors.New("no learner is listed"))
	}
	return list, errors.Join(errs...)
}

// Listed is the policy of a list of each learner's approvers, as a file
// names them (for tests and tools; Parse reads the file).
func Listed(list map[string][]string) Policy {
	l := make(map[string][]string, len(list))
	for k, v := range list {
		l[k] = slices.Clone(v)
	}
	return Policy{list: l, file: "(given)"}
}

// Group returns the handle of the user group whose members may approve,
// for a group policy.
func (p Policy) Group() (string, bool) { return p.group, p.group != "" }

// String describes the policy for logs.
func (p Policy) String() string {
	switch {
	case p.group != "":
		return "@" + p.group
	case p.list != nil:
		return fmt.Sprintf("file:%s (%d learners)", p.file, len(p.list))
	}
	return "anyone"
}

// Refused says why someone may not approve a learner's contracts.
type Refused struct {
	// Group is the handle of the group approvers must belong to, for a
	// group policy; Unknown is set when its members could not be read.
	Group   string
	Unknown bool
	// Listed are the approvers the list names for the learner (none
	// when the learner is not listed), for a listed policy.
	Listed   []string
	Unlisted bool
}

func (r *Refused) Error() string {
	switch {
	case r.Group != "" && r.Unknown:
		return "the members of @" + r.Group + " could not be read"
	case r.Group != "":
		return "not a member of @" + r.Group
	case r.Unlisted:
		return "the learner has no approver in the list"
	}
	return "not an approver the list names for the learner: " + strings.Join(r.Listed, ", ")
}

// Check reports whether approver may approve learner's contracts: nil, or
// a *Refused saying why not. members are the group's members, for a group
// policy (nil when they could not be read).
func (p Policy) Check(learner, approver string, members []string) error {
	switch {
	case p.group != "":
		if members == nil {
			return &Refused{Group: p.group, Unknown: true}
		}
		if !slices.Contains(members, approver) {
			return &Refused{Group: p.group}
		}
	case p.list != nil:
		allowed, ok := p.list[learner]
		if !ok {
			return &Refused{Unlisted: true}
		}
		if !slices.Contains(allowed, approver) {
			return &Refused{Listed: slices.Clone(allowed)}
		}
	}
	return nil
}

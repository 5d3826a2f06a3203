package conversation

import (
	"errors"
	"net/url"
	"strconv"
)

// ActionValue is what a contract button (or a modal's private data) carries:
// the contract and the version it was rendered for, and for modals the
// message the click came from so it can be updated after submission.
type ActionValue struct {
	ContractID string
	Version    int
	Ref        MessageRef
	// Digest marks a button on an approver's digest: a decision made there
	// leaves the digest as it is, as it lists other contracts too.
	Digest bool
}

// Encode renders the value compactly (well under Slack's 2000-character
// limit for button values).
func (v ActionValue) Encode() string {
	q := url.Values{}
	q.Set("c", v.ContractID)
	q.Set("v", strconv.Itoa(v.Version))
	if v.Ref.TS != "" {
		q.Set("ch", v.Ref.Channel)
		q.Set("ts", v.Ref.TS)
	}
	if v.Digest {
		q.Set("d", "1")
	}
	return q.Encode()
}

// ParseActionValue reads a value written by Encode.
func ParseActionValue(s string) (ActionValue, error) {
	q, err := url.ParseQuery(s)
	if err != nil {
		return ActionValue{}, err
	}
	v := ActionValue{ContractID: q.Get("c"), Ref: MessageRef{Channel: q.Get("ch"), TS: q.Get("ts")}, Digest: q.Get("d") == "1"}
	if v.ContractID == "" || len(v.ContractID) > 64 {
		return ActionValue{}, errors.New("action value: no contract id")
	}
	if v.Version, err = strconv.Atoi(q.Get("v")); err != nil || v.Version < 0 {
		return ActionValue{}, errors.New("action value: bad version")
	}
	return v, nil
}

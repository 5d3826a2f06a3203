package scheduler

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/storage"
)

// ErrBadItem is returned by Decode for data that is not an item.
var ErrBadItem = errors.New("bad due item")

// Item is what a due item's Data holds, as JSON: a piece of a contract's
// planned work (contract.Due), or an approver's digest.
type Item struct {
	Platform string `json:"p"` // "slack", "teams"
	Team     string `json:"t"`
	Contract string `json:"c"` // empty for a digest
	// Kind is the contract's own kind of work: contract.DueCheckIn,
	// contract.DueDigest, …
	Kind contract.DueKind `json:"k"`
	User string           `json:"u"` // the recipient
	// Local is the wall-clock time it is meant for in the recipient's own
	// time zone, as LocalLayout ("2027-03-29T09:00"); empty when any
	// time will do. The stored item comes due early enough for every zone
	// (see Early), and the scheduler holds it until this local time. It
	// also tells one occurrence of a contract's item from the next.
	Local string `json:"l,omitempty"`
}

// LocalLayout is the layout of Item.Local.
const LocalLayout = "2006-01-02T15:04"

// Early is how long before a wall-clock time, read as UTC, the same
// wall-clock time comes in the zone furthest ahead of UTC (UTC+14).
const Early = 14 * time.Hour

// maxContractID is the longest contract id an item may name, as in a
// button's value (conversation.ActionValue).
const maxContractID = 64

// ItemID names the item of a contract's planned work by its key within the
// contract (contract.Due.Key: the kind, and the recipient for a per-person
// kind): a contract has at most one item per key, and scheduling it again
// replaces it.
func ItemID(contractID, key string) string { return contractID + ":" + key }

// DigestID names the digest item of an approver.
func DigestID(platform, team, user string) string {
	return "digest:" + platform + ":" + team + ":" + user
}

// Digest returns the digest item of an approver. A digest is about all of
// an approver's contracts, so it names none: there is one per approver.
func Digest(platform, team, user string) Item {
	return Item{Platform: platform, Team: team, Kind: contract.DueDigest, User: user}
}

// PlannedItem returns the item of a contract's planned work d, as the
// Planner schedules it: d.At is a wall-clock time for the recipient, so the
// item comes due early enough for any zone and the scheduler holds it
// until then.
//
// An item whose time is an instant (contract.Exact) has no local time: it
// is due then, and waits only for working hours.
func PlannedItem(platform, team, contractID string, d contract.Due) storage.DueItem {
	if contract.Exact(d.Kind) {
		return Item{Platform: platform, Team: team, Contract: contractID, Kind: d.Kind, User: d.User}.Due(d.At)
	}
	it := Item{Platform: platform, Team: team, Contract: contractID, Kind: d.Kind, User: d.User,
		Local: d.At.Format(LocalLayout)}
	return it.Due(d.At.Add(-Early))
}

// ID returns the item's id: ItemID of its contract and key, or for a
// digest DigestID of its recipient.
func (it Item) ID() string {
	if it.Kind == contract.DueDigest {
		return DigestID(it.Platform, it.Team, it.User)
	}
	return ItemID(it.Contract, contract.Due{Kind: it.Kind, User: it.User}.Key())
}

// Due returns the item as a storage.DueItem due at at.
func (it Item) Due(at time.Time) storage.DueItem {
	data, _ := json.Marshal(it) // a struct of strings always encodes
	return storage.DueItem{ID: it.ID(), At: at, Data: data}
}

// Decode reads an item's data. Data that is not JSON, or lacks the
// platform, kind, recipient or (unless it is a digest) contract, or names
// a contract id too long to be one, is an ErrBadItem.
func Decode(data []byte) (Item, error) {
	var it Item
	if err := json.Unmarshal(data, &it); err != nil {
		return Item{}, fmt.Errorf("%w: %v", ErrBadItem, err)
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"platform", it.Platform}, {"contract", it.Contract}, {"kind", string(it.Kind)}, {"user", it.User},
	} {
		if f.v == "" && (f.name != "contract" || it.Kind != contract.DueDigest) {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Item{}, fmt.Errorf("%w: no %s", ErrBadItem, strings.Join(missing, ", "))
	}
	if len(it.Contract) > maxContractID {
		return Item{}, fmt.Errorf("%w: contract id of %d bytes", ErrBadItem, len(it.Contract))
	}
	return it, nil
}

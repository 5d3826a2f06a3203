// Package due says what a scheduled item holds: which contract, which
// reminder (a contract.DueKind), for whom, and when approvers' digests are
// due. The engine writes items and the scheduler reads them; the package
// imports nothing of the project but storage, so either side can use it.
package due

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/learnpact/learnpact/storage"
)

// ErrBadItem is returned by Decode for data that is not an item.
var ErrBadItem = errors.New("bad due item")

// Item is what a due item's Data holds, as JSON.
type Item struct {
	Platform string `json:"p"` // "slack", "teams"
	Team     string `json:"t"`
	Contract string `json:"c"`
	Kind     string `json:"k"` // a contract.DueKind: "checkin", "midpoint", …
	User     string `json:"u"` // the recipient
	// Local is the wall-clock time it is meant for in the recipient's own
	// time zone, as LocalLayout ("2027-03-29T09:00"); empty when any
	// time will do. The stored item comes due early enough for every zone
	// (see Early), and the scheduler holds it until this local time.
	Local string `json:"l,omitempty"`
}

// LocalLayout is the layout of Item.Local.
const LocalLayout = "2006-01-02T15:04"

// Early is how long before a wall-clock time, read as UTC, the same
// wall-clock time comes in the zone furthest ahead of UTC (UTC+14).
const Early = 14 * time.Hour

// ID names the item of a contract and kind: a contract has at most one
// item of each kind, and scheduling it again replaces it.
func ID(contractID, kind string) string { return contractID + ":" + kind }

// KindReviewReminder is the one kind with an item per recipient (a
// contract.PerPerson kind): each reviewer of a shared draft gets their own
// reminder.
const KindReviewReminder = "review_reminder"

// ID returns the item's id: ID of its contract and kind (with the
// recipient for a per-person kind), or for a digest DigestID of its
// recipient.
func (it Item) ID() string {
	switch it.Kind {
	case KindDigest:
		return DigestID(it.Platform, it.Team, it.User)
	case KindReviewReminder:
		return ID(it.Contract, it.Kind+":"+it.User)
	}
	return ID(it.Contract, it.Kind)
}

// Due returns the item as a storage.DueItem due at at.
func (it Item) Due(at time.Time) storage.DueItem {
	data, _ := json.Marshal(it) // a struct of strings always encodes
	return storage.DueItem{ID: it.ID(), At: at, Data: data}
}

// Decode reads an item's data. Data that is not JSON, or lacks the
// platform, kind, recipient or (unless it is a digest) contract, is an
// ErrBadItem.
func Decode(data []byte) (Item, error) {
	var it Item
	if err := json.Unmarshal(data, &it); err != nil {
		return Item{}, fmt.Errorf("%w: %v", ErrBadItem, err)
	}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"platform", it.Platform}, {"contract", it.Contract}, {"kind", it.Kind}, {"user", it.User},
	} {
		if f.v == "" && (f.name != "contract" || it.Kind != KindDigest) {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Item{}, fmt.Errorf("%w: no %s", ErrBadItem, strings.Join(missing, ", "))
	}
	return it, nil
}

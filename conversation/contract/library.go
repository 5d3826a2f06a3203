package contract

import (
	"fmt"
	"time"
)

// Consent says whether a completed contract may be shown to colleagues in
// the library of past contracts, and how. The zero value, NotShared, is
// the default: a contract whose learner never answered is never shown.
type Consent string

const (
	NotShared Consent = ""          // never shown (the default)
	Named     Consent = "named"     // shown with the learner's name
	Anonymous Consent = "anonymous" // shown without any name
)

// EventLibrary is the history event of a change of consent: Old and New
// are the consent before and after ("not shared", "named", "anonymous").
const EventLibrary = "library"

// ShareExample is the action of choosing whether a completed contract may
// be shown to colleagues, and how; the learner may change it at any time.
const ShareExample Action = "share_example"

// Valid reports a consent this package knows.
func (s Consent) Valid() bool { return s == NotShared || s == Named || s == Anonymous }

// Shared reports whether the contract may be shown to colleagues now: it
// is completed and its learner agreed.
func (c *Contract) Shared() bool {
	return c.Status == Completed && (c.Library == Named || c.Library == Anonymous)
}

// DoConsent records the learner's choice about showing the completed
// contract to colleagues. Choosing what holds already changes nothing.
func (c *Contract) DoConsent(actor string, s Consent, now time.Time) error {
	if err := c.Check(ShareExample, actor, 0); err != nil {
		return err
	}
	if !s.Valid() {
		return fmt.Errorf("contract: unknown consent %q", s)
	}
	if s == c.Library {
		return nil
	}
	c.record(now, actor, EventLibrary, EventLibrary, consentWord(c.Library), consentWord(s))
	c.Library = s
	c.UpdatedAt = now
	return nil
}

// consentWord names a consent in the history.
func consentWord(s Consent) string {
	if s == NotShared {
		return NotSharedWord
	}
	return string(s)
}

// NotSharedWord is how the history names NotShared.
const NotSharedWord = "not shared"

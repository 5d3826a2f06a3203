// Package blockkit is the one home of Slack's Block Kit limits: the
// limits themselves, how Slack counts a length, and a Checker that reads
// Block Kit JSON the way Slack validates it. The Slack renderer keeps
// within the limits; the sandbox workspace and the renderer's tests check
// payloads against them. It imports nothing of the project, so bot/slack
// and bot/sandbox can both use it.
package blockkit

import "unicode/utf16"

// Block Kit limits Slack enforces (and slack-go does not check). Lengths
// are counted with Len.
const (
	MaxMessageBlocks   = 50    // blocks in a message
	MaxViewBlocks      = 100   // blocks in a view (a modal or the App Home)
	MaxMessageText     = 40000 // a message's text
	MaxSectionText     = 3000  // a section's or a context element's text
	MaxFieldText       = 2000  // one field of a section
	MaxFields          = 10    // fields in a section
	MaxHeaderText      = 150   // a header
	MaxButtonText      = 75    // a button's label
	MaxButtonValue     = 2000  // a button's value
	MaxID              = 255   // an action_id, block_id or callback_id
	MaxActionElements  = 25    // elements in an actions block
	MaxContextElements = 10    // elements in a context block
	MaxOptions         = 100   // options of a select
	MaxChoices         = 10    // options of checkboxes and radio buttons
	MaxOptionText      = 75    // an option's text
	MaxOptionValue     = 150   // an option's value
	MaxLabel           = 2000  // an input block's label
	MaxPlaceholder     = 150   // an element's placeholder
	MaxInputLength     = 3000  // a plain-text input's max_length and initial value
	MaxViewText        = 24    // a view's title, submit and close texts
	MaxPrivateMetadata = 3000  // a view's private_metadata
)

// Len is the length of s as Slack counts it: in UTF-16 code units, so a
// character outside the Basic Multilingual Plane (most emoji) counts two.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += RuneLen(r)
	}
	return n
}

// RuneLen is the length of one character as Len counts it.
func RuneLen(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

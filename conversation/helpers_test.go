package conversation

import (
	"strings"

	"github.com/learnpact/learnpact/bot/message"
)

// messageText is all the text of a message, for assertions.
func messageText(m message.Message) string {
	var b strings.Builder
	renderBlocks(m.Blocks, func(s string) { b.WriteString(s + "\n") })
	return b.String()
}

// find is the newest message in the user's inbox with a button labelled so.
func find(s *sim, user, label string) posted {
	box := s.inbox[user]
	for i := len(box) - 1; i >= 0; i-- {
		for _, b := range buttonsOf(box[i].msg) {
			if b.Label == label {
				return box[i]
			}
		}
	}
	return posted{}
}

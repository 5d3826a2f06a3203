package conversation

import (
	"encoding/json"
	"strings"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/conversation/message"
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

// store replaces a stored contract, as another process would.
func (s *sim) store(c *contract.Contract) {
	data, err := json.Marshal(c)
	if err != nil {
		s.fail("encode contract: %v", err)
		return
	}
	r := s.contracts[c.ID]
	s.contracts[c.ID] = simRecord{data: data, rev: r.rev + 1}
}

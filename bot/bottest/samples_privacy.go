package bottest

import (
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/message"
)

// privacySamples adds the messages of my-data and forget-me.
func privacySamples(t testing.TB, now time.Time, msgs map[string]message.Message) {
	t.Helper()
	const person = "UMO"
	s := sampler{NewWorld(t, now), msgs, nil}
	s.Say(person, "my-data")
	s.keep("my_data", FileSent, person)
	s.Say(person, "forget-me")
	s.keep("forget_confirm", Sent, person)
	s.Click(person, "Keep my data")
	s.keep("forget_kept", Updated, person)
	s.Say(person, "forget-me")
	s.Click(person, "Delete everything")
	s.keep("forget_asked", Updated, person)
	s.keep("forgotten", Sent, person)
}

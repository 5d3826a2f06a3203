package teams

import (
	"slices"
	"testing"

	"github.com/learnpact/learnpact/bot/teams/connectortest"
)

// TestGroupMembers: a team named by a channel's id lists its members,
// without the bot; anything else is an error.
func TestGroupMembers(t *testing.T) {
	e := newEnv(t, nil)
	e.inChannel()
	e.fake.SetMembers(teamChan, connectortest.Member{ID: lee, Name: "Lee"}, connectortest.Member{ID: mo, Name: "Mo"},
		connectortest.Member{ID: botID, Name: "learnpact"})
	got, err := e.a.GroupMembers(e.ctx(), tenant, teamChan)
	if err != nil || !slices.Equal(got, []string{lee, mo}) {
		t.Errorf("GroupMembers(%s) = %v, %v", teamChan, got, err)
	}
	for _, bad := range []string{"managers", "19:unknown@thread.tacv2"} {
		if got, err := e.a.GroupMembers(e.ctx(), tenant, bad); err == nil {
			t.Errorf("GroupMembers(%s) = %v, want an error", bad, got)
		}
	}
}

package teams

import (
	"context"
	"fmt"
	"strings"

	"github.com/learnpact/learnpact/bot"
)

var _ bot.Groups = (*Adapter)(nil)

// GroupMembers lists the members of a team, named by the id of a
// conversation of it the bot is in (a channel, "19:…@thread.tacv2"), for
// APPROVERS=@19:…: Teams has no handles of its own for groups.
func (a *Adapter) GroupMembers(ctx context.Context, _, handle string) ([]string, error) {
	if !strings.HasPrefix(handle, "19:") {
		return nil, fmt.Errorf("teams: group %q: name a team by one of its channels' ids (19:…)", handle)
	}
	info, err := a.Channel(ctx, handle)
	if err != nil {
		return nil, err
	}
	return append([]string{}, info.Members...), nil
}

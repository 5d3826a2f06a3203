package slack

import (
	"context"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
)

var _ bot.Groups = (*Adapter)(nil)

// GroupMembers lists the members of the workspace's user group with the
// handle (usergroups.list with its users; the usergroups:read scope), for
// APPROVERS=@handle. A handle no group has is an error.
func (a *Adapter) GroupMembers(ctx context.Context, _, handle string) ([]string, error) {
	var groups []slackapi.UserGroup
	err := a.retry(ctx, "usergroups.list", func() (err error) {
		groups, err = a.api.GetUserGroupsContext(ctx, slackapi.GetUserGroupsOptionIncludeUsers(true))
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if strings.EqualFold(g.Handle, handle) && g.DateDelete == 0 {
			return append([]string{}, g.Users...), nil
		}
	}
	return nil, fmt.Errorf("slack: no user group @%s", handle)
}

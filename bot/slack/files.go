package slack

import (
	"bytes"
	"context"
	"errors"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
)

var (
	_ bot.Filer = (*Adapter)(nil)
	_ bot.Namer = (*Adapter)(nil)
)

// SendFile implements bot.Filer with Slack's upload methods (v2):
// files.getUploadURLExternal for an upload URL, the bytes posted there,
// then files.completeUploadExternal to share the file in the user's DM
// with its comment (as blocks). It goes past the outbox: a file is sent once, after
// the turn that asked for it is saved.
func (a *Adapter) SendFile(ctx context.Context, user string, f bot.File) error {
	if len(f.Data) == 0 {
		return errors.New("slack: an empty file")
	}
	channel, err := a.imChannel(ctx, user)
	if err != nil {
		return err
	}
	blocks, _, problems := render(f.Comment)
	for _, p := range problems {
		a.log.Warn("file comment rendered without some content", "problem", p)
	}
	return a.retry(ctx, "files.upload", func() error {
		_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Reader: bytes.NewReader(f.Data), FileSize: len(f.Data), Filename: f.Name, Title: f.Title,
			Blocks: slackapi.Blocks{BlockSet: blocks}, Channel: channel,
		})
		return err
	})
}

// DisplayName implements bot.Namer from the person's Slack profile
// (users.info): their real name, else their display name; "" when Slack
// does not say.
func (a *Adapter) DisplayName(ctx context.Context, user string) string {
	ctx, cancel := context.WithTimeout(ctx, tzTimeout)
	defer cancel()
	var u *slackapi.User
	err := a.retry(ctx, "users.info", func() (err error) {
		u, err = a.api.GetUserInfoContext(ctx, user)
		return err
	})
	if err != nil || u == nil {
		a.log.Warn("no name for the record", "user", user, "err", err)
		return ""
	}
	for _, n := range []string{u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name} {
		if n = strings.TrimSpace(n); n != "" {
			return n
		}
	}
	return ""
}

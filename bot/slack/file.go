package slack

import (
	"bytes"
	"context"
	"errors"

	slackapi "github.com/slack-go/slack"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/message"
)

var _ bot.DataFiler = (*Adapter)(nil)

// fileUploader is the Web API's file upload (v2: files.getUploadURLExternal,
// the upload, files.completeUploadExternal), which slack-go runs in one
// call.
type fileUploader interface {
	UploadFileContext(ctx context.Context, params slackapi.UploadFileParameters) (*slackapi.FileSummary, error)
}

// SendDataFile implements bot.DataFiler: it uploads the file into the
// user's DM, with comment as the message it comes with.
func (a *Adapter) SendDataFile(ctx context.Context, user, name string, data []byte, comment message.Message) error {
	up, ok := a.api.(fileUploader)
	if !ok {
		return errors.New("slack: this client cannot upload files")
	}
	if len(data) == 0 {
		return errors.New("slack: an empty file")
	}
	channel, err := a.imChannel(ctx, user)
	if err != nil {
		return err
	}
	blocks, _, _ := render(comment)
	return a.retry(ctx, "files.uploadV2", func() error {
		_, err := up.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Reader: bytes.NewReader(data), FileSize: len(data), Filename: name, Title: name,
			Channel: channel, Blocks: slackapi.Blocks{BlockSet: blocks},
		})
		return err
	})
}

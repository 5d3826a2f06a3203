package bottest

import (
	"context"
	"slices"

	"github.com/learnpact/learnpact/bot"
	"github.com/learnpact/learnpact/conversation/message"
)

var _ bot.DataFiler = (*Platform)(nil)

// DataFile is a file the bot sent someone.
type DataFile struct {
	Name string
	Data []byte
}

// SendDataFile implements bot.DataFiler: the file is kept (see DataFiles)
// and its comment sent as a message.
func (p *Platform) SendDataFile(ctx context.Context, user, name string, data []byte, comment message.Message) error {
	p.mu.Lock()
	if p.files == nil {
		p.files = map[string][]DataFile{}
	}
	p.files[user] = append(p.files[user], DataFile{Name: name, Data: slices.Clone(data)})
	p.mu.Unlock()
	_, err := p.SendDM(ctx, user, comment)
	return err
}

// DataFiles are the files sent to user, oldest first.
func (p *Platform) DataFiles(user string) []DataFile {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.files[user])
}

// StoredContracts are every stored contract's JSON by id, read from the
// store itself.
func (w *World) StoredContracts() map[string]string {
	w.t.Helper()
	erase, ok := w.store.Store.(interface {
		EachContract(ctx context.Context, fn func(id string, data []byte, rev int64) error) error
	})
	if !ok {
		w.fatalf("the World's store cannot list contracts")
	}
	out := map[string]string{}
	err := erase.EachContract(context.Background(), func(id string, data []byte, _ int64) error {
		out[id] = string(data)
		return nil
	})
	if err != nil {
		w.fatalf("list contracts: %v", err)
	}
	return out
}

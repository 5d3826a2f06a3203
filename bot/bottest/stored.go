package bottest

import "context"

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

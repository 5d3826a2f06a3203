package embedded

import (
	"path/filepath"
	"testing"

	"github.com/learnpact/learnpact/storage"
	"github.com/learnpact/learnpact/storage/storagetest"
)

func TestDocsConformance(t *testing.T) {
	storagetest.RunDocs(t, func(t *testing.T) storage.Docs {
		s, err := Open(filepath.Join(t.TempDir(), "learnpact.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestDocsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "learnpact.db")
	ctx := t.Context()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutDoc(ctx, "set:slack:T1:C01", []byte(`{"members":["U1"]}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutDoc(ctx, "set:slack:T1:C01", []byte(`{"members":["U1","U2"]}`), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data, rev, err := s.Doc(ctx, "set:slack:T1:C01")
	if err != nil || string(data) != `{"members":["U1","U2"]}` || rev != 2 {
		t.Errorf("Doc after reopening = %s, rev %d, %v; want both members at rev 2", data, rev, err)
	}
}

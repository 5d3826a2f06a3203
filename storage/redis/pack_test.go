package redis

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/learnpact/learnpact/storage"
)

func TestPackRoundTrip(t *testing.T) {
	for _, data := range [][]byte{
		[]byte(`{}`),
		[]byte(`{"id":"c1","terms":{"title":"` + strings.Repeat("Running design reviews ", 200) + `"}}`),
	} {
		p := pack(data)
		if p[0] != packed || len(data) > 100 && len(p) >= len(data)/4 {
			t.Errorf("pack(%d bytes) = %d bytes", len(data), len(p))
		}
		got, err := unpack(p)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("unpack(pack(x)) = %q, %v", got, err)
		}
	}
}

// TestPackedOnTheServer: what Redis holds is compressed, reads give the
// JSON back, and values written before compression still read as they are.
func TestPackedOnTheServer(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	data := []byte(`{"id":"c1","notes":"` + strings.Repeat("evidence ", 500) + `"}`)
	u := storage.UserKey{Platform: "slack", Team: "T1", User: "U1"}
	if err := s.Save(ctx, storage.TurnWrite{User: u, Session: []byte(`{}`), CurrentContract: "c1", Contract: &storage.ContractWrite{ID: "c1", Data: data, Users: []storage.UserKey{u}}}); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Client().HGet(ctx, contractKey("c1"), "data").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != packed || len(raw) > len(data)/4 {
		t.Errorf("stored %d bytes for %d bytes of JSON", len(raw), len(data))
	}
	got, _, err := s.Contract(ctx, "c1")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Contract = %.40q, %v", got, err)
	}
	snap, err := s.Load(ctx, u, "", "")
	if err != nil || !bytes.Equal(snap.Contract, data) {
		t.Fatalf("Load = %.40q, %v", snap.Contract, err)
	}

	old := []byte(`{"id":"c2"}`)
	s.Client().HSet(ctx, contractKey("c2"), "rev", "1", "data", old)
	if got, _, err := s.Contract(ctx, "c2"); err != nil || !bytes.Equal(got, old) {
		t.Errorf("an uncompressed value reads as %q, %v", got, err)
	}
	s.Client().HSet(ctx, contractKey("c3"), "rev", "1", "data", []byte{packed, 0xff, 0x00})
	if _, _, err := s.Contract(ctx, "c3"); err == nil {
		t.Error("a corrupt value read without error")
	}
}

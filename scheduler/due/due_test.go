package due_test

import (
	"errors"
	"testing"
	"time"

	"github.com/learnpact/learnpact/scheduler/due"
)

func TestRoundTrip(t *testing.T) {
	it := due.Item{Platform: "slack", Team: "T1", Contract: "c42", Kind: "checkin", User: "U1"}
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	d := it.Due(at)
	if d.ID != "c42:checkin" || d.ID != due.ID("c42", "checkin") || !d.At.Equal(at) {
		t.Errorf("Due = %+v", d)
	}
	if got := string(d.Data); got != `{"p":"slack","t":"T1","c":"c42","k":"checkin","u":"U1"}` {
		t.Errorf("data = %s", got)
	}
	back, err := due.Decode(d.Data)
	if err != nil || back != it {
		t.Errorf("Decode = %+v, %v; want %+v", back, err, it)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, data := range []string{
		``, `not json`, `[]`, `{"p":1}`,
		`{}`,
		`{"p":"slack","c":"c1","k":"checkin"}`,
		`{"p":"slack","c":"c1","u":"U1"}`,
		`{"c":"c1","k":"checkin","u":"U1"}`,
		`{"p":"slack","k":"checkin","u":"U1"}`,
	} {
		if _, err := due.Decode([]byte(data)); !errors.Is(err, due.ErrBadItem) {
			t.Errorf("Decode(%q) = %v, want ErrBadItem", data, err)
		}
	}
	if _, err := due.Decode([]byte(`{"p":"slack","c":"c1","k":"checkin","u":"U1"}`)); err != nil {
		t.Errorf("no team: %v", err)
	}
}

func TestDigestItem(t *testing.T) {
	it := due.Digest("slack", "T1", "UMO")
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d := it.Due(at)
	if d.ID != "digest:slack:T1:UMO" || d.ID != due.DigestID("slack", "T1", "UMO") {
		t.Errorf("id = %q", d.ID)
	}
	back, err := due.Decode(d.Data)
	if err != nil || back != it {
		t.Errorf("Decode = %+v, %v; want %+v", back, err, it)
	}
	for _, data := range []string{
		`{"p":"slack","t":"T1","k":"digest"}`,
		`{"t":"T1","k":"digest","u":"UMO"}`,
	} {
		if _, err := due.Decode([]byte(data)); !errors.Is(err, due.ErrBadItem) {
			t.Errorf("Decode(%q) = %v, want ErrBadItem", data, err)
		}
	}
}

package scheduler_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/learnpact/learnpact/conversation/contract"
	"github.com/learnpact/learnpact/scheduler"
)

func TestRoundTrip(t *testing.T) {
	it := scheduler.Item{Platform: "slack", Team: "T1", Contract: "c42", Kind: "checkin", User: "U1"}
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	d := it.Due(at)
	if d.ID != "c42:checkin" || d.ID != scheduler.ItemID("c42", "checkin") || !d.At.Equal(at) {
		t.Errorf("Due = %+v", d)
	}
	if got := string(d.Data); got != `{"p":"slack","t":"T1","c":"c42","k":"checkin","u":"U1"}` {
		t.Errorf("data = %s", got)
	}
	back, err := scheduler.Decode(d.Data)
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
		if _, err := scheduler.Decode([]byte(data)); !errors.Is(err, scheduler.ErrBadItem) {
			t.Errorf("Decode(%q) = %v, want ErrBadItem", data, err)
		}
	}
	if _, err := scheduler.Decode([]byte(`{"p":"slack","c":"c1","k":"checkin","u":"U1"}`)); err != nil {
		t.Errorf("no team: %v", err)
	}
	long := scheduler.Item{Platform: "slack", Contract: strings.Repeat("c", 65), Kind: contract.DueCheckIn, User: "U1"}
	if _, err := scheduler.Decode(long.Due(time.Now()).Data); !errors.Is(err, scheduler.ErrBadItem) {
		t.Errorf("a 65-byte contract id: %v, want ErrBadItem", err)
	}
}

func TestDigestItem(t *testing.T) {
	it := scheduler.Digest("slack", "T1", "UMO")
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	d := it.Due(at)
	if d.ID != "digest:slack:T1:UMO" || d.ID != scheduler.DigestID("slack", "T1", "UMO") {
		t.Errorf("id = %q", d.ID)
	}
	back, err := scheduler.Decode(d.Data)
	if err != nil || back != it {
		t.Errorf("Decode = %+v, %v; want %+v", back, err, it)
	}
	for _, data := range []string{
		`{"p":"slack","t":"T1","k":"digest"}`,
		`{"t":"T1","k":"digest","u":"UMO"}`,
	} {
		if _, err := scheduler.Decode([]byte(data)); !errors.Is(err, scheduler.ErrBadItem) {
			t.Errorf("Decode(%q) = %v, want ErrBadItem", data, err)
		}
	}
}

// TestPlannedItem: a contract's planned work comes due early enough for
// the zone furthest ahead, held until its wall-clock time (Local).
func TestPlannedItem(t *testing.T) {
	d := contract.Due{Kind: contract.DueCheckIn, At: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), User: "ULEE"}
	got := scheduler.PlannedItem("slack", "T1", "c1", d)
	if got.ID != "c1:checkin" || !got.At.Equal(time.Date(2026, 3, 9, 19, 0, 0, 0, time.UTC)) {
		t.Errorf("item %s at %s", got.ID, got.At)
	}
	it, err := scheduler.Decode(got.Data)
	want := scheduler.Item{Platform: "slack", Team: "T1", Contract: "c1", Kind: contract.DueCheckIn, User: "ULEE", Local: "2026-03-10T09:00"}
	if err != nil || it != want {
		t.Errorf("Decode = %+v, %v; want %+v", it, err, want)
	}
}

// TestPerPersonKindsAgree checks that item ids give each reviewer of a
// shared draft their own reminder, as the contract plans, and that they
// are the ids the planner cancels (contract.Due.Key).
func TestPerPersonKindsAgree(t *testing.T) {
	for _, k := range contract.DueKinds() {
		it := scheduler.Item{Platform: "slack", Contract: "c1", Kind: k, User: "U1"}
		other := it
		other.User = "U2"
		if apart := it.ID() != other.ID(); apart != contract.PerPerson(k) {
			t.Errorf("kind %s: ids apart per recipient = %v, contract.PerPerson = %v", k, apart, contract.PerPerson(k))
		}
		if want := scheduler.ItemID("c1", contract.Due{Kind: k, User: "U1"}.Key()); it.ID() != want {
			t.Errorf("kind %s: item id %q, planner cancels %q", k, it.ID(), want)
		}
	}
}

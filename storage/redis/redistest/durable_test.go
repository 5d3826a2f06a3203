package redistest

import "testing"

func TestDurableKeepsDataAcrossRestart(t *testing.T) {
	d := StartDurable(t)
	if _, err := command(d.Addr(), "SET", "k", "kept"); err != nil {
		t.Fatal(err)
	}
	d.Stop()
	if _, err := command(d.Addr(), "PING"); err == nil {
		t.Fatal("PING succeeded after Stop")
	}
	d.Stop() // stopping a stopped server does nothing
	if err := d.Restart(); err != nil {
		t.Fatal(err)
	}
	if got, err := command(d.Addr(), "GET", "k"); err != nil || got != "kept" {
		t.Fatalf("GET k after a restart = %q, %v; want \"kept\"", got, err)
	}
	if err := d.Restart(); err != nil { // a running server is left alone
		t.Fatal(err)
	}
}

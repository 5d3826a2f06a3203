package redistest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestStartAnswersPing(t *testing.T) {
	s := Start(t)
	if got, err := command(s.Addr(), "PING"); err != nil || got != "PONG" {
		t.Fatalf("PING = %q, %v; want PONG", got, err)
	}
	if want := "redis://" + s.Addr() + "/0"; s.URL() != want {
		t.Errorf("URL() = %q, want %q", s.URL(), want)
	}
}

func TestServersArePrivate(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr() == b.Addr() {
		t.Fatalf("two servers share %s", a.Addr())
	}
	if _, err := command(a.Addr(), "SET", "k", "a"); err != nil {
		t.Fatal(err)
	}
	if got, err := command(b.Addr(), "GET", "k"); err == nil {
		t.Errorf("GET k on the second server = %q; want a nil reply", got)
	}
}

func TestKill(t *testing.T) {
	s := Start(t)
	s.Kill()
	if _, err := command(s.Addr(), "PING"); err == nil {
		t.Fatal("PING succeeded after Kill")
	}
	s.Kill() // a second call (and the cleanup) must not block
}

func TestStartCluster(t *testing.T) {
	s := StartCluster(t)
	info, err := command(s.Addr(), "CLUSTER", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info, "cluster_slots_assigned:16384") {
		t.Errorf("CLUSTER INFO does not show every slot assigned:\n%s", info)
	}
}

// fatalTB records Fatalf and stops the goroutine, as testing.T does.
type fatalTB struct {
	*testing.T
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStartFailsWithoutRedisServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tb := &fatalTB{T: t}
	done := make(chan *Server)
	go func() {
		defer close(done)
		done <- Start(tb)
	}()
	if s := <-done; s != nil {
		t.Fatal("Start returned a server without redis-server on PATH")
	}
	if !strings.Contains(tb.msg, "install redis-server (make test does this)") {
		t.Errorf("failure message %q does not say how to install redis-server", tb.msg)
	}
}

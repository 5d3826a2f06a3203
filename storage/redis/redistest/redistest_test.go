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

// stopTB records Fatalf and Skipf and stops the goroutine, as testing.T
// does, without failing or skipping the real test.
type stopTB struct {
	*testing.T
	fatal, skip string
}

func (f *stopTB) Helper() {}

func (f *stopTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *stopTB) Skipf(format string, args ...any) {
	f.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// startWithout runs start with an empty PATH and RequireEnv set to
// require, and returns what it reported.
func startWithout(t *testing.T, require string, start func(testing.TB) *Server) *stopTB {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(RequireEnv, require)
	tb := &stopTB{T: t}
	done := make(chan *Server)
	go func() {
		defer close(done)
		done <- start(tb)
	}()
	if s := <-done; s != nil {
		t.Fatal("a server was started without redis-server on PATH")
	}
	return tb
}

func TestSkipsWithoutRedisServer(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *Server{"Start": Start, "StartCluster": StartCluster} {
		for _, require := range []string{"", "0"} {
			tb := startWithout(t, require, start)
			if tb.fatal != "" {
				t.Errorf("%s with %s=%q failed (%q); want a skip", name, RequireEnv, require, tb.fatal)
			}
			for _, want := range []string{"redis-server not found on PATH", "install it or run make test", RequireEnv} {
				if !strings.Contains(tb.skip, want) {
					t.Errorf("%s: skip message %q does not say %q", name, tb.skip, want)
				}
			}
		}
	}
}

func TestFailsWithoutRedisServerWhenRequired(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *Server{"Start": Start, "StartCluster": StartCluster} {
		tb := startWithout(t, "1", start)
		if tb.skip != "" || tb.fatal == "" {
			t.Errorf("%s with %s=1: skipped (%q), failed (%q); want a failure", name, RequireEnv, tb.skip, tb.fatal)
		}
		if !strings.Contains(tb.fatal, "install it or run make test") {
			t.Errorf("%s: failure message %q does not say how to get redis-server", name, tb.fatal)
		}
	}
}

func TestCluster3ServesEverySlot(t *testing.T) {
	c := StartCluster3(t)
	for _, addr := range c.Addrs() {
		info, err := command(addr, "CLUSTER", "INFO")
		if err != nil || !strings.Contains(info, "cluster_slots_assigned:16384") || !strings.Contains(info, "cluster_size:3") {
			t.Errorf("node %s: %q, %v", addr, info, err)
		}
	}
}

package redistest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// Durable is a redis-server that keeps its data in an append-only file,
// written and synced before each command is answered (appendfsync
// always), so that a server stopped as a crash would stop it and started
// again on the same port still holds every write it acknowledged. Tests
// use it to take Redis away from a running program and give it back.
type Durable struct {
	bin, dir, addr string
	args           []string

	mu  sync.Mutex
	srv *Server // nil while stopped
}

// StartDurable starts a Durable server and stops it when tb ends. Without
// redis-server on PATH it skips tb, or fails it when RequireEnv is 1, as
// Start does.
func StartDurable(tb testing.TB) *Durable {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("redistest: redis-server not found on PATH, and %s=1 requires it; install it or run make test: %v", RequireEnv, err)
		}
		tb.Skipf("redistest: skipped, this test needs Redis: redis-server not found on PATH; install it or run make test (%s=1 fails instead of skipping)", RequireEnv)
	}
	d := &Durable{bin: bin, dir: tb.TempDir()}
	tb.Cleanup(d.Stop)
	const attempts = 5
	var last error
	for range attempts {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		d.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		d.args = []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--save", "",
			"--appendonly", "yes",
			"--appendfsync", "always",
			"--dir", d.dir,
			"--daemonize", "no",
			"--loglevel", "warning",
		}
		if last = d.Restart(); last == nil {
			return d
		}
		if !errors.Is(last, errPortInUse) {
			break
		}
	}
	tb.Fatalf("redistest: start redis-server: %v", last)
	return nil
}

// Addr returns the server's host:port, the same across restarts.
func (d *Durable) Addr() string { return d.addr }

// URL returns a redis:// URL for database 0 of the server.
func (d *Durable) URL() string { return "redis://" + d.addr + "/0" }

// Stop kills the server at once, as a crash would (SIGKILL). Connections
// are refused until Restart. Stopping a stopped server does nothing.
func (d *Durable) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv != nil {
		d.srv.stop()
		d.srv = nil
	}
}

// Restart starts the server again on the same port and directory, with
// the data of its append-only file, and returns once it answers PING.
// It fails when the port was taken in the meantime. Restarting a running
// server does nothing.
func (d *Durable) Restart() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.srv != nil {
		return nil
	}
	s, err := launch(d.bin, d.dir, d.addr, d.args)
	if err != nil {
		return fmt.Errorf("redistest: restart redis-server on %s: %w", d.addr, err)
	}
	d.srv = s
	return nil
}

// Package redistest starts private redis-server processes for tests.
//
// Each server listens on a free loopback port, keeps its files in the
// test's temporary directory, persists nothing, and is stopped when the test
// ends.
//
// Tests need redis-server on PATH. Without it they are skipped, with a
// message saying so, so that the rest of the suite runs on a machine
// without Redis; with LEARNPACT_REQUIRE_REDIS=1 in the environment (make
// test sets it) they fail instead, because a suite that skips its storage
// tests proves nothing.
package redistest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the environment variable that, set to 1, makes a missing
// redis-server fail the tests that need it rather than skip them.
const RequireEnv = "LEARNPACT_REQUIRE_REDIS"

// startTimeout bounds how long a server may take to answer PING.
const startTimeout = 15 * time.Second

// Server is a running redis-server.
type Server struct {
	addr string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when the process has exited
	err  error         // exit status; valid once done is closed
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns a redis:// URL for database 0 of the server.
func (s *Server) URL() string { return "redis://" + s.addr + "/0" }

// Start starts a single-node redis-server and stops it when tb ends. Without
// redis-server on PATH it skips tb, or fails it when RequireEnv is 1.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return start(tb, nil)
}

// StartCluster starts a redis-server in cluster mode that serves every
// hash slot by itself: a one-node Redis Cluster, enough to exercise the
// code paths a multi-node cluster takes. It is stopped when tb ends, and
// skips or fails tb without redis-server as Start does.
func StartCluster(tb testing.TB) *Server {
	tb.Helper()
	s := start(tb, func() ([]string, error) {
		bus, err := freePort()
		if err != nil {
			return nil, err
		}
		return []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", // in --dir
			"--cluster-port", strconv.Itoa(bus),
			"--cluster-announce-ip", "127.0.0.1",
		}, nil
	})
	if _, err := command(s.addr, "CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
		tb.Fatalf("redistest: assign cluster slots: %v", err)
	}
	deadline := time.Now().Add(startTimeout)
	for {
		info, err := command(s.addr, "CLUSTER", "INFO")
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: cluster not ready after %s (last reply %q, err %v)", startTimeout, info, err)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

// start runs redis-server with the common flags plus those from extra,
// retrying on a new port when the chosen one was taken in the meantime.
func start(tb testing.TB, extra func() ([]string, error)) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("redistest: redis-server not found on PATH, and %s=1 requires it; install it or run make test: %v", RequireEnv, err)
		}
		tb.Skipf("redistest: skipped, this test needs Redis: redis-server not found on PATH; install it or run make test (%s=1 fails instead of skipping)", RequireEnv)
	}
	dir := tb.TempDir()
	const attempts = 5
	var last error
	for range attempts {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: find a free port: %v", err)
		}
		args := []string{
			"--port", strconv.Itoa(port),
			"--bind", "127.0.0.1",
			"--save", "",
			"--appendonly", "no",
			"--dir", dir,
			"--daemonize", "no",
			"--loglevel", "warning",
		}
		if extra != nil {
			more, err := extra()
			if err != nil {
				tb.Fatalf("redistest: %v", err)
			}
			args = append(args, more...)
		}
		s, err := launch(bin, dir, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), args)
		if err == nil {
			tb.Cleanup(s.stop)
			return s
		}
		last = err
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	tb.Fatalf("redistest: start redis-server: %v", last)
	return nil
}

var errPortInUse = errors.New("port in use")

// launch starts the process and waits until it answers PING or exits.
func launch(bin, dir, addr string, args []string) (*Server, error) {
	out := new(syncBuffer)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{addr: addr, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()

	deadline := time.Now().Add(startTimeout)
	for {
		reply, err := command(addr, "PING")
		if err == nil && reply == "PONG" {
			return s, nil
		}
		select {
		case <-s.done:
			if strings.Contains(out.String(), "Address already in use") {
				return nil, fmt.Errorf("%s: %w", addr, errPortInUse)
			}
			return nil, fmt.Errorf("redis-server exited (%v): %s", s.err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("no answer to PING on %s after %s (last error %v): %s", addr, startTimeout, err, out.String())
		}
		time.Sleep(5 * time.Millisecond) // polling interval
	}
}

// stop kills the process and waits for it to exit. Nothing is persisted,
// so there is nothing to shut down gracefully.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Kill stops the server at once, as a crash would. Later commands fail to
// connect.
func (s *Server) Kill() { s.stop() }

// freePort asks the kernel for a free loopback port. Another process may
// take it before redis-server binds it; start retries when that happens.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// command sends one command on a fresh connection and returns a simple or
// bulk string reply. It is just enough RESP for starting a server.
func command(addr string, args ...string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("unexpected reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	default:
		return "", fmt.Errorf("unexpected reply %q", line)
	}
}

// syncBuffer collects process output written from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

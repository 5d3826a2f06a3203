package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// HTTPLimits bound what one client can hold of the server: how long it may
// take to send a request's headers and body, how long an answer may take
// to write, how long an idle keep-alive connection stays open, and how
// many connections are open at once.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // 10 s
	ReadTimeout       time.Duration // HTTP_READ_TIMEOUT, 15 s: headers and body
	WriteTimeout      time.Duration // HTTP_WRITE_TIMEOUT, 30 s: from the end of the headers to the end of the answer
	IdleTimeout       time.Duration // HTTP_IDLE_TIMEOUT, 60 s
	MaxConnections    int           // HTTP_MAX_CONNECTIONS, 1000
}

// defaultHTTPLimits are the limits of settings left unset. The slowest
// answer is a turn's acknowledgement (Teams waits up to 5 s for the save);
// the sandbox page's event stream lifts its own deadlines.
var defaultHTTPLimits = HTTPLimits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       15 * time.Second,
	WriteTimeout:      30 * time.Second,
	IdleTimeout:       60 * time.Second,
	MaxConnections:    1000,
}

// busyAnswer is written to a connection over the limit before it is closed.
const busyAnswer = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: 5\r\nConnection: close\r\nContent-Length: 20\r\n\r\ntoo many connections"

// limitListener accepts at most max connections at a time. One past the
// limit is answered 503 and closed at once, rather than left waiting
// (which would hold a file descriptor and starve /healthz just the same).
type limitListener struct {
	net.Listener
	mu   sync.Mutex
	open int
	max  int
}

func newLimitListener(l net.Listener, max int) *limitListener {
	return &limitListener{Listener: l, max: max}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		ok := l.open < l.max
		if ok {
			l.open++
		}
		l.mu.Unlock()
		if ok {
			return &limitedConn{Conn: c, release: l.release}, nil
		}
		go refuse(c)
	}
}

func (l *limitListener) release() {
	l.mu.Lock()
	l.open--
	l.mu.Unlock()
}

// refuse answers a connection over the limit and closes it, within a
// second however slow the client.
func refuse(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	io.WriteString(c, busyAnswer)
	c.Close()
}

// limitedConn gives its slot back once, when closed: before the socket
// closes, so a client that saw the close finds the slot free.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

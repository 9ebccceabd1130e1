package kit

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Conns counts a server's open client connections, so that a test harness can wait until the
// clients of the last command are gone — every request they sent handled — before it reads or
// resets what the server recorded. A client process that exits with requests in flight leaves
// them in its sockets; the server reads and handles them before it sees the connection close.
// Track is the http.Server's ConnState hook. The zero value is ready to use.
type Conns struct {
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	opened int           // connections accepted so far
	idle   chan struct{} // closed when open becomes empty; nil while none is waited for
}

// connsQuiet is how long WaitIdle sees no connection open, and none accepted, before it reports
// idle: a client's last connection may still be in the listener's queue when the ones before it
// have closed.
const connsQuiet = 10 * time.Millisecond

// Track follows c's state: new connections are open until closed or hijacked.
func (cs *Conns) Track(c net.Conn, state http.ConnState) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch state {
	case http.StateNew:
		if cs.open == nil {
			cs.open = map[net.Conn]struct{}{}
		}
		cs.open[c] = struct{}{}
		cs.opened++
	case http.StateClosed, http.StateHijacked:
		delete(cs.open, c)
		if len(cs.open) == 0 && cs.idle != nil {
			close(cs.idle)
			cs.idle = nil
		}
	}
}

// Open is how many client connections are open.
func (cs *Conns) Open() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.open)
}

// WaitIdle waits until no client connection is open, and none has been accepted for connsQuiet,
// for at most timeout; it reports whether that came. A client that keeps a connection open (a
// command still running in the background) makes it wait the whole timeout.
func (cs *Conns) WaitIdle(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		cs.mu.Lock()
		opened := cs.opened
		var idle chan struct{}
		if len(cs.open) > 0 {
			if cs.idle == nil {
				cs.idle = make(chan struct{})
			}
			idle = cs.idle
		}
		cs.mu.Unlock()
		if idle != nil {
			select {
			case <-idle:
			case <-t.C:
				return false
			}
			continue
		}
		select {
		case <-time.After(connsQuiet):
		case <-t.C:
			return false
		}
		cs.mu.Lock()
		quiet := len(cs.open) == 0 && cs.opened == opened
		cs.mu.Unlock()
		if quiet {
			return true
		}
	}
}

package emulator

import (
	"context"
	"net"
	"net/url"
	"testing"
	"time"
)

// waitOpen waits until s has accepted a connection.
func waitOpen(t *testing.T, s *Server) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); s.conns.Open() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server accepted no connection in 5 s")
		}
	}
}

// TestWaitIdle: a client that sends a request and goes away at once (a process exiting with a
// request in flight) leaves the emulator to handle it after it has gone; WaitIdle returns once that
// request is handled and recorded and the connection closed. A client holding a connection open
// keeps WaitIdle waiting its whole timeout.
func TestWaitIdle(t *testing.T) {
	s, err := New(Options{RandomSeed: 1, Faults: []Fault{{Latency: 200 * time.Millisecond, Times: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := s.Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	waitOpen(t, s)
	if _, err := c.Write([]byte("GET /v1.0/me/drive HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if !s.WaitIdle(5 * time.Second) {
		t.Fatal("WaitIdle: a connection still open 5 s after the client closed it")
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests recorded once idle, want the one the client sent before it went", n)
	}

	held, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	waitOpen(t, s)
	if s.WaitIdle(50 * time.Millisecond) {
		t.Error("WaitIdle: idle with a client's connection open")
	}
}

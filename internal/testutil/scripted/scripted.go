// Package scripted holds the test doubles the API clients' tests share: an httptest server that records
// every request and answers with a script of handlers, token sources with and without refresh, and a
// Sleep that records waits instead of waiting. For tests only.
package scripted

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Request is one request as the server saw it.
type Request struct {
	Method, RequestURI string
	Header             http.Header
	Body               string
}

// Server is an httptest server (plain http on 127.0.0.1) that records requests and answers the n-th with
// the n-th handler; the last handler repeats. It stops when the test ends.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	n    int
	reqs []Request
}

// New starts a Server.
func New(t testing.TB, handlers ...http.HandlerFunc) *Server {
	t.Helper()
	return start(t, true, handlers)
}

// NewQuiet starts a Server that keeps no requests (Requests stays empty; the n-th request still gets the
// n-th handler), for tests that measure the client's memory over many requests.
func NewQuiet(t testing.TB, handlers ...http.HandlerFunc) *Server {
	t.Helper()
	return start(t, false, handlers)
}

func start(t testing.TB, record bool, handlers []http.HandlerFunc) *Server {
	t.Helper()
	if len(handlers) == 0 {
		t.Fatal("scripted: a server needs at least one handler")
	}
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b []byte
		if record {
			b, _ = io.ReadAll(r.Body)
		}
		s.mu.Lock()
		n := s.n
		s.n++
		if record {
			s.reqs = append(s.reqs, Request{r.Method, r.RequestURI, r.Header.Clone(), string(b)})
		}
		s.mu.Unlock()
		handlers[min(n, len(handlers)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns a copy of the requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Reply answers with status, body (as application/json when not empty) and header name/value pairs.
func Reply(status int, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// Hangup closes the connection without an answer, as a dropped connection does.
func Hangup(w http.ResponseWriter, r *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("scripted.Hangup: the ResponseWriter cannot be hijacked")
	}
	c, _, err := hj.Hijack()
	if err == nil {
		_ = c.Close()
	}
}

// StaticTokens is a token source without refresh.
type StaticTokens string

// Token returns the token.
func (s StaticTokens) Token(context.Context) (string, error) { return string(s), nil }

// RefreshingTokens hands out Cur until Refresh is called, then Next; Err, when set, is Refresh's error.
type RefreshingTokens struct {
	mu        sync.Mutex
	Cur, Next string
	Err       error
	refreshes int
}

// Token returns the current token.
func (r *RefreshingTokens) Token(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Cur, nil
}

// Refresh switches to Next (or fails with Err) and counts the call.
func (r *RefreshingTokens) Refresh(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refreshes++
	if r.Err != nil {
		return "", r.Err
	}
	r.Cur = r.Next
	return r.Next, nil
}

// Refreshes is how many times Refresh was called.
func (r *RefreshingTokens) Refreshes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refreshes
}

// Sleeps records the waits a client asks for instead of waiting; Sleep returns ctx.Err().
type Sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

// Got returns the waits so far.
func (s *Sleeps) Got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// Clock is a settable time: Now for a server's clock, Sleep for a client's, so a client's waits move the
// server's time on at once (a throttle's retry-after passes without sleeping).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep moves the clock on by d and returns ctx.Err().
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// HijackAndCut answers with headers promising 100 bytes, sends a few, and closes the connection.
func HijackAndCut(partial string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		if partial != "" {
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + partial)
			_ = buf.Flush()
		}
	}
}

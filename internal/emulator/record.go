package emulator

import (
	"net"
	"net/http"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// RecordedRequest is one Graph request as the emulator received it (see kit.RecordedRequest).
type RecordedRequest = kit.RecordedRequest

// Requests returns a copy of every Graph request received so far, in the order they arrived.
// A request is recorded when it arrives, before it is answered, so a client that has its
// response always finds its request here; Status is set as the answer's header is written (0
// for a connection the emulator dropped on purpose). A POST /$batch comes before its
// sub-requests. Admin (/_emulator/) requests are not recorded.
func (s *Server) Requests() []RecordedRequest { return s.rec.Requests() }

// SecretIs reports whether the recorded request rr carried the secret name ("authorization",
// "password") with exactly value; recorded requests show secrets only as "[redacted]".
func (s *Server) SecretIs(rr RecordedRequest, name, value string) bool {
	return s.rec.SecretIs(rr, name, value)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() { s.rec.Reset() }

// TrackConn is the ConnState hook for an http.Server (or httptest.Server) serving s, so that
// WaitIdle knows its client connections; Listen's servers have it already.
func (s *Server) TrackConn(c net.Conn, state http.ConnState) { s.conns.Track(c, state) }

// WaitIdle waits, for at most timeout, until no client connection to s is open (those served by
// Listen, or by a server with TrackConn) and none has been accepted for 10 ms: a client that exited
// with requests in flight has then had them all handled and recorded. It reports whether that came.
func (s *Server) WaitIdle(timeout time.Duration) bool { return s.conns.WaitIdle(timeout) }

func (s *Server) record(rr RecordedRequest) { s.recordStart(rr) }

// recordStart records a request as it arrives and returns a function that sets its status once
// the answer is written.
func (s *Server) recordStart(rr RecordedRequest) (setStatus func(int)) {
	s.countStat(func(st *Stats) { st.Requests++ })
	return s.rec.Start(rr)
}

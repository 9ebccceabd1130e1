package emulator

import "net/http"

// RecordedRequest is one Graph request as the emulator received it, for tests to assert on.
// RawURI is r.RequestURI exactly as sent, so path escaping by the client is visible.
type RecordedRequest struct {
	Method string      `json:"method"`
	RawURI string      `json:"rawURI"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
	Status int         `json:"status"`
}

// Requests returns a copy of every Graph request received so far, in order. Admin
// (/_emulator/) requests are not recorded.
func (s *Server) Requests() []RecordedRequest {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := make([]RecordedRequest, len(s.recorded))
	copy(out, s.recorded)
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.recMu.Lock()
	s.recorded = nil
	s.recMu.Unlock()
}

func (s *Server) record(rr RecordedRequest) {
	s.recMu.Lock()
	s.recorded = append(s.recorded, rr)
	s.recMu.Unlock()
}

// statusWriter remembers the status a handler wrote, for the recorder.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
	// Batch is the request-id of the POST /$batch this request was part of; "" for a top-level
	// request. A sub-request's Method and RawURI are its own ("/v1.0" + its url), its Header the
	// headers it gave plus the batch's Authorization.
	Batch string `json:"batch,omitempty"`
}

// Requests returns a copy of every Graph request received so far, in the order they arrived.
// A request is recorded when it arrives, before it is answered, so a client that has its
// response always finds its request here; Status is set as the answer's header is written (0
// for a connection the emulator dropped on purpose). A POST /$batch comes before its sub-requests. Admin (/_emulator/) requests are
// not recorded.
func (s *Server) Requests() []RecordedRequest {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := make([]RecordedRequest, len(s.recorded))
	for i, r := range s.recorded {
		out[i] = *r
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.recMu.Lock()
	s.recorded = nil
	s.recMu.Unlock()
}

func (s *Server) record(rr RecordedRequest) {
	s.recordStart(rr)
}

// recordStart records a request as it arrives and returns a function that sets its status once
// the answer is written.
func (s *Server) recordStart(rr RecordedRequest) (setStatus func(int)) {
	r := &rr
	s.recMu.Lock()
	s.recorded = append(s.recorded, r)
	s.recMu.Unlock()
	s.countStat(func(st *Stats) { st.Requests++ })
	return func(status int) {
		s.recMu.Lock()
		r.Status = status
		s.recMu.Unlock()
	}
}

// statusWriter remembers the status a handler wrote, for the recorder. onStatus, when set, hears
// it before the header goes out, so a recorded request has its status by the time the client can
// have read the answer.
type statusWriter struct {
	http.ResponseWriter
	status   int
	onStatus func(int)
}

func (w *statusWriter) WriteHeader(code int) {
	w.note(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.note(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) note(code int) {
	if w.status == 0 {
		w.status = code
		if w.onStatus != nil {
			w.onStatus(code)
		}
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

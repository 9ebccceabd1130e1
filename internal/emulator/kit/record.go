package kit

import (
	"bytes"
	"net/http"
	"sync"
)

// RecordedRequest is one request as a stand-in received it, for tests to assert on. RawURI is
// r.RequestURI exactly as sent, so path escaping by the client is visible.
type RecordedRequest struct {
	Method string      `json:"method"`
	RawURI string      `json:"rawURI"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
	Status int         `json:"status"`
	// Batch is the request-id of the Graph POST /$batch this request was part of; "" for a
	// top-level request. A sub-request's Method and RawURI are its own ("/v1.0" + its url), its
	// Header the headers it gave plus the batch's Authorization.
	Batch string `json:"batch,omitempty"`
}

// Recorder keeps requests in arrival order. The zero value is ready; it is safe for concurrent
// use.
type Recorder struct {
	mu   sync.Mutex
	reqs []*RecordedRequest
}

// Start records a request as it arrives and returns a function that sets its status once the
// answer is written, so a client that has its response always finds its request here.
func (rc *Recorder) Start(rr RecordedRequest) (setStatus func(int)) {
	r := &rr
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r)
	rc.mu.Unlock()
	return func(status int) {
		rc.mu.Lock()
		r.Status = status
		rc.mu.Unlock()
	}
}

// Requests returns a copy of every request recorded so far, in the order they arrived.
func (rc *Recorder) Requests() []RecordedRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]RecordedRequest, len(rc.reqs))
	for i, r := range rc.reqs {
		out[i] = *r
	}
	return out
}

// Reset forgets the recorded requests.
func (rc *Recorder) Reset() {
	rc.mu.Lock()
	rc.reqs = nil
	rc.mu.Unlock()
}

// StatusWriter remembers the status a handler wrote, for the recorder. OnStatus, when set,
// hears it before the header goes out, so a recorded request has its status by the time the
// client can have read the answer.
type StatusWriter struct {
	http.ResponseWriter
	Status   int
	OnStatus func(int)
}

func (w *StatusWriter) WriteHeader(code int) {
	w.note(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	w.note(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

func (w *StatusWriter) note(code int) {
	if w.Status == 0 {
		w.Status = code
		if w.OnStatus != nil {
			w.OnStatus(code)
		}
	}
}

// Unwrap lets http.ResponseController reach the connection (reset and truncate faults).
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// BufferWriter collects a whole answer, so a truncate fault can send half of it and a batch
// can wrap it.
type BufferWriter struct {
	HeaderMap http.Header
	Status    int
	Buf       bytes.Buffer
}

// NewBufferWriter returns a BufferWriter starting with header h (nil = empty).
func NewBufferWriter(h http.Header) *BufferWriter {
	if h == nil {
		h = http.Header{}
	}
	return &BufferWriter{HeaderMap: h}
}

func (b *BufferWriter) Header() http.Header { return b.HeaderMap }

func (b *BufferWriter) WriteHeader(code int) {
	if b.Status == 0 {
		b.Status = code
	}
}

func (b *BufferWriter) Write(p []byte) (int, error) {
	if b.Status == 0 {
		b.Status = http.StatusOK
	}
	return b.Buf.Write(p)
}

package kit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
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
	// Secrets holds, for each secret the request carried, a keyed digest of its value: "authorization"
	// (the whole Authorization header) and "password" (every JSON "password" member, the last one
	// winning). The values themselves are never recorded: Header's Authorization reads "<scheme>
	// [redacted]" and each password in Body reads "[redacted]", so an admin endpoint open to anyone
	// who can reach the stand-in cannot hand out tokens or link passwords. Test whether a request
	// carried a given value with Recorder.SecretIs.
	Secrets map[string]string `json:"secrets,omitempty"`
}

// Redacted is the text that replaces a secret in a recorded request.
const Redacted = "[redacted]"

// SecretIs reports whether rr carried the secret name ("authorization", "password") with exactly
// value.
func (rc *Recorder) SecretIs(rr RecordedRequest, name, value string) bool {
	d, ok := rr.Secrets[name]
	return ok && hmac.Equal([]byte(d), []byte(rc.digest(value)))
}

// digest is HMAC-SHA256 under a key drawn once per Recorder, so a digest read from an admin
// endpoint cannot be checked against guessed passwords by anyone else.
func (rc *Recorder) digest(value string) string {
	rc.keyOnce.Do(func() { _, _ = rand.Read(rc.key[:]) })
	m := hmac.New(sha256.New, rc.key[:])
	m.Write([]byte(value))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// redact replaces the secrets of rr by their digests, in place.
func (rc *Recorder) redact(rr *RecordedRequest) {
	secrets := map[string]string{}
	if vs := rr.Header.Values("Authorization"); len(vs) > 0 {
		h := rr.Header.Clone()
		h.Del("Authorization")
		for _, v := range vs {
			secrets["authorization"] = rc.digest(v)
			scheme, _, _ := strings.Cut(v, " ")
			h.Add("Authorization", strings.TrimSpace(scheme+" "+Redacted))
		}
		rr.Header = h
	}
	if len(rr.Body) > 0 {
		body, pw, found := redactPasswords(rr.Body)
		rr.Body = body
		if found {
			secrets["password"] = rc.digest(pw)
		}
	}
	if len(secrets) > 0 {
		if rr.Secrets == nil {
			rr.Secrets = map[string]string{}
		}
		for k, v := range secrets {
			rr.Secrets[k] = v
		}
	}
}

// redactPasswords replaces the value of every JSON object member named "password" (any case, at
// any depth: a $batch body nests createLink bodies) with "[redacted]", except null (Box's way to
// remove a password), keeping every other byte of body as sent so tests still see the exact
// request. It returns the last password found. A body that is not JSON is returned as is, since
// Graph would refuse it anyway.
func redactPasswords(body []byte) (out []byte, password string, found bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct{ object, wantName bool }
	var open []frame // the objects and arrays being read, innermost last
	var spans [][2]int64
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return body, "", false
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			open = open[:len(open)-1]
			continue
		}
		if n := len(open); n > 0 && open[n-1].object {
			top := &open[n-1]
			if top.wantName {
				top.wantName = false
				if k, _ := tok.(string); strings.EqualFold(k, "password") {
					from := dec.InputOffset()
					val, err := dec.Token()
					if _, isDelim := val.(json.Delim); err != nil || isDelim {
						return body, "", false // not a scalar: leave the whole body alone rather than guess
					}
					if val == nil { // null clears a password (Box): nothing to hide, and tests must see the null
						top.wantName = true
						continue
					}
					spans = append(spans, [2]int64{from, dec.InputOffset()})
					password, found = fmt.Sprint(val), true
					top.wantName = true
				}
				continue
			}
			top.wantName = true // this token is a member's value; a name comes next
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, frame{object: true, wantName: true})
		case json.Delim('['):
			open = append(open, frame{})
		}
	}
	if !found {
		return body, "", false
	}
	var b bytes.Buffer
	last := int64(0)
	for _, sp := range spans {
		b.Write(body[last:sp[0]])
		b.WriteString(`:"` + Redacted + `"`)
		last = sp[1]
	}
	b.Write(body[last:])
	return b.Bytes(), password, true
}

// Recorder keeps requests in arrival order. The zero value is ready; it is safe for concurrent
// use.
type Recorder struct {
	mu   sync.Mutex
	reqs []*RecordedRequest

	keyOnce sync.Once // key keys the digests that stand for secrets
	key     [32]byte
}

// Start records a request as it arrives and returns a function that sets its status once the
// answer is written, so a client that has its response always finds its request here.
// Secrets are redacted first (see RecordedRequest.Secrets).
func (rc *Recorder) Start(rr RecordedRequest) (setStatus func(int)) {
	rc.redact(&rr)
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

// AddSecret records in rr the digest of a secret a stand-in redacted itself (a form's
// client_secret, a BoxApi header's password), so Recorder.SecretIs can test it like the others.
func (rc *Recorder) AddSecret(rr *RecordedRequest, name, value string) {
	if rr.Secrets == nil {
		rr.Secrets = map[string]string{}
	}
	rr.Secrets[name] = rc.digest(value)
}

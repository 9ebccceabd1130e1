package identity

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// exchange is one request the emulator answered, as the tests observe it from outside.
type exchange struct {
	Path, GrantType string
	Status          int
	Error           string // the OAuth "error" of an error body
}

// recorder wraps the Server to log every exchange without touching its internals.
type recorder struct {
	h  http.Handler
	mu sync.Mutex
	ex []exchange
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var grant string
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil {
			grant = v.Get("grant_type")
		}
	}
	cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
	rec.h.ServeHTTP(cw, r)
	var e struct {
		Error any `json:"error"`
	}
	_ = json.Unmarshal(cw.body.Bytes(), &e)
	errCode, _ := e.Error.(string)
	rec.mu.Lock()
	rec.ex = append(rec.ex, exchange{Path: r.URL.Path, GrantType: grant, Status: cw.status, Error: errCode})
	rec.mu.Unlock()
}

// count returns how many token responses had grant type grant (any spelling containing it) and error
// errCode ("" for success).
func (rec *recorder) count(grant, errCode string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, e := range rec.ex {
		if strings.HasSuffix(e.Path, "/token") && strings.Contains(e.GrantType, grant) && e.Error == errCode {
			n++
		}
	}
	return n
}

type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.body.Len() < 64<<10 {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// newEmulator starts the Server over TLS on 127.0.0.1; ts.Client() trusts its certificate.
func newEmulator(t *testing.T, o Options) (*Server, *httptest.Server, *recorder) {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rec := &recorder{h: s}
	ts := httptest.NewTLSServer(rec)
	t.Cleanup(ts.Close)
	return s, ts, rec
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// postForm posts a form and decodes the JSON answer.
func postForm(t *testing.T, c *http.Client, u string, v url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := c.PostForm(u, v)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("POST %s: decode: %v", u, err)
	}
	return resp.StatusCode, m
}

func (rec *recorder) all() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.ex)
}

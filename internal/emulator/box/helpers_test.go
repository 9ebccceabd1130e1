package box

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time for links, tokens and codes.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	srv   *Server
	ts    *httptest.Server
	clk   *clock
	token string // bearer sent by default
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = clk.now
	}
	if opts.RandomSeed == 0 {
		opts.RandomSeed = 7
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &env{t: t, srv: s, ts: ts, clk: clk, token: DemoDeveloperToken}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %v\n%s", r.status, err, r.body)
	}
	return m
}

// do sends a request; path is below the server's origin. headers are name, value pairs; a
// value "" removes the header (Authorization included).
func (e *env) do(method, path, body string, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	cl := e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (e *env) get(path string, headers ...string) resp { return e.do("GET", path, "", headers...) }

func (e *env) put(path, body string, headers ...string) resp {
	return e.do("PUT", path, body, headers...)
}

// form posts a form to the token or revoke endpoint.
func (e *env) form(path string, v url.Values) resp {
	e.t.Helper()
	res, err := e.ts.Client().Post(e.ts.URL+path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// wantError checks Box's error object: status, code, and request_id equal to the header.
func wantError(t *testing.T, r resp, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	if m["type"] != "error" || m["code"] != code || m["status"] != float64(status) || m["message"] == "" ||
		m["request_id"] == "" || m["request_id"] != r.header.Get("Box-Request-Id") || m["help_url"] == nil {
		t.Fatalf("error object %s, want type error, status %d, code %s, request_id = BOX-REQUEST-ID %q", r.body, status, code, r.header.Get("Box-Request-Id"))
	}
	return m
}

// contextName is context_info.errors[0].name of an error object ("" without).
func contextName(m map[string]any) string {
	ci, _ := m["context_info"].(map[string]any)
	errs, _ := ci["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	n, _ := errs[0].(map[string]any)["name"].(string)
	return n
}

func sharedLink(t *testing.T, r resp) map[string]any {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	sl, ok := m["shared_link"]
	if !ok {
		t.Fatalf("no shared_link member in %s", r.body)
	}
	l, _ := sl.(map[string]any)
	return l
}

func boxAPI(link string, password ...string) string {
	h := "shared_link=" + link
	if len(password) > 0 {
		h += "&shared_link_password=" + password[0]
	}
	return h
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

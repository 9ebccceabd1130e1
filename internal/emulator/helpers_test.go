package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testEnv is an emulator behind httptest, with a client that sends a bearer token.
type testEnv struct {
	t    *testing.T
	srv  *Server
	ts   *httptest.Server
	base string // .../v1.0
}

func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if opts.RandomSeed == 0 {
		opts.RandomSeed = 42
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testEnv{t: t, srv: s, ts: ts, base: ts.URL + "/v1.0"}
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
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (r resp) errCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %s", r.body)
	}
	code, _ := e["code"].(string)
	return code
}

// do sends method to rawURL (relative paths are below base) with a token unless headers say "".
func (e *testEnv) do(method, rawURL, body string, headers ...string) resp {
	e.t.Helper()
	if !strings.HasPrefix(rawURL, "http") {
		rawURL = e.base + rawURL
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer test-token")
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
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read: %v", method, rawURL, err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func (e *testEnv) get(path string, headers ...string) resp { return e.do("GET", path, "", headers...) }

func (e *testEnv) post(path, body string) resp { return e.do("POST", path, body) }

// collect follows @odata.nextLink verbatim and returns every member's id and the page count.
func (e *testEnv) collect(first string) (ids []string, pages int) {
	e.t.Helper()
	next := first
	for next != "" {
		r := e.get(next)
		if r.status != 200 {
			e.t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		m := r.json(e.t)
		pages++
		for _, v := range m["value"].([]any) {
			ids = append(ids, v.(map[string]any)["id"].(string))
		}
		next, _ = m["@odata.nextLink"].(string)
		if pages > 100 {
			e.t.Fatal("too many pages")
		}
	}
	return ids, pages
}

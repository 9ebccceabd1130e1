package graph

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/httpx"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestDoSendsHeadersAndRawPath(t *testing.T) {
	s := newServer(t, reply(201, `{"id":"p"}`, "request-id", "rid-1"))
	c, _ := s.client(t, nil)
	resp, err := c.Do(context.Background(), &Request{
		Method: "POST",
		Path:   "/me/drive/root:/Q3%20%231%20100%25.xlsx:/createLink",
		Body:   []byte(`{"type":"view"}`),
		Header: http.Header{"Authorization": {"Bearer caller-must-not-set-this"}, "Prefer": {"redeemSharingLink"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 201 || string(resp.Body) != `{"id":"p"}` || resp.Header.Get("request-id") != "rid-1" {
		t.Errorf("response = %+v", resp)
	}
	r := s.requests()[0]
	if r.Method != "POST" || r.RequestURI != "/v1.0/me/drive/root:/Q3%20%231%20100%25.xlsx:/createLink" {
		t.Errorf("request line = %s %s", r.Method, r.RequestURI)
	}
	checks := map[string]string{
		"Authorization": "Bearer tok",
		"User-Agent":    "odshare/test",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"Prefer":        "redeemSharingLink",
	}
	for k, want := range checks {
		if got := r.Header.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if id := r.Header.Get("client-request-id"); !uuidV4.MatchString(id) {
		t.Errorf("client-request-id %q is not a v4 UUID", id)
	}
	if r.Body != `{"type":"view"}` {
		t.Errorf("body = %q", r.Body)
	}
}

func TestDoGetHasNoContentType(t *testing.T) {
	s := newServer(t, reply(200, `{}`))
	c, _ := s.client(t, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "me/drive"}); err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	if r.Method != "GET" || r.RequestURI != "/v1.0/me/drive" || r.Header.Get("Content-Type") != "" {
		t.Errorf("got %s %s Content-Type=%q", r.Method, r.RequestURI, r.Header.Get("Content-Type"))
	}
}

func TestRetry429RetryAfterThen200(t *testing.T) {
	s := newServer(t,
		reply(429, `{"error":{"code":"activityLimitReached","message":"slow down"}}`, "Retry-After", "2"),
		reply(200, `{"ok":true}`))
	c, sl := s.client(t, nil)
	resp, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err != nil || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	if got := sl.Got(); len(got) != 1 || got[0] != 2*time.Second {
		t.Errorf("waits = %v, want [2s]", got)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
	if a, b := s.requests()[0].Header.Get("client-request-id"), s.requests()[1].Header.Get("client-request-id"); a != b {
		t.Errorf("client-request-id changed across retries: %s, %s", a, b)
	}
}

func TestRetryFractionalRetryAfter(t *testing.T) {
	s := newServer(t, reply(429, "", "Retry-After", "2.128"), reply(200, `{}`))
	c, sl := s.client(t, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	if got := sl.Got(); len(got) != 1 || got[0] != 2128*time.Millisecond {
		t.Errorf("waits = %v, want [2.128s]", got)
	}
}

func TestRetry503HTTPDate(t *testing.T) {
	when := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	s := newServer(t, reply(503, "", "Retry-After", when), reply(200, `{}`))
	c, sl := s.client(t, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	got := sl.Got()
	if len(got) != 1 || got[0] < 8*time.Second || got[0] > 10*time.Second {
		t.Errorf("waits = %v, want one wait of about 9-10s", got)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	s := newServer(t, reply(504, "", "Retry-After", "3600"), reply(200, `{}`))
	c, sl := s.client(t, func(o *Options) { o.MaxRetryWait = 5 * time.Second })
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	if got := sl.Got(); len(got) != 1 || got[0] != 5*time.Second {
		t.Errorf("waits = %v, want [5s]", got)
	}
}

func TestRetryGarbageRetryAfterBacksOff(t *testing.T) {
	s := newServer(t, reply(429, "", "Retry-After", "-3"), reply(429, "", "Retry-After", "soon"), reply(200, `{}`))
	c, sl := s.client(t, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	got := sl.Got()
	if len(got) != 2 || got[0] < 500*time.Millisecond || got[0] > time.Second || got[1] < time.Second || got[1] > 2*time.Second {
		t.Errorf("waits = %v, want throttle backoff within [500ms,1s], [1s,2s]", got)
	}
}

func TestRetry5xxBackoff(t *testing.T) {
	s := newServer(t, reply(500, ""), reply(502, "<html>bad gateway</html>"), reply(500, ""), reply(200, `{}`))
	c, sl := s.client(t, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	got := sl.Got()
	ceilings := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	if len(got) != len(ceilings) {
		t.Fatalf("waits = %v, want %d", got, len(ceilings))
	}
	for i, w := range got {
		if w < 0 || w > ceilings[i] {
			t.Errorf("wait %d = %v, want within [0, %v]", i, w, ceilings[i])
		}
	}
}

func TestRetryAttemptsBounded(t *testing.T) {
	s := newServer(t, reply(504, `{"error":{"code":"gatewayTimeout","message":"down"}}`, "Retry-After", "1", "request-id", "r3"))
	c, sl := s.client(t, func(o *Options) { o.MaxAttempts = 3 })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 504 || gerr.Code != "gatewayTimeout" {
		t.Fatalf("err = %v", err)
	}
	if err.Error() != "gatewayTimeout: down (HTTP 504, request-id r3)" {
		t.Errorf("Error() = %q", err)
	}
	if n := len(s.requests()); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if n := len(sl.Got()); n != 2 {
		t.Errorf("%d waits, want 2", n)
	}

	s5 := newServer(t, reply(500, ""))
	c5, _ := s5.client(t, nil)
	if _, err := c5.Do(context.Background(), &Request{Path: "/me"}); err == nil {
		t.Fatal("want error")
	}
	if n := len(s5.requests()); n != defaultMaxAttempts {
		t.Errorf("default: %d attempts, want %d", n, defaultMaxAttempts)
	}
}

func TestNoRetryOn4xxOr501(t *testing.T) {
	for _, status := range []int{400, 403, 404, 409, 501, 507} {
		s := newServer(t, reply(status, `{"error":{"code":"x","message":"y"}}`))
		c, sl := s.client(t, nil)
		_, err := c.Do(context.Background(), &Request{Path: "/me"})
		var gerr *Error
		if !errors.As(err, &gerr) || gerr.StatusCode != status {
			t.Errorf("%d: err = %v", status, err)
		}
		if n := len(s.requests()); n != 1 || len(sl.Got()) != 0 {
			t.Errorf("%d: %d attempts, waits %v; want 1 attempt and no wait", status, n, sl.Got())
		}
	}
}

func TestCancelDuringWaitReturnsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	// The cancel is armed by the answer itself, so a loaded machine cannot cancel before the request
	// is sent; it then lands in the 50-second wait (or, at worst, while the answer is read).
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.AfterFunc(20*time.Millisecond, cancel)
		reply(429, "", "Retry-After", "50")(w, r)
	})
	c, _ := s.client(t, func(o *Options) { o.Sleep = nil }) // the real timer
	start := time.Now()
	_, err := c.Do(ctx, &Request{Path: "/me"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d attempts after cancel, want 1", n)
	}
}

func TestNoRetryAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.WriteHeader(500)
	})
	c, sl := s.client(t, nil)
	_, err := c.Do(ctx, &Request{Path: "/me"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d attempts, want 1 (waits %v)", n, sl.Got())
	}
}

func TestTruncatedBodyRetried(t *testing.T) {
	s := newServer(t, hijackAndCut(`{"value":[{"id":`), reply(200, `{"value":[]}`))
	c, sl := s.client(t, nil)
	resp, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"value":[]}` {
		t.Errorf("body = %q", resp.Body)
	}
	if n := len(s.requests()); n != 2 || len(sl.Got()) != 1 {
		t.Errorf("%d attempts, waits %v; want 2 attempts, 1 wait", n, sl.Got())
	}
}

func TestTruncatedBodyGivesUpAfterMaxAttempts(t *testing.T) {
	s := newServer(t, hijackAndCut(`{"val`))
	c, _ := s.client(t, func(o *Options) { o.MaxAttempts = 2 })
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestPOSTBodyIdenticalOnEveryAttempt(t *testing.T) {
	s := newServer(t, hijackAndCut(""), reply(503, ""), reply(500, ""), reply(201, `{"id":"p"}`))
	c, _ := s.client(t, nil)
	body := []byte(`{"type":"edit","scope":"organization","password":"hunter2"}`)
	if _, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/me/drive/items/x/createLink", Body: body}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d attempts, want 4", len(reqs))
	}
	for i, r := range reqs {
		if r.Body != string(body) || r.Method != "POST" {
			t.Errorf("attempt %d: %s body %q", i+1, r.Method, r.Body)
		}
	}
}

func unauthorizedUnless(tok string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+tok {
			reply(401, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}`)(w, r)
			return
		}
		reply(200, `{}`)(w, r)
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	s := newServer(t, unauthorizedUnless("new"))
	src := &refreshingTokens{Cur: "old", Next: "new"}
	c, sl := s.client(t, func(o *Options) { o.Tokens = src; o.MaxAttempts = 1 })
	if _, err := c.Do(context.Background(), &Request{Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	if src.Refreshes() != 1 || len(s.requests()) != 2 || len(sl.Got()) != 0 {
		t.Errorf("refreshes=%d attempts=%d waits=%v; want 1, 2, none", src.Refreshes(), len(s.requests()), sl.Got())
	}

	s2 := newServer(t, unauthorizedUnless("never"))
	src2 := &refreshingTokens{Cur: "old", Next: "still-bad"}
	c2, _ := s2.client(t, func(o *Options) { o.Tokens = src2 })
	_, err := c2.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || !gerr.Unauthorized() {
		t.Fatalf("err = %v, want 401 *Error", err)
	}
	if src2.Refreshes() != 1 || len(s2.requests()) != 2 {
		t.Errorf("refreshes=%d attempts=%d; want 1, 2", src2.Refreshes(), len(s2.requests()))
	}
}

func TestUnauthorizedWithoutRefresher(t *testing.T) {
	s := newServer(t, unauthorizedUnless("never"))
	c, _ := s.client(t, nil)
	_, err := c.Do(context.Background(), &Request{Path: "/me"})
	var gerr *Error
	if !errors.As(err, &gerr) || !gerr.Unauthorized() || gerr.Code != "InvalidAuthenticationToken" {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// SharePoint's access denied is a 401 that a new token cannot change: no refresh, no retry.
func TestAccessDeniedDoesNotRefresh(t *testing.T) {
	s := newServer(t, reply(401, `{"error":{"code":"-2147024891, System.UnauthorizedAccessException","message":{"lang":"en-US","value":"Access denied."}}}`))
	src := &refreshingTokens{Cur: "old", Next: "new"}
	c, _ := s.client(t, func(o *Options) { o.Tokens = src })
	_, err := c.Do(context.Background(), &Request{Path: "/sites/x/drive/root/permissions"})
	var gerr *Error
	if !errors.As(err, &gerr) || !gerr.AccessDenied() || gerr.Unauthorized() {
		t.Fatalf("err = %v, want SharePoint's access denied", err)
	}
	if src.Refreshes() != 0 || len(s.requests()) != 1 {
		t.Errorf("refreshes=%d attempts=%d; want 0, 1", src.Refreshes(), len(s.requests()))
	}
}

// failingTransport fails the test if anything is ever sent or dialled.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request sent to %s", r.URL)
	return nil, errors.New("must not be called")
}

func TestNewRefusesInsecureEndpoint(t *testing.T) {
	var accepts atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			conn.Close()
		}
	}()
	hc := &http.Client{Transport: failingTransport{t}}
	refused := []string{
		"http://graph.example.com/v1.0",
		"http://graph.example.com:80/v1.0",
		"HTTP://graph.microsoft.com/v1.0",
		"http://localhost.example.com/v1.0",
		"http://0.0.0.0:8080/v1.0",
		"http://10.0.0.1/v1.0",
		"http://[::ffff:10.0.0.1]/v1.0",
	}
	for _, u := range refused {
		_, err := New(Options{BaseURL: u, HTTPClient: hc, Tokens: staticTokens("tok")})
		if !errors.Is(err, ErrInsecureEndpoint) {
			t.Errorf("New(%q) err = %v, want ErrInsecureEndpoint", u, err)
		}
	}
	_, err = New(Options{BaseURL: "http://graph.example.com/v1.0", HTTPClient: hc})
	if err == nil || err.Error() != "refusing to send a token over plain http to graph.example.com: use https" {
		t.Errorf("message = %v", err)
	}
	allowed := []string{
		"https://graph.microsoft.com/v1.0",
		"https://graph.microsoft.com/v1.0/",
		"http://" + ln.Addr().String() + "/v1.0",
		"http://127.8.9.10/v1.0",
		"http://[::1]:8080/v1.0",
		"http://localhost:8080/v1.0",
		"http://LOCALHOST./v1.0",
	}
	for _, u := range allowed {
		if _, err := New(Options{BaseURL: u, HTTPClient: hc, Tokens: staticTokens("tok")}); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
	for _, u := range []string{"", "graph.microsoft.com", "ftp://x/v1.0", "https:///v1.0", "https://u:p@graph.microsoft.com/v1.0", "https://g/v1.0?x=1"} {
		if _, err := New(Options{BaseURL: u, HTTPClient: hc}); err == nil || errors.Is(err, ErrInsecureEndpoint) {
			t.Errorf("New(%q) err = %v, want an invalid-URL error", u, err)
		}
	}
	if n := accepts.Load(); n != 0 {
		t.Errorf("%d connections accepted, want 0", n)
	}
}

func TestDoRefusesOtherHostAndNoTokens(t *testing.T) {
	c, err := New(Options{BaseURL: "https://graph.microsoft.com/v1.0", HTTPClient: &http.Client{Transport: failingTransport{t}}, Tokens: staticTokens("tok")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://evil.example/v1.0/me", "http://graph.microsoft.com/v1.0/me", "https://graph.microsoft.com:8443/v1.0/me", "https://x@graph.microsoft.com/v1.0/me"} {
		if _, err := c.Do(context.Background(), &Request{URL: u}); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("Do(URL %q) err = %v, want refusal", u, err)
		}
	}
	c2, _ := New(Options{BaseURL: "https://graph.microsoft.com/v1.0", HTTPClient: &http.Client{Transport: failingTransport{t}}})
	if _, err := c2.Do(context.Background(), &Request{Path: "/me"}); err == nil {
		t.Error("Do without Tokens: want error")
	}
}

func TestRedirectDropsAuthorizationOffHost(t *testing.T) {
	other := newServer(t, reply(200, `{"where":"other"}`))
	var home *server
	home = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1.0/away":
			http.Redirect(w, r, other.URL+"/landing", http.StatusTemporaryRedirect)
		case "/v1.0/stay":
			http.Redirect(w, r, home.URL+"/v1.0/here", http.StatusFound)
		default:
			reply(200, `{"where":"home"}`)(w, r)
		}
	})
	c, _ := home.client(t, nil)
	resp, err := c.Do(context.Background(), &Request{Path: "/away"})
	if err != nil || string(resp.Body) != `{"where":"other"}` {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	got := other.requests()[0]
	if got.Header.Get("Authorization") != "" {
		t.Errorf("Authorization %q leaked to another host", got.Header.Get("Authorization"))
	}
	if got.Header.Get("User-Agent") != "odshare/test" {
		t.Errorf("307 should keep the other headers: %+v", got)
	}
	if _, err := c.Do(context.Background(), &Request{Path: "/stay"}); err != nil {
		t.Fatal(err)
	}
	reqs := home.requests()
	if last := reqs[len(reqs)-1]; last.RequestURI != "/v1.0/here" || last.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("same-host redirect: %s Authorization=%q, want it kept", last.RequestURI, last.Header.Get("Authorization"))
	}
}

// A createLink (its body carries the link password) or a $batch redirected to another host must not
// be re-sent there, and the other host's answer must not pass for Graph's.
func TestRedirectWithBodyToAnotherHostIsAnError(t *testing.T) {
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusSeeOther} {
		other := newServer(t, reply(201, `{"id":"foreign","link":{"webUrl":"https://evil.example/x"}}`))
		home := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/v1.0/landing", status)
		})
		c, _ := home.client(t, func(o *Options) { o.MaxAttempts = 1 })
		_, err := c.CreateLink(context.Background(), DriveRef{}, ItemRef{Kind: ItemByPath, Value: "/Photos"},
			api.CreateLinkRequest{Type: api.LinkView, Scope: api.ScopeAnonymous, Password: "hunter2-pw"})
		if err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") || !strings.Contains(err.Error(), "body") {
			t.Errorf("%d: CreateLink err = %v, want a refused redirect", status, err)
		}
		if n := len(other.requests()); n != 0 {
			t.Errorf("%d: the other host received %d requests: %+v", status, n, other.requests())
		}
		_, err = c.Do(context.Background(), &Request{Method: "POST", Path: "/$batch", Body: []byte(`{"requests":[]}`)})
		if err == nil || len(other.requests()) != 0 {
			t.Errorf("%d: $batch err = %v, other host saw %d requests", status, err, len(other.requests()))
		}
	}
}

func TestCheckRedirectRules(t *testing.T) {
	cr := httpx.CheckRedirect(nil)
	mk := func(u string) *http.Request {
		r := httptest.NewRequest("GET", u, nil)
		r.Header.Set("Authorization", "Bearer tok")
		return r
	}
	cases := []struct {
		from, to string
		keep     bool
	}{
		{"https://graph.microsoft.com/v1.0/a", "https://graph.microsoft.com/v1.0/b", true},
		{"https://graph.microsoft.com/v1.0/a", "https://GRAPH.microsoft.com/b", true},
		{"https://graph.microsoft.com/v1.0/a", "https://graph.microsoft.com:443/b", true},
		{"https://graph.microsoft.com/v1.0/a", "https://sub.graph.microsoft.com/b", false},
		{"https://graph.microsoft.com/v1.0/a", "https://evil.example/b", false},
		{"http://127.0.0.1:80/a", "http://127.0.0.1:80/b", true},
		{"http://127.0.0.1:80/a", "http://127.0.0.1:81/b", false},
	}
	for _, c := range cases {
		req := mk(c.to)
		if err := cr(req, []*http.Request{mk(c.from)}); err != nil {
			t.Fatal(err)
		}
		if kept := req.Header.Get("Authorization") != ""; kept != c.keep {
			t.Errorf("%s -> %s: Authorization kept=%v, want %v", c.from, c.to, kept, c.keep)
		}
	}
	if err := cr(mk("http://graph.microsoft.com/b"), []*http.Request{mk("https://graph.microsoft.com/v1.0/a")}); err == nil {
		t.Error("https -> http: want the redirect refused")
	}
	via := make([]*http.Request, 10)
	for i := range via {
		via[i] = mk("https://g/a")
	}
	if err := cr(mk("https://g/b"), via); err == nil {
		t.Error("want an error after 10 redirects")
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	s := newServer(t, reply(503, "", "Retry-After", "0", "request-id", "rid-503"), reply(201, `{"link":{"webUrl":"https://secret-link"}}`, "request-id", "rid-201"))
	var log bytes.Buffer
	c, _ := s.client(t, func(o *Options) { o.Tokens = staticTokens("SECRET-TOKEN"); o.Debug = &log })
	tok := EncodeSharingURL("https://contoso.sharepoint.com/:w:/g/EaSecretLinkPart")
	_, err := c.Do(context.Background(), &Request{Method: "POST", Path: "/shares/" + tok + "/driveItem", Body: []byte(`{"password":"hunter2"}`)})
	if err != nil {
		t.Fatal(err)
	}
	out := log.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per attempt, got:\n%s", out)
	}
	for _, secret := range []string{"SECRET-TOKEN", "Bearer", "hunter2", "secret-link", tok, tok[2:12], "Authorization"} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"POST", "/shares/u!…/driveItem", "503", "rid-503", "201", "rid-201", "client-request-id="} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
}

func TestDebugLogRedactsShareTokenInTransportErrors(t *testing.T) {
	s := newServer(t, hijackAndCut(""))
	var log bytes.Buffer
	c, _ := s.client(t, func(o *Options) { o.Debug = &log; o.MaxAttempts = 1 })
	tok := EncodeSharingURL("https://contoso.sharepoint.com/:w:/g/EaSecretLinkPart")
	if _, err := c.Do(context.Background(), &Request{Path: "/shares/" + tok}); err == nil {
		t.Fatal("want error")
	}
	if strings.Contains(log.String(), tok[2:12]) || !strings.Contains(log.String(), "error:") {
		t.Errorf("debug log:\n%s", log.String())
	}
}

// TestErrorsShortenTheShareToken: the token after /shares/ is a sharing URL in disguise; errors name
// the request with it shortened, as the debug line does: a body cut short, and a transport failure
// (net/http quotes the URL).
func TestErrorsShortenTheShareToken(t *testing.T) {
	const token = "u!aHR0cHM6Ly9jb250b3NvLnNoYXJlcG9pbnQuY29tL3NlY3JldC1saW5r"
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), token[2:12]) {
			t.Errorf("%s: the error shows the share token: %v", name, err)
		}
		if !strings.Contains(err.Error(), "/shares/u!…") {
			t.Errorf("%s: the error does not name the shortened request: %v", name, err)
		}
	}
	s := newServer(t, hijackAndCut(`{"val`))
	c, _ := s.client(t, func(o *Options) { o.MaxAttempts = 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/shares/" + token + "/driveItem"})
	check("cut short", err)

	s = newServer(t, hijackAndCut(""))
	c, _ = s.client(t, func(o *Options) { o.MaxAttempts = 1 })
	_, err = c.Do(context.Background(), &Request{Path: "/shares/" + token + "/driveItem"})
	check("transport", err)
}

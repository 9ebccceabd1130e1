package box

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

func TestDoSendsHeadersAndRawPath(t *testing.T) {
	s := scripted.New(t, reply(200, `{"type":"file","id":"1"}`, "BOX-REQUEST-ID", "rid-1"))
	c, _ := newTestClient(t, s, nil)
	resp, err := c.Do(context.Background(), &Request{
		Method: "PUT",
		Path:   "/files/123?fields=shared_link,name",
		Body:   []byte(`{"shared_link":null}`),
		Header: http.Header{"Authorization": {"Bearer caller-must-not-set-this"}, "If-Match": {"7"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || string(resp.Body) != `{"type":"file","id":"1"}` || resp.Header.Get("Box-Request-Id") != "rid-1" {
		t.Errorf("response = %+v", resp)
	}
	r := s.Requests()[0]
	if r.Method != "PUT" || r.RequestURI != "/2.0/files/123?fields=shared_link,name" {
		t.Errorf("request line = %s %s", r.Method, r.RequestURI)
	}
	for k, want := range map[string]string{
		"Authorization": "Bearer tok",
		"User-Agent":    "odshare/test",
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"If-Match":      "7",
	} {
		if got := r.Header.Values(k); len(got) != 1 || got[0] != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if r.Body != `{"shared_link":null}` {
		t.Errorf("body = %q", r.Body)
	}
}

func TestDoGetHasNoContentType(t *testing.T) {
	s := scripted.New(t, reply(200, `{}`))
	c, _ := newTestClient(t, s, func(o *Options) { o.UserAgent = "" })
	if _, err := c.Do(context.Background(), &Request{Path: "users/me"}); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	if r.Method != "GET" || r.RequestURI != "/2.0/users/me" || r.Header.Get("Content-Type") != "" || r.Header.Get("User-Agent") != "odshare" {
		t.Errorf("got %s %s Content-Type=%q User-Agent=%q", r.Method, r.RequestURI, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"))
	}
}

func TestNewChecksBaseURL(t *testing.T) {
	c, err := New(Options{})
	if err != nil || c.BaseURL() != DefaultBaseURL {
		t.Fatalf("default: %v, %v", c, err)
	}
	if c, err := New(Options{BaseURL: "http://127.0.0.1:8080/2.0/"}); err != nil || c.BaseURL() != "http://127.0.0.1:8080/2.0" {
		t.Errorf("loopback http: %v, %v", c, err)
	}
	if c, err := New(Options{BaseURL: "http://localhost:1/box/2.0"}); err != nil || c.BaseURL() != "http://localhost:1/box/2.0" {
		t.Errorf("localhost http: %v, %v", c, err)
	}
	if _, err := New(Options{BaseURL: "http://api.box.com/2.0"}); !errors.Is(err, ErrInsecureEndpoint) {
		t.Errorf("plain http off loopback: err = %v", err)
	}
	for _, bad := range []string{"api.box.com/2.0", "ftp://api.box.com/2.0", "https://", "https://api.box.com/2.0?x=1",
		"https://api.box.com/2.0#f", "https://u:secretpw@api.box.com/2.0", "mailto:x@box.com", "https://api.box.com/2.0?"} {
		_, err := New(Options{BaseURL: bad})
		if err == nil {
			t.Errorf("New(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "secretpw") {
			t.Errorf("New(%q) error shows the password: %v", bad, err)
		}
	}
}

func TestDoRefusesPathsOffTheRoot(t *testing.T) {
	s := scripted.New(t, reply(200, `{}`))
	c, _ := newTestClient(t, s, nil)
	for _, p := range []string{"", "/../oauth2/token", "/files/../../x", "/./files/1", "/files/%2e%2e/x"} {
		if _, err := c.Do(context.Background(), &Request{Path: p}); err == nil {
			t.Errorf("Do(%q) was sent", p)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	// A path that only looks like another host stays on BaseURL's host.
	if _, err := c.Do(context.Background(), &Request{Path: "//evil.example/x"}); err != nil {
		t.Fatal(err)
	}
	if r := s.Requests()[0]; r.RequestURI != "/2.0//evil.example/x" {
		t.Errorf("sent %s", r.RequestURI)
	}
}

func TestRetry429RetryAfter(t *testing.T) {
	throttled := `{"type":"error","status":429,"code":"rate_limit_exceeded","message":"Request rate limit exceeded, please try again later","request_id":"r429"}`
	for _, c := range []struct {
		retryAfter string
		want       time.Duration
	}{{"2", 2 * time.Second}, {"0.5", 500 * time.Millisecond}, {"1.25", 1250 * time.Millisecond}, {"0", 0}, {"7200", time.Minute}} {
		s := scripted.New(t, reply(429, throttled, "retry-after", c.retryAfter), reply(200, `{"ok":true}`))
		cl, sl := newTestClient(t, s, nil)
		resp, err := cl.Do(context.Background(), &Request{Path: "/users/me"})
		if err != nil || string(resp.Body) != `{"ok":true}` {
			t.Fatalf("retry-after %q: Do = %v, %v", c.retryAfter, resp, err)
		}
		if got := sl.Got(); len(got) != 1 || got[0] != c.want {
			t.Errorf("retry-after %q: waits = %v, want [%v]", c.retryAfter, got, c.want)
		}
	}
}

func TestRetry429WithoutRetryAfterBacksOff(t *testing.T) {
	s := scripted.New(t, reply(429, ``), reply(429, ``, "Retry-After", "soon"), reply(200, `{}`))
	c, sl := newTestClient(t, s, nil)
	if _, err := c.Do(context.Background(), &Request{Path: "/users/me"}); err != nil {
		t.Fatal(err)
	}
	got := sl.Got()
	// Throttling without a usable Retry-After backs off from ThrottleBackoffBase (bearer's rule).
	if base := httpretry.ThrottleBackoffBase; len(got) != 2 || got[0] < base/2 || got[0] > base || got[1] < base || got[1] > 2*base {
		t.Errorf("waits = %v, want two throttle backoffs within [500ms, 1s] and [1s, 2s]", got)
	}
}

func TestRetry5xxThenGiveUp(t *testing.T) {
	// 503 is throttling, retried for the retry budget rather than MaxAttempts: 502 repeats here.
	s := scripted.New(t, reply(500, ``), reply(503, ``), reply(502, `{"type":"error","status":502,"code":"unavailable","message":"Unavailable"}`, "BOX-REQUEST-ID", "r5"))
	c, sl := newTestClient(t, s, func(o *Options) { o.MaxAttempts = 4 })
	_, err := c.Do(context.Background(), &Request{Path: "/users/me"})
	var be *Error
	if !errors.As(err, &be) || be.StatusCode != 502 || be.Code != "unavailable" || be.RequestID != "r5" {
		t.Fatalf("err = %#v", err)
	}
	if n := len(s.Requests()); n != 5 {
		t.Errorf("%d attempts, want 4 and the throttled one", n)
	}
	if n := len(sl.Got()); n != 4 {
		t.Errorf("%d waits, want 4", n)
	}

	s5 := scripted.New(t, reply(504, ``))
	c5, _ := newTestClient(t, s5, nil)
	if _, err := c5.Do(context.Background(), &Request{Path: "/x"}); err == nil {
		t.Fatal("no error")
	}
	if n := len(s5.Requests()); n != httpretry.DefaultMaxAttempts {
		t.Errorf("default: %d attempts, want %d", n, httpretry.DefaultMaxAttempts)
	}
}

func TestNoRetryForClientErrors(t *testing.T) {
	for _, status := range []int{400, 403, 404, 405, 409, 412, 501} {
		s := scripted.New(t, reply(status, `{"type":"error","status":`+fmt.Sprint(status)+`,"code":"x"}`))
		c, sl := newTestClient(t, s, nil)
		_, err := c.Do(context.Background(), &Request{Path: "/files/1"})
		var be *Error
		if !errors.As(err, &be) || be.StatusCode != status {
			t.Errorf("%d: err = %v", status, err)
		}
		if n := len(s.Requests()); n != 1 || len(sl.Got()) != 0 {
			t.Errorf("%d: %d attempts, %d waits; want 1, 0", status, n, len(sl.Got()))
		}
	}
}

func TestRetryDroppedConnectionResendsBody(t *testing.T) {
	s := scripted.New(t, scripted.Hangup, reply(503, ``), reply(200, `{"type":"file","id":"9"}`))
	c, sl := newTestClient(t, s, nil)
	body := []byte(`{"shared_link":{"access":"open","password":"S3cret!pass"}}`)
	resp, err := c.Do(context.Background(), &Request{Method: "PUT", Path: "/files/9?fields=shared_link", Body: body})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Do = %v, %v", resp, err)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || len(sl.Got()) != 2 {
		t.Fatalf("%d requests, %d waits; want 3, 2", len(reqs), len(sl.Got()))
	}
	for i, r := range reqs {
		if r.Body != string(body) || r.Method != "PUT" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("attempt %d: %s body %q auth %q", i+1, r.Method, r.Body, r.Header.Get("Authorization"))
		}
	}
}

func TestTruncatedBodyIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, `{"entries":[`)
			return // the server closes the connection short of Content-Length
		}
		_, _ = io.WriteString(w, `{"ok":1}`)
	}))
	defer srv.Close()
	sl := &scripted.Sleeps{}
	c, err := New(Options{BaseURL: srv.URL + "/2.0", HTTPClient: srv.Client(), Tokens: scripted.StaticTokens("t"), Sleep: sl.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &Request{Path: "/x"})
	if err != nil || string(resp.Body) != `{"ok":1}` || n.Load() != 2 {
		t.Fatalf("Do = %v, %v after %d requests", resp, err, n.Load())
	}
}

// countingTokens hands out a new token on every call.
type countingTokens struct{ n atomic.Int32 }

func (c *countingTokens) Token(context.Context) (string, error) {
	return fmt.Sprintf("tok%d", c.n.Add(1)), nil
}

func TestTokenIsAskedForOnEveryAttempt(t *testing.T) {
	s := scripted.New(t, reply(500, ``), reply(200, `{}`))
	c, _ := newTestClient(t, s, func(o *Options) { o.Tokens = &countingTokens{} })
	if _, err := c.Do(context.Background(), &Request{Path: "/x"}); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if reqs[0].Header.Get("Authorization") != "Bearer tok1" || reqs[1].Header.Get("Authorization") != "Bearer tok2" {
		t.Errorf("tokens = %q, %q", reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"))
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	s := scripted.New(t, reply(401, ``, "WWW-Authenticate", `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`),
		reply(200, `{"id":"1"}`))
	tokens := &scripted.RefreshingTokens{Cur: "old", Next: "new"}
	c, sl := newTestClient(t, s, func(o *Options) { o.Tokens = tokens; o.MaxAttempts = 1 })
	if _, err := c.Do(context.Background(), &Request{Path: "/users/me"}); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer old" || reqs[1].Header.Get("Authorization") != "Bearer new" {
		t.Fatalf("requests = %+v", reqs)
	}
	if tokens.Refreshes() != 1 || len(sl.Got()) != 0 {
		t.Errorf("refreshes = %d, waits = %v", tokens.Refreshes(), sl.Got())
	}
}

func TestUnauthorizedTwiceStops(t *testing.T) {
	s := scripted.New(t, reply(401, ``))
	tokens := &scripted.RefreshingTokens{Cur: "old", Next: "new"}
	c, _ := newTestClient(t, s, func(o *Options) { o.Tokens = tokens })
	_, err := c.Do(context.Background(), &Request{Path: "/users/me"})
	var be *Error
	if !errors.As(err, &be) || !be.Unauthorized() {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 2 || tokens.Refreshes() != 1 {
		t.Errorf("%d requests, %d refreshes; want 2, 1", n, tokens.Refreshes())
	}

	// Without a Refresher there is no second request.
	s2 := scripted.New(t, reply(401, ``))
	c2, _ := newTestClient(t, s2, nil)
	if _, err := c2.Do(context.Background(), &Request{Path: "/users/me"}); !errors.As(err, &be) || be.StatusCode != 401 {
		t.Fatalf("err = %v", err)
	}
	if n := len(s2.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestRefreshFailureKeepsThe401(t *testing.T) {
	s := scripted.New(t, reply(401, ``))
	refreshErr := errors.New("invalid_grant: Invalid refresh token")
	c, _ := newTestClient(t, s, func(o *Options) {
		o.Tokens = &scripted.RefreshingTokens{Cur: "old", Err: refreshErr}
	})
	_, err := c.Do(context.Background(), &Request{Path: "/users/me"})
	var be *Error
	if !errors.As(err, &be) || !be.Unauthorized() || !errors.Is(err, refreshErr) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "refreshing the token failed: invalid_grant") {
		t.Errorf("text = %q", err)
	}
}

type failingTokens struct{}

func (failingTokens) Token(context.Context) (string, error) { return "", errors.New("not signed in") }

func TestTokenErrorSendsNothing(t *testing.T) {
	s := scripted.New(t, reply(200, `{}`))
	c, _ := newTestClient(t, s, func(o *Options) { o.Tokens = failingTokens{} })
	_, err := c.Do(context.Background(), &Request{Path: "/users/me"})
	var te *TokenError
	if !errors.As(err, &te) || len(s.Requests()) != 0 {
		t.Fatalf("err = %v, %d requests", err, len(s.Requests()))
	}
	c2, _ := newTestClient(t, s, func(o *Options) { o.Tokens = nil })
	if _, err := c2.Do(context.Background(), &Request{Path: "/users/me"}); err == nil {
		t.Error("no token source: no error")
	}
}

func TestCancelledWaitStops(t *testing.T) {
	s := scripted.New(t, reply(429, ``, "retry-after", "30"))
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newTestClient(t, s, func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return httpretry.Sleep(ctx, d) }
	})
	if _, err := c.Do(ctx, &Request{Path: "/x"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxBody+1)
	s := scripted.New(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(big) })
	c, _ := newTestClient(t, s, func(o *Options) { o.MaxAttempts = 1 })
	_, err := c.Do(context.Background(), &Request{Path: "/x"})
	if err == nil || !strings.Contains(err.Error(), "response body larger than 33554432 bytes") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedirectToAnotherHostDropsTheToken(t *testing.T) {
	other := scripted.New(t, reply(200, `{"type":"file","id":"1"}`))
	s := scripted.New(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/elsewhere", http.StatusFound)
	})
	c, _ := newTestClient(t, s, func(o *Options) { o.HTTPClient = &http.Client{} })
	if _, err := c.Do(context.Background(), &Request{Path: "/files/1"}); err != nil {
		t.Fatal(err)
	}
	if got := other.Requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("the other host got Authorization %q", got)
	}
	// A request with a body is not redirected to another host at all (httpx's rule).
	if _, err := c.Do(context.Background(), &Request{Method: "PUT", Path: "/files/1", Body: []byte(`{"shared_link":{"password":"S3cret!pass"}}`)}); err == nil {
		t.Error("a PUT was redirected to another host")
	}
	for _, r := range other.Requests()[1:] {
		t.Errorf("the other host got %s %s %q", r.Method, r.RequestURI, r.Body)
	}
}

func TestDebugLogHasNoSecrets(t *testing.T) {
	s := scripted.New(t, reply(429, ``, "retry-after", "0", "BOX-REQUEST-ID", "rid\u202eevil"), reply(200, `{"type":"folder","id":"5"}`))
	var log bytes.Buffer
	c, _ := newTestClient(t, s, func(o *Options) { o.Debug = &log; o.Tokens = scripted.StaticTokens("SECRET-TOKEN") })
	_, _, err := c.GetSharedItem(context.Background(), LinkAccess{URL: "https://app.box.com/s/abc", Password: "Pa55&word=x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := log.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "box: GET "+s.URL+"/2.0/shared_items -> 429 Too Many Requests in ") ||
		!strings.Contains(lines[0], "request-id=rid evil") || !strings.Contains(lines[1], "-> 200 OK") {
		t.Errorf("debug log:\n%s", out)
	}
	for _, secret := range []string{"SECRET-TOKEN", "Pa55", "shared_link=", "\u202e"} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log shows %q:\n%s", secret, out)
		}
	}
}

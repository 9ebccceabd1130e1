package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/httpx/httpxtest"
)

func startProxy(t *testing.T) *httpxtest.Proxy {
	t.Helper()
	p, err := httpxtest.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// A bearer token to a plain-http loopback URL goes straight to loopback, never to the proxy, however
// the loopback name is spelt.
func TestPlainHTTPNeverGoesThroughTheProxy(t *testing.T) {
	p := startProxy(t)
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Host)
		mu.Unlock()
		_, _ = io.WriteString(w, "direct")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	hc, err := NewClient(Options{Proxy: p.Always})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "127.0.0.1.", "localhost", "localhost.", "LOCALHOST."} {
		req, _ := http.NewRequest("GET", "http://"+net.JoinHostPort(host, port)+"/v1.0/me", nil)
		req.Header.Set("Authorization", "Bearer secret-token")
		resp, err := hc.Do(req)
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "direct" {
			t.Errorf("%s: answer %q, want the loopback server's", host, b)
		}
	}
	if r := p.Requests(); len(r) != 0 {
		t.Errorf("the proxy received plain-http requests: %q", r)
	}
	if len(got) != 5 {
		t.Errorf("loopback server saw %q", got)
	}
}

// Plain http to anything but a loopback name is refused before anything is dialled, proxy or not.
func TestPlainHTTPOffLoopbackRefused(t *testing.T) {
	p := startProxy(t)
	hc, _ := NewClient(Options{Proxy: p.Always})
	for _, u := range []string{"http://graph.example.com/v1.0", "http://localhost.example.com/", "http://10.0.0.1/", "http://[::ffff:10.0.0.1]/", "http://127.0.0.1.evil.example/"} {
		_, err := hc.Get(u)
		if !errors.Is(err, ErrInsecure) {
			t.Errorf("GET %s: err = %v, want ErrInsecure", u, err)
		}
	}
	if _, err := hc.Get("ftp://127.0.0.1/"); err == nil || !strings.Contains(err.Error(), "unsupported URL scheme") {
		t.Errorf("ftp: %v", err)
	}
	if r := p.Requests(); len(r) != 0 {
		t.Errorf("proxy saw %q", r)
	}
}

// "Loopback" is decided on the IP actually dialled: a loopback-looking name that resolves elsewhere
// is refused at connect time.
func TestPlainDialerAcceptsLoopbackIPsOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:80", "127.8.9.10:1", "[::1]:8080", "[::ffff:127.0.0.1]:80", "[fe80::1%lo]:1"} {
		err := loopbackOnly("tcp", addr, nil)
		if (err == nil) != !strings.HasPrefix(addr, "[fe80") {
			t.Errorf("loopbackOnly(%s) = %v", addr, err)
		}
	}
	for _, addr := range []string{"10.0.0.1:80", "[2001:db8::1]:443", "0.0.0.0:80", "garbage"} {
		if err := loopbackOnly("tcp", addr, nil); err == nil {
			t.Errorf("loopbackOnly(%s) accepted", addr)
		}
	}
	// The rule is the plain transport's dialer, not just a function beside it.
	tr, _ := NewTransport(Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := tr.plain.DialContext(ctx, "tcp", "192.0.2.1:80"); !errors.Is(err, ErrInsecure) {
		t.Errorf("dial 192.0.2.1: %v, want ErrInsecure", err)
	}
	if tr.plain.Proxy != nil {
		t.Error("the plain transport has a proxy")
	}
}

// https may use the proxy (a CONNECT tunnel: the proxy sees only host:port, never the token).
func TestHTTPSUsesTheProxyAsATunnel(t *testing.T) {
	p := startProxy(t)
	hc, _ := NewClient(Options{Proxy: p.Always})
	req, _ := http.NewRequest("GET", "https://graph.example.com/v1.0/me", nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	if _, err := hc.Do(req); err == nil {
		t.Fatal("want an error from the 502 proxy")
	}
	r := p.Requests()
	if len(r) != 1 || !strings.HasPrefix(r[0], "CONNECT graph.example.com:443 ") || strings.Contains(r[0], "secret-token") {
		t.Errorf("proxy saw %q, want one CONNECT without the token", r)
	}
}

func TestCAFile(t *testing.T) {
	if _, err := NewClient(Options{CAFile: "/nonexistent/ca.pem"}); err == nil || !strings.Contains(err.Error(), "read CA file") {
		t.Errorf("missing CA file: %v", err)
	}
}

func req(t *testing.T, method, u string, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer tok")
	return r
}

func TestCheckRedirect(t *testing.T) {
	cr := CheckRedirect(nil)
	cases := []struct {
		name     string
		from, to string
		body     string
		ok, keep bool
	}{
		{"same host", "https://g/v1.0/a", "https://g/v1.0/b", "", true, true},
		{"same host, body", "https://g/v1.0/a", "https://G:443/v1.0/b", `{"p":1}`, true, true},
		{"other host GET", "https://g/v1.0/a", "https://other/b", "", true, false},
		{"other port GET", "http://127.0.0.1:1/a", "http://127.0.0.1:2/b", "", true, false},
		{"other host with body", "https://g/v1.0/a", "https://other/b", `{"password":"x"}`, false, false},
		{"downgrade", "https://g/v1.0/a", "http://g/b", "", false, false},
		{"upgrade", "http://127.0.0.1/a", "https://127.0.0.1/b", "", false, false},
		{"user info", "https://g/a", "https://u:p@g/b", "", false, false},
	}
	for _, c := range cases {
		orig := req(t, "POST", c.from, c.body)
		next := req(t, "POST", c.to, c.body)
		err := cr(next, []*http.Request{orig})
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, err, c.ok)
		}
		if c.ok && (next.Header.Get("Authorization") != "") != c.keep {
			t.Errorf("%s: Authorization kept = %v", c.name, !c.keep)
		}
	}
	// A POST with a body turned into a GET by a 302/303 is still refused off the host: the other
	// host's answer would pass for Graph's.
	orig := req(t, "POST", "https://g/v1.0/createLink", `{"password":"x"}`)
	if err := cr(req(t, "GET", "https://other/x", ""), []*http.Request{orig}); err == nil {
		t.Error("302 of a POST with a body to another host: want refusal")
	}
	var re *RedirectError
	if err := cr(req(t, "GET", "http://g/x", ""), []*http.Request{req(t, "GET", "https://g/a", "")}); !errors.As(err, &re) ||
		err.Error() != "refusing to follow a redirect from https://g to http://g: a redirect may not change the scheme" {
		t.Errorf("message: %v", err)
	}
}

func TestSameOrigin(t *testing.T) {
	so := SameOrigin(nil)
	if err := so(req(t, "POST", "https://login/t/oauth2/v2.0/token2", "x=1"), []*http.Request{req(t, "POST", "https://login/t/oauth2/v2.0/token", "x=1")}); err != nil {
		t.Errorf("same origin: %v", err)
	}
	for _, to := range []string{"https://other/token", "http://login/token", "https://login:8443/token", "http://other-host/steal"} {
		err := so(req(t, "GET", to, ""), []*http.Request{req(t, "POST", "https://login/t/oauth2/v2.0/token", "x=1")})
		var re *RedirectError
		if !errors.As(err, &re) {
			t.Errorf("redirect to %s: err = %v, want RedirectError", to, err)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.0.0.1.": true, "::1": true, "127.255.0.9": true,
		"localhost.example.com": false, "10.0.0.1": false, "0.0.0.0": false, "example.com": false, "": false,
	} {
		if got := IsLoopbackHost(h); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v", h, got)
		}
	}
}

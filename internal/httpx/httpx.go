// Package httpx holds the transport rules every odshare HTTP client obeys, so that the Graph client,
// sign-in (MSAL) and any later provider client share one implementation of them:
//
//   - Plain http is spoken to loopback only, and "loopback" is decided on the address actually
//     dialled: the name must look like loopback (localhost, 127.0.0.0/8, ::1, with or without a
//     trailing dot) and the IP the dialer connects to must be a loopback IP, or the connection is
//     refused before it is made. A name that merely resembles loopback ("localhost." for instance,
//     which Go's NO_PROXY matching does not recognise) can therefore never reach another machine.
//   - Plain http never goes through a proxy. It only ever goes to loopback, which needs none, and a
//     proxy reached over plain http would see the bearer token in clear. https may use the proxy from
//     the environment (HTTPS_PROXY, NO_PROXY): the proxy then only relays a TLS tunnel.
//   - Redirects never change scheme, and never carry a request body or credentials to another
//     host (CheckRedirect); sign-in refuses any redirect off its origin (SameOrigin).
//
// It imports only the standard library.
package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrInsecure is wrapped by every refusal to use plain http off loopback.
var ErrInsecure = errors.New("plain http is allowed to loopback only")

// Options configures NewClient.
type Options struct {
	// CAFile, when set, is a PEM file whose certificates are trusted besides the system roots
	// (ODSHARE_CA_FILE: the emulator's CA, a TLS-inspecting proxy). A server's chain is verified
	// against them first; the system roots are loaded only for a chain they do not verify.
	CAFile string
	// RootCAs replaces the system roots when set (tests); CAFile is trusted besides it.
	RootCAs *x509.CertPool
	// Proxy picks the proxy for an https request; nil means http.ProxyFromEnvironment. It is never
	// consulted for plain http.
	Proxy func(*http.Request) (*url.URL, error)
	// Timeout bounds one whole request, body included; 0 means none (callers bound with a context).
	Timeout time.Duration
	// ResponseHeaderTimeout bounds the wait for a response's header; 0 means 2 minutes.
	ResponseHeaderTimeout time.Duration
}

// NewClient returns an HTTP client with Transport's rules and no redirect policy of its own: callers
// set CheckRedirect (CheckRedirect or SameOrigin) on their copy.
func NewClient(o Options) (*http.Client, error) {
	tr, err := NewTransport(o)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: tr, Timeout: o.Timeout}, nil
}

// Transport sends https through a proxy-capable transport and plain http through one that has no
// proxy and dials loopback IPs only; any other scheme, and plain http to a name that is not loopback,
// is refused before anything is dialled. With a CA file, https goes through custom instead.
type Transport struct {
	tls    *http.Transport
	plain  *http.Transport
	custom *customCA
}

// NewTransport builds a Transport from o (Timeout is ignored).
func NewTransport(o Options) (*Transport, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.ResponseHeaderTimeout = o.ResponseHeaderTimeout
	if base.ResponseHeaderTimeout <= 0 {
		base.ResponseHeaderTimeout = 2 * time.Minute
	}
	base.Proxy = nil

	secure := base.Clone()
	secure.Proxy = o.Proxy
	if secure.Proxy == nil {
		secure.Proxy = http.ProxyFromEnvironment
	}
	t := &Transport{tls: secure}
	switch {
	case o.CAFile != "":
		c, err := newCustomCA(o.CAFile, o.RootCAs, secure)
		if err != nil {
			return nil, err
		}
		t.custom = c
	case o.RootCAs != nil:
		secure.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
	}

	plain := base.Clone()
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	plain.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		// "localhost." is the fully qualified "localhost" (RFC 6761 §6.3: always loopback); dial it
		// by the name the hosts file knows rather than asking DNS, as for "127.0.0.1.".
		if host, port, err := net.SplitHostPort(addr); err == nil {
			addr = net.JoinHostPort(strings.TrimSuffix(host, "."), port)
		}
		return dialer.DialContext(ctx, network, addr)
	}
	plain.DialTLSContext = nil
	plain.TLSClientConfig = nil
	t.plain = plain
	return t, nil
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch strings.ToLower(req.URL.Scheme) {
	case "https":
		if t.custom != nil {
			return t.custom.transport(req.URL.Hostname()).RoundTrip(req)
		}
		return t.tls.RoundTrip(req)
	case "http":
		if !IsLoopbackHost(req.URL.Hostname()) {
			closeBody(req)
			return nil, &InsecureError{Host: req.URL.Host}
		}
		return t.plain.RoundTrip(req)
	}
	closeBody(req)
	return nil, fmt.Errorf("unsupported URL scheme %q", req.URL.Scheme)
}

// CloseIdleConnections closes both transports' idle connections (MSAL's HTTPClient interface has
// it, and http.Client forwards it).
func (t *Transport) CloseIdleConnections() {
	t.tls.CloseIdleConnections()
	t.plain.CloseIdleConnections()
	if t.custom != nil {
		t.custom.closeIdle()
	}
}

// closeBody honours RoundTrip's contract to close the body even on error.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// InsecureError refuses plain http to a host that is not loopback. It wraps ErrInsecure.
type InsecureError struct{ Host string }

func (e *InsecureError) Error() string {
	return "refusing to send a request over plain http to " + e.Host + ": use https (plain http is for loopback only)"
}

func (e *InsecureError) Unwrap() error { return ErrInsecure }

// IsLoopbackHost reports whether a URL host name (no port) is written as loopback: localhost or a
// loopback IP literal, either with a trailing dot. Names like localhost.example.com resolve wherever
// DNS says, so they are not. A name passing this check is still dialled only if it resolves to a
// loopback IP (see Transport).
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackOnly is the plain transport's net.Dialer.Control: it runs with the resolved address about
// to be connected to, and refuses anything but a loopback IP.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("refusing to dial %s: %w", address, err)
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to dial %s for plain http: not a loopback address: %w", address, ErrInsecure)
	}
	return nil
}

// RedirectError is a redirect odshare refused to follow.
type RedirectError struct {
	From, To string // scheme://host of each side
	Reason   string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("refusing to follow a redirect from %s to %s: %s", e.From, e.To, e.Reason)
}

// maxRedirects matches net/http's own limit.
const maxRedirects = 10

// CheckRedirect is the redirect rule of API clients that carry a bearer token (Graph): a redirect
// may not change scheme; one to another host (port included) loses the Authorization header, and is
// refused outright when the request has a body (a createLink with a password, a whole $batch):
// net/http would re-send that body to the other host on a 307 or 308, and on a 301-303 the other
// host's answer to a GET would pass for the answer to the POST. next, when set, runs
// after these rules.
func CheckRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := checkCommon(req, via); err != nil {
			return err
		}
		orig := via[0].URL
		if !sameHost(req.URL, orig) {
			if hasBody(req) || hasBody(via[0]) {
				return &RedirectError{From: origin(orig), To: origin(req.URL), Reason: "the request has a body, which must not go to another host"}
			}
			req.Header.Del("Authorization")
			req.Header.Del("Cookie")
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// SameOrigin is the redirect rule of sign-in: the token endpoint's requests carry refresh tokens,
// codes and client secrets in their bodies, so a redirect to any other scheme or host is refused.
func SameOrigin(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := checkCommon(req, via); err != nil {
			return err
		}
		if orig := via[0].URL; !sameHost(req.URL, orig) {
			return &RedirectError{From: origin(orig), To: origin(req.URL), Reason: "sign-in only follows redirects on the same host"}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

func checkCommon(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	orig := via[0].URL
	if !strings.EqualFold(req.URL.Scheme, orig.Scheme) {
		return &RedirectError{From: origin(orig), To: origin(req.URL), Reason: "a redirect may not change the scheme"}
	}
	if req.URL.User != nil {
		return &RedirectError{From: origin(orig), To: origin(req.URL), Reason: "the target has user info"}
	}
	return nil
}

// hasBody reports whether net/http will send a body with req.
func hasBody(req *http.Request) bool {
	return req.GetBody != nil || (req.Body != nil && req.Body != http.NoBody) || req.ContentLength > 0
}

func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(canonicalHost(a), canonicalHost(b))
}

// canonicalHost is host:port with the scheme's default port filled in and a trailing dot dropped,
// so https://g and https://g:443 are the same origin.
func canonicalHost(u *url.URL) string {
	host, port := strings.TrimSuffix(u.Hostname(), "."), u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

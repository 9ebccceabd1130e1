// Package graph is odshare's Microsoft Graph client: drive and item addressing, share-token encoding, one
// error type (*Error), retries with Retry-After, paging, and the few sharing calls odshare makes.
//
// It is the only place that puts a bearer token on the wire, so the token rules live here: it is added per
// request, never sent to a different host than BaseURL (not even in an @odata.nextLink), and never logged.
// The transport rules it relies on (plain HTTP to loopback only and never through a proxy, redirects that
// keep their scheme and carry neither the token nor a body to another host) are package httpx's.
package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
	"github.com/odshare/odshare/internal/httpx"
	"github.com/odshare/odshare/internal/redact"
)

// TokenSource supplies bearer tokens. The client asks for one on every attempt, so a source that caches
// and renews tokens keeps long retry sequences working.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Refresher is optionally implemented by a TokenSource: on a 401 from Graph the client calls Refresh once
// and retries once with the new token, because a cached token can be revoked or expire early (CAE) before
// its stated lifetime is up.
type Refresher interface {
	Refresh(ctx context.Context) (string, error)
}

// Options configures New.
type Options struct {
	// BaseURL is the Graph version root, e.g. https://graph.microsoft.com/v1.0 (a trailing slash is fine).
	BaseURL string
	// HTTPClient is copied, never modified; nil means an httpx client (plain http to loopback only, never
	// through a proxy; connect, TLS and header timeouts). Give one built by httpx.NewClient so those
	// transport rules hold. The client installs httpx.CheckRedirect (calling any existing one after it).
	HTTPClient *http.Client
	// Tokens supplies bearer tokens; required for Do.
	Tokens TokenSource
	// UserAgent is sent on every request, e.g. "odshare/1.2.3"; empty means "odshare".
	UserAgent string
	// Debug, when set, gets one line per attempt: method, URL, status, duration, request ids. Never headers
	// or bodies, so tokens and link passwords cannot appear.
	Debug io.Writer
	// MaxAttempts bounds the attempts of one Do, first included; 0 means 5.
	MaxAttempts int
	// MaxRetryWait caps one Retry-After wait; 0 means 60s.
	MaxRetryWait time.Duration
	// MaxPages bounds the pages the Client follows in all its listings together, so one command
	// (which makes one Client) ends however many @odata.nextLinks Graph sends; 0 means
	// DefaultMaxPages. See also SetMaxPages.
	MaxPages int
	// Sleep waits between attempts; nil means a real timer that returns ctx.Err() at once on cancellation.
	// Tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls Microsoft Graph. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	baseURL     string
	hc          *http.Client
	tokens      TokenSource
	userAgent   string
	debug       io.Writer
	debugMu     sync.Mutex
	maxAttempts int
	maxWait     time.Duration
	sleep       func(context.Context, time.Duration) error
	maxPages    atomic.Int64
	pagesUsed   atomic.Int64
}

// New checks the options and builds a Client. It fails, before any connection is made, for a base URL
// that is not absolute http(s), and with an error wrapping ErrInsecureEndpoint for plain http to anything
// but loopback (127.0.0.0/8, ::1, localhost), which exists for the emulator.
func New(o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return nil, fmt.Errorf("invalid Graph base URL %q: want https://host/version", o.BaseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("invalid Graph base URL %q: no user info, query or fragment allowed", o.BaseURL)
	}
	if u.Scheme == "http" && !httpx.IsLoopbackHost(u.Hostname()) {
		return nil, &insecureEndpointError{host: u.Host}
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		def, err := httpx.NewClient(httpx.Options{Timeout: 5 * time.Minute})
		if err != nil {
			return nil, err
		}
		hc = *def
	}
	hc.CheckRedirect = httpx.CheckRedirect(hc.CheckRedirect)
	c := &Client{
		base:        u,
		baseURL:     u.String(),
		hc:          &hc,
		tokens:      o.Tokens,
		userAgent:   o.UserAgent,
		debug:       o.Debug,
		maxAttempts: o.MaxAttempts,
		maxWait:     o.MaxRetryWait,
		sleep:       o.Sleep,
	}
	if c.userAgent == "" {
		c.userAgent = "odshare"
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	if c.maxWait <= 0 {
		c.maxWait = defaultMaxRetryWait
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	c.SetMaxPages(o.MaxPages)
	return c, nil
}

// Request is one Graph call.
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is the already-escaped path relative to BaseURL, e.g. "/me/drive/root:/a%20b:/createLink", and
	// may include "?query".
	Path string
	// URL, when set, is an absolute URL used verbatim instead of Path (an @odata.nextLink). It must be on
	// BaseURL's scheme and host, or Do refuses it rather than send the token elsewhere.
	URL string
	// Body is the JSON body, or nil for none. It is sent with Content-Type: application/json and re-read from
	// the slice on every attempt.
	Body []byte
	// Header holds extra headers (Prefer, If-Match). Authorization set here is ignored.
	Header http.Header
}

// Response is a successful (status < 400) Graph response with its whole body read.
type Response struct {
	// StatusCode is the HTTP status (200, 201, 204, 304...).
	StatusCode int
	// Header is the response header, with Graph's request-id.
	Header http.Header
	// Body is the whole body, read inside the attempt so a truncated one was retried.
	Body []byte
}

// maxBody bounds a response body held in memory; Graph's sharing responses are a few KB, pages of 200
// children well under a megabyte.
const maxBody = 32 << 20

// Do sends req with a bearer token and returns the response, or an *Error for status >= 400.
//
// It retries: 429, 503 and 504 after their Retry-After (capped at MaxRetryWait; exponential backoff when
// absent or unusable) [THR]; other transient 5xx and dropped connections (reset, EOF, a body cut short)
// with exponential backoff and full jitter. Attempts are bounded by MaxAttempts; a cancelled ctx ends any
// wait at once with ctx.Err() and is never retried. On a 401 a Refresher token source is asked for a new
// token once, and the request is sent once more.
//
// Dropped connections are retried for POST too. createLink is safe to repeat: Graph returns the existing
// link of the same type and scope with 200 [CL1]; a repeated "users" link may notify its recipients twice.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	return c.do(ctx, req, nil)
}

// do is Do with extra statuses to retry (with Retry-After when given, else backoff): $batch adds 424,
// which [THR] says a throttled batch can fail with as a whole (notes §6).
func (c *Client) do(ctx context.Context, req *Request, retryAlso func(status int) bool) (*Response, error) {
	if c.tokens == nil {
		return nil, errors.New("graph: no token source configured")
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	target, err := c.resolve(req)
	if err != nil {
		return nil, err
	}
	hdr := req.Header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Del("Authorization")
	if hdr.Get("client-request-id") == "" {
		hdr.Set("client-request-id", newUUID())
	}
	hdr.Set("User-Agent", c.userAgent)
	if hdr.Get("Accept") == "" {
		hdr.Set("Accept", "application/json")
	}
	if req.Body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	crid := hdr.Get("client-request-id")

	var refreshedToken string
	refreshed := false
	for attempt := 1; ; attempt++ {
		tok := refreshedToken
		if tok == "" {
			if tok, err = c.tokens.Token(ctx); err != nil {
				return nil, &TokenError{Err: err}
			}
		}
		resp, body, err := c.attempt(ctx, method, target, hdr, req.Body, tok)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !retryableTransport(err) || attempt >= c.maxAttempts {
				return nil, err
			}
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode < 400 {
			return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
		}
		gerr := newError(method, target, crid, resp, body)
		if gerr.Unauthorized() { // not SharePoint's access denied: a new token would not change it
			r, ok := c.tokens.(Refresher)
			if !ok || refreshed {
				return nil, gerr
			}
			refreshed = true
			if refreshedToken, err = r.Refresh(ctx); err != nil {
				return nil, fmt.Errorf("%w; refreshing the token failed: %w", gerr, err)
			}
			attempt-- // the refresh retry is not a failure retry: it doesn't use up MaxAttempts
			continue
		}
		wait, retry := httpretry.Wait(attempt, resp.StatusCode, resp.Header.Get("Retry-After"), c.maxWait, retryAlso)
		if !retry || attempt >= c.maxAttempts {
			return nil, gerr
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// resolve turns a Request into the absolute URL to send, refusing any URL that would carry the token off
// BaseURL's scheme and host.
func (c *Client) resolve(req *Request) (string, error) {
	raw := req.URL
	if raw == "" {
		if req.Path == "" {
			return "", errors.New("graph: request has neither Path nor URL")
		}
		p := req.Path
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		raw = c.baseURL + p
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("graph: invalid request URL: %w", err)
	}
	if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		return "", fmt.Errorf("refusing to send a token to %s://%s: it is not the Graph endpoint %s://%s",
			u.Scheme, u.Host, c.base.Scheme, c.base.Host)
	}
	return raw, nil
}

// attempt sends one request and reads the whole body, so a body cut short surfaces here as a retryable
// error rather than as truncated JSON later.
func (c *Client) attempt(ctx context.Context, method, target string, hdr http.Header, body []byte, tok string) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("graph: build request: %w", err)
	}
	hreq.Header = hdr.Clone()
	redact.Add(tok) // a server that echoes it back cannot make odshare print it
	hreq.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := c.hc.Do(hreq)
	if err != nil {
		c.logAttempt(method, target, hdr, nil, time.Since(start), err)
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	c.logAttempt(method, target, hdr, resp, time.Since(start), err)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading response: %w", method, target, err)
	}
	if len(b) > maxBody {
		return nil, nil, fmt.Errorf("%s %s: response body larger than %d bytes", method, target, maxBody)
	}
	return resp, b, nil
}

// logAttempt writes the one debug line of an attempt. It never prints headers or bodies, and shortens share
// tokens in the URL, since an encoded sharing URL is as good as the link itself.
func (c *Client) logAttempt(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error) {
	if c.debug == nil {
		return
	}
	line := fmt.Sprintf("graph: %s %s", method, redactURL(target))
	if resp != nil {
		line += fmt.Sprintf(" -> %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	line += fmt.Sprintf(" in %s", d.Round(time.Millisecond))
	if resp != nil {
		if rid := sanitize(resp.Header.Get("request-id")); rid != "" {
			line += " request-id=" + rid
		}
	}
	line += " client-request-id=" + sanitize(hdr.Get("client-request-id"))
	if err != nil {
		// net/http's errors quote the URL; show the redacted form there too.
		line += " error: " + sanitize(strings.ReplaceAll(err.Error(), target, redactURL(target)))
	}
	c.debugMu.Lock()
	defer c.debugMu.Unlock()
	fmt.Fprintln(c.debug, line)
}

// redactURL replaces the token after /shares/ with its two-character prefix ("u!…"). The query is kept:
// $skiptoken is not a credential, and paging problems need it.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "shares" && len(segs[i+1]) > 2 {
			segs[i+1] = segs[i+1][:2] + "…"
		}
	}
	out := u.Scheme + "://" + u.Host + strings.Join(segs, "/")
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return sanitize(out)
}

// newUUID returns a random (version 4) UUID for client-request-id.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// TokenError means the credential could not produce a token (not signed in, refresh token
// revoked, credential rejected). Nothing was sent; retrying cannot help.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "get access token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

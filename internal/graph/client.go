// Package graph is odshare's Microsoft Graph client: drive and item addressing, share-token encoding, one
// error type (*Error), retries with Retry-After, paging, and the few sharing calls odshare makes.
//
// It is the only place that puts a bearer token on the wire, so the token rules live here: it is added per
// request, never sent to a different host than BaseURL (not even in an @odata.nextLink), and never logged.
// The transport rules it relies on (plain HTTP to loopback only and never through a proxy, redirects that
// keep their scheme and carry neither the token nor a body to another host) are package httpx's; the retry
// loop, token refresh and bounded reads are package bearer's, shared with the Box client.
package graph

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/odshare/odshare/internal/bearer"
)

// TokenSource supplies bearer tokens. The client asks for one on every attempt, so a source that caches
// and renews tokens keeps long retry sequences working.
type TokenSource = bearer.TokenSource

// Refresher is optionally implemented by a TokenSource: on a 401 from Graph the client calls Refresh once
// and retries once with the new token, because a cached token can be revoked or expire early (CAE) before
// its stated lifetime is up.
type Refresher = bearer.Refresher

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
	// RetryBudget is how long, in all, one request waits out throttling (429, 503) before giving up:
	// 0 means httpretry.DefaultRetryBudget (5 minutes); a negative value means not at all.
	RetryBudget time.Duration
	// OnWait, when set, is told before every wait between attempts, so a terminal can show it.
	OnWait func(ctx context.Context, w Wait)
	// Sleep waits between attempts; nil means a real timer that returns ctx.Err() at once on cancellation.
	// Tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls Microsoft Graph. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseURL   string
	send      *bearer.Sender
	debug     *bearer.DebugLog
	maxPages  atomic.Int64
	pagesUsed atomic.Int64
}

// New checks the options and builds a Client. It fails, before any connection is made, for a base URL
// that is not absolute http(s), and with an error wrapping ErrInsecureEndpoint for plain http to anything
// but loopback (127.0.0.0/8, ::1, localhost), which exists for the emulator.
func New(o Options) (*Client, error) {
	u, err := bearer.ParseBaseURL(o.BaseURL, "Graph base URL", "https://host/version", ErrInsecureEndpoint)
	if err != nil {
		return nil, err
	}
	c := &Client{base: u, baseURL: u.String(), debug: bearer.NewDebugLog(o.Debug)}
	c.send, err = bearer.NewSender(bearer.Options{
		Name:         "graph",
		HTTPClient:   o.HTTPClient,
		Tokens:       o.Tokens,
		UserAgent:    o.UserAgent,
		MaxAttempts:  o.MaxAttempts,
		MaxRetryWait: o.MaxRetryWait,
		RetryBudget:  o.RetryBudget,
		Service:      "Graph",
		OnWait:       o.OnWait,
		Sleep:        o.Sleep,
		MaxBody:      maxBody,
		Log:          c.logAttempt,
		Debug:        c.debug,
		ShowURL:      redactURL,
	})
	if err != nil {
		return nil, err
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

// Wait is a pause before a request is sent again, as reported to Options.OnWait.
type Wait = bearer.Wait

// ThrottledError is Graph's throttling answer to a request retried until the retry budget was spent; it
// unwraps to the last *Error.
type ThrottledError = bearer.ThrottledError

// Response is a successful (status < 400) Graph response with its whole body read; Header has Graph's
// request-id.
type Response = bearer.Response

// maxBody bounds a response body held in memory; Graph's sharing responses are a few KB, pages of 200
// children well under a megabyte.
const maxBody = 32 << 20

// Do sends req with a bearer token and returns the response, or an *Error for status >= 400.
//
// It retries throttling (429, 503) after its Retry-After (capped at MaxRetryWait), or with exponential
// backoff from 1 s to 60 s without one, until RetryBudget has been spent waiting (then a *ThrottledError)
// [THR]; 504 after its Retry-After, other transient 5xx and dropped connections (reset, EOF, a body cut
// short) with exponential backoff and full jitter, at most MaxAttempts attempts. A cancelled ctx ends any
// wait at once with ctx.Err() and is never retried. OnWait hears of every wait. On a 401 a Refresher token source is asked for a new
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
	target, err := c.resolve(req)
	if err != nil {
		return nil, err
	}
	hdr := req.Header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	if hdr.Get("client-request-id") == "" {
		hdr.Set("client-request-id", newUUID())
	}
	crid := hdr.Get("client-request-id")
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	return c.send.Send(ctx, &bearer.Call{
		Method: method, URL: target, Header: hdr, Body: req.Body, RetryAlso: retryAlso,
		Fail: func(status int, h http.Header, body []byte) error {
			return newError(method, target, crid, status, h, body)
		},
	})
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
	if !bearer.OnBase(u, c.base) {
		return "", fmt.Errorf("refusing to send a token to %s://%s: it is not the Graph endpoint %s://%s",
			u.Scheme, u.Host, c.base.Scheme, c.base.Host)
	}
	return raw, nil
}

// logAttempt writes the one debug line of an attempt. It never prints headers or bodies, and shortens share
// tokens in the URL, since an encoded sharing URL is as good as the link itself.
func (c *Client) logAttempt(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error) {
	if !c.debug.On() {
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
	c.debug.Line(line)
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
type TokenError = bearer.TokenError

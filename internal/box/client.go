// Package box is odshare's Box API transport: a client for https://api.box.com/2.0 with Box's error object
// (*Error), retries with retry-after, marker paging, the few item and shared-link calls odshare makes, path
// resolution from the root folder, and the naming of Box items on the command line (ParseRef), which needs
// no network.
//
// It is the only place that puts a Box bearer token on the wire, so the token rules live here: it is added
// per attempt, never sent to a different scheme or host than BaseURL, and never logged; neither is the
// BoxApi header, which can carry a shared link's password. The transport rules it relies on (plain HTTP to
// loopback only and never through a proxy, redirects that keep their scheme and carry neither the token nor
// a body to another host) are package httpx's; the retry loop, token refresh and bounded reads are package
// bearer's, shared with the Graph client.
//
// Box's JSON is kept as Box sent it (every call returns the raw body beside the few decoded fields), so
// odshare's -o json prints Box's objects unchanged.
//
// It imports only the standard library and odshare's leaf packages bearer, redact and safetext.
package box

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/odshare/odshare/internal/bearer"
	"github.com/odshare/odshare/internal/safetext"
)

// DefaultBaseURL is Box's API root (ODSHARE_BOX_API_URL overrides it).
const DefaultBaseURL = "https://api.box.com/2.0"

// TokenSource supplies Box access tokens. The client asks for one on every attempt, so a source that caches
// and renews tokens keeps long retry sequences working.
type TokenSource = bearer.TokenSource

// Refresher is optionally implemented by a TokenSource: on a 401 from Box the client calls Refresh once and
// retries once with the new token, since an access token can be revoked before its hour is up. Box refresh
// tokens are single use, so Refresh must persist the rotated pair before it returns.
type Refresher = bearer.Refresher

// TokenError means the credential could not produce a token (not signed in, refresh token used or revoked,
// credential rejected). Nothing was sent; retrying cannot help.
type TokenError = bearer.TokenError

// Wait is a pause before a request is sent again, as reported to Options.OnWait.
type Wait = bearer.Wait

// Options configures New.
type Options struct {
	// BaseURL is the API root; empty means DefaultBaseURL (a trailing slash is fine). https, or plain http
	// to loopback only (the emulator).
	BaseURL string
	// HTTPClient is copied, never modified; nil means an httpx client (plain http to loopback only, never
	// through a proxy; connect, TLS and header timeouts). Give one built by httpx.NewClient so those
	// transport rules hold. The client installs httpx.CheckRedirect (calling any existing one after it).
	HTTPClient *http.Client
	// Tokens supplies bearer tokens; required for Do.
	Tokens TokenSource
	// UserAgent is sent on every request, e.g. "odshare/1.2.3"; empty means "odshare".
	UserAgent string
	// Debug, when set, gets one line per attempt: method, URL, status, duration, Box's request id. Never
	// headers or bodies, so tokens and link passwords cannot appear.
	Debug io.Writer
	// MaxAttempts bounds the attempts of one Do, first included; 0 means 5 (as Box's SDKs).
	MaxAttempts int
	// MaxRetryWait caps one retry-after wait; 0 means 60s.
	MaxRetryWait time.Duration
	// RetryBudget is how long, in all, one request waits out throttling (429, 503) before giving up:
	// 0 means httpretry.DefaultRetryBudget; a negative value means not at all.
	RetryBudget time.Duration
	// OnWait, when set, is told before every wait between attempts, so a terminal can show it.
	OnWait func(ctx context.Context, w Wait)
	// MaxPages bounds the pages the Client fetches in all its listings together (path resolution
	// included), so one command, which makes one Client, ends however many markers Box sends; 0 means
	// DefaultMaxPages. See also SetMaxPages.
	MaxPages int
	// Sleep waits between attempts; nil means a real timer that returns ctx.Err() at once on cancellation.
	// Tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the Box API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseURL   string
	send      *bearer.Sender
	once      *bearer.Sender // one attempt, no throttled retry: Once
	debug     *bearer.DebugLog
	maxPages  atomic.Int64
	pagesUsed atomic.Int64
}

// ErrInsecureEndpoint is wrapped by New's error when the base URL would send a bearer token over plain HTTP
// to a host other than loopback.
var ErrInsecureEndpoint = errors.New("insecure Box endpoint")

// New checks the options and builds a Client. It fails, before any connection is made, for a base URL that
// is not absolute http(s) or has user info, a query or a fragment, and with an error wrapping
// ErrInsecureEndpoint for plain http to anything but loopback.
func New(o Options) (*Client, error) {
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := bearer.ParseBaseURL(raw, "Box API URL", "https://host/2.0", ErrInsecureEndpoint)
	if err != nil {
		return nil, err
	}
	c := &Client{base: u, baseURL: u.String(), debug: bearer.NewDebugLog(o.Debug)}
	c.send, err = bearer.NewSender(bearer.Options{
		Name:         "box",
		HTTPClient:   o.HTTPClient,
		Tokens:       o.Tokens,
		UserAgent:    o.UserAgent,
		MaxAttempts:  o.MaxAttempts,
		MaxRetryWait: o.MaxRetryWait,
		RetryBudget:  o.RetryBudget,
		Service:      "Box",
		OnWait:       o.OnWait,
		Sleep:        o.Sleep,
		MaxBody:      MaxBody,
		Log:          c.logAttempt,
		Debug:        c.debug,
	})
	if err != nil {
		return nil, err
	}
	c.once, err = bearer.NewSender(bearer.Options{
		Name: "box", HTTPClient: o.HTTPClient, Tokens: o.Tokens, UserAgent: o.UserAgent,
		MaxAttempts: 1, RetryBudget: -1, Service: "Box", Sleep: o.Sleep, MaxBody: MaxBody, Log: c.logAttempt, Debug: c.debug,
	})
	if err != nil {
		return nil, err
	}
	c.SetMaxPages(o.MaxPages)
	return c, nil
}

// BaseURL is the API root the client sends to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// Request is one Box API call.
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is the already-escaped path relative to BaseURL, e.g. "/files/123", and may include "?query".
	Path string
	// Body is the JSON body, or nil for none. It is sent with Content-Type: application/json and re-read
	// from the slice on every attempt.
	Body []byte
	// Header holds extra headers (BoxApi, If-Match). Authorization set here is ignored. Its values are never
	// logged or put in errors.
	Header http.Header
}

// Response is a successful (status < 400) Box response with its whole body read; Header has
// BOX-REQUEST-ID.
type Response = bearer.Response

// MaxBody bounds a response body held in memory. Box's item objects are a few KB; a page of 1,000 folder
// entries with a few fields each is well under a few MB.
const MaxBody = 32 << 20

// Do sends req with a bearer token and returns the response, or an *Error for status >= 400.
//
// It retries: 429 (Box's rate_limit_exceeded), 503 and 504 after their retry-after (seconds, maybe
// fractional; capped at MaxRetryWait; exponential backoff when absent or unusable), other transient 5xx and
// dropped connections (reset, EOF, a body cut short) with exponential backoff and full jitter (see package
// httpretry). Attempts are bounded by MaxAttempts; a cancelled ctx ends any wait at once with ctx.Err() and
// is never retried. On a 401 a Refresher token source is asked for a new token once, and the request is
// sent once more.
//
// Retrying a PUT of a shared link is safe: the same body gives the item the same link settings again.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	method, target, err := c.target(req)
	if err != nil {
		return nil, err
	}
	return c.send.Send(ctx, &bearer.Call{
		Method: method, URL: target, Header: req.Header, Body: req.Body,
		Fail: func(status int, h http.Header, body []byte) error {
			return NewError(method, target, status, h, body)
		},
	})
}

// target is req's method (GET when empty) and absolute URL.
func (c *Client) target(req *Request) (method, target string, err error) {
	if target, err = c.resolve(req.Path); err != nil {
		return "", "", err
	}
	if method = req.Method; method == "" {
		method = http.MethodGet
	}
	return method, target, nil
}

// resolve turns a request path into the absolute URL to send, refusing anything that would carry the token
// off BaseURL's scheme, host and path.
func (c *Client) resolve(p string) (string, error) {
	if p == "" {
		return "", errors.New("box: request has no path")
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	raw := c.baseURL + p
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("box: invalid request path: %w", err)
	}
	if !bearer.OnBase(u, c.base) || !strings.HasPrefix(u.EscapedPath(), c.base.EscapedPath()+"/") {
		return "", fmt.Errorf("refusing to send a token to %s: it is not under the Box API root %s",
			safetext.Line(u.Redacted()), c.baseURL)
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "", fmt.Errorf("box: request path %q has a dot segment", safetext.Line(p))
		}
	}
	return raw, nil
}

// logAttempt writes the one debug line of an attempt. It never prints headers or bodies: the token, and the
// BoxApi header with a link's password, stay out of it. Box's URLs hold no secrets (a shared link travels
// in BoxApi, never in the URL), so the URL is shown whole, sanitized.
func (c *Client) logAttempt(method, target string, _ http.Header, resp *http.Response, d time.Duration, err error) {
	if !c.debug.On() {
		return
	}
	line := fmt.Sprintf("box: %s %s", method, safetext.Line(target))
	if resp != nil {
		line += fmt.Sprintf(" -> %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	line += fmt.Sprintf(" in %s", d.Round(time.Millisecond))
	if resp != nil {
		if rid := safetext.Line(resp.Header.Get(requestIDHeader)); rid != "" {
			line += " request-id=" + rid
		}
	}
	if err != nil {
		line += " error: " + safetext.Line(err.Error())
	}
	c.debug.Line(line)
}

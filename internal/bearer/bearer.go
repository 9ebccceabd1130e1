// Package bearer is the core the API clients (Microsoft Graph, Box) share for calls that carry a bearer
// token: checking a base URL (https, or plain http to loopback only), building the HTTP client with
// httpx's redirect rule, and Sender, which sends one call with a fresh token per attempt, retries under
// package httpretry's rules, refreshes the token once on a 401, and reads a bounded body. Each client keeps
// its own addressing, error type and debug line; this package knows neither.
//
// It imports only the standard library and odshare's leaf packages httpx, httpretry, redact and safetext.
package bearer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/httpretry"
	"github.com/odshare/odshare/internal/httpx"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/safetext"
)

// TokenSource supplies bearer tokens. The sender asks for one on every attempt, so a source that caches
// and renews tokens keeps long retry sequences working.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Refresher is optionally implemented by a TokenSource: on a 401 the sender calls Refresh once and retries
// once with the new token, because a cached token can be revoked or expire before its stated lifetime is up.
type Refresher interface {
	Refresh(ctx context.Context) (string, error)
}

// TokenError means the credential could not produce a token (not signed in, refresh token revoked,
// credential rejected). Nothing was sent; retrying cannot help.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "get access token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// CredentialFailed says no token could be had: the sharing core's classification of this error.
func (e *TokenError) CredentialFailed() bool { return true }

// InsecureEndpointError refuses a base URL that would send a bearer token over plain http to a host other
// than loopback. It unwraps to the client's own sentinel error.
type InsecureEndpointError struct {
	Host     string
	Sentinel error
}

func (e *InsecureEndpointError) Error() string {
	return "refusing to send a token over plain http to " + e.Host + ": use https"
}

func (e *InsecureEndpointError) Unwrap() error { return e.Sentinel }

// ParseBaseURL checks a client's base URL before any connection is made: absolute http(s) with a host, no
// user info, query or fragment, and plain http to loopback only (an *InsecureEndpointError unwrapping to
// insecure). A trailing slash is dropped. what names the URL in errors ("Graph base URL"), want shows the
// expected form ("https://host/version").
func ParseBaseURL(raw, what, want string, insecure error) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return nil, fmt.Errorf("invalid %s %q: want %s", what, safetext.Line(raw), want)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("invalid %s %q: no user info, query or fragment allowed", what, safetext.Line(u.Redacted()))
	}
	if u.Scheme == "http" && !httpx.IsLoopbackHost(u.Hostname()) {
		return nil, &InsecureEndpointError{Host: safetext.Line(u.Host), Sentinel: insecure}
	}
	return u, nil
}

// OnBase reports whether an absolute URL is on base's scheme and host, without user info: the only place a
// token may go.
func OnBase(u, base *url.URL) bool {
	return u.Scheme == base.Scheme && strings.EqualFold(u.Host, base.Host) && u.User == nil
}

// Options configures NewSender.
type Options struct {
	// Name prefixes the sender's own errors ("graph", "box").
	Name string
	// HTTPClient is copied, never modified; nil means an httpx client (plain http to loopback only, never
	// through a proxy; connect, TLS and header timeouts, 5 minutes a request). The copy gets
	// httpx.CheckRedirect, calling any existing CheckRedirect after it.
	HTTPClient *http.Client
	// Tokens supplies bearer tokens; Send fails without one.
	Tokens TokenSource
	// UserAgent is sent on every request; empty means "odshare".
	UserAgent string
	// MaxAttempts bounds the attempts of one Send, first included; 0 means httpretry.DefaultMaxAttempts.
	MaxAttempts int
	// MaxRetryWait caps one Retry-After wait; 0 means httpretry.DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// RetryBudget is how long, in all, one Send waits out throttling (429, 503, and what a Call's
	// RetryAlso adds) before giving up with a *ThrottledError: 0 means httpretry.DefaultRetryBudget; a
	// negative value means no throttled retry at all.
	RetryBudget time.Duration
	// Service names the server for people in wait reasons ("Graph"); empty means Name.
	Service string
	// OnWait, when set, is told before every wait between attempts, so a terminal can show it.
	OnWait func(ctx context.Context, w Wait)
	// Sleep waits between attempts; nil means httpretry.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxBody bounds a response body held in memory; 0 means 32 MiB.
	MaxBody int64
	// Log, when set, is called once per attempt with its request header (never its Authorization), the
	// response (nil on a transport error), the time taken and the error. The client writes its debug line
	// there; it must not print headers' values.
	Log func(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error)
	// Debug, when on, receives the debug line of each Download (the attempts' lines are Log's).
	Debug *DebugLog
	// ShowURL is how a request's URL appears in errors (a client shortens its secret-bearing parts, as
	// Graph does the token after /shares/); nil means the URL made safe for a terminal.
	ShowURL func(target string) string
}

// Sender sends calls with a bearer token. It is safe for concurrent use. Its exported fields are the
// defaults-filled options, for engines (such as Graph's bulk pacer) that wait on their own.
type Sender struct {
	Name        string
	Service     string
	MaxAttempts int
	MaxWait     time.Duration
	RetryBudget time.Duration // 0 means no throttled retries
	OnWait      func(ctx context.Context, w Wait)
	Sleep       func(ctx context.Context, d time.Duration) error

	hc        *http.Client
	direct    *http.Client // hc answering redirects instead of following them (Call.NoRedirect)
	download  *http.Client // hc without a whole-request timeout, for Download
	tokens    TokenSource
	userAgent string
	maxBody   int64
	log       func(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error)
	showURL   func(target string) string
	debug     *DebugLog
}

// RetrySettings are how a sender waits between attempts, for a caller that schedules its own retries
// (the bulk engine): Sleep, OnWait, the cap on one Retry-After, and the retry budget.
type RetrySettings struct {
	Sleep       func(ctx context.Context, d time.Duration) error
	OnWait      func(ctx context.Context, w Wait)
	MaxWait     time.Duration
	RetryBudget time.Duration
}

// Retry returns the sender's retry settings.
func (s *Sender) Retry() RetrySettings {
	return RetrySettings{Sleep: s.Sleep, OnWait: s.OnWait, MaxWait: s.MaxWait, RetryBudget: s.RetryBudget}
}

// DefaultMaxBody is the response body bound when Options leave it at 0.
const DefaultMaxBody = 32 << 20

// NewSender fills o's defaults and builds a Sender.
func NewSender(o Options) (*Sender, error) {
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
	direct, download := hc, hc
	direct.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	download.Timeout = 0
	s := &Sender{
		Name:        o.Name,
		MaxAttempts: o.MaxAttempts,
		MaxWait:     o.MaxRetryWait,
		Service:     o.Service,
		RetryBudget: o.RetryBudget,
		OnWait:      o.OnWait,
		Sleep:       o.Sleep,
		hc:          &hc,
		direct:      &direct,
		download:    &download,
		tokens:      o.Tokens,
		userAgent:   o.UserAgent,
		maxBody:     o.MaxBody,
		log:         o.Log,
		showURL:     o.ShowURL,
		debug:       o.Debug,
	}
	if s.showURL == nil {
		s.showURL = safetext.Line
	}
	if s.userAgent == "" {
		s.userAgent = "odshare"
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = httpretry.DefaultMaxAttempts
	}
	if s.MaxWait <= 0 {
		s.MaxWait = httpretry.DefaultMaxRetryWait
	}
	if s.Sleep == nil {
		s.Sleep = httpretry.Sleep
	}
	if s.Service == "" {
		s.Service = s.Name
	}
	switch {
	case s.RetryBudget == 0:
		s.RetryBudget = httpretry.DefaultRetryBudget
	case s.RetryBudget < 0:
		s.RetryBudget = 0
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBody
	}
	return s, nil
}

// Response is a successful (status < 400) response with its whole body read.
type Response struct {
	// StatusCode is the HTTP status (200, 201, 204, 304...).
	StatusCode int
	// Header is the response header.
	Header http.Header
	// Body is the whole body, read inside the attempt so a truncated one was retried.
	Body []byte
}

// Call is one request for Send.
type Call struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// URL is the absolute URL, already checked by the client (it must be on its base URL).
	URL string
	// Header holds the client's extra headers; Authorization set here is dropped, User-Agent replaced,
	// Accept defaults to application/json.
	Header http.Header
	// Body is the JSON body, or nil for none: sent with Content-Type: application/json and re-read from the
	// slice on every attempt.
	Body []byte
	// Fail turns a response with status >= 400 into the client's error type (header and body as received).
	Fail func(status int, header http.Header, body []byte) error
	// RetryAlso adds statuses to retry after their Retry-After (Graph's $batch adds 424); nil adds none.
	RetryAlso func(status int) bool
	// NoRedirect returns a redirect (3xx) as the response instead of following it: Graph's /content
	// answers 302 with a download URL the caller fetches itself, without the token (Download).
	NoRedirect bool
}

// Send sends c with a bearer token and returns the response, or c.Fail's error for status >= 400.
//
// Throttling (429, 503, and what c.RetryAlso adds) is retried after its Retry-After (capped at MaxWait), or
// with httpretry.ThrottleBackoff when there is none, for as long as RetryBudget allows; each retry counts
// at least httpretry.MinThrottleCharge against it, and when it is spent the error is a *ThrottledError
// wrapping c.Fail's. 504 is retried after its Retry-After, other transient 5xx and dropped connections
// (reset, EOF, a body cut short) with exponential backoff and full jitter, up to MaxAttempts attempts
// (throttled ones not counted). OnWait hears of every wait; a cancelled ctx ends any wait at once
// with ctx.Err() and is never retried. On a 401 a Refresher token source is asked for a new token once,
// and the request is sent once more without using up an attempt, unless Fail's error has an Unauthorized
// method that says the 401 is not about the token; if the refresh fails, the error wraps both Fail's error
// and the refresh's.
func (s *Sender) Send(ctx context.Context, c *Call) (*Response, error) {
	if s.tokens == nil {
		return nil, errors.New(s.Name + ": no token source configured")
	}
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	hdr := c.Header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Del("Authorization")
	hdr.Set("User-Agent", s.userAgent)
	if hdr.Get("Accept") == "" {
		hdr.Set("Accept", "application/json")
	}
	if c.Body != nil {
		hdr.Set("Content-Type", "application/json")
	}

	var refreshedToken string
	refreshed := false
	throttles := 0                  // throttled answers so far
	var charged time.Duration       // of the retry budget
	for attempt := 1; ; attempt++ { // attempt counts all but throttled answers and the 401 refresh
		tok := refreshedToken
		if tok == "" {
			var err error
			if tok, err = s.tokens.Token(ctx); err != nil {
				return nil, &TokenError{Err: err}
			}
		}
		resp, body, err := s.attempt(ctx, method, c.URL, hdr, c.Body, tok, c.NoRedirect)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !httpretry.RetryableTransport(err) || attempt >= s.MaxAttempts {
				return nil, err
			}
			if err := s.wait(ctx, "the connection to "+s.Service+" dropped", httpretry.Backoff(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if resp.StatusCode < 400 {
			return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
		}
		failure := c.Fail(resp.StatusCode, resp.Header, body)
		if resp.StatusCode == http.StatusUnauthorized && refreshable(failure) {
			r, ok := s.tokens.(Refresher)
			if !ok || refreshed {
				return nil, failure
			}
			refreshed = true
			if refreshedToken, err = r.Refresh(ctx); err != nil {
				return nil, fmt.Errorf("%w; refreshing the token failed: %w", failure, err)
			}
			attempt-- // the refresh retry is not a failure retry: it doesn't use up MaxAttempts
			continue
		}
		if status := resp.StatusCode; httpretry.Throttled(status) || c.RetryAlso != nil && c.RetryAlso(status) {
			throttles++
			attempt--
			wait, ok := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
			if !ok {
				wait = httpretry.ThrottleBackoff(throttles)
			}
			wait = min(wait, s.MaxWait)
			charge := max(wait, httpretry.MinThrottleCharge)
			if charged+charge > s.RetryBudget {
				return nil, &ThrottledError{Err: failure, Retries: throttles - 1, Budget: s.RetryBudget}
			}
			charged += charge
			if err := s.wait(ctx, fmt.Sprintf("throttled by %s (HTTP %d)", s.Service, status), wait); err != nil {
				return nil, err
			}
			continue
		}
		wait, retry := httpretry.Wait(attempt, resp.StatusCode, resp.Header.Get("Retry-After"), s.MaxWait, nil)
		if !retry || attempt >= s.MaxAttempts {
			return nil, failure
		}
		if err := s.wait(ctx, fmt.Sprintf("%s answered HTTP %d", s.Service, resp.StatusCode), wait); err != nil {
			return nil, err
		}
	}
}

// wait tells OnWait why and how long, then sleeps; it returns ctx.Err() at once when ctx ends.
func (s *Sender) wait(ctx context.Context, why string, d time.Duration) error {
	if s.OnWait != nil && d > 0 && ctx.Err() == nil {
		s.OnWait(ctx, Wait{Reason: why, Delay: d})
	}
	return s.Sleep(ctx, d)
}

// Wait is a pause before a request is sent again, as reported to Options.OnWait.
type Wait struct {
	// Reason says why, for people: "throttled by Graph (HTTP 429)".
	Reason string
	// Delay is how long the sender waits before the next attempt.
	Delay time.Duration
}

// ThrottledError is a server's throttling answer to a request that was retried until the retry budget
// was spent. It unwraps to the client's error for the last answer.
type ThrottledError struct {
	Err     error
	Retries int
	Budget  time.Duration
}

func (e *ThrottledError) Error() string {
	if e.Budget <= 0 {
		return e.Err.Error() + "; not retried, as the retry budget is 0 (--retry-budget)"
	}
	return fmt.Sprintf("%s; still throttled after %d retries, which spent the %s retry budget (raise it with --retry-budget)",
		e.Err.Error(), e.Retries, e.Budget)
}

func (e *ThrottledError) Unwrap() error { return e.Err }

// RetryBudgetSpent says the throttling was waited out until the retry budget was spent: the sharing
// core's classification of this error.
func (e *ThrottledError) RetryBudgetSpent() bool { return true }

// refreshable reports whether a 401's error asks for a new token: an error with an Unauthorized method
// decides (Graph's says no to SharePoint's access-denied 401, which a new token would not change); any
// other 401 does.
func refreshable(failure error) bool {
	var u interface{ Unauthorized() bool }
	if errors.As(failure, &u) {
		return u.Unauthorized()
	}
	return true
}

// attempt sends one request and reads the whole body, so a body cut short surfaces here as a retryable
// error rather than as truncated JSON later.
func (s *Sender) attempt(ctx context.Context, method, target string, hdr http.Header, body []byte, tok string, noRedirect bool) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: build request: %w", s.Name, err)
	}
	hreq.Header = hdr.Clone()
	redact.Add(tok) // a server that echoes it back cannot make odshare print it
	hreq.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	hc := s.hc
	if noRedirect {
		hc = s.direct
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		s.logAttempt(method, target, hdr, nil, time.Since(start), err)
		var ue *url.Error // net/http's errors quote the URL: show it as errors do
		if errors.As(err, &ue) {
			ue.URL = s.showURL(ue.URL)
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, s.maxBody+1))
	s.logAttempt(method, target, hdr, resp, time.Since(start), err)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: reading response: %w", method, s.showURL(target), err)
	}
	if int64(len(b)) > s.maxBody {
		return nil, nil, fmt.Errorf("%s %s: response body larger than %d bytes", method, s.showURL(target), s.maxBody)
	}
	return resp, b, nil
}

func (s *Sender) logAttempt(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error) {
	if s.log != nil {
		s.log(method, target, hdr, resp, d, err)
	}
}

// Download GETs a pre-authenticated URL (a file's short-lived download URL, which is its own
// credential) once, without the bearer token, and returns the response with its body unread, for
// the caller to stream: no body bound and no whole-request timeout apply (a large file takes as long
// as it takes; the caller bounds stalls), only the transport's connect and response-header
// timeouts. The HTTP client's rules still hold: https, or plain http to loopback only, never proxied;
// redirects keep their scheme and never carry credentials to another host. header is sent as given
// (Range), with the sender's User-Agent. The URL never appears in an error: a transport error names
// only its origin, since whoever holds the URL can download the file until it expires.
// When Options.Debug is on, the download's debug line (DownloadLine) is written there.
func (s *Sender) Download(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	start := time.Now()
	resp, err := s.fetch(ctx, rawURL, header)
	if s.debug.On() {
		s.debug.Line(DownloadLine(s.Name, rawURL, header, resp, time.Since(start), err))
	}
	return resp, err
}

// fetch is Download without its debug line.
func (s *Sender) fetch(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%s: the download URL is not an absolute URL without user info", s.Name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: build download request: %w", s.Name, err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Del("Authorization")
	req.Header.Set("User-Agent", s.userAgent)
	resp, err := s.download.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = DownloadOrigin(rawURL)
		}
		return nil, err
	}
	return resp, nil
}

// DebugLog writes a client's --debug lines to one writer, a whole line at a time, from any
// goroutine. A nil *DebugLog, or one without a writer, is off and writes nothing.
type DebugLog struct {
	mu sync.Mutex
	w  io.Writer
}

// NewDebugLog returns a DebugLog writing to w (nil: off).
func NewDebugLog(w io.Writer) *DebugLog { return &DebugLog{w: w} }

// On reports whether lines are written, so that a caller builds one only then.
func (l *DebugLog) On() bool { return l != nil && l.w != nil }

// Line writes line and a newline, when on.
func (l *DebugLog) Line(line string) {
	if !l.On() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, line)
}

// DownloadOrigin is how a download URL is named in messages and debug lines: its scheme and host,
// then "/…" for the path and query that make it a credential.
func DownloadOrigin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "(download URL)"
	}
	return safetext.Line(u.Scheme + "://" + u.Host + "/…")
}

// DownloadRedirect is the download URL that a provider's redirect to its download host names in
// location (Graph's and Box's /content answer 302): resolved against target and checked with
// CheckDownloadURL. op ("GET /files/1/content") and service ("Box") name the request in errors.
func DownloadRedirect(op, service, target string, status int, location string) (string, error) {
	base, err := url.Parse(target)
	var u *url.URL
	if err == nil && location != "" {
		u, err = base.Parse(location)
	}
	if u == nil || err != nil {
		line := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
		return "", fmt.Errorf("%s: %s's %s names no download URL", op, service, strings.TrimSpace(line))
	}
	if err := CheckDownloadURL(u); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	return u.String(), nil
}

// DownloadLine is a client's debug line for one Download: the URL's origin only (the rest is a
// credential), the Range asked, the answer and the time taken.
func DownloadLine(name, rawURL string, header http.Header, resp *http.Response, d time.Duration, err error) string {
	line := fmt.Sprintf("%s: GET %s (download URL)", name, DownloadOrigin(rawURL))
	if rg := header.Get("Range"); rg != "" {
		line += " Range: " + safetext.Line(rg)
	}
	if resp != nil {
		line += fmt.Sprintf(" -> %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	line += fmt.Sprintf(" in %s", d.Round(time.Millisecond))
	if err != nil {
		line += " error: " + safetext.Line(err.Error())
	}
	return line
}

// CheckDownloadURL accepts a download URL odshare may fetch: absolute https, or plain http to
// loopback (the emulator), without user info.
func CheckDownloadURL(u *url.URL) error {
	switch {
	case u.User != nil:
		return errors.New("refusing a download URL with user info")
	case u.Host == "" || !u.IsAbs():
		return errors.New("the download URL is not absolute")
	case u.Scheme == "https", u.Scheme == "http" && httpx.IsLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("refusing the download URL on %s://%s: it must be https", safetext.Line(u.Scheme), safetext.Line(u.Host))
}

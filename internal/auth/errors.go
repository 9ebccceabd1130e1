package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/odshare/odshare/internal/redact"
)

// ErrNotSignedIn means no usable account is cached or the identity platform wants the user to
// sign in again (expired or revoked refresh token, new consent). It is wrapped with the detail;
// the CLI maps it to exit code 4.
var ErrNotSignedIn = errors.New("not signed in; run `odshare auth login`")

// ErrDeviceCodeExpired means nobody entered the device code before it expired.
var ErrDeviceCodeExpired = errors.New("the sign-in code expired before it was used; run `odshare auth login` again")

// ErrCredentialRejected means the identity platform refused the app's secret or certificate, or
// the client id itself (invalid_client, unauthorized_client): an authentication failure that only
// a different credential fixes.
var ErrCredentialRejected = errors.New("the identity platform rejected the application's credential")

// ErrDeclined means the user (or a policy) declined the sign-in request.
var ErrDeclined = errors.New("sign-in was declined")

// CacheError reports a token cache file that cannot be read or is not valid JSON. The file is
// never overwritten or deleted on the caller's behalf, since it may hold the only copy of a
// refresh token; the message tells the user how to start over.
type CacheError struct {
	Path string
	Err  error
}

// Error names the file twice on purpose: once as the problem, once in the command that fixes it.
func (e *CacheError) Error() string {
	return fmt.Sprintf("token cache %s is unusable (%v); run `odshare auth logout` or delete %s, then sign in again",
		e.Path, e.Err, e.Path)
}

// Unwrap exposes the cause, e.g. fs.ErrPermission for an unreadable file.
func (e *CacheError) Unwrap() error { return e.Err }

// CacheWriteError means the token cache cannot be written, found before anything was asked of the
// identity platform: a refresh rotates the refresh token, and a rotated token that cannot be saved is
// lost, with every later run failing with invalid_grant. It exits 1: the sign-in is intact, and only
// the directory needs fixing.
type CacheWriteError struct {
	Dir string
	Err error
}

func (e *CacheWriteError) Error() string {
	return fmt.Sprintf("cannot write the token cache in %s (%v); nothing was sent to the identity platform, so the sign-in is intact: make the directory writable (or set ODSHARE_CONFIG_DIR) and run again",
		e.Dir, e.Err)
}

func (e *CacheWriteError) Unwrap() error { return e.Err }

// oauthError is the error body of the token and devicecode endpoints (RFC 6749 §5.2 plus Entra's
// extras). Only these fields are ever copied into an error message: the request, which can carry
// a refresh token, client secret or assertion, never is.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	CorrelationID    string `json:"correlation_id"`
	TraceID          string `json:"trace_id"`
	Status           int    `json:"-"`
}

// asOAuthError extracts the endpoint's error from an MSAL error, if it came from an HTTP reply.
func asOAuthError(err error) (*oauthError, bool) {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) || ce.Resp == nil {
		return nil, false
	}
	oe := &oauthError{Status: ce.Resp.StatusCode}
	var body []byte
	if ce.Resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(ce.Resp.Body, 64<<10))
		ce.Resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if len(bytes.TrimSpace(body)) == 0 && ce.Err != nil {
		// The device-code poller has already drained Body (oauth.go isWaitDeviceCodeErr), but
		// comm.go put the body after the first newline of Err's text.
		if _, after, ok := strings.Cut(ce.Err.Error(), "\n"); ok {
			body = []byte(after)
		}
	}
	_ = json.Unmarshal(bytes.TrimSpace(body), oe)
	return oe, true
}

func (o *oauthError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", o.Status)
	if o.Error != "" {
		b.WriteString(": " + o.Error)
	}
	if d := firstLine(o.ErrorDescription); d != "" {
		b.WriteString(": " + d)
	}
	if o.CorrelationID != "" {
		b.WriteString(" (correlation id " + o.CorrelationID + ")")
	}
	return b.String()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// needsSignIn lists the OAuth errors after which only a new interactive sign-in helps
// (RFC 6749 §5.2, OpenID Connect Core §3.1.2.6).
var needsSignIn = map[string]bool{
	"invalid_grant":              true,
	"interaction_required":       true,
	"login_required":             true,
	"consent_required":           true,
	"account_selection_required": true,
}

// rejectedCredential lists the OAuth errors that say the client's own credential is wrong
// (RFC 6749 §5.2).
var rejectedCredential = map[string]bool{"invalid_client": true, "unauthorized_client": true}

// silentError turns the error of a silent acquisition into what the CLI should show: ctx and cache
// errors as they are, "sign in again" conditions as ErrNotSignedIn, everything else (network,
// throttling, server errors) as a plain error, because telling a user on a flaky network to sign in
// again would throw away a good refresh token.
func silentError(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var ce *CacheError
	var ke *KeyError
	if errors.As(err, &ce) || errors.As(err, &ke) {
		return err
	}
	var we *CacheWriteError
	if errors.As(err, &we) {
		return fmt.Errorf("%s: %w", what, we)
	}
	if oe, ok := asOAuthError(err); ok {
		if needsSignIn[oe.Error] {
			return fmt.Errorf("%s: identity platform rejected the cached sign-in (%s): %w", what, redactText(oe.String()), ErrNotSignedIn)
		}
		if rejectedCredential[oe.Error] {
			return fmt.Errorf("%s: %s: %w", what, redactText(oe.String()), ErrCredentialRejected)
		}
		return fmt.Errorf("%s: token endpoint: %s", what, redactText(oe.String()))
	}
	if msg := err.Error(); strings.Contains(msg, "no token found") || strings.Contains(msg, "no account") {
		// base.go AcquireTokenSilent: neither a usable access token nor a refresh token is cached.
		return fmt.Errorf("%s: no refresh token cached: %w", what, ErrNotSignedIn)
	}
	return fmt.Errorf("%s: %s", what, redactText(err.Error()))
}

// loginError maps device-code and client-credential errors; see silentError.
func loginError(what string, err error) error {
	var ce *CacheError
	var ke *KeyError
	if errors.As(err, &ce) || errors.As(err, &ke) {
		return err
	}
	var we *CacheWriteError
	if errors.As(err, &we) {
		return fmt.Errorf("%s: %w", what, we)
	}
	if oe, ok := asOAuthError(err); ok {
		switch oe.Error {
		case "expired_token", "code_expired":
			return ErrDeviceCodeExpired
		case "authorization_declined", "access_denied":
			return ErrDeclined
		}
		if rejectedCredential[oe.Error] {
			return fmt.Errorf("%s: %s: %w", what, redactText(oe.String()), ErrCredentialRejected)
		}
		return fmt.Errorf("%s: %s", what, redactText(oe.String()))
	}
	return fmt.Errorf("%s: %s", what, redactText(err.Error()))
}

// tokenPatterns match token-shaped text: JWTs (access and id tokens, client assertions) and
// form or JSON fields that carry secrets. Messages built here only contain endpoint error fields,
// but an identity server that echoes a request into error_description must not make odshare
// print a refresh token or secret to a terminal or CI log. Compiled on first use, like every
// regexp of odshare's own: a command that prints no sign-in error never pays for it at start-up.
var tokenPatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`),
		regexp.MustCompile(`(?i)((?:access_token|refresh_token|id_token|client_secret|client_assertion|assertion|device_code|code|password)"?\s*[=:]\s*"?)[^&"\s,}]+`),
	}
})

func redactText(s string) string {
	s = redact.String(s) // every secret value this process knows, in prose too
	p := tokenPatterns()
	s = p[0].ReplaceAllString(s, "[redacted]")
	return p[1].ReplaceAllString(s, "${1}[redacted]")
}

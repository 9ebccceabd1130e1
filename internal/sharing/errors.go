package sharing

import (
	"errors"
	"fmt"
	"runtime"
)

// UsageError is a bad flag, value or argument: exit status 2, always returned before anything is
// sent. cmdutil.FlagError is this type.
type UsageError struct {
	Err error
	// Sensitive marks an argument that holds credentials (a URL with user:password@): messages
	// about it must not repeat the argument.
	Sensitive bool
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// UsageErrorf builds a UsageError.
func UsageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// AsUsage returns err as a usage error (nil stays nil; a usage error stays as it is).
func AsUsage(err error) error {
	var ue *UsageError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	return &UsageError{Err: err}
}

// IsSensitive reports whether err is a usage error about an argument that holds credentials.
func IsSensitive(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue) && ue.Sensitive
}

// APIError is what a provider's error for an HTTP answer of status 400 or more offers the core
// (graph.Error and box.Error implement it): commands and internal/app branch on it with errors.As,
// never on a transport's type.
type APIError interface {
	error
	// HTTPStatus is the HTTP status.
	HTTPStatus() int
	// ErrorCode is the provider's error code ("itemNotFound", "not_found"); "" when it gave none.
	ErrorCode() string
	// ErrorMessage is the provider's message, safe to print on one line.
	ErrorMessage() string
	// Unauthorized reports a failure that signing in again fixes (exit 4).
	Unauthorized() bool
}

// accessDenier is an APIError that can say "signed in, but not allowed here" where the status alone
// does not (SharePoint's access-denied 401).
type accessDenier interface{ AccessDenied() bool }

// codeHaver is an APIError with more codes than ErrorCode (Graph's innerError codes).
type codeHaver interface{ HasCode(code string) bool }

// AsAPIError finds the provider's answer in err's chain.
func AsAPIError(err error) (APIError, bool) {
	var ae APIError
	if errors.As(err, &ae) {
		return ae, true
	}
	return nil, false
}

// StatusOf is the HTTP status of the provider's answer in err's chain; 0 when there is none.
func StatusOf(err error) int {
	if ae, ok := AsAPIError(err); ok {
		return ae.HTTPStatus()
	}
	return 0
}

// IsUnauthorized reports whether err is the provider refusing the credential (sign in again).
func IsUnauthorized(err error) bool {
	ae, ok := AsAPIError(err)
	return ok && ae.Unauthorized()
}

// IsAccessDenied reports whether err is the provider saying the caller, though signed in, may not
// do this.
func IsAccessDenied(err error) bool {
	ae, ok := AsAPIError(err)
	if !ok {
		return false
	}
	d, ok := ae.(accessDenier)
	return ok && d.AccessDenied()
}

// HasCode reports whether the provider's answer in err carries code, at the top or nested.
func HasCode(err error, code string) bool {
	ae, ok := AsAPIError(err)
	if !ok {
		return false
	}
	if ae.ErrorCode() == code {
		return true
	}
	c, ok := ae.(codeHaver)
	return ok && c.HasCode(code)
}

// pageLimiter is an error for a listing stopped at the page bound (graph.PageLimitError,
// box.PageLimitError).
type pageLimiter interface{ PageLimit() int64 }

// IsPageLimit reports whether err is a listing stopped at the Provider's page bound.
func IsPageLimit(err error) bool {
	var pl pageLimiter
	return errors.As(err, &pl)
}

// credentialError is an error of the credential itself (bearer.TokenError): no token could be had.
type credentialError interface{ CredentialFailed() bool }

// IsCredentialError reports whether err means no token could be had at all: nothing was sent and
// retrying cannot help.
func IsCredentialError(err error) bool {
	var ce credentialError
	return errors.As(err, &ce) && ce.CredentialFailed()
}

// UnsupportedFlag is a Parser's refusal of a flag its provider does not take; Registry.CheckSpec
// turns it into the usage error that names the flag and the providers that do take it.
type UnsupportedFlag struct {
	// Flag is the flag without dashes.
	Flag string
}

func (e *UnsupportedFlag) Error() string { return "--" + e.Flag + " is not supported here" }

// AnswerError is a provider's answer odshare cannot read (not the JSON it should be). Commands
// report it as it is, without naming the operation again.
type AnswerError struct{ Err error }

func (e *AnswerError) Error() string { return e.Err.Error() }
func (e *AnswerError) Unwrap() error { return e.Err }

// IsAnswerError reports whether err is an AnswerError.
func IsAnswerError(err error) bool {
	var ae *AnswerError
	return errors.As(err, &ae)
}

// PanicError is a panic recovered in odshare's code, as one line: "internal error", with the
// panic's text only when it is Go's own runtime error, since a value built from a request could
// hold a token or a password. Worker goroutines (a folder walk, a bulk run), which app.Run's
// recover cannot reach, return it as their error.
type PanicError struct{ Value any }

func (e *PanicError) Error() string {
	detail := ""
	if re, ok := e.Value.(runtime.Error); ok {
		detail = ": " + re.Error()
	}
	return "internal error" + detail + " (a bug in odshare; please report it with the command you ran)"
}

// budgetSpender is an error for throttling waited out until the retry budget was spent
// (bearer.ThrottledError).
type budgetSpender interface{ RetryBudgetSpent() bool }

// IsRetryBudgetSpent reports whether err is the provider still throttling after the retry budget
// was spent: sending the same again at once cannot help.
func IsRetryBudgetSpent(err error) bool {
	var bs budgetSpender
	return errors.As(err, &bs) && bs.RetryBudgetSpent()
}

// SignInError is a provider's refusal of the credential (IsUnauthorized) together with the way to
// sign in again for that provider, so the message names the right `odshare auth login` whatever
// other provider's credential is also configured.
type SignInError struct {
	Err error
	// Hint says how to sign in again: "run `odshare auth login --provider box` (or set
	// ODSHARE_BOX_ACCESS_TOKEN)".
	Hint string
}

func (e *SignInError) Error() string { return e.Err.Error() }
func (e *SignInError) Unwrap() error { return e.Err }

// SignInHint returns the sign-in hint of a SignInError in err's chain, or "".
func SignInHint(err error) string {
	var se *SignInError
	if errors.As(err, &se) {
		return se.Hint
	}
	return ""
}

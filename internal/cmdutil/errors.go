// Package cmdutil holds what every command shares: the Factory of lazily built dependencies, the
// error types that decide exit codes, and flag helpers.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/sharing"
)

// FlagError is a usage error: a bad flag, value or argument. It exits 2, and it is always
// returned before anything is sent. It is the sharing core's usage error, so a provider's refusal
// of an argument or a flag is one too.
type FlagError = sharing.UsageError

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}

// AuthError means no credential, or one Graph rejected. It exits 4 and its message names the
// ways to sign in.
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// AuthHint is appended to authentication errors so the way out is always on the same line.
const AuthHint = "run `odshare auth login` (or set ODSHARE_ACCESS_TOKEN)"

// PanicError is a panic recovered in odshare's code, as one line (the sharing core's).
type PanicError = sharing.PanicError

// ErrSilent reports failure through the exit code only; the command already printed why.
var ErrSilent = errors.New("silent error")

// ExactArgs is cobra.ExactArgs with a usage error that says what is missing.
func ExactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return &FlagError{Err: errors.New(msg)}
		}
		if len(args) > n {
			return FlagErrorf("too many arguments: %q", args[n:])
		}
		return nil
	}
}

// MutuallyExclusive returns a usage error when more than one of the conditions is true.
func MutuallyExclusive(message string, conditions ...bool) error {
	n := 0
	for _, c := range conditions {
		if c {
			n++
		}
	}
	if n > 1 {
		return &FlagError{Err: errors.New(message)}
	}
	return nil
}

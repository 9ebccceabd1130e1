// Package app is odshare's entry point: it builds the Factory and the root command, runs it, and
// maps the error to an exit code — the only place that chooses exit codes.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/odshare/odshare/internal/build"
	"github.com/odshare/odshare/internal/cmd/root"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
)

// Exit codes, documented in the README.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitAuth        = 4
	ExitInterrupted = 130
)

// Main runs odshare with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, iostreams.System(), os.Args[1:])
}

// newRoot builds the command tree; tests replace it to reach Run's panic handling.
var newRoot = root.NewCmdRoot

// Run executes one odshare command line; tests call it with their own streams.
//
// A panic in the command's goroutine never reaches the user as a Go stack trace: it becomes one
// line, "odshare: internal error", and exit status 1. The panic's value is not printed unless it is
// a runtime error (whose text is Go's own), since a value built from a request could hold a token
// or a password.
func Run(ctx context.Context, ios *iostreams.IOStreams, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			printError(ios.ErrOut, (&cmdutil.PanicError{Value: r}).Error())
			code = ExitError
		}
	}()
	f := cmdutil.New(ios, build.Version)
	cmd := newRoot(f, build.Version, build.Commit, build.Date)
	cmd.SetArgs(args)
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	_, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	envToken := false
	if cfg, cerr := f.Config(); cerr == nil {
		envToken = cfg.AccessToken != ""
	}
	code, msg := classify(ctx, err, envToken)
	if msg != "" {
		printError(ios.ErrOut, msg)
	}
	return code
}

// classify picks the exit code and the message for err. envToken says ODSHARE_ACCESS_TOKEN is
// the credential, so a rejected token is that one and not a sign-in.
func classify(ctx context.Context, err error, envToken bool) (int, string) {
	var flagErr *cmdutil.FlagError
	var authErr *cmdutil.AuthError
	// The provider's answer is classified through the sharing core's interfaces: app imports no
	// provider and no transport.
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
		return ExitError, ""
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return ExitInterrupted, "interrupted"
	case errors.As(err, &flagErr) || isCobraUsageError(err):
		// cobra indents its suggestions with a tab, which the sanitizer would show escaped.
		return ExitUsage, strings.ReplaceAll(err.Error(), "\t", "  ") + "\nRun with --help for usage."
	case errors.As(err, &authErr):
		return ExitAuth, err.Error()
	case sharing.IsUnauthorized(err) && sharing.SignInHint(err) != "":
		return ExitAuth, err.Error() + "; " + sharing.SignInHint(err)
	case sharing.IsUnauthorized(err) && envToken:
		return ExitAuth, err.Error() + "; " + envTokenHint
	case sharing.IsUnauthorized(err):
		return ExitAuth, err.Error() + "; " + cmdutil.AuthHint
	case sharing.IsAccessDenied(err):
		return ExitError, err.Error() + "\n" + accessDeniedHint
	case sharing.HasCode(err, "accountUpgradeRequired"):
		return ExitError, err.Error() + "\n" + upgradeHint
	}
	return ExitError, err.Error()
}

// Hints for the errors whose way out is not obvious from Graph's words.
const (
	envTokenHint     = "Graph rejected ODSHARE_ACCESS_TOKEN: set a fresh token, or unset it to use the account signed in with `odshare auth login`"
	accessDeniedHint = "You are signed in, but not allowed to do this here: ask the item's owner or an admin for access, or sign in with the scopes it needs (see `odshare auth login --help`)."
	upgradeHint      = "The account's plan does not include this: on OneDrive personal, link expiry and passwords need a Microsoft 365 subscription. Leave out --expires and --password, or upgrade."
)

// isCobraUsageError recognises the errors cobra itself raises for the command line; cobra has
// no type for them, so this matches its fixed wording (as gh does).
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "required flag", "if any flags in the group", "accepts ", "requires at least"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

func printError(w io.Writer, msg string) {
	// Every line: errors carry text from Graph and the identity platform, and MSAL's are
	// multi-line.
	// No secret the process knows (tokens, refresh tokens, the client secret, a link password)
	// survives, whatever a server echoed into the message.
	fmt.Fprintf(w, "odshare: %s\n", output.SanitizeLines(redact.String(msg)))
}

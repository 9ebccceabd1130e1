package auth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// ErrNoBrowser means no web browser could be opened for an interactive sign-in; it wraps the cause.
// The device-code flow (`odshare auth login` without --browser) works without one.
var ErrNoBrowser = errors.New("could not open a web browser for sign-in; use the device-code sign-in instead")

// loopbackRedirect lets MSAL pick a free port: AcquireTokenInteractive uses only the port of
// WithRedirectURI and listens on localhost:0 when there is none (browserLogin and parsePort in
// apps/public/public.go, local.New in apps/internal/local/server.go).
const loopbackRedirect = "http://localhost"

// LoginInteractive signs a person in with the authorization code flow and PKCE in a web browser,
// MSAL's AcquireTokenInteractive: MSAL listens on http://localhost:PORT, calls openURL with the
// authorization URL (nil openURL = MSAL's default, the system browser via xdg-open, open or
// ShellExecute) and waits until the identity platform posts the code to that loopback address
// (response_mode=form_post), then redeems it with the code verifier. s.Account, when set, is sent as
// login_hint.
//
// It returns ErrDeclined when the user declines, ErrNoBrowser (wrapping the cause) when openURL or the
// system browser fails, and ctx.Err() as soon as ctx ends while MSAL waits for the browser. The cache
// lock is taken only when the token arrives. openURL may return before the user has finished;
// MSAL waits for the redirect, not for openURL.
func LoginInteractive(ctx context.Context, s Settings, openURL func(url string) error) (*LoginResult, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	fc.fresh = true // a cache whose key is lost is replaced by this sign-in
	pc, err := newPublicClient(r, fc)
	if err != nil {
		return nil, err
	}
	opts := []public.AcquireInteractiveOption{public.WithRedirectURI(loopbackRedirect)}
	// MSAL calls openURL synchronously in this goroutine (browserLogin), so openErr needs no lock.
	var openErr error
	if openURL != nil {
		opts = append(opts, public.WithOpenURL(func(u string) error {
			if err := openURL(u); err != nil {
				openErr = err
				return err
			}
			return nil
		}))
	}
	if r.Account != "" {
		opts = append(opts, public.WithLoginHint(r.Account))
	}
	var res public.AuthResult
	err = fc.do(ctx, func(ctx context.Context) error {
		var err error
		res, err = pc.AcquireTokenInteractive(ctx, r.Scopes, opts...)
		if err != nil {
			return interactiveError(ctx, err, openErr)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Account: accountInfo(res.Account)}, nil
}

// interactiveError maps AcquireTokenInteractive's errors. Besides the token endpoint's (a CallErr,
// handled by loginError) they come from three places: openURL; the loopback server, which reports
// an error redirect as a plain error carrying only error_description (local.Server.handler in
// apps/internal/local/server.go), so a decline is recognised by Entra's AADSTS65004 ("User declined
// to consent to access the app."); and ctx, which the loopback wait honours (local.Server.Result).
func interactiveError(ctx context.Context, err, openErr error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if openErr != nil {
		return fmt.Errorf("%w: %s", ErrNoBrowser, redactText(openErr.Error()))
	}
	// MSAL's default opener (github.com/pkg/browser) fails with *exec.Error when no opener is
	// installed and *exec.ExitError when it fails; nothing else in the flow runs a program.
	var execErr *exec.Error
	var exitErr *exec.ExitError
	if errors.As(err, &execErr) || errors.As(err, &exitErr) {
		return fmt.Errorf("%w: %s", ErrNoBrowser, redactText(err.Error()))
	}
	var ce *CacheError
	var ke *KeyError
	if errors.As(err, &ce) || errors.As(err, &ke) {
		return err
	}
	if _, ok := asOAuthError(err); ok {
		return loginError("browser sign-in", err)
	}
	// MSAL's loopback server HTML-escapes error_description (apps/internal/local/server.go).
	msg := html.UnescapeString(firstLine(err.Error()))
	switch {
	case strings.Contains(msg, "AADSTS65004") || strings.Contains(msg, "access_denied"):
		return ErrDeclined
	case msg == "":
		// The loopback server saw an error redirect without error_description.
		return errors.New("browser sign-in: the identity platform returned an error without a description")
	}
	return fmt.Errorf("browser sign-in: %s", redactText(msg))
}

// BrowserAvailable reports whether an interactive sign-in can plausibly open a browser the user
// sees: on Linux and the BSDs a graphical session (DISPLAY or WAYLAND_DISPLAY) and one of the openers
// MSAL's default (github.com/pkg/browser) runs; on macOS and Windows anything but an SSH session,
// where the browser would open on the remote machine's screen. It runs nothing. The CLI uses it to
// fall back to the device-code flow with a clear message.
func BrowserAvailable() bool {
	return browserAvailable(runtime.GOOS, os.Getenv, exec.LookPath)
}

func browserAvailable(goos string, getenv func(string) string, lookPath func(string) (string, error)) bool {
	ssh := getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != ""
	var openers []string
	switch goos {
	case "darwin", "windows":
		return !ssh
	case "linux":
		// OpenBrowser's openers: not www-browser, a text browser that would take over the terminal.
		openers = []string{"xdg-open", "x-www-browser"}
	case "freebsd", "openbsd", "netbsd":
		openers = []string{"xdg-open"}
	default:
		return false // pkg/browser has no opener for this OS
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return false
	}
	for _, o := range openers {
		if _, err := lookPath(o); err == nil {
			return true
		}
	}
	return false
}

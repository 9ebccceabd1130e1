package authcmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/output"
)

// microsoftOnlyFlags are the login flags that mean nothing to Box.
var microsoftOnlyFlags = []string{"tenant", "scopes", "certificate"}

// boxLoginCmd validates `auth login --provider box` before anything is sent: the app's client id
// (flag or box_client_id), the secret (ODSHARE_BOX_CLIENT_SECRET or stdin, never a flag) and, with
// --app, the Client Credentials Grant's subject.
func boxLoginCmd(c *cobra.Command, f *cmdutil.Factory, opts *LoginOptions, clientID string, runF func(context.Context, *LoginOptions) error) error {
	for _, fl := range microsoftOnlyFlags {
		if c.Flags().Changed(fl) {
			return cmdutil.FlagErrorf("--%s is a Microsoft sign-in flag; Box sign-in takes --client-id, --app, --subject-type and --subject-id", fl)
		}
	}
	if c.Flags().Changed("client-id") {
		if strings.TrimSpace(clientID) == "" {
			return cmdutil.FlagErrorf("--client-id must not be blank")
		}
		f.ConfigFlags["box_client_id"] = clientID
		opts.Persist["box_client_id"] = clientID
	}
	if opts.App {
		switch opts.SubjectType {
		case "enterprise", "user":
		case "":
			return cmdutil.FlagErrorf("Box app sign-in (Client Credentials Grant) needs --subject-type enterprise or user, and --subject-id")
		default:
			return cmdutil.FlagErrorf("invalid --subject-type %q: valid values are enterprise and user", opts.SubjectType)
		}
		if strings.TrimSpace(opts.SubjectID) == "" {
			return cmdutil.FlagErrorf("Box app sign-in needs --subject-id: the enterprise id (--subject-type enterprise) or the user id (user)")
		}
	} else if c.Flags().Changed("subject-type") || c.Flags().Changed("subject-id") {
		return cmdutil.FlagErrorf("--subject-type and --subject-id are for Box's Client Credentials Grant: add --app")
	}
	s, err := f.BoxSettings()
	if err != nil {
		return err
	}
	if s.ClientID == "" {
		return cmdutil.FlagErrorf("Box sign-in needs your Box app's client id: pass --client-id (it is saved as box_client_id)")
	}
	for _, e := range []struct{ what, v, def string }{{"box_token_url", s.TokenURL, auth.DefaultBoxTokenURL},
		{"box_authorize_url", s.AuthorizeURL, auth.DefaultBoxAuthorizeURL}, {"box_api_url", s.APIURL, auth.DefaultBoxAPIURL}} {
		if e.v != "" {
			if err := auth.CheckEndpoint(e.what, e.v); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
		}
	}
	if s.ClientSecret == "" {
		secret, err := cmdutil.ReadSecret(opts.IO, "Box client secret: ")
		if secret = strings.TrimSpace(secret); errors.Is(err, cmdutil.ErrNoSecretInput) || err == nil && secret == "" {
			return cmdutil.FlagErrorf("no Box client secret: set ODSHARE_BOX_CLIENT_SECRET or pipe it on stdin")
		}
		if err != nil {
			return err
		}
		s.ClientSecret = secret
		opts.SecretFromStdin = true
	}
	opts.Box = s
	if runF != nil {
		return runF(c.Context(), opts)
	}
	return loginRun(c.Context(), opts)
}

// boxLoginRun signs in to Box: the Client Credentials Grant with --app, else the browser flow.
func boxLoginRun(ctx context.Context, opts *LoginOptions) error {
	cs := opts.IO.ColorScheme()
	if opts.App {
		res, err := auth.LoginBoxApp(ctx, opts.Box, opts.SubjectType, opts.SubjectID)
		if err != nil {
			return boxLoginFailed(ctx, err)
		}
		if err := boxSignedIn(opts, res); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s Signed in to Box as %s (client credentials, %s %s)\n", cs.Green("✓"),
			output.Sanitize(res.Account.Login), output.Sanitize(opts.SubjectType), output.Sanitize(opts.SubjectID))
		return nil
	}
	if opts.HaveBrowser == nil {
		opts.HaveBrowser = auth.BrowserAvailable
	}
	if opts.OpenBrowser == nil {
		opts.OpenBrowser = auth.OpenBrowser
	}
	canOpen := opts.HaveBrowser()
	if canOpen {
		fmt.Fprintln(opts.IO.ErrOut, "Opening a browser to sign in to Box (Ctrl-C to cancel)...")
	} else {
		fmt.Fprintln(opts.IO.ErrOut, "No browser can be opened here: open the URL below in a browser on this machine (Box redirects to 127.0.0.1). Ctrl-C to cancel.")
	}
	open := func(u string) error {
		if !canOpen {
			fmt.Fprintf(opts.IO.ErrOut, "  %s\n", output.Sanitize(u))
			return nil
		}
		fmt.Fprintf(opts.IO.ErrOut, "If no browser opens, go to:\n  %s\n", output.Sanitize(u))
		return opts.OpenBrowser(u, opts.IO.ErrOut)
	}
	onOpenErr := func(error) {
		fmt.Fprintln(opts.IO.ErrOut, "The browser could not be opened: open the URL above by hand.")
	}
	bctx, cancel := context.WithTimeout(ctx, browserTimeout)
	res, err := auth.LoginBox(bctx, opts.Box, open, onOpenErr)
	cancel()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return &cmdutil.AuthError{Err: fmt.Errorf("Box sign-in: no answer from the browser within %v", browserTimeout)}
	default:
		return boxLoginFailed(ctx, err)
	}
	if err := boxSignedIn(opts, res); err != nil {
		return err
	}
	name := ""
	if res.Account.Name != "" {
		name = " (" + output.Sanitize(res.Account.Name) + ")"
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s Signed in to Box as %s%s\n", cs.Green("✓"), output.Sanitize(res.Account.Login), name)
	return nil
}

func boxLoginFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var we *auth.CacheWriteError
	if errors.As(err, &we) {
		return err // exit 1: the directory needs fixing, not the sign-in
	}
	return &cmdutil.AuthError{Err: fmt.Errorf("Box sign-in: %w", err)}
}

// boxSignedIn makes the Box account the active one and saves the choices made on the command line.
func boxSignedIn(opts *LoginOptions, res *auth.BoxLoginResult) error {
	opts.Persist["box_account"] = res.Account.Login
	opts.Settings.ConfigDir = opts.Box.ConfigDir
	return persist(opts)
}

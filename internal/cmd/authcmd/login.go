package authcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/redact"
)

// LoginOptions are the validated inputs of one `auth login`.
type LoginOptions struct {
	IO       *iostreams.IOStreams
	Settings auth.Settings
	App      bool
	// Browser asks for an interactive sign-in in a browser (authorization code with a loopback
	// redirect) instead of the device code.
	Browser bool
	// HaveBrowser and OpenBrowser default to auth.BrowserAvailable and auth.OpenBrowser; tests
	// replace them.
	HaveBrowser func() bool
	OpenBrowser func(url string, stderr io.Writer) error
	// Persist are the config keys to save once sign-in succeeded (flags the user gave).
	Persist map[string]string
	// SecretFromStdin is set when the client secret came from stdin rather than the environment.
	SecretFromStdin bool

	// Provider is "graph" (Microsoft Graph, the default) or "box".
	Provider string
	// Box holds the Box sign-in settings (Provider "box"); SubjectType and SubjectID the Client
	// Credentials Grant's box_subject_type and box_subject_id (with App).
	Box                    auth.BoxSettings
	SubjectType, SubjectID string
}

// Providers `auth` commands take with --provider.
const (
	providerGraph = "graph"
	providerBox   = "box"
)

func newCmdLogin(f *cmdutil.Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IOStreams}
	var tenant, clientID, certificate string
	var scopes []string
	var insecureStorage bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with a device code, in a browser (--browser), or as an application (--app)",
		Long: `Sign in to Microsoft Graph, or to Box with --provider box.

By default this uses the device-code flow: odshare prints a URL and a code on stderr; open the URL
in any browser (on any device), enter the code and approve. odshare waits until you do, the code
expires, or you press Ctrl-C.

--browser signs in in a browser on this machine instead (authorization code with PKCE and a
http://localhost redirect). odshare waits until the browser answers, 10 minutes pass (exit 4),
or you press Ctrl-C; the sign-in URL is also printed in case no browser opens. Where no browser
can be opened (no display, an SSH session) it falls back to the device code.

--scopes defaults to Files.ReadWrite, the least privilege odshare needs for your own files. To
share items in other people's drives or in SharePoint sites, ask for more, for example
--scopes Files.ReadWrite.All,Sites.ReadWrite.All (your tenant may require admin consent). Pass
only resource scopes: MSAL adds openid, profile and offline_access itself.

--app signs in as an application (client credentials) for scripts and CI. It needs --tenant
(a tenant id or domain) and --client-id, and a client secret in ODSHARE_CLIENT_SECRET (or on
stdin) or a certificate (--certificate FILE: PEM with the private key, or PFX opened with ODSHARE_CERTIFICATE_PASSWORD). The secret is never
written to disk: commands run app-only while ODSHARE_CLIENT_SECRET is set, or with the
certificate saved in config. App-only tokens have no /me: pass --drive, --user, --group or --site.

--tenant, --client-id, --scopes and --certificate are saved in config.yaml for later commands,
and the account you sign in with becomes the active one (the "account" setting).

--provider box signs in to Box with your Box app (a Custom App with OAuth 2.0, and the redirect
URI http://127.0.0.1/callback, which Box matches on any port): --client-id (saved as
box_client_id), its client secret from ODSHARE_BOX_CLIENT_SECRET or stdin, never a flag. odshare
opens Box's authorize page in a browser on this machine (authorization code with PKCE and a
loopback redirect), waits up to 10 minutes or until Ctrl-C, and keeps the sign-in, client secret
included (Box's refresh needs it), in the private token cache. --app with --provider box uses the
Client Credentials Grant: --subject-type enterprise --subject-id ENTERPRISE_ID (the app's service
account) or --subject-type user --subject-id USER_ID. ODSHARE_BOX_ACCESS_TOKEN (a developer token)
needs no sign-in. The Box account becomes the active one (the "box_account" setting).

Tokens are kept encrypted with a key held in the OS keyring (Secret Service, Keychain or
Credential Manager); where none answers, in a plain file only you can read, with a notice.
--insecure-storage chooses the plain file (the token_storage setting "file").`,
		Example: `  $ odshare auth login
  $ odshare auth login --browser
  $ odshare auth login --tenant contoso.onmicrosoft.com --scopes Files.ReadWrite.All
  $ ODSHARE_CLIENT_SECRET=... odshare auth login --app --tenant contoso.onmicrosoft.com --client-id 1111-...
  $ odshare auth login --app --tenant contoso.onmicrosoft.com --client-id 1111-... --certificate app.pem
  $ ODSHARE_BOX_CLIENT_SECRET=... odshare auth login --provider box --client-id abc123...
  $ odshare auth login --provider box --app --subject-type enterprise --subject-id 500100 <secret.txt`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Persist = map[string]string{}
			set := func(flag, key, value string) {
				if c.Flags().Changed(flag) {
					f.ConfigFlags[key] = value
					opts.Persist[key] = value
				}
			}
			if insecureStorage {
				f.ConfigFlags["token_storage"] = "file"
				opts.Persist["token_storage"] = "file"
			}
			switch opts.Provider {
			case providerGraph:
			case providerBox:
				return boxLoginCmd(c, f, opts, clientID, runF)
			default:
				return cmdutil.FlagErrorf("invalid --provider %q: valid values are graph and box", opts.Provider)
			}
			for _, fl := range []string{"subject-type", "subject-id"} {
				if c.Flags().Changed(fl) {
					return cmdutil.FlagErrorf("--%s is for Box's Client Credentials Grant: use it with --provider box --app", fl)
				}
			}
			set("tenant", "tenant", tenant)
			set("client-id", "client_id", clientID)
			set("scopes", "scopes", strings.Join(scopes, ","))
			if opts.Browser && (opts.App || certificate != "") {
				return cmdutil.FlagErrorf("--browser signs a person in; it cannot be combined with --app or --certificate")
			}
			if certificate != "" {
				abs, err := filepath.Abs(certificate)
				if err != nil {
					return err
				}
				if _, err := os.Stat(abs); err != nil {
					return cmdutil.FlagErrorf("--certificate: %v", err)
				}
				f.ConfigFlags["certificate"] = abs
				opts.Persist["certificate"] = abs
				opts.App = true
			}
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			if opts.App {
				if err := checkAppSettings(s, c.Flags().Changed("client-id")); err != nil {
					return err
				}
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				s.Scopes = []string{cmdutil.AppScope(cfg)}
				if s.CertificateFile == "" && s.ClientSecret == "" {
					if s.ClientSecret, err = readSecret(opts.IO); err != nil {
						return err
					}
					opts.SecretFromStdin = true
				}
				if s.CertificateFile != "" {
					s.ClientSecret = "" // the certificate the user named wins over a secret in the environment
				}
			} else {
				// A delegated sign-in must not pick up app credentials from the environment.
				s.ClientSecret, s.CertificateFile = "", ""
			}
			opts.Settings = s
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return loginRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&tenant, "tenant", "", "Tenant: common (default), organizations, consumers, a tenant id or domain")
	fl.StringVar(&clientID, "client-id", "", "Application (client) id to sign in with (env ODSHARE_CLIENT_ID)")
	fl.StringSliceVar(&scopes, "scopes", nil, "Graph scopes to request (default Files.ReadWrite)")
	fl.BoolVar(&opts.App, "app", false, "Sign in as an application (client credentials)")
	fl.BoolVar(&opts.Browser, "browser", false, "Sign in in a web browser on this machine instead of with a device code")
	fl.StringVar(&certificate, "certificate", "", "`file` with the app's certificate: PEM with the private key, or PFX (implies --app)")
	fl.StringVar(&opts.Provider, "provider", providerGraph, "Sign in to `graph` (Microsoft Graph: OneDrive, SharePoint) or box")
	fl.StringVar(&opts.SubjectType, "subject-type", "", "Box --app: box_subject_type, enterprise (the app's service account) or user")
	fl.StringVar(&opts.SubjectID, "subject-id", "", "Box --app: box_subject_id, the enterprise `id` or the user id")
	fl.BoolVar(&insecureStorage, "insecure-storage", false, "Keep tokens in a plain 0600 file instead of encrypting them with a key in the OS keyring")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions([]cobra.Completion{"graph\tMicrosoft Graph: OneDrive and SharePoint", "box\tBox"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("subject-type", cobra.FixedCompletions([]cobra.Completion{"enterprise\tthe app's service account", "user\ta user of the enterprise"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("certificate")
	_ = cmd.RegisterFlagCompletionFunc("tenant", cobra.FixedCompletions(cmdutil.TenantCompletions, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("scopes", cobra.FixedCompletions(cmdutil.ScopeCompletions, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func checkAppSettings(s auth.Settings, clientIDGiven bool) error {
	switch strings.ToLower(s.Tenant) {
	case "", "common", "organizations", "consumers":
		return cmdutil.FlagErrorf("app-only sign-in needs a specific tenant: pass --tenant with a tenant id or domain")
	}
	if s.ClientID == "" || s.ClientID == auth.DefaultClientID {
		return cmdutil.FlagErrorf("app-only sign-in needs your application's id: pass --client-id")
	}
	return nil
}

// readSecret reads the client secret from stdin: hidden at a terminal prompt, else one line.
// It never comes from a flag, so it cannot land in shell history.
func readSecret(ios *iostreams.IOStreams) (string, error) {
	secret, err := cmdutil.ReadSecret(ios, "Client secret: ")
	if secret = strings.TrimSpace(secret); errors.Is(err, cmdutil.ErrNoSecretInput) || err == nil && secret == "" {
		return "", cmdutil.FlagErrorf("no client secret: set ODSHARE_CLIENT_SECRET, pipe it on stdin, or use --certificate")
	}
	return secret, err
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	if opts.Provider == providerBox {
		return boxLoginRun(ctx, opts)
	}
	cs := opts.IO.ColorScheme()
	if opts.App {
		info, err := auth.LoginApp(ctx, opts.Settings)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A rejected credential is an authentication failure (exit 4), whatever its cause.
			return &cmdutil.AuthError{Err: fmt.Errorf("app sign-in: %w", err)}
		}
		if err := persist(opts); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s Signed in as application %s (tenant %s)\n", cs.Green("✓"), output.Sanitize(info.ClientID), output.Sanitize(info.Account.TenantID))
		if opts.SecretFromStdin {
			fmt.Fprintln(opts.IO.ErrOut, "The secret was not stored: commands (and `odshare auth status`) act as the app only while ODSHARE_CLIENT_SECRET is set.")
		}
		return nil
	}

	if opts.HaveBrowser == nil {
		opts.HaveBrowser = auth.BrowserAvailable
	}
	if opts.OpenBrowser == nil {
		opts.OpenBrowser = auth.OpenBrowser
	}
	if opts.Browser {
		if !opts.HaveBrowser() {
			fmt.Fprintln(opts.IO.ErrOut, "No browser can be opened here; signing in with a device code instead.")
		} else {
			fmt.Fprintln(opts.IO.ErrOut, "Opening a browser to sign in (Ctrl-C to cancel)...")
			open := func(u string) error {
				fmt.Fprintf(opts.IO.ErrOut, "If no browser opens, go to:\n  %s\n", output.Sanitize(u))
				return opts.OpenBrowser(u, opts.IO.ErrOut)
			}
			// Unlike a device code, a browser sign-in never expires by itself: a closed tab would
			// leave odshare waiting for ever.
			bctx, cancel := context.WithTimeout(ctx, browserTimeout)
			res, err := auth.LoginInteractive(bctx, opts.Settings, open)
			cancel()
			switch {
			case err == nil:
				return signedIn(opts, res)
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, context.DeadlineExceeded):
				return &cmdutil.AuthError{Err: fmt.Errorf("sign-in: no answer from the browser within %v; run `odshare auth login` to use a device code", browserTimeout)}
			case errors.Is(err, auth.ErrNoBrowser):
				fmt.Fprintln(opts.IO.ErrOut, "The browser could not be opened; signing in with a device code instead.")
			default:
				return &cmdutil.AuthError{Err: fmt.Errorf("sign-in: %w", err)}
			}
		}
	}
	stop := func() {}
	res, err := auth.LoginDeviceCode(ctx, opts.Settings, func(message string) {
		fmt.Fprintln(opts.IO.ErrOut, output.SanitizeLines(redact.String(message))) // the identity platform's text
		if opts.IO.IsStderrTTY() {
			stop = spin(opts.IO, "Waiting for you to sign in (Ctrl-C to cancel)")
		}
	})
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &cmdutil.AuthError{Err: fmt.Errorf("sign-in: %w", err)}
	}
	return signedIn(opts, res)
}

// browserTimeout bounds how long --browser waits for the browser's answer.
var browserTimeout = 10 * time.Minute

// signedIn finishes a person's sign-in: the account becomes the active one, as with `gh auth
// login` (--account or ODSHARE_ACCOUNT still pick another per command), and the choices made on
// the command line are saved.
func signedIn(opts *LoginOptions, res *auth.LoginResult) error {
	opts.Persist["account"] = res.Account.Username
	if err := persist(opts); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s Signed in as %s (tenant %s)\n", opts.IO.ColorScheme().Green("✓"), output.Sanitize(res.Account.Username), output.Sanitize(res.Account.TenantID))
	return nil
}

// persist saves the settings the user chose on the command line, so that silent sign-in later
// uses the same client, tenant and scopes.
func persist(opts *LoginOptions) error {
	for k, v := range opts.Persist {
		if err := config.Set(opts.Settings.ConfigDir, k, v); err != nil {
			return fmt.Errorf("save %s: %w", k, err)
		}
	}
	return nil
}

// spin shows a spinner on stderr until the returned stop function is called.
func spin(ios *iostreams.IOStreams, label string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(ios.ErrOut, "\r%s %s", frames[i%len(frames)], label)
			select {
			case <-done:
				fmt.Fprint(ios.ErrOut, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	var once bool
	return func() {
		if !once {
			once = true
			close(done)
			<-finished
		}
	}
}

package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/bearer"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/httpx"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/progress"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
)

// Factory builds dependencies lazily, so --help, completion and pure commands such as
// encode-url never read credentials or touch the network.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Version   string

	// Config returns the resolved configuration (cached after the first call).
	Config func() (*config.Config, error)
	// HTTPClient returns the HTTP client for Graph and sign-in (package httpx's rules): plain http
	// to loopback only and never proxied, the proxy from the environment for https,
	// ODSHARE_CA_FILE added to the trusted roots.
	HTTPClient func() (*http.Client, error)
	// AuthSettings returns the sign-in settings: authority, tenant, client, scopes, cache dir.
	AuthSettings func() (auth.Settings, error)
	// Tokens returns the credential every Graph command uses: ODSHARE_ACCESS_TOKEN, else app-only
	// credentials from config/env, else the cached delegated account. It never prompts.
	Tokens func() (graph.TokenSource, error)
	// Graph returns a Graph client for the configured endpoint and credential.
	Graph func() (*graph.Client, error)
	// BoxSettings returns the Box sign-in settings: endpoints, app, active account, cache dir.
	BoxSettings func() (auth.BoxSettings, error)
	// BoxTokens returns the Box credential: ODSHARE_BOX_ACCESS_TOKEN used as is, else the cached Box
	// sign-in (the box_account setting, else the one signed in last), renewed as needed. It never
	// prompts; it satisfies bearer.TokenSource (and bearer.Refresher for a cached sign-in).
	BoxTokens func() (bearer.TokenSource, error)
	// Sharing is the sharing core's registry of providers: commands parse items and open providers
	// through it. Opening the Graph provider calls Graph above, so a test that replaces Graph
	// redirects every command.
	Sharing *sharing.Registry

	// Progress shows on a terminal's stderr what the command is doing and what its requests
	// wait for (throttling); it draws nothing elsewhere.
	Progress *progress.Tracker

	// Debug, when set, receives one line per HTTP request (redacted).
	Debug bool
	// JQ is the --jq expression; it implies JSON output.
	JQ string
	// ConfigFlags are flag values the user set that override configuration (key → value).
	ConfigFlags map[string]string
}

// New returns a Factory wired for the real program.
func New(ios *iostreams.IOStreams, version string) *Factory {
	f := &Factory{IOStreams: ios, Version: version, ConfigFlags: map[string]string{}, Progress: progress.NewTracker(ios)}
	f.Sharing = newRegistry(f)
	f.Config = sync.OnceValues(func() (*config.Config, error) {
		cfg, err := config.Load(f.ConfigFlags)
		if err == nil {
			// The secrets from the environment are known from here on: no message may print them.
			redact.Add(cfg.AccessToken, cfg.ClientSecret, cfg.CertificatePassword, cfg.LinkPassword, cfg.SharePassword, cfg.BoxAccessToken, cfg.BoxClientSecret)
		}
		return cfg, err
	})
	f.HTTPClient = sync.OnceValues(func() (*http.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return newHTTPClient(cfg.CAFile)
	})
	f.AuthSettings = func() (auth.Settings, error) {
		cfg, err := f.Config()
		if err != nil {
			return auth.Settings{}, err
		}
		hc, err := f.HTTPClient()
		if err != nil {
			return auth.Settings{}, err
		}
		secret, scopes := cfg.ClientSecret, cfg.Scopes
		if cfg.Certificate != "" {
			secret = "" // a saved certificate wins over a secret in the environment, as at login
		}
		if cfg.AppOnly() {
			scopes = []string{AppScope(cfg)}
		}
		return auth.Settings{
			Storage:             f.storage(cfg),
			AuthorityHost:       cfg.AuthorityHost,
			Tenant:              cfg.Tenant,
			ClientID:            cfg.ClientID,
			Scopes:              scopes,
			ConfigDir:           cfg.Dir,
			Account:             cfg.Account,
			HTTPClient:          hc,
			ClientSecret:        secret,
			CertificateFile:     cfg.Certificate,
			CertificatePassword: cfg.CertificatePassword,
		}, nil
	}
	f.Tokens = func() (graph.TokenSource, error) { return tokens(f) }
	f.BoxSettings = func() (auth.BoxSettings, error) {
		cfg, err := f.Config()
		if err != nil {
			return auth.BoxSettings{}, err
		}
		hc, err := f.HTTPClient()
		if err != nil {
			return auth.BoxSettings{}, err
		}
		return auth.BoxSettings{
			APIURL:       cfg.BoxAPIURL,
			TokenURL:     cfg.BoxTokenURL,
			AuthorizeURL: cfg.BoxAuthorizeURL,
			ClientID:     cfg.BoxClientID,
			ClientSecret: cfg.BoxClientSecret,
			ConfigDir:    cfg.Dir,
			Active:       cfg.BoxAccount,
			HTTPClient:   hc,
			Storage:      f.storage(cfg),
		}, nil
	}
	f.BoxTokens = func() (bearer.TokenSource, error) { return boxTokens(f) }
	f.Graph = func() (*graph.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		hc, err := f.HTTPClient()
		if err != nil {
			return nil, err
		}
		ts, err := f.Tokens()
		if err != nil {
			return nil, err
		}
		opts := graph.Options{
			BaseURL:     cfg.GraphEndpoint,
			HTTPClient:  hc,
			Tokens:      ts,
			UserAgent:   "odshare/" + version,
			RetryBudget: cfg.RetryBudget,
			OnWait:      func(_ context.Context, w graph.Wait) { f.Progress.Waiting(w.Reason, w.Delay) },
		}
		if cfg.RetryBudget == 0 {
			opts.RetryBudget = -1 // the user said 0: never retry throttling
		}
		if f.Debug {
			opts.Debug = ios.ErrOut
		}
		return graph.New(opts)
	}
	return f
}

// storage is how the token caches are kept: token_storage, and a notice on stderr when a cache is
// written in clear because no OS keyring answered.
func (f *Factory) storage(cfg *config.Config) auth.Storage {
	return auth.Storage{
		File:   cfg.TokenStorage == "file",
		Notice: func(msg string) { fmt.Fprintln(f.IOStreams.ErrOut, msg) },
	}
}

// boxTokens picks the Box credential: ODSHARE_BOX_ACCESS_TOKEN, else the cached Box sign-in.
func boxTokens(f *Factory) (bearer.TokenSource, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	if cfg.BoxAccessToken != "" {
		return StaticTokenSource(cfg.BoxAccessToken), nil
	}
	s, err := f.BoxSettings()
	if err != nil {
		return nil, err
	}
	src, err := auth.NewBoxSource(s)
	if err != nil {
		return nil, AsAuthError(err)
	}
	return boxSource{src}, nil
}

// boxSource maps Box sign-in failures met while a command runs to AuthError (exit 4).
type boxSource struct{ src *auth.BoxSource }

func (b boxSource) Token(ctx context.Context) (string, error) {
	t, err := b.src.Token(ctx)
	return t, AsAuthError(err)
}

func (b boxSource) Refresh(ctx context.Context) (string, error) {
	t, err := b.src.Refresh(ctx)
	return t, AsAuthError(err)
}

// CheckAccountFlag refuses --account when a credential that is not a cached sign-in wins: the
// command would otherwise act as someone other than the account the user named.
func CheckAccountFlag(cfg *config.Config) error {
	if cfg.Source["account"] != "flag" {
		return nil
	}
	switch {
	case cfg.AccessToken != "":
		return FlagErrorf("--account picks a cached sign-in, but ODSHARE_ACCESS_TOKEN is set and is used instead")
	case cfg.AppOnly():
		return FlagErrorf("--account picks a cached sign-in, but app-only credentials are configured and are used instead")
	}
	return nil
}

// AppScope is the scope of an app-only token for the configured cloud's Graph: a token for the
// global Graph is refused by a national one.
func AppScope(cfg *config.Config) string { return cfg.Cloud.GraphHost + "/.default" }

// tokens picks the credential by precedence: a bring-your-own token, then app-only
// credentials, then the cached delegated account (gh and az behave the same way).
func tokens(f *Factory) (graph.TokenSource, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	if err := CheckAccountFlag(cfg); err != nil {
		return nil, err
	}
	if cfg.AccessToken != "" {
		return StaticTokenSource(cfg.AccessToken), nil
	}
	s, err := f.AuthSettings()
	if err != nil {
		return nil, err
	}
	var src *auth.Source
	if cfg.AppOnly() {
		src, err = auth.NewAppSource(s)
	} else {
		src, err = auth.NewDelegatedSource(s)
	}
	if err != nil {
		return nil, AsAuthError(err)
	}
	return authSource{src: src, explain: func(err error) error { return ExplainNotSignedIn(cfg, s, err) }}, nil
}

// authSource maps sign-in failures met while a command runs to AuthError (exit 4).
type authSource struct {
	src     *auth.Source
	explain func(error) error
}

func (a authSource) Token(ctx context.Context) (string, error) {
	t, err := a.src.Token(ctx)
	return t, a.explain(AsAuthError(err))
}

func (a authSource) Refresh(ctx context.Context) (string, error) {
	t, err := a.src.Refresh(ctx)
	return t, a.explain(AsAuthError(err))
}

// ExplainNotSignedIn turns "not signed in" into what is really wrong when an application is
// signed in app-only (`auth login --app` with the secret on stdin) but ODSHARE_CLIENT_SECRET is
// not set now: the secret is never stored, so commands cannot act as the app, and would otherwise
// say nobody is signed in right after login said the app is.
func ExplainNotSignedIn(cfg *config.Config, s auth.Settings, err error) error {
	if err == nil || !errors.Is(err, auth.ErrNotSignedIn) || cfg.AppOnly() || cfg.AccessToken != "" {
		return err
	}
	apps, aerr := auth.AppAccounts(s)
	if aerr != nil {
		return err
	}
	for _, a := range apps {
		if cfg.ClientID == "" || a.ClientID == cfg.ClientID {
			return &AuthError{Err: fmt.Errorf("application %s (tenant %s) is signed in app-only, but ODSHARE_CLIENT_SECRET is not set "+
				"(the secret is never stored): set it to run commands as the app, or run `odshare auth login` to sign in as a person",
				a.ClientID, a.TenantID)}
		}
	}
	return err
}

// AsAuthError marks errors that mean "sign in (again)" as AuthError, naming both ways out.
func AsAuthError(err error) error {
	var cacheErr *auth.CacheError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, auth.ErrNotSignedIn):
		return &AuthError{Err: fmt.Errorf("%w (or set ODSHARE_ACCESS_TOKEN)", err)}
	case errors.Is(err, auth.ErrBoxNotSignedIn):
		return &AuthError{Err: fmt.Errorf("%w (or set ODSHARE_BOX_ACCESS_TOKEN)", err)}
	case errors.Is(err, auth.ErrDeclined), errors.Is(err, auth.ErrDeviceCodeExpired),
		errors.Is(err, auth.ErrCredentialRejected), errors.As(err, &cacheErr):
		return &AuthError{Err: err}
	}
	return err
}

// newHTTPClient is the one client for Graph and sign-in: httpx's transport rules, the proxy from the
// environment for https only, ODSHARE_CA_FILE added to the trusted roots. Graph and auth each install
// their own redirect rule on their copy.
func newHTTPClient(caFile string) (*http.Client, error) {
	return httpx.NewClient(httpx.Options{CAFile: caFile, Timeout: 2 * time.Minute})
}

package cmdutil

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
)

// Factory builds dependencies lazily, so --help, completion and pure commands such as
// encode-url never read credentials or touch the network.
type Factory struct {
	IOStreams *iostreams.IOStreams
	Version   string

	// Config returns the resolved configuration (cached after the first call).
	Config func() (*config.Config, error)
	// HTTPClient returns the HTTP client for Graph and sign-in: proxy from the environment,
	// ODSHARE_CA_FILE added to the trusted roots.
	HTTPClient func() (*http.Client, error)
	// Tokens returns the credential every Graph command uses.
	Tokens func() (graph.TokenSource, error)
	// Graph returns a Graph client for the configured endpoint and credential.
	Graph func() (*graph.Client, error)

	// Debug, when set, receives one line per HTTP request (redacted).
	Debug bool
	// JQ is the --jq expression; it implies JSON output.
	JQ string
	// ConfigFlags are flag values the user set that override configuration (key → value).
	ConfigFlags map[string]string
}

// New returns a Factory wired for the real program.
func New(ios *iostreams.IOStreams, version string) *Factory {
	f := &Factory{IOStreams: ios, Version: version, ConfigFlags: map[string]string{}}
	f.Config = sync.OnceValues(func() (*config.Config, error) { return config.Load(f.ConfigFlags) })
	f.HTTPClient = sync.OnceValues(func() (*http.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return newHTTPClient(cfg.CAFile)
	})
	f.Tokens = func() (graph.TokenSource, error) { return envTokens(f) }
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
			BaseURL:    cfg.GraphEndpoint,
			HTTPClient: hc,
			Tokens:     ts,
			UserAgent:  "odshare/" + version,
		}
		if f.Debug {
			opts.Debug = ios.ErrOut
		}
		return graph.New(opts)
	}
	return f
}

func envTokens(f *Factory) (graph.TokenSource, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	if cfg.AccessToken == "" {
		return nil, &AuthError{Err: errors.New("not signed in: " + AuthHint)}
	}
	return StaticTokenSource(cfg.AccessToken), nil
}

func newHTTPClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}, nil
}

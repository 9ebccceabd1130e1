package cmdutil

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/box"
	boxprovider "github.com/odshare/odshare/internal/provider/box"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
	"github.com/odshare/odshare/internal/sharing"
)

// newRegistry wires the providers into the sharing core: their pure parsers at once, their clients
// only when a command opens them (building a client needs the provider's credentials). It is the one
// place that knows the providers; commands know only the core. Box is registered first: Graph takes
// whatever no other provider claims.
func newRegistry(f *Factory) *sharing.Registry {
	r := &sharing.Registry{}
	r.Register(&boxprovider.Parser{}, func() (sharing.Provider, error) { return openBox(f) })
	appOnly := func() (bool, error) {
		cfg, err := f.Config()
		if err != nil {
			return false, err
		}
		return cfg.AppOnly(), nil
	}
	// Graph takes every argument no other provider claims, as before there were others.
	r.RegisterDefault(&graphprovider.Parser{AppOnly: appOnly}, func() (sharing.Provider, error) {
		c, err := f.Graph()
		if err != nil {
			return nil, err
		}
		return graphprovider.New(c), nil
	})
	return r
}

// Context is the drive flags as the core's neutral context flags.
func (d DriveFlags) Context() sharing.ParseContext {
	pc := sharing.ParseContext{}
	for _, fl := range []struct{ name, value string }{{"drive", d.Drive}, {"user", d.User}, {"group", d.Group}, {"site", d.Site}} {
		given := d.cmd != nil && d.cmd.Flags().Changed(fl.name)
		pc.Flags = append(pc.Flags, sharing.ContextFlag{Name: fl.name, Value: fl.value, Given: given})
	}
	return pc
}

// Changed returns those of the named flags that were given on cmd's command line, for
// sharing.Registry.CheckFlags.
func Changed(cmd *cobra.Command, names ...string) []string {
	var out []string
	for _, n := range names {
		if cmd.Flags().Changed(n) {
			out = append(out, n)
		}
	}
	return out
}

// Box's hints for a rejected credential, as AuthHint is Graph's.
const (
	boxAuthHint     = "run `odshare auth login --provider box` (or set ODSHARE_BOX_ACCESS_TOKEN)"
	boxEnvTokenHint = "Box rejected ODSHARE_BOX_ACCESS_TOKEN: set a fresh token, or unset it to use the account signed in with `odshare auth login --provider box`"
)

// openBox builds the Box provider: a Box client for the configured endpoint and credential.
func openBox(f *Factory) (sharing.Provider, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	ts, err := f.BoxTokens()
	if err != nil {
		return nil, err
	}
	opts := box.Options{
		BaseURL:     cfg.BoxAPIURL,
		HTTPClient:  hc,
		Tokens:      ts,
		UserAgent:   "odshare/" + f.Version,
		RetryBudget: cfg.RetryBudget,
		OnWait:      func(_ context.Context, w box.Wait) { f.Progress.Waiting(w.Reason, w.Delay) },
	}
	if cfg.RetryBudget == 0 {
		opts.RetryBudget = -1 // the user said 0: never retry throttling
	}
	if f.Debug {
		opts.Debug = f.IOStreams.ErrOut
	}
	c, err := box.New(opts)
	if err != nil {
		return nil, err
	}
	hint := boxAuthHint
	if cfg.BoxAccessToken != "" {
		hint = boxEnvTokenHint
	}
	return boxprovider.New(c, boxprovider.Options{SharePassword: cfg.SharePassword, SignInHint: hint}), nil
}

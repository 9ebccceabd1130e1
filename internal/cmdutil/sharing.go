package cmdutil

import (
	"github.com/spf13/cobra"

	graphprovider "github.com/odshare/odshare/internal/provider/graph"
	"github.com/odshare/odshare/internal/sharing"
)

// newRegistry wires the providers into the sharing core: their pure parsers at once, their clients
// only when a command opens them (building a Graph client needs Graph's credentials). It is the one
// place that knows the providers; commands know only the core.
func newRegistry(f *Factory) *sharing.Registry {
	r := &sharing.Registry{}
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

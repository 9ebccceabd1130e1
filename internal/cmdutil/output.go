package cmdutil

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
)

// Printing is how a command should print its result, resolved from -o/--output, --jq,
// ODSHARE_OUTPUT and config.yaml before the command runs.
type Printing struct {
	Format output.Format
	JQ     string
}

// Write prints Graph's raw JSON in the chosen JSON format (json, ndjson or --jq).
func (p Printing) Write(ios *iostreams.IOStreams, raw []byte) error {
	return output.WriteJSONFormat(ios, p.Format, raw, p.JQ)
}

// WriteValue marshals a value odshare built itself and prints it like Write.
func (p Printing) WriteValue(ios *iostreams.IOStreams, v any) error {
	raw, err := output.MarshalJSON(v)
	if err != nil {
		return err
	}
	return p.Write(ios, raw)
}

// JSON reports whether the result should be Graph's JSON rather than a table.
func (p Printing) JSON() bool { return p.Format.IsJSON() }

// Table returns a table for the result, fitted to the terminal unless -o wide.
func (p Printing) Table(ios *iostreams.IOStreams, cols ...output.Column) *output.Table {
	t := output.NewTableOf(ios, cols...)
	t.Wide = p.Format == output.FormatWide
	return t
}

// ResolvePrinting validates the output settings; a bad value is a usage error, found before any
// request is sent.
func (f *Factory) ResolvePrinting() (Printing, error) {
	cfg, err := f.Config()
	var unsafe *config.UnsafeError
	if errors.As(err, &unsafe) {
		return Printing{}, err // not a usage error: the directory's permissions are wrong (exit 1)
	}
	if err != nil {
		return Printing{}, &FlagError{Err: err}
	}
	format, err := output.ParseFormat(cfg.Output)
	if err != nil {
		return Printing{}, &FlagError{Err: err}
	}
	p := Printing{Format: format, JQ: f.JQ}
	if p.JQ != "" {
		if _, err := output.CompileJQ(p.JQ); err != nil {
			return Printing{}, FlagErrorf("invalid --jq expression: %v", err)
		}
		p.Format = output.FormatJSON
	}
	return p, nil
}

// AddOutputFlags gives a command that prints data -o/--output and --jq. Only such commands take
// them (as in gh): on any other command they would be ignored, so they are unknown flags there
// and a usage error, as `odshare auth token -o json` is.
func (f *Factory) AddOutputFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	formats := make([]string, 0, len(output.Formats()))
	for _, ft := range output.Formats() {
		formats = append(formats, string(ft))
	}
	fl.VarP(&configFlag{f: f, key: "output"}, "output", "o", "Output format: "+strings.Join(formats, ", ")+" (env ODSHARE_OUTPUT; default table)")
	fl.StringVar(&f.JQ, "jq", "", "Filter JSON output with a jq `expression` (implies -o json)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("jq", cobra.NoFileCompletions)
}

// configFlag is a flag that overrides a config key: its value lands in Factory.ConfigFlags as
// it is parsed, before the command reads the configuration.
type configFlag struct {
	f     *Factory
	key   string
	value string
}

func (c *configFlag) String() string { return c.value }
func (c *configFlag) Type() string   { return "string" }
func (c *configFlag) Set(v string) error {
	c.value = v
	c.f.ConfigFlags[c.key] = v
	return nil
}

package cmdutil

import (
	"encoding/json"

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
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return p.Write(ios, raw)
}

// JSON reports whether the result should be Graph's JSON rather than a table.
func (p Printing) JSON() bool { return p.Format != output.FormatTable }

// ResolvePrinting validates the output settings; a bad value is a usage error, found before any
// request is sent.
func (f *Factory) ResolvePrinting() (Printing, error) {
	cfg, err := f.Config()
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

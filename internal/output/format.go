// Package output renders odshare results: aligned tables for people, Graph's
// JSON for scripts, --jq filtering, and the helpers that make Graph strings,
// sizes and times safe and readable on a terminal.
package output

import (
	"fmt"
	"strings"
)

// Format is the value of the --output (-o) flag. It is a string type so new
// formats can be added without changing callers.
type Format string

const (
	// FormatTable prints an aligned table on a terminal and tab-separated
	// lines when piped.
	FormatTable Format = "table"
	// FormatWide is the table with every column whole on a terminal too, however wide (as
	// kubectl's -o wide); piped it is the same as table.
	FormatWide Format = "wide"
	// FormatJSON prints Graph's JSON, pretty-printed.
	FormatJSON Format = "json"
	// FormatNDJSON streams one compact JSON object per line as results arrive, for pipelines
	// and inputs too large to hold in memory.
	FormatNDJSON Format = "ndjson"
)

// formats lists the accepted values in the order shown in help and errors.
var formats = []Format{FormatTable, FormatWide, FormatJSON, FormatNDJSON}

// IsJSON reports whether the format prints JSON rather than a table.
func (f Format) IsJSON() bool { return f == FormatJSON || f == FormatNDJSON }

// Formats returns the accepted --output values, for help text and shell
// completion.
func Formats() []Format {
	return append([]Format(nil), formats...)
}

// ParseFormat validates an --output value. Matching is exact (lower case), as
// with gh; the error lists the valid values so the user can fix the flag.
func ParseFormat(s string) (Format, error) {
	for _, f := range formats {
		if s == string(f) {
			return f, nil
		}
	}
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("invalid output format %q: valid values are %s", s, strings.Join(names, ", "))
}

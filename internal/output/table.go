package output

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/odshare/odshare/internal/iostreams"
)

// Table collects rows and prints them for people.
//
// On a terminal it is an aligned table with a header, in the clean look of gh:
// no borders or rules, left-aligned, at least two spaces between columns,
// alignment by display width (CJK and emoji count as two columns), and no
// cell ever wrapped or truncated, since a cut sharing URL is useless.
//
// Piped, it follows gh: no header, cells joined by a tab, one row per line.
// That is handy for cut and awk, but the columns are a human view and may
// change between releases; scripts should use -o json (optionally --jq).
//
// Every cell goes through Sanitize, so a tab or newline inside a value can
// neither break a column nor reach the terminal raw.
type Table struct {
	ios     *iostreams.IOStreams
	headers []string
	rows    [][]string
}

// NewTable returns an empty table that will print to ios.Out. Headers are
// printed as given (tablewriter's default upper-casing is turned off).
func NewTable(ios *iostreams.IOStreams, headers ...string) *Table {
	h := make([]string, len(headers))
	for i, s := range headers {
		h[i] = Sanitize(s)
	}
	return &Table{ios: ios, headers: h}
}

// AddRow appends a row; each cell is passed through Sanitize. A row shorter
// than the header is padded with empty cells.
func (t *Table) AddRow(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = Sanitize(c)
	}
	t.rows = append(t.rows, row)
}

// Render writes the table to ios.Out in one write. A table without rows
// prints nothing, so "no results" is the caller's message (on stderr).
func (t *Table) Render() error {
	if len(t.rows) == 0 {
		return nil
	}
	width := len(t.headers)
	for _, r := range t.rows {
		width = max(width, len(r))
	}
	var buf bytes.Buffer
	if t.ios.IsStdoutTTY() {
		if err := t.renderTTY(&buf, width); err != nil {
			return fmt.Errorf("render table: %w", err)
		}
	} else {
		for _, r := range t.rows {
			buf.WriteString(strings.Join(pad(r, width), "\t"))
			buf.WriteByte('\n')
		}
	}
	_, err := t.ios.Out.Write(buf.Bytes())
	return err
}

func (t *Table) renderTTY(buf *bytes.Buffer, width int) error {
	var tb bytes.Buffer
	tbl := tablewriter.NewTable(&tb,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		// v1 truncates headers and word-wraps rows by default; neither may
		// touch a URL. No MaxWidth is set either, so no width constraint
		// exists for wrapping to act on.
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		// Keep cells exactly as sanitised (a name may start with a space).
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
	if len(t.headers) > 0 {
		tbl.Header(toAny(pad(t.headers, width))...)
	}
	for _, r := range t.rows {
		if err := tbl.Append(toAny(pad(r, width))...); err != nil {
			return err
		}
	}
	if err := tbl.Render(); err != nil {
		return err
	}

	cs := t.ios.ColorScheme()
	lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
	for i, line := range lines {
		// Padding leaves trailing spaces after the last column.
		line = strings.TrimRight(line, " ")
		if i == 0 && len(t.headers) > 0 {
			line = cs.Bold(line)
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	return nil
}

// pad returns cells extended with empty strings to n columns.
func pad(cells []string, n int) []string {
	if len(cells) >= n {
		return cells
	}
	out := make([]string, n)
	copy(out, cells)
	return out
}

func toAny(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	return out
}

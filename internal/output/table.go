package output

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/odshare/odshare/internal/iostreams"
)

// Table collects rows and prints them for people.
//
// On a terminal it is an aligned table with a header, in the clean look of gh:
// no borders or rules, left-aligned, at least two spaces between columns,
// alignment by display width (CJK and emoji count as two columns).
//
// A table wider than the terminal is fitted to it, as gh does: going from the
// least useful column to the most useful (Column.Drop), a column that may be
// shortened (Column.Truncate) is cut with "…" down to a few characters, and one
// that may be left out is dropped, until the table fits. A dropped column is
// named in a note on stderr. Columns with neither, URLs above all, are never
// touched: a cut sharing URL is useless. Once fitted, the columns left out are
// given back, most useful first, wherever one still fits. Wide (-o wide) prints
// every column whole.
//
// Piped, it follows gh: no header, cells joined by a tab, one row per line,
// every column whole. That is handy for cut and awk, but the columns are a
// human view and may change between releases; scripts should use -o json
// (optionally --jq).
//
// Every cell goes through Sanitize, so a tab or newline inside a value can
// neither break a column nor reach the terminal raw. On a terminal with colour
// on, a column's Color paints its cells (after fitting, so widths are right).
type Table struct {
	ios  *iostreams.IOStreams
	cols []Column
	rows [][]string
	// Wide prints every column whole on a terminal (-o wide).
	Wide bool
}

// Column describes one column of a Table.
type Column struct {
	Header string
	// Drop orders the columns for fitting to the terminal: 0 is never left out; among the others
	// the highest number goes first.
	Drop int
	// Truncate lets the column be shortened with "…" (to no less than its header or minTruncated)
	// before any column is dropped at its turn; a column that may not be cut is never cut.
	Truncate bool
	// Color paints a cell on a colour terminal; nil leaves it plain.
	Color func(cs *iostreams.ColorScheme, cell string) string
}

// minTruncated is the fewest display columns a truncated cell keeps.
const minTruncated = 8

// NewTable returns an empty table of plain columns (never fitted) that will print to ios.Out.
// Headers are printed as given (tablewriter's default upper-casing is turned off).
func NewTable(ios *iostreams.IOStreams, headers ...string) *Table {
	cols := make([]Column, len(headers))
	for i, h := range headers {
		cols[i] = Column{Header: h}
	}
	return NewTableOf(ios, cols...)
}

// NewTableOf returns an empty table with the given columns.
func NewTableOf(ios *iostreams.IOStreams, cols ...Column) *Table {
	c := make([]Column, len(cols))
	for i, col := range cols {
		col.Header = Sanitize(col.Header)
		c[i] = col
	}
	return &Table{ios: ios, cols: c}
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
	width := len(t.cols)
	for _, r := range t.rows {
		width = max(width, len(r))
	}
	var buf bytes.Buffer
	note := ""
	if t.ios.IsStdoutTTY() {
		var err error
		if note, err = t.renderTTY(&buf, width); err != nil {
			return fmt.Errorf("render table: %w", err)
		}
	} else {
		for _, r := range t.rows {
			buf.WriteString(strings.Join(pad(r, width), "\t"))
			buf.WriteByte('\n')
		}
	}
	if _, err := t.ios.Out.Write(buf.Bytes()); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(t.ios.ErrOut, note)
	}
	return nil
}

// trailingPad matches the spaces that end a line, and the colour codes after them.
var trailingPad = regexp.MustCompile(` +((?:\x1b\[[0-9;]*m)*)$`)

// gap is the space between columns.
const gap = 2

// fit decides, for a terminal maxWidth columns wide, which columns to show and how wide each
// may be (0: whole). It returns the shown column indexes and the dropped ones.
func (t *Table) fit(ncols, maxWidth int) (shown []int, limit []int, dropped []int) {
	widths := make([]int, ncols)
	col := func(i int) Column {
		if i < len(t.cols) {
			return t.cols[i]
		}
		return Column{}
	}
	for i := range ncols {
		widths[i] = twwidth.Width(col(i).Header)
	}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], twwidth.Width(c))
		}
	}
	limit = make([]int, ncols)
	visible := make([]bool, ncols)
	for i := range visible {
		visible[i] = true
	}
	total := func() int {
		sum, n := 0, 0
		for i, w := range widths {
			if visible[i] {
				sum += w
				n++
			}
		}
		return sum + gap*max(n-1, 0)
	}
	order := make([]int, 0, ncols)
	for i := range ncols {
		if col(i).Drop > 0 || col(i).Truncate {
			order = append(order, i)
		}
	}
	// Least useful first; among equals, the rightmost first.
	slices.SortStableFunc(order, func(a, b int) int {
		if d := col(b).Drop - col(a).Drop; d != 0 {
			return d
		}
		return b - a
	})
	for _, i := range order {
		over := total() - maxWidth
		if t.Wide || over <= 0 {
			break
		}
		if col(i).Truncate {
			floor := max(twwidth.Width(col(i).Header), minTruncated)
			if w := max(widths[i]-over, floor); w < widths[i] {
				widths[i], limit[i] = w, w
			}
			if total() <= maxWidth {
				break
			}
		}
		if col(i).Drop > 0 {
			visible[i] = false
		}
	}
	// Dropping is greedy: give back, most useful first, what fits again.
	for _, i := range slices.Backward(order) {
		if !visible[i] {
			visible[i] = true
			if total() > maxWidth {
				visible[i] = false
			}
		}
	}
	for i := range ncols {
		if visible[i] {
			shown = append(shown, i)
		} else {
			dropped = append(dropped, i)
		}
	}
	return shown, limit, dropped
}

// renderTTY lays the table out for a terminal into buf and returns the note to print after it, if
// columns that hold something were left out.
func (t *Table) renderTTY(buf *bytes.Buffer, width int) (string, error) {
	maxWidth := t.ios.TerminalWidth()
	shown, limit, dropped := t.fit(width, maxWidth)
	cs := t.ios.ColorScheme()
	cell := func(r []string, i int) string {
		s := ""
		if i < len(r) {
			s = r[i]
		}
		if limit[i] > 0 {
			s = twwidth.Truncate(s, limit[i], "…")
		}
		return s
	}
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
		// touch a URL. No MaxWidth is set either: fitting is done above, on
		// the columns chosen for it, so no width constraint exists for
		// wrapping to act on.
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		// Keep cells exactly as sanitised (a name may start with a space).
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: strings.Repeat(" ", gap), Overwrite: true}),
	)
	headers := false
	for _, c := range t.cols {
		headers = headers || c.Header != ""
	}
	if headers {
		h := make([]any, 0, len(shown))
		for _, i := range shown {
			name := ""
			if i < len(t.cols) {
				name = t.cols[i].Header
			}
			h = append(h, name)
		}
		tbl.Header(h...)
	}
	for _, r := range t.rows {
		row := make([]any, 0, len(shown))
		for _, i := range shown {
			s := cell(r, i)
			if i < len(t.cols) && t.cols[i].Color != nil && s != "" {
				s = t.cols[i].Color(cs, s)
			}
			row = append(row, s)
		}
		if err := tbl.Append(row...); err != nil {
			return "", err
		}
	}
	if err := tbl.Render(); err != nil {
		return "", err
	}

	lines := strings.Split(strings.TrimRight(tb.String(), "\n"), "\n")
	for i, line := range lines {
		// Padding leaves trailing spaces after the last column, before any closing colour code.
		line = trailingPad.ReplaceAllString(line, "$1")
		if i == 0 && headers {
			line = cs.Bold(line)
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
	}
	// Only columns that held something are worth a note: an EXPIRES of "-" lost nothing.
	var lost []string
	for _, i := range dropped {
		for _, r := range t.rows {
			if i < len(r) && !blank(r[i]) {
				lost = append(lost, t.cols[i].Header)
				break
			}
		}
	}
	if len(lost) == 0 {
		return "", nil
	}
	// The note itself must fit too: it names the columns when there is room.
	note := fmt.Sprintf("Note: not shown to fit %d columns: %s (-o wide shows them)", maxWidth, strings.Join(lost, ", "))
	if twwidth.Width(note) > maxWidth {
		note = fmt.Sprintf("Note: %d columns not shown to fit (-o wide shows them)", len(lost))
	}
	return note, nil
}

// blank reports a cell that says nothing beyond the default: empty, "-" or "no".
func blank(s string) bool { return s == "" || s == "-" || s == "no" }

// pad returns cells extended with empty strings to n columns.
func pad(cells []string, n int) []string {
	if len(cells) >= n {
		return cells
	}
	out := make([]string, n)
	copy(out, cells)
	return out
}

// ScopeColor makes the links anyone can open stand out: "anonymous" in yellow.
func ScopeColor(cs *iostreams.ColorScheme, s string) string {
	if s == "anonymous" {
		return cs.Yellow(s)
	}
	return s
}

// StatusColor colours an outcome: done (created, deleted) green, a failure red, an existing link
// that lacks what was asked yellow; the rest plain.
func StatusColor(cs *iostreams.ColorScheme, s string) string {
	switch {
	case s == "created" || s == "deleted" || s == "granted":
		return cs.Green(s)
	case s == "differs" || s == "granted-not-notified":
		return cs.Yellow(s)
	case s == "error" || strings.HasPrefix(s, "failed"):
		return cs.Red(s)
	}
	return s
}

package output

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

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
//
// Rows are not kept in memory: each is spooled as one line of sanitized cells joined by tabs (a
// sanitized cell holds neither), in memory up to a megabyte and then in a temporary file, while
// the table keeps only what fitting needs, each column's widest cell and whether it holds anything.
// Render reads the rows back, so a table of a million rows costs its widths, not its rows.
type Table struct {
	ios  *iostreams.IOStreams
	cols []Column
	// Wide prints every column whole on a terminal (-o wide).
	Wide bool

	rows   spool
	n      int    // rows added
	ncols  int    // the most cells a row has
	widths []int  // display width of each column's widest cell (terminal only)
	filled []bool // whether a column has a cell that says something (not blank)
	sorted []sortedRow
	line   []byte
	rowErr error // the first row that could not be spooled
}

// sortedRow is where AddSortedRow spooled a row, and the key it is printed in the order of.
type sortedRow struct {
	key string
	off int64
	len int32
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
// than the header is padded with empty cells. A row that cannot be spooled (the temporary
// directory is full or unwritable) is reported by Render.
func (t *Table) AddRow(cells ...string) {
	t.add(cells)
}

// AddSortedRow appends a row that Render prints in the order of key (byte-wise; rows with equal
// keys in the order added) rather than where it was added. Only the keys stay in memory. A table
// takes either AddRow or AddSortedRow, not both.
func (t *Table) AddSortedRow(key string, cells ...string) {
	off := t.rows.Size()
	if n := t.add(cells); n > 0 {
		t.sorted = append(t.sorted, sortedRow{key: key, off: off, len: int32(n)})
	}
}

// add spools one row and notes its widths; it returns the bytes spooled (0 when that failed).
func (t *Table) add(cells []string) int {
	t.n++
	t.ncols = max(t.ncols, len(cells))
	for len(t.filled) < len(cells) {
		t.filled = append(t.filled, false)
		t.widths = append(t.widths, 0)
	}
	tty := t.ios.IsStdoutTTY()
	line := t.line[:0]
	for i, c := range cells {
		c = Sanitize(c)
		if i > 0 {
			line = append(line, '\t')
		}
		line = append(line, c...)
		if !t.filled[i] && !blank(c) {
			t.filled[i] = true
		}
		if tty {
			t.widths[i] = max(t.widths[i], twwidth.Width(c))
		}
	}
	line = append(line, '\n')
	t.line = line
	n, err := t.rows.Write(line)
	if err != nil {
		t.rowErr = err
		return 0
	}
	return n
}

// Render writes the table to ios.Out. A table without rows prints nothing, so "no results" is the
// caller's message (on stderr). The rows are spooled until now, so a command that fails before
// Render has printed nothing. Render frees the spool.
func (t *Table) Render() error {
	defer t.rows.Close()
	if t.rowErr != nil {
		return fmt.Errorf("spool the table: %w", t.rowErr)
	}
	if t.n == 0 {
		return nil
	}
	width := max(len(t.cols), t.ncols)
	bw := bufio.NewWriterSize(t.ios.Out, 64<<10)
	note := ""
	var err error
	if t.ios.IsStdoutTTY() {
		note, err = t.renderTTY(bw, width)
	} else {
		err = t.eachRow(func(line []byte, n int) error {
			// A write error sticks in bw: the last WriteByte returns it.
			_, _ = bw.Write(line)
			for ; n < width; n++ {
				_ = bw.WriteByte('\t')
			}
			return bw.WriteByte('\n')
		})
	}
	if err != nil {
		return fmt.Errorf("render table: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(t.ios.ErrOut, note)
	}
	return nil
}

// Close frees the spooled rows of a table that is not going to be rendered (the command failed).
func (t *Table) Close() { t.rows.Close() }

// eachRow reads the spooled rows back in order (key order for sorted rows), giving each line
// without its newline and its number of cells. The line is only valid during the call.
func (t *Table) eachRow(f func(line []byte, cells int) error) error {
	if t.sorted != nil {
		ra, err := t.rows.ReaderAt()
		if err != nil {
			return err
		}
		slices.SortStableFunc(t.sorted, func(a, b sortedRow) int { return strings.Compare(a.key, b.key) })
		var buf []byte
		for _, r := range t.sorted {
			buf = slices.Grow(buf[:0], int(r.len))[:r.len]
			if _, err := ra.ReadAt(buf, r.off); err != nil {
				return err
			}
			line := buf[:len(buf)-1]
			if err := f(line, bytes.Count(line, tab)+1); err != nil {
				return err
			}
		}
		return nil
	}
	rd, err := t.rows.Reader()
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(rd, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A row longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		line = line[:len(line)-1]
		if err := f(line, bytes.Count(line, tab)+1); err != nil {
			return err
		}
	}
}

var tab = []byte{'\t'}

// trailingPad matches the spaces that end a line, and the colour codes after them.
var trailingPad = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(` +((?:\x1b\[[0-9;]*m)*)$`) })

// gap is the space between columns.
const gap = 2

// fit decides, for a terminal maxWidth columns wide, which columns to show and how wide each
// may be (0: whole). It returns the shown column indexes and the dropped ones, and each column's
// width as shown.
func (t *Table) fit(ncols, maxWidth int) (shown []int, limit []int, dropped []int, widths []int) {
	widths = make([]int, ncols)
	col := func(i int) Column {
		if i < len(t.cols) {
			return t.cols[i]
		}
		return Column{}
	}
	for i := range ncols {
		widths[i] = twwidth.Width(col(i).Header)
		if i < len(t.widths) {
			widths[i] = max(widths[i], t.widths[i])
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
	return shown, limit, dropped, widths
}

// renderTTY lays the table out for a terminal into w, streaming the rows through tablewriter with
// the widths fit chose, and returns the note to print after it, if columns that hold something
// were left out.
func (t *Table) renderTTY(w io.Writer, width int) (string, error) {
	maxWidth := t.ios.TerminalWidth()
	shown, limit, dropped, widths := t.fit(width, maxWidth)
	cs := t.ios.ColorScheme()
	headers := false
	for _, c := range t.cols {
		headers = headers || c.Header != ""
	}
	perColumn := tw.NewMapper[int, int]()
	for j, i := range shown {
		perColumn.Set(j, widths[i]+gap)
	}
	lw := &ttyLines{w: w, bold: headers, cs: cs}
	tbl := tablewriter.NewTable(lw,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		tablewriter.WithStreaming(tw.StreamConfig{Enable: true}),
		tablewriter.WithWidths(tw.CellWidth{PerColumn: perColumn}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		// v1 truncates headers and word-wraps rows by default; neither may touch a URL. The
		// widths are fit's, which already cut what may be cut, so nothing is left to wrap.
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		// Keep cells exactly as sanitised (a name may start with a space).
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: strings.Repeat(" ", gap), Overwrite: true}),
	)
	if err := tbl.Start(); err != nil {
		return "", err
	}
	if headers {
		h := make([]string, 0, len(shown))
		for _, i := range shown {
			name := ""
			if i < len(t.cols) {
				name = t.cols[i].Header
			}
			h = append(h, name)
		}
		tbl.Header(h)
	}
	row := make([]string, len(shown))
	cells := make([]string, 0, width)
	err := t.eachRow(func(line []byte, _ int) error {
		cells = splitCells(cells[:0], string(line))
		for j, i := range shown {
			s := ""
			if i < len(cells) {
				s = cells[i]
			}
			if limit[i] > 0 {
				s = twwidth.Truncate(s, limit[i], "…")
			}
			if i < len(t.cols) && t.cols[i].Color != nil && s != "" {
				s = t.cols[i].Color(cs, s)
			}
			row[j] = s
		}
		return tbl.Append(row)
	})
	if err != nil {
		return "", err
	}
	if err := tbl.Close(); err != nil {
		return "", err
	}
	if err := lw.err; err != nil {
		return "", err
	}
	// Only columns that held something are worth a note: an EXPIRES of "-" lost nothing.
	var lost []string
	for _, i := range dropped {
		if i < len(t.filled) && t.filled[i] {
			lost = append(lost, t.cols[i].Header)
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

// splitCells splits a spooled row into its cells, appending them to cells.
func splitCells(cells []string, line string) []string {
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			return append(cells, line)
		}
		cells = append(cells, line[:i])
		line = line[i+1:]
	}
}

// ttyLines takes tablewriter's output and writes it on a line at a time: the padding that ends
// each line removed (before any closing colour code), the first line bold when it is the header.
type ttyLines struct {
	w       io.Writer
	bold    bool
	cs      *iostreams.ColorScheme
	partial []byte
	lines   int
	err     error
}

func (l *ttyLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && l.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			break
		}
		line := p[:i]
		if len(l.partial) > 0 {
			line = append(l.partial, line...)
		}
		s := trailingPad().ReplaceAllString(string(line), "$1")
		if l.lines == 0 && l.bold {
			s = l.cs.Bold(s)
		}
		l.lines++
		if _, err := io.WriteString(l.w, s+"\n"); err != nil {
			l.err = err
		}
		l.partial = l.partial[:0]
		p = p[i+1:]
	}
	return n, l.err
}

// blank reports a cell that says nothing beyond the default: empty, "-" or "no".
func blank(s string) bool { return s == "" || s == "-" || s == "no" }

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

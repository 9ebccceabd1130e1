package output

import (
	"fmt"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

// spoolTable renders rows (sorted by key when sorted) with a spool that moves to a file after
// spill bytes, at 60 columns on a terminal or piped, returning stdout, stderr and whether the
// rows went to a file.
func spoolTable(t *testing.T, spill int, tty, sorted bool, rows [][]string) (string, string, bool) {
	t.Helper()
	old := spillAt
	spillAt = spill
	t.Cleanup(func() { spillAt = old })
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdoutTTY(tty)
	ios.SetTerminalWidth(60)
	tb := NewTableOf(ios, Column{Header: "NAME", Truncate: true}, Column{Header: "KIND", Drop: 2},
		Column{Header: "SIZE", Drop: 3}, Column{Header: "ID"})
	for _, r := range rows {
		if sorted {
			tb.AddSortedRow(r[0], r...)
		} else {
			tb.AddRow(r...)
		}
	}
	spilled := tb.rows.spilled()
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), spilled
}

// TestSpooledTableIsTheSameTable: a table of 3,000 rows (names of every width, CJK, a tab to
// sanitize, a row short of cells) prints the same whether its rows stayed in memory or went to a
// file, on a terminal (fitted to 60 columns: KIND and SIZE dropped with a note) and piped; sorted
// rows come out in key order, equal keys in the order added.
func TestSpooledTableIsTheSameTable(t *testing.T) {
	var rows [][]string
	for i := range 3000 {
		name := fmt.Sprintf("report-%04d-%s.csv", (i*7919)%3000, strings.Repeat("x", i%53))
		switch i % 500 {
		case 1:
			name = "日本語のファイル名.txt"
		case 2:
			name = "tab\there"
		}
		r := []string{name, "file", fmt.Sprintf("%d KiB", i), fmt.Sprintf("ID!%d", i)}
		if i == 3 {
			r = r[:2]
		}
		rows = append(rows, r)
	}
	for _, tty := range []bool{true, false} {
		for _, sorted := range []bool{false, true} {
			mem, memNote, spilledMem := spoolTable(t, 1<<30, tty, sorted, rows)
			file, fileNote, spilledFile := spoolTable(t, 4096, tty, sorted, rows)
			if spilledMem || !spilledFile {
				t.Fatalf("spilled: %v in memory, %v to a file", spilledMem, spilledFile)
			}
			if mem != file || memNote != fileNote {
				t.Errorf("tty=%v sorted=%v: the table from a file differs from the one from memory", tty, sorted)
			}
			lines := strings.Split(strings.TrimSuffix(file, "\n"), "\n")
			if tty {
				if !strings.HasPrefix(lines[0], "NAME") || strings.Contains(lines[0], "SIZE") || !strings.Contains(fileNote, "not shown to fit") {
					t.Errorf("tty=%v: header %q, note %q: want SIZE dropped, and a note", tty, lines[0], fileNote)
				}
				lines = lines[1:]
			}
			if len(lines) != len(rows) {
				t.Fatalf("%d lines, want %d", len(lines), len(rows))
			}
			if !tty && !strings.Contains(file, Sanitize("tab\there")+"\tfile\t") || strings.Contains(file, "tab\there") {
				t.Errorf("the tab in a name is not escaped")
			}
			if !tty && lines[3] != rows[3][0]+"\tfile\t\t" && !sorted {
				t.Errorf("short row = %q", lines[3])
			}
			if sorted {
				for i := 1; i < len(lines); i++ {
					if a, b := strings.Fields(lines[i-1])[0], strings.Fields(lines[i])[0]; !tty && a > b {
						t.Fatalf("rows %d and %d out of order: %q, %q", i-1, i, a, b)
					}
				}
			}
		}
	}
}

// TestSortedRowsKeepTheirOrderAmongEquals: rows with equal keys print in the order added.
func TestSortedRowsKeepTheirOrderAmongEquals(t *testing.T) {
	out, _, _ := spoolTable(t, 1<<20, false, true, nil)
	if out != "" {
		t.Fatalf("empty table printed %q", out)
	}
	ios, _, buf, _ := iostreams.Test()
	tb := NewTable(ios, "K", "V")
	tb.AddSortedRow("b", "b", "1")
	tb.AddSortedRow("a", "a", "2")
	tb.AddSortedRow("b", "b", "3")
	tb.AddSortedRow("a", "a", "4")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "a\t2\na\t4\nb\t1\nb\t3\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

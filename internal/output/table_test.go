package output

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

func newTestTable(tty bool) (*Table, *bytes.Buffer) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(tty)
	return NewTable(ios, "Type", "Scope", "URL"), out
}

func TestTableTTY(t *testing.T) {
	tb, out := newTestTable(true)
	tb.AddRow("view", "anonymous", "https://contoso.sharepoint.com/:b:/g/EaBc?e=1")
	tb.AddRow("edit", "organization", "https://contoso.sharepoint.com/:w:/g/XyZ")
	tb.AddRow("embed", "users", "")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Type   Scope         URL\n" +
		"view   anonymous     https://contoso.sharepoint.com/:b:/g/EaBc?e=1\n" +
		"edit   organization  https://contoso.sharepoint.com/:w:/g/XyZ\n" +
		"embed  users\n"
	if got := out.String(); got != want {
		t.Errorf("TTY table:\n got %q\nwant %q", got, want)
	}
}

func TestTableNonTTY(t *testing.T) {
	tb, out := newTestTable(false)
	tb.AddRow("view", "anonymous", "https://contoso.sharepoint.com/:b:/g/EaBc?e=1")
	tb.AddRow("edit", "organization", "https://contoso.sharepoint.com/:w:/g/XyZ")
	tb.AddRow("embed", "users", "")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"view\tanonymous\thttps://contoso.sharepoint.com/:b:/g/EaBc?e=1\n" +
		"edit\torganization\thttps://contoso.sharepoint.com/:w:/g/XyZ\n" +
		"embed\tusers\t\n"
	if got := out.String(); got != want {
		t.Errorf("non-TTY table:\n got %q\nwant %q", got, want)
	}
}

func TestTableHeaderKeepsCaseAndNumbersStayLeft(t *testing.T) {
	tb, out := newTestTable(true)
	tb = NewTable(tb.ios, "Name", "sizeBytes", "id")
	tb.AddRow("a", "1", "01ABC")
	tb.AddRow("bb", "123456", "x")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Name  sizeBytes  id\n" +
		"a     1          01ABC\n" +
		"bb    123456     x\n"
	if got := out.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestTableLongURLNotWrapped(t *testing.T) {
	url := "https://contoso.sharepoint.com/" + strings.Repeat("a", 200-len("https://contoso.sharepoint.com/"))
	if len(url) != 200 {
		t.Fatalf("url length %d", len(url))
	}
	tb, out := newTestTable(true)
	tb.AddRow("view", "anonymous", url)
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "Type  Scope      URL\nview  anonymous  " + url + "\n"
	if got := out.String(); got != want {
		t.Errorf("long URL wrapped or cut:\n got %q\nwant %q", got, want)
	}
}

func TestTableWideCharactersAlign(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	tb := NewTable(ios, "Name", "Size")
	tb.AddRow("日本語.docx", "1.0 KiB") // 3 wide runes: display width 11
	tb.AddRow("🎉.png", "2.0 KiB")    // emoji: display width 6
	tb.AddRow("plain.txt", "3.0 KiB")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Name         Size\n" +
		"日本語.docx  1.0 KiB\n" +
		"🎉.png       2.0 KiB\n" +
		"plain.txt    3.0 KiB\n"
	if got := out.String(); got != want {
		t.Errorf("wide characters misaligned:\n got %q\nwant %q", got, want)
	}
}

func TestTableSanitizesCells(t *testing.T) {
	for _, tty := range []bool{true, false} {
		t.Run(fmt.Sprintf("tty=%v", tty), func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(tty)
			tb := NewTable(ios, "Name", "Who")
			tb.AddRow("evil\x1b[2J\tname\nx", "Ann\u202eeve")
			if err := tb.Render(); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if strings.ContainsAny(got, "\x1b\u202e") || strings.Count(got, "\n") != map[bool]int{true: 2, false: 1}[tty] {
				t.Errorf("unsanitised output %q", got)
			}
			if !strings.Contains(got, `evil\x1b[2J\x09name\x0ax`) || !strings.Contains(got, `Ann\u202eeve`) {
				t.Errorf("escapes missing in %q", got)
			}
			if !tty && got != "evil\\x1b[2J\\x09name\\x0ax\tAnn\\u202eeve\n" {
				t.Errorf("non-TTY got %q", got)
			}
		})
	}
}

func TestTableBoldHeaderWithColour(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetColorEnabled(true)
	tb := NewTable(ios, "A", "B")
	tb.AddRow("x", "y")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	want := "\x1b[1mA  B\x1b[22m\nx  y\n"
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTableShortRowsAndEmpty(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	tb := NewTable(ios, "A", "B", "C")
	if err := tb.Render(); err != nil || out.Len() != 0 {
		t.Fatalf("empty table printed %q, err %v", out.String(), err)
	}
	tb.AddRow("x")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "x\t\t\n" {
		t.Errorf("short row non-TTY = %q", got)
	}
}

func TestTableWithoutHeader(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetColorEnabled(true)
	tb := NewTable(ios)
	tb.AddRow("a", "bb")
	tb.AddRow("ccc", "d")
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "a    bb\nccc  d\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func BenchmarkTable100Rows(b *testing.B) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		tb := NewTable(ios, "Type", "Scope", "Expires", "URL")
		for i := range 100 {
			tb.AddRow("view", "organization", "2026-11-24 10:03 UTC",
				fmt.Sprintf("https://contoso.sharepoint.com/:w:/g/personal/ann/Eabc%03d?e=xyz", i))
		}
		if err := tb.Render(); err != nil {
			b.Fatal(err)
		}
	}
}

func fitted(width int, wide bool, cols []Column, rows ...[]string) (string, string) {
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetTerminalWidth(width)
	tb := NewTableOf(ios, cols...)
	tb.Wide = wide
	for _, r := range rows {
		tb.AddRow(r...)
	}
	if err := tb.Render(); err != nil {
		panic(err)
	}
	return out.String(), errOut.String()
}

func TestTableFitsTheTerminal(t *testing.T) {
	url := "https://1drv.ms/f/s!CnJAWg5N-k5sOCTJsyw6wl1ErCmEtrBl" // 52
	cols := []Column{{Header: "ID"}, {Header: "TYPE", Drop: 2}, {Header: "SCOPE", Drop: 1},
		{Header: "WHO", Drop: 3, Truncate: true}, {Header: "PASSWORD", Drop: 4}, {Header: "URL"}}
	row := []string{"A543230F01E4F6AD", "view", "anonymous", "Megan Bowen, Adele Vance", "yes", url}

	// Room for everything: nothing changes, no note.
	out, note := fitted(200, false, cols, row)
	if !strings.HasPrefix(out, "ID                TYPE  SCOPE      WHO                       PASSWORD  URL\n") || note != "" {
		t.Errorf("wide terminal:\n%s%s", out, note)
	}
	// 100 columns: the least useful column goes first, then WHO is cut with "…", never the URL or id.
	out, note = fitted(100, false, cols, row)
	want := "ID                TYPE  SCOPE      WHO          URL\n" +
		"A543230F01E4F6AD  view  anonymous  Megan Bowe…  " + url + "\n"
	if out != want || note != "Note: not shown to fit 100 columns: PASSWORD (-o wide shows them)\n" {
		t.Errorf("100 columns:\n got %q\nwant %q\nnote %q", out, want, note)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if len([]rune(l)) > 100 {
			t.Errorf("line wider than 100: %q", l)
		}
	}
	// 80 columns: dropping is greedy, but what fits again comes back (TYPE), most useful first.
	out, note = fitted(80, false, cols, row)
	if want := "ID                TYPE  URL\nA543230F01E4F6AD  view  " + url + "\n"; out != want {
		t.Errorf("80 columns:\n got %q\nwant %q", out, want)
	}
	if note != "Note: not shown to fit 80 columns: SCOPE, WHO, PASSWORD (-o wide shows them)\n" {

		t.Errorf("note %q", note)
	}
	// Too narrow for what may not be touched: the URL is still whole (the line overflows).
	out, _ = fitted(40, false, cols, row)
	if !strings.Contains(out, url) {
		t.Errorf("URL cut: %q", out)
	}
	_, note = fitted(60, false, cols, row)
	if note != "Note: 4 columns not shown to fit (-o wide shows them)\n" {
		t.Errorf("note %q", note)
	}
	// A column left out that said nothing ("-", "no") is not worth a note.
	quiet := append([]string(nil), row...)
	quiet[4] = "no"
	if _, note = fitted(100, false, cols, quiet); note != "" {
		t.Errorf("note for a blank column: %q", note)
	}
	// -o wide: every column whole.
	out, note = fitted(80, true, cols, row)
	if !strings.Contains(out, "Megan Bowen, Adele Vance") || !strings.Contains(out, "PASSWORD") || note != "" {
		t.Errorf("-o wide:\n%s%s", out, note)
	}
	// Piped: every column, whole, whatever the width.
	ios, _, pipe, _ := iostreams.Test()
	ios.SetTerminalWidth(40)
	tb := NewTableOf(ios, cols...)
	tb.AddRow(row...)
	_ = tb.Render()
	if pipe.String() != strings.Join(row, "\t")+"\n" {
		t.Errorf("piped: %q", pipe.String())
	}
}

func TestTableColours(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	tb := NewTableOf(ios, Column{Header: "SCOPE", Color: ScopeColor}, Column{Header: "STATUS", Color: StatusColor})
	tb.AddRow("anonymous", "created")
	tb.AddRow("organization", "failed (HTTP 403)")
	tb.AddRow("users", "existing")
	ios.SetColorEnabled(true)
	if err := tb.Render(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"\x1b[33manonymous\x1b[0m", "\x1b[32mcreated\x1b[0m", "\x1b[31mfailed (HTTP 403)\x1b[0m"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in %q", want, got)
		}
	}
	if strings.Contains(got, "\x1b[33morganization") || strings.Contains(got, "m existing") {
		t.Errorf("coloured what should be plain: %q", got)
	}
	// Aligned by what shows, not by the escape codes.
	lines := strings.Split(regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(got, ""), "\n")
	if lines[1] != "anonymous     created" || lines[2] != "organization  failed (HTTP 403)" {
		t.Errorf("misaligned: %q", lines)
	}
	// Colour off (NO_COLOR): no escape at all.
	out.Reset()
	ios.SetColorEnabled(false)
	_ = tb.Render()
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("colour with colour off: %q", out.String())
	}
}

func TestStatusColourOfGrants(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.SetColorEnabled(true)
	cs := ios.ColorScheme()
	for s, want := range map[string]string{"granted": "\x1b[32mgranted\x1b[0m", "granted-not-notified": "\x1b[33mgranted-not-notified\x1b[0m", "failed": "\x1b[31mfailed\x1b[0m"} {
		if got := StatusColor(cs, s); got != want {
			t.Errorf("StatusColor(%q) = %q, want %q", s, got, want)
		}
	}
}

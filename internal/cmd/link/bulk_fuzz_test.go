package link

import (
	"bytes"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

// FuzzReadItems checks --from-file's reader on any input: every item is one trimmed, non-empty line
// that is not a comment, the items are exactly the input's other lines in order, and writing them back
// one per line reads back the same items.
func FuzzReadItems(f *testing.F) {
	for _, s := range []string{"", "/a.txt\n/b.txt\n", "  /a b.txt  \r\n\n# comment\n\t#also\n01ABCDEF\n",
		"https://1drv.ms/f/s!x\nu!aHR0cHM6Ly94\n", "no newline at end", "\r\r\n", "\x00\n\xff\n", "#\n##\n # x"} {
		f.Add([]byte(s))
	}
	read := func(t *testing.T, data []byte) []string {
		ios, in, _, _ := iostreams.Test()
		in.Write(data)
		items, err := readItems("-", ios)
		if err != nil {
			t.Fatalf("readItems(%q): %v", data, err)
		}
		return items
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(line) >= 1<<20 {
				return // a line beyond the 1 MiB limit is an error by design
			}
		}
		items := read(t, data)
		var want []string
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
			if line != "" && !strings.HasPrefix(line, "#") {
				want = append(want, line)
			}
		}
		if strings.Join(items, "\n") != strings.Join(want, "\n") || len(items) != len(want) {
			t.Fatalf("readItems(%q) = %q; want %q", data, items, want)
		}
		for _, it := range items {
			if it == "" || it != strings.TrimSpace(it) || strings.HasPrefix(it, "#") || strings.Contains(it, "\n") {
				t.Fatalf("readItems(%q): item %q", data, it)
			}
		}
		if back := read(t, []byte(strings.Join(items, "\n"))); strings.Join(back, "\n") != strings.Join(items, "\n") {
			t.Fatalf("items %q written back read as %q", items, back)
		}
	})
}

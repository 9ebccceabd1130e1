package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"  padded\t", "padded"},
		{"line1\nline2\r\nline3", "line1 line2 line3"},
		{"x\x1b[2J", "x [2J"},
		{"\x1b]0;pwned\x07title", "]0;pwned title"},
		{"a\u202eevil\u2066b", "a evil b"},
		{"a\u200fb", "a b"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"nul\x00here", "nul here"},
		{"c1\u009bx", "c1 x"},
		{"wide\u3000space", "wide space"},
		{"ünïcødé ok", "ünïcødé ok"},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLineBoundsLength(t *testing.T) {
	got := Line(strings.Repeat("é", 5*MaxRunes))
	if n := utf8.RuneCountInString(got); n != MaxRunes+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("long input: %d runes, suffix %q", n, got[len(got)-3:])
	}
	if got := Line(strings.Repeat("a", MaxRunes)); got != strings.Repeat("a", MaxRunes) {
		t.Error("input of exactly MaxRunes was cut")
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[31mred", "\u202e", "\xff\xfe", strings.Repeat("x ", 700)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' || r == '\u2028' {
				t.Fatalf("Line(%q) kept %U", s, r)
			}
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Line(%q) = %q: stray spaces", s, out)
		}
		if utf8.RuneCountInString(out) > MaxRunes+1 {
			t.Fatalf("Line(%q) too long", s)
		}
	})
}

package output

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// unsafeRune reports a rune Sanitize promises never to leave in its output.
func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029
}

var sanitizeSeeds = []string{
	"", "report.pdf", "Ünïcödé 名前 🙂", "a\tb", "two\nlines", "\r\n", "\x1b[31mred\x1b[0m", "\x1b]0;title\a",
	"\x9b31m", "\u202eevil\u202c.exe", "\u2066x\u2069", "\u200e\u200f\u061c", "a\u2028b\u2029c", "\xff\xfe\xfd",
	"\xc3", "\xed\xa0\x80", "back\\slash", "\x00", "\x7f", strings.Repeat("é\x01", 100),
}

// FuzzSanitize checks Sanitize on any string: the output is valid UTF-8 without a control, bidi or
// separator character; clean input comes back unchanged; sanitizing twice changes nothing more; and
// every printable rune of the input is still there, in order.
func FuzzSanitize(f *testing.F) {
	for _, s := range sanitizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("Sanitize(%q) = %q: kept %U", s, out, r)
			}
		}
		clean := utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeRune)
		if clean != (out == s) {
			t.Fatalf("Sanitize(%q) = %q: clean input %v, unchanged %v", s, out, clean, out == s)
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %q -> %q -> %q", s, out, again)
		}
		// The printable runes survive in order: the output minus its escapes is the input minus what
		// was escaped.
		var kept strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !(r == utf8.RuneError && size == 1) && !unsafeRune(r) {
				kept.WriteRune(r)
			}
			i += size
		}
		if !isSubsequence(kept.String(), out) {
			t.Fatalf("Sanitize(%q) = %q lost printable text %q", s, out, kept.String())
		}
	})
}

// FuzzSanitizeLines checks SanitizeLines: line breaks stay, one per input line break, and each line is
// what Sanitize makes of it.
func FuzzSanitizeLines(f *testing.F) {
	for _, s := range sanitizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeLines(s)
		in, got := strings.Split(s, "\n"), strings.Split(out, "\n")
		if len(in) != len(got) {
			t.Fatalf("SanitizeLines(%q) = %q: %d lines became %d", s, out, len(in), len(got))
		}
		for i := range in {
			if got[i] != Sanitize(in[i]) {
				t.Fatalf("SanitizeLines(%q) line %d = %q; want %q", s, i, got[i], Sanitize(in[i]))
			}
		}
	})
}

// isSubsequence reports whether the runes of sub appear in s in order.
func isSubsequence(sub, s string) bool {
	for _, r := range sub {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+utf8.RuneLen(r):]
	}
	return true
}

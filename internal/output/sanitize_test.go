package output

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "report.pdf", "report.pdf"},
		{"ESC sequence", "\x1b[31mred", `\x1b[31mred`},
		{"OSC title", "\x1b]0;pwned\x07x", `\x1b]0;pwned\x07x`},
		{"BEL", "a\ab", `a\x07b`},
		{"NUL", "a\x00b", `a\x00b`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI U+009B", "a\u009b2Jb", `a\x9b2Jb`},
		{"C1 U+0080", "\u0080", `\x80`},
		{"C1 U+009F", "\u009f", `\x9f`},
		{"newline", "line1\nline2", `line1\x0aline2`},
		{"tab", "a\tb", `a\x09b`},
		{"CR", "a\rb", `a\x0db`},
		{"unit separator 0x1F", "\x1f", `\x1f`},
		{"bidi RLO U+202E", "invoice\u202Efdp.exe", `invoice\u202efdp.exe`},
		{"bidi LRE U+202A", "\u202A", `\u202a`},
		{"bidi LRI..PDI", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`},
		{"bidi marks LRM RLM ALM", "a\u200Eb\u200Fc\u061Cd", `a\u200eb\u200fc\u061cd`},
		{"line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"lone continuation byte 0x9b", "a\x9bb", `a\x9bb`},
		{"truncated UTF-8", "\xe6\x97", `\xe6\x97`},
		{"accented", "é", "é"},
		{"CJK", "日本語.docx", "日本語.docx"},
		{"emoji with ZWJ", "👩‍💻 🎉", "👩‍💻 🎉"},
		{"U+FFFD literal", "\uFFFD", "\uFFFD"},
		{"NBSP and U+00A0 above C1", "a\u00a0b", "a\u00a0b"},
		{"backslash", `C:\temp\x1b`, `C:\temp\x1b`},
		{"mixed", "é\x1b日\u202e🎉\xff", `é\x1b日\u202e🎉\xff`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeCleanInputDoesNotAllocate(t *testing.T) {
	clean := "Quarterly report — 日本 🎉 é https://contoso.sharepoint.com/:w:/g/EabcDEF?e=xyz"
	if got := Sanitize(clean); got != clean {
		t.Fatalf("clean input changed: %q", got)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = Sanitize(clean) })
	if allocs != 0 {
		t.Errorf("Sanitize allocated %v times on clean input, want 0", allocs)
	}
}

func BenchmarkSanitizeClean(b *testing.B) {
	s := strings.Repeat("Quarterly report 日本 🎉 é ", 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Sanitize(s)
	}
}

func BenchmarkSanitizeDirty(b *testing.B) {
	s := strings.Repeat("report\x1b[31m 日本\u202e ", 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Sanitize(s)
	}
}

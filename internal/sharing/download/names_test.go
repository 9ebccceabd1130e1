package download

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"Café ünïcode.docx", "Café ünïcode.docx"},
		{"Q3 #1 100%.xlsx", "Q3 #1 100%.xlsx"},
		{"", "_"},
		{".", "_"},
		{"..", "__"},
		{"...", "___"},
		{"../../etc/passwd", ".._.._etc_passwd"},
		{"/abs", "_abs"},
		{`C:\x`, "C__x"},
		{`a<b>c:d"e|f?g*h`, "a_b_c_d_e_f_g_h"},
		{"tab\there", "tab_here"},
		{"nul\x00byte", "nul_byte"},
		{"del\x7f", "del_"},
		{"c1\u0085next", "c1_next"},
		{"bad\xffutf8", "bad_utf8"},
		{"trailing.", "trailing_"},
		{"trailing ", "trailing_"},
		{"dots...", "dots___"},
		{" lead", " lead"},
		{".hidden", ".hidden"},
		{"CON", "_CON"},
		{"con", "_con"},
		{"Nul.txt", "_Nul.txt"},
		{"aux.tar.gz", "_aux.tar.gz"},
		{"COM1", "_COM1"},
		{"lpt9.log", "_lpt9.log"},
		{"COM²", "_COM²"},
		{"CONIN$", "_CONIN$"},
		{"COM10", "COM10"},
		{"CONSOLE", "CONSOLE"},
		{"con .txt", "_con .txt"},
	} {
		if got := SafeName(c.in); got != c.want {
			t.Errorf("SafeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSafeNameBoundsLength(t *testing.T) {
	long := strings.Repeat("é", 200) + ".docx" // 405 bytes
	got := SafeName(long)
	if len(got) > MaxNameBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, ".docx") || !strings.Contains(got, "~") {
		t.Fatalf("SafeName(long) = %q (%d bytes)", got, len(got))
	}
	other := SafeName(strings.Repeat("é", 200) + "x.docx")
	if other == got {
		t.Fatal("two long names that share their beginning collide")
	}
	if n := len(got + partSuffix + resumeSuffix); n > 255 {
		t.Fatalf("the resume record's name is %d bytes", n)
	}
}

func TestNames(t *testing.T) {
	var n Names
	for _, c := range []struct {
		in      string
		partial bool
		want    string
	}{
		{"a.txt", true, "a.txt"},
		{"A.TXT", true, "A (2).TXT"},
		{"a.txt.part", true, "a.txt (2).part"}, // a.txt's partial download has that name
		{"a.txt.part.resume", true, "a.txt.part (2).resume"},
		{"dir", false, "dir"},
		{"DIR", false, "DIR (2)"},
		{"a?txt", true, "a_txt"},
		{"a*txt", true, "a_txt (2)"},
		{"", true, "_"},
		{".", true, "_ (2)"},
	} {
		if got := n.Take(c.in, c.partial); got != c.want {
			t.Errorf("Take(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := strings.Repeat("x", 400)
	a, b := n.Take(long, true), n.Take(long, true)
	if a == b || len(a) > MaxNameBytes || len(b) > MaxNameBytes {
		t.Errorf("long names: %d %d bytes, equal %v", len(a), len(b), a == b)
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "CON.txt", "x\x00", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeName(s)
		switch {
		case got == "" || got == "." || got == "..":
			t.Fatalf("SafeName(%q) = %q", s, got)
		case strings.ContainsAny(got, `/\<>:"|?*`) || strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }):
			t.Fatalf("SafeName(%q) = %q holds a forbidden character", s, got)
		case len(got) > MaxNameBytes || !utf8.ValidString(got):
			t.Fatalf("SafeName(%q) = %q: %d bytes, valid %v", s, got, len(got), utf8.ValidString(got))
		case strings.HasSuffix(got, ".") || strings.HasSuffix(got, " "):
			t.Fatalf("SafeName(%q) = %q ends in a dot or space", s, got)
		case reservedOnWindows(got):
			t.Fatalf("SafeName(%q) = %q is reserved on Windows", s, got)
		}
	})
}

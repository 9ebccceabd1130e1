package output

import (
	"strings"
	"unicode/utf8"

	"github.com/odshare/odshare/internal/redact"
)

const hexDigits = "0123456789abcdef"

// Sanitize makes a string that came from Graph (a file name, a user's display
// name, a link's description) safe to print on a terminal, where a hostile
// name could otherwise move the cursor, retitle the window or hide text.
//
// It shows as \xNN (lower-case hex) every C0 control 0x00-0x1F (including
// \n, \t and \r, so a cell stays on one line and tab-separated output keeps
// its columns), DEL 0x7F, every C1 control U+0080-U+009F (U+009B is a
// one-byte CSI on some terminals) and every byte that is not valid UTF-8. It
// shows as \uNNNN the bidi embedding, override and isolate controls
// U+202A-U+202E and U+2066-U+2069 (the "Trojan Source" characters,
// CVE-2021-42574), the bidi marks U+200E, U+200F and U+061C, and the line and paragraph separators U+2028 and U+2029.
// Everything else, printable Unicode and a literal backslash included, is
// left alone, so the result is for reading, not for unescaping.
//
// It also masks the secret values this process knows (redact.String): a
// hostile server that echoes the bearer token or a link password into a name
// cannot have odshare print it.
//
// Clean input is returned as is, without allocating.
func Sanitize(s string) string {
	s = redact.String(s)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return sanitizeFrom(s, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size) {
			return sanitizeFrom(s, i)
		}
		i += size
	}
	return s
}

// needsEscape reports whether a decoded non-ASCII rune must be escaped.
func needsEscape(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // invalid UTF-8 byte
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi controls
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM: bidi marks (Bidi_Control)
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// sanitizeFrom escapes s starting at byte i, the first byte that needs it.
func sanitizeFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				writeHexByte(&b, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHexByte(&b, c)
		case r >= 0x80 && r <= 0x9f:
			writeHexByte(&b, byte(r))
		case needsEscape(r, size):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexDigits[(r>>shift)&0xf])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func writeHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

// Package safetext makes text that came from a server (an error message, a request id, a name) safe to put
// on one terminal line, for error messages and debug logs: no terminal escapes, and no secret the process
// knows (package redact). Table cells and JSON have their own escaping in
// package output; this is for the one-line errors the API clients build.
//
// It imports only the standard library and package redact.
package safetext

import (
	"strings"
	"unicode"

	"github.com/odshare/odshare/internal/redact"
)

// MaxRunes bounds what a server can make odshare print in one error line.
const MaxRunes = 1000

// Line makes server-supplied text safe for one terminal line: every secret registered with package redact
// becomes "[redacted]" (first, so that neither cutting nor collapsing spaces can leave part of one); invalid
// UTF-8 becomes U+FFFD; control
// characters (including ESC, so no terminal escapes), bidi controls and white space become single spaces,
// runs of them collapse and leading or trailing ones go; text longer than MaxRunes (spaces included) is
// cut with "…".
func Line(s string) string {
	s = strings.ToValidUTF8(redact.String(s), "\uFFFD")
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			if n+1 >= MaxRunes {
				b.WriteString("…")
				break
			}
			b.WriteByte(' ')
			n++
		}
		space = false
		if n == MaxRunes {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/itchyny/gojq"

	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/redact"
)

// WriteJSON writes Graph's JSON unchanged in content: same keys, same order,
// same numbers (big integers untouched), unknown fields kept. It is
// pretty-printed with a two-space indent (json.Indent) and ends with a newline.
//
// The one byte-level change is defensive: raw C1 controls, bidi controls,
// U+2028/U+2029 and invalid UTF-8 inside strings are rewritten as \uXXXX
// escapes (invalid bytes as \ufffd, as encoding/json does), which any JSON
// parser reads back as the same string but which a terminal cannot act on.
//
// When jq is not empty the document is filtered with gojq instead, like gh's
// --jq: each result on its own line; a string result printed raw (no quotes;
// on a terminal sanitised except for line breaks); null printed as an empty
// line, as gh does, so a per-item query keeps one line per item; booleans and
// numbers as jq prints them; arrays and objects as JSON, indented two spaces
// on a terminal and compact otherwise. gojq sorts object keys in what it prints. Input numbers
// are decoded exactly: integers as int or *big.Int, the rest as float64.
//
// Secret values this process knows (redact) are masked inside JSON strings
// and in raw --jq strings: a hostile server that echoes the bearer token or a
// link password into item data cannot have odshare print it; other JSON is
// printed as it came.
//
// Output is buffered and written only on success, so stdout stays empty when
// the document is invalid or the query fails at run time.
func WriteJSON(ios *iostreams.IOStreams, raw []byte, jq string) error {
	raw = bytes.TrimRight(raw, " \t\r\n")
	var buf bytes.Buffer
	if jq == "" {
		if err := json.Indent(&buf, raw, "", "  "); err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		buf.WriteByte('\n')
		_, err := ios.Out.Write(escapeUnsafeJSON(redact.JSON(buf.Bytes())))
		return err
	}

	code, err := CompileJQ(jq)
	if err != nil {
		return err
	}
	input, err := decodeJSON(raw)
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := runJQ(&buf, code, input, ios.IsStdoutTTY()); err != nil {
		return err
	}
	_, err = ios.Out.Write(buf.Bytes())
	return err
}

// runJQ runs code on input, writing each result to w as WriteJSON describes; halted reports that
// the query ran `halt`, which ends it without an error, as in jq.
func runJQ(w io.Writer, code *gojq.Code, input any, tty bool) (halted bool, err error) {
	indent := ""
	if tty {
		indent = "  "
	}
	var buf bytes.Buffer
	iter := code.Run(input)
	for {
		v, ok := iter.Next()
		if !ok {
			return false, nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return true, nil // `halt` stops without an error, as in jq
			}
			return false, fmt.Errorf("jq: %s", Sanitize(oneLine(err.Error())))
		}
		buf.Reset()
		if err := writeJQResult(&buf, v, indent, tty); err != nil {
			return false, err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false, err
		}
	}
}

// MarshalJSON is json.Marshal without HTML escaping: every JSON odshare prints goes through it,
// so a URL reads "&", not "\u0026", and a json.RawMessage inside v (Graph's own object) is
// compacted, never re-escaped. Struct field order is kept.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// CompileJQ parses and compiles a --jq expression. Callers run it on the flag
// value before any request, so a typo is a usage error that never reaches
// Graph. The error is one line. Unlike gh, $ENV and env see no process
// environment (see below).
func CompileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid jq expression %q: %s", expr, oneLine(err.Error()))
	}
	// No WithEnvironLoader: $ENV would let `--jq '$ENV.ODSHARE_ACCESS_TOKEN'` print a token, and
	// only `auth token` may ever print one.
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("invalid jq expression %q: %s", expr, oneLine(err.Error()))
	}
	return code, nil
}

// writeJQResult prints one jq result as described on WriteJSON.
func writeJQResult(buf *bytes.Buffer, v any, indent string, tty bool) error {
	switch x := v.(type) {
	case nil:
		// gh prints "" for null; the newline keeps line counts aligned.
	case string:
		if tty {
			x = SanitizeLines(x)
		}
		buf.WriteString(redact.String(x))
	default:
		// gojq.Marshal encodes as jq does (NaN as null, exact big integers,
		// shortest floats, no HTML escaping), unlike gh's two-decimal floats.
		b, err := gojq.Marshal(v)
		if err != nil {
			return fmt.Errorf("jq: encode result: %s", oneLine(err.Error()))
		}
		if indent != "" {
			var ib bytes.Buffer
			if err := json.Indent(&ib, b, "", indent); err != nil {
				return fmt.Errorf("jq: encode result: %s", oneLine(err.Error()))
			}
			b = ib.Bytes()
		}
		buf.Write(escapeUnsafeJSON(redact.JSON(b)))
	}
	buf.WriteByte('\n')
	return nil
}

// SanitizeLines is Sanitize for multi-line text shown on a terminal (a raw --jq
// string, a sign-in message, an error): line breaks stay line breaks, every
// other control is escaped.
func SanitizeLines(s string) string {
	if !strings.Contains(s, "\n") {
		return Sanitize(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Sanitize(l)
	}
	return strings.Join(lines, "\n")
}

// decodeJSON decodes one JSON document into the value types gojq accepts,
// keeping every number exact.
func decodeJSON(raw []byte) (any, error) { return decodeJSONFrom(bytes.NewReader(raw)) }

// decodeJSONFrom is decodeJSON reading from r.
func decodeJSONFrom(r io.Reader) (any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON document")
	}
	return normalizeNumbers(v)
}

// normalizeNumbers replaces json.Number, which gojq does not accept, with int
// when the integer fits, *big.Int when it does not (so a 20-digit id keeps
// every digit), and float64 otherwise.
func normalizeNumbers(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if n, err := strconv.Atoi(s); err == nil {
				return n, nil
			}
			if n, ok := new(big.Int).SetString(s, 10); ok {
				return n, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", s, err)
		}
		return f, nil
	case map[string]any:
		for k, e := range x {
			n, err := normalizeNumbers(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
	case []any:
		for i, e := range x {
			n, err := normalizeNumbers(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
	}
	return v, nil
}

// escapeUnsafeJSON rewrites, in valid JSON text, runes that Sanitize would
// escape but JSON allows raw: C1 controls, bidi controls, U+2028/U+2029, and
// invalid UTF-8 (as \ufffd). In valid JSON such runes can only occur inside
// strings, where \uXXXX means the same thing, so no string tracking is needed.
// C0 controls cannot occur raw in valid JSON. Clean input is returned as is.
func escapeUnsafeJSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if needsEscape(r, size) {
			break
		}
		i += size
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if needsEscape(r, size) {
			if r == utf8.RuneError {
				r = 0xfffd
			}
			out = append(out, '\\', 'u',
				hexDigits[(r>>12)&0xf], hexDigits[(r>>8)&0xf], hexDigits[(r>>4)&0xf], hexDigits[r&0xf])
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// oneLine folds a multi-line message (gojq's halt_error and error/1 can
// carry one) so an error stays on one line of stderr.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", "")), " ")
}

// WriteNDJSONLine writes one JSON value compactly on its own line (JSON Lines). Graph's bytes
// are compacted, not re-encoded, so content and key order stay as Graph sent them (known secrets
// masked, as WriteJSON does); JSON that is not valid is refused.
func WriteNDJSONLine(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return fmt.Errorf("invalid JSON from Graph: %w", err)
	}
	out := escapeUnsafeJSON(redact.JSON(b.Bytes()))
	out = append(out, '\n')
	_, err := w.Write(out)
	return err
}

// writeValidNDJSONLine is WriteNDJSONLine for JSON known to be valid (a value a decoder has read,
// as every listing's items are): one that is already compact and has no rune to escape, as
// Graph's items are, is written as it is after one quick look (ndjsonReady) instead of being
// compacted; any other takes WriteNDJSONLine's way. Known secrets are masked in both (masking
// rewrites only strings, so it comes before the look as well as after compacting).
func writeValidNDJSONLine(w io.Writer, raw []byte) error {
	out := redact.JSON(raw)
	if !ndjsonReady(out) {
		return WriteNDJSONLine(w, raw)
	}
	if _, err := w.Write(out); err != nil {
		return err
	}
	_, err := w.Write(newline)
	return err
}

var newline = []byte{'\n'}

// ndjsonReady reports whether raw, valid JSON, can be written as one line unchanged: it is not
// empty, has no whitespace outside strings (JSON strings cannot hold a raw line break), and no
// rune that escapeUnsafeJSON would rewrite. One pass, with no state but "inside a string".
func ndjsonReady(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(raw[i:])
			if needsEscape(r, size) {
				return false
			}
			i += size - 1
		case in:
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
		case c == '"':
			in = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return true
}

// WriteJSONFormat writes raw in the given JSON format: pretty JSON (or the --jq result) for
// FormatJSON; for FormatNDJSON one compact line per element of an array, or one line for an
// object. --jq always yields jq's own output.
func WriteJSONFormat(ios *iostreams.IOStreams, format Format, raw []byte, jq string) error {
	if format != FormatNDJSON || jq != "" {
		return WriteJSON(ios, raw, jq)
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return WriteNDJSONLine(ios.Out, trimmed)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(trimmed, &items); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	for _, it := range items {
		if err := WriteNDJSONLine(ios.Out, it); err != nil {
			return err
		}
	}
	return nil
}

// JoinJSONArray makes one JSON array of raw values without re-encoding them, so each element
// stays exactly as Graph sent it.
func JoinJSONArray(raws []json.RawMessage) []byte {
	n := 2
	for _, r := range raws {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, r := range raws {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

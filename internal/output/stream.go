package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/odshare/odshare/internal/redact"
)

// JSONArrayWriter writes one JSON array element by element, so a listing too large to hold in
// memory can still be printed as the single array -o json promises. The text is what WriteJSON
// prints for the whole array (two-space indent, unsafe runes escaped, a final newline); each
// element is Graph's JSON unchanged in content (known secrets masked, as WriteJSON does).
type JSONArrayWriter struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

// NewJSONArrayWriter starts an array on w; nothing is written until the first Add or Close.
func NewJSONArrayWriter(w io.Writer) *JSONArrayWriter { return &JSONArrayWriter{w: w} }

// Add writes one element.
func (a *JSONArrayWriter) Add(raw []byte) error {
	a.buf.Reset()
	if a.n == 0 {
		a.buf.WriteString("[\n  ")
	} else {
		a.buf.WriteString(",\n  ")
	}
	if err := json.Indent(&a.buf, bytes.TrimSpace(raw), "  ", "  "); err != nil {
		return fmt.Errorf("invalid JSON from Graph: %w", err)
	}
	a.n++
	_, err := a.w.Write(escapeUnsafeJSON(redact.JSON(a.buf.Bytes())))
	return err
}

// Close ends the array ("[]" when nothing was added).
func (a *JSONArrayWriter) Close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(a.w, end)
	return err
}

package output

import (
	"bufio"
	"encoding/json"
	"io"
)

// NDJSONWriter streams JSON Lines: each value compacted on its own line (WriteNDJSONLine), and
// the buffer flushed after each group, so a listing of any size is printed as it arrives with
// flat memory. Every command that streams -o ndjson writes through one.
type NDJSONWriter struct {
	bw *bufio.Writer
}

// NewNDJSONWriter streams to w.
func NewNDJSONWriter(w io.Writer) *NDJSONWriter { return &NDJSONWriter{bw: bufio.NewWriter(w)} }

// Write writes the values, one line each, and flushes them out.
func (n *NDJSONWriter) Write(raws ...json.RawMessage) error {
	for _, r := range raws {
		if err := WriteNDJSONLine(n.bw, r); err != nil {
			return err
		}
	}
	return n.bw.Flush()
}

// WriteValid is Write for values known to be valid JSON, as a decoder read them (a listing's
// items, sharing.Entry.Raw): those already compact and clean are written without being compacted
// again, so a listing's bytes are scanned once by the decoder and once, quickly, here.
func (n *NDJSONWriter) WriteValid(raws ...json.RawMessage) error {
	for _, r := range raws {
		if err := writeValidNDJSONLine(n.bw, r); err != nil {
			return err
		}
	}
	return n.bw.Flush()
}

// WriteValue marshals v (as MarshalJSON does) and writes it as one line.
func (n *NDJSONWriter) WriteValue(v any) error {
	line, err := MarshalJSON(v)
	if err != nil {
		return err
	}
	return n.Write(line)
}

package kit

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// ParseRange reads a single-range "bytes=" header against size: a-b, a- or -n, to the first and
// last byte it asks for. valid is false for anything else (several ranges, other units, bad
// numbers), which a server may ignore and answer with the whole content (RFC 9110 §14.2);
// satisfiable is false when the range starts at or past the end (or asks for a zero suffix): 416.
func ParseRange(h string, size int64) (from, to int64, satisfiable, valid bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, false, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, false, true
		}
		return max(0, size-n), size - 1, true, true
	}
	from, err := strconv.ParseInt(a, 10, 64)
	if err != nil || from < 0 {
		return 0, 0, false, false
	}
	to = size - 1
	if b != "" {
		if to, err = strconv.ParseInt(b, 10, 64); err != nil || to < from {
			return 0, 0, false, false
		}
		to = min(to, size-1)
	}
	if from >= size {
		return 0, 0, false, true
	}
	return from, to, true, true
}

// FlipFirst flips one bit of the first byte written through it to W, as a broken proxy or disk
// might: a download host's corrupt switch.
type FlipFirst struct {
	W    io.Writer
	done bool
}

func (f *FlipFirst) Write(p []byte) (int, error) {
	if !f.done && len(p) > 0 {
		f.done = true
		q := append([]byte(nil), p...)
		q[0] ^= 1
		return f.W.Write(q)
	}
	return f.W.Write(p)
}

// CountingWriter counts the bytes written through it (a download host's bytes served) with Add:
// before each write, so that whoever has received the bytes finds them counted (a count made after
// the handler returns could lag behind the client), and less what a failed write did not send.
type CountingWriter struct {
	W   io.Writer
	Add func(n int64)
}

func (c *CountingWriter) Write(p []byte) (int, error) {
	c.Add(int64(len(p)))
	n, err := c.W.Write(p)
	if n < len(p) {
		c.Add(int64(n - len(p)))
	}
	return n, err
}

// ContentHeader starts a download's answer of size bytes, given r's Range: with ignoreRange, 200
// and everything, as a server that can't serve ranges; otherwise Accept-Ranges: bytes and, for one
// satisfiable range, 206 with Content-Range; a range past the end is 416 with "bytes */size",
// answered in full here (ok false); several ranges or a malformed header get 200 and everything
// (RFC 9110 allows it). It sets Content-Length and writes the status; the caller writes bytes
// [from, to) unless the request is HEAD.
func ContentHeader(w http.ResponseWriter, r *http.Request, size int64, ignoreRange bool) (from, to int64, ok bool) {
	h := w.Header()
	from, to, status := int64(0), size, http.StatusOK
	if !ignoreRange {
		h.Set("Accept-Ranges", "bytes")
		if rg := r.Header.Get("Range"); rg != "" {
			a, b, sat, valid := ParseRange(rg, size)
			switch {
			case valid && !sat:
				h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
				h.Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				_, _ = io.WriteString(w, "The requested range is not satisfiable.\n")
				return 0, 0, false
			case valid:
				from, to, status = a, b+1, http.StatusPartialContent
				h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, size))
			}
		}
	}
	h.Set("Content-Length", strconv.FormatInt(to-from, 10))
	w.WriteHeader(status)
	return from, to, true
}

// CutShort ends an answer whose body was cut short on purpose (a truncate fault): what was written
// is flushed, then the connection is closed, so the client sees fewer bytes than Content-Length.
// w must be the server's own ResponseWriter (Hijack).
func CutShort(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

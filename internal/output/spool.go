package output

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// spoolPattern names the temporary file a spool spills to: the first user was -o json
// --recursive of `share children`, whose name it keeps.
const spoolPattern = "odshare-children-*.json"

// spillAt is how much a spool holds in memory before it moves to a temporary file: a listing of a
// few thousand items never touches the disk, and a large one costs at most this much memory.
var spillAt = 1 << 20

// removeStaleSpools deletes the spool files that runs killed before their cleanup (SIGKILL, a
// crash, a power cut) left in the temporary directory. It is used where an open file can't be
// unlinked (Windows): there a spool still open by a running odshare can't be deleted either, so
// removing every one that can be removed only ever removes leftovers.
func removeStaleSpools() {
	names, _ := filepath.Glob(filepath.Join(os.TempDir(), spoolPattern))
	for _, n := range names {
		if fi, err := os.Lstat(n); err == nil && fi.Mode().IsRegular() {
			_ = os.Remove(n)
		}
	}
}

// spool keeps what is written to it, in order, for reading back once complete: in memory up to
// spillAt bytes, then in a temporary file. It is how output that must not reach stdout before the
// command has succeeded (a JSON array, a table) is held without holding it in memory. On Unix the
// file is unlinked as soon as it is created, so even a killed odshare leaves nothing behind;
// elsewhere each run removes the spools killed runs left.
type spool struct {
	mem  bytes.Buffer
	file *os.File
	bw   *bufio.Writer
	size int64
}

// Write appends p, moving to a file when memory holds spillAt bytes.
func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(p) > spillAt {
		f, err := openSpool()
		if err != nil {
			return 0, err
		}
		s.file, s.bw = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := s.bw.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.mem = bytes.Buffer{}
	}
	var n int
	var err error
	if s.file != nil {
		n, err = s.bw.Write(p)
	} else {
		n, err = s.mem.Write(p)
	}
	s.size += int64(n)
	return n, err
}

// Size is how many bytes were written.
func (s *spool) Size() int64 { return s.size }

// ReaderAt returns what was written, for reading at any offset; writing after it is not allowed.
func (s *spool) ReaderAt() (io.ReaderAt, error) {
	if s.file == nil {
		return bytes.NewReader(s.mem.Bytes()), nil
	}
	if err := s.bw.Flush(); err != nil {
		return nil, err
	}
	return s.file, nil
}

// Reader returns what was written, from the start.
func (s *spool) Reader() (io.Reader, error) {
	r, err := s.ReaderAt()
	if err != nil {
		return nil, err
	}
	return io.NewSectionReader(r, 0, s.size), nil
}

// spilled reports whether the spool has moved to a file.
func (s *spool) spilled() bool { return s.file != nil }

// Close drops what was written and removes the file.
func (s *spool) Close() {
	s.mem = bytes.Buffer{}
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}

// SpooledArray is one JSON array written element by element to a spool, then copied to the output
// once complete: -o json promises one array, and stdout must stay empty when the command fails
// part-way, yet the array can be too large for memory.
type SpooledArray struct {
	sp  spool
	arr *JSONArrayWriter
}

// NewSpooledArray starts an empty spooled array.
func NewSpooledArray() *SpooledArray {
	s := &SpooledArray{}
	s.arr = NewJSONArrayWriter(&s.sp)
	return s
}

// Add spools one element.
func (s *SpooledArray) Add(raw []byte) error { return s.arr.Add(raw) }

// CopyTo ends the array and copies it to w.
func (s *SpooledArray) CopyTo(w io.Writer) error {
	if err := s.arr.Close(); err != nil {
		return err
	}
	r, err := s.sp.Reader()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// Close removes the spool.
func (s *SpooledArray) Close() { s.sp.Close() }

package output

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// spoolPattern names the temporary file a JSON array is spooled to (SpooledArray): the first
// user was -o json --recursive of `share children`, whose name it keeps.
const spoolPattern = "odshare-children-*.json"

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

// SpooledArray is one JSON array written element by element to a temporary file, then copied to
// the output once complete: -o json promises one array, and stdout must stay empty when the
// command fails part-way, yet the array can be too large for memory. On Unix the file is unlinked
// as soon as it is created, so even a killed odshare leaves nothing behind; elsewhere each run
// removes the spools killed runs left.
type SpooledArray struct {
	tmp *os.File
	bw  *bufio.Writer
	arr *JSONArrayWriter
}

// NewSpooledArray creates the spool.
func NewSpooledArray() (*SpooledArray, error) {
	tmp, err := openSpool()
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(tmp)
	return &SpooledArray{tmp: tmp, bw: bw, arr: NewJSONArrayWriter(bw)}, nil
}

// Add spools one element.
func (s *SpooledArray) Add(raw []byte) error { return s.arr.Add(raw) }

// CopyTo ends the array and copies it to w.
func (s *SpooledArray) CopyTo(w io.Writer) error {
	if err := s.arr.Close(); err != nil {
		return err
	}
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if _, err := s.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.tmp)
	return err
}

// Close removes the spool.
func (s *SpooledArray) Close() {
	s.tmp.Close()
	os.Remove(s.tmp.Name())
}

package share

import (
	"os"
	"path/filepath"
)

// spoolPattern names the temporary file that -o json --recursive spools the listing to, so
// that stdout stays empty when the walk fails.
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

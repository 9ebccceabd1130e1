//go:build !unix

package output

import "os"

// openSpool creates the spool file after removing those earlier runs left: an open file can't be
// unlinked here, so a killed run leaves its spool for the next one to remove.
func openSpool() (*os.File, error) {
	removeStaleSpools()
	return os.CreateTemp("", spoolPattern)
}

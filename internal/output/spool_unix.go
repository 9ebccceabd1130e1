//go:build unix

package output

import "os"

// openSpool creates the spool file and unlinks it at once: the data lives as long as the open
// descriptor, so no way of ending odshare, SIGKILL included, can leave the file behind.
func openSpool() (*os.File, error) {
	f, err := os.CreateTemp("", spoolPattern)
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

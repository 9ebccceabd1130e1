//go:build !windows

package config

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// currentUID is the user whose config this is.
func currentUID() int { return os.Getuid() }

func checkInfo(path, what string, fi fs.FileInfo, uid int) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid && st.Uid != 0 {
		return &UnsafeError{Path: path, What: what, Reason: fmt.Sprintf("owned by another user (uid %d)", st.Uid),
			Fix: "use a directory of your own (ODSHARE_CONFIG_DIR) or chown it"}
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return &UnsafeError{Path: path, What: what, Reason: fmt.Sprintf("writable by group or others (mode %#o)", perm),
			Fix: "run chmod go-w " + shellQuote(path)}
	}
	return nil
}

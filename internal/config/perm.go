package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// UnsafeError refuses a config directory or config file that someone other than the user could
// change: whoever can write config.yaml can point graph_endpoint or authority_host at their own server
// and collect the user's tokens, and whoever can write the directory can replace config.yaml or the
// token cache. odshare refuses it as ssh does with StrictModes ("Bad owner or permissions"), rather than
// change modes behind the user's back, and says how to fix it. It exits 1.
type UnsafeError struct {
	Path   string
	What   string // "config directory" or "config file"
	Reason string
	Fix    string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s is %s, so another user could redirect sign-in and Graph to a server of theirs; refusing to use it: %s",
		e.What, e.Path, e.Reason, e.Fix)
}

// checkPrivate refuses a config directory or config file (followed if it is a symlink, which
// dotfile managers use) that is writable by group or others or owned by another user (root
// excepted). A path that does not exist yet is fine: odshare creates it private.
func checkPrivate(path, what string, uid int) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	return checkInfo(path, what, fi, uid)
}

// shellQuote quotes a path for a POSIX shell unless it is plain, so the fix can be pasted.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:,@%=", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

//go:build unix

package auth

import (
	"os/exec"
	"syscall"
)

// detach puts the opener in its own process group, so Ctrl-C in odshare's terminal stops odshare,
// not the user's browser.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

//go:build !windows

package auth

import "syscall"

// oNoFollow makes opening a symlink fail instead of opening what it points at.
const oNoFollow = syscall.O_NOFOLLOW

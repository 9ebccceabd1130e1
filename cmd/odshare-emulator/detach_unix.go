//go:build unix

package main

import "syscall"

// detachedAttr starts the background emulator in a session of its own, so the shell's Ctrl-C and
// hang-up do not reach it.
func detachedAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

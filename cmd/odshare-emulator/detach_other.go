//go:build !unix

package main

import "syscall"

// detachedAttr has nothing to set where there are no sessions.
func detachedAttr() *syscall.SysProcAttr { return nil }

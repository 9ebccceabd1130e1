//go:build windows

package config

import "io/fs"

// currentUID has no meaning on Windows, where ACLs, not mode bits, protect the profile directory.
func currentUID() int { return -1 }

func checkInfo(string, string, fs.FileInfo, int) error { return nil }

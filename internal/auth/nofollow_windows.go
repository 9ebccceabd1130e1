//go:build windows

package auth

// oNoFollow does not exist on Windows; refuseSymlink's Lstat is the check there.
const oNoFollow = 0

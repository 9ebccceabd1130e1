package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/odshare/odshare/internal/emulator/identity"
)

// makeUnwritable stops writes to dir until the returned function is called. Directory modes do that
// for an ordinary user; root writes through them, so as root the package's one file-creation
// primitive (createTemp, used by every cache write) fails for dir instead, as a read-only mount would.
func makeUnwritable(t *testing.T, dir string) (restore func()) {
	t.Helper()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	restoreMode := func() { _ = os.Chmod(dir, 0o700) }
	t.Cleanup(restoreMode)
	probe, err := os.CreateTemp(dir, "probe-*")
	if err != nil {
		return restoreMode // the mode alone stops writes
	}
	probe.Close()
	os.Remove(probe.Name())
	t.Logf("writes to a 0500 directory succeed here (root?): failing createTemp for %s instead", dir)
	orig := createTemp
	createTemp = func(d, pattern string) (*os.File, error) {
		if filepath.Clean(d) == filepath.Clean(dir) {
			return nil, &os.PathError{Op: "createtemp", Path: filepath.Join(d, pattern), Err: syscall.EROFS}
		}
		return orig(d, pattern)
	}
	return func() { createTemp = orig; restoreMode() }
}

// With a config directory that cannot be written, a refresh must not rotate the refresh token on the
// server (the new one could not be saved and the sign-in would be lost): odshare says what is wrong
// and sends nothing, and once the directory is writable again the cached sign-in still works.
func TestReadOnlyCacheDirKeepsTheSignIn(t *testing.T) {
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := filepath.Join(t.TempDir(), "cfg")
	s := p.settings(dir)
	ctx := context.Background()
	p.login(t, s)
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(ctx); err != nil {
		t.Fatal(err)
	}
	refreshes := p.count("refresh_token")

	restore := makeUnwritable(t, dir)
	_, err = src.Refresh(ctx)
	var we *CacheWriteError
	if !errors.As(err, &we) || we.Dir != dir || !strings.Contains(err.Error(), "nothing was sent to the identity platform") {
		t.Errorf("Refresh err = %v, want a CacheWriteError for %s", err, dir)
	}
	if errors.Is(err, ErrNotSignedIn) {
		t.Error("the error says to sign in again; the sign-in is intact")
	}
	if n := p.count("refresh_token"); n != refreshes {
		t.Errorf("the identity platform redeemed the refresh token %d time(s) with nowhere to save the new one", n-refreshes)
	}
	// A device-code sign-in is refused before a code is even requested.
	if _, err := LoginDeviceCode(ctx, s, func(string) { t.Error("a device code was shown") }); !errors.As(err, &we) {
		t.Errorf("LoginDeviceCode err = %v, want a CacheWriteError", err)
	}

	restore()
	if _, err := src.Refresh(ctx); err != nil {
		t.Errorf("the sign-in was lost: %v", err)
	}
	if n := p.count("refresh_token"); n != refreshes+1 {
		t.Errorf("refreshes = %d, want %d", n, refreshes+1)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".probe-") || strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// A token cache that is a symbolic link is never followed: its target is neither read, nor
// chmodded, nor overwritten, and the link is not replaced by a file.
func TestCacheSymlinkIsNeverFollowed(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "victim.json")
	victim := []byte(`{"Account":{"planted":{}}}`)
	if err := os.WriteFile(elsewhere, victim, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(elsewhere, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, cacheFileName)
	if err := os.Symlink(elsewhere, path); err != nil {
		t.Fatal(err)
	}
	fc := newFileCache(path, Storage{})
	ctx := context.Background()
	m := &memCache{}
	err := fc.do(ctx, func(ctx context.Context) error { return fc.Replace(ctx, m, cache.ReplaceHints{}) })
	var ce *CacheError
	if !errors.As(err, &ce) || !errors.Is(err, errCacheSymlink) || ce.Path != path {
		t.Fatalf("Replace err = %v, want a CacheError for the symlink", err)
	}
	if m.data != nil {
		t.Errorf("MSAL was given the link's target: %s", m.data)
	}
	// An Export (a future MSAL that writes without reading first) must not replace the link.
	err = fc.do(ctx, func(ctx context.Context) error {
		return fc.Export(ctx, &memCache{data: []byte(`{"Account":{"new":{}}}`)}, cache.ExportHints{})
	})
	if !errors.Is(err, errCacheSymlink) {
		t.Errorf("Export err = %v, want refusal", err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if got := perm(t, elsewhere); got != 0o644 {
		t.Errorf("the target's mode changed to %v", got)
	}
	if b, _ := os.ReadFile(elsewhere); string(b) != string(victim) {
		t.Errorf("the target changed: %s", b)
	}
	if _, err := Accounts(Settings{ConfigDir: dir}); !errors.Is(err, errCacheSymlink) {
		t.Errorf("Accounts err = %v, want the symlink refused", err)
	}
}

func TestCacheLockSymlinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "not-yours")
	path := filepath.Join(dir, cacheFileName)
	if err := os.Symlink(target, path+lockFileSuffix); err != nil {
		t.Fatal(err)
	}
	fc := newFileCache(path, Storage{})
	err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	})
	if !errors.Is(err, errCacheSymlink) {
		t.Errorf("err = %v, want the lock symlink refused", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock link's target was created: %v", err)
	}
}

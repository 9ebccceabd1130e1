//go:build !windows

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigDirWritableByOthersIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odshare")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	for _, mode := range []os.FileMode{0o777, 0o770, 0o702, 0o1777} {
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		_, err := Load(nil)
		var ue *UnsafeError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "writable by group or others") || !strings.Contains(err.Error(), "chmod go-w "+dir) {
			t.Errorf("mode %#o: Load err = %v", mode, err)
		}
		if err := Set(dir, "output", "json"); !errors.As(err, &ue) {
			t.Errorf("mode %#o: Set err = %v", mode, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Set wrote into the unsafe directory: %v", err)
	}
	for _, mode := range []os.FileMode{0o700, 0o755, 0o750} {
		_ = os.Chmod(dir, mode)
		if _, err := Load(nil); err != nil {
			t.Errorf("mode %#o: %v", mode, err)
		}
	}
}

func TestConfigFileWritableByOthersIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	file := filepath.Join(dir, FileName)
	if err := os.WriteFile(file, []byte("graph_endpoint: https://attacker.example/v1.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(file, 0o666)
	if _, err := Load(nil); err == nil || !strings.Contains(err.Error(), "config file "+file+" is writable by group or others") {
		t.Errorf("Load err = %v", err)
	}
}

// A directory owned by someone else (not root) is refused like ssh's StrictModes. As root the
// directory is given to another uid; otherwise the expected uid is injected.
func TestConfigDirOwnedByAnotherUserIsRefused(t *testing.T) {
	dir := t.TempDir()
	uid := os.Getuid() + 1
	if os.Getuid() == 0 {
		if err := checkPrivate(dir, "config directory", 0); err != nil {
			t.Errorf("own directory refused: %v", err)
		}
		if err := os.Chown(dir, 4242, 4242); err != nil {
			t.Fatal(err)
		}
		uid = 0
	}
	if err := checkPrivate(dir, "config directory", uid); err == nil || !strings.Contains(err.Error(), "owned by another user") {
		t.Errorf("err = %v", err)
	}
}

// A symlinked config.yaml (dotfile managers) is read through, and Set writes where it points,
// leaving the link a link.
func TestConfigFileSymlinkIsFollowed(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	t.Setenv("ODSHARE_OUTPUT", "")
	dotfiles := t.TempDir()
	target := filepath.Join(dotfiles, "odshare.yaml")
	if err := os.WriteFile(target, []byte("output: json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, FileName)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	c, err := Load(nil)
	if err != nil || c.Output != "json" {
		t.Fatalf("Load through the link: %v, output %q", err, c.Output)
	}
	if err := Set(dir, "tenant", "contoso.example"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("config.yaml is no longer a link: %v", err)
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "tenant: contoso.example") || !strings.Contains(string(b), "output: json") {
		t.Errorf("target = %s", b)
	}
}

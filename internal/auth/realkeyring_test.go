package auth

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	boxemu "github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/identity"
	"github.com/odshare/odshare/internal/testutil"
)

// TestRealKeyring signs in to the emulator's Entra and Box stand-ins with the real OS keyring: a
// private D-Bus session (dbus-run-session) with gnome-keyring-daemon unlocked in it, as
// zalando/go-keyring's own CI does, and a HOME of its own so the machine's keyring is never touched.
// The test re-runs itself inside that session (realKeyringEnv), where go-keyring reaches the Secret
// Service for real. It proves the caches are encrypted with a key kept there, that no access token,
// refresh token or client secret is in clear in any file of the config directory or of the
// keyring's own storage, and that a new process (the key read back from the daemon) still opens
// them. Under CI=true a missing dbus-run-session or gnome-keyring-daemon fails the test.
func TestRealKeyring(t *testing.T) {
	if os.Getenv(realKeyringEnv) != "" {
		realKeyringChild(t)
		return
	}
	runSession := testutil.Tool(t, "dbus-run-session")
	testutil.Tool(t, "gnome-keyring-daemon")
	home := t.TempDir()
	runtimeDir := filepath.Join(home, "run")
	for _, d := range []string{filepath.Join(home, ".local", "share", "keyrings"), runtimeDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The daemon and the test run in one session: an unlock does not outlive it (apache/iggy#2868).
	script := `printf 'odshare-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97
exec "$0" -test.run='^TestRealKeyring$' -test.count=1 -test.v`
	cmd := exec.CommandContext(ctx, runSession, "--", "sh", "-c", script, os.Args[0])
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "GNOME_KEYRING_CONTROL":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, realKeyringEnv+"=1", "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_RUNTIME_DIR="+runtimeDir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the test in a D-Bus session with gnome-keyring failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestRealKeyring") {
		t.Fatalf("the test in the D-Bus session did not pass:\n%s", out)
	}
	t.Logf("in the D-Bus session:\n%s", out)
}

func realKeyringChild(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no session bus in the child")
	}
	resetKeys()
	home := os.Getenv("HOME")
	dir := filepath.Join(home, ".config", "odshare")
	ctx := context.Background()

	// Microsoft: device-code sign-in, then a refresh.
	p := startIdP(t, identity.Options{AutoApprove: true})
	s := p.settings(dir)
	p.login(t, s)
	if got := CacheStorageOf(filepath.Join(dir, cacheFileName)); got != StorageKeyring {
		t.Fatalf("MSAL cache is %q with a working Secret Service, want %q", got, StorageKeyring)
	}
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	// Box: a browser sign-in, then a renewal.
	b := startBox(t, true)
	bs := b.settings(dir)
	if _, err := LoginBox(ctx, bs, b.browser(t, "", nil), nil); err != nil {
		t.Fatal(err)
	}
	bsrc, _ := NewBoxSource(bs)
	if _, err := bsrc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	boxPath := filepath.Join(dir, boxCacheFileName)
	if got := CacheStorageOf(boxPath); got != StorageKeyring {
		t.Fatalf("Box cache is %q, want %q", got, StorageKeyring)
	}

	// A new process: nothing in memory, the key comes back from the daemon.
	resetKeys()
	data, err := newFileCache(boxPath, Storage{}).read()
	if err != nil {
		t.Fatalf("reopening the Box cache with the key from the Secret Service: %v", err)
	}
	bc, err := parseBoxCache(data)
	if err != nil || len(bc.Accounts) != 1 || bc.Accounts[0].RefreshToken == "" {
		t.Fatalf("Box cache %+v, %v", bc, err)
	}
	if _, err := NewDelegatedSource(s); err != nil {
		t.Fatal(err)
	}
	src2, _ := NewDelegatedSource(s)
	if _, err := src2.Token(ctx); err != nil {
		t.Fatalf("MSAL cache after a restart: %v", err)
	}
	abs, _ := filepath.Abs(dir)
	if k, err := keyring.Get(keyringService, keyringUser+abs); err != nil || len(k) != 44 {
		t.Fatalf("the key in the Secret Service: %d chars, %v", len(k), err)
	}

	// No token or secret in clear, in the config directory or in the keyring's own files.
	p.mu.Lock()
	secrets := append([]string(nil), p.secrets...)
	p.mu.Unlock()
	secrets = append(secrets, bc.Accounts[0].AccessToken, bc.Accounts[0].RefreshToken, boxemu.DemoClientSecret)
	noClearSecrets(t, dir, secrets)
	keyrings := filepath.Join(home, ".local", "share", "keyrings")
	entries, _ := os.ReadDir(keyrings)
	if len(entries) == 0 {
		t.Fatalf("gnome-keyring wrote nothing in %s: was the key stored elsewhere?", keyrings)
	}
	noClearSecrets(t, keyrings, secrets)

	// Logout of everything takes the key out of the keyring.
	if _, err := Logout(s, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := BoxLogout(ctx, bs, ""); err != nil {
		t.Fatal(err)
	}
	ForgetCacheKey(dir)
	if _, err := keyring.Get(keyringService, keyringUser+abs); err != keyring.ErrNotFound {
		t.Errorf("key still in the keyring after logout: %v", err)
	}
}

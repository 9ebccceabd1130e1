package auth

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	boxemu "github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/identity"
)

// fakeKeyring is an in-memory OS keyring; hang makes every call block until released.
type fakeKeyring struct {
	mu   sync.Mutex
	m    map[string]string
	hang chan struct{}
	sets int
}

func (k *fakeKeyring) wait() {
	k.mu.Lock()
	h := k.hang
	k.mu.Unlock()
	if h != nil {
		<-h
	}
}

func (k *fakeKeyring) Get(s, u string) (string, error) {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[s+"\x00"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *fakeKeyring) Set(s, u, p string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[s+"\x00"+u] = p
	k.sets++
	return nil
}

func (k *fakeKeyring) Delete(s, u string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[s+"\x00"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, s+"\x00"+u)
	return nil
}

// useFakeKeyring makes the package talk to an in-memory keyring for the test.
func useFakeKeyring(t *testing.T) *fakeKeyring {
	t.Helper()
	k := &fakeKeyring{m: map[string]string{}}
	ob, or := backend, backendReady
	backend, backendReady = k, func() error { return nil }
	resetKeys()
	t.Cleanup(func() { backend, backendReady = ob, or; resetKeys() })
	return k
}

// noClearSecrets fails if any file under dir holds one of secrets in clear.
func noClearSecrets(t *testing.T, dir string, secrets []string) {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, s := range secrets {
			if len(s) >= 8 && strings.Contains(string(b), s) {
				t.Errorf("%s holds a token in clear (%d chars)", path, len(s))
			}
			n++
		}
		return nil
	})
	if n == 0 {
		t.Errorf("no file or no secret to check under %s", dir)
	}
}

func TestKeyringEncryptsMigratesAndLosesKey(t *testing.T) {
	k := useFakeKeyring(t)
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := filepath.Join(t.TempDir(), "cfg")
	ctx := context.Background()

	// A plain cache from before (or from --insecure-storage)...
	plain := p.settings(dir)
	plain.Storage = Storage{File: true}
	p.login(t, plain)
	if got := CacheStorageOf(filepath.Join(dir, cacheFileName)); got != StorageFile {
		t.Fatalf("storage %q, want a plain file", got)
	}
	// ...is migrated by the next refresh.
	var notices []string
	s := p.settings(dir)
	s.Storage = Storage{Notice: func(m string) { notices = append(notices, m) }}
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := CacheStorageOf(filepath.Join(dir, cacheFileName)); got != StorageKeyring {
		t.Fatalf("after a refresh the cache is %q, want encrypted", got)
	}
	if len(notices) != 0 || k.sets != 1 {
		t.Errorf("notices %q, %d keys stored", notices, k.sets)
	}
	p.mu.Lock()
	secrets := append([]string(nil), p.secrets...)
	p.mu.Unlock()
	noClearSecrets(t, dir, secrets)
	if _, err := src.Token(ctx); err != nil {
		t.Errorf("token from the encrypted cache: %v", err)
	}
	if accts, err := Accounts(s); err != nil || len(accts) != 1 {
		t.Errorf("Accounts = %v, %v", accts, err)
	}

	// The file is bound to its name: the delegated cache copied over the app-only one won't open.
	b, _ := os.ReadFile(filepath.Join(dir, cacheFileName))
	if err := os.WriteFile(filepath.Join(dir, appCacheFileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = newFileCache(filepath.Join(dir, appCacheFileName), s.Storage).snapshot(ctx)
	var ke *KeyError
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "damaged or was altered") {
		t.Errorf("swapped file: %v", err)
	}
	os.Remove(filepath.Join(dir, appCacheFileName))

	// A lost key: "sign in again" (exit 4), never a crash; a new sign-in replaces the file.
	k.mu.Lock()
	clear(k.m)
	k.mu.Unlock()
	resetKeys()
	src, _ = NewDelegatedSource(s)
	_, err = src.Token(ctx)
	if !errors.Is(err, ErrNotSignedIn) || !errors.As(err, &ke) || !strings.Contains(err.Error(), "no longer in the OS keyring") {
		t.Fatalf("lost key: %v", err)
	}
	p.login(t, s)
	if _, err := src.Token(ctx); err != nil {
		t.Errorf("after signing in again: %v", err)
	}
	if k.sets != 2 {
		t.Errorf("%d keys stored, want a new one after the loss", k.sets)
	}
	// Logging everything out removes the key too.
	if _, err := Logout(s, ""); err != nil {
		t.Fatal(err)
	}
	ForgetCacheKey(dir)
	if len(k.m) != 0 {
		t.Errorf("key left in the keyring after logout: %v", k.m)
	}
}

func TestKeyringTimeoutFallsBackToFile(t *testing.T) {
	k := useFakeKeyring(t)
	k.hang = make(chan struct{})
	defer close(k.hang)
	defer func(d time.Duration) { keyringTimeout = d }(keyringTimeout)
	keyringTimeout = 100 * time.Millisecond
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := t.TempDir()
	var notices []string
	s := p.settings(dir)
	s.Storage = Storage{Notice: func(m string) { notices = append(notices, m) }}
	noticeOnce = sync.Once{}
	start := time.Now()
	p.login(t, s)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("sign-in took %v with an unanswering keyring", d)
	}
	if got := CacheStorageOf(filepath.Join(dir, cacheFileName)); got != StorageFile {
		t.Errorf("storage %q, want the plain file", got)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "No OS keyring answered") || !strings.Contains(notices[0], "did not answer within") {
		t.Errorf("notices %q", notices)
	}
	if fi, err := os.Stat(filepath.Join(dir, cacheFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("plain cache %v, %v", fi, err)
	}
	// A later process refreshing the plain cache says nothing: the notice came with the sign-in.
	noticeOnce = sync.Once{}
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(notices) != 1 {
		t.Errorf("a refresh of the plain cache repeated the notice: %q", notices)
	}
}

func TestNoSessionBusNeverCallsTheKeyring(t *testing.T) {
	k := useFakeKeyring(t)
	backendReady = checkSessionBus
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if err := checkSessionBus(); !errors.Is(err, errNoBus) {
		if _, statErr := os.Stat("/run/user"); statErr == nil {
			t.Skipf("this machine has a session bus socket under /run/user: %v", err)
		}
		t.Fatalf("checkSessionBus = %v, want errNoBus", err)
	}
	if _, err := cacheKey(t.TempDir(), true); !errors.Is(err, errNoBus) {
		t.Errorf("cacheKey = %v", err)
	}
	if k.sets != 0 {
		t.Error("the keyring was called without a bus")
	}
	// A bus socket in $XDG_RUNTIME_DIR is handed to godbus as the address, so it never autolaunches.
	rt := t.TempDir()
	sock := filepath.Join(rt, "bus")
	ln, err := listenUnix(sock)
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	if err := checkSessionBus(); err != nil || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "unix:path="+sock {
		t.Errorf("with %s: %v, address %q", sock, err, os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	}
}

func TestBoxCacheEncrypted(t *testing.T) {
	k := useFakeKeyring(t)
	p := startBox(t, true)
	dir := t.TempDir()
	s := p.settings(dir)
	ctx := context.Background()
	if _, err := LoginBox(ctx, s, p.browser(t, "", nil), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, boxCacheFileName)
	if got := CacheStorageOf(path); got != StorageKeyring {
		t.Fatalf("Box cache is %q", got)
	}
	src, _ := NewBoxSource(s)
	tok, err := src.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := newFileCache(path, s.Storage).read()
	if err != nil {
		t.Fatal(err)
	}
	bc, err := parseBoxCache(data)
	if err != nil || len(bc.Accounts) != 1 || bc.Accounts[0].RefreshToken == "" {
		t.Fatalf("decrypted Box cache: %+v, %v", bc, err)
	}
	noClearSecrets(t, dir, []string{tok, bc.Accounts[0].RefreshToken, boxemu.DemoClientSecret})
	k.mu.Lock()
	clear(k.m)
	k.mu.Unlock()
	resetKeys()
	src, _ = NewBoxSource(s)
	if _, err := src.Token(ctx); !errors.Is(err, ErrBoxNotSignedIn) || !strings.Contains(err.Error(), "--provider box") {
		t.Errorf("lost key: %v", err)
	}
}

func listenUnix(path string) (net.Listener, error) { return net.Listen("unix", path) }

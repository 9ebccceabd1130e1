package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/zalando/go-keyring"
)

// The token caches' key lives in the OS credential store through github.com/zalando/go-keyring
// (pure Go: Secret Service over D-Bus on Linux and the BSDs, the Keychain through /usr/bin/security
// on macOS, Credential Manager on Windows). Only a 32-byte key is stored, base64 (44 characters),
// never a cache: Windows' credentials hold at most 2,560 bytes and MSAL's cache outgrows that
// (notes next-features.md §4). One key per config directory: service "odshare", user
// "token-cache-key:" + the directory's absolute path.
const (
	keyringService = "odshare"
	keyringUser    = "token-cache-key:"
	keyLen         = 32
	keyLockName    = "token_key.lock"
)

// keyringTimeout bounds every keyring call, as gh does (3 s): a Secret Service that shows a prompt
// nobody answers, or a D-Bus that never replies, must not hold a command.
var keyringTimeout = 3 * time.Second

// errKeyNotFound means the keyring answered and holds no key for this config directory.
var errKeyNotFound = errors.New("no key in the OS keyring")

// errNoBus means there is no D-Bus session bus to reach a Secret Service through.
var errNoBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and no bus socket exists)")

// keyBackend is go-keyring's API; tests substitute an in-memory or failing one.
type keyBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

var (
	backend      keyBackend = goKeyring{}
	backendReady            = checkSessionBus // nil error: the backend may be called
)

// keys holds, per config directory, the key (or the failure) this process already met, so one
// command asks the keyring at most once for a key and waits for an unanswering one at most once.
var keys = struct {
	sync.Mutex
	m map[string]keyResult
}{m: map[string]keyResult{}}

type keyResult struct {
	key []byte
	err error
}

// resetKeys forgets what the keyring answered (tests).
func resetKeys() {
	keys.Lock()
	keys.m = map[string]keyResult{}
	keys.Unlock()
}

// cacheKey returns the key for the caches in dir: from the keyring, or, with create and none there,
// a new random one stored first. Creating happens under a file lock in dir so that two processes
// signing in at once agree on one key.
func cacheKey(dir string, create bool) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	keys.Lock()
	defer keys.Unlock()
	if r, ok := keys.m[abs]; ok && (r.err == nil || !errors.Is(r.err, errKeyNotFound) || !create) {
		return r.key, r.err
	}
	key, err := loadKey(abs)
	if errors.Is(err, errKeyNotFound) && create {
		key, err = createKey(abs)
	}
	keys.m[abs] = keyResult{key, err}
	return key, err
}

func loadKey(abs string) ([]byte, error) {
	if err := backendReady(); err != nil {
		return nil, err
	}
	s, err := withTimeout(func() (string, error) { return backend.Get(keyringService, keyringUser+abs) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, errKeyNotFound
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != keyLen {
		return nil, errors.New("the token cache key in the OS keyring is not one odshare wrote")
	}
	return key, nil
}

func createKey(abs string) ([]byte, error) {
	if err := os.MkdirAll(abs, cacheDirMode); err != nil {
		return nil, err
	}
	lock := flock.New(filepath.Join(abs, keyLockName), flock.SetPermissions(cacheFileMode))
	if err := refuseSymlink(lock.Path()); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultLockWait)
	defer cancel()
	if ok, err := lock.TryLockContext(ctx, lockRetryDelay); err != nil || !ok {
		return nil, fmt.Errorf("lock %s: %v", lock.Path(), err)
	}
	defer func() { _ = lock.Unlock() }()
	if key, err := loadKey(abs); !errors.Is(err, errKeyNotFound) {
		return key, err // another process made it meanwhile, or the keyring failed
	}
	key := make([]byte, keyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(key)
	if _, err := withTimeout(func() (string, error) { return "", backend.Set(keyringService, keyringUser+abs, enc) }); err != nil {
		return nil, err
	}
	// Read it back: a store that accepts a secret and then can't return it would leave files
	// nobody can open.
	back, err := loadKey(abs)
	if err != nil {
		return nil, fmt.Errorf("the OS keyring took the key but did not give it back: %w", err)
	}
	if string(back) != string(key) {
		return nil, errors.New("the OS keyring gave back a different key")
	}
	return key, nil
}

// deleteKey removes dir's key from the keyring (logout of everything), best effort.
func deleteKey(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil || backendReady() != nil {
		return
	}
	_, _ = withTimeout(func() (string, error) { return "", backend.Delete(keyringService, keyringUser+abs) })
	keys.Lock()
	delete(keys.m, abs)
	keys.Unlock()
}

// withTimeout runs a keyring call, giving up after keyringTimeout. A call that never returns is left
// to finish in its goroutine: go-keyring takes no context.
func withTimeout(fn func() (string, error)) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := fn()
		ch <- res{s, err}
	}()
	t := time.NewTimer(keyringTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-t.C:
		return "", fmt.Errorf("%s did not answer within %v", keyringName(), keyringTimeout)
	}
}

// checkSessionBus reports whether go-keyring can reach a Secret Service without starting anything.
// godbus, asked for the session bus with no DBUS_SESSION_BUS_ADDRESS and no /run/user/UID/bus, runs
// dbus-launch, which starts a bus per command in a headless container (cli/cli#7582) or fails; so
// odshare looks first, and on finding only $XDG_RUNTIME_DIR/bus tells godbus that address itself.
// Other systems have no such step.
func checkSessionBus() error {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	var dirs []string
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	if u, err := user.Current(); err == nil {
		dirs = append(dirs, filepath.Join("/run/user", u.Uid))
	}
	for _, d := range dirs {
		sock := filepath.Join(d, "bus")
		if fi, err := os.Stat(sock); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
		}
	}
	return errNoBus
}

// keyringName names this system's credential store for people.
func keyringName() string {
	switch runtime.GOOS {
	case "darwin":
		return "the macOS Keychain"
	case "windows":
		return "Windows Credential Manager"
	}
	return "the Secret Service (D-Bus)"
}

// ForgetCacheKey removes the config directory's token cache key from the OS keyring once no cache
// file is left in dir (logout of everything). It never asks a keyring when none is reachable.
func ForgetCacheKey(dir string) {
	for _, name := range []string{cacheFileName, appCacheFileName, boxCacheFileName} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return
		}
	}
	deleteKey(dir)
}

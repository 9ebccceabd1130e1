package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/gofrs/flock"
)

// Default waits for the cache lock. lockWait bounds a wait whose ctx has no deadline (cache.go in
// MSAL asks implementers to choose one); it is longer than MSAL's own 30 s per HTTP call
// (apps/internal/oauth/ops/internal/comm/comm.go) so a process that holds the lock across one
// refresh is normally waited for rather than reported as stuck.
const (
	defaultLockWait  = 45 * time.Second
	lockRetryDelay   = 10 * time.Millisecond
	cacheFileMode    = 0o600
	cacheDirMode     = 0o700
	lockFileSuffix   = ".lock"
	tempFilePattern  = ".tmp-*"
	emptyCacheObject = "{}"
	// maxCacheSize bounds the token cache odshare reads: MSAL's hold a few KB per account.
	maxCacheSize = 16 << 20
)

// errCacheTooLarge is the cause of the *CacheError for a cache file over maxCacheSize.
var errCacheTooLarge = fmt.Errorf("larger than %d MiB, while a token cache holds a few KB per account", maxCacheSize>>20)

// fileCache is MSAL's cache.ExportReplace backed by one JSON file and a flock beside it; see the
// package comment for the locking protocol. One fileCache belongs to one MSAL client.
type fileCache struct {
	path     string
	lockWait time.Duration
	storage  Storage
	// fresh makes an encrypted cache that cannot be opened read as empty (a sign-in, which replaces
	// it) instead of failing with a *KeyError.
	fresh bool

	op sync.Mutex // serialises do(): one MSAL operation at a time per fileCache

	mu         sync.Mutex // guards the fields below; MSAL may call Replace from its goroutines
	lock       *flock.Flock
	held       bool
	dropSecret string // access token to hide from MSAL while loading (Source.Refresh)
	// plainOnDisk says the last read found a plain (unsealed) cache: a write that stays plain
	// has nothing new to tell.
	plainOnDisk bool
}

var _ cache.ExportReplace = (*fileCache)(nil)

func newFileCache(path string, st Storage) *fileCache {
	return &fileCache{
		path:     path,
		storage:  st,
		lockWait: defaultLockWait,
		lock:     flock.New(path+lockFileSuffix, flock.SetPermissions(cacheFileMode)),
	}
}

// do runs one MSAL operation. The lock Replace takes is released when fn returns, whatever
// happened in between (the safety unlock for Replace-without-Export paths), and a token hidden
// with setDrop is visible again to the next operation.
func (c *fileCache) do(ctx context.Context, fn func(context.Context) error) error {
	c.op.Lock()
	defer c.op.Unlock()
	defer func() {
		c.mu.Lock()
		c.dropSecret = ""
		c.mu.Unlock()
		c.release()
	}()
	return fn(ctx)
}

// Replace implements cache.ExportReplace: it takes the file lock (kept until Export or the end of
// do) and loads the file into MSAL's in-memory cache. A missing file loads as an empty cache, so
// a logout by another process is seen here too.
func (c *fileCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if err := c.acquire(ctx); err != nil {
		return err
	}
	data, err := c.read()
	if err != nil {
		c.release()
		return err
	}
	c.mu.Lock()
	drop := c.dropSecret
	c.mu.Unlock()
	if drop != "" {
		data, err = dropAccessToken(data, drop)
		if err != nil {
			c.release()
			return &CacheError{Path: c.path, Err: err}
		}
	}
	if err := u.Unmarshal(data); err != nil {
		c.release()
		return &CacheError{Path: c.path, Err: fmt.Errorf("unexpected content: %s", redactText(err.Error()))}
	}
	return nil
}

// Export implements cache.ExportReplace: it writes MSAL's cache atomically and releases the lock.
// It does not stop for a cancelled ctx: MSAL calls Export after the token endpoint answered, and a
// refresh token rotated by that answer exists nowhere else.
func (c *fileCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	data, err := m.Marshal()
	if err != nil {
		c.release()
		return fmt.Errorf("serialise token cache: %w", err)
	}
	registerSecrets(data) // tokens the identity platform just issued
	c.mu.Lock()
	held := c.held
	c.mu.Unlock()
	if !held {
		// MSAL always calls Replace first; this only guards against a future MSAL that doesn't.
		if err := c.acquire(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	defer c.release()
	return c.write(data)
}

// write stores a cache's JSON atomically, encrypted unless the storage is a plain file (see
// storage.go). The lock must be held.
func (c *fileCache) write(data []byte) error {
	out, err := c.encode(data)
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	return writeFileAtomic(c.path, out)
}

// acquire takes the exclusive file lock unless this fileCache already holds it.
func (c *fileCache) acquire(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), cacheDirMode); err != nil {
		return fmt.Errorf("create token cache directory: %w", err)
	}
	if err := refuseSymlink(c.lock.Path()); err != nil {
		return err
	}
	wctx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, c.lockWait)
		defer cancel()
	}
	ok, err := c.lock.TryLockContext(wctx, lockRetryDelay)
	if err != nil || !ok {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("lock token cache %s: %w", c.lock.Path(), err)
		}
		return fmt.Errorf("token cache %s is locked by another odshare process (waited %s)", c.lock.Path(), c.lockWait)
	}
	c.held = true
	return nil
}

// release drops the file lock if this fileCache holds it. Unlock closes the lock file's
// descriptor, which releases the flock even if the unlock call itself failed.
func (c *fileCache) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		return
	}
	_ = c.lock.Unlock()
	c.held = false
}

// read returns the cache file's JSON, "{}" for a missing or blank file, and a *CacheError for
// anything unreadable or not a JSON object. A file readable by others is tightened to 0600 first.
func (c *fileCache) read() ([]byte, error) {
	c.setPlainOnDisk(false)
	if err := refuseSymlink(c.path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.path, os.O_RDONLY|oNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return []byte(emptyCacheObject), nil
	}
	if err != nil {
		if err := refuseSymlink(c.path); err != nil { // swapped in after the first look (ELOOP)
			return nil, err
		}
		return nil, &CacheError{Path: c.path, Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&^cacheFileMode != 0 {
		if err := f.Chmod(cacheFileMode); err != nil {
			return nil, &CacheError{Path: c.path, Err: fmt.Errorf("mode %v is readable by others and could not be tightened: %w", fi.Mode().Perm(), err)}
		}
	}
	// MSAL's caches are a few KB; a huge file would take MSAL gigabytes and minutes to parse.
	// The limit is checked while reading too, in case the file grows or is not a regular file.
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxCacheSize+1)); err != nil {
		return nil, &CacheError{Path: c.path, Err: err}
	}
	if buf.Len() > maxCacheSize {
		return nil, &CacheError{Path: c.path, Err: errCacheTooLarge}
	}
	data := bytes.TrimSpace(buf.Bytes())
	if len(data) == 0 {
		return []byte(emptyCacheObject), nil
	}
	if err := validCacheJSON(data); err != nil {
		return nil, &CacheError{Path: c.path, Err: err}
	}
	data, err = c.decode(data)
	if err != nil {
		return nil, err
	}
	if err := validCacheJSON(data); err != nil {
		return nil, &CacheError{Path: c.path, Err: err}
	}
	registerSecrets(data)
	return data, nil
}

func (c *fileCache) setPlainOnDisk(plain bool) {
	c.mu.Lock()
	c.plainOnDisk = plain
	c.mu.Unlock()
}

func (c *fileCache) wasPlainOnDisk() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plainOnDisk
}

// errCacheSymlink refuses a token cache (or its lock file) that is a symbolic link.
var errCacheSymlink = errors.New("it is a symbolic link, and odshare never follows one for the token cache (it would read, tighten or overwrite whatever the link points at)")

// refuseSymlink returns a *CacheError when path is a symbolic link. The token cache is never
// followed: a link planted in the config directory would otherwise make odshare chmod its target,
// read tokens from it, or replace the link with a file. (A symlinked config.yaml is followed, for
// dotfile managers; it holds no secret.)
func refuseSymlink(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return &CacheError{Path: path, Err: errCacheSymlink}
	}
	return nil
}

// validCacheJSON checks that data is one JSON object, without putting any of it in the error:
// a half-written cache is full of token text.
func validCacheJSON(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not valid JSON (syntax error at byte %d)", se.Offset)
		}
		return errors.New("not a JSON object")
	}
	return nil
}

// createTemp is os.CreateTemp, the one way this package creates files in the cache directory (the
// write probe and every cache write). A test of an unwritable directory running as root, which
// directory modes do not stop, replaces it.
var createTemp = os.CreateTemp

// checkWritable proves that the cache can be saved, by creating and removing a temporary file
// beside it, as writeFileAtomic will. guardWrites runs it before every request MSAL makes that
// could issue or rotate tokens.
func (c *fileCache) checkWritable() error {
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, cacheDirMode); err != nil {
		return &CacheWriteError{Dir: dir, Err: err}
	}
	f, err := createTemp(dir, filepath.Base(c.path)+".probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // "permission denied", "read-only file system": the directory is already named
		}
		return &CacheWriteError{Dir: dir, Err: err}
	}
	name := f.Name()
	_ = f.Close()
	if err := os.Remove(name); err != nil {
		return &CacheWriteError{Dir: dir, Err: err}
	}
	return nil
}

// guardWrites returns a copy of hc whose POSTs (MSAL's requests to the token and device-code
// endpoints; discovery is GET) first check that fc can be written, so the identity platform is never
// asked to rotate a refresh token, or to issue tokens, that could not be saved.
func guardWrites(hc *http.Client, fc *fileCache) *http.Client {
	c := *hc
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = &writeGuard{next: next, check: fc.checkWritable}
	return &c
}

type writeGuard struct {
	next  http.RoundTripper
	check func() error
}

func (g *writeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost {
		if err := g.check(); err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
	}
	return g.next.RoundTrip(req)
}

// CloseIdleConnections is forwarded, for http.Client.CloseIdleConnections.
func (g *writeGuard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// writeFileAtomic replaces path with data so that no reader ever sees a partial file: temp file
// in the same directory (same filesystem, so rename is atomic), fsync, rename, fsync the
// directory so the rename itself survives a crash.
func writeFileAtomic(path string, data []byte) (err error) {
	if err := refuseSymlink(path); err != nil {
		return err // renaming over it would replace the link; writing through it, the file it names
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, cacheDirMode); err != nil {
		return fmt.Errorf("create token cache directory: %w", err)
	}
	tmp, err := createTemp(dir, filepath.Base(path)+tempFilePattern) // created 0600
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(cacheFileMode); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// removeLocked deletes the cache file under the file lock (logout of everything). It is the one
// place a cache file is removed, including a corrupt one the user asked to be rid of.
func (c *fileCache) removeLocked(ctx context.Context) error {
	return c.do(ctx, func(ctx context.Context) error {
		if err := c.acquire(ctx); err != nil {
			return err
		}
		return c.removeHeld()
	})
}

// removeHeld deletes the cache file; the lock must be held.
func (c *fileCache) removeHeld() error {
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove token cache: %w", err)
	}
	return nil
}

// snapshot reads the cache file under the lock, for the few things MSAL has no API for (which
// account was used last, which app tokens exist).
func (c *fileCache) snapshot(ctx context.Context) (*contract, error) {
	var out *contract
	err := c.do(ctx, func(ctx context.Context) error {
		var err error
		out, err = c.snapshotLocked(ctx)
		return err
	})
	return out, err
}

// snapshotLocked is snapshot for use inside do; the lock stays held until do returns.
func (c *fileCache) snapshotLocked(ctx context.Context) (*contract, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	data, err := c.read()
	if err != nil {
		return nil, err
	}
	out, err := parseContract(data)
	if err != nil {
		return nil, &CacheError{Path: c.path, Err: err}
	}
	return out, nil
}

// setDrop makes the following Replace calls of the current operation hide the access token
// secret from MSAL (see dropAccessToken).
func (c *fileCache) setDrop(secret string) {
	c.mu.Lock()
	c.dropSecret = secret
	c.mu.Unlock()
}

package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// memCache stands in for MSAL's in-memory cache behind the cache.Marshaler/Unmarshaler
// interfaces, so the file layer can be tested on its own.
type memCache struct{ data []byte }

func (m *memCache) Marshal() ([]byte, error) { return m.data, nil }
func (m *memCache) Unmarshal(b []byte) error { m.data = append([]byte(nil), b...); return nil }

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestCacheCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odshare", "nested")
	fc := newFileCache(filepath.Join(dir, cacheFileName), Storage{})
	ctx := context.Background()
	if err := fc.do(ctx, func(ctx context.Context) error {
		m := &memCache{}
		if err := fc.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
			return err
		}
		if string(m.data) != "{}" {
			t.Errorf("missing file loaded as %q, want {}", m.data)
		}
		return fc.Export(ctx, &memCache{data: []byte(`{"Account":{}}`)}, cache.ExportHints{})
	}); err != nil {
		t.Fatal(err)
	}
	if got := perm(t, dir); got != 0o700 {
		t.Errorf("dir mode %v, want 0700", got)
	}
	if got := perm(t, fc.path); got != 0o600 {
		t.Errorf("file mode %v, want 0600", got)
	}
	if got := perm(t, fc.path+lockFileSuffix); got&0o077 != 0 {
		t.Errorf("lock file mode %v, want no group/other bits", got)
	}
	if fc.held {
		t.Error("lock still held after Export")
	}
}

func TestCacheTightensWideMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cacheFileName)
	if err := os.WriteFile(path, []byte(`{"Account":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	fc := newFileCache(path, Storage{})
	m := &memCache{}
	if err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, m, cache.ReplaceHints{})
	}); err != nil {
		t.Fatal(err)
	}
	if got := perm(t, path); got != 0o600 {
		t.Errorf("mode after read %v, want 0600", got)
	}
	if string(m.data) != `{"Account":{}}` {
		t.Errorf("content changed: %q", m.data)
	}
}

func TestCacheCorruptIsReportedAndLeftAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cacheFileName)
	corrupt := []byte(`{"RefreshToken": {"k": {"secret": "0.AAA-secret-refresh`)
	if err := os.WriteFile(path, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	fc := newFileCache(path, Storage{})
	err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	})
	var ce *CacheError
	if !errors.As(err, &ce) || ce.Path != path {
		t.Fatalf("err = %v, want *CacheError for %s", err, path)
	}
	msg := err.Error()
	for _, want := range []string{path, "odshare auth logout", "delete " + path} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "secret-refresh") {
		t.Errorf("message leaks cache content: %q", msg)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, corrupt) {
		t.Errorf("corrupt cache was modified: %q", got)
	}

	// Through the public API too: no command may overwrite it, and logout of all removes it.
	s := Settings{ConfigDir: dir, AuthorityHost: "https://127.0.0.1:1"}
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); !errors.As(err, &ce) {
		t.Errorf("Token: err = %v, want *CacheError", err)
	}
	if _, err := Accounts(s); !errors.As(err, &ce) {
		t.Errorf("Accounts: err = %v, want *CacheError", err)
	}
	if _, err := Logout(s, "someone@example.com"); !errors.As(err, &ce) {
		t.Errorf("Logout(user): err = %v, want *CacheError", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, corrupt) {
		t.Fatalf("corrupt cache was modified: %q", got)
	}
	if _, err := Logout(s, ""); err != nil {
		t.Fatalf("Logout(all) on corrupt cache: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Logout(all) left %s: %v", path, err)
	}
}

func TestCacheAtomicWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cacheFileName)
	// ~200 KB payloads: far bigger than one write(2) page, so a non-atomic write would be caught.
	var payloads [][]byte
	for n := range 4 {
		m := map[string]string{}
		for i := 0; i < 2000; i++ {
			m[fmt.Sprintf("k%d", i)] = strings.Repeat(fmt.Sprint(n), 90)
		}
		b, _ := json.Marshal(map[string]any{"AccessToken": m})
		payloads = append(payloads, b)
	}
	ctx := context.Background()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var bad, reads int
	var mu sync.Mutex
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				b, err := os.ReadFile(path) // no lock: readers must never need one to see whole files
				if err != nil {
					continue
				}
				mu.Lock()
				reads++
				if !json.Valid(b) {
					bad++
				}
				mu.Unlock()
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func(w int) {
			defer writers.Done()
			fc := newFileCache(path, Storage{})
			for i := 0; i < 10; i++ {
				err := fc.do(ctx, func(ctx context.Context) error {
					if err := fc.Replace(ctx, &memCache{}, cache.ReplaceHints{}); err != nil {
						return err
					}
					return fc.Export(ctx, &memCache{data: payloads[(w+i)%len(payloads)]}, cache.ExportHints{})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if bad > 0 {
		t.Errorf("%d of %d reads saw invalid JSON", bad, reads)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
	t.Logf("%d concurrent reads, all valid", reads)
}

func TestCacheLockIsExclusiveAndReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), cacheFileName)
	a, b := newFileCache(path, Storage{}), newFileCache(path, Storage{})
	b.lockWait = 100 * time.Millisecond
	ctx := context.Background()

	if err := a.Replace(ctx, &memCache{}, cache.ReplaceHints{}); err != nil {
		t.Fatal(err)
	}
	// b waits and gives up: with a deadline it returns the ctx error, without one lockWait applies.
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	err := b.Replace(dctx, &memCache{}, cache.ReplaceHints{})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with deadline: err = %v, want DeadlineExceeded", err)
	}
	start := time.Now()
	err = b.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	if err == nil || !strings.Contains(err.Error(), "locked by another odshare process") {
		t.Errorf("without deadline: err = %v", err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 2*time.Second {
		t.Errorf("waited %v, want about lockWait", d)
	}

	// b blocks until a exports, then sees a's write.
	got := make(chan []byte, 1)
	go func() {
		m := &memCache{}
		b.lockWait = 5 * time.Second
		err := b.do(ctx, func(ctx context.Context) error { return b.Replace(ctx, m, cache.ReplaceHints{}) })
		if err != nil {
			t.Error(err)
		}
		got <- m.data
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("second cache read while the first held the lock")
	default:
	}
	if err := a.Export(ctx, &memCache{data: []byte(`{"written":"by a"}`)}, cache.ExportHints{}); err != nil {
		t.Fatal(err)
	}
	if d := <-got; string(d) != `{"written":"by a"}` {
		t.Errorf("b read %q", d)
	}

	// do releases a lock taken by a Replace that MSAL never follows with Export.
	if err := a.do(ctx, func(ctx context.Context) error {
		return a.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	}); err != nil {
		t.Fatal(err)
	}
	b.lockWait = 100 * time.Millisecond
	if err := b.do(ctx, func(ctx context.Context) error {
		return b.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	}); err != nil {
		t.Errorf("lock not released by do: %v", err)
	}
}

// TestCacheLockAcrossProcesses holds the lock in a child process: flock is per open file
// description, so this is what separate odshare processes see.
func TestCacheLockAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), cacheFileName)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=holdlock", "ODSHARE_AUTH_TEST_PATH="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	line := make([]byte, 7)
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "locked\n" {
		t.Fatalf("helper: %q %v", line, err)
	}
	fc := newFileCache(path, Storage{})
	fc.lockWait = 100 * time.Millisecond
	err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	})
	if err == nil || !strings.Contains(err.Error(), "locked by another") {
		t.Fatalf("err = %v, want lock held by the other process", err)
	}
	_ = stdin.Close() // helper exits, the kernel drops its lock
	_ = cmd.Wait()
	fc.lockWait = 5 * time.Second
	if err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, &memCache{}, cache.ReplaceHints{})
	}); err != nil {
		t.Fatalf("after helper exit: %v", err)
	}
}

func TestDropAccessToken(t *testing.T) {
	in := []byte(`{"AccessToken":{"a":{"secret":"tok-1","target":"x"},"b":{"secret":"tok-2"}},"RefreshToken":{"r":{"secret":"rt"}},"Extra":1}`)
	out, err := dropAccessToken(in, "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		AccessToken, RefreshToken map[string]any
		Extra                     int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got.AccessToken["a"]; ok {
		t.Error("tok-1 still present")
	}
	if _, ok := got.AccessToken["b"]; !ok {
		t.Error("tok-2 dropped")
	}
	if _, ok := got.RefreshToken["r"]; !ok || got.Extra != 1 {
		t.Errorf("other content changed: %s", out)
	}
	if out, _ := dropAccessToken(in, "nope"); !bytes.Equal(out, in) {
		t.Error("unmatched drop rewrote the cache")
	}
}

func TestInstanceDiscoveryNeeded(t *testing.T) {
	for host, want := range map[string]bool{
		"":                                   true,
		"https://login.microsoftonline.com":  true,
		"https://login.microsoftonline.com/": true,
		"login.microsoftonline.us":           true,
		"https://login.chinacloudapi.cn":     true,
		"https://LOGIN.MICROSOFTONLINE.COM":  true,
		"https://127.0.0.1:8443":             false,
		"https://login.example.com":          false,
		"https://localhost":                  false,
	} {
		if got := InstanceDiscoveryNeeded(host); got != want {
			t.Errorf("InstanceDiscoveryNeeded(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestSettingsValidation(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewDelegatedSource(Settings{ConfigDir: dir, AuthorityHost: "http://127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("http authority: err = %v", err)
	}
	if _, err := NewDelegatedSource(Settings{}); err == nil {
		t.Error("no ConfigDir accepted")
	}
	for _, tenant := range []string{"", "common", "organizations", "Consumers"} {
		_, err := NewAppSource(Settings{ConfigDir: dir, Tenant: tenant, ClientID: "11111111-1111-1111-1111-111111111111", ClientSecret: "s"})
		if err == nil || !strings.Contains(err.Error(), "specific tenant") {
			t.Errorf("tenant %q: err = %v", tenant, err)
		}
	}
	if _, err := NewAppSource(Settings{ConfigDir: dir, Tenant: "contoso.com", ClientID: "11111111-1111-1111-1111-111111111111"}); err == nil {
		t.Error("app source without credential accepted")
	}
	if p, st := CacheLocation(Settings{ConfigDir: dir}); p != filepath.Join(dir, cacheFileName) || st != "nothing cached" {
		t.Errorf("CacheLocation = %q, %q", p, st)
	}
	if err := os.WriteFile(filepath.Join(dir, cacheFileName), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, st := CacheLocation(Settings{ConfigDir: dir}); st != "file (0600)" {
		t.Errorf("storage of a plain cache = %q", st)
	}
}

func TestErrorsNeverCarryTokens(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	body := `{"error":"invalid_grant","error_description":"AADSTS70000: refresh_token=0.ARefreshSecret&client_secret=hunter2 bad; token ` + jwt + `\r\nTrace ID: 1","correlation_id":"c-1"}`
	ce := msalerrors.CallErr{
		Req:  &http.Request{},
		Resp: &http.Response{StatusCode: 400, Body: io.NopCloser(strings.NewReader(body))},
		Err:  errors.New("http call(https://x/token)(POST) error: reply status code was 400:\n" + body),
	}
	err := silentError(context.Background(), "get token", ce)
	if !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("invalid_grant not mapped to ErrNotSignedIn: %v", err)
	}
	for _, secret := range []string{jwt, "0.ARefreshSecret", "hunter2"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error leaks %q: %v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), "AADSTS70000") || !strings.Contains(err.Error(), "c-1") {
		t.Errorf("error lost its useful part: %v", err)
	}
	// A non-HTTP error is redacted as well.
	err = silentError(context.Background(), "x", errors.New("decode "+jwt))
	if strings.Contains(err.Error(), jwt) || errors.Is(err, ErrNotSignedIn) {
		t.Errorf("plain error: %v", err)
	}
}

// TestCacheTooLargeIsRefused: a 17 MiB cache (valid JSON) is refused with its path and the way
// out, before MSAL gets to parse it, and logout of everything still removes it.
func TestCacheTooLargeIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cacheFileName)
	huge := append(append([]byte(`{"AccessToken":{"k":{"secret":"`), bytes.Repeat([]byte("a"), maxCacheSize)...), `"}}}`...)
	if err := os.WriteFile(path, huge, 0o600); err != nil {
		t.Fatal(err)
	}
	fc := newFileCache(path, Storage{})
	m := &memCache{}
	err := fc.do(context.Background(), func(ctx context.Context) error {
		return fc.Replace(ctx, m, cache.ReplaceHints{})
	})
	var ce *CacheError
	if !errors.As(err, &ce) || !errors.Is(err, errCacheTooLarge) {
		t.Fatalf("err = %v, want the too-large *CacheError", err)
	}
	if m.data != nil {
		t.Error("the oversized cache was handed to MSAL")
	}
	msg := err.Error()
	for _, want := range []string{path, "16 MiB", "odshare auth logout", "delete " + path} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	s := Settings{ConfigDir: dir, AuthorityHost: "https://127.0.0.1:1"}
	if _, err := Logout(s, ""); err != nil {
		t.Fatalf("Logout(all): %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Logout(all) left %s: %v", path, err)
	}
}

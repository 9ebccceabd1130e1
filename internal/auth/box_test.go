package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	boxemu "github.com/odshare/odshare/internal/emulator/box"
)

// boxIdP is the emulator's Box stand-in over TLS on loopback, with a clock the test moves.
type boxIdP struct {
	srv    *boxemu.Server
	ts     *httptest.Server
	offset atomic.Int64 // added to the wall clock, nanoseconds
}

func startBox(t *testing.T, auto bool) *boxIdP {
	t.Helper()
	p := &boxIdP{}
	srv, err := boxemu.New(boxemu.Options{RandomSeed: 7, AutoApprove: auto,
		Clock: func() time.Time { return time.Now().Add(time.Duration(p.offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	p.srv = srv
	p.ts = httptest.NewTLSServer(srv)
	orig := boxClock
	boxClock = func() time.Time { return time.Now().Add(time.Duration(p.offset.Load())) }
	t.Cleanup(func() { boxClock = orig })
	t.Cleanup(p.ts.Close)
	return p
}

func (p *boxIdP) settings(dir string) BoxSettings {
	return BoxSettings{
		APIURL:       p.ts.URL + "/2.0",
		TokenURL:     p.ts.URL + "/oauth2/token",
		AuthorizeURL: p.ts.URL + "/api/oauth2/authorize",
		ClientID:     boxemu.DemoClientID,
		ClientSecret: boxemu.DemoClientSecret,
		ConfigDir:    dir,
		HTTPClient:   p.ts.Client(),
	}
}

// browser plays the user's browser: it loads the authorize URL over TLS, answers the consent page
// with action (approve or decline) unless the emulator auto-approves, and follows Box's redirect to
// odshare's loopback server. before, when set, runs between Box's redirect and the loopback request.
func (p *boxIdP) browser(t *testing.T, action string, before func()) func(string) error {
	return func(u string) error {
		go func() {
			c := *p.ts.Client()
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := c.Get(u)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode == http.StatusOK { // the consent page
				body, _ := io.ReadAll(resp.Body)
				m := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindStringSubmatch(string(body))
				if m == nil {
					t.Errorf("no ticket on the consent page: %s", body)
					return
				}
				r2, err := c.PostForm(p.ts.URL+"/api/oauth2/authorize", url.Values{"ticket": {m[1]}, "action": {action}, "login": {boxemu.DemoUserLogin}})
				if err != nil {
					t.Error(err)
					return
				}
				r2.Body.Close()
				loc = r2.Header.Get("Location")
			}
			if loc == "" {
				t.Errorf("no redirect from Box (status %d)", resp.StatusCode)
				return
			}
			if before != nil {
				before()
			}
			r3, err := http.Get(loc) // plain http to odshare's loopback listener
			if err != nil {
				t.Error(err)
				return
			}
			r3.Body.Close()
		}()
		return nil
	}
}

func TestBoxLoginRefreshRotatesAndPersists(t *testing.T) {
	p := startBox(t, true)
	dir := t.TempDir()
	s := p.settings(dir)
	ctx := context.Background()
	res, err := LoginBox(ctx, s, p.browser(t, "", nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Account.Login != boxemu.DemoUserLogin || res.Account.Kind != BoxOAuth {
		t.Fatalf("signed in as %+v", res.Account)
	}
	// The PKCE exchange: the authorize request carried an S256 challenge, the code redemption the
	// verifier and the secret in the body.
	var sawExchange bool
	for _, rr := range p.srv.Requests() {
		if rr.Method == http.MethodPost && strings.HasPrefix(rr.RawURI, "/oauth2/token") {
			f, _ := url.ParseQuery(string(rr.Body))
			if f.Get("grant_type") == "authorization_code" {
				sawExchange = f.Get("code_verifier") != "" && f.Get("client_id") == boxemu.DemoClientID && f.Get("redirect_uri") != ""
			}
		}
	}
	if !sawExchange {
		t.Error("no authorization_code exchange with code_verifier, client_id and redirect_uri")
	}
	s.ClientSecret = "" // a refresh never needs the environment: the secret is cached with the sign-in
	src, err := NewBoxSource(s)
	if err != nil {
		t.Fatal(err)
	}
	tok1, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.srv.Stats().Tokens.Refreshed != 0 {
		t.Error("a fresh token was refreshed")
	}
	p.srv.ExpireAccessTokens()
	tok2, err := src.Refresh(ctx)
	if err != nil || tok2 == tok1 {
		t.Fatalf("Refresh = %q, %v", tok2, err)
	}
	if n := p.srv.Stats().Tokens.Refreshed; n != 1 {
		t.Errorf("refreshed %d times, want 1", n)
	}
	// Another process (a second source) asked to refresh the token it had handed out before: the
	// cache already holds a newer one, which it uses without spending the refresh token again.
	other, _ := NewBoxSource(s)
	other.handed = tok1
	if tok, err := other.Refresh(ctx); err != nil || tok != tok2 {
		t.Errorf("other.Refresh = %q, %v; want the token already refreshed", tok, err)
	}
	if n := p.srv.Stats().Tokens.Refreshed; n != 1 {
		t.Errorf("refreshed %d times, want 1", n)
	}
	// Past its expiry the token is renewed by Token itself, and the rotated pair survives a restart.
	p.offset.Store(int64(2 * time.Hour))
	tok3, err := src.Token(ctx)
	if err != nil || tok3 == tok2 {
		t.Fatalf("Token after expiry = %q, %v", tok3, err)
	}
	again, _ := NewBoxSource(s)
	if tok, err := again.Token(ctx); err != nil || tok != tok3 {
		t.Errorf("a new source = %q, %v; want the cached %q", tok, err, tok3)
	}
	if n := p.srv.LiveRefreshTokens(); n != 1 {
		t.Errorf("%d live refresh tokens, want exactly 1", n)
	}
	fi, err := os.Stat(filepath.Join(dir, boxCacheFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file: %v, %v", fi, err)
	}

	// Revoked at Box: "sign in again", never a network-style error.
	p.srv.RevokeRefreshTokens()
	p.srv.ExpireAccessTokens()
	_, err = src.Refresh(ctx)
	if !errors.Is(err, ErrBoxNotSignedIn) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("after revocation: %v", err)
	}
	for _, sec := range []string{tok1, tok2, tok3, boxemu.DemoClientSecret} {
		if strings.Contains(err.Error(), sec) {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestBoxLoginDeclinedAndExpiredCode(t *testing.T) {
	p := startBox(t, false)
	s := p.settings(t.TempDir())
	ctx := context.Background()
	if _, err := LoginBox(ctx, s, p.browser(t, "decline", nil), nil); !errors.Is(err, ErrDeclined) {
		t.Errorf("declined: %v", err)
	}
	// Box's codes live 30 seconds: the browser comes back after 31 on the emulator's clock.
	_, err := LoginBox(ctx, s, p.browser(t, "approve", func() { p.offset.Add(int64(31 * time.Second)) }), nil)
	if !errors.Is(err, ErrBoxNotSignedIn) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired code: %v", err)
	}
	if accts, err := BoxAccounts(s); err != nil || len(accts) != 0 {
		t.Errorf("accounts after failed sign-ins: %v, %v", accts, err)
	}
	// A time limit (the caller's context) ends the wait for a browser that never answers.
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := LoginBox(tctx, s, func(string) error { return nil }, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("no answer: %v", err)
	}
}

func TestBoxCCGAndLogout(t *testing.T) {
	p := startBox(t, false)
	dir := t.TempDir()
	s := p.settings(dir)
	s.ClientID, s.ClientSecret = boxemu.DemoCCGClientID, boxemu.DemoCCGSecret
	ctx := context.Background()
	res, err := LoginBoxApp(ctx, s, "enterprise", boxemu.DemoEnterpriseID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Account.Kind != BoxCCG || res.Account.Login == "" {
		t.Fatalf("CCG account %+v", res.Account)
	}
	if _, err := LoginBoxApp(ctx, s, "enterprise", "999"); !errors.Is(err, ErrBoxNotSignedIn) {
		t.Errorf("wrong subject: %v", err)
	}
	// No refresh token: an expired CCG token is renewed with the cached client credentials.
	s.ClientSecret = ""
	src, _ := NewBoxSource(s)
	tok1, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	issued := p.srv.Stats().Tokens.Issued
	p.srv.ExpireAccessTokens()
	tok2, err := src.Refresh(ctx)
	if err != nil || tok2 == tok1 || p.srv.Stats().Tokens.Issued != issued+1 {
		t.Errorf("CCG renewal = %q, %v (issued %d→%d)", tok2, err, issued, p.srv.Stats().Tokens.Issued)
	}
	removed, err := BoxLogout(ctx, s, "")
	if err != nil || len(removed) != 1 {
		t.Errorf("logout: %v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, boxCacheFileName)); !os.IsNotExist(err) {
		t.Errorf("cache still there: %v", err)
	}
	if _, err := src.Token(ctx); !errors.Is(err, ErrBoxNotSignedIn) {
		t.Errorf("after logout: %v", err)
	}
}

// Many sources in one process refreshing one sign-in at once: exactly one refresh-token grant per
// expiry, and the sign-in survives (the cross-process version is the testscript box_concurrent).
func TestBoxConcurrentRefreshInProcess(t *testing.T) {
	p := startBox(t, true)
	s := p.settings(t.TempDir())
	ctx := context.Background()
	if _, err := LoginBox(ctx, s, p.browser(t, "", nil), nil); err != nil {
		t.Fatal(err)
	}
	p.offset.Store(int64(2 * time.Hour))
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src, _ := NewBoxSource(s)
			if _, err := src.Token(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := p.srv.Stats().Tokens.Refreshed; n != 1 {
		t.Errorf("%d refreshes for one expiry, want 1", n)
	}
	if n := p.srv.LiveRefreshTokens(); n != 1 {
		t.Errorf("%d live refresh tokens", n)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.box.com/oauth2/token": true,
		"http://127.0.0.1:8080/x":          true,
		"http://localhost/x":               true,
		"http://api.box.com/oauth2/token":  false,
		"ftp://x/y":                        false,
		"https://u:p@host/x":               false,
		"api.box.com":                      false,
	} {
		if err := CheckEndpoint("Box token URL", raw); (err == nil) != ok {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// A config directory that can't be written: a renewal would spend Box's single-use refresh token
// with nowhere to keep the new one, so nothing is sent; once writable, the sign-in still works.
func TestBoxReadOnlyCacheDirKeepsTheSignIn(t *testing.T) {
	p := startBox(t, true)
	dir := filepath.Join(t.TempDir(), "cfg")
	s := p.settings(dir)
	ctx := context.Background()
	if _, err := LoginBox(ctx, s, p.browser(t, "", nil), nil); err != nil {
		t.Fatal(err)
	}
	src, _ := NewBoxSource(s)
	restore := makeUnwritable(t, dir)
	_, err := src.Refresh(ctx)
	var we *CacheWriteError
	if !errors.As(err, &we) || errors.Is(err, ErrBoxNotSignedIn) {
		t.Errorf("Refresh err = %v, want a CacheWriteError", err)
	}
	if n := p.srv.Stats().Tokens.Refreshed; n != 0 {
		t.Errorf("Box redeemed the refresh token %d time(s) with nowhere to save the new one", n)
	}
	restore()
	if _, err := src.Refresh(ctx); err != nil {
		t.Errorf("the sign-in was lost: %v", err)
	}
}

package auth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/odshare/odshare/internal/emulator/identity"
)

// idp is the identity emulator served over TLS on loopback, with a recorder in front of it that
// notes each token request's grant type and every secret in the responses, so tests can assert
// what MSAL really did and that no secret ever reaches an error message.
type idp struct {
	srv    *identity.Server
	ts     *httptest.Server
	client *http.Client

	mu      sync.Mutex
	grants  []string
	secrets []string
	// intercept, when set, sees every request first and answers it itself by returning true
	// (hostile-server tests).
	intercept func(http.ResponseWriter, *http.Request) bool
}

func startIdP(t *testing.T, o identity.Options) *idp {
	t.Helper()
	srv, err := identity.New(o)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{srv: srv, secrets: []string{identity.DemoAppSecret}}
	p.ts = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.ts.StartTLS()
	t.Cleanup(p.ts.Close)
	p.client = p.ts.Client()
	return p
}

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	intercept := p.intercept
	p.mu.Unlock()
	if intercept != nil && intercept(w, r) {
		return
	}
	isToken := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token")
	if !isToken && !strings.HasSuffix(r.URL.Path, "/devicecode") {
		p.srv.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	rec := httptest.NewRecorder()
	p.srv.ServeHTTP(rec, r)
	var resp map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &resp)
	p.mu.Lock()
	if isToken && rec.Code == http.StatusOK {
		p.grants = append(p.grants, form.Get("grant_type"))
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token", "device_code"} {
		if v, ok := resp[k].(string); ok && v != "" {
			p.secrets = append(p.secrets, v)
		}
	}
	if v := form.Get("client_assertion"); v != "" {
		p.secrets = append(p.secrets, v)
	}
	p.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// count returns how many successful token responses had a grant type containing g.
func (p *idp) count(g string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, x := range p.grants {
		if strings.Contains(x, g) {
			n++
		}
	}
	return n
}

// noSecrets fails if err's text contains any token or secret the emulator handed out or received.
func (p *idp) noSecrets(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.secrets {
		if len(s) >= 8 && strings.Contains(err.Error(), s) {
			t.Errorf("error text contains a secret (%d chars): %v", len(s), err)
		}
	}
}

func (p *idp) settings(dir string) Settings {
	return Settings{AuthorityHost: p.ts.URL, ConfigDir: dir, HTTPClient: p.client}
}

func (p *idp) login(t *testing.T, s Settings) *LoginResult {
	t.Helper()
	var shown string
	res, err := LoginDeviceCode(context.Background(), s, func(m string) { shown = m })
	if err != nil {
		t.Fatalf("LoginDeviceCode: %v", err)
	}
	if shown == "" {
		t.Error("show was not called with MSAL's message")
	}
	return res
}

const adele = "adele@contoso.example"

func TestDelegatedLifecycle(t *testing.T) {
	start := time.Now()
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := filepath.Join(t.TempDir(), "cfg")
	s := p.settings(dir)
	ctx := context.Background()

	res := p.login(t, s)
	if res.Account.Username != adele || res.Account.TenantID != identity.DefaultTenantID || res.Account.HomeAccountID == "" {
		t.Errorf("login account = %+v", res.Account)
	}
	if got := perm(t, filepath.Join(dir, cacheFileName)); got != 0o600 {
		t.Errorf("cache mode %v", got)
	}
	if got := perm(t, dir); got != 0o700 {
		t.Errorf("dir mode %v", got)
	}
	accts, err := Accounts(s)
	if err != nil || len(accts) != 1 || accts[0].Username != adele {
		t.Fatalf("Accounts = %+v, %v", accts, err)
	}

	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	t1, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.srv.ValidateAccessToken(t1)
	if err != nil || pr.UserPrincipalName != adele || pr.AppOnly || !slices.Contains(pr.Scopes, "Files.ReadWrite") {
		t.Fatalf("token principal %+v, %v", pr, err)
	}
	if n := p.count("refresh_token"); n != 0 {
		t.Errorf("a fresh token caused %d refreshes", n)
	}
	if again, _ := src.Token(ctx); again != t1 {
		t.Error("second Token did not come from the cache")
	}

	// Refresh must redeem the refresh token although the access token is valid for an hour.
	t2, err := src.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if t2 == t1 || p.count("refresh_token") != 1 {
		t.Errorf("Refresh: new token %v, refreshes %d", t2 != t1, p.count("refresh_token"))
	}
	if _, err := p.srv.ValidateAccessToken(t2); err != nil {
		t.Error(err)
	}
	// A new Source (a new process) sees the refreshed token, and the rotated refresh token works.
	src2, _ := NewDelegatedSource(s)
	if t3, err := src2.Token(ctx); err != nil || t3 != t2 {
		t.Errorf("new source: same token %v, %v", t3 == t2, err)
	}
	if _, err := src2.Refresh(ctx); err != nil {
		t.Errorf("refresh with the rotated refresh token: %v", err)
	}

	info, err := src.Info(ctx)
	if err != nil || info.Account.Username != adele || info.AppOnly || info.ClientID != DefaultClientID ||
		!slices.Contains(info.Scopes, "Files.ReadWrite") || time.Until(info.ExpiresOn) < 50*time.Minute {
		t.Errorf("Info = %+v, %v", info, err)
	}

	// Named account that isn't signed in.
	other := s
	other.Account = "megan@contoso.example"
	osrc, _ := NewDelegatedSource(other)
	_, err = osrc.Token(ctx)
	if !errors.Is(err, ErrNotSignedIn) || !strings.Contains(err.Error(), "megan@contoso.example") {
		t.Errorf("other account: %v", err)
	}

	removed, err := Logout(s, adele)
	if err != nil || len(removed) != 1 || removed[0].Username != adele {
		t.Fatalf("Logout = %+v, %v", removed, err)
	}
	_, err = src.Token(ctx)
	if !errors.Is(err, ErrNotSignedIn) || !strings.Contains(err.Error(), "odshare auth login") {
		t.Errorf("after logout: %v", err)
	}
	p.noSecrets(t, err)
	if accts, _ := Accounts(s); len(accts) != 0 {
		t.Errorf("accounts after logout: %+v", accts)
	}
	if _, err := Logout(s, adele); err == nil {
		t.Error("second logout succeeded")
	}
	t.Logf("took %v", time.Since(start))
}

func TestSilentRefreshOfShortLivedTokens(t *testing.T) {
	p := startIdP(t, identity.Options{AutoApprove: true, AccessTokenLifetime: time.Minute})
	s := p.settings(t.TempDir())
	ctx := context.Background()
	p.login(t, s)
	src, _ := NewDelegatedSource(s)
	t1, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A 1-minute token is inside MSAL's 5-minute expiry margin, so each silent call refreshes.
	if n := p.count("refresh_token"); n != 2 || t1 == t2 {
		t.Errorf("refreshes = %d, distinct tokens %v", n, t1 != t2)
	}
	for _, tok := range []string{t1, t2} {
		if _, err := p.srv.ValidateAccessToken(tok); err != nil {
			t.Error(err)
		}
	}

	// Revoked refresh tokens: sign in again, and the cache stays (the user may re-login over it).
	p.srv.RevokeRefreshTokens()
	_, err = src.Token(ctx)
	if !errors.Is(err, ErrNotSignedIn) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("revoked: %v", err)
	}
	p.noSecrets(t, err)
	_, err = src.Refresh(ctx)
	if !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("revoked Refresh: %v", err)
	}
	p.noSecrets(t, err)
	if accts, err := Accounts(s); err != nil || len(accts) != 1 {
		t.Errorf("accounts after revocation: %+v %v", accts, err)
	}
}

func TestDeviceCodeDeclinedExpiredCancelled(t *testing.T) {
	p := startIdP(t, identity.Options{PollInterval: 10 * time.Millisecond})
	s := p.settings(t.TempDir())

	pending := func() string {
		codes := p.srv.PendingDeviceCodes()
		if len(codes) == 0 {
			t.Fatal("no pending device code")
		}
		return codes[len(codes)-1].UserCode
	}

	_, err := LoginDeviceCode(context.Background(), s, func(string) {
		if err := p.srv.Decline(pending()); err != nil {
			t.Error(err)
		}
	})
	if !errors.Is(err, ErrDeclined) {
		t.Errorf("declined: %v", err)
	}
	p.noSecrets(t, err)

	_, err = LoginDeviceCode(context.Background(), s, func(string) { p.srv.ExpireDeviceCodes() })
	if !errors.Is(err, ErrDeviceCodeExpired) {
		t.Errorf("expired: %v", err)
	}
	p.noSecrets(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	_, err = LoginDeviceCode(ctx, s, func(string) {
		go func() {
			time.Sleep(300 * time.Millisecond)
			cancelled = time.Now()
			cancel()
		}()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if d := time.Since(cancelled); d > 5*time.Second {
		t.Errorf("returned %v after cancel", d)
	}
	if accts, err := Accounts(s); err != nil || len(accts) != 0 {
		t.Errorf("failed logins cached accounts: %+v %v", accts, err)
	}
}

func TestDeviceCodeExpiresClientSide(t *testing.T) {
	// A code nobody enters: MSAL stops polling at the code's expiry with its own deadline.
	p := startIdP(t, identity.Options{DeviceCodeLifetime: 2 * time.Second, PollInterval: 10 * time.Millisecond})
	start := time.Now()
	_, err := LoginDeviceCode(context.Background(), p.settings(t.TempDir()), func(string) {})
	if !errors.Is(err, ErrDeviceCodeExpired) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestLoginApp(t *testing.T) {
	p := startIdP(t, identity.Options{})
	dir := t.TempDir()
	ctx := context.Background()
	base := p.settings(dir)
	base.Tenant = identity.DefaultTenantID

	secret := base
	secret.ClientID = identity.DemoAppClientID
	secret.ClientSecret = identity.DemoAppSecret
	info, err := LoginApp(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if !info.AppOnly || info.ClientID != identity.DemoAppClientID || time.Until(info.ExpiresOn) < 50*time.Minute {
		t.Errorf("info = %+v", info)
	}
	if got := perm(t, filepath.Join(dir, appCacheFileName)); got != 0o600 {
		t.Errorf("app cache mode %v", got)
	}
	src, err := NewAppSource(secret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := p.srv.ValidateAccessToken(tok)
	if err != nil || !pr.AppOnly || pr.ClientID != identity.DemoAppClientID {
		t.Errorf("principal %+v %v", pr, err)
	}
	if n := p.count("client_credentials"); n != 1 {
		t.Errorf("Token after LoginApp used the network: %d client_credentials grants", n)
	}
	tok2, err := src.Refresh(ctx)
	if err != nil || tok2 == tok || p.count("client_credentials") != 2 {
		t.Errorf("app Refresh: new %v, grants %d, %v", tok2 != tok, p.count("client_credentials"), err)
	}
	apps, err := AppAccounts(secret)
	if err != nil || len(apps) != 1 || apps[0].ClientID != identity.DemoAppClientID || apps[0].TenantID != identity.DefaultTenantID {
		t.Errorf("AppAccounts = %+v, %v", apps, err)
	}
	// The delegated cache is untouched by app sign-in.
	if accts, _ := Accounts(base); len(accts) != 0 {
		t.Errorf("app sign-in created accounts %+v", accts)
	}

	certFile := filepath.Join(t.TempDir(), "app.pem")
	if err := os.WriteFile(certFile, append(append([]byte{}, identity.DemoAppCertPEM...), identity.DemoAppKeyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := base
	cert.ClientID = identity.DemoCertAppClientID
	cert.CertificateFile = certFile
	info, err = LoginApp(ctx, cert)
	if err != nil {
		t.Fatalf("certificate: %v", err)
	}
	if !info.AppOnly || info.ClientID != identity.DemoCertAppClientID {
		t.Errorf("certificate LoginApp = %+v", info)
	}
	csrc, _ := NewAppSource(cert)
	ctok, err := csrc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pr, err := p.srv.ValidateAccessToken(ctok); err != nil || pr.ClientID != identity.DemoCertAppClientID {
		t.Errorf("cert principal %+v %v", pr, err)
	}

	// The same certificate as a password-protected PFX.
	pair, err := tls.X509KeyPair(identity.DemoAppCertPEM, identity.DemoAppKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pfxData, err := pkcs12.Modern.Encode(pair.PrivateKey, pair.Leaf, nil, "pfx-pass")
	if err != nil {
		t.Fatal(err)
	}
	pfx := cert
	pfx.CertificateFile = filepath.Join(t.TempDir(), "app.pfx")
	pfx.CertificatePassword = "pfx-pass"
	if err := os.WriteFile(pfx.CertificateFile, pfxData, 0o600); err != nil {
		t.Fatal(err)
	}
	if info, err := LoginApp(ctx, pfx); err != nil || !info.AppOnly || info.ClientID != identity.DemoCertAppClientID {
		t.Errorf("pfx: %+v, %v", info, err)
	}
	pfx.CertificatePassword = "wrong"
	if _, err := LoginApp(ctx, pfx); err == nil || !strings.Contains(err.Error(), "PFX") {
		t.Errorf("pfx with a wrong password: %v", err)
	}
	_ = os.WriteFile(pfx.CertificateFile, []byte{0x30, 0x82, 0x01}, 0o600)
	if _, err := LoginApp(ctx, pfx); err == nil || !strings.Contains(err.Error(), "neither PEM nor a PFX") {
		t.Errorf("garbage pfx: %v", err)
	}

	wrong := secret
	wrong.ClientSecret = "wrong-secret-value-1234"
	_, err = LoginApp(ctx, wrong)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: %v", err)
	}
	p.noSecrets(t, err)
	if err != nil && strings.Contains(err.Error(), wrong.ClientSecret) {
		t.Errorf("wrong secret echoed: %v", err)
	}

	common := secret
	common.Tenant = "common"
	if _, err := LoginApp(ctx, common); err == nil || !strings.Contains(err.Error(), "specific tenant") {
		t.Errorf("common tenant: %v", err)
	}

	removed, err := Logout(base, "")
	if err != nil || len(removed) != 2 {
		t.Errorf("Logout(all) = %+v, %v", removed, err)
	}
	if _, err := os.Stat(filepath.Join(dir, appCacheFileName)); !os.IsNotExist(err) {
		t.Errorf("app cache survived logout: %v", err)
	}
}

// TestConcurrentSources has 20 goroutines, each with its own Source (its own MSAL client, fileCache
// and flock descriptor) over one ConfigDir, refreshing on every call against an emulator that
// rotates refresh tokens: without the lock held across Replace → refresh → Export, two of them
// would redeem the same refresh token and one would get invalid_grant.
func TestConcurrentSources(t *testing.T) {
	p := startIdP(t, identity.Options{AutoApprove: true, AccessTokenLifetime: time.Minute})
	dir := t.TempDir()
	s := p.settings(dir)
	p.login(t, s)
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src, err := NewDelegatedSource(s)
			if err != nil {
				errs <- err
				return
			}
			for j := 0; j < 3; j++ {
				tok, err := src.Token(ctx)
				if err == nil {
					_, err = p.srv.ValidateAccessToken(tok)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
		p.noSecrets(t, err)
	}
	if n := p.count("refresh_token"); n != 60 {
		t.Errorf("refreshes = %d, want 60", n)
	}
	checkCacheFile(t, dir, s)
	t.Logf("60 forced refreshes by 20 sources in %v", time.Since(start))
}

// TestConcurrentProcesses is TestConcurrentSources with 20 separate processes (this test binary
// re-executed in "token" helper mode), which is what parallel odshare invocations look like.
func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	p := startIdP(t, identity.Options{AutoApprove: true, AccessTokenLifetime: time.Minute})
	dir := t.TempDir()
	s := p.settings(dir)
	p.login(t, s)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var wg sync.WaitGroup
	out := make([][]byte, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=token",
				"ODSHARE_AUTH_TEST_AUTHORITY="+p.ts.URL, "ODSHARE_AUTH_TEST_DIR="+dir, "ODSHARE_AUTH_TEST_CA="+caFile)
			out[i], errs[i] = cmd.Output()
		}()
	}
	wg.Wait()
	for i := range 20 {
		if errs[i] != nil {
			var ee *exec.ExitError
			if errors.As(errs[i], &ee) {
				t.Errorf("process %d: %v: %s", i, errs[i], ee.Stderr)
			} else {
				t.Errorf("process %d: %v", i, errs[i])
			}
			continue
		}
		for _, tok := range strings.Fields(string(out[i])) {
			if _, err := p.srv.ValidateAccessToken(tok); err != nil {
				t.Errorf("process %d token: %v", i, err)
			}
		}
	}
	if n := p.count("refresh_token"); n != 40 {
		t.Errorf("refreshes = %d, want 40", n)
	}
	checkCacheFile(t, dir, s)
	t.Logf("40 forced refreshes by 20 processes in %v", time.Since(start))
}

// helperToken is the child of TestConcurrentProcesses: two Token calls, tokens on stdout.
func helperToken() int {
	pemData, err := os.ReadFile(os.Getenv("ODSHARE_AUTH_TEST_CA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = pool
	s := Settings{
		AuthorityHost: os.Getenv("ODSHARE_AUTH_TEST_AUTHORITY"),
		ConfigDir:     os.Getenv("ODSHARE_AUTH_TEST_DIR"),
		HTTPClient:    &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
	src, err := NewDelegatedSource(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for range 2 {
		tok, err := src.Token(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(tok)
	}
	return 0
}

func checkCacheFile(t *testing.T, dir string, s Settings) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, cacheFileName))
	if err != nil || !json.Valid(b) {
		t.Fatalf("cache file invalid after concurrent use: %v", err)
	}
	if got := perm(t, filepath.Join(dir, cacheFileName)); got != 0o600 {
		t.Errorf("mode %v", got)
	}
	accts, err := Accounts(s)
	if err != nil || len(accts) != 1 || accts[0].Username != adele {
		t.Errorf("Accounts after concurrent use = %+v, %v", accts, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

package auth

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator/identity"
	"github.com/odshare/odshare/internal/httpx/httpxtest"
)

// hostileToken makes the identity emulator's token endpoint answer every POST with a redirect to
// plain http on another host, as a compromised or misconfigured sign-in host could.
func hostileToken(p *idp, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			return false
		}
		w.Header().Set("Location", "http://other-host.example/steal")
		w.WriteHeader(status)
		return true
	}
}

// unhardenedClient is what odshare used to hand MSAL: TLS trust for the emulator, the proxy from the
// "environment" (HTTP_PROXY with NO_PROXY=127.0.0.1), and net/http's default redirect policy. auth
// must make it safe by itself.
func unhardenedClient(p *idp, proxy *httpxtest.Proxy) *http.Client {
	tr := p.client.Transport.(*http.Transport).Clone()
	tr.Proxy = proxy.OffLoopback
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// A 307 from the token endpoint to http://other-host must not carry the refresh token (delegated) or
// the client secret (app-only) anywhere: sign-in refuses to follow it with a clear error.
func TestSignInRefusesRedirectOffTheAuthority(t *testing.T) {
	proxy, err := httpxtest.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := filepath.Join(t.TempDir(), "cfg")
	s := p.settings(dir)
	s.HTTPClient = unhardenedClient(p, proxy)
	ctx := context.Background()
	p.login(t, s)

	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		hostileToken(p, status)
		src, err := NewDelegatedSource(s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Refresh(ctx)
		if err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect from https://127.0.0.1") ||
			!strings.Contains(err.Error(), "http://other-host.example") {
			t.Errorf("%d: Refresh err = %v, want the redirect refused", status, err)
		}
		p.noSecrets(t, err)

		app := s
		app.Tenant = identity.DefaultTenantID
		app.ClientID = identity.DemoAppClientID
		app.ClientSecret = identity.DemoAppSecret
		_, err = LoginApp(ctx, app)
		if err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") {
			t.Errorf("%d: LoginApp err = %v, want the redirect refused", status, err)
		}
		if strings.Contains(err.Error(), identity.DemoAppSecret) {
			t.Errorf("the client secret is in the error: %v", err)
		}
	}
	if got := proxy.Requests(); len(got) != 0 {
		t.Errorf("the proxy received sign-in traffic: %q", got)
	}
}

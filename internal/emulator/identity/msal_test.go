package identity

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// publicClientID stands for any unregistered public client (the Graph CLI's id here).
const publicClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

func newPublic(t *testing.T, ts *httptest.Server, tenant string) public.Client {
	t.Helper()
	pc, err := public.New(publicClientID,
		public.WithAuthority(ts.URL+"/"+tenant),
		public.WithInstanceDiscovery(false),
		public.WithHTTPClient(ts.Client()))
	if err != nil {
		t.Fatalf("public.New: %v", err)
	}
	return pc
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDeviceCodeSignIn signs in with an unmodified MSAL public client for every kind of authority
// segment and both spellings of a Graph scope, and checks what MSAL built from the responses.
func TestDeviceCodeSignIn(t *testing.T) {
	tests := []struct {
		name, tenant string
		scopes       []string
		wantScp      []string
	}{
		{"organizations short scope", "organizations", []string{"Files.ReadWrite"}, []string{"Files.ReadWrite"}},
		{"common qualified scopes", "common", []string{"https://graph.microsoft.com/Files.ReadWrite.All", "https://graph.microsoft.com/Sites.Read.All"}, []string{"Files.ReadWrite.All", "Sites.Read.All"}},
		{"tenant id .default", DefaultTenantID, []string{"https://graph.microsoft.com/.default"}, defaultDelegatedScopes},
		{"tenant domain", DefaultTenantDomain, []string{"Files.Read", "User.Read"}, []string{"Files.Read", "User.Read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ts, _ := newEmulator(t, Options{AutoApprove: true})
			pc := newPublic(t, ts, tt.tenant)
			ctx := ctxT(t)
			dc, err := pc.AcquireTokenByDeviceCode(ctx, tt.scopes)
			if err != nil {
				t.Fatalf("AcquireTokenByDeviceCode: %v", err)
			}
			if want := ts.URL + "/devicelogin"; dc.Result.VerificationURL != want {
				t.Errorf("verification URL = %q, want %q", dc.Result.VerificationURL, want)
			}
			if !strings.Contains(dc.Result.Message, dc.Result.UserCode) || len(dc.Result.UserCode) != 9 || dc.Result.UserCode[4] != '-' {
				t.Errorf("user code %q / message %q", dc.Result.UserCode, dc.Result.Message)
			}
			res, err := dc.AuthenticationResult(ctx)
			if err != nil {
				t.Fatalf("AuthenticationResult: %v", err)
			}
			if res.Account.PreferredUsername != "adele@contoso.example" {
				t.Errorf("account username = %q", res.Account.PreferredUsername)
			}
			if want := "adele." + DefaultTenantID; res.Account.HomeAccountID != want {
				t.Errorf("home account id = %q, want %q", res.Account.HomeAccountID, want)
			}
			if res.IDToken.TenantID != DefaultTenantID || res.IDToken.Name != "Adele Vance" {
				t.Errorf("id token = %+v", res.IDToken)
			}
			p, err := s.ValidateAccessToken(res.AccessToken)
			if err != nil {
				t.Fatalf("ValidateAccessToken: %v", err)
			}
			if p.UserID != "adele" || p.UserPrincipalName != "adele@contoso.example" || p.TenantID != DefaultTenantID ||
				p.ClientID != publicClientID || p.AppOnly || !slices.Equal(p.Scopes, tt.wantScp) {
				t.Errorf("principal = %+v, want scopes %v", p, tt.wantScp)
			}
			accts, err := pc.Accounts(ctx)
			if err != nil || len(accts) != 1 {
				t.Fatalf("Accounts = %v, %v", accts, err)
			}
			// A 1h token is served from MSAL's cache.
			if again, err := pc.AcquireTokenSilent(ctx, tt.scopes, public.WithSilentAccount(accts[0])); err != nil || again.AccessToken != res.AccessToken {
				t.Errorf("silent: err=%v, same token=%v", err, err == nil && again.AccessToken == res.AccessToken)
			}
		})
	}
}

// TestRefreshLifecycle exercises silent refresh against short-lived access tokens, forced expiry and
// revocation of refresh tokens.
func TestRefreshLifecycle(t *testing.T) {
	t.Parallel()
	s, ts, rec := newEmulator(t, Options{AutoApprove: true, AccessTokenLifetime: 2 * time.Minute})
	pc := newPublic(t, ts, "organizations")
	ctx := ctxT(t)
	scopes := []string{"Files.ReadWrite"}
	dc, err := pc.AcquireTokenByDeviceCode(ctx, scopes)
	if err != nil {
		t.Fatal(err)
	}
	first, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acct := first.Account

	// MSAL treats a token expiring within 5 minutes as expired, so every silent call redeems the
	// refresh token.
	second, err := pc.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(acct))
	if err != nil {
		t.Fatalf("silent refresh: %v", err)
	}
	if n := rec.count("refresh_token", ""); n != 1 {
		t.Errorf("refresh grants = %d, want 1", n)
	}
	if second.AccessToken == first.AccessToken {
		t.Error("silent call returned the cached token")
	}

	s.ExpireAccessTokens()
	for _, tok := range []string{first.AccessToken, second.AccessToken} {
		if _, err := s.ValidateAccessToken(tok); !errors.Is(err, ErrTokenExpired) {
			t.Errorf("after ExpireAccessTokens: %v, want ErrTokenExpired", err)
		}
	}
	third, err := pc.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(acct))
	if err != nil {
		t.Fatalf("silent after expiry: %v", err)
	}
	if _, err := s.ValidateAccessToken(third.AccessToken); err != nil {
		t.Errorf("fresh token after expiry: %v", err)
	}

	s.RevokeRefreshTokens()
	_, err = pc.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(acct))
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("silent after revocation: %v, want invalid_grant", err)
	}
	if n := rec.count("refresh_token", "invalid_grant"); n != 1 {
		t.Errorf("rejected refresh grants = %d, want 1", n)
	}
}

// TestRefreshTokenRotation checks with plain HTTP that a redeemed refresh token is spent.
func TestRefreshTokenRotation(t *testing.T) {
	t.Parallel()
	_, ts, _ := newEmulator(t, Options{AutoApprove: true})
	c := ts.Client()
	tokenURL := ts.URL + "/organizations/oauth2/v2.0/token"
	_, dc := postForm(t, c, ts.URL+"/organizations/oauth2/v2.0/devicecode", map[string][]string{"client_id": {"app"}, "scope": {"Files.Read offline_access openid profile"}})
	st, tok := postForm(t, c, tokenURL, map[string][]string{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {"app"}, "device_code": {dc["device_code"].(string)}})
	if st != 200 || tok["scope"] != "Files.Read" || tok["token_type"] != "Bearer" {
		t.Fatalf("device code grant: %d %v", st, tok)
	}
	ci, err := base64.RawURLEncoding.DecodeString(tok["client_info"].(string))
	if err != nil || string(ci) != `{"uid":"adele","utid":"`+DefaultTenantID+`"}` {
		t.Errorf("client_info = %s, %v", ci, err)
	}
	rt := tok["refresh_token"].(string)
	refresh := map[string][]string{"grant_type": {"refresh_token"}, "client_id": {"app"}, "refresh_token": {rt}, "scope": {"Files.Read openid"}}
	if st, next := postForm(t, c, tokenURL, refresh); st != 200 || next["refresh_token"] == rt {
		t.Fatalf("first redemption: %d %v", st, next)
	}
	if st, again := postForm(t, c, tokenURL, refresh); st != 400 || again["error"] != "invalid_grant" {
		t.Fatalf("second redemption: %d %v", st, again)
	}
	st, again := postForm(t, c, tokenURL, map[string][]string{"grant_type": {"device_code"}, "client_id": {"app"}, "device_code": {dc["device_code"].(string)}})
	if st != 400 || again["error"] != "invalid_grant" {
		t.Errorf("device code redeemed twice: %d %v", st, again)
	}
}

// TestDeviceCodeFailures covers the answers on which MSAL stops polling.
func TestDeviceCodeFailures(t *testing.T) {
	tests := []struct {
		name    string
		act     func(s *Server, clk *fakeClock, userCode string)
		wantErr string
	}{
		{"declined", func(s *Server, _ *fakeClock, code string) {
			if err := s.Decline(code); err != nil {
				t.Error(err)
			}
		}, "authorization_declined"},
		{"expired by admin", func(s *Server, _ *fakeClock, _ string) { s.ExpireDeviceCodes() }, "expired_token"},
		{"expired by clock", func(_ *Server, clk *fakeClock, _ string) { clk.Add(16 * time.Minute) }, "expired_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &fakeClock{t: time.Now()}
			s, ts, _ := newEmulator(t, Options{Now: clk.Now, PollInterval: time.Second})
			pc := newPublic(t, ts, "organizations")
			ctx := ctxT(t)
			dc, err := pc.AcquireTokenByDeviceCode(ctx, []string{"Files.Read"})
			if err != nil {
				t.Fatal(err)
			}
			tt.act(s, clk, dc.Result.UserCode)
			_, err = dc.AuthenticationResult(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("AuthenticationResult: %v, want %s", err, tt.wantErr)
			}
		})
	}
}

// TestSlowDownAndAdminApprove polls with MSAL's own schedule (50ms, tripling) against a 1s interval:
// the early polls get slow_down, MSAL keeps going, and the code is approved through the admin API.
func TestSlowDownAndAdminApprove(t *testing.T) {
	t.Parallel()
	s, ts, rec := newEmulator(t, Options{PollInterval: time.Second})
	pc := newPublic(t, ts, "organizations")
	ctx := ctxT(t)
	dc, err := pc.AcquireTokenByDeviceCode(ctx, []string{"Files.ReadWrite"})
	if err != nil {
		t.Fatal(err)
	}
	if dc.Result.Interval != 1 {
		t.Errorf("interval = %d", dc.Result.Interval)
	}
	done := make(chan error, 1)
	go func() {
		res, err := dc.AuthenticationResult(ctx)
		if err == nil && res.Account.PreferredUsername != "megan@contoso.example" {
			err = errors.New("signed in as " + res.Account.PreferredUsername)
		}
		done <- err
	}()
	for rec.count("device_code", "slow_down") == 0 {
		select {
		case err := <-done:
			t.Fatalf("finished before any slow_down: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	var pending []PendingDeviceCode
	resp, err := ts.Client().Get(ts.URL + "/_emulator/identity/device-codes")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&pending)
	resp.Body.Close()
	if len(pending) != 1 || pending[0].UserCode != dc.Result.UserCode || pending[0].Scope != "Files.ReadWrite" {
		t.Fatalf("pending = %+v", pending)
	}
	body := strings.NewReader(`{"user_code":"` + strings.ToLower(dc.Result.UserCode) + `","upn":"megan@contoso.example"}`)
	resp, err = ts.Client().Post(ts.URL+"/_emulator/identity/approve", "application/json", body)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("admin approve: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rec.count("device_code", "authorization_pending") < 1 || rec.count("device_code", "") != 1 {
		t.Errorf("exchanges: %+v", rec.all())
	}
	if len(s.PendingDeviceCodes()) != 0 {
		t.Error("code still pending after sign-in")
	}
}

func newConfidential(t *testing.T, ts *httptest.Server, tenant, clientID string, cred confidential.Credential) confidential.Client {
	t.Helper()
	cc, err := confidential.New(ts.URL+"/"+tenant, clientID, cred,
		confidential.WithInstanceDiscovery(false), confidential.WithHTTPClient(ts.Client()))
	if err != nil {
		t.Fatalf("confidential.New: %v", err)
	}
	return cc
}

// otherCert makes an RSA key and a self-signed certificate that the emulator has never seen.
func otherCert(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "intruder"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, k
}

// forgedAssertion names the registered certificate (x5t#S256) but is signed by another key.
func forgedAssertion(t *testing.T, aud string) string {
	registered, err := parseCert(DemoAppCertPEM)
	if err != nil {
		t.Fatal(err)
	}
	_, k := otherCert(t)
	th := sha256.Sum256(registered.Raw)
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t#S256": base64.StdEncoding.EncodeToString(th[:])})
	now := time.Now().Unix()
	c, _ := json.Marshal(map[string]any{"aud": aud, "iss": DemoCertAppClientID, "sub": DemoCertAppClientID, "exp": now + 600, "nbf": now, "jti": "x"})
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestClientCredentials drives unmodified MSAL confidential clients.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	s, ts, _ := newEmulator(t, Options{})
	ctx := ctxT(t)
	graphDefault := []string{"https://graph.microsoft.com/.default"}

	secretCred, _ := confidential.NewCredFromSecret(DemoAppSecret)
	certs, key, err := confidential.CertFromPEM(append(slices.Clone(DemoAppCertPEM), DemoAppKeyPEM...), "")
	if err != nil {
		t.Fatal(err)
	}
	certCred, err := confidential.NewCredFromCert(certs, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, tenant, clientID string
		cred                   confidential.Credential
	}{
		{"secret", DefaultTenantID, DemoAppClientID, secretCred},
		{"certificate", DefaultTenantDomain, DemoCertAppClientID, certCred},
	} {
		cc := newConfidential(t, ts, c.tenant, c.clientID, c.cred)
		res, err := cc.AcquireTokenByCredential(ctx, graphDefault)
		if err != nil {
			t.Fatalf("%s: AcquireTokenByCredential: %v", c.name, err)
		}
		p, err := s.ValidateAccessToken(res.AccessToken)
		if err != nil {
			t.Fatalf("%s: ValidateAccessToken: %v", c.name, err)
		}
		if !p.AppOnly || p.UserID != "" || p.ClientID != c.clientID || p.TenantID != DefaultTenantID || !slices.Equal(p.Scopes, []string{"Files.ReadWrite.All"}) {
			t.Errorf("%s: principal = %+v", c.name, p)
		}
	}

	wrong, _ := confidential.NewCredFromSecret("not-the-secret")
	_, err = newConfidential(t, ts, DefaultTenantID, DemoAppClientID, wrong).AcquireTokenByCredential(ctx, graphDefault)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("wrong secret: %v", err)
	}

	oc, ok := otherCert(t)
	otherCred, err := confidential.NewCredFromCert([]*x509.Certificate{oc}, ok)
	if err != nil {
		t.Fatal(err)
	}
	_, err = newConfidential(t, ts, DefaultTenantID, DemoCertAppClientID, otherCred).AcquireTokenByCredential(ctx, graphDefault)
	if err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Errorf("unregistered certificate: %v", err)
	}

	forged := confidential.NewCredFromAssertionCallback(func(_ context.Context, o confidential.AssertionRequestOptions) (string, error) {
		return forgedAssertion(t, o.TokenEndpoint), nil
	})
	_, err = newConfidential(t, ts, DefaultTenantID, DemoCertAppClientID, forged).AcquireTokenByCredential(ctx, graphDefault)
	if err == nil || !strings.Contains(err.Error(), "did not match the expected signature") {
		t.Errorf("forged signature: %v", err)
	}

	_, err = newConfidential(t, ts, DefaultTenantID, DemoAppClientID, secretCred).AcquireTokenByCredential(ctx, []string{"Files.Read.All"})
	if err == nil || !strings.Contains(err.Error(), "AADSTS1002012") {
		t.Errorf("delegated scope in client credentials: %v", err)
	}
	_, err = newConfidential(t, ts, "organizations", DemoAppClientID, secretCred).AcquireTokenByCredential(ctx, graphDefault)
	if err == nil || !strings.Contains(err.Error(), "AADSTS50059") {
		t.Errorf("client credentials without a tenant: %v", err)
	}
}

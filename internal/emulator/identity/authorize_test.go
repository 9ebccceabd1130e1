package identity

import (
	"crypto/sha256"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	testRedirect = "http://localhost:53682"
)

func testChallenge() string {
	h := sha256.Sum256([]byte(testVerifier))
	return b64.EncodeToString(h[:])
}

// noRedirect returns ts's client that stops at the first redirect, so tests can read Location.
func noRedirect(ts *httptest.Server) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func authorizeParams(mod func(url.Values)) url.Values {
	v := url.Values{
		"client_id": {publicClientID}, "response_type": {"code"}, "redirect_uri": {testRedirect},
		"scope": {"Files.ReadWrite openid offline_access profile"}, "state": {"st-1"},
		"code_challenge": {testChallenge()}, "code_challenge_method": {"S256"}, "prompt": {"select_account"},
	}
	if mod != nil {
		mod(v)
	}
	return v
}

// authorize GETs the authorization endpoint advertised by discovery for tenant.
func authorize(t *testing.T, ts *httptest.Server, tenant string, v url.Values) (*http.Response, string) {
	t.Helper()
	_, disc := getJSON(t, ts, "/"+tenant+"/v2.0/.well-known/openid-configuration")
	ep, _ := disc["authorization_endpoint"].(string)
	if ep == "" {
		t.Fatalf("no authorization_endpoint in %v", disc)
	}
	resp, err := noRedirect(ts).Get(ep + "?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func getJSON(t *testing.T, ts *httptest.Server, path string) (int, map[string]any) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// redirected checks a 302 to testRedirect and returns its query.
func redirected(t *testing.T, resp *http.Response, body string) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302:\n%s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Scheme+"://"+loc.Host != testRedirect {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

func authRedirect(t *testing.T, ts *httptest.Server, tenant string, v url.Values) url.Values {
	t.Helper()
	resp, body := authorize(t, ts, tenant, v)
	return redirected(t, resp, body)
}

func redeem(t *testing.T, ts *httptest.Server, tenant string, mod func(url.Values)) (int, map[string]any) {
	t.Helper()
	v := url.Values{
		"grant_type": {"authorization_code"}, "client_id": {publicClientID}, "redirect_uri": {testRedirect},
		"code_verifier": {testVerifier}, "scope": {"Files.ReadWrite openid offline_access profile"}, "client_info": {"1"},
	}
	mod(v)
	return postForm(t, ts.Client(), ts.URL+"/"+tenant+"/oauth2/v2.0/token", v)
}

func wantOAuthErr(t *testing.T, st int, body map[string]any, code, aadsts string) {
	t.Helper()
	desc, _ := body["error_description"].(string)
	if st != http.StatusBadRequest || body["error"] != code || !strings.HasPrefix(desc, "AADSTS"+aadsts+":") {
		t.Errorf("got %d %v %q, want %s AADSTS%s", st, body["error"], desc, code, aadsts)
	}
}

func TestAuthorizeAutoApproveAndRedeem(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	s, ts, _ := newEmulator(t, Options{AutoApprove: true, Now: clock.Now})

	q := authRedirect(t, ts, "organizations", authorizeParams(nil))
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	code := q.Get("code")
	st, tok := redeem(t, ts, "organizations", func(v url.Values) { v.Set("code", code) })
	if st != http.StatusOK {
		t.Fatalf("redeem: %d %v", st, tok)
	}
	if tok["scope"] != "Files.ReadWrite" || tok["refresh_token"] == nil || tok["id_token"] == nil || tok["client_info"] == nil {
		t.Errorf("token response %v", tok)
	}
	p, err := s.ValidateAccessToken(tok["access_token"].(string))
	if err != nil || p.UserID != "adele" || p.ClientID != publicClientID {
		t.Errorf("principal %+v, %v", p, err)
	}
	// The refresh token from a code works like the device code flow's.
	st, _ = postForm(t, ts.Client(), ts.URL+"/organizations/oauth2/v2.0/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {publicClientID}, "refresh_token": {tok["refresh_token"].(string)},
		"scope": {"Files.ReadWrite openid offline_access profile"},
	})
	if st != http.StatusOK {
		t.Errorf("refresh: %d", st)
	}
	// Single use.
	st, body := redeem(t, ts, "organizations", func(v url.Values) { v.Set("code", code) })
	wantOAuthErr(t, st, body, "invalid_grant", "54005")

	// login_hint picks the user; a plain challenge works too.
	q = authRedirect(t, ts, "contoso.example", authorizeParams(func(v url.Values) {
		v.Set("login_hint", "Megan@contoso.example")
		v.Set("code_challenge", testVerifier)
		v.Del("code_challenge_method")
	}))
	st, tok = redeem(t, ts, "contoso.example", func(v url.Values) { v.Set("code", q.Get("code")) })
	if p, err := s.ValidateAccessToken(tok["access_token"].(string)); st != http.StatusOK || err != nil || p.UserID != "megan" {
		t.Errorf("hinted: %d %+v %v", st, p, err)
	}

	// Codes expire.
	q = authRedirect(t, ts, "organizations", authorizeParams(nil))
	clock.Add(5*time.Minute + time.Second)
	st, body = redeem(t, ts, "organizations", func(v url.Values) { v.Set("code", q.Get("code")) })
	wantOAuthErr(t, st, body, "invalid_grant", "70008")
}

func TestAuthCodeRedemptionChecks(t *testing.T) {
	_, ts, _ := newEmulator(t, Options{AutoApprove: true})
	for _, tc := range []struct {
		name, code, aadsts string
		mod                func(url.Values)
	}{
		{"PKCE mismatch", "invalid_grant", "50148", func(v url.Values) {
			v.Set("code_verifier", strings.Repeat("x", 43))
		}},
		{"verifier missing", "invalid_grant", "501481", func(v url.Values) { v.Del("code_verifier") }},
		{"challenge as verifier", "invalid_grant", "50148", func(v url.Values) { v.Set("code_verifier", testChallenge()) }},
		{"other redirect_uri", "invalid_grant", "500112", func(v url.Values) { v.Set("redirect_uri", "http://localhost:1") }},
		{"other client", "invalid_grant", "70000", func(v url.Values) { v.Set("client_id", "00000000-0000-0000-0000-000000000001") }},
		{"unknown code", "invalid_grant", "9002313", func(v url.Values) { v.Set("code", "1.AEMUnope") }},
		{"no code", "invalid_request", "900144", func(v url.Values) { v.Del("code") }},
		{"more scope than authorized", "invalid_grant", "65001", func(v url.Values) {
			v.Set("scope", "Files.ReadWrite Files.ReadWrite.All openid offline_access profile")
		}},
		{"no redirect_uri", "invalid_request", "900144", func(v url.Values) { v.Del("redirect_uri") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := authRedirect(t, ts, "common", authorizeParams(nil))
			code := q.Get("code")
			st, body := redeem(t, ts, "common", func(v url.Values) { v.Set("code", code); tc.mod(v) })
			wantOAuthErr(t, st, body, tc.code, tc.aadsts)
			if tc.code == "invalid_grant" && tc.aadsts != "9002313" {
				// A failed redemption used the code up.
				st, body = redeem(t, ts, "common", func(v url.Values) { v.Set("code", code) })
				wantOAuthErr(t, st, body, "invalid_grant", "54005")
			}
		})
	}
}

func TestAuthorizeRequestValidation(t *testing.T) {
	_, ts, _ := newEmulator(t, Options{AutoApprove: true})
	// Not trusted to redirect to: an error page, no Location.
	for name, mod := range map[string]func(url.Values){
		"https redirect":        func(v url.Values) { v.Set("redirect_uri", "https://localhost:5000") },
		"remote host":           func(v url.Values) { v.Set("redirect_uri", "http://example.com/cb") },
		"localhost lookalike":   func(v url.Values) { v.Set("redirect_uri", "http://localhost.evil.example:80") },
		"ipv6 loopback":         func(v url.Values) { v.Set("redirect_uri", "http://[::1]:5000") },
		"user info":             func(v url.Values) { v.Set("redirect_uri", "http://evil@localhost:5000") },
		"fragment":              func(v url.Values) { v.Set("redirect_uri", "http://localhost:5000/#x") },
		"bad port":              func(v url.Values) { v.Set("redirect_uri", "http://localhost:99999") },
		"no redirect_uri":       func(v url.Values) { v.Del("redirect_uri") },
		"no client_id":          func(v url.Values) { v.Del("client_id") },
		"unknown response_mode": func(v url.Values) { v.Set("response_mode", "web_message") },
	} {
		resp, body := authorize(t, ts, "common", authorizeParams(mod))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || !strings.Contains(body, "AADSTS") {
			t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, err := noRedirect(ts).Get(ts.URL + "/nosuch.example/oauth2/v2.0/authorize?" + authorizeParams(nil).Encode())
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown tenant: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	// Accepted loopback forms.
	for _, ru := range []string{"http://localhost", "http://127.0.0.1:8400/callback", "http://LOCALHOST:1/x?y=1"} {
		resp, body := authorize(t, ts, "common", authorizeParams(func(v url.Values) { v.Set("redirect_uri", ru) }))
		loc, _ := url.Parse(resp.Header.Get("Location"))
		want, _ := url.Parse(ru)
		if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("code") == "" || loc.Host != want.Host || loc.Path != want.Path ||
			(want.RawQuery != "" && loc.Query().Get("y") != "1") {
			t.Errorf("%s: %d %s %s", ru, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
	// Errors about the request itself go back to the app with state.
	for name, tc := range map[string]struct {
		mod  func(url.Values)
		code string
	}{
		"token response type": {func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
		"no scope":            {func(v url.Values) { v.Del("scope") }, "invalid_request"},
		"foreign scope":       {func(v url.Values) { v.Set("scope", "https://other.example/x") }, "invalid_scope"},
		"bad method":          {func(v url.Values) { v.Set("code_challenge_method", "S512") }, "invalid_request"},
		"short challenge":     {func(v url.Values) { v.Set("code_challenge", "abc") }, "invalid_request"},
		"bad prompt":          {func(v url.Values) { v.Set("prompt", "sometimes") }, "invalid_request"},
	} {
		q := authRedirect(t, ts, "common", authorizeParams(tc.mod))
		if q.Get("error") != tc.code || !strings.HasPrefix(q.Get("error_description"), "AADSTS") || q.Get("state") != "st-1" || q.Get("code") != "" {
			t.Errorf("%s: %v", name, q)
		}
	}
}

var (
	formActionRe = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRe     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		v.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

func TestAuthorizeConsentPage(t *testing.T) {
	s, ts, _ := newEmulator(t, Options{})
	c := noRedirect(ts)
	page := func(mod func(url.Values)) (string, url.Values) {
		resp, body := authorize(t, ts, "common", authorizeParams(mod))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="approve"`) || !strings.Contains(body, "Files.ReadWrite") {
			t.Fatalf("consent page: %d\n%s", resp.StatusCode, body)
		}
		m := formActionRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no form")
		}
		return ts.URL + html.UnescapeString(m[1]), hiddenFields(body)
	}

	// Approve as megan: the answer goes to the redirect URI and the code redeems for megan.
	action, form := page(nil)
	form.Set("account", "megan@contoso.example")
	form.Set("action", "approve")
	resp, err := c.PostForm(action, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := redirected(t, resp, "")
	st, tok := redeem(t, ts, "common", func(v url.Values) { v.Set("code", q.Get("code")) })
	if p, err := s.ValidateAccessToken(tok["access_token"].(string)); st != 200 || err != nil || p.UserID != "megan" {
		t.Errorf("approved: %d %+v %v", st, p, err)
	}
	// The flow token is single-use.
	resp, _ = c.PostForm(action, form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("reused flow token: %d", resp.StatusCode)
	}

	// Decline: access_denied with Entra's AADSTS65004 and state.
	action, form = page(nil)
	form.Set("action", "decline")
	resp, _ = c.PostForm(action, form)
	resp.Body.Close()
	q = redirected(t, resp, "")
	if q.Get("error") != "access_denied" || !strings.HasPrefix(q.Get("error_description"), "AADSTS65004: User declined") || q.Get("state") != "st-1" || q.Get("code") != "" {
		t.Errorf("declined: %v", q)
	}

	// form_post: an auto-submitting form to the redirect URI, allowed by the page's CSP.
	action, form = page(func(v url.Values) { v.Set("response_mode", "form_post") })
	form.Set("account", "adele@contoso.example")
	form.Set("action", "approve")
	resp, _ = c.PostForm(action, form)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formActionRe.FindStringSubmatch(string(body))
	f := hiddenFields(string(body))
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || m == nil || m[1] != testRedirect || f.Get("code") == "" || f.Get("state") != "st-1" ||
		!strings.Contains(csp, "form-action "+testRedirect) || !strings.Contains(csp, "script-src 'nonce-") {
		t.Errorf("form_post: %d %v %v %q\n%s", resp.StatusCode, m, f, csp, body)
	}

	// prompt=none cannot show a page.
	q = authRedirect(t, ts, "common", authorizeParams(func(v url.Values) { v.Set("prompt", "none") }))
	if q.Get("error") != "login_required" {
		t.Errorf("prompt=none: %v", q)
	}
	// A tenant's page offers only its users, and rejects others.
	action, form = page(func(v url.Values) { v.Set("login_hint", "nobody@contoso.example") })
	form.Set("account", "nobody@contoso.example")
	form.Set("action", "approve")
	resp, _ = c.PostForm(action, form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown account approved: %d", resp.StatusCode)
	}
}

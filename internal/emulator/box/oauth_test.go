package box

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func wantOAuthError(t *testing.T, r resp, code, descr string) {
	t.Helper()
	m := r.json(t)
	if r.status != 400 || m["error"] != code || (descr != "" && m["error_description"] != descr) || len(m) != 2 {
		t.Fatalf("%d %s, want 400 %s %q", r.status, r.body, code, descr)
	}
}

// authorize runs GET /api/oauth2/authorize without following the redirect.
func (e *env) authorize(q url.Values) *http.Response {
	e.t.Helper()
	cl := e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Get(e.ts.URL + authorizePath + "?" + q.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func pkce() (verifier, challenge string) {
	verifier = strings.Repeat("v3rifier-", 6)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authQuery(redirect, challenge string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {DemoClientID}, "redirect_uri": {redirect},
		"state": {"st-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
}

func TestAuthorizationCodeFlow(t *testing.T) {
	e := newEnv(t, Options{})
	verifier, challenge := pkce()
	redirect := "http://127.0.0.1:49152/callback" // any loopback port matches the registered URI
	res := e.authorize(authQuery(redirect, challenge))
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), `id="approve"`) || !strings.Contains(string(page), `id="decline"`) {
		t.Fatalf("consent page %d:\n%s", res.StatusCode, page)
	}
	ticket := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindStringSubmatch(string(page))[1]
	cl := e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.PostForm(e.ts.URL+authorizePath, url.Values{"ticket": {ticket}, "action": {"approve"}, "login": {DemoMeganLogin}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	code := loc.Query().Get("code")
	if res.StatusCode != 302 || loc.Host != "127.0.0.1:49152" || loc.Query().Get("state") != "st-1" || len(code) != 32 {
		t.Fatalf("approve: %d %s", res.StatusCode, loc)
	}
	// The ticket is single use.
	res, _ = cl.PostForm(e.ts.URL+authorizePath, url.Values{"ticket": {ticket}, "action": {"approve"}, "login": {DemoMeganLogin}})
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("reused ticket: %d", res.StatusCode)
	}
	redeem := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {DemoClientID},
		"client_secret": {DemoClientSecret}, "code_verifier": {verifier}}
	bad := url.Values{}
	for k, v := range redeem {
		bad[k] = v
	}
	bad.Set("client_secret", "wrong")
	wantOAuthError(t, e.form(tokenPath, bad), "invalid_client", "The client credentials are invalid")
	r := e.form(tokenPath, redeem)
	tok := r.json(t)
	if r.status != 200 || len(tok["access_token"].(string)) != 32 || tok["token_type"] != "bearer" || tok["refresh_token"] == nil ||
		tok["expires_in"].(float64) < 3600 || tok["expires_in"].(float64) > 3780 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	// The code is spent.
	wantOAuthError(t, e.form(tokenPath, redeem), "invalid_grant", "Auth code doesn't exist or is invalid for the client")
	// The token speaks for Megan.
	e.token = tok["access_token"].(string)
	if me := e.get("/2.0/users/me").json(t); me["id"] != DemoMeganID || me["enterprise"].(map[string]any)["id"] != DemoEnterpriseID {
		t.Fatalf("me %v", me)
	}
	// Refresh tokens are single use and rotate.
	rt := tok["refresh_token"].(string)
	ref := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}}
	r = e.form(tokenPath, ref)
	tok2 := r.json(t)
	if r.status != 200 || tok2["refresh_token"] == rt || tok2["access_token"] == tok["access_token"] {
		t.Fatalf("refresh: %s", r.body)
	}
	wantOAuthError(t, e.form(tokenPath, ref), "invalid_grant", "Invalid refresh token")
	// Revoking ends the sign-in: its access tokens and its refresh token.
	r = e.form(revokePath, url.Values{"client_id": {DemoClientID}, "client_secret": {DemoClientSecret}, "token": {tok2["access_token"].(string)}})
	if r.status != 200 || len(r.body) != 0 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantError(t, e.get("/2.0/users/me"), 401, "unauthorized")
	ref.Set("refresh_token", tok2["refresh_token"].(string))
	wantOAuthError(t, e.form(tokenPath, ref), "invalid_grant", "Invalid refresh token")
	if s := e.srv.Stats().Tokens; s.Issued != 1 || s.Refreshed != 1 {
		t.Fatalf("token stats %+v", s)
	}
}

func TestAuthorizeRules(t *testing.T) {
	e := newEnv(t, Options{AutoApprove: true})
	verifier, challenge := pkce()
	code := func(q url.Values) (string, *url.URL) {
		res := e.authorize(q)
		res.Body.Close()
		loc, _ := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != 302 || loc == nil {
			t.Fatalf("authorize %v: %d", q, res.StatusCode)
		}
		return loc.Query().Get("code"), loc
	}
	c, loc := code(authQuery("http://localhost:8080/", challenge))
	if c == "" || loc.Host != "localhost:8080" {
		t.Fatalf("auto-approve: %s", loc)
	}
	redeem := func(c, v string) resp {
		return e.form(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "client_id": {DemoClientID},
			"client_secret": {DemoClientSecret}, "code_verifier": {v}})
	}
	wantOAuthError(t, redeem(c, "wrong-verifier-wrong-verifier-wrong-verifier-x"), "invalid_grant", "")
	// Codes live 30 seconds.
	c, _ = code(authQuery("http://localhost:8080/", challenge))
	e.clk.advance(31 * time.Second)
	wantOAuthError(t, redeem(c, verifier), "invalid_grant", "The authorization code has expired")
	c, _ = code(authQuery("http://localhost:8080/", challenge))
	e.clk.advance(29 * time.Second)
	if r := redeem(c, verifier); r.status != 200 {
		t.Fatalf("a 29-second-old code: %s", r.body)
	}
	// Without PKCE the code works without a verifier.
	q := authQuery("http://127.0.0.1:1234/callback", "")
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	c, _ = code(q)
	if r := redeem(c, ""); r.status != 200 {
		t.Fatalf("no PKCE: %s", r.body)
	}
	// Decline, plain PKCE and a bad response_type go back to the app with an error.
	q = authQuery("http://127.0.0.1:1234/callback", challenge)
	q.Set("code_challenge_method", "plain")
	_, loc = code(q)
	if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st-1" {
		t.Fatalf("plain: %s", loc)
	}
	q = authQuery("http://127.0.0.1:1234/callback", challenge)
	q.Set("response_type", "token")
	if _, loc = code(q); loc.Query().Get("error") != "unsupported_response_type" {
		t.Fatalf("token response type: %s", loc)
	}
	// Redirect URIs the app didn't register, and a missing one with several registered, get an
	// error page and no redirect.
	for _, ru := range []string{"http://127.0.0.1:1234/other", "http://evil.example/callback", "https://127.0.0.1:1234/callback", ""} {
		res := e.authorize(authQuery(ru, challenge))
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || res.Header.Get("Location") != "" || !strings.Contains(string(body), "redirect_uri_m") {
			t.Errorf("redirect %q: %d %s", ru, res.StatusCode, body)
		}
	}
	q = authQuery("http://127.0.0.1:1234/callback", challenge)
	q.Set("client_id", DemoCCGClientID)
	if res := e.authorize(q); res.StatusCode != 400 {
		t.Errorf("ccg app on the authorize page: %d", res.StatusCode)
	}
	e.srv.SetAutoApprove(false)
	res := e.authorize(authQuery("http://127.0.0.1:1234/callback", challenge))
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	ticket := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindStringSubmatch(string(page))[1]
	cl := e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ = cl.PostForm(e.ts.URL+authorizePath, url.Values{"ticket": {ticket}, "action": {"decline"}})
	res.Body.Close()
	loc, _ = url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
		t.Fatalf("decline: %d %s", res.StatusCode, loc)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t, Options{})
	cc := func(id, secret, typ, subject string) resp {
		return e.form(tokenPath, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
			"box_subject_type": {typ}, "box_subject_id": {subject}})
	}
	r := cc(DemoCCGClientID, DemoCCGSecret, "enterprise", DemoEnterpriseID)
	tok := r.json(t)
	if r.status != 200 || tok["refresh_token"] != nil {
		t.Fatalf("ccg enterprise: %s", r.body)
	}
	e.token = tok["access_token"].(string)
	me := e.get("/2.0/users/me").json(t)
	if !strings.HasPrefix(me["login"].(string), "AutomationUser_") {
		t.Fatalf("service account %v", me)
	}
	// The service account sees only what is collaborated with it: nothing here.
	if m := e.get("/2.0/folders/0/items").json(t); m["total_count"] != float64(0) {
		t.Fatalf("service account root %v", m)
	}
	wantError(t, e.get("/2.0/folders/"+DemoReportsFolderID), 404, "not_found")
	r = cc(DemoCCGClientID, DemoCCGSecret, "user", DemoUserID)
	e.token = r.json(t)["access_token"].(string)
	if e.get("/2.0/users/me").json(t)["id"] != DemoUserID {
		t.Fatal("ccg user token")
	}
	wantOAuthError(t, cc(DemoCCGClientID, DemoCCGSecret, "enterprise", DemoFabrikamID), "invalid_grant", "Grant credentials are invalid")
	wantOAuthError(t, cc(DemoCCGClientID, DemoCCGSecret, "user", DemoFredID), "invalid_grant", "Grant credentials are invalid")
	wantOAuthError(t, cc(DemoCCGClientID, "nope", "enterprise", DemoEnterpriseID), "invalid_client", "The client credentials are invalid")
	wantOAuthError(t, cc(DemoUnauthorizedCCGClientID, DemoUnauthorizedCCGSecret, "enterprise", DemoFabrikamID), "unauthorized_client", "")
	wantOAuthError(t, cc(DemoClientID, DemoClientSecret, "enterprise", DemoEnterpriseID), "invalid_request", "The grant type is unauthorized for this client_id")
	wantOAuthError(t, e.form(tokenPath, url.Values{"grant_type": {"password"}}), "invalid_request", "Invalid grant_type parameter or parameter missing")
	// JSON is not a form; HTTP Basic is not where Box reads the secret.
	res, _ := http.Post(e.ts.URL+tokenPath, "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("JSON body: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+tokenPath, strings.NewReader("grant_type=client_credentials&box_subject_type=enterprise&box_subject_id="+DemoEnterpriseID))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DemoCCGClientID, DemoCCGSecret)
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("basic auth: %d", res.StatusCode)
	}
	// Developer tokens from the admin endpoint; expiry answers 401 invalid_token.
	tokStr, err := e.srv.IssueDeveloperToken(DemoMeganLogin, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	e.token = tokStr
	if r := e.get("/2.0/users/me"); r.status != 200 {
		t.Fatalf("developer token: %d", r.status)
	}
	e.clk.advance(time.Minute)
	r = e.get("/2.0/users/me")
	wantError(t, r, 401, "unauthorized")
	if r.header.Get("WWW-Authenticate") != wwwInvalidToken {
		t.Fatalf("expired: %v", r.header)
	}
	// A free user has no enterprise.
	e.token = DemoSamToken
	if me := e.get("/2.0/users/me").json(t); me["enterprise"] != nil || me["timezone"] != "UTC" {
		t.Fatalf("free user %v", me)
	}
}

func TestRecordedSecretsAreRedacted(t *testing.T) {
	e := newEnv(t, Options{})
	e.get("/2.0/shared_items", "BoxApi", boxAPI(DemoPasswordedLinkURL, DemoLinkPassword))
	e.put(notesURL, `{"shared_link":{"access":"open","password":"Passw0rd!x"}}`)
	e.form(tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-secret"}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}})
	reqs := e.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	all := ""
	for _, rr := range reqs {
		all += fmt.Sprint(rr.Header) + string(rr.Body)
	}
	for _, secret := range []string{DemoLinkPassword, "Passw0rd!x", "rt-secret", DemoClientSecret, DemoDeveloperToken} {
		if strings.Contains(all, secret) || strings.Contains(all, url.QueryEscape(secret)) {
			t.Errorf("recorded requests hold %q", secret)
		}
	}
	if h := reqs[0].Header.Get("BoxApi"); h != "shared_link="+DemoPasswordedLinkURL+"&shared_link_password=[redacted]" {
		t.Errorf("BoxApi recorded as %q", h)
	}
	if !e.srv.SecretIs(reqs[0], "shared_link_password", DemoLinkPassword) || !e.srv.SecretIs(reqs[1], "password", "Passw0rd!x") ||
		!e.srv.SecretIs(reqs[2], "client_secret", DemoClientSecret) || !e.srv.SecretIs(reqs[2], "refresh_token", "rt-secret") ||
		e.srv.SecretIs(reqs[2], "refresh_token", "other") {
		t.Error("SecretIs")
	}
	if !strings.Contains(string(reqs[2].Body), "grant_type=refresh_token") || !strings.Contains(string(reqs[2].Body), "client_id="+DemoClientID) {
		t.Errorf("form body %s", reqs[2].Body)
	}
}

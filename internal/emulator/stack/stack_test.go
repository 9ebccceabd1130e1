package stack

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/identity"
)

type env struct {
	t  *testing.T
	st *Stack
	c  *http.Client
}

// start serves a stack over TLS on loopback; the client trusts only its CA.
func start(t *testing.T, o Options) *env {
	t.Helper()
	o.TLS = true
	st, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := st.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stop(ctx)
	})
	if !strings.HasPrefix(st.AuthorityHost, "https://127.0.0.1:") || st.BaseURL != st.AuthorityHost+"/v1.0" {
		t.Fatalf("AuthorityHost %q BaseURL %q", st.AuthorityHost, st.BaseURL)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(st.CAPEM) {
		t.Fatal("CAPEM holds no certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(c.CloseIdleConnections)
	return &env{t: t, st: st, c: c}
}

// graph GETs a Graph path with bearer and returns the status and the decoded JSON object.
func (e *env) graph(path, bearer string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.st.BaseURL+path, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := e.c.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return res.StatusCode, m
}

func errorOf(m map[string]any) (code, msg string) {
	er, _ := m["error"].(map[string]any)
	code, _ = er["code"].(string)
	msg, _ = er["message"].(string)
	return code, msg
}

// post posts a form to an identity path (below AuthorityHost) and returns the status and JSON.
func (e *env) post(path string, v url.Values) (int, map[string]any) {
	e.t.Helper()
	res, err := e.c.PostForm(e.st.AuthorityHost+path, v)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		e.t.Fatalf("POST %s: %d: %v", path, res.StatusCode, err)
	}
	return res.StatusCode, m
}

const tokenPath = "/" + identity.DefaultTenantID + "/oauth2/v2.0/token"

func (e *env) appToken() string {
	e.t.Helper()
	status, m := e.post(tokenPath, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {identity.DemoAppClientID},
		"client_secret": {identity.DemoAppSecret}, "scope": {"https://graph.microsoft.com/.default"},
	})
	tok, _ := m["access_token"].(string)
	if status != 200 || tok == "" {
		e.t.Fatalf("client credentials: %d %v", status, m)
	}
	return tok
}

// deviceCode starts a device code flow and returns the device and user codes.
func (e *env) deviceCode() (device, user string) {
	e.t.Helper()
	status, m := e.post("/organizations/oauth2/v2.0/devicecode", url.Values{
		"client_id": {"odshare-test"}, "scope": {"https://graph.microsoft.com/Files.ReadWrite.All offline_access openid profile"},
	})
	device, _ = m["device_code"].(string)
	user, _ = m["user_code"].(string)
	if status != 200 || device == "" || user == "" {
		e.t.Fatalf("devicecode: %d %v", status, m)
	}
	return device, user
}

// poll redeems a device code once and returns the access token or the OAuth error.
func (e *env) poll(device string) (token, oauthErr string) {
	e.t.Helper()
	_, m := e.post(tokenPath, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {"odshare-test"}, "device_code": {device},
	})
	token, _ = m["access_token"].(string)
	oauthErr, _ = m["error"].(string)
	return token, oauthErr
}

func TestStrictTokens(t *testing.T) {
	e := start(t, Options{})
	// non-tokens, and a well-formed token from another stack (same shape, different key)
	for _, bad := range []string{"x", "a.b.c", e.foreignToken(t)} {
		status, m := e.graph("/me/drive", bad)
		if code, _ := errorOf(m); status != 401 || code != "InvalidAuthenticationToken" {
			t.Errorf("token %.20q: %d %v", bad, status, m)
		}
	}
	if status, m := e.graph("/me/drive", ""); status != 401 {
		t.Errorf("no token: %d %v", status, m)
	}
}

// foreignToken gets an app-only token from a second stack: well formed, but not this one's.
func (e *env) foreignToken(t *testing.T) string {
	t.Helper()
	return start(t, Options{}).appToken()
}

func TestAppOnly(t *testing.T) {
	e := start(t, Options{})
	tok := e.appToken()
	for _, p := range []string{"/me/drive/root", "/me"} {
		status, m := e.graph(p, tok)
		code, msg := errorOf(m)
		if status != 400 || code != "BadRequest" || msg != "/me request is only valid with delegated authentication flow." {
			t.Errorf("app-only %s: %d %v", p, status, m)
		}
		if er, _ := m["error"].(map[string]any); er["innerError"] == nil {
			t.Errorf("app-only %s: no innerError in %v", p, m)
		}
	}
	for _, p := range []string{
		"/drives/" + emulator.DemoPersonalDriveID + "/root",
		"/users/" + emulator.DemoMeganID + "/drive",
		"/groups/" + emulator.DemoGroupID + "/drive",
		"/sites/" + emulator.DemoSiteID + "/drive",
		"/shares/" + emulator.DemoSharedFileShareID + "/driveItem",
	} {
		if status, m := e.graph(p, tok); status != 200 {
			t.Errorf("app-only %s: %d %v", p, status, m)
		}
	}
	// identity traffic is not among the recorded Graph requests
	for _, r := range e.st.Graph.Requests() {
		if !strings.HasPrefix(r.RawURI, "/v1.0/") {
			t.Errorf("recorded %s %s", r.Method, r.RawURI)
		}
	}
}

func TestDelegatedAndExpiry(t *testing.T) {
	e := start(t, Options{})
	app := e.appToken()
	device, user := e.deviceCode()
	if tok, oe := e.poll(device); tok != "" || oe != "authorization_pending" {
		t.Fatalf("before approval: %q %q", tok, oe)
	}
	if err := e.st.Identity.Approve(user, ""); err != nil { // the default user: the fixture's me
		t.Fatal(err)
	}
	tok, oe := e.poll(device)
	if tok == "" {
		t.Fatalf("after approval: %q", oe)
	}
	if status, m := e.graph("/me", tok); status != 200 || m["id"] != emulator.DemoUserID || m["userPrincipalName"] != emulator.DemoUserPrincipal {
		t.Errorf("/me: %d %v", status, m)
	}
	if status, m := e.graph("/me/drive", tok); status != 200 || m["id"] != emulator.DemoPersonalDriveID {
		t.Errorf("/me/drive: %d %v", status, m)
	}

	e.st.Identity.ExpireAccessTokens()
	for _, bt := range []string{tok, app} {
		status, m := e.graph("/drives/"+emulator.DemoPersonalDriveID, bt)
		if code, msg := errorOf(m); status != 401 || code != "InvalidAuthenticationToken" || !strings.Contains(msg, "expired") {
			t.Errorf("expired token: %d %v", status, m)
		}
	}
	if status, _ := e.graph("/drives/"+emulator.DemoPersonalDriveID, e.appToken()); status != 200 {
		t.Errorf("fresh token after ExpireAccessTokens: %d", status)
	}
}

func TestAccessTokenLifetime(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := start(t, Options{Identity: identity.Options{AccessTokenLifetime: time.Minute, Now: clock}})
	tok := e.appToken()
	if status, _ := e.graph("/drives/"+emulator.DemoPersonalDriveID, tok); status != 200 {
		t.Fatalf("fresh: %d", status)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if status, m := e.graph("/drives/"+emulator.DemoPersonalDriveID, tok); status != 401 {
		t.Errorf("after its lifetime: %d %v", status, m)
	}
}

func TestSetAutoApprove(t *testing.T) {
	e := start(t, Options{})
	e.st.Identity.SetAutoApprove(true)
	device, _ := e.deviceCode()
	tok, oe := e.poll(device)
	if tok == "" {
		t.Fatalf("auto-approve on: %q", oe)
	}
	if status, m := e.graph("/me", tok); status != 200 || m["id"] != emulator.DemoUserID {
		t.Errorf("/me: %d %v", status, m)
	}
	e.st.Identity.SetAutoApprove(false)
	device, _ = e.deviceCode()
	if tok, oe := e.poll(device); tok != "" || oe != "authorization_pending" {
		t.Errorf("auto-approve off: %q %q", tok, oe)
	}
}

// A custom fixture's users become the identity side's, its "me" the default user.
func TestUsersFromFixture(t *testing.T) {
	f := &emulator.Fixture{
		Me: "bob@fabrikam.example",
		Users: []emulator.FixtureUser{
			{ID: "u-alice", UserPrincipalName: "alice@fabrikam.example", DisplayName: "Alice"},
			{ID: "u-bob", UserPrincipalName: "bob@fabrikam.example", DisplayName: "Bob"},
		},
		Drives: []emulator.FixtureDrive{
			{ID: "da", DriveType: emulator.DriveTypeBusiness, Owner: "u-alice"},
			{ID: "db", DriveType: emulator.DriveTypeBusiness, Owner: "u-bob"},
		},
	}
	e := start(t, Options{Graph: emulator.Options{Seed: f}, Identity: identity.Options{AutoApprove: true}})
	device, _ := e.deviceCode()
	tok, oe := e.poll(device)
	if tok == "" {
		t.Fatalf("sign-in: %q", oe)
	}
	if status, m := e.graph("/me/drive", tok); status != 200 || m["id"] != "db" {
		t.Errorf("/me/drive: %d %v", status, m)
	}
	// the fixture's domain is an authority segment
	res, err := e.c.Get(e.st.AuthorityHost + "/fabrikam.example/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("discovery for the fixture's domain: %d", res.StatusCode)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{Graph: emulator.Options{Seed: &emulator.Fixture{}}}); err == nil || !strings.Contains(err.Error(), "no users") {
		t.Errorf("fixture without users: %v", err)
	}
	bad := &emulator.Fixture{Users: []emulator.FixtureUser{{ID: "u", UserPrincipalName: "nodomain"}}}
	if _, err := New(Options{Graph: emulator.Options{Seed: bad}}); err == nil || !strings.Contains(err.Error(), "stack: identity") {
		t.Errorf("UPN without a domain: %v", err)
	}
	if _, err := New(Options{Graph: emulator.Options{Seed: &emulator.Fixture{Me: "ghost"}}}); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("bad fixture: %v", err)
	}
}

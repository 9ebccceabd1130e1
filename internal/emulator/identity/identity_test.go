package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// userToken gets a delegated access token over plain HTTP with AutoApprove.
func userToken(t *testing.T, ts *httptest.Server, clientID string) string {
	t.Helper()
	c := ts.Client()
	_, dc := postForm(t, c, ts.URL+"/common/oauth2/v2.0/devicecode", url.Values{"client_id": {clientID}, "scope": {"Files.Read openid"}})
	st, tok := postForm(t, c, ts.URL+"/common/oauth2/v2.0/token", url.Values{"grant_type": {"device_code"}, "client_id": {clientID}, "device_code": {dc["device_code"].(string)}})
	if st != 200 {
		t.Fatalf("token: %d %v", st, tok)
	}
	return tok["access_token"].(string)
}

func TestValidateAccessToken(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, ts, _ := newEmulator(t, Options{AutoApprove: true, Now: clk.Now})
	tok := userToken(t, ts, "client-1")

	p, err := s.ValidateAccessToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.Now().Add(time.Hour); !p.ExpiresAt.Equal(want) || p.UserID != "adele" || p.ClientID != "client-1" {
		t.Errorf("principal = %+v", p)
	}
	// The claims a Graph-side reader would look at.
	var c map[string]any
	_ = json.Unmarshal(mustB64(t, strings.Split(tok, ".")[1]), &c)
	for k, want := range map[string]any{"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + DefaultTenantID + "/",
		"tid": DefaultTenantID, "oid": "adele", "upn": "adele@contoso.example", "scp": "Files.Read", "appid": "client-1", "ver": "1.0"} {
		if c[k] != want {
			t.Errorf("claim %s = %v, want %v", k, c[k], want)
		}
	}

	other, err := New(Options{AutoApprove: true, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	otherTS := httptest.NewTLSServer(other)
	defer otherTS.Close()
	parts := strings.Split(tok, ".")
	tampered := strings.ReplaceAll(strings.Join([]string{parts[0], base64.RawURLEncoding.EncodeToString(
		[]byte(strings.Replace(string(mustB64(t, parts[1])), `"oid":"adele"`, `"oid":"megan"`, 1))), parts[2]}, "."), "=", "")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	for name, bad := range map[string]string{
		"tampered claims":   tampered,
		"other server":      userToken(t, otherTS, "client-1"),
		"alg none":          none,
		"garbage":           "not-a-token",
		"empty":             "",
		"truncated sig":     tok[:len(tok)-4],
		"id token as token": idTokenFrom(t, ts),
	} {
		if _, err := s.ValidateAccessToken(bad); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("%s: %v, want ErrTokenInvalid", name, err)
		}
	}

	clk.Add(time.Hour)
	if _, err := s.ValidateAccessToken(tok); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("after lifetime: %v, want ErrTokenExpired", err)
	}
}

func idTokenFrom(t *testing.T, ts *httptest.Server) string {
	c := ts.Client()
	_, dc := postForm(t, c, ts.URL+"/common/oauth2/v2.0/devicecode", url.Values{"client_id": {"c"}, "scope": {"Files.Read"}})
	_, tok := postForm(t, c, ts.URL+"/common/oauth2/v2.0/token", url.Values{"grant_type": {"device_code"}, "client_id": {"c"}, "device_code": {dc["device_code"].(string)}})
	return tok["id_token"].(string)
}

func mustB64(t *testing.T, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenIDConfiguration(t *testing.T) {
	t.Parallel()
	_, ts, _ := newEmulator(t, Options{})
	tests := []struct{ seg, issuer, token string }{
		{"common", ts.URL + "/{tenantid}/v2.0", ts.URL + "/common/oauth2/v2.0/token"},
		{"organizations", ts.URL + "/{tenantid}/v2.0", ts.URL + "/organizations/oauth2/v2.0/token"},
		{DefaultTenantID, ts.URL + "/" + DefaultTenantID + "/v2.0", ts.URL + "/" + DefaultTenantID + "/oauth2/v2.0/token"},
		{"Contoso.Example", ts.URL + "/" + DefaultTenantID + "/v2.0", ts.URL + "/" + DefaultTenantID + "/oauth2/v2.0/token"},
	}
	for _, tt := range tests {
		resp, err := ts.Client().Get(ts.URL + "/" + tt.seg + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		resp.Body.Close()
		if m["issuer"] != tt.issuer || m["token_endpoint"] != tt.token || m["authorization_endpoint"] == nil ||
			m["device_authorization_endpoint"] != strings.Replace(tt.token, "token", "devicecode", 1) ||
			strings.Count(tt.token, "token") != 1 {
			t.Errorf("%s: %v", tt.seg, m)
		}
	}
	resp, err := ts.Client().Get(ts.URL + "/fabrikam.example/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != 400 || e["error"] != "invalid_tenant" {
		t.Errorf("unknown tenant: %d %v", resp.StatusCode, e)
	}
}

// TestErrorBody checks the shape of Entra's error answers, which callers show to users.
func TestErrorBody(t *testing.T) {
	t.Parallel()
	_, ts, _ := newEmulator(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/"+DefaultTenantID+"/oauth2/v2.0/token", strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {DemoAppClientID}, "client_secret": {"nope"},
		"scope": {"https://graph.microsoft.com/.default"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("client-request-id", "11111111-2222-3333-4444-555555555555")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error, ErrorDescription, Timestamp, TraceID, CorrelationID string
		ErrorCodes                                                 []int
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal([]byte(strings.NewReplacer("error_description", "ErrorDescription", "error_codes", "ErrorCodes",
		"trace_id", "TraceID", "correlation_id", "CorrelationID").Replace(string(b))), &e)
	if resp.StatusCode != 401 || e.Error != "invalid_client" || len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != 7000215 ||
		!strings.HasPrefix(e.ErrorDescription, "AADSTS7000215: ") || !strings.Contains(e.ErrorDescription, "\r\nTrace ID: "+e.TraceID) ||
		e.CorrelationID != "11111111-2222-3333-4444-555555555555" ||
		!regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`).MatchString(e.Timestamp) {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"no users":         {Users: []User{}},
		"upn without @":    {Users: []User{{ID: "x", UserPrincipalName: "x"}}},
		"unknown default":  {DefaultUser: "nobody@contoso.example"},
		"app without cred": {Apps: []App{{ClientID: "a"}}},
		"bad cert":         {Apps: []App{{ClientID: "a", CertificatePEM: []byte("junk")}}},
		"duplicate user":   {Users: []User{DemoUsers[0], DemoUsers[0]}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

var flowTokenRE = regexp.MustCompile(`name="flowToken" value="([^"]+)"`)

// TestDeviceLoginForms walks the HTML forms with a plain HTTP client: escaping, the single-use
// flowToken, a wrong code, and an approval.
func TestDeviceLoginForms(t *testing.T) {
	t.Parallel()
	s, ts, _ := newEmulator(t, Options{})
	c := ts.Client()
	hostile := `<script>alert(1)</script>`
	_, dc := postForm(t, c, ts.URL+"/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {hostile}, "scope": {"Files.Read"}})
	code := dc["user_code"].(string)

	get := func() string {
		resp, err := c.Get(ts.URL + "/devicelogin")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return flowTokenRE.FindStringSubmatch(string(b))[1]
	}
	post := func(path string, v url.Values) (int, string) {
		resp, err := c.PostForm(ts.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if st, _ := post("/devicelogin", url.Values{"otc": {code}, "flowToken": {"forged"}}); st != 400 {
		t.Errorf("forged flowToken: %d", st)
	}
	if _, body := post("/devicelogin", url.Values{"otc": {"ZZZZ-ZZZZ"}, "flowToken": {get()}}); !strings.Contains(body, "didn&#39;t work") {
		t.Errorf("wrong code page: %s", body)
	}
	tok := get()
	st, body := post("/devicelogin", url.Values{"otc": {strings.ToLower(strings.ReplaceAll(code, "-", ""))}, "flowToken": {tok}})
	if st != 200 || strings.Contains(body, hostile) || !strings.Contains(body, "&lt;script&gt;") || !strings.Contains(body, `id="approve"`) {
		t.Fatalf("consent page: %d %s", st, body)
	}
	if st, _ := post("/devicelogin", url.Values{"otc": {code}, "flowToken": {tok}}); st != 400 {
		t.Errorf("reused flowToken: %d", st)
	}
	consent := flowTokenRE.FindStringSubmatch(body)[1]
	st, body = post("/devicelogin/consent", url.Values{"flowToken": {consent}, "action": {"approve"}, "account": {"megan@contoso.example"}})
	if st != 200 || !strings.Contains(body, "You have signed in") {
		t.Fatalf("approve: %d %s", st, body)
	}
	st, tokResp := postForm(t, c, ts.URL+"/organizations/oauth2/v2.0/token", url.Values{"grant_type": {"device_code"}, "client_id": {hostile}, "device_code": {dc["device_code"].(string)}})
	if st != 200 {
		t.Fatalf("token after approval: %d %v", st, tokResp)
	}
	if p, err := s.ValidateAccessToken(tokResp["access_token"].(string)); err != nil || p.UserID != "megan" {
		t.Errorf("principal %+v, %v", p, err)
	}
}

func TestMatch(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]bool{
		"/common/v2.0/.well-known/openid-configuration": true,
		"/devicelogin":                     true,
		"/_emulator/identity/device-codes": true,
		"/v1.0/me/drive":                   false,
		"/_emulator/graph/reset":           false,
	} {
		if got := s.Match(httptest.NewRequest(http.MethodGet, target, nil)); got != want {
			t.Errorf("Match(GET %s) = %v, want %v", target, got, want)
		}
	}
}

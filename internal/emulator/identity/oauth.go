package identity

import (
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// routes registers the endpoints:
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration   OIDC discovery (MSAL's first request)
//	GET  /{tenant}/discovery/v2.0/keys                      an empty JWKS (tokens are HS256)
//	POST /{tenant}/oauth2/v2.0/devicecode                   start a device code flow
//	GET  /{tenant}/oauth2/v2.0/authorize                    interactive sign-in: consent page or redirect
//	POST /{tenant}/oauth2/v2.0/authorize/consent            the consent page's Approve / Decline
//	POST /{tenant}/oauth2/v2.0/token                        authorization_code, device_code, refresh_token,
//	                                                        client_credentials
//	GET  /devicelogin, POST /devicelogin, POST /devicelogin/consent   the user's pages
//	POST /_emulator/identity/{approve,decline,expire-access-tokens,expire-device-codes,revoke-refresh-tokens}
//	GET  /_emulator/identity/device-codes                   pending device codes (JSON array)
//
// {tenant} is common, organizations, consumers, a tenant id or a domain of a configured user.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.handleOpenIDConfig)
	m.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.handleKeys)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", s.handleDeviceCode)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.handleToken)
	m.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", s.handleAuthorize)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/authorize/consent", s.handleAuthorizeConsent)
	m.HandleFunc("GET /devicelogin", s.handleLoginPage)
	m.HandleFunc("POST /devicelogin", s.handleLoginCode)
	m.HandleFunc("POST /devicelogin/consent", s.handleLoginConsent)
	m.HandleFunc("POST /_emulator/identity/approve", s.handleAdminApprove)
	m.HandleFunc("POST /_emulator/identity/decline", s.handleAdminDecline)
	m.HandleFunc("POST /_emulator/identity/expire-access-tokens", s.adminAction(s.ExpireAccessTokens))
	m.HandleFunc("POST /_emulator/identity/expire-device-codes", s.adminAction(s.ExpireDeviceCodes))
	m.HandleFunc("POST /_emulator/identity/revoke-refresh-tokens", s.adminAction(s.RevokeRefreshTokens))
	m.HandleFunc("GET /_emulator/identity/device-codes", s.handleAdminDeviceCodes)
	s.mux = m
}

// baseURL is the emulator's own origin as the client addressed it. MSAL insists on https authorities
// and checks that the issuer's scheme and host match the authority's (ValidateIssuerMatchesAuthority in
// apps/internal/oauth/ops/authority/authority.go), so every URL we hand out is built from r.Host.
func baseURL(r *http.Request) string { return "https://" + r.Host }

// oauthError is an Entra error: an OAuth error code plus an AADSTS number and message.
type oauthError struct {
	status int
	code   string
	aadsts int
	msg    string
}

func errInvalidScope(scope string) *oauthError {
	return &oauthError{400, "invalid_scope", 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' is not valid. The emulator issues tokens for %s only.", scope, graphResource)}
}

func errMissing(param string) *oauthError {
	return &oauthError{400, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", param)}
}

func errTenant(seg string) *oauthError {
	return &oauthError{400, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", seg)}
}

// writeError answers like Entra: the description repeats the AADSTS code and ends with trace,
// correlation and timestamp lines; correlation_id echoes MSAL's client-request-id header.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	ts := s.now().UTC().Format("2006-01-02 15:04:05Z")
	trace, corr := newGUID(), r.Header.Get("client-request-id")
	if corr == "" {
		corr = newGUID()
	}
	body := struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorCodes       []int  `json:"error_codes"`
		Timestamp        string `json:"timestamp"`
		TraceID          string `json:"trace_id"`
		CorrelationID    string `json:"correlation_id"`
		ErrorURI         string `json:"error_uri"`
	}{
		Error:            e.code,
		ErrorDescription: describeError(e, trace, corr, ts),
		ErrorCodes:       []int{e.aadsts},
		Timestamp:        ts, TraceID: trace, CorrelationID: corr,
		ErrorURI: fmt.Sprintf("%s/error?code=%d", baseURL(r), e.aadsts),
	}
	writeJSON(w, e.status, body)
}

// describeError is Entra's error_description: the AADSTS code and message, then trace, correlation and
// timestamp lines.
func describeError(e *oauthError, trace, corr, ts string) string {
	return fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", e.aadsts, e.msg, trace, corr, ts)
}

// describe is describeError with a new trace id, the given correlation id (a new one if empty) and now.
func (s *Server) describe(e *oauthError, corr string) string {
	if corr == "" {
		corr = newGUID()
	}
	return describeError(e, newGUID(), corr, s.now().UTC().Format("2006-01-02 15:04:05Z"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleOpenIDConfig serves OIDC discovery. MSAL (instance discovery off) fetches
// {authority}/v2.0/.well-known/openid-configuration, requires authorization_endpoint, token_endpoint and
// issuer (TenantDiscoveryResponse.Validate), substitutes "{tenant}" in them (resolvers.go) and only
// compares the issuer's scheme and host with the authority. As Entra does, a tenant's endpoints name its
// GUID even when asked by domain, and the multi-tenant aliases keep their segment with the issuer
// templated as {tenantid}.
func (s *Server) handleOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	tid, ok := s.resolveTenant(seg)
	if !ok {
		s.writeError(w, r, errTenant(seg))
		return
	}
	base := baseURL(r)
	pathSeg, issTenant := tid, tid
	if tid == "" {
		pathSeg, issTenant = strings.ToLower(seg), "{tenantid}"
	}
	ep := base + "/" + pathSeg
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        ep + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              ep + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"HS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/" + issTenant + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     graphResource + "/oidc/userinfo",
		"authorization_endpoint":                ep + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         ep + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  ep + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "preferred_username", "tid", "ver"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

// handleKeys serves an empty key set: the emulator signs with a symmetric key that never leaves the
// process, so its tokens can be checked only with ValidateAccessToken.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.resolveTenant(r.PathValue("tenant")); !ok {
		s.writeError(w, r, errTenant(r.PathValue("tenant")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
}

// userCodeAlphabet avoids vowels (no words) and look-alikes (0/O, 1/I).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func normUserCode(c string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c)))
}

// tenantForm resolves the {tenant} segment and parses the form body of a POST to the devicecode or
// token endpoint, answering the error itself when either fails.
func (s *Server) tenantForm(w http.ResponseWriter, r *http.Request) (tid string, ok bool) {
	seg := r.PathValue("tenant")
	tid, ok = s.resolveTenant(seg)
	if !ok {
		s.writeError(w, r, errTenant(seg))
		return "", false
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, &oauthError{400, "invalid_request", 900144, "The request body must be application/x-www-form-urlencoded."})
		return "", false
	}
	return tid, true
}

// handleDeviceCode starts a device code flow. MSAL finds this endpoint by replacing "token" with
// "devicecode" in the token endpoint (Client.DeviceCodeResult in
// apps/internal/oauth/ops/accesstokens/accesstokens.go) and reads user_code, device_code,
// verification_uri, expires_in, interval and message.
func (s *Server) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	tid, ok := s.tenantForm(w, r)
	if !ok {
		return
	}
	clientID := r.PostForm.Get("client_id")
	if clientID == "" {
		s.writeError(w, r, errMissing("client_id"))
		return
	}
	if r.PostForm.Get("scope") == "" {
		s.writeError(w, r, errMissing("scope"))
		return
	}
	reqs, oerr := parseScopes(r.PostForm.Get("scope"))
	if oerr != nil {
		s.writeError(w, r, oerr)
		return
	}

	s.mu.Lock()
	now := s.now()
	for k, old := range s.codes { // forget codes long past their lifetime
		if now.After(old.expires.Add(time.Hour)) {
			delete(s.codes, k)
			delete(s.byUser, normUserCode(old.userCode))
		}
	}
	var userCode string
	for {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		for i := range b {
			b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
		}
		userCode = string(b[:4]) + "-" + string(b[4:8])
		if _, dup := s.byUser[normUserCode(userCode)]; !dup {
			break
		}
	}
	dc := &deviceCode{
		deviceCode: "DAQABIQEAAA" + randomString(96), userCode: userCode,
		clientID: clientID, tenantSeg: r.PathValue("tenant"), tenantID: tid, scopes: reqs,
		issued: now, expires: now.Add(s.dcLife), state: statePending,
	}
	s.codes[dc.deviceCode] = dc
	s.byUser[normUserCode(userCode)] = dc
	s.mu.Unlock()

	verify := baseURL(r) + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        userCode,
		"device_code":      dc.deviceCode,
		"verification_uri": verify,
		"expires_in":       seconds(s.dcLife),
		"interval":         seconds(s.interval),
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, userCode),
	})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	tid, ok := s.tenantForm(w, r)
	if !ok {
		return
	}
	var (
		resp tokenResponse
		oerr *oauthError
	)
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
		resp, oerr = s.deviceCodeGrant(r)
	case "authorization_code":
		resp, oerr = s.authCodeGrant(r, tid)
	case "refresh_token":
		resp, oerr = s.refreshGrant(r, tid)
	case "client_credentials":
		resp, oerr = s.clientCredentialsGrant(r, r.PathValue("tenant"), tid)
	case "":
		oerr = errMissing("grant_type")
	default:
		oerr = &oauthError{400, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt)}
	}
	if oerr != nil {
		s.writeError(w, r, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// deviceCodeGrant answers MSAL's poll. MSAL keeps polling only on HTTP 400 with authorization_pending
// or slow_down and returns any other answer to the caller (isWaitDeviceCodeErr in
// apps/internal/oauth/oauth.go).
func (s *Server) deviceCodeGrant(r *http.Request) (tokenResponse, *oauthError) {
	code := r.PostForm.Get("device_code")
	if code == "" {
		return tokenResponse{}, errMissing("device_code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dc, ok := s.codes[code]
	if !ok {
		return tokenResponse{}, &oauthError{400, "bad_verification_code", 70000, "The provided value for the input parameter 'device_code' is not valid."}
	}
	if cid := r.PostForm.Get("client_id"); !strings.EqualFold(cid, dc.clientID) {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 70000, "Provided grant is invalid or malformed: the device code was issued to another client."}
	}
	now := s.now()
	if dc.state == stateRedeemed {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 70000, "Provided grant is invalid or malformed: the device code was already redeemed."}
	}
	if !now.Before(dc.expires) {
		return tokenResponse{}, &oauthError{400, "expired_token", 70019, "Verification code expired."}
	}
	if dc.state == stateDeclined {
		return tokenResponse{}, &oauthError{400, "authorization_declined", 65004, "User declined to consent to access the app."}
	}
	if dc.state == statePending && s.autoApprove {
		if err := s.approveLocked(dc.userCode, ""); err != nil {
			return tokenResponse{}, &oauthError{400, "invalid_grant", 50020, err.Error()}
		}
	}
	if dc.state == statePending {
		last := dc.lastPoll
		dc.lastPoll = now
		if !last.IsZero() && now.Sub(last) < s.interval {
			return tokenResponse{}, &oauthError{400, "slow_down", 70016, fmt.Sprintf("OAuth 2.0 device flow error. Polling too fast: wait %d seconds between polls.", seconds(s.interval))}
		}
		return tokenResponse{}, &oauthError{400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}
	}
	dc.state = stateRedeemed
	delete(s.byUser, normUserCode(dc.userCode))
	return s.issueUserLocked(r.Host, dc.user, dc.clientID, dc.scopes), nil
}

// refreshGrant redeems a refresh token. Each redemption rotates it: the old token stops working and the
// response carries a new one, which MSAL stores over the old (Manager.Write in
// apps/internal/base/storage/storage.go).
func (s *Server) refreshGrant(r *http.Request, tid string) (tokenResponse, *oauthError) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		return tokenResponse{}, errMissing("refresh_token")
	}
	clientID := r.PostForm.Get("client_id")
	if clientID == "" {
		return tokenResponse{}, errMissing("client_id")
	}
	reqs, oerr := parseScopes(r.PostForm.Get("scope"))
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[rt]
	if !ok {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}
	}
	if !s.now().Before(g.expires) {
		delete(s.refresh, rt)
		return tokenResponse{}, &oauthError{400, "invalid_grant", 700082, "The refresh token has expired due to inactivity."}
	}
	if !strings.EqualFold(g.clientID, clientID) {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 70000, "Provided grant is invalid or malformed: the refresh token was issued to another client."}
	}
	if tid != "" && tid != g.user.TenantID {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 50020, fmt.Sprintf("User account '%s' from identity provider does not exist in tenant '%s'.", g.user.UserPrincipalName, tid)}
	}
	if len(resourceScopes(reqs)) == 0 {
		reqs = append(reqs, g.scopes...)
	}
	delete(s.refresh, rt)
	return s.issueUserLocked(r.Host, g.user, g.clientID, reqs), nil
}

// clientCredentialsGrant issues an app-only token to a registered confidential client. Entra requires a
// tenant (not common) and a single resource/.default scope; MSAL adds openid, offline_access and
// profile even here (addScopeQueryParam in accesstokens.go), and Entra ignores them.
func (s *Server) clientCredentialsGrant(r *http.Request, seg, tid string) (tokenResponse, *oauthError) {
	clientID := r.PostForm.Get("client_id")
	secret := r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok { // client_secret_basic
		clientID, secret = u, p
	}
	if clientID == "" {
		return tokenResponse{}, errMissing("client_id")
	}
	if tid == "" {
		return tokenResponse{}, &oauthError{400, "invalid_request", 50059, "No tenant-identifying information found in either the request or implied by any provided credentials."}
	}
	app, ok := s.apps[strings.ToLower(clientID)]
	if !ok || app.TenantID != tid {
		return tokenResponse{}, &oauthError{400, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant.", clientID, seg)}
	}
	reqs, oerr := parseScopes(r.PostForm.Get("scope"))
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	res := resourceScopes(reqs)
	if len(res) != 1 || !res[0].isDefault() {
		return tokenResponse{}, &oauthError{400, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", joinScopes(reqs))}
	}
	acr := "1"
	switch {
	case r.PostForm.Get("client_assertion") != "":
		if at := r.PostForm.Get("client_assertion_type"); at != clientAssertionType {
			return tokenResponse{}, &oauthError{400, "invalid_request", 50027, fmt.Sprintf("Invalid client_assertion_type '%s'.", at)}
		}
		if oerr := s.verifyAssertion(r, app, seg); oerr != nil {
			return tokenResponse{}, oerr
		}
		acr = "2"
	case secret != "":
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(app.Secret)) != 1 {
			return tokenResponse{}, &oauthError{401, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)}
		}
	default:
		return tokenResponse{}, &oauthError{401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	return s.issueApp(app, acr), nil
}

// tokenEndpointPath matches the paths a client assertion's aud may name: this tenant's v2.0 or v1.0
// token endpoint.
var tokenEndpointPath = regexp.MustCompile(`^/([^/]+)/oauth2/(?:v2\.0/)?token/?$`)

func sortPending(p []PendingDeviceCode) {
	slices.SortFunc(p, func(a, b PendingDeviceCode) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), strings.Compare(a.UserCode, b.UserCode))
	})
}

// adminAction wraps a Server method as a JSON admin endpoint.
func (s *Server) adminAction(f func()) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f()
		w.WriteHeader(http.StatusNoContent)
	}
}

func adminError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func (s *Server) handleAdminApprove(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserCode string `json:"user_code"`
		UPN      string `json:"upn"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		adminError(w, http.StatusBadRequest, fmt.Errorf("body: %w", err))
		return
	}
	if err := s.Approve(body.UserCode, body.UPN); err != nil {
		adminError(w, http.StatusConflict, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminDecline(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserCode string `json:"user_code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		adminError(w, http.StatusBadRequest, fmt.Errorf("body: %w", err))
		return
	}
	if err := s.Decline(body.UserCode); err != nil {
		adminError(w, http.StatusConflict, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAdminDeviceCodes(w http.ResponseWriter, r *http.Request) {
	p := s.PendingDeviceCodes()
	if p == nil {
		p = []PendingDeviceCode{}
	}
	writeJSON(w, http.StatusOK, p)
}

// Authenticate adapts ValidateAccessToken to the Graph emulator's hook
// func(r *http.Request, bearer string) (userID string, err error). It returns the signed-in user's ID,
// or "" for a valid app-only token (which, as on Graph, cannot use /me).
func (s *Server) Authenticate(_ *http.Request, bearer string) (string, error) {
	p, err := s.ValidateAccessToken(bearer)
	if err != nil {
		return "", err
	}
	return p.UserID, nil
}

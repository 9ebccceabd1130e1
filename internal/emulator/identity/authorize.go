package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Interactive sign-in: the authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636) as Entra runs it
// for a public client with a loopback redirect.
//
// MSAL for Go v1.10.1 (AcquireTokenInteractive in apps/public/public.go, AuthCodeURL in
// apps/internal/base/base.go) starts a loopback server on http://localhost:PORT and opens
//
//	GET {authorization_endpoint}?client_id=…&response_type=code&redirect_uri=http://localhost:PORT
//	    &scope=Files.ReadWrite+openid+offline_access+profile&state=UUID&code_challenge=…
//	    &code_challenge_method=S256&prompt=select_account&response_mode=form_post[&login_hint=…]
//
// Its loopback server (apps/internal/local/server.go) accepts only a POST (form_post) carrying state and
// code, or error and error_description; a GET redirect with the code in the query string fails the sign-in.
// It then redeems the code at the token endpoint with grant_type=authorization_code, code, code_verifier,
// redirect_uri (the same http://localhost:PORT), client_id, client_info=1 and scope (FromAuthCode in
// apps/internal/oauth/ops/accesstokens/accesstokens.go). The emulator honours every response_mode Entra
// offers for a code (query, the default; fragment; form_post).

// authRequest is a validated authorization request, kept while the consent page is open and inside
// the code it produces.
type authRequest struct {
	clientID        string
	redirectURI     string   // exactly as sent; the token request must repeat it
	redirect        *url.URL // parsed redirectURI
	responseMode    string   // query, fragment or form_post
	state           string
	challenge       string // PKCE code_challenge; "" when the client sent none
	challengeMethod string // S256 or plain
	tenantSeg       string // as requested
	tenantID        string // "" for common/organizations/consumers
	scopes          []scopeReq
	loginHint       string
}

type authzTicket struct {
	req     *authRequest
	expires time.Time
}

type authCode struct {
	req      *authRequest
	user     User
	expires  time.Time
	redeemed bool
}

// errInvalidParam is Entra's InvalidRequestParameter.
func errInvalidParam(msg string) *oauthError {
	return &oauthError{400, "invalid_request", 90100, msg}
}

// loopbackRedirect accepts the redirect URIs Entra allows a public client without registering a port:
// http://localhost or http://127.0.0.1 with any port and path (the IPv6 loopback [::1] is not supported by
// Entra and not here either).
func loopbackRedirect(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" || u.Opaque != "" || u.User != nil || u.Fragment != "" || u.Host == "" {
		return nil, fmt.Errorf("not an http URL without user info or fragment")
	}
	if h := u.Hostname(); !strings.EqualFold(h, "localhost") && h != "127.0.0.1" {
		return nil, fmt.Errorf("host %q is not localhost or 127.0.0.1", h)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("bad port %q", p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, fmt.Errorf("empty port")
	}
	return u, nil
}

// validPKCEValue checks a code_verifier or plain code_challenge: 43 to 128 unreserved characters
// (RFC 7636 §4.1).
func validPKCEValue(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range v {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)
		if !ok {
			return false
		}
	}
	return true
}

// authorizeFailed shows an error page. Entra does this, instead of redirecting, while it cannot trust
// the redirect URI: an unknown tenant, a missing client_id or a redirect URI it does not accept.
func (s *Server) authorizeFailed(w http.ResponseWriter, e *oauthError) {
	s.render(w, e.status, "done", pageData{
		Title: "Sign in failed", Heading: "Sorry, but we’re having trouble signing you in.",
		Message: fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.msg),
	})
}

// errorParams is an error as Entra sends it back to the redirect URI.
func (s *Server) errorParams(r *http.Request, e *oauthError) url.Values {
	v := url.Values{}
	v.Set("error", e.code)
	v.Set("error_description", s.describe(e, r.Header.Get("client-request-id")))
	return v
}

// handleAuthorize starts an interactive sign-in: it validates the request, then either shows the consent
// page or, with AutoApprove (and for prompt=none), answers at once with a code.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	tid, ok := s.resolveTenant(seg)
	if !ok {
		s.authorizeFailed(w, errTenant(seg))
		return
	}
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if clientID == "" {
		s.authorizeFailed(w, errMissing("client_id"))
		return
	}
	rawRedirect := q.Get("redirect_uri")
	if rawRedirect == "" {
		s.authorizeFailed(w, errMissing("redirect_uri"))
		return
	}
	ru, err := loopbackRedirect(rawRedirect)
	if err != nil {
		s.authorizeFailed(w, &oauthError{400, "invalid_request", 50011, fmt.Sprintf(
			"The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. The emulator accepts only loopback redirect URIs: http://localhost[:port][/path] or http://127.0.0.1[:port][/path].",
			rawRedirect, clientID)})
		return
	}
	mode := q.Get("response_mode")
	switch mode {
	case "":
		mode = "query"
	case "query", "fragment", "form_post":
	default:
		s.authorizeFailed(w, errInvalidParam(fmt.Sprintf("The provided value for the input parameter 'response_mode' is not valid: '%s'. Expected query, fragment or form_post.", mode)))
		return
	}
	req := &authRequest{
		clientID: clientID, redirectURI: rawRedirect, redirect: ru, responseMode: mode,
		state: q.Get("state"), tenantSeg: seg, tenantID: tid, loginHint: q.Get("login_hint"),
	}

	// From here on, errors go back to the application, as Entra sends them.
	fail := func(e *oauthError) { s.respond(w, r, req, s.errorParams(r, e)) }
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		fail(errMissing("response_type"))
		return
	default:
		fail(&oauthError{400, "unsupported_response_type", 70005, fmt.Sprintf("The provided value for the input parameter 'response_type' is not allowed for this request: '%s'. The emulator supports response_type=code only.", rt)})
		return
	}
	if q.Get("scope") == "" {
		fail(errMissing("scope"))
		return
	}
	reqs, oerr := parseScopes(q.Get("scope"))
	if oerr != nil {
		fail(oerr)
		return
	}
	req.scopes = reqs
	req.challenge, req.challengeMethod = q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case req.challenge == "" && req.challengeMethod != "":
		fail(errInvalidParam("The request has a code_challenge_method but no code_challenge."))
		return
	case req.challenge != "":
		if req.challengeMethod == "" {
			req.challengeMethod = "plain" // RFC 7636 §4.3
		}
		if req.challengeMethod != "S256" && req.challengeMethod != "plain" {
			fail(errInvalidParam(fmt.Sprintf("Invalid code_challenge_method '%s'. Supported methods are S256 and plain.", req.challengeMethod)))
			return
		}
		if !validPKCEValue(req.challenge) {
			fail(&oauthError{400, "invalid_request", 501491, "Invalid size of Code_Challenge parameter."})
			return
		}
	}
	prompt := q.Get("prompt")
	switch prompt {
	case "", "login", "select_account", "consent", "none", "create":
	default:
		fail(errInvalidParam(fmt.Sprintf("Invalid value '%s' for the parameter 'prompt'.", prompt)))
		return
	}
	users := s.tenantUsers(tid)
	if len(users) == 0 {
		fail(&oauthError{400, "invalid_request", 50020, fmt.Sprintf("No account of tenant '%s' can sign in.", seg)})
		return
	}
	selected := s.selectUser(users, req.loginHint)

	s.mu.Lock()
	auto := s.autoApprove
	if auto {
		code := s.issueCodeLocked(req, selected)
		s.mu.Unlock()
		s.respond(w, r, req, url.Values{"code": {code}})
		return
	}
	if prompt == "none" {
		s.mu.Unlock()
		fail(&oauthError{400, "login_required", 50058, "A silent sign-in request was sent but no user is signed in."})
		return
	}
	now := s.now()
	for k, t := range s.authzForms {
		if !now.Before(t.expires) {
			delete(s.authzForms, k)
		}
	}
	tok := randomString(24)
	s.authzForms[tok] = authzTicket{req: req, expires: now.Add(formTicketLifetime)}
	s.mu.Unlock()
	s.render(w, http.StatusOK, "authorize", pageData{
		Title: "Sign in", FlowToken: tok, App: appLabel(clientID), Scopes: joinScopes(reqs),
		Redirect: rawRedirect, Users: users, Selected: selected.UserPrincipalName,
		Action: "/" + url.PathEscape(seg) + "/oauth2/v2.0/authorize/consent",
	})
}

// tenantUsers lists the users who can sign in through an authority for tenant tid ("" = any).
func (s *Server) tenantUsers(tid string) []User {
	var out []User
	for _, u := range s.users {
		if tid == "" || tid == u.TenantID {
			out = append(out, u)
		}
	}
	return out
}

// selectUser picks the login_hint's user when it is among users, else DefaultUser when it is, else the
// first.
func (s *Server) selectUser(users []User, hint string) User {
	for _, want := range []string{hint, s.defaultUser} {
		if i := slices.IndexFunc(users, func(u User) bool { return want != "" && strings.EqualFold(u.UserPrincipalName, want) }); i >= 0 {
			return users[i]
		}
	}
	return users[0]
}

// handleAuthorizeConsent takes the consent page's answer and sends it to the application's redirect URI.
func (s *Server) handleAuthorizeConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	action := r.PostForm.Get("action")
	s.mu.Lock()
	tok := r.PostForm.Get("flowToken")
	t, ok := s.authzForms[tok]
	delete(s.authzForms, tok)
	if !ok || !s.now().Before(t.expires) {
		s.mu.Unlock()
		s.render(w, http.StatusBadRequest, "done", pageData{
			Title: "Session expired", Heading: "Your session has expired",
			Message: "This page was already used or is too old. Start the sign-in from the application again.",
		})
		return
	}
	req := t.req
	switch action {
	case "approve":
		upn := r.PostForm.Get("account")
		u, found := s.byUPN[strings.ToLower(upn)]
		if !found || (req.tenantID != "" && req.tenantID != u.TenantID) {
			s.mu.Unlock()
			s.render(w, http.StatusBadRequest, "done", pageData{
				Title: "Sign in failed", Heading: "Sign in failed",
				Message: fmt.Sprintf("The account %s cannot sign in to %s here. Start the sign-in from the application again.", upn, appLabel(req.clientID)),
			})
			return
		}
		code := s.issueCodeLocked(req, u)
		s.mu.Unlock()
		s.respond(w, r, req, url.Values{"code": {code}})
	case "decline":
		s.mu.Unlock()
		v := s.errorParams(r, &oauthError{400, "access_denied", 65004, "User declined to consent to access the app."})
		v.Set("error_subcode", "cancel")
		s.respond(w, r, req, v)
	default:
		s.mu.Unlock()
		http.Error(w, "bad form: action must be approve or decline", http.StatusBadRequest)
	}
}

// issueCodeLocked mints a single-use authorization code for u. s.mu is held.
func (s *Server) issueCodeLocked(req *authRequest, u User) string {
	now := s.now()
	for k, c := range s.authCodes { // forget codes long past their lifetime
		if now.After(c.expires.Add(time.Hour)) {
			delete(s.authCodes, k)
		}
	}
	code := "1.AEMU" + randomString(96)
	s.authCodes[code] = &authCode{req: req, user: u, expires: now.Add(s.acLife)}
	return code
}

// respond sends params (a code or an error) to the application's redirect URI in the requested
// response_mode, adding state.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, req *authRequest, params url.Values) {
	if req.state != "" {
		params.Set("state", req.state)
	}
	switch req.responseMode {
	case "form_post":
		// An auto-submitting form, as Entra's form_post page; the CSP admits exactly this script and
		// a post to the redirect URI's origin.
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var fields []formField
		for _, k := range keys {
			for _, v := range params[k] {
				fields = append(fields, formField{Name: k, Value: v})
			}
		}
		nonce := randomString(16)
		origin := req.redirect.Scheme + "://" + req.redirect.Host
		csp := fmt.Sprintf("default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-%s'; form-action %s; frame-ancestors 'none'", nonce, origin)
		s.renderCSP(w, http.StatusOK, "formpost", pageData{Title: "Working…", Action: req.redirectURI, Fields: fields, Nonce: nonce}, csp)
	case "fragment":
		u := *req.redirect
		u.Fragment, u.RawFragment = "", ""
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u.String()+"#"+params.Encode(), http.StatusFound)
	default:
		u := *req.redirect
		q := u.Query()
		for k, v := range params {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
}

// authCodeGrant redeems an authorization code. Every attempt uses the code up, as with Entra, so a
// failed or repeated redemption needs a new sign-in.
func (s *Server) authCodeGrant(r *http.Request, tid string) (tokenResponse, *oauthError) {
	for _, p := range []string{"code", "client_id", "redirect_uri"} {
		if r.PostForm.Get(p) == "" {
			return tokenResponse{}, errMissing(p)
		}
	}
	code, clientID, redirect := r.PostForm.Get("code"), r.PostForm.Get("client_id"), r.PostForm.Get("redirect_uri")
	verifier := r.PostForm.Get("code_verifier")
	reqs, oerr := parseScopes(r.PostForm.Get("scope"))
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ac, ok := s.authCodes[code]
	if !ok {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the authorization code is not valid."}
	}
	if ac.redeemed {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."}
	}
	ac.redeemed = true
	req := ac.req
	if !s.now().Before(ac.expires) {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."}
	}
	if !strings.EqualFold(clientID, req.clientID) {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 70000, "Provided grant is invalid or malformed: the authorization code was issued to another client."}
	}
	if redirect != req.redirectURI {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 500112, fmt.Sprintf("The reply address '%s' does not match the reply address '%s' provided when requesting Authorization code.", redirect, req.redirectURI)}
	}
	if req.challenge != "" {
		if verifier == "" {
			return tokenResponse{}, &oauthError{400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request: the request has no code_verifier."}
		}
		want := verifier
		if req.challengeMethod == "S256" {
			h := sha256.Sum256([]byte(verifier))
			want = b64.EncodeToString(h[:])
		}
		if !validPKCEValue(verifier) || subtle.ConstantTimeCompare([]byte(want), []byte(req.challenge)) != 1 {
			return tokenResponse{}, &oauthError{400, "invalid_grant", 50148, "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."}
		}
	}
	if tid != "" && tid != ac.user.TenantID {
		return tokenResponse{}, &oauthError{400, "invalid_grant", 50020, fmt.Sprintf("User account '%s' from identity provider does not exist in tenant '%s'.", ac.user.UserPrincipalName, tid)}
	}
	if len(resourceScopes(reqs)) == 0 {
		reqs = req.scopes
	}
	// A code carries the consent given at /authorize: redeeming it for more is refused, as Entra
	// does (AADSTS65001, consent not granted for the extra permission).
	for _, q := range resourceScopes(reqs) {
		if !slices.ContainsFunc(resourceScopes(req.scopes), func(a scopeReq) bool { return strings.EqualFold(a.short, q.short) }) {
			return tokenResponse{}, &oauthError{400, "invalid_grant", 65001, fmt.Sprintf("The user or administrator has not consented to use the application for the scope '%s'; it was not part of the authorization request.", q.String())}
		}
	}
	return s.issueUserLocked(r.Host, ac.user, req.clientID, reqs), nil
}

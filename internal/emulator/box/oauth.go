package box

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Box's OAuth 2.0 [G-AUTH, OA PostOAuth2Token]: POST /oauth2/token (form-encoded, client
// credentials in the body) for the authorization_code, refresh_token and client_credentials
// grants; POST /oauth2/revoke; GET /api/oauth2/authorize with a consent page. Errors are
// {"error","error_description"} with 400, in Box's words [G-API common-errors].

type accessToken struct {
	user      *user
	app       *app // nil for developer tokens
	expires   time.Time
	session   int
	developer bool
	revoked   bool
}

type refreshGrant struct {
	user    *user
	app     *app
	expires time.Time
	session int
}

type authRequest struct {
	app         *app
	redirectURI string // as it will be sent back to
	redirect    *url.URL
	state       string
	challenge   string // PKCE S256 code_challenge; "" without
	login       string // preselected user
}

type authCode struct {
	req     *authRequest
	user    *user
	expires time.Time
}

var (
	errBadClient      = oauthErr("invalid_client", "The client credentials are invalid")
	errBadGrantType   = oauthErr("invalid_request", "Invalid grant_type parameter or parameter missing")
	errGrantForClient = oauthErr("invalid_request", "The grant type is unauthorized for this client_id")
	errBadCode        = oauthErr("invalid_grant", "Auth code doesn't exist or is invalid for the client")
	errCodeExpired    = oauthErr("invalid_grant", "The authorization code has expired")
	errBadRefresh     = oauthErr("invalid_grant", "Invalid refresh token")
	errRefreshExpired = oauthErr("invalid_grant", "Refresh token has expired")
	errGrantCreds     = oauthErr("invalid_grant", "Grant credentials are invalid")
	errUnauthorized   = oauthErr("unauthorized_client", "This app is not authorized by the enterprise admin.")
	errNoUserTokens   = oauthErr("invalid_request", "Cannot obtain user token based on the enterprise configuration for your app.")
)

// readForm parses a form-encoded body; anything else can't carry a grant_type.
func readForm(r *http.Request, body []byte) (url.Values, *oauthError) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return nil, errBadGrantType
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errBadGrantType
	}
	return v, nil
}

// client authenticates the app from client_id and client_secret in the body; Box documents
// them there, and the emulator accepts no other place (a client that sends HTTP Basic only
// gets invalid_client, as it should expect from Box).
func (s *Server) client(f url.Values) (*app, *oauthError) {
	a := s.st.apps[f.Get("client_id")]
	if a == nil || subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(a.ClientSecret)) != 1 {
		return nil, errBadClient
	}
	return a, nil
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "The token endpoint takes POST only."})
		return
	}
	f, oe := readForm(r, body)
	if oe == nil {
		var res obj
		s.mu.Lock()
		switch f.Get("grant_type") {
		case "authorization_code":
			res, oe = s.codeGrant(f)
		case "refresh_token":
			res, oe = s.refreshGrant(f)
		case "client_credentials":
			res, oe = s.ccGrant(f)
		case "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:token-exchange":
			oe = oauthErr("invalid_request", "The emulator does not implement grant_type "+f.Get("grant_type")+".")
		default:
			oe = errBadGrantType
		}
		s.mu.Unlock()
		if oe == nil {
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, res)
			return
		}
	}
	writeOAuthError(w, oe)
}

// issue mints an access token (and a refresh token when withRefresh) for u in a session.
// expires_in is the lifetime plus up to 5% more, as Box's values are never exactly 3600
// (3895, 4123 in its examples); the token lives exactly that long.
func (s *Server) issue(u *user, a *app, session int, withRefresh bool) obj {
	now := s.now()
	life := s.atLife + time.Duration(s.randFloat()*float64(s.atLife)/20)
	life = life.Truncate(time.Second)
	at := s.randToken(32, alnum)
	s.tokens[at] = &accessToken{user: u, app: a, expires: now.Add(life), session: session}
	o := obj{{"access_token", at}, {"expires_in", int64(life / time.Second)}, {"restricted_to", []any{}}}
	if withRefresh {
		rt := s.randToken(64, alnum)
		s.refresh[rt] = &refreshGrant{user: u, app: a, expires: now.Add(s.rtLife), session: session}
		o = append(o, kv{"refresh_token", rt})
	}
	return append(o, kv{"token_type", "bearer"})
}

func (s *Server) codeGrant(f url.Values) (obj, *oauthError) {
	a, oe := s.client(f)
	if oe != nil {
		return nil, oe
	}
	if a.Auth != AuthOAuth {
		return nil, errGrantForClient
	}
	code := f.Get("code")
	if code == "" {
		return nil, errBadGrantType
	}
	ac := s.codes[code]
	delete(s.codes, code) // one use, whatever happens next
	if ac == nil || ac.req.app != a {
		return nil, errBadCode
	}
	if !s.now().Before(ac.expires) {
		return nil, errCodeExpired
	}
	if ru := f.Get("redirect_uri"); ru != "" && ru != ac.req.redirectURI {
		return nil, oauthErr("invalid_grant", "The redirect_uri does not match the one of the authorization request")
	}
	if ac.req.challenge != "" {
		v := f.Get("code_verifier")
		sum := sha256.Sum256([]byte(v))
		if v == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ac.req.challenge)) != 1 {
			return nil, oauthErr("invalid_grant", "The code_verifier does not match the code_challenge")
		}
	}
	s.sessions++
	s.countStat(func(st *Stats) { st.Tokens.Issued++ })
	return s.issue(ac.user, a, s.sessions, true), nil
}

// refreshGrant redeems a refresh token. Box's are single use: the token is spent, and the
// answer carries a new one [G-AUTH tokens/refresh.md]; reusing the old one is invalid_grant.
func (s *Server) refreshGrant(f url.Values) (obj, *oauthError) {
	a, oe := s.client(f)
	if oe != nil {
		return nil, oe
	}
	rt := f.Get("refresh_token")
	g := s.refresh[rt]
	if g == nil || g.app != a {
		return nil, errBadRefresh
	}
	delete(s.refresh, rt)
	if !s.now().Before(g.expires) {
		return nil, errRefreshExpired
	}
	s.countStat(func(st *Stats) { st.Tokens.Refreshed++ })
	return s.issue(g.user, a, g.session, true), nil
}

// ccGrant is the Client Credentials Grant: box_subject_type enterprise acts as the app's
// service account, user as that user (with "Generate user access tokens"); no refresh token.
func (s *Server) ccGrant(f url.Values) (obj, *oauthError) {
	a, oe := s.client(f)
	if oe != nil {
		return nil, oe
	}
	if a.Auth != AuthCCG {
		return nil, errGrantForClient
	}
	if a.Unauthorized {
		return nil, errUnauthorized
	}
	var u *user
	switch f.Get("box_subject_type") {
	case "enterprise":
		if f.Get("box_subject_id") != a.ent.id {
			return nil, errGrantCreds
		}
		u = a.service
	case "user":
		if !a.UserTokens {
			return nil, errNoUserTokens
		}
		u = s.st.userByKey[f.Get("box_subject_id")]
		if u == nil || u.ent != a.ent || u.service {
			return nil, errGrantCreds
		}
	default:
		return nil, errGrantCreds
	}
	s.sessions++
	s.countStat(func(st *Stats) { st.Tokens.Issued++ })
	return s.issue(u, a, s.sessions, false), nil
}

// serveRevoke is POST /oauth2/revoke: it ends the sign-in the token belongs to (its access
// tokens and its refresh token), and answers 200 with no body even for an unknown token.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "The revoke endpoint takes POST only."})
		return
	}
	f, oe := readForm(r, body)
	if oe != nil {
		writeOAuthError(w, oauthErr("invalid_request", "The request must be form-encoded."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, oe := s.client(f)
	if oe != nil {
		writeOAuthError(w, oe)
		return
	}
	tok := f.Get("token")
	session := 0
	if at := s.tokens[tok]; at != nil && at.app == a {
		session = at.session
		at.revoked = true
	}
	if g := s.refresh[tok]; g != nil && g.app == a {
		session = g.session
	}
	if session != 0 {
		for _, at := range s.tokens {
			if at.session == session {
				at.revoked = true
			}
		}
		for k, g := range s.refresh {
			if g.session == session {
				delete(s.refresh, k)
			}
		}
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// redirectMatches applies Box's rule: registered redirect URIs match exactly, except that
// http://localhost and http://127.0.0.1 ones match on any port [G-AUTH oauth2].
func redirectMatches(registered, asked string) bool {
	if registered == asked {
		return true
	}
	ru, err1 := url.Parse(registered)
	au, err2 := url.Parse(asked)
	if err1 != nil || err2 != nil || ru.Scheme != "http" || au.Scheme != "http" {
		return false
	}
	loop := func(h string) bool { return h == "127.0.0.1" || strings.EqualFold(h, "localhost") }
	path := func(p string) string {
		if p == "" {
			return "/"
		}
		return p
	}
	return loop(ru.Hostname()) && strings.EqualFold(ru.Hostname(), au.Hostname()) && au.User == nil &&
		path(ru.EscapedPath()) == path(au.EscapedPath()) && ru.RawQuery == au.RawQuery && au.Fragment == ""
}

var pages = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} | Box (odshare emulator)</title>
<style>body{font-family:sans-serif;max-width:34em;margin:3em auto;color:#222}button{font-size:1em;padding:.5em 1.2em;margin-right:.6em}.err{color:#a00}</style></head>
<body><h1>{{.Title}}</h1>
{{if .Error}}<p class="err"><strong>{{.Error}}</strong>: {{.Description}}</p>
{{else}}<p><strong>{{.App}}</strong> would like to access and manage your Box files and folders.</p>
<form method="post" action="/api/oauth2/authorize">
<input type="hidden" name="ticket" value="{{.Ticket}}">
<p><label>Sign in as <select name="login" id="login">{{range .Users}}<option value="{{.Login}}"{{if .Selected}} selected{{end}}>{{.Name}} ({{.Login}})</option>{{end}}</select></label></p>
<button type="submit" name="action" value="approve" id="approve">Grant access to Box</button>
<button type="submit" name="action" value="decline" id="decline">Deny</button>
</form>{{end}}
</body></html>`))

type pageUser struct {
	Login, Name string
	Selected    bool
}

type pageData struct {
	Title, App, Ticket, Error, Description string
	Users                                  []pageUser
}

func (s *Server) renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = pages.Execute(w, d)
}

func (s *Server) authorizeFailed(w http.ResponseWriter, code, descr string) {
	s.renderPage(w, http.StatusBadRequest, pageData{Title: "Error", Error: code, Description: descr})
}

// serveAuthorize is GET /api/oauth2/authorize (validate, then the consent page or, with
// AutoApprove, a code at once) and POST /api/oauth2/authorize (the page's answer).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.authorizeStart(w, r)
	case http.MethodPost:
		s.authorizeAnswer(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) authorizeStart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.apps[q.Get("client_id")]
	if a == nil {
		s.authorizeFailed(w, "invalid_client", "The client_id is not the id of an app.")
		return
	}
	if a.Auth != AuthOAuth {
		s.authorizeFailed(w, "unauthorized_client", "The grant type is unauthorized for this client_id")
		return
	}
	asked := q.Get("redirect_uri")
	switch {
	case asked == "" && len(a.RedirectURIs) > 1:
		s.authorizeFailed(w, "redirect_uri_missing", "The app has several redirect URIs, so the request must name one.")
		return
	case asked == "":
		asked = a.RedirectURIs[0]
	case !slices.ContainsFunc(a.RedirectURIs, func(reg string) bool { return redirectMatches(reg, asked) }):
		s.authorizeFailed(w, "redirect_uri_mismatch", "The redirect_uri does not match a redirect URI of the app.")
		return
	}
	ru, err := url.Parse(asked)
	if err != nil {
		s.authorizeFailed(w, "redirect_uri_mismatch", "The redirect_uri is not a URL.")
		return
	}
	req := &authRequest{app: a, redirectURI: asked, redirect: ru, state: q.Get("state"), login: q.Get("box_login")}
	if q.Get("response_type") != "code" {
		s.redirect(w, r, req, url.Values{"error": {"unsupported_response_type"}, "error_description": {"The response_type must be code."}})
		return
	}
	// PKCE is not documented by Box; boxcli sends an S256 challenge without a method, so a
	// missing method means S256 here, and plain is refused.
	if ch := q.Get("code_challenge"); ch != "" {
		if m := q.Get("code_challenge_method"); m != "" && m != "S256" {
			s.redirect(w, r, req, url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge_method must be S256."}})
			return
		}
		if len(ch) != 43 {
			s.redirect(w, r, req, url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge must be a base64url SHA-256 (43 characters)."}})
			return
		}
		req.challenge = ch
	}
	selected := s.st.me
	if u := s.st.user(req.login); u != nil && !u.service {
		selected = u
	}
	if s.auto {
		s.redirect(w, r, req, url.Values{"code": {s.codeFor(req, selected)}})
		return
	}
	if len(s.tickets) > 1000 { // abandoned consent pages
		clear(s.tickets)
	}
	ticket := s.randToken(32, alnum)
	s.tickets[ticket] = req
	var users []pageUser
	for _, u := range s.st.users {
		if !u.service {
			users = append(users, pageUser{Login: u.login, Name: u.name, Selected: u == selected})
		}
	}
	s.renderPage(w, http.StatusOK, pageData{Title: "Grant access to Box", App: a.Name, Ticket: ticket, Users: users})
}

// codeFor mints a 30-second, single-use authorization code [G-API expiration]. s.mu is held.
func (s *Server) codeFor(req *authRequest, u *user) string {
	now := s.now()
	for k, c := range s.codes {
		if now.After(c.expires.Add(time.Hour)) {
			delete(s.codes, k)
		}
	}
	code := s.randToken(32, alnum)
	s.codes[code] = &authCode{req: req, user: u, expires: now.Add(s.acLife)}
	return code
}

func (s *Server) authorizeAnswer(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := r.PostForm.Get("ticket")
	req := s.tickets[t]
	delete(s.tickets, t)
	if req == nil {
		s.authorizeFailed(w, "invalid_request", "This page was already used or is too old. Start the sign-in from the application again.")
		return
	}
	switch r.PostForm.Get("action") {
	case "approve":
		u := s.st.user(r.PostForm.Get("login"))
		if u == nil || u.service {
			s.authorizeFailed(w, "invalid_request", "Unknown account.")
			return
		}
		s.redirect(w, r, req, url.Values{"code": {s.codeFor(req, u)}})
	case "decline":
		s.redirect(w, r, req, url.Values{"error": {"access_denied"}, "error_description": {"The user denied access to your application"}})
	default:
		http.Error(w, "bad form: action must be approve or decline", http.StatusBadRequest)
	}
}

// redirect sends params and state back to the app's redirect URI with 302.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, req *authRequest, params url.Values) {
	if req.state != "" {
		params.Set("state", req.state)
	}
	u := *req.redirect
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// IssueDeveloperToken mints a developer token for the user with this id or login: an access
// token that can't be refreshed, valid for lifetime (0 = 60 minutes, as Box's).
func (s *Server) IssueDeveloperToken(userKey string, lifetime time.Duration) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(userKey)
	if u == nil {
		return "", fmt.Errorf("box: no user %q", userKey)
	}
	if lifetime <= 0 {
		lifetime = 60 * time.Minute
	}
	tok := s.randToken(32, alnum)
	s.tokens[tok] = &accessToken{user: u, expires: s.now().Add(lifetime), developer: true}
	return tok, nil
}

// ExpireAccessTokens makes every access token issued so far (fixture developer tokens
// excepted) fail with 401 from now on, to test a client's refresh.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.tokens {
		if !at.expires.IsZero() {
			at.revoked = true
		}
	}
}

// RevokeRefreshTokens invalidates every refresh token, as a password reset would.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// LiveRefreshTokens counts the refresh tokens that can still be redeemed.
func (s *Server) LiveRefreshTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.refresh {
		if s.now().Before(g.expires) {
			n++
		}
	}
	return n
}

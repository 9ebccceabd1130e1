// Package identity is the Microsoft Entra ID stand-in of the odshare emulator.
//
// It speaks the subset of the Microsoft identity platform v2.0 endpoints that MSAL for Go uses for the
// device code flow, interactive sign-in (authorization code with PKCE and a loopback redirect), silent
// refresh and client credentials, closely enough that an unmodified MSAL client
// (public.New / confidential.New with WithAuthority("https://HOST/TENANT"), WithInstanceDiscovery(false)
// and an HTTP client that trusts the emulator's TLS certificate) signs in against it. The tokens it issues
// are only meaningful to the same Server: the Graph side of the emulator checks them with
// ValidateAccessToken.
//
// The package is stdlib-only on purpose (see docs/architecture.md): the emulator must never share code or
// types with the client it is testing.
package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as a SHA-1 thumbprint (RFC 7515 §4.1.7)
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// User is an account of an emulated tenant. ID is used verbatim as the object id (oid) in tokens.
type User struct {
	ID, UserPrincipalName, DisplayName, TenantID string
}

// App is a confidential client registered in an emulated tenant. It authenticates with Secret, with a
// client assertion signed by the private key of CertificatePEM, or with either when both are set.
type App struct {
	ClientID, TenantID string
	Secret             string
	// CertificatePEM is a PEM certificate whose private key signs client assertions.
	CertificatePEM []byte
	// Roles are the application permissions (app roles) granted on Microsoft Graph; default
	// ["Files.ReadWrite.All"].
	Roles []string
}

// Options configures a Server. The zero value gives the demo tenant (DemoUsers, DemoApps).
type Options struct {
	// Users are the accounts that can sign in; nil means DemoUsers.
	Users []User
	// DefaultUser is the UPN used by AutoApprove and preselected on /devicelogin and the authorize
	// consent page; default the first user.
	DefaultUser string
	// Apps are the confidential clients; nil means DemoApps. Any client_id is accepted as a public
	// client for the device code flow.
	Apps []App
	// AccessTokenLifetime defaults to 1h. MSAL treats a token expiring within 5 minutes as expired and
	// redeems its refresh token on every silent call (apps/internal/base/storage/items.go), which tests
	// use to exercise refresh.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime defaults to 90 days.
	RefreshTokenLifetime time.Duration
	// DeviceCodeLifetime defaults to 15 minutes.
	DeviceCodeLifetime time.Duration
	// PollInterval is the device code "interval"; default 5s. MSAL v1.10.1 ignores it and polls on its
	// own schedule (50ms, tripled after every poll, capped at 5s; apps/internal/oauth/oauth.go
	// DeviceCode.Token), so with a 1s interval its second and third polls get slow_down, which it
	// tolerates.
	PollInterval time.Duration
	// AutoApprove approves a device code as DefaultUser on its first poll, and answers an authorization
	// request (GET /{tenant}/oauth2/v2.0/authorize) at once with a code, without showing the consent
	// page: for the user named by login_hint when that is a user of the tenant, else for DefaultUser.
	AutoApprove bool
	// AuthCodeLifetime bounds how long an authorization code can be redeemed; default 5 minutes.
	AuthCodeLifetime time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

// Principal is who an access token speaks for.
type Principal struct {
	// UserID is the signed-in user's ID; empty for app-only tokens.
	UserID, UserPrincipalName, TenantID, ClientID string
	// Scopes are the delegated permissions (scp) of a user token, or the application permissions (roles)
	// of an app-only token, in short form ("Files.ReadWrite").
	Scopes    []string
	AppOnly   bool
	ExpiresAt time.Time
}

// Errors returned by ValidateAccessToken, wrapped with detail; test them with errors.Is.
var (
	ErrTokenExpired = errors.New("access token expired")
	ErrTokenInvalid = errors.New("access token invalid")
)

// graphResource is the only resource the emulator issues tokens for.
const graphResource = "https://graph.microsoft.com"

// defaultAppRoles are granted to an App that lists none.
var defaultAppRoles = []string{"Files.ReadWrite.All"}

// defaultDelegatedScopes stand for the permissions a user has consented to, which Entra grants for a
// "/.default" delegated request.
var defaultDelegatedScopes = []string{"Files.ReadWrite.All", "User.Read"}

// Server is an emulated Entra ID. It is an http.Handler and safe for concurrent use.
type Server struct {
	now                    func() time.Time
	atLife, rtLife, dcLife time.Duration
	acLife                 time.Duration // authorization codes
	interval               time.Duration
	key                    []byte // HS256 key for every token this server signs
	mux                    *http.ServeMux

	users       []User
	byUPN       map[string]User // lower-case UPN
	defaultUser string
	apps        map[string]*appReg // client id
	tenants     map[string]string  // lower-case tenant id or domain -> tenant id

	mu      sync.Mutex
	codes   map[string]*deviceCode   // device_code
	byUser  map[string]*deviceCode   // normalised user code
	refresh map[string]*refreshGrant // refresh token
	live    map[string]bool          // uti of every access token issued and not yet force-expired
	expired map[string]bool          // uti of access tokens expired by ExpireAccessTokens
	forms   map[string]formTicket    // per-form anti-CSRF token

	authzForms map[string]authzTicket // consent-page flow token -> the authorization request
	authCodes  map[string]*authCode   // authorization code -> what it grants

	autoApprove bool // Options.AutoApprove, then SetAutoApprove; guarded by mu
}

type appReg struct {
	App
	cert   *x509.Certificate
	x5t    []byte // SHA-1 thumbprint
	x5t256 []byte // SHA-256 thumbprint
}

type deviceState int

const (
	statePending deviceState = iota
	stateApproved
	stateDeclined
	stateRedeemed
)

type deviceCode struct {
	deviceCode, userCode string
	clientID             string
	tenantSeg            string // as requested
	tenantID             string // "" for common/organizations/consumers
	scopes               []scopeReq
	issued, expires      time.Time
	lastPoll             time.Time
	state                deviceState
	user                 User
}

type refreshGrant struct {
	user     User
	clientID string
	scopes   []scopeReq
	expires  time.Time
}

type formTicket struct {
	userCode string
	expires  time.Time
}

// New validates o and returns a Server with a fresh random signing key.
func New(o Options) (*Server, error) {
	s := &Server{
		now:         o.Now,
		atLife:      o.AccessTokenLifetime,
		rtLife:      o.RefreshTokenLifetime,
		dcLife:      o.DeviceCodeLifetime,
		acLife:      o.AuthCodeLifetime,
		interval:    o.PollInterval,
		autoApprove: o.AutoApprove,
		key:         make([]byte, 32),
		byUPN:       map[string]User{},
		apps:        map[string]*appReg{},
		tenants:     map[string]string{},
		codes:       map[string]*deviceCode{},
		byUser:      map[string]*deviceCode{},
		refresh:     map[string]*refreshGrant{},
		live:        map[string]bool{},
		expired:     map[string]bool{},
		forms:       map[string]formTicket{},
		authzForms:  map[string]authzTicket{},
		authCodes:   map[string]*authCode{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.atLife <= 0 {
		s.atLife = time.Hour
	}
	if s.rtLife <= 0 {
		s.rtLife = 90 * 24 * time.Hour
	}
	if s.dcLife <= 0 {
		s.dcLife = 15 * time.Minute
	}
	if s.acLife <= 0 {
		s.acLife = 5 * time.Minute
	}
	if s.interval <= 0 {
		s.interval = 5 * time.Second
	}
	if _, err := rand.Read(s.key); err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}

	users := o.Users
	if users == nil {
		users = DemoUsers
	}
	if len(users) == 0 {
		return nil, errors.New("identity: at least one user is required")
	}
	ids := map[string]bool{}
	for _, u := range users {
		if u.TenantID == "" {
			u.TenantID = DefaultTenantID
		}
		at := strings.LastIndexByte(u.UserPrincipalName, '@')
		if u.ID == "" || at <= 0 || at == len(u.UserPrincipalName)-1 {
			return nil, fmt.Errorf("identity: user %q: need an ID and a UPN like name@domain", u.UserPrincipalName)
		}
		upn := strings.ToLower(u.UserPrincipalName)
		if _, dup := s.byUPN[upn]; dup || ids[u.ID] {
			return nil, fmt.Errorf("identity: duplicate user %q", u.UserPrincipalName)
		}
		ids[u.ID] = true
		s.byUPN[upn] = u
		s.users = append(s.users, u)
		if err := s.addTenant(u.TenantID, u.TenantID); err != nil {
			return nil, err
		}
		if err := s.addTenant(upn[at+1:], u.TenantID); err != nil {
			return nil, err
		}
	}
	s.defaultUser = s.users[0].UserPrincipalName
	if o.DefaultUser != "" {
		u, ok := s.byUPN[strings.ToLower(o.DefaultUser)]
		if !ok {
			return nil, fmt.Errorf("identity: default user %q is not among the users", o.DefaultUser)
		}
		s.defaultUser = u.UserPrincipalName
	}

	apps := o.Apps
	if apps == nil {
		apps = DemoApps
	}
	for _, a := range apps {
		if a.ClientID == "" {
			return nil, errors.New("identity: app without a ClientID")
		}
		if _, dup := s.apps[strings.ToLower(a.ClientID)]; dup {
			return nil, fmt.Errorf("identity: duplicate app %q", a.ClientID)
		}
		if a.TenantID == "" {
			a.TenantID = DefaultTenantID
		}
		if len(a.Roles) == 0 {
			a.Roles = defaultAppRoles
		}
		reg := &appReg{App: a}
		switch {
		case len(a.CertificatePEM) > 0:
			cert, err := parseCert(a.CertificatePEM)
			if err != nil {
				return nil, fmt.Errorf("identity: app %s: %w", a.ClientID, err)
			}
			reg.cert = cert
			s1 := sha1.Sum(cert.Raw) // #nosec G401 -- thumbprint, not a signature
			s256 := sha256.Sum256(cert.Raw)
			reg.x5t, reg.x5t256 = s1[:], s256[:]
		case a.Secret == "":
			return nil, fmt.Errorf("identity: app %s needs a Secret or a CertificatePEM", a.ClientID)
		}
		s.apps[strings.ToLower(a.ClientID)] = reg
		if err := s.addTenant(a.TenantID, a.TenantID); err != nil {
			return nil, err
		}
	}
	s.routes()
	return s, nil
}

func (s *Server) addTenant(alias, tenantID string) error {
	alias = strings.ToLower(alias)
	if isMultiTenant(alias) {
		return fmt.Errorf("identity: %q cannot be a tenant", alias)
	}
	if prev, ok := s.tenants[alias]; ok && prev != tenantID {
		return fmt.Errorf("identity: %q belongs to tenants %s and %s", alias, prev, tenantID)
	}
	s.tenants[alias] = tenantID
	return nil
}

func parseCert(p []byte) (*x509.Certificate, error) {
	for {
		var b *pem.Block
		b, p = pem.Decode(p)
		if b == nil {
			return nil, errors.New("no CERTIFICATE block in CertificatePEM")
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
			// MSAL's confidential.NewCredFromCert accepts only RSA keys (apps/confidential/confidential.go).
			return nil, errors.New("certificate key must be RSA")
		}
		return cert, nil
	}
}

// isMultiTenant reports whether seg is one of the authority segments that do not name a tenant.
func isMultiTenant(seg string) bool {
	switch strings.ToLower(seg) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// resolveTenant maps an authority segment to a tenant id; "" with ok for common/organizations/consumers.
func (s *Server) resolveTenant(seg string) (tenantID string, ok bool) {
	if isMultiTenant(seg) {
		return "", true
	}
	tid, ok := s.tenants[strings.ToLower(seg)]
	return tid, ok
}

// ServeHTTP serves the identity endpoints; see routes for the list.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Match reports whether r is for one of the identity endpoints, so that a combined emulator can send
// everything else to the Graph side.
func (s *Server) Match(r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	return pattern != ""
}

// SetAutoApprove turns Options.AutoApprove on or off at run time: while on, a pending device code is
// approved as DefaultUser on its next poll, and an authorization request is answered with a code
// without the consent page.
func (s *Server) SetAutoApprove(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoApprove = on
}

// ExpireAccessTokens makes every access token issued so far fail validation with ErrTokenExpired from
// now on, as if its lifetime had passed, to test the client's reaction to a 401.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for uti := range s.live {
		s.expired[uti] = true
	}
	clear(s.live)
}

// RevokeRefreshTokens invalidates every refresh token issued so far, as a password reset or an admin's
// "revoke sessions" does; the next refresh fails with invalid_grant and the user must sign in again.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// ExpireDeviceCodes makes every pending device code expired: the next poll gets expired_token.
func (s *Server) ExpireDeviceCodes() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, dc := range s.codes {
		if dc.state == statePending || dc.state == stateApproved {
			dc.expires = now
		}
	}
}

// Approve signs in upn for the pending device code userCode, as the user does on /devicelogin.
func (s *Server) Approve(userCode, upn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveLocked(userCode, upn)
}

// Decline refuses the pending device code userCode, as the user does on /devicelogin.
func (s *Server) Decline(userCode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dc, err := s.pendingLocked(userCode)
	if err != nil {
		return err
	}
	dc.state = stateDeclined
	return nil
}

func (s *Server) approveLocked(userCode, upn string) error {
	dc, err := s.pendingLocked(userCode)
	if err != nil {
		return err
	}
	if upn == "" {
		upn = s.defaultUser
	}
	u, ok := s.byUPN[strings.ToLower(upn)]
	if !ok {
		return fmt.Errorf("identity: no user %q", upn)
	}
	if dc.tenantID != "" && dc.tenantID != u.TenantID {
		return fmt.Errorf("identity: user %s is not in tenant %s", u.UserPrincipalName, dc.tenantSeg)
	}
	dc.state, dc.user = stateApproved, u
	return nil
}

// pendingLocked finds a device code still waiting for the user.
func (s *Server) pendingLocked(userCode string) (*deviceCode, error) {
	dc, ok := s.byUser[normUserCode(userCode)]
	if !ok {
		return nil, fmt.Errorf("identity: unknown user code %q", userCode)
	}
	if !s.now().Before(dc.expires) {
		return nil, fmt.Errorf("identity: user code %s has expired", dc.userCode)
	}
	if dc.state != statePending {
		return nil, fmt.Errorf("identity: user code %s was already used", dc.userCode)
	}
	return dc, nil
}

// PendingDeviceCode describes a device code waiting for the user, for scripts that approve it.
type PendingDeviceCode struct {
	UserCode  string    `json:"user_code"`
	ClientID  string    `json:"client_id"`
	Tenant    string    `json:"tenant"`
	Scope     string    `json:"scope"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PendingDeviceCodes lists the device codes waiting for the user, oldest first.
func (s *Server) PendingDeviceCodes() []PendingDeviceCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []PendingDeviceCode
	for _, dc := range s.codes {
		if dc.state == statePending && now.Before(dc.expires) {
			out = append(out, PendingDeviceCode{
				UserCode: dc.userCode, ClientID: dc.clientID, Tenant: dc.tenantSeg,
				Scope: joinScopes(dc.scopes), ExpiresAt: dc.expires.UTC(),
			})
		}
	}
	sortPending(out)
	return out
}

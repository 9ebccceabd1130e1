package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/httpx"
)

// DefaultClientID is Microsoft Graph Command Line Tools: a public, multi-tenant client with
// dynamic consent. The Azure CLI's id is pre-authorized only for a fixed set of Graph permissions
// and fails for Files/Sites scopes with AADSTS65002.
const DefaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// DefaultAuthorityHost is the public cloud's login host, used when Settings.AuthorityHost is empty.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// DefaultTenant lets any work, school or personal account sign in with a delegated flow.
const DefaultTenant = "common"

// DefaultAppScope is the scope of an app-only token: every application permission the app has
// been granted on Microsoft Graph. Client credentials cannot ask for individual permissions.
const DefaultAppScope = "https://graph.microsoft.com/.default"

// DefaultScopes is the least Graph permission that lets odshare create and read sharing links
// for the signed-in user's files. MSAL adds openid, profile and offline_access itself; asking for
// them here breaks sign-in with "declined scopes are present" (msal-go issue #416).
var DefaultScopes = []string{"Files.ReadWrite"}

// Cache file names inside Settings.ConfigDir.
const (
	cacheFileName    = "msal_token_cache.json"
	appCacheFileName = "msal_app_token_cache.json"
)

// Settings says which identity platform, tenant, client and account to use and where tokens are
// kept. The zero value of every field except ConfigDir has a useful default.
type Settings struct {
	AuthorityHost string       // "https://login.microsoftonline.com" or a custom host (emulator, private cloud)
	Tenant        string       // "common" default; organizations, consumers, an id or a domain
	ClientID      string       // default DefaultClientID
	Scopes        []string     // resource scopes only; default DefaultScopes
	ConfigDir     string       // token cache lives here
	Account       string       // preferred UPN ("" = the only/last-used account)
	HTTPClient    *http.Client // carries ODSHARE_CA_FILE trust and proxy settings; nil = an httpx client. Copied; its copy refuses redirects off the authority's origin
	Storage       Storage      // how the cache files are kept (see storage.go)

	// App-only (client credentials). Exactly one of ClientSecret and CertificateFile.
	ClientSecret        string
	CertificateFile     string // PEM (certificate + unencrypted private key); or PFX (CertificatePassword)
	CertificatePassword string
}

// resolved is Settings with defaults applied and the authority URL built once.
type resolved struct {
	Settings
	authority         string
	instanceDiscovery bool
}

func (s Settings) resolve() (resolved, error) {
	if s.ConfigDir == "" {
		return resolved{}, errors.New("auth: no config directory for the token cache")
	}
	if s.AuthorityHost == "" {
		s.AuthorityHost = DefaultAuthorityHost
	}
	if s.Tenant == "" {
		s.Tenant = DefaultTenant
	}
	if s.ClientID == "" {
		s.ClientID = DefaultClientID
	}
	if len(s.Scopes) == 0 {
		s.Scopes = append([]string(nil), DefaultScopes...)
	}
	host := s.AuthorityHost
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" {
		return resolved{}, fmt.Errorf("auth: invalid authority host %q", s.AuthorityHost)
	}
	if u.Scheme != "https" {
		// MSAL refuses anything else (apps/internal/oauth/ops/authority/authority.go); say so early.
		return resolved{}, fmt.Errorf("auth: authority host %q must use https", s.AuthorityHost)
	}
	if strings.ContainsAny(s.Tenant, "/?#") {
		return resolved{}, fmt.Errorf("auth: invalid tenant %q", s.Tenant)
	}
	base := strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/")
	hc, err := signInClient(s.HTTPClient)
	if err != nil {
		return resolved{}, err
	}
	s.HTTPClient = hc
	return resolved{
		Settings:          s,
		authority:         base + "/" + s.Tenant,
		instanceDiscovery: InstanceDiscoveryNeeded(s.AuthorityHost),
	}, nil
}

// signInClient copies hc (an httpx client when nil) with the sign-in redirect rule: the token
// endpoint's requests carry refresh tokens, codes and client secrets, and net/http would re-send them
// on a 307 or 308 to wherever Location points, so no redirect may leave the authority's scheme and
// host. MSAL's own default client follows every redirect; it is never used.
func signInClient(hc *http.Client) (*http.Client, error) {
	if hc == nil {
		var err error
		if hc, err = httpx.NewClient(httpx.Options{Timeout: 2 * time.Minute}); err != nil {
			return nil, err
		}
	}
	c := *hc
	c.CheckRedirect = httpx.SameOrigin(hc.CheckRedirect)
	return &c, nil
}

func (r resolved) cachePath() string    { return filepath.Join(r.ConfigDir, cacheFileName) }
func (r resolved) appCachePath() string { return filepath.Join(r.ConfigDir, appCacheFileName) }

// aadTrustedHosts mirrors MSAL's aadTrustedHostList (apps/internal/oauth/ops/authority/authority.go),
// which lives in an internal package: the login hosts MSAL can run instance discovery against.
var aadTrustedHosts = map[string]bool{
	"login.windows.net":                true,
	"login.partner.microsoftonline.cn": true,
	"login.chinacloudapi.cn":           true,
	"login.microsoftonline.de":         true,
	"login-us.microsoftonline.com":     true,
	"login.microsoftonline.us":         true,
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"sts.windows.net":                  true,
	"login.usgovcloudapi.net":          true,
	"login.sovcloud-identity.fr":       true,
	"login.sovcloud-identity.de":       true,
	"login.sovcloud-identity.sg":       true,
}

// InstanceDiscoveryNeeded reports whether MSAL should run instance discovery for authorityHost.
// Discovery asks login.microsoftonline.com about the host, which fails with invalid_instance for
// any host Microsoft doesn't operate (the emulator, a private cloud), so it is on only for the
// public and national cloud login hosts. authorityHost may be a URL or a bare host name.
func InstanceDiscoveryNeeded(authorityHost string) bool {
	h := strings.TrimSpace(authorityHost)
	if h == "" {
		return true // the default host
	}
	if !strings.Contains(h, "://") {
		h = "https://" + h
	}
	u, err := url.Parse(h)
	if err != nil {
		return false
	}
	return aadTrustedHosts[strings.ToLower(u.Hostname())]
}

// isMultiTenant reports whether tenant is one of the aliases that stand for many tenants; client
// credentials need a real tenant because an app's service principal lives in one.
func isMultiTenant(tenant string) bool {
	switch strings.ToLower(tenant) {
	case "", "common", "organizations", "consumers":
		return true
	}
	return false
}

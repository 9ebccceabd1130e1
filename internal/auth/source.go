package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/odshare/odshare/internal/redact"
)

// AccountInfo describes a cached sign-in without exposing MSAL's types.
type AccountInfo struct {
	Username      string // user principal name; empty for an app
	TenantID      string
	HomeAccountID string // MSAL's "uid.utid"; empty for an app
	Environment   string // login host the tokens came from
	AppOnly       bool   // an app's client-credential tokens, not a person
	ClientID      string // set for app-only entries
}

// TokenInfo describes the token a Source would use now, for `odshare auth status`. It never
// carries the token itself.
type TokenInfo struct {
	Account   AccountInfo
	AppOnly   bool
	ClientID  string
	Scopes    []string
	ExpiresOn time.Time
}

// LoginResult is what a successful interactive sign-in cached.
type LoginResult struct {
	Account AccountInfo
}

// Source hands out access tokens from the cache, refreshing through MSAL when they expire. It
// satisfies graph's token-source interface (Token and Refresh) structurally. It never prompts:
// when only a new sign-in would help it returns ErrNotSignedIn. A Source is safe for concurrent
// use; its calls are serialised, and processes sharing ConfigDir coordinate through the cache lock.
type Source struct {
	r     resolved
	cache *fileCache
	pub   *public.Client       // delegated
	conf  *confidential.Client // app-only
}

// NewDelegatedSource returns a Source for the signed-in account chosen by s.Account (or the only,
// else the most recently used, one). It does no I/O; errors surface on the first Token.
func NewDelegatedSource(s Settings) (*Source, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	pc, err := newPublicClient(r, fc)
	if err != nil {
		return nil, err
	}
	return &Source{r: r, cache: fc, pub: &pc}, nil
}

// NewAppSource returns a Source for client credentials (a secret or a certificate). The
// credential itself is never cached, so s must carry it on every run; only the tokens are.
func NewAppSource(s Settings) (*Source, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.appCachePath(), r.Storage)
	fc.fresh = true // app-only tokens: the credential gets new ones, nothing is lost with the key
	cc, err := newConfidentialClient(r, fc)
	if err != nil {
		return nil, err
	}
	return &Source{r: r, cache: cc.cache, conf: &cc.client}, nil
}

// Token returns a valid access token, from the cache when MSAL considers it fresh (more than five
// minutes left, apps/internal/base/storage/items.go) and otherwise by redeeming the refresh token
// (delegated) or the client credential (app-only).
func (s *Source) Token(ctx context.Context) (string, error) {
	res, err := s.acquire(ctx, false)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// Refresh returns a new access token even if the cached one looks valid, for a caller whose
// token was just rejected with 401 (revoked session, changed permissions). See the package
// comment for why it hides the cached token instead of using WithClaims.
func (s *Source) Refresh(ctx context.Context) (string, error) {
	res, err := s.acquire(ctx, true)
	if err != nil {
		return "", err
	}
	return res.AccessToken, nil
}

// Info describes the token Token would return, acquiring or refreshing it if needed, so a status
// command reports what will really be used.
func (s *Source) Info(ctx context.Context) (*TokenInfo, error) {
	res, err := s.acquire(ctx, false)
	if err != nil {
		return nil, err
	}
	return s.tokenInfo(res), nil
}

func (s *Source) tokenInfo(res public.AuthResult) *TokenInfo {
	ti := &TokenInfo{
		ClientID:  s.r.ClientID,
		Scopes:    slices.Clone(res.GrantedScopes),
		ExpiresOn: res.ExpiresOn,
		AppOnly:   s.conf != nil,
	}
	if s.conf != nil {
		ti.Account = AccountInfo{TenantID: s.r.Tenant, AppOnly: true, ClientID: s.r.ClientID}
	} else {
		ti.Account = accountInfo(res.Account)
	}
	return ti
}

// acquire runs one silent acquisition under the cache lock. With force, a token that came from
// the cache is hidden from MSAL and the acquisition repeated within the same locked operation, so
// MSAL must go to the token endpoint and no other process can slip a different token in between.
func (s *Source) acquire(ctx context.Context, force bool) (public.AuthResult, error) {
	var res public.AuthResult
	err := s.cache.do(ctx, func(ctx context.Context) error {
		var err error
		if s.conf != nil {
			res, err = s.appToken(ctx)
			if err == nil && force && res.Metadata.TokenSource == confidential.TokenSourceCache {
				s.cache.setDrop(res.AccessToken)
				res, err = s.appToken(ctx)
			}
			return err
		}
		acct, err := s.account(ctx)
		if err != nil {
			return err
		}
		res, err = s.userToken(ctx, acct)
		if err == nil && force && res.Metadata.TokenSource == public.TokenSourceCache {
			s.cache.setDrop(res.AccessToken)
			res, err = s.userToken(ctx, acct)
		}
		return err
	})
	if err == nil && res.AccessToken == "" {
		err = errors.New("identity platform returned an empty access token")
	}
	redact.Add(res.AccessToken, res.IDToken.RawToken) // the tokens this source hands out
	return res, err
}

func (s *Source) userToken(ctx context.Context, acct public.Account) (public.AuthResult, error) {
	res, err := s.pub.AcquireTokenSilent(ctx, s.r.Scopes, public.WithSilentAccount(acct))
	if err != nil {
		who := acct.PreferredUsername
		return res, silentError(ctx, "get token for "+who, err)
	}
	return res, nil
}

// appToken uses AcquireTokenByCredential, which in MSAL v1.10.1 first looks in the app cache and
// only then asks the token endpoint (apps/confidential/confidential.go, AcquireTokenByCredential),
// i.e. it is AcquireTokenSilent-then-credential in one call.
func (s *Source) appToken(ctx context.Context) (public.AuthResult, error) {
	res, err := s.conf.AcquireTokenByCredential(ctx, []string{appScope(s.r.Scopes)})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return res, ctxErr
		}
		return res, loginError("get app-only token for client "+s.r.ClientID, err)
	}
	return res, nil
}

// account picks the cached account: the one named in Settings.Account, else the only one, else
// the one whose access token was cached most recently. Called inside cache.do, so the lock taken
// here is still held when the token is read.
func (s *Source) account(ctx context.Context) (public.Account, error) {
	accts, err := s.pub.Accounts(ctx)
	if err != nil {
		return public.Account{}, silentError(ctx, "read token cache", err)
	}
	if len(accts) == 0 {
		return public.Account{}, fmt.Errorf("no account in token cache %s: %w", s.cache.path, ErrNotSignedIn)
	}
	if want := s.r.Account; want != "" {
		for _, a := range accts {
			if strings.EqualFold(a.PreferredUsername, want) {
				return a, nil
			}
		}
		return public.Account{}, fmt.Errorf("%s is not signed in (signed in: %s): %w", want, usernames(accts), ErrNotSignedIn)
	}
	if len(accts) == 1 {
		return accts[0], nil
	}
	snap, err := s.cache.snapshotLocked(ctx)
	if err != nil {
		return public.Account{}, err
	}
	used := snap.lastUsed()
	sort.SliceStable(accts, func(i, j int) bool {
		ti, tj := used[accts[i].HomeAccountID], used[accts[j].HomeAccountID]
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return strings.ToLower(accts[i].PreferredUsername) < strings.ToLower(accts[j].PreferredUsername)
	})
	return accts[0], nil
}

func usernames(accts []public.Account) string {
	names := make([]string, 0, len(accts))
	for _, a := range accts {
		names = append(names, a.PreferredUsername)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// accountInfo converts MSAL's account. MSAL records the authority's tenant segment as the realm,
// so an account signed in through "common" has realm "common"; the home tenant id, the "utid"
// half of the home account id, is what a user wants to see then.
func accountInfo(a public.Account) AccountInfo {
	tenant := a.Realm
	if isMultiTenant(tenant) {
		if _, utid, ok := strings.Cut(a.HomeAccountID, "."); ok {
			tenant = utid
		}
	}
	return AccountInfo{
		Username:      a.PreferredUsername,
		TenantID:      tenant,
		HomeAccountID: a.HomeAccountID,
		Environment:   a.Environment,
	}
}

// appScope is the one ".default" scope of an app-only request: a caller-provided one (a national
// cloud's Graph) or DefaultAppScope.
func appScope(scopes []string) string {
	for _, sc := range scopes {
		if strings.HasSuffix(sc, "/.default") {
			return sc
		}
	}
	return DefaultAppScope
}

func newPublicClient(r resolved, fc *fileCache) (public.Client, error) {
	opts := []public.Option{
		public.WithAuthority(r.authority),
		public.WithCache(fc),
		public.WithInstanceDiscovery(r.instanceDiscovery),
	}
	opts = append(opts, public.WithHTTPClient(guardWrites(r.HTTPClient, fc)))
	pc, err := public.New(r.ClientID, opts...)
	if err != nil {
		return public.Client{}, fmt.Errorf("auth: %s", redactText(err.Error()))
	}
	return pc, nil
}

// confClient pairs a confidential client with its cache so callers can run operations under do.
type confClient struct {
	client confidential.Client
	cache  *fileCache
}

func newConfidentialClient(r resolved, fc *fileCache) (confClient, error) {
	if isMultiTenant(r.Tenant) {
		return confClient{}, fmt.Errorf("app-only sign-in needs a specific tenant (an id or domain such as contoso.onmicrosoft.com), not %q", r.Tenant)
	}
	if r.ClientID == DefaultClientID {
		return confClient{}, errors.New("app-only sign-in needs the client id of your own app registration; the default client is a public client without credentials")
	}
	cred, err := appCredential(r.Settings)
	if err != nil {
		return confClient{}, err
	}
	opts := []confidential.Option{
		confidential.WithCache(fc),
		confidential.WithInstanceDiscovery(r.instanceDiscovery),
	}
	opts = append(opts, confidential.WithHTTPClient(guardWrites(r.HTTPClient, fc)))
	cc, err := confidential.New(r.authority, r.ClientID, cred, opts...)
	if err != nil {
		return confClient{}, fmt.Errorf("auth: %s", redactText(err.Error()))
	}
	return confClient{client: cc, cache: fc}, nil
}

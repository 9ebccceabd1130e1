package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/odshare/odshare/internal/httpx"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/safetext"
)

// Box's endpoints (ODSHARE_BOX_API_URL, ODSHARE_BOX_TOKEN_URL and ODSHARE_BOX_AUTHORIZE_URL override
// them): notes box.md §3 [G-AUTH oauth2, OA PostOAuth2Token].
const (
	DefaultBoxAPIURL       = "https://api.box.com/2.0"
	DefaultBoxTokenURL     = "https://api.box.com/oauth2/token"
	DefaultBoxAuthorizeURL = "https://account.box.com/api/oauth2/authorize"
)

// boxCacheFileName is the Box token cache inside Settings.ConfigDir, beside MSAL's.
const boxCacheFileName = "box_token_cache.json"

// Kinds of Box sign-in kept in the cache.
const (
	BoxOAuth = "oauth" // authorization code with PKCE: a person, with a refresh token
	BoxCCG   = "ccg"   // Client Credentials Grant: an app's service account or a user, no refresh token
)

// ErrBoxNotSignedIn means no usable Box sign-in is cached, or Box wants a new one (a refresh token
// spent, expired or revoked). The CLI maps it to exit code 4.
var ErrBoxNotSignedIn = errors.New("not signed in to Box; run `odshare auth login --provider box`")

// BoxSettings say which Box endpoints, app and account to use and where tokens are kept.
type BoxSettings struct {
	APIURL       string // default DefaultBoxAPIURL; used for /users/me at sign-in
	TokenURL     string // default DefaultBoxTokenURL
	AuthorizeURL string // default DefaultBoxAuthorizeURL
	ClientID     string // the Box app's client id (required to sign in)
	// ClientSecret is ODSHARE_BOX_CLIENT_SECRET, or what login read from stdin. When set it wins over
	// the secret cached with the sign-in (a rotated secret), and a sign-in stores it in the cache,
	// since Box's refresh grant needs it and a refresh never prompts.
	ClientSecret string
	ConfigDir    string
	Account      string       // login (email) to use; "" = Active, else the one signed in last
	Active       string       // the active account (config box_account), used when Account is ""
	HTTPClient   *http.Client // httpx rules; copied with the sign-in redirect rule
	Storage      Storage      // how the cache is kept (see storage.go)
}

// boxResolved is BoxSettings with defaults applied and the endpoints checked.
type boxResolved struct {
	BoxSettings
	hc *http.Client
}

func (s BoxSettings) resolve() (boxResolved, error) {
	if s.ConfigDir == "" {
		return boxResolved{}, errors.New("auth: no config directory for the token cache")
	}
	def := func(v *string, d string) {
		if strings.TrimSpace(*v) == "" {
			*v = d
		}
		*v = strings.TrimRight(strings.TrimSpace(*v), "/")
	}
	def(&s.APIURL, DefaultBoxAPIURL)
	def(&s.TokenURL, DefaultBoxTokenURL)
	def(&s.AuthorizeURL, DefaultBoxAuthorizeURL)
	for _, e := range []struct{ what, v string }{{"Box API URL", s.APIURL}, {"Box token URL", s.TokenURL}, {"Box authorize URL", s.AuthorizeURL}} {
		if err := CheckEndpoint(e.what, e.v); err != nil {
			return boxResolved{}, err
		}
	}
	hc, err := signInClient(s.HTTPClient)
	if err != nil {
		return boxResolved{}, err
	}
	redact.Add(s.ClientSecret)
	return boxResolved{BoxSettings: s, hc: hc}, nil
}

func (r boxResolved) cachePath() string { return filepath.Join(r.ConfigDir, boxCacheFileName) }

// CheckEndpoint applies the rule every odshare endpoint follows: an absolute https URL, or plain http
// to loopback only (the emulator), with no user info or fragment. Nothing is dialled.
func CheckEndpoint(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("invalid %s %q: want an https URL", what, safetext.Line(raw))
	}
	if u.User != nil || u.Fragment != "" || u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("invalid %s %q: no user info, query or fragment allowed", what, safetext.Line(u.Redacted()))
	}
	if u.Scheme == "http" && !httpx.IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("invalid %s %q: %w (use https)", what, safetext.Line(raw), httpx.ErrInsecure)
	}
	return nil
}

// boxCache is the content of box_token_cache.json. One entry per Box login.
type boxCache struct {
	Version  int          `json:"version"`
	Accounts []boxAccount `json:"accounts"`
}

type boxAccount struct {
	Login        string    `json:"login"`
	UserID       string    `json:"userId"`
	Name         string    `json:"name,omitempty"`
	Kind         string    `json:"kind"` // BoxOAuth or BoxCCG
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	SubjectType  string    `json:"subjectType,omitempty"` // CCG: enterprise or user
	SubjectID    string    `json:"subjectId,omitempty"`
	TokenURL     string    `json:"tokenUrl"` // where it was issued, and so where it is renewed
	AccessToken  string    `json:"accessToken"`
	RefreshToken string    `json:"refreshToken,omitempty"`
	ExpiresAt    time.Time `json:"expiresAt"`
	SignedInAt   time.Time `json:"signedInAt"`
}

func parseBoxCache(data []byte) (*boxCache, error) {
	var c boxCache
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, errors.New("unexpected Box token cache layout")
	}
	for _, a := range c.Accounts {
		redact.Add(a.AccessToken, a.RefreshToken, a.ClientSecret)
	}
	return &c, nil
}

func (c *boxCache) find(login string) int {
	for i, a := range c.Accounts {
		if strings.EqualFold(a.Login, login) {
			return i
		}
	}
	return -1
}

func (c *boxCache) put(a boxAccount) {
	if i := c.find(a.Login); i >= 0 {
		c.Accounts[i] = a
		return
	}
	c.Accounts = append(c.Accounts, a)
	sort.Slice(c.Accounts, func(i, j int) bool {
		return strings.ToLower(c.Accounts[i].Login) < strings.ToLower(c.Accounts[j].Login)
	})
}

// pick chooses the account: the one named (want), else active when it is cached, else the only
// one, else the one signed in last.
func (c *boxCache) pick(want, active, path string) (int, error) {
	if len(c.Accounts) == 0 {
		return -1, fmt.Errorf("no Box account in token cache %s: %w", path, ErrBoxNotSignedIn)
	}
	if want != "" {
		if i := c.find(want); i >= 0 {
			return i, nil
		}
		return -1, fmt.Errorf("%s is not signed in to Box (signed in: %s): %w", want, c.logins(), ErrBoxNotSignedIn)
	}
	if active != "" {
		if i := c.find(active); i >= 0 {
			return i, nil
		}
	}
	best := 0
	for i, a := range c.Accounts {
		if a.SignedInAt.After(c.Accounts[best].SignedInAt) {
			best = i
		}
	}
	return best, nil
}

func (c *boxCache) logins() string {
	var names []string
	for _, a := range c.Accounts {
		names = append(names, a.Login)
	}
	return strings.Join(names, ", ")
}

// BoxAccountInfo describes a cached Box sign-in without its tokens.
type BoxAccountInfo struct {
	Login     string
	UserID    string
	Name      string
	Kind      string // BoxOAuth or BoxCCG
	ClientID  string
	ExpiresOn time.Time // of the cached access token
}

func (a boxAccount) info() BoxAccountInfo {
	return BoxAccountInfo{Login: a.Login, UserID: a.UserID, Name: a.Name, Kind: a.Kind, ClientID: a.ClientID, ExpiresOn: a.ExpiresAt}
}

// boxEarlyExpiry is how long before its stated expiry an access token is renewed, as MSAL does for
// Entra's (five minutes): a token must outlive the command that uses it.
const boxEarlyExpiry = 5 * time.Minute

// boxClock is the time Box tokens are judged by (tests move it with the emulator's).
var boxClock = time.Now

// BoxSource hands out Box access tokens from the cache, renewing them when they expire: with the
// refresh token (a person's sign-in) or the client credentials (CCG). It satisfies package bearer's
// TokenSource and Refresher. It never prompts. Box refresh tokens are single use, so every renewal
// happens under the cache's file lock, after reading the cache again: when another process (or
// another BoxSource) renewed first, its fresh token is used instead of spending the refresh token a
// second time, and the rotated pair is on disk before the lock is released. Safe for concurrent use.
type BoxSource struct {
	r     boxResolved
	cache *fileCache

	mu     sync.Mutex
	handed string // the access token handed out last, to tell a stale one on Refresh
	now    func() time.Time
}

// NewBoxSource returns a BoxSource for the account s names (or the active, else the last one
// signed in). It does no I/O.
func NewBoxSource(s BoxSettings) (*BoxSource, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	return &BoxSource{r: r, cache: newFileCache(r.cachePath(), s.Storage), now: boxClock}, nil
}

// Token returns a valid access token: the cached one while it has more than five minutes left,
// else a renewed one.
func (b *BoxSource) Token(ctx context.Context) (string, error) { return b.token(ctx, false) }

// Refresh returns a new access token even if the cached one looks valid, for a caller whose token
// Box just rejected with 401 — unless the cache already holds a different, valid one (another
// process renewed it meanwhile), which is then returned without spending the refresh token.
func (b *BoxSource) Refresh(ctx context.Context) (string, error) { return b.token(ctx, true) }

// Info describes the account and token Token would use, renewing it if needed.
func (b *BoxSource) Info(ctx context.Context) (*BoxAccountInfo, error) {
	var out BoxAccountInfo
	_, err := b.use(ctx, false, func(a boxAccount) { out = a.info() })
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (b *BoxSource) token(ctx context.Context, force bool) (string, error) {
	return b.use(ctx, force, nil)
}

// use runs one locked read (and, when needed, renewal) of the chosen account.
func (b *BoxSource) use(ctx context.Context, force bool, seen func(boxAccount)) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var tok string
	err := b.cache.do(ctx, func(ctx context.Context) error {
		c, err := b.cache.loadBox(ctx)
		if err != nil {
			return err
		}
		i, err := c.pick(b.r.Account, b.r.Active, b.cache.path)
		if err != nil {
			return err
		}
		a := c.Accounts[i]
		fresh := a.AccessToken != "" && b.now().Add(boxEarlyExpiry).Before(a.ExpiresAt)
		stale := force && (a.AccessToken == b.handed || b.handed == "")
		if !fresh || stale {
			if a, err = b.renew(ctx, a); err != nil {
				return err
			}
			c.put(a)
			if err := b.cache.storeBox(c); err != nil {
				return err
			}
		}
		tok = a.AccessToken
		if seen != nil {
			seen(a)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	b.handed = tok
	return tok, nil
}

// renew gets a new access token for a: the refresh grant for a person, the client credentials grant
// for CCG. The cache lock is held. Box answers the refresh grant with a new refresh token and spends
// the old one: the caller writes the result before releasing the lock.
func (b *BoxSource) renew(ctx context.Context, a boxAccount) (boxAccount, error) {
	if err := b.cache.checkWritable(); err != nil {
		return a, err // nothing sent: a rotated refresh token that can't be saved would be lost
	}
	secret := a.ClientSecret
	if b.r.ClientSecret != "" {
		secret = b.r.ClientSecret
	}
	if secret == "" {
		return a, fmt.Errorf("Box sign-in %s has no client secret cached and ODSHARE_BOX_CLIENT_SECRET is not set: %w", a.Login, ErrBoxNotSignedIn)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, b.r.hc)
	var tok *oauth2.Token
	var err error
	switch a.Kind {
	case BoxOAuth:
		if a.RefreshToken == "" {
			return a, fmt.Errorf("Box sign-in %s has no refresh token: %w", a.Login, ErrBoxNotSignedIn)
		}
		conf := boxOAuthConfig(a.ClientID, secret, a.TokenURL, "", "")
		tok, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: a.RefreshToken}).Token()
	case BoxCCG:
		tok, err = boxCCGConfig(a.ClientID, secret, a.TokenURL, a.SubjectType, a.SubjectID).Token(ctx)
	default:
		return a, fmt.Errorf("Box sign-in %s is of an unknown kind %q: %w", a.Login, a.Kind, ErrBoxNotSignedIn)
	}
	if err != nil {
		return a, boxTokenError(ctx, "renew the Box token of "+a.Login, err)
	}
	redact.Add(tok.AccessToken, tok.RefreshToken)
	a.AccessToken, a.ExpiresAt = tok.AccessToken, boxExpiry(tok, b.now())
	if tok.RefreshToken != "" {
		a.RefreshToken = tok.RefreshToken
	}
	if b.r.ClientSecret != "" {
		a.ClientSecret = b.r.ClientSecret // the one that just worked
	}
	return a, nil
}

// boxExpiry is the token's expiry; Box always sends expires_in, but a token without one is treated
// as Box's documented 60 minutes.
func boxExpiry(tok *oauth2.Token, now time.Time) time.Time {
	if tok.ExpiresIn > 0 {
		return now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	if tok.Expiry.IsZero() {
		return now.Add(time.Hour)
	}
	return tok.Expiry
}

func boxOAuthConfig(clientID, secret, tokenURL, authURL, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		// Box documents client_id and client_secret in the form body; auto-detection would try
		// HTTP Basic first and spend a one-use code or refresh token on a failing request.
		Endpoint:    oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: redirect,
	}
}

func boxCCGConfig(clientID, secret, tokenURL, subjectType, subjectID string) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:       clientID,
		ClientSecret:   secret,
		TokenURL:       tokenURL,
		AuthStyle:      oauth2.AuthStyleInParams,
		EndpointParams: url.Values{"box_subject_type": {subjectType}, "box_subject_id": {subjectID}},
	}
}

// boxTokenError maps a failure of Box's token endpoint: Box's OAuth error (box.NewError) on one line,
// and ErrBoxNotSignedIn for the errors only a new sign-in fixes (a spent, expired or revoked refresh
// token, rejected client credentials). Network errors stay plain errors: they are no reason to sign in
// again.
func boxTokenError(ctx context.Context, what string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if be, msg, ok := boxOAuthError(err); ok {
		if be.Unauthorized() {
			return fmt.Errorf("%s: Box rejected it (%s): %w", what, msg, ErrBoxNotSignedIn)
		}
		return fmt.Errorf("%s: Box token endpoint: %s", what, msg)
	}
	var we *CacheWriteError
	if errors.As(err, &we) {
		return fmt.Errorf("%s: %w", what, we)
	}
	return fmt.Errorf("%s: %s", what, redactText(err.Error()))
}

// boxError is an error answer of Box's token endpoint, {"error","error_description"} [OA OAuth2Error],
// on one line in the Box transport's shape ("code: description (HTTP 400, request-id …)"). package
// auth sits below the Box transport (docs/architecture.md), so it reads this small shape itself.
type boxError struct {
	Status                int
	Code, Description, ID string
}

func (e *boxError) Error() string {
	head := e.Code
	if e.Description != "" {
		head += ": " + e.Description
	}
	if head == "" {
		head = http.StatusText(e.Status)
	}
	if e.ID != "" {
		return fmt.Sprintf("%s (HTTP %d, request-id %s)", head, e.Status, e.ID)
	}
	return fmt.Sprintf("%s (HTTP %d)", head, e.Status)
}

// Unauthorized reports an answer only a new sign-in (or other credentials) fixes.
func (e *boxError) Unauthorized() bool {
	switch e.Code {
	case "invalid_grant", "invalid_client", "unauthorized_client":
		return true
	}
	return e.Status == http.StatusUnauthorized
}

// boxOAuthError reads Box's OAuth error from a token endpoint's answer that x/oauth2 refused, and its
// one-line, redacted text.
func boxOAuthError(err error) (*boxError, string, bool) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return nil, "", false
	}
	be := &boxError{Status: re.Response.StatusCode, ID: safetext.Line(re.Response.Header.Get("BOX-REQUEST-ID"))}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(re.Body, &body) == nil {
		be.Code, be.Description = safetext.Line(body.Error), safetext.Line(body.Description)
	}
	return be, redactText(be.Error()), true
}

// loadBox reads the Box cache; the lock must be held (inside do, after acquire).
func (c *fileCache) loadBox(ctx context.Context) (*boxCache, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	data, err := c.read()
	if err != nil {
		return nil, err
	}
	bc, err := parseBoxCache(data)
	if err != nil {
		return nil, &CacheError{Path: c.path, Err: err}
	}
	if bc.Version == 0 {
		bc.Version = 1
	}
	return bc, nil
}

// storeBox writes the Box cache atomically; the lock must be held.
func (c *fileCache) storeBox(bc *boxCache) error {
	data, err := json.MarshalIndent(bc, "", "  ")
	if err != nil {
		return err
	}
	return c.write(data)
}

// BoxAccounts lists the Box sign-ins in the cache, sorted by login. It reads no network.
func BoxAccounts(s BoxSettings) ([]BoxAccountInfo, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), s.Storage)
	var out []BoxAccountInfo
	err = fc.do(context.Background(), func(ctx context.Context) error {
		c, err := fc.loadBox(ctx)
		if err != nil {
			return err
		}
		for _, a := range c.Accounts {
			out = append(out, a.info())
		}
		return nil
	})
	return out, err
}

// BoxCacheLocation is where Box sign-ins are kept.
func BoxCacheLocation(s BoxSettings) string {
	if s.ConfigDir == "" {
		return ""
	}
	return filepath.Join(s.ConfigDir, boxCacheFileName)
}

// BoxLogout forgets login's Box sign-in, or with login "" every Box sign-in (the file is removed,
// which also clears a cache that cannot be read). Box's tokens are revoked at /oauth2/revoke first,
// best effort, so a copy of them elsewhere stops working too. removed lists what is gone.
func BoxLogout(ctx context.Context, s BoxSettings, login string) (removed []BoxAccountInfo, err error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	fc := newFileCache(r.cachePath(), s.Storage)
	err = fc.do(ctx, func(ctx context.Context) error {
		c, err := fc.loadBox(ctx)
		if err != nil {
			if login == "" {
				return fc.removeHeld() // an unreadable cache goes when everything is asked to go
			}
			return err
		}
		var keep []boxAccount
		for _, a := range c.Accounts {
			if login == "" || strings.EqualFold(a.Login, login) {
				removed = append(removed, a.info())
				r.revoke(ctx, a)
				continue
			}
			keep = append(keep, a)
		}
		if login != "" && len(removed) == 0 {
			return fmt.Errorf("%s is not signed in to Box (signed in: %s)", login, c.logins())
		}
		if len(keep) == 0 {
			return fc.removeHeld()
		}
		c.Accounts = keep
		return fc.storeBox(c)
	})
	return removed, err
}

// revoke asks Box to end a sign-in (POST /oauth2/revoke, the refresh token when there is one, which
// ends its access tokens too). Failures are ignored: the local copy goes either way.
func (r boxResolved) revoke(ctx context.Context, a boxAccount) {
	tok := a.RefreshToken
	if tok == "" {
		tok = a.AccessToken
	}
	secret := a.ClientSecret
	if r.ClientSecret != "" {
		secret = r.ClientSecret
	}
	if tok == "" || secret == "" {
		return
	}
	u, err := url.Parse(a.TokenURL)
	if err != nil || CheckEndpoint("Box token URL", a.TokenURL) != nil {
		return
	}
	u.Path = strings.TrimSuffix(u.Path, "/token") + "/revoke"
	form := url.Values{"client_id": {a.ClientID}, "client_secret": {secret}, "token": {tok}}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := r.hc.Do(req); err == nil {
		_ = resp.Body.Close()
	}
}

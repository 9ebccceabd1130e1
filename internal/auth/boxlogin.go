package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/safetext"
)

// BoxLoginResult is the Box sign-in a login cached.
type BoxLoginResult struct {
	Account BoxAccountInfo
}

// boxCallbackPath is the loopback redirect's path. Box lets a registered http://127.0.0.1 (or
// localhost) redirect URI match on any port [G-AUTH oauth2], so the app registers
// http://127.0.0.1/callback once and odshare listens on a free port.
const boxCallbackPath = "/callback"

// LoginBox signs a person in to Box with OAuth 2.0's authorization code flow, PKCE (S256) and a
// loopback redirect: odshare listens on http://127.0.0.1:PORT/callback, calls openURL with Box's
// authorize URL, and waits until the browser comes back with a code (or an error) and the state it
// was sent with. It then redeems the code (client id and secret in the form body, as Box documents,
// with the code verifier) within Box's 30 seconds, asks /users/me who signed in, and caches the
// sign-in — the client secret with it, since Box's refresh grant needs it and a refresh never
// prompts. The cache lock is taken only once the tokens arrive. openURL's error is reported
// (wrapping ErrNoBrowser) but the wait goes on: the URL can be opened by hand.
//
// It returns ErrDeclined when the user denies access, ctx.Err() when ctx ends first (the caller's
// time limit or Ctrl-C), and ErrBoxNotSignedIn-wrapping errors when Box rejects the app's
// credentials or the code (an expired one included).
func LoginBox(ctx context.Context, s BoxSettings, openURL func(url string) error, onOpenErr func(error)) (*BoxLoginResult, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	if r.ClientID == "" || r.ClientSecret == "" {
		return nil, errors.New("Box sign-in needs the app's client id and client secret")
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	fc.fresh = true
	if err := fc.checkWritable(); err != nil {
		return nil, err // before a code is issued that could not be kept
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("Box sign-in: listen on loopback: %w", err)
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, boxCallbackPath)
	state, err := randomString(24)
	if err != nil {
		ln.Close()
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	conf := boxOAuthConfig(r.ClientID, r.ClientSecret, r.TokenURL, r.AuthorizeURL, redirect)
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	answers := make(chan callbackAnswer, 1)
	srv := &http.Server{
		Handler:           callbackHandler(state, answers),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := openURL(authURL); err != nil && onOpenErr != nil {
		onOpenErr(fmt.Errorf("%w: %s", ErrNoBrowser, redactText(err.Error())))
	}
	var ans callbackAnswer
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case ans = <-answers:
	}
	if ans.err != nil {
		return nil, ans.err
	}
	redact.Add(ans.code)
	hctx := context.WithValue(ctx, oauth2.HTTPClient, r.hc)
	tok, err := conf.Exchange(hctx, ans.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, boxLoginError(ctx, err)
	}
	return r.finishLogin(ctx, fc, tok, boxAccount{Kind: BoxOAuth, ClientID: r.ClientID})
}

// LoginBoxApp signs in with Box's Client Credentials Grant: box_subject_type "enterprise" (the app's
// service account, subjectID the enterprise id) or "user" (that user, subjectID the user id; the app
// needs "Generate user access tokens"). Box gives no refresh token: the cached client secret gets a
// new access token when it expires.
func LoginBoxApp(ctx context.Context, s BoxSettings, subjectType, subjectID string) (*BoxLoginResult, error) {
	r, err := s.resolve()
	if err != nil {
		return nil, err
	}
	if r.ClientID == "" || r.ClientSecret == "" {
		return nil, errors.New("Box app sign-in needs the app's client id and client secret")
	}
	fc := newFileCache(r.cachePath(), r.Storage)
	fc.fresh = true
	if err := fc.checkWritable(); err != nil {
		return nil, err
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, r.hc)
	tok, err := boxCCGConfig(r.ClientID, r.ClientSecret, r.TokenURL, subjectType, subjectID).Token(hctx)
	if err != nil {
		return nil, boxLoginError(ctx, err)
	}
	return r.finishLogin(ctx, fc, tok, boxAccount{Kind: BoxCCG, ClientID: r.ClientID, SubjectType: subjectType, SubjectID: subjectID})
}

// finishLogin learns who signed in (GET /users/me) and caches the sign-in under the lock.
func (r boxResolved) finishLogin(ctx context.Context, fc *fileCache, tok *oauth2.Token, a boxAccount) (*BoxLoginResult, error) {
	redact.Add(tok.AccessToken, tok.RefreshToken)
	now := boxClock()
	a.AccessToken, a.RefreshToken, a.ExpiresAt = tok.AccessToken, tok.RefreshToken, boxExpiry(tok, now)
	a.ClientSecret, a.TokenURL, a.SignedInAt = r.ClientSecret, r.TokenURL, now
	me, err := r.usersMe(ctx, tok.AccessToken)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("Box sign-in: who signed in (GET /users/me): %s", redactText(err.Error()))
	}
	a.Login, a.UserID, a.Name = safetext.Line(me.Login), safetext.Line(me.ID), safetext.Line(me.Name)
	if a.Login == "" {
		a.Login = a.UserID // a service account always has a login; this only guards the cache's key
	}
	err = fc.do(context.WithoutCancel(ctx), func(ctx context.Context) error {
		c, err := fc.loadBox(ctx)
		if err != nil {
			return err
		}
		c.put(a)
		return fc.storeBox(c)
	})
	if err != nil {
		return nil, err
	}
	return &BoxLoginResult{Account: a.info()}, nil
}

// boxUser is the part of Box's user object a sign-in keeps.
type boxUser struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Login string `json:"login"`
}

// usersMe asks Box who a new token belongs to: GET {api}/users/me?fields=id,name,login, the token
// sent to the API's origin only (no redirect leaves it: signInClient's rule), the answer bounded.
func (r boxResolved) usersMe(ctx context.Context, token string) (*boxUser, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.APIURL+"/users/me?fields=id,name,login", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var be struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &be)
		return nil, fmt.Errorf("HTTP %d %s: %s", resp.StatusCode, safetext.Line(be.Code), safetext.Line(be.Message))
	}
	var u boxUser
	if err := json.Unmarshal(body, &u); err != nil || u.ID == "" {
		return nil, errors.New("Box's answer is not a user object")
	}
	return &u, nil
}

// boxLoginError maps the token endpoint's answer to a code redemption or a CCG request: a rejected
// code (expired after Box's 30 seconds, or used) or rejected client credentials are authentication
// failures (exit 4) in Box's own words.
func boxLoginError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if be, msg, ok := boxOAuthError(err); ok {
		if be.Unauthorized() || be.Status == http.StatusBadRequest {
			return fmt.Errorf("Box refused the sign-in: %s: %w", msg, ErrBoxNotSignedIn)
		}
		return fmt.Errorf("Box token endpoint: %s", msg)
	}
	return fmt.Errorf("Box sign-in: %s", redactText(err.Error()))
}

type callbackAnswer struct {
	code string
	err  error
}

// callbackHandler serves the loopback redirect: one answer (a code, or Box's error) for the state
// odshare sent; anything else is refused without ending the wait, so a stray request can't end or
// hijack the sign-in.
func callbackHandler(state string, answers chan<- callbackAnswer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != boxCallbackPath || req.Method != http.MethodGet {
			http.NotFound(w, req)
			return
		}
		q := req.URL.Query()
		if q.Get("state") != state {
			writePage(w, http.StatusBadRequest, "This answer is not for the sign-in odshare is waiting for.")
			return
		}
		var ans callbackAnswer
		switch e := q.Get("error"); {
		case e == "access_denied":
			ans.err = ErrDeclined
		case e != "":
			d := safetext.Line(q.Get("error_description"))
			ans.err = fmt.Errorf("Box sign-in: %s: %s: %w", safetext.Line(e), redactText(d), ErrBoxNotSignedIn)
		case q.Get("code") == "":
			writePage(w, http.StatusBadRequest, "The answer carries no authorization code.")
			return
		default:
			ans.code = q.Get("code")
		}
		select {
		case answers <- ans:
		default:
			writePage(w, http.StatusConflict, "odshare already has an answer; you can close this tab.")
			return
		}
		if ans.err != nil {
			writePage(w, http.StatusOK, "Sign-in to Box did not complete; odshare says why. You can close this tab.")
			return
		}
		writePage(w, http.StatusOK, "Signed in to Box. You can close this tab and return to the terminal.")
	})
}

func writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>odshare</title></head><body><p>%s</p></body></html>\n", html.EscapeString(msg))
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "="), nil
}

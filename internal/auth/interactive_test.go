package auth

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator/identity"
)

// fakeBrowser does a browser's part of an interactive sign-in with plain HTTP: it loads the
// authorization URL from the emulator (trusting its TLS certificate), submits the consent form when
// asked to, and submits the form_post page to MSAL's loopback server, as a browser runs its script.
type fakeBrowser struct {
	t      *testing.T
	client *http.Client
	// decide fills in the consent form; nil means the page must not appear (AutoApprove).
	decide func(form url.Values)
	// done receives the loopback server's page, or the error that stopped the browser.
	done chan browserResult
}

type browserResult struct {
	status int
	page   string
	err    error
}

var (
	formRe   = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// parseForm returns the first form's action and hidden fields of one of the emulator's pages.
func parseForm(page string) (action string, fields url.Values, ok bool) {
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	fields = url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(page, -1) {
		fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), fields, true
}

func newFakeBrowser(t *testing.T, p *idp, decide func(url.Values)) *fakeBrowser {
	c := *p.client // trusts the emulator; MSAL's loopback server is plain http
	return &fakeBrowser{t: t, client: &c, decide: decide, done: make(chan browserResult, 1)}
}

// open is the openURL given to LoginInteractive: like a real browser launcher it returns at once and
// the "user" acts in the background.
func (b *fakeBrowser) open(authURL string) error {
	go func() {
		st, page, err := b.run(authURL)
		b.done <- browserResult{st, page, err}
	}()
	return nil
}

func (b *fakeBrowser) get(u string) (int, string, *url.URL, error) {
	resp, err := b.client.Get(u)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Request.URL, err
}

func (b *fakeBrowser) post(u string, form url.Values) (int, string, *url.URL, error) {
	resp, err := b.client.PostForm(u, form)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Request.URL, err
}

func (b *fakeBrowser) run(authURL string) (int, string, error) {
	st, page, at, err := b.get(authURL)
	if err != nil {
		return 0, "", err
	}
	if strings.Contains(page, `id="approve"`) { // the consent page
		if b.decide == nil {
			return st, page, errors.New("consent page shown although AutoApprove is on")
		}
		action, form, ok := parseForm(page)
		if !ok {
			return st, page, errors.New("consent page without a form")
		}
		b.decide(form)
		st, page, _, err = b.post(at.ResolveReference(&url.URL{Path: action}).String(), form)
		if err != nil {
			return 0, "", err
		}
	}
	if !strings.Contains(page, `id="response"`) {
		return st, page, errors.New("expected the form_post page")
	}
	action, form, ok := parseForm(page)
	if !ok {
		return st, page, errors.New("form_post page without a form")
	}
	// The "script" posts the response to the redirect URI, MSAL's loopback server.
	st, page, _, err = b.post(action, form)
	return st, page, err
}

func (b *fakeBrowser) result(t *testing.T) browserResult {
	t.Helper()
	select {
	case r := <-b.done:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the browser never finished")
		return browserResult{}
	}
}

func TestLoginInteractive(t *testing.T) {
	start := time.Now()
	p := startIdP(t, identity.Options{AutoApprove: true})
	dir := filepath.Join(t.TempDir(), "cfg")
	s := p.settings(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	b := newFakeBrowser(t, p, nil)
	var authURL string
	res, err := LoginInteractive(ctx, s, func(u string) error { authURL = u; return b.open(u) })
	if err != nil {
		t.Fatalf("LoginInteractive: %v", err)
	}
	if r := b.result(t); r.err != nil || r.status != http.StatusOK || !strings.Contains(r.page, "Authentication complete") {
		t.Errorf("loopback page: %d %v\n%s", r.status, r.err, r.page)
	}
	if res.Account.Username != adele || res.Account.TenantID != identity.DefaultTenantID || res.Account.HomeAccountID != "adele."+identity.DefaultTenantID {
		t.Errorf("account = %+v", res.Account)
	}

	// What MSAL asked for (apps/internal/base/base.go AuthCodeURL).
	u, err := url.Parse(authURL)
	if err != nil || u.Scheme+"://"+u.Host != p.ts.URL || u.Path != "/common/oauth2/v2.0/authorize" {
		t.Fatalf("authorize URL %q", authURL)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"client_id": DefaultClientID, "response_type": "code", "code_challenge_method": "S256",
		"response_mode": "form_post", "prompt": "select_account",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !regexp.MustCompile(`^http://localhost:\d+$`).MatchString(q.Get("redirect_uri")) || q.Get("state") == "" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("redirect_uri %q, state %q, code_challenge %q", q.Get("redirect_uri"), q.Get("state"), q.Get("code_challenge"))
	}
	if got := strings.Fields(q.Get("scope")); !strings.Contains(q.Get("scope"), "Files.ReadWrite") || len(got) != 4 {
		t.Errorf("scope = %q", q.Get("scope"))
	}
	// MSAL shut its loopback server down when the code arrived.
	if resp, err := http.Get(q.Get("redirect_uri")); err == nil {
		resp.Body.Close()
		t.Error("loopback server still answers after sign-in")
	}

	if n := p.count("authorization_code"); n != 1 {
		t.Errorf("%d authorization_code redemptions", n)
	}
	if got := perm(t, filepath.Join(dir, cacheFileName)); got != 0o600 {
		t.Errorf("cache mode %v", got)
	}
	accts, err := Accounts(s)
	if err != nil || len(accts) != 1 || accts[0].Username != adele {
		t.Fatalf("Accounts = %+v, %v", accts, err)
	}
	src, err := NewDelegatedSource(s)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pr, err := p.srv.ValidateAccessToken(tok); err != nil || pr.UserPrincipalName != adele {
		t.Errorf("token principal %+v, %v", pr, err)
	}
	if _, err := src.Refresh(ctx); err != nil {
		t.Errorf("refresh token from the code redemption: %v", err)
	}
	if n := p.count("refresh_token"); n != 1 {
		t.Errorf("%d refreshes, want 1 (Token must have been silent)", n)
	}

	// Settings.Account is sent as login_hint; the emulator's AutoApprove signs that user in.
	s.Account = "megan@contoso.example"
	b2 := newFakeBrowser(t, p, nil)
	res, err = LoginInteractive(ctx, s, b2.open)
	if err != nil || res.Account.Username != "megan@contoso.example" {
		t.Fatalf("login with hint: %+v, %v", res, err)
	}
	b2.result(t)
	if accts, _ := Accounts(s); len(accts) != 2 {
		t.Errorf("accounts after second sign-in: %+v", accts)
	}
	t.Logf("took %v", time.Since(start).Round(time.Millisecond))
}

func TestLoginInteractiveConsentPage(t *testing.T) {
	p := startIdP(t, identity.Options{}) // no AutoApprove: the consent page appears
	s := p.settings(t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("approve", func(t *testing.T) {
		b := newFakeBrowser(t, p, func(f url.Values) {
			f.Set("account", "megan@contoso.example")
			f.Set("action", "approve")
		})
		res, err := LoginInteractive(ctx, s, b.open)
		if err != nil || res.Account.Username != "megan@contoso.example" {
			t.Fatalf("%+v, %v", res, err)
		}
		if r := b.result(t); r.err != nil || !strings.Contains(r.page, "Authentication complete") {
			t.Errorf("loopback page: %v\n%s", r.err, r.page)
		}
	})
	t.Run("decline", func(t *testing.T) {
		b := newFakeBrowser(t, p, func(f url.Values) { f.Set("action", "decline") })
		_, err := LoginInteractive(ctx, s, b.open)
		if !errors.Is(err, ErrDeclined) {
			t.Fatalf("err = %v, want ErrDeclined", err)
		}
		p.noSecrets(t, err)
		r := b.result(t)
		if r.err != nil || !strings.Contains(r.page, "Authentication failed") || !strings.Contains(r.page, "AADSTS65004") {
			t.Errorf("loopback page: %v\n%s", r.err, r.page)
		}
	})
	if accts, _ := Accounts(s); len(accts) != 1 {
		t.Errorf("accounts = %+v", accts)
	}
}

func TestLoginInteractiveCancelAndBrowserErrors(t *testing.T) {
	p := startIdP(t, identity.Options{})
	s := p.settings(t.TempDir())

	t.Run("ctx cancelled while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opened := make(chan string, 1)
		go func() {
			<-opened
			time.Sleep(50 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		_, err := LoginInteractive(ctx, s, func(u string) error { opened <- u; return nil })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("returned after %v", d)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := LoginInteractive(ctx, s, func(string) error { return nil })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("openURL fails", func(t *testing.T) {
		cause := &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound}
		_, err := LoginInteractive(context.Background(), s, func(string) error { return cause })
		if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "xdg-open") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("emulator refuses", func(t *testing.T) {
		// An error the identity platform sends to the loopback server arrives with its description.
		s := s
		s.Tenant = "organizations"
		s.Scopes = []string{"https://other.example/x"}
		b := newFakeBrowser(t, p, nil)
		_, err := LoginInteractive(context.Background(), s, b.open)
		if err == nil || errors.Is(err, ErrDeclined) || !strings.Contains(err.Error(), "AADSTS70011") {
			t.Fatalf("err = %v", err)
		}
		b.result(t)
	})
}

func TestBrowserAvailable(t *testing.T) {
	found := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, x := range names {
				if x == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name, goos string
		env        func(string) string
		look       func(string) (string, error)
		want       bool
	}{
		{"linux X11", "linux", env("DISPLAY", ":0"), found("xdg-open"), true},
		{"linux Wayland", "linux", env("WAYLAND_DISPLAY", "wayland-0"), found("x-www-browser"), true},
		{"linux X11 forwarded over ssh", "linux", env("DISPLAY", "localhost:10.0", "SSH_TTY", "/dev/pts/1"), found("xdg-open"), true},
		{"linux headless", "linux", env(), found("xdg-open"), false},
		{"linux no opener", "linux", env("DISPLAY", ":0"), found(), false},
		{"openbsd", "openbsd", env("DISPLAY", ":0"), found("www-browser"), false},
		{"darwin", "darwin", env(), found(), true},
		{"darwin over ssh", "darwin", env("SSH_CONNECTION", "1 2 3 4"), found(), false},
		{"windows", "windows", env(), found(), true},
		{"plan9", "plan9", env("DISPLAY", ":0"), found("xdg-open"), false},
	} {
		if got := browserAvailable(tc.goos, tc.env, tc.look); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	_ = BrowserAvailable() // runs nothing; just must not panic here
}

package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/odshare/odshare/internal/testutil"
)

// The browser test drives /devicelogin in headless Chromium through chromedriver's W3C WebDriver HTTP
// API with plain net/http, so it needs no Go dependency. Debian: chromium and chromium-driver
// (.ci/test-deps; `make test` installs them as root). Without them the test skips, except when
// CI=true, where it fails.

// webDriver is a minimal W3C WebDriver client for one session.
type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:PORT
	session string
}

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

func (d *webDriver) call(method, path string, body any) json.RawMessage {
	d.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("webdriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusOK {
		d.t.Fatalf("webdriver %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return out.Value
}

func (d *webDriver) open(u string) {
	d.call(http.MethodPost, "/session/"+d.session+"/url", map[string]string{"url": u})
}

// find waits up to 5s for a CSS selector to match.
func (d *webDriver) find(css string) string {
	d.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := json.Marshal(map[string]string{"using": "css selector", "value": css})
		resp, err := http.Post(d.base+"/session/"+d.session+"/element", "application/json", bytes.NewReader(b))
		if err != nil {
			d.t.Fatal(err)
		}
		var out struct {
			Value map[string]any `json:"value"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if id, ok := out.Value[elementKey].(string); ok && resp.StatusCode == http.StatusOK {
			return id
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("no element %q on the page:\n%s", css, d.bodyText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (d *webDriver) typeInto(css, text string) {
	d.call(http.MethodPost, "/session/"+d.session+"/element/"+d.find(css)+"/value", map[string]string{"text": text})
}

func (d *webDriver) click(css string) {
	d.call(http.MethodPost, "/session/"+d.session+"/element/"+d.find(css)+"/click", map[string]any{})
}

// text waits for css and returns its rendered text.
func (d *webDriver) text(css string) string {
	d.t.Helper()
	var s string
	_ = json.Unmarshal(d.call(http.MethodGet, "/session/"+d.session+"/element/"+d.find(css)+"/text", nil), &s)
	return s
}

// bodyText is the page's text for failure messages; "" when there is none.
func (d *webDriver) bodyText() string {
	b, _ := json.Marshal(map[string]any{"script": "return document.body ? document.body.innerText : ''", "args": []any{}})
	resp, err := http.Post(d.base+"/session/"+d.session+"/execute/sync", "application/json", bytes.NewReader(b))
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var out struct {
		Value any `json:"value"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	s, _ := out.Value.(string)
	return s
}

// startBrowser starts chromedriver and a headless Chromium session, or skips (fails under CI=true)
// when they are not installed.
func startBrowser(t *testing.T) *webDriver {
	t.Helper()
	driver := testutil.Tool(t, "chromedriver")
	browser := testutil.Tool(t, "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(driver, fmt.Sprintf("--port=%d", port), "--allowed-ips=127.0.0.1")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("chromedriver output:\n%s", logs.String())
		}
	})
	d := &webDriver{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(d.base + "/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":         "chrome",
		"acceptInsecureCerts": true,
		"goog:chromeOptions": map[string]any{
			"binary": browser,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--ignore-certificate-errors", "--no-proxy-server", "--disable-dev-shm-usage",
				"--disable-extensions", "--disable-default-apps", "--mute-audio",
				"--user-data-dir=" + t.TempDir()},
		},
	}}}
	var sess struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(d.call(http.MethodPost, "/session", caps), &sess); err != nil || sess.SessionID == "" {
		t.Fatalf("new session: %v", err)
	}
	d.session = sess.SessionID
	t.Cleanup(func() { d.call(http.MethodDelete, "/session/"+d.session, nil) })
	return d
}

// TestDeviceLoginInBrowser signs in and declines on /devicelogin in a real browser while an
// unmodified MSAL public client polls.
func TestDeviceLoginInBrowser(t *testing.T) {
	t.Parallel()
	start := time.Now()
	d := startBrowser(t)
	t.Logf("browser ready after %v", time.Since(start).Round(time.Millisecond))
	s, ts, _ := newEmulator(t, Options{PollInterval: time.Second})
	pc := newPublic(t, ts, "organizations")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for _, tc := range []struct {
		button, heading, wantErr string
	}{
		{"#approve", "You have signed in", ""},
		{"#decline", "You declined", "authorization_declined"},
	} {
		dc, err := pc.AcquireTokenByDeviceCode(ctx, []string{"Files.ReadWrite"})
		if err != nil {
			t.Fatal(err)
		}
		d.open(dc.Result.VerificationURL)
		d.typeInto("#otc", dc.Result.UserCode)
		d.click("#next")
		if got := d.text("#scopes"); got != "Files.ReadWrite" {
			t.Errorf("consent page scopes = %q", got)
		}
		if got := d.text("#account option:checked"); !strings.Contains(got, "adele@contoso.example") {
			t.Errorf("preselected account = %q", got)
		}

		type result struct {
			upn, token string
			err        error
		}
		polled := make(chan result, 1)
		go func() { // MSAL is polling while the user clicks
			res, err := dc.AuthenticationResult(ctx)
			polled <- result{res.Account.PreferredUsername, res.AccessToken, err}
		}()
		d.click(tc.button)
		if got := d.text("#result"); got != tc.heading {
			t.Errorf("after %s: heading %q, want %q", tc.button, got, tc.heading)
		}
		r := <-polled
		t.Logf("%s done after %v", tc.button, time.Since(start).Round(time.Millisecond))
		if tc.wantErr != "" {
			if r.err == nil || !strings.Contains(r.err.Error(), tc.wantErr) {
				t.Errorf("after %s: MSAL error %v, want %s", tc.button, r.err, tc.wantErr)
			}
			continue
		}
		if r.err != nil || r.upn != "adele@contoso.example" {
			t.Fatalf("after %s: %q %v", tc.button, r.upn, r.err)
		}
		if p, err := s.ValidateAccessToken(r.token); err != nil || p.UserID != "adele" {
			t.Errorf("token: %+v %v", p, err)
		}
	}
}

// TestInteractiveSignInBrowser runs MSAL's AcquireTokenInteractive with a real browser: the
// authorize consent page, then the form_post page whose script posts the code to MSAL's loopback
// server, which answers with its "Authentication complete" page.
func TestInteractiveSignInBrowser(t *testing.T) {
	t.Parallel()
	start := time.Now()
	d := startBrowser(t)
	s, ts, _ := newEmulator(t, Options{})
	pc := newPublic(t, ts, "organizations")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for _, tc := range []struct {
		button, page, wantErr string
	}{
		{"#approve", "Authentication complete", ""},
		{"#decline", "Authentication failed", "AADSTS65004"},
	} {
		type result struct {
			upn, token string
			err        error
		}
		urls := make(chan string, 1)
		done := make(chan result, 1)
		go func() {
			res, err := pc.AcquireTokenInteractive(ctx, []string{"Files.ReadWrite"},
				public.WithOpenURL(func(u string) error { urls <- u; return nil }))
			done <- result{res.Account.PreferredUsername, res.AccessToken, err}
		}()
		var authURL string
		select {
		case authURL = <-urls:
		case r := <-done:
			t.Fatalf("MSAL returned before opening the browser: %v", r.err)
		}
		d.open(authURL)
		if got := d.text("#scopes"); got != "Files.ReadWrite" {
			t.Errorf("consent page scopes = %q", got)
		}
		d.click(tc.button)
		var r result
		select {
		case r = <-done:
		case <-ctx.Done():
			t.Fatalf("MSAL still waiting after %s; page:\n%s", tc.button, d.bodyText())
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(d.bodyText(), tc.page) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := d.bodyText(); !strings.Contains(got, tc.page) {
			t.Errorf("after %s the browser shows:\n%s", tc.button, got)
		}
		t.Logf("%s done after %v", tc.button, time.Since(start).Round(time.Millisecond))
		if tc.wantErr != "" {
			if r.err == nil || !strings.Contains(r.err.Error(), tc.wantErr) {
				t.Errorf("after %s: MSAL error %v, want %s", tc.button, r.err, tc.wantErr)
			}
			continue
		}
		if r.err != nil || r.upn != "adele@contoso.example" {
			t.Fatalf("after %s: %q %v", tc.button, r.upn, r.err)
		}
		if p, err := s.ValidateAccessToken(r.token); err != nil || p.UserID != "adele" {
			t.Errorf("token: %+v %v", p, err)
		}
	}
}

package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/identity"
	"github.com/odshare/odshare/internal/emulator/stack"
	"github.com/odshare/odshare/internal/iostreams"
)

// unique returns a secret no other test in this process has seen: the redaction registry is the
// process's, so a test must not pass because of another test's secret.
func unique(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// run runs odshare in-process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := Run(context.Background(), ios, args)
	return code, out.String(), errOut.String()
}

func mustNotContain(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q:\n%s", where, s, text)
		}
	}
}

// echoingGraph is a hostile Graph: every request, and every request inside a $batch, is refused
// with an error whose message repeats the Authorization header and the body it was sent.
func echoingGraph(t *testing.T) *httptest.Server {
	echo := func(auth string, body []byte) map[string]any {
		return map[string]any{"error": map[string]any{
			"code":    "invalidRequest",
			"message": fmt.Sprintf("Rejected. You sent Authorization: %s with body %s", auth, body),
		}}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasSuffix(r.URL.Path, "/$batch") {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(echo(r.Header.Get("Authorization"), body))
			return
		}
		var batch struct {
			Requests []struct {
				ID   string          `json:"id"`
				Body json.RawMessage `json:"body"`
			} `json:"requests"`
		}
		_ = json.Unmarshal(body, &batch)
		var resp []map[string]any
		for _, sub := range batch.Requests {
			resp = append(resp, map[string]any{"id": sub.ID, "status": 400,
				"headers": map[string]string{"Content-Type": "application/json"},
				"body":    echo(r.Header.Get("Authorization"), sub.Body)})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"responses": resp})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A Graph error that echoes the bearer token and the link password shows neither: not on stderr
// (single item, --debug included), not in the ndjson error objects on stdout (bulk).
func TestGraphEchoedSecretsAreRedacted(t *testing.T) {
	srv := echoingGraph(t)
	tok, pw := unique("tok"), unique("pa55 word")
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	t.Setenv("ODSHARE_GRAPH_ENDPOINT", srv.URL+"/v1.0")
	t.Setenv("ODSHARE_ACCESS_TOKEN", tok)

	code, out, errOut := run(t, "link", "create", "/Photos", "--type", "view", "--scope", "anonymous", "--password", pw, "--debug")
	if code != ExitError || out != "" {
		t.Errorf("single: exit %d, stdout %q", code, out)
	}
	mustNotContain(t, "stderr", errOut, tok, pw)
	if !strings.Contains(errOut, "Authorization: Bearer [redacted] with body") || !strings.Contains(errOut, `"password":"[redacted]"`) {
		t.Errorf("stderr lacks the redacted echo:\n%s", errOut)
	}

	code, out, errOut = run(t, "link", "create", "/Photos", "/Notes.txt", "--type", "view", "--scope", "anonymous", "--password", pw, "-o", "ndjson")
	if code != ExitError {
		t.Errorf("bulk: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(out, "[redacted]") {
		t.Errorf("bulk stdout:\n%s", out)
	}
	mustNotContain(t, "bulk stdout", out, tok, pw)
	mustNotContain(t, "bulk stderr", errOut, tok, pw)
}

// hostileIdP serves the emulator stack over TLS with the token endpoint answering, when armed, an
// error whose description repeats in prose the refresh token or client secret it was sent.
type hostileIdP struct {
	st  *stack.Stack
	srv *httptest.Server
	ca  string

	mu    sync.Mutex
	armed bool
}

func startHostileIdP(t *testing.T) *hostileIdP {
	t.Helper()
	st, err := stack.New(stack.Options{Graph: emulator.Options{RandomSeed: 1}, Identity: identity.Options{AutoApprove: true}})
	if err != nil {
		t.Fatal(err)
	}
	h := &hostileIdP{st: st}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	h.ca = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(h.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *hostileIdP) arm() { h.mu.Lock(); h.armed = true; h.mu.Unlock() }

func (h *hostileIdP) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	armed := h.armed
	h.mu.Unlock()
	if !armed || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
		h.st.Handler().ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	code, desc := "invalid_grant", "AADSTS70008: The provided refresh token "+form.Get("refresh_token")+" has expired due to inactivity."
	if s := form.Get("client_secret"); s != "" {
		code, desc = "invalid_client", "AADSTS7000215: Invalid client secret provided. The secret you sent, "+s+", is not valid for the app."
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": desc, "error_codes": []int{70008}})
}

func (h *hostileIdP) env(t *testing.T, dir string) {
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	t.Setenv("ODSHARE_AUTHORITY_HOST", h.srv.URL)
	t.Setenv("ODSHARE_GRAPH_ENDPOINT", h.srv.URL+"/v1.0")
	t.Setenv("ODSHARE_CA_FILE", h.ca)
	t.Setenv("ODSHARE_ACCESS_TOKEN", "")
	t.Setenv("ODSHARE_CLIENT_SECRET", "")
	t.Setenv("CI", "true")
}

// cachedRefreshToken reads the refresh token MSAL cached.
func cachedRefreshToken(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "msal_token_cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		RefreshToken map[string]struct {
			Secret string `json:"secret"`
		}
	}
	if err := json.Unmarshal(b, &c); err != nil || len(c.RefreshToken) != 1 {
		t.Fatalf("cache: %v, %d refresh tokens", err, len(c.RefreshToken))
	}
	for _, rt := range c.RefreshToken {
		return rt.Secret
	}
	return ""
}

// A sign-in error that repeats the refresh token or the client secret in prose shows neither.
func TestIdentityEchoedSecretsAreRedacted(t *testing.T) {
	h := startHostileIdP(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	h.env(t, dir)
	if code, _, errOut := run(t, "auth", "login"); code != ExitOK {
		t.Fatalf("auth login: exit %d\n%s", code, errOut)
	}
	rt := cachedRefreshToken(t, dir)

	// Graph stops accepting the access token; odshare redeems the refresh token, and the token
	// endpoint repeats it in its error description.
	h.st.Identity.ExpireAccessTokens()
	h.arm()
	code, out, errOut := run(t, "share", "get", emulator.DemoSharedFolderURL)
	if code != ExitAuth || out != "" {
		t.Errorf("share get: exit %d, stdout %q", code, out)
	}
	mustNotContain(t, "stderr", errOut, rt)
	if !strings.Contains(errOut, "refresh token [redacted] has expired") {
		t.Errorf("stderr lacks the redacted description:\n%s", errOut)
	}

	secret := unique("client secret")
	t.Setenv("ODSHARE_CLIENT_SECRET", secret)
	code, out, errOut = run(t, "auth", "login", "--app", "--tenant", identity.DefaultTenantID, "--client-id", identity.DemoAppClientID)
	if code != ExitAuth || out != "" {
		t.Errorf("login --app: exit %d, stdout %q\n%s", code, out, errOut)
	}
	mustNotContain(t, "stderr", errOut, secret, url.QueryEscape(secret))
	if !strings.Contains(errOut, "The secret you sent, [redacted], is not valid") {
		t.Errorf("stderr lacks the redacted description:\n%s", errOut)
	}
	if bytes.Contains([]byte(errOut), []byte(rt)) {
		t.Error("refresh token on stderr")
	}
}

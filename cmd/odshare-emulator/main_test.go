package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/identity"
)

// syncBuffer is a goroutine-safe stderr for run.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the emulator with args until the test ends and returns its base URL.
func start(t *testing.T, args ...string) (base string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, stderr)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("run did not stop")
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading base URL: %v (stderr: %s)", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return strings.TrimSpace(line), stderr
}

func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestRunHTTP(t *testing.T) {
	base, stderr := start(t, "--listen", "127.0.0.1:0", "--page-size", "50", "--fault", "status=429,retry-after=1,times=1", "--verbose")
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1.0") {
		t.Fatalf("base URL %q", base)
	}
	if s := get(t, http.DefaultClient, base+"/me/drive"); s != 429 {
		t.Errorf("first request: %d, want the fault's 429", s)
	}
	if s := get(t, http.DefaultClient, base+"/me/drive"); s != 200 {
		t.Errorf("second request: %d", s)
	}
	if !strings.Contains(stderr.String(), "GET /v1.0/me/drive -> 200") {
		t.Errorf("verbose log: %q", stderr.String())
	}
}

func TestRunThrottleWholeSeconds(t *testing.T) {
	base, _ := start(t, "--throttle-rps", "0.5", "--throttle-burst", "1", "--throttle-whole-seconds")
	get(t, http.DefaultClient, base+"/me/drive")
	req, _ := http.NewRequest("GET", base+"/me/drive", nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" {
		t.Errorf("2nd: %d Retry-After %q, want 429 and 2 (whole seconds)", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestRunBudget(t *testing.T) {
	base, _ := start(t, "--ru-budget", "10", "--ru-window", "1h", "--ru-headers-delegated")
	var res *http.Response
	for range 2 { // 5 + 5 units: the second is at 100%
		req, _ := http.NewRequest("GET", base+"/me/drive/root:/Notes.txt:/permissions", nil)
		req.Header.Set("Authorization", "Bearer x")
		var err error
		if res, err = http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if res.StatusCode != 200 || res.Header.Get("RateLimit-Remaining") != "0" {
		t.Errorf("at the budget: %d %v", res.StatusCode, res.Header)
	}
	if s := get(t, http.DefaultClient, base+"/me/drive"); s != 429 {
		t.Errorf("over the budget: %d", s)
	}
}

func TestRunDownloads(t *testing.T) {
	base, stderr := start(t, "--ignore-range", "--download-url-lifetime", "5m")
	var origin string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "downloads: "); ok {
			origin = v
		}
	}
	if !strings.HasPrefix(origin, "http://localhost:") {
		t.Fatalf("downloads line: %q", stderr.String())
	}
	req, _ := http.NewRequest("GET", base+"/me/drive/root:/Notes.txt:/content", nil)
	req.Header.Set("Authorization", "Bearer x")
	req.Header.Set("Range", "bytes=10-")
	res, err := http.DefaultClient.Do(req) // follows the 302; Go drops Authorization across hosts
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(b) != 120 || !strings.HasPrefix(res.Request.URL.String(), origin+"/") {
		t.Errorf("download: %d, %d bytes from %s", res.StatusCode, len(b), res.Request.URL)
	}
}

func TestRunThrottle(t *testing.T) {
	base, _ := start(t, "--throttle-rps", "0.2", "--throttle-burst", "2", "--fault", "latency=20ms")
	for i := range 2 {
		if s := get(t, http.DefaultClient, base+"/me/drive"); s != 200 {
			t.Fatalf("request %d: %d", i+1, s)
		}
	}
	req, _ := http.NewRequest("GET", base+"/me/drive", nil)
	req.Header.Set("Authorization", "Bearer x")
	begin := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || time.Since(begin) < 20*time.Millisecond {
		t.Errorf("3rd: %d Retry-After %q after %v", res.StatusCode, res.Header.Get("Retry-After"), time.Since(begin))
	}
	// another token is another client
	req.Header.Set("Authorization", "Bearer y")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("other client: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	res, err = http.Get(strings.TrimSuffix(base, "/v1.0") + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var st emulator.Stats
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || st.Requests != 4 || st.Throttled != 1 {
		t.Errorf("stats %+v %v", st, err)
	}
}

// tlsClient reads the "authority:" and "ca:" lines of a --tls run and returns the authority host
// and a client that trusts only that CA.
func tlsClient(t *testing.T, stderr *syncBuffer) (authority string, c *http.Client) {
	t.Helper()
	var caFile string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "authority: "); ok {
			authority = v
		}
		if v, ok := strings.CutPrefix(line, "ca: "); ok {
			caFile = v
		}
	}
	if !strings.HasPrefix(authority, "https://127.0.0.1:") || caFile == "" {
		t.Fatalf("stderr %q", stderr.String())
	}
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in the CA file")
	}
	c = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(c.CloseIdleConnections)
	return authority, c
}

// postForm posts to the identity side and decodes the JSON answer.
func postForm(t *testing.T, c *http.Client, u string, v url.Values) map[string]any {
	t.Helper()
	res, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatalf("POST %s: %d: %v", u, res.StatusCode, err)
	}
	return m
}

func getWith(t *testing.T, c *http.Client, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestRunTLS(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	base, stderr := start(t, "--tls", "--ca-out", caFile, "--access-token-lifetime", "10m")
	if !strings.HasPrefix(base, "https://127.0.0.1:") || !strings.HasSuffix(base, "/v1.0") {
		t.Fatalf("base URL %q", base)
	}
	if !strings.Contains(stderr.String(), "ca: "+caFile+"\n") {
		t.Errorf("stderr %q", stderr.String())
	}
	authority, c := tlsClient(t, stderr)
	if authority+"/v1.0" != base {
		t.Errorf("authority %q, base %q", authority, base)
	}

	// OIDC discovery, as MSAL fetches it first
	res, err := c.Get(authority + "/" + identity.DefaultTenantID + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var oidc map[string]any
	err = json.NewDecoder(res.Body).Decode(&oidc)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || oidc["token_endpoint"] != authority+"/"+identity.DefaultTenantID+"/oauth2/v2.0/token" {
		t.Fatalf("discovery: %d %v %v", res.StatusCode, err, oidc)
	}

	// strict: a made-up token is refused, a client-credentials one accepted
	if s := get(t, c, base+"/me/drive"); s != 401 {
		t.Errorf("made-up token: %d, want 401", s)
	}
	m := postForm(t, c, oidc["token_endpoint"].(string), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {identity.DemoAppClientID},
		"client_secret": {identity.DemoAppSecret}, "scope": {"https://graph.microsoft.com/.default"},
	})
	tok, _ := m["access_token"].(string)
	if tok == "" || m["expires_in"] != float64(600) {
		t.Fatalf("client credentials: %v", m)
	}
	if s := getWith(t, c, base+"/drives/"+emulator.DemoPersonalDriveID+"/root", tok); s != 200 {
		t.Errorf("app-only /drives: %d", s)
	}
	if s := getWith(t, c, base+"/me/drive", tok); s != 400 {
		t.Errorf("app-only /me/drive: %d, want 400", s)
	}

	// an untrusting client fails
	if _, err := http.Get(base + "/me/drive"); err == nil {
		t.Error("TLS without the CA succeeded")
	}
}

func TestRunTLSAutoApprove(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the CA file goes without --ca-out
	base, stderr := start(t, "--tls", "--auto-approve")
	authority, c := tlsClient(t, stderr)
	if !strings.Contains(stderr.String(), "ca: "+filepath.Join(tmp, "odshare-emulator-ca-")) {
		t.Errorf("default CA file not in the temp dir: %q", stderr.String())
	}
	dc := postForm(t, c, authority+"/organizations/oauth2/v2.0/devicecode", url.Values{
		"client_id": {"odshare-test"}, "scope": {"Files.ReadWrite.All offline_access"},
	})
	code, _ := dc["device_code"].(string)
	if code == "" {
		t.Fatalf("devicecode: %v", dc)
	}
	m := postForm(t, c, authority+"/organizations/oauth2/v2.0/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {"odshare-test"}, "device_code": {code},
	})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		t.Fatalf("auto-approved poll: %v", m)
	}
	if s := getWith(t, c, base+"/me/drive", tok); s != 200 {
		t.Errorf("/me/drive: %d", s)
	}
}

func TestRunSeedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(p, []byte("users: [{id: u, userPrincipalName: u@x.example}]\ndrives: [{id: d1, driveType: personal, owner: u}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := start(t, "--seed", p, "--random-seed", "5")
	if s := get(t, http.DefaultClient, base+"/drives/d1"); s != 200 {
		t.Errorf("seeded drive: %d", s)
	}
}

func TestRunFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"remote", []string{"--listen", "0.0.0.0:0"}, "not a loopback"},
		{"remote name", []string{"--listen", "example.com:80"}, "not a loopback"},
		{"bad fault", []string{"--fault", "colour=red"}, "unknown key"},
		{"bad seed", []string{"--seed", "/nonexistent.yaml"}, "nonexistent"},
		{"bad page size", []string{"--page-size", "5000"}, "page size"},
		{"extra arg", []string{"serve"}, "unexpected argument"},
		{"identity flag without tls", []string{"--auto-approve", "--device-code-lifetime", "1m"}, "--auto-approve, --device-code-lifetime needs --tls"},
		{"zero lifetime", []string{"--tls", "--access-token-lifetime", "0s"}, "must be positive"},
		{"bad lifetime", []string{"--tls", "--refresh-token-lifetime", "soon"}, "invalid value"},
		{"burst without rate", []string{"--throttle-burst", "3"}, "needs --throttle-rps"},
		{"whole seconds without rate", []string{"--throttle-whole-seconds"}, "needs --throttle-rps"},
		{"ru window without budget", []string{"--ru-window", "10s"}, "needs --ru-budget"},
		{"zero download lifetime", []string{"--download-url-lifetime", "0s"}, "must be positive"},
		{"negative budget", []string{"--ru-budget", "-5"}, "must not be negative"},
		{"zero window", []string{"--ru-budget", "5", "--ru-window", "0s"}, "must be positive"},
		{"negative rate", []string{"--throttle-rps", "-1"}, "must not be negative"},
		{"zero burst", []string{"--throttle-rps", "10", "--throttle-burst", "0"}, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			if err == nil || !strings.Contains(err.Error()+errb.String(), tt.want) {
				t.Errorf("err %v, stderr %q", err, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
	if err := checkLoopback("0.0.0.0:0", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
	for _, a := range []string{"127.0.0.1:0", "[::1]:0", "localhost:8080"} {
		if err := checkLoopback(a, false); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
}

// TestRunHelp: -h and --help print the usage on stdout and nothing on stderr, and come back as
// flag.ErrHelp (main exits 0); a flag that does not parse comes back as a *flagError with nothing
// printed (main prints it on one line and points at --help, exit 2).
func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{arg}, &out, &errb)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s: err %v, want flag.ErrHelp", arg, err)
		}
		if !strings.HasPrefix(out.String(), "Usage: odshare-emulator") || !strings.Contains(out.String(), "-throttle-rps") {
			t.Errorf("%s: stdout %.80q…, want the usage with the flags", arg, out.String())
		}
		if errb.Len() != 0 {
			t.Errorf("%s: stderr %q", arg, errb.String())
		}
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"--nope"}, &out, &errb)
	if fe := new(*flagError); !errors.As(err, fe) || !strings.Contains(err.Error(), "-nope") {
		t.Errorf("--nope: err %v, want a *flagError naming the flag", err)
	}
	if out.Len()+errb.Len() != 0 {
		t.Errorf("--nope: stdout %q, stderr %q; want nothing (main prints the error)", out.String(), errb.String())
	}
}

//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/testutil"
)

// TestMain runs the emulator itself when this binary is started as --print-env's background
// emulator; otherwise the tests.
func TestMain(m *testing.M) {
	if os.Getenv(envReadyFD) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

// parseEnv reads the export lines --print-env prints.
func parseEnv(t *testing.T, out string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export ([A-Z_]+)='([^']*)';$`).FindAllStringSubmatch(out, -1) {
		env[m[1]] = m[2]
	}
	return env
}

// stopBackground kills the background emulator and waits until it has removed its directory.
func stopBackground(t *testing.T, env map[string]string) {
	t.Helper()
	pid, err := strconv.Atoi(env["ODSHARE_EMULATOR_PID"])
	if err != nil {
		t.Fatalf("no pid: %v", env)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(env["ODSHARE_CONFIG_DIR"])
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s still there after the emulator was stopped", dir)
}

// --print-env: the emulator goes to the background and the shell gets what it needs, a config
// directory of its own included, so the real ~/.config/odshare is never written.
func TestPrintEnvTLS(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"--listen", "127.0.0.1:0", "--tls", "--auto-approve", "--print-env", "--random-seed", "1", "--exit-after", "2m"}, &out, &errb); err != nil {
		t.Fatalf("run: %v; stderr %s", err, errb.String())
	}
	env := parseEnv(t, out.String())
	t.Cleanup(func() { stopBackground(t, env) })
	for _, k := range []string{"ODSHARE_GRAPH_ENDPOINT", "ODSHARE_AUTHORITY_HOST", "ODSHARE_CA_FILE", "ODSHARE_CONFIG_DIR", "ODSHARE_EMULATOR_PID",
		"ODSHARE_BOX_API_URL", "ODSHARE_BOX_TOKEN_URL", "ODSHARE_BOX_AUTHORIZE_URL", "ODSHARE_BOX_CLIENT_ID", "ODSHARE_BOX_CLIENT_SECRET"} {
		if env[k] == "" {
			t.Errorf("no %s in:\n%s", k, out.String())
		}
	}
	origin := strings.TrimSuffix(env["ODSHARE_GRAPH_ENDPOINT"], "/v1.0")
	if env["ODSHARE_BOX_API_URL"] != origin+"/2.0" || env["ODSHARE_BOX_TOKEN_URL"] != origin+"/oauth2/token" ||
		env["ODSHARE_BOX_AUTHORIZE_URL"] != origin+"/api/oauth2/authorize" {
		t.Errorf("Box URLs are not on the emulator's origin %s:\n%s", origin, out.String())
	}
	if !regexp.MustCompile(`\nunset (.* )?ODSHARE_ACCESS_TOKEN[ ;]`).MatchString(out.String()) {
		t.Errorf("ODSHARE_ACCESS_TOKEN is not unset:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), "stop it with: kill $ODSHARE_EMULATOR_PID") {
		t.Errorf("stderr %q", errb.String())
	}
	st, err := os.Stat(env["ODSHARE_CONFIG_DIR"])
	if err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Fatalf("config dir: %v %v", st, err)
	}
	if home, _ := os.UserConfigDir(); strings.HasPrefix(env["ODSHARE_CONFIG_DIR"], home) {
		t.Errorf("config dir %s is in the user's config dir", env["ODSHARE_CONFIG_DIR"])
	}
	// It serves, over TLS, with the CA it names: Graph wants a token it issued.
	pem, err := os.ReadFile(env["ODSHARE_CA_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	if code := getWith(t, c, env["ODSHARE_GRAPH_ENDPOINT"]+"/me/drive", ""); code != http.StatusUnauthorized {
		t.Errorf("Graph without a token: %d", code)
	}
	if code := get(t, c, env["ODSHARE_AUTHORITY_HOST"]+"/common/v2.0/.well-known/openid-configuration"); code != http.StatusOK {
		t.Errorf("discovery: %d", code)
	}
}

// Every ODSHARE_ variable of the README's configuration table is exported or unset, over TLS,
// over http and without Box, so a shell's own settings (a link password, an output format, a
// retry budget, a Box token) never reach the emulator's session; odshareVariables is that table.
func TestPrintEnvCoversTheREADME(t *testing.T) {
	section := testutil.ConfigurationTable(t)
	var inREADME []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(ODSHARE_[A-Z_]+)` \\|").FindAllStringSubmatch(section, -1) {
		inREADME = append(inREADME, m[1])
	}
	if len(inREADME) < 20 {
		t.Fatalf("found %d ODSHARE_ rows in the README's configuration table", len(inREADME))
	}
	slices.Sort(inREADME)
	ours := slices.Sorted(slices.Values(odshareVariables))
	if !slices.Equal(inREADME, ours) {
		t.Fatalf("odshareVariables differ from the README's table:\n%v\n%v", ours, inREADME)
	}
	for name, ri := range map[string]readyInfo{
		"tls":    {Graph: "https://127.0.0.1:1/v1.0", Authority: "https://127.0.0.1:1", CA: "/ca.pem", BoxAPI: "a", BoxToken: "t", BoxAuthorize: "z"},
		"http":   {Graph: "http://127.0.0.1:1/v1.0", BoxAPI: "a", BoxToken: "t", BoxAuthorize: "z"},
		"no box": {Graph: "http://127.0.0.1:1/v1.0"},
	} {
		var out strings.Builder
		printEnv(&out, ri, "/config", 1, "/log")
		exported := map[string]bool{}
		var unset []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if rest, ok := strings.CutPrefix(line, "export "); ok {
				k, _, _ := strings.Cut(rest, "=")
				exported[k] = true
			} else if rest, ok := strings.CutPrefix(line, "unset "); ok {
				unset = strings.Fields(strings.TrimSuffix(rest, ";"))
			}
		}
		for _, v := range inREADME {
			if exported[v] == slices.Contains(unset, v) {
				t.Errorf("%s: %s is exported %v, unset %v:\n%s", name, v, exported[v], slices.Contains(unset, v), out.String())
			}
		}
		for _, v := range []string{"ODSHARE_LINK_PASSWORD", "ODSHARE_RETRY_BUDGET", "ODSHARE_OUTPUT", "ODSHARE_FORCE_TTY"} {
			if !slices.Contains(unset, v) {
				t.Errorf("%s: %s is not unset", name, v)
			}
		}
		if name == "no box" && !slices.Contains(unset, "ODSHARE_BOX_API_URL") {
			t.Errorf("without Box, ODSHARE_BOX_API_URL is not unset:\n%s", out.String())
		}
	}
}

func TestPrintEnvHTTP(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"--print-env", "--random-seed", "1", "--exit-after", "2m"}, &out, &errb); err != nil {
		t.Fatalf("run: %v; stderr %s", err, errb.String())
	}
	env := parseEnv(t, out.String())
	t.Cleanup(func() { stopBackground(t, env) })
	if env["ODSHARE_ACCESS_TOKEN"] == "" || env["ODSHARE_AUTHORITY_HOST"] != "" || !strings.HasPrefix(env["ODSHARE_GRAPH_ENDPOINT"], "http://127.0.0.1:") {
		t.Fatalf("env %v", env)
	}
	if code := getWith(t, http.DefaultClient, env["ODSHARE_GRAPH_ENDPOINT"]+"/me/drive", env["ODSHARE_ACCESS_TOKEN"]); code != http.StatusOK {
		t.Errorf("Graph with the token: %d", code)
	}
}

// A bad flag is reported by the command run, not lost in the background.
func TestPrintEnvBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"--print-env", "--listen", "0.0.0.0:0"}, &out, &errb)
	if err == nil || out.Len() != 0 {
		t.Fatalf("err %v, stdout %q", err, out.String())
	}
}

// --exit-after stops the emulator by itself (tests and demos leave nothing running).
func TestExitAfter(t *testing.T) {
	var out, errb bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), []string{"--exit-after", "200ms"}, &out, &errb) }()
	select {
	case err := <-done:
		if err != nil || !strings.HasPrefix(out.String(), "http://127.0.0.1:") {
			t.Errorf("err %v, stdout %q", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still serving")
	}
}

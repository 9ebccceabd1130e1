package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	t.Setenv("ODSHARE_OUTPUT", "")
	t.Setenv("ODSHARE_CLOUD", "")
	t.Setenv("ODSHARE_GRAPH_ENDPOINT", "")

	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Output != "table" || c.Source["output"] != "default" {
		t.Fatalf("default: got %q from %s", c.Output, c.Source["output"])
	}
	if c.GraphEndpoint != "https://graph.microsoft.com/v1.0" {
		t.Fatalf("graph endpoint = %q", c.GraphEndpoint)
	}

	if err := Set(dir, "output", "json"); err != nil {
		t.Fatal(err)
	}
	c, _ = Load(nil)
	if c.Output != "json" || c.Source["output"] != "file" {
		t.Fatalf("file: got %q from %s", c.Output, c.Source["output"])
	}

	t.Setenv("ODSHARE_OUTPUT", "table")
	c, _ = Load(nil)
	if c.Output != "table" || c.Source["output"] != "env" {
		t.Fatalf("env: got %q from %s", c.Output, c.Source["output"])
	}

	c, _ = Load(map[string]string{"output": "json"})
	if c.Output != "json" || c.Source["output"] != "flag" {
		t.Fatalf("flag: got %q from %s", c.Output, c.Source["output"])
	}
}

func TestCloudPicksHosts(t *testing.T) {
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	t.Setenv("ODSHARE_GRAPH_ENDPOINT", "")
	t.Setenv("ODSHARE_AUTHORITY_HOST", "")
	for name, want := range map[string][2]string{
		"global":   {"https://graph.microsoft.com/v1.0", "https://login.microsoftonline.com"},
		"usgov":    {"https://graph.microsoft.us/v1.0", "https://login.microsoftonline.us"},
		"usgovdod": {"https://dod-graph.microsoft.us/v1.0", "https://login.microsoftonline.us"},
		"china":    {"https://microsoftgraph.chinacloudapi.cn/v1.0", "https://login.chinacloudapi.cn"},
	} {
		t.Setenv("ODSHARE_CLOUD", name)
		c, err := Load(nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.GraphEndpoint != want[0] || c.AuthorityHost != want[1] {
			t.Errorf("%s: got %s, %s", name, c.GraphEndpoint, c.AuthorityHost)
		}
	}
	t.Setenv("ODSHARE_CLOUD", "mars")
	if _, err := Load(nil); err == nil || err.Error() != `invalid cloud "mars" (from env): valid values are global, usgov, usgovdod, china` {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("ODSHARE_CLOUD", "china")
	t.Setenv("ODSHARE_GRAPH_ENDPOINT", "http://127.0.0.1:9/v1.0/")
	c, _ := Load(nil)
	if c.GraphEndpoint != "http://127.0.0.1:9/v1.0" {
		t.Fatalf("explicit endpoint must win over cloud: %s", c.GraphEndpoint)
	}
}

func TestSecretsNeverFromFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ODSHARE_CONFIG_DIR", dir)
	t.Setenv("ODSHARE_ACCESS_TOKEN", "")
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("access_token: leaked\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessToken != "" {
		t.Fatal("access token must come from the environment only")
	}
}

func TestSetFileModesAndUnknownKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odshare")
	if err := Set(dir, "tenant", "contoso.example"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", dst.Mode().Perm())
	}
	if err := Set(dir, "colour", "x"); err == nil {
		t.Fatal("unknown key accepted")
	}
	if err := Set(dir, "tenant", ""); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(b) != "{}\n" {
		t.Fatalf("unset left %q", b)
	}
}

func TestRetryBudget(t *testing.T) {
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	for in, want := range map[string]time.Duration{"": 5 * time.Minute, "10m": 10 * time.Minute, "90s": 90 * time.Second, "0": 0} {
		t.Setenv("ODSHARE_RETRY_BUDGET", in)
		c, err := Load(nil)
		if err != nil || c.RetryBudget != want {
			t.Errorf("ODSHARE_RETRY_BUDGET=%q: %v, %v; want %v", in, c.RetryBudget, err, want)
		}
	}
	for _, bad := range []string{"soon", "-1m", "5"} {
		t.Setenv("ODSHARE_RETRY_BUDGET", bad)
		if _, err := Load(nil); err == nil || !strings.Contains(err.Error(), "invalid retry_budget") {
			t.Errorf("ODSHARE_RETRY_BUDGET=%q: err = %v", bad, err)
		}
	}
	t.Setenv("ODSHARE_RETRY_BUDGET", "1m")
	if c, err := Load(map[string]string{"retry_budget": "2m"}); err != nil || c.RetryBudget != 2*time.Minute || c.Source["retry_budget"] != "flag" {
		t.Errorf("flag: %+v, %v", c, err)
	}
}

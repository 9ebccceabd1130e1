// Package config is odshare's only importer of viper. It resolves settings with the precedence
// flag > environment (ODSHARE_*) > config.yaml in the config directory > default, and hands the
// rest of the program a plain typed Config.
//
// Secrets (ODSHARE_ACCESS_TOKEN, ODSHARE_CLIENT_SECRET, ODSHARE_CERTIFICATE_PASSWORD, ODSHARE_LINK_PASSWORD,
// ODSHARE_SHARE_PASSWORD, ODSHARE_BOX_ACCESS_TOKEN, ODSHARE_BOX_CLIENT_SECRET) are read from the environment only, never
// from the config file, so that `config list` and a shared dotfile repo cannot leak them.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// EnvPrefix prefixes every environment variable odshare reads.
const EnvPrefix = "ODSHARE"

// FileName is the config file inside the config directory.
const FileName = "config.yaml"

// Cloud is one row of Microsoft's national cloud table (notes/graph-sharing.md §6 [DEP]).
type Cloud struct {
	Name          string
	GraphHost     string
	AuthorityHost string
}

// Clouds lists the national clouds odshare knows, keyed by the ODSHARE_CLOUD value.
var Clouds = map[string]Cloud{
	"global":   {"global", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
	"usgov":    {"usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us"},
	"usgovdod": {"usgovdod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"},
	"china":    {"china", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"},
}

// CloudNames returns the valid ODSHARE_CLOUD values in a stable order for error messages.
func CloudNames() []string { return []string{"global", "usgov", "usgovdod", "china"} }

// Key describes one setting that `odshare config` can show and change.
type Key struct {
	Name    string
	Default string
	Help    string
}

// Keys are the settings that live in config.yaml (and in ODSHARE_<NAME> environment variables).
var Keys = []Key{
	{"output", "table", "default output format: table, wide, json or ndjson"},
	{"cloud", "global", "national cloud: global, usgov, usgovdod or china"},
	{"graph_endpoint", "", "Graph base URL including the version (overrides cloud)"},
	{"authority_host", "", "sign-in authority host (overrides cloud), e.g. the emulator"},
	{"tenant", "common", "tenant for sign-in: common, organizations, consumers, an id or a domain"},
	{"client_id", "", "application (client) id used to sign in"},
	{"account", "", "cached account (UPN) to use when several are signed in"},
	{"scopes", "", "Graph scopes to sign in with, comma-separated (default Files.ReadWrite)"},
	{"certificate", "", "certificate file for app-only sign-in: PEM with the key, or PFX"},
	{"ca_file", "", "PEM file of extra CA certificates to trust"},
	{"retry_budget", "5m", "how long one request waits out Graph's throttling (429, 503) before giving up; 0 never retries"},
	{"token_storage", "auto", "where tokens are kept: auto (encrypted, key in the OS keyring; a plain 0600 file when none answers) or file"},
	{"box_client_id", "", "client id of your Box app (OAuth 2.0 or Client Credentials), for `auth login --provider box`"},
	{"box_account", "", "Box account (login email) to use when several are signed in"},
	{"box_api_url", "", "Box API base URL (default https://api.box.com/2.0), e.g. the emulator's"},
	{"box_token_url", "", "Box token endpoint (default https://api.box.com/oauth2/token)"},
	{"box_authorize_url", "", "Box authorize page (default https://account.box.com/api/oauth2/authorize)"},
}

// Config is the resolved configuration.
type Config struct {
	Dir           string // where config.yaml and the token cache live
	File          string // Dir/config.yaml
	Output        string
	Cloud         Cloud
	GraphEndpoint string // base URL including the version, no trailing slash
	AuthorityHost string
	Tenant        string
	ClientID      string
	Account       string
	Scopes        []string // resource scopes for delegated sign-in; nil = the default
	Certificate   string   // app-only certificate file
	CAFile        string
	// RetryBudget is how long one request waits out throttling in all; 0 means no retries.
	RetryBudget time.Duration
	// TokenStorage is "auto" (the OS keyring's key encrypts the token caches) or "file".
	TokenStorage string

	// Box: the app, the active account and the endpoints (empty = Box's own).
	BoxClientID, BoxAccount                 string
	BoxAPIURL, BoxTokenURL, BoxAuthorizeURL string
	// BoxAccessToken (ODSHARE_BOX_ACCESS_TOKEN) is a Box token used as is (a developer token, CI).
	BoxAccessToken string
	// BoxClientSecret (ODSHARE_BOX_CLIENT_SECRET) is the Box app's secret.
	BoxClientSecret string

	AccessToken  string // ODSHARE_ACCESS_TOKEN: used as is, no sign-in
	ClientSecret string // ODSHARE_CLIENT_SECRET: app-only sign-in
	// CertificatePassword (ODSHARE_CERTIFICATE_PASSWORD) opens a PFX certificate.
	CertificatePassword string
	// LinkPassword (ODSHARE_LINK_PASSWORD) is the password `link create` gives a link when neither
	// --password nor --password-stdin is used: a way to keep it off the command line.
	LinkPassword string
	// SharePassword (ODSHARE_SHARE_PASSWORD) is the password of a shared link that is read (`share
	// get`, `share children`, and a Box link named by its URL), when --password-stdin is not used.
	SharePassword string

	// Source tells where each key's value came from: "flag", "env", "file" or "default".
	Source map[string]string
}

// Dir returns the config directory: ODSHARE_CONFIG_DIR, else the OS user config dir + /odshare.
func Dir() (string, error) {
	if d := os.Getenv(EnvPrefix + "_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a config directory (set ODSHARE_CONFIG_DIR): %w", err)
	}
	return filepath.Join(base, "odshare"), nil
}

// Load resolves the configuration. flags holds the values of command-line flags the user set
// explicitly, by key name; they win over everything else.
func Load(flags map[string]string) (*Config, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	v := viper.New()
	v.SetEnvPrefix(EnvPrefix)
	v.AutomaticEnv()
	for _, k := range Keys {
		v.SetDefault(k.Name, k.Default)
	}
	file := filepath.Join(dir, FileName)
	if err := checkPrivate(dir, "config directory", currentUID()); err != nil {
		return nil, err
	}
	if err := checkPrivate(file, "config file", currentUID()); err != nil {
		return nil, err
	}
	v.SetConfigFile(file)
	v.SetConfigType("yaml")
	fileValues := map[string]bool{}
	if err := v.ReadInConfig(); err != nil {
		if !errors.Is(err, os.ErrNotExist) && !isNotFound(err) {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
	} else {
		for _, k := range v.AllKeys() {
			if v.InConfig(k) {
				fileValues[k] = true
			}
		}
	}
	for k, val := range flags {
		v.Set(k, val)
	}
	src := map[string]string{}
	for _, k := range Keys {
		switch {
		case flags[k.Name] != "":
			src[k.Name] = "flag"
		case os.Getenv(envName(k.Name)) != "":
			src[k.Name] = "env"
		case fileValues[k.Name]:
			src[k.Name] = "file"
		default:
			src[k.Name] = "default"
		}
	}

	c := &Config{
		Dir:                 dir,
		File:                file,
		Output:              v.GetString("output"),
		Tenant:              v.GetString("tenant"),
		ClientID:            v.GetString("client_id"),
		Account:             v.GetString("account"),
		CAFile:              v.GetString("ca_file"),
		Scopes:              splitList(v.GetString("scopes")),
		Certificate:         v.GetString("certificate"),
		AccessToken:         os.Getenv(EnvPrefix + "_ACCESS_TOKEN"),
		ClientSecret:        os.Getenv(EnvPrefix + "_CLIENT_SECRET"),
		CertificatePassword: os.Getenv(EnvPrefix + "_CERTIFICATE_PASSWORD"),
		LinkPassword:        os.Getenv(EnvPrefix + "_LINK_PASSWORD"),
		SharePassword:       os.Getenv(EnvPrefix + "_SHARE_PASSWORD"),
		BoxClientID:         strings.TrimSpace(v.GetString("box_client_id")),
		BoxAccount:          strings.TrimSpace(v.GetString("box_account")),
		BoxAPIURL:           strings.TrimRight(strings.TrimSpace(v.GetString("box_api_url")), "/"),
		BoxTokenURL:         strings.TrimSpace(v.GetString("box_token_url")),
		BoxAuthorizeURL:     strings.TrimSpace(v.GetString("box_authorize_url")),
		BoxAccessToken:      os.Getenv(EnvPrefix + "_BOX_ACCESS_TOKEN"),
		BoxClientSecret:     os.Getenv(EnvPrefix + "_BOX_CLIENT_SECRET"),
		Source:              src,
	}
	c.TokenStorage = strings.ToLower(strings.TrimSpace(v.GetString("token_storage")))
	if c.TokenStorage != "auto" && c.TokenStorage != "file" {
		return nil, fmt.Errorf("invalid token_storage %q (from %s): valid values are auto and file", c.TokenStorage, src["token_storage"])
	}
	rb := strings.TrimSpace(v.GetString("retry_budget"))
	if c.RetryBudget, err = time.ParseDuration(rb); err != nil || c.RetryBudget < 0 {
		return nil, fmt.Errorf("invalid retry_budget %q (from %s): give a duration such as 5m or 90s, or 0 to never retry", rb, src["retry_budget"])
	}
	cloudName := strings.ToLower(v.GetString("cloud"))
	cloud, ok := Clouds[cloudName]
	if !ok {
		return nil, fmt.Errorf("invalid cloud %q (from %s): valid values are %s", cloudName, src["cloud"], strings.Join(CloudNames(), ", "))
	}
	c.Cloud = cloud
	c.GraphEndpoint = strings.TrimRight(v.GetString("graph_endpoint"), "/")
	if c.GraphEndpoint == "" {
		c.GraphEndpoint = cloud.GraphHost + "/v1.0"
	}
	c.AuthorityHost = strings.TrimRight(v.GetString("authority_host"), "/")
	if c.AuthorityHost == "" {
		c.AuthorityHost = cloud.AuthorityHost
	}
	return c, nil
}

// AppOnly reports whether app-only credentials are configured (ODSHARE_CLIENT_SECRET or a
// certificate) and no bring-your-own token overrides them.
func (c *Config) AppOnly() bool {
	return c.AccessToken == "" && (c.ClientSecret != "" || c.Certificate != "")
}

// splitList splits a comma- or space-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string // nil, not empty, for no items
	return append(out, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })...)
}

func envName(key string) string { return EnvPrefix + "_" + strings.ToUpper(key) }

func isNotFound(err error) bool {
	var nf viper.ConfigFileNotFoundError
	return errors.As(err, &nf)
}

// LookupKey returns the Key called name.
func LookupKey(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// Value returns the resolved value of key in c.
func (c *Config) Value(key string) string {
	switch key {
	case "output":
		return c.Output
	case "cloud":
		return c.Cloud.Name
	case "graph_endpoint":
		return c.GraphEndpoint
	case "authority_host":
		return c.AuthorityHost
	case "tenant":
		return c.Tenant
	case "client_id":
		return c.ClientID
	case "account":
		return c.Account
	case "ca_file":
		return c.CAFile
	case "scopes":
		return strings.Join(c.Scopes, ",")
	case "certificate":
		return c.Certificate
	case "retry_budget":
		return c.RetryBudget.String()
	case "token_storage":
		return c.TokenStorage
	case "box_client_id":
		return c.BoxClientID
	case "box_account":
		return c.BoxAccount
	case "box_api_url":
		return c.BoxAPIURL
	case "box_token_url":
		return c.BoxTokenURL
	case "box_authorize_url":
		return c.BoxAuthorizeURL
	}
	return ""
}

// Set writes key=value into the config file in dir, keeping the other keys. The directory is
// created 0700 and the file written 0600 through a temp file and rename, so a crash never leaves
// half a file; a config.yaml that is a symlink is written where it points. A directory or file
// others can write is refused (UnsafeError). An empty value removes the key.
func Set(dir, key, value string) error {
	if _, ok := LookupKey(key); !ok {
		return fmt.Errorf("unknown key %q: valid keys are %s", key, strings.Join(keyNames(), ", "))
	}
	file := filepath.Join(dir, FileName)
	for path, what := range map[string]string{dir: "config directory", file: "config file"} {
		if err := checkPrivate(path, what, currentUID()); err != nil {
			return err
		}
	}
	// A config.yaml that is a symlink (a dotfile manager's) is updated where it points, so the link
	// stays a link.
	target := file
	if fi, err := os.Lstat(file); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(file); err != nil {
			return fmt.Errorf("resolve %s: %w", file, err)
		}
	}
	values := map[string]string{}
	if b, err := os.ReadFile(file); err == nil {
		if err := yaml.Unmarshal(b, &values); err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if value == "" {
		delete(values, key)
	} else {
		values[key] = value
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := yaml.Marshal(values)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// FileValue returns key's value in the config file in dir ("" when unset or no file).
func FileValue(dir, key string) (string, error) {
	values := map[string]string{}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if err := yaml.Unmarshal(b, &values); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Join(dir, FileName), err)
	}
	return values[key], nil
}

func keyNames() []string {
	names := make([]string, 0, len(Keys))
	for _, k := range Keys {
		names = append(names, k.Name)
	}
	sort.Strings(names)
	return names
}

package authcmd

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/output"
)

// status is what `auth status -o json` prints; it never holds a token.
type status struct {
	Credential string   `json:"credential"` // "environment", "app-only" or "delegated"
	Account    string   `json:"account,omitempty"`
	TenantID   string   `json:"tenantId,omitempty"`
	ClientID   string   `json:"clientId,omitempty"`
	Scopes     []string `json:"scopes,omitempty"`
	ExpiresOn  string   `json:"expiresOn,omitempty"`
	Cache      string   `json:"cache,omitempty"`
	Storage    string   `json:"cacheStorage,omitempty"`
	Others     []string `json:"otherAccounts,omitempty"`
}

func newCmdStatus(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show who is signed in, with which credential, and where tokens are cached",
		Long: `Show the active credential (ODSHARE_ACCESS_TOKEN, app-only or delegated), the account and
tenant, the granted scopes, when the access token expires, and where the token cache is and how it
is stored. Getting this may refresh the token. Exits 4 when nobody is signed in.`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := f.ResolvePrinting()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if err := cmdutil.CheckAccountFlag(cfg); err != nil {
				return err
			}
			var st status
			switch {
			case cfg.AccessToken != "":
				st = envTokenStatus(cfg.AccessToken)
			default:
				s, err := f.AuthSettings()
				if err != nil {
					return err
				}
				var src *auth.Source
				if cfg.AppOnly() {
					src, err = auth.NewAppSource(s)
					st.Credential = "app-only"
				} else {
					src, err = auth.NewDelegatedSource(s)
					st.Credential = "delegated"
				}
				if err != nil {
					return cmdutil.AsAuthError(err)
				}
				info, err := src.Info(c.Context())
				if err != nil {
					return cmdutil.ExplainNotSignedIn(cfg, s, cmdutil.AsAuthError(err))
				}
				st.Account, st.TenantID, st.ClientID = info.Account.Username, info.Account.TenantID, info.ClientID
				st.Scopes, st.ExpiresOn = info.Scopes, info.ExpiresOn.UTC().Format(time.RFC3339)
				st.Cache, st.Storage = auth.CacheLocation(s)
				if !cfg.AppOnly() {
					accounts, err := auth.Accounts(s)
					if err != nil {
						return cmdutil.AsAuthError(err)
					}
					for _, a := range accounts {
						if a.Username != st.Account {
							st.Others = append(st.Others, a.Username)
						}
					}
				}
			}
			if p.JSON() {
				return p.WriteValue(f.IOStreams, st)
			}
			return printStatus(f, st)
		},
	}
	f.AddOutputFlags(cmd)
	return cmd
}

func printStatus(f *cmdutil.Factory, st status) error {
	credential := map[string]string{
		"environment": "ODSHARE_ACCESS_TOKEN (used as is, never refreshed)",
		"app-only":    "app-only (client credentials)",
		"delegated":   "delegated (signed in with `odshare auth login`)",
	}[st.Credential]
	rows := [][2]string{
		{"Credential", credential},
		{"Account", st.Account},
		{"Tenant", st.TenantID},
		{"Client id", st.ClientID},
		{"Scopes", strings.Join(st.Scopes, " ")},
		{"Token expires", output.HumanTime(st.ExpiresOn)},
	}
	if st.Cache != "" {
		rows = append(rows, [2]string{"Token cache", st.Cache + " (" + st.Storage + ")"})
	}
	if len(st.Others) > 0 {
		rows = append(rows, [2]string{"Other accounts", strings.Join(st.Others, ", ")})
	}
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		if _, err := fmt.Fprintf(f.IOStreams.Out, "%-15s %s\n", r[0]+":", output.Sanitize(r[1])); err != nil {
			return err
		}
	}
	return nil
}

// envTokenStatus describes a bring-your-own token from its claims, when it is a JWT. The claims
// are read without checking the signature: they are shown, never trusted.
func envTokenStatus(tok string) status {
	st := status{Credential: "environment"}
	claims, err := jwtClaims(tok)
	if err != nil {
		return st
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	st.Account = str("upn")
	if st.Account == "" {
		st.Account = str("unique_name")
	}
	st.TenantID, st.ClientID = str("tid"), str("appid")
	if scp := str("scp"); scp != "" {
		st.Scopes = strings.Fields(scp)
	} else if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				st.Scopes = append(st.Scopes, s)
			}
		}
	}
	if exp, ok := claims["exp"].(float64); ok {
		st.ExpiresOn = time.Unix(int64(exp), 0).UTC().Format(time.RFC3339)
	}
	return st
}

func jwtClaims(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(b, &claims)
}

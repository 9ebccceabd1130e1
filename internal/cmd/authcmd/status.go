package authcmd

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/output"
)

// status is what `auth status -o json` prints; it never holds a token.
type status struct {
	Provider   string   `json:"provider"`   // "graph" or "box"
	Credential string   `json:"credential"` // "environment", "app-only" or "delegated"
	Account    string   `json:"account,omitempty"`
	Name       string   `json:"name,omitempty"`   // Box: the user's name
	UserID     string   `json:"userId,omitempty"` // Box: the user's id
	TenantID   string   `json:"tenantId,omitempty"`
	ClientID   string   `json:"clientId,omitempty"`
	Scopes     []string `json:"scopes,omitempty"`
	ExpiresOn  string   `json:"expiresOn,omitempty"`
	Cache      string   `json:"cache,omitempty"`
	Storage    string   `json:"cacheStorage,omitempty"`
	Others     []string `json:"otherAccounts,omitempty"`
}

func newCmdStatus(f *cmdutil.Factory) *cobra.Command {
	var provider string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show who is signed in, with which credential, and where tokens are cached",
		Long: `Show the active credential (ODSHARE_ACCESS_TOKEN, app-only or delegated), the account and
tenant, the granted scopes, when the access token expires, and where the token cache is and how it
is stored (encrypted with a key in the OS keyring, or a plain 0600 file). Getting this may refresh
the token. Exits 4 when nobody is signed in.

Without --provider it shows Microsoft Graph's sign-in and, when there is one, Box's; -o json then
prints Graph's (Box's when only Box is signed in). --provider box shows Box's alone (--account
picks among the Box accounts), --provider graph Graph's alone.`,
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
			switch provider {
			case providerBox:
				st, err := boxStatus(c.Context(), f, cfg, true)
				if err != nil {
					return err
				}
				return writeStatus(f, p, st)
			case providerGraph, "":
			default:
				return cmdutil.FlagErrorf("invalid --provider %q: valid values are graph and box", provider)
			}
			st, gerr := graphStatus(c.Context(), f, cfg)
			if provider == providerGraph {
				if gerr != nil {
					return gerr
				}
				return writeStatus(f, p, st)
			}
			var bst status
			var berr error
			haveBox := boxPresent(f, cfg)
			if haveBox {
				bst, berr = boxStatus(c.Context(), f, cfg, false)
			}
			switch {
			case gerr != nil && (!haveBox || !errors.Is(gerr, auth.ErrNotSignedIn)):
				return gerr // Graph's failure, as before Box existed
			case gerr != nil && berr != nil:
				return berr
			case gerr != nil:
				return writeStatus(f, p, bst) // only Box is signed in
			}
			if p.JSON() || !haveBox {
				return writeStatus(f, p, st)
			}
			if err := printStatus(f, st); err != nil {
				return err
			}
			if berr != nil {
				fmt.Fprintf(f.IOStreams.ErrOut, "! Box: %s\n", output.Sanitize(berr.Error()))
				return nil
			}
			fmt.Fprintln(f.IOStreams.Out)
			return printStatus(f, bst)
		},
	}
	f.AddOutputFlags(cmd)
	addProviderFlag(cmd, &provider)
	return cmd
}

func writeStatus(f *cmdutil.Factory, p cmdutil.Printing, st status) error {
	if p.JSON() {
		return p.WriteValue(f.IOStreams, st)
	}
	return printStatus(f, st)
}

// graphStatus is Microsoft Graph's credential, as `auth status` showed it before Box.
func graphStatus(ctx context.Context, f *cmdutil.Factory, cfg *config.Config) (status, error) {
	if err := cmdutil.CheckAccountFlag(cfg); err != nil {
		return status{}, err
	}
	var st status
	if cfg.AccessToken != "" {
		st = envTokenStatus(cfg.AccessToken)
		st.Provider = providerGraph
		return st, nil
	}
	st.Provider = providerGraph
	s, err := f.AuthSettings()
	if err != nil {
		return st, err
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
		return st, cmdutil.AsAuthError(err)
	}
	info, err := src.Info(ctx)
	if err != nil {
		return st, cmdutil.ExplainNotSignedIn(cfg, s, cmdutil.AsAuthError(err))
	}
	st.Account, st.TenantID, st.ClientID = info.Account.Username, info.Account.TenantID, info.ClientID
	st.Scopes, st.ExpiresOn = info.Scopes, info.ExpiresOn.UTC().Format(time.RFC3339)
	st.Cache, st.Storage = auth.CacheLocation(s)
	if !cfg.AppOnly() {
		accounts, err := auth.Accounts(s)
		if err != nil {
			return st, cmdutil.AsAuthError(err)
		}
		for _, a := range accounts {
			if a.Username != st.Account {
				st.Others = append(st.Others, a.Username)
			}
		}
	}
	return st, nil
}

// boxPresent reports whether Box has a credential to show: ODSHARE_BOX_ACCESS_TOKEN, or a Box token
// cache file.
func boxPresent(f *cmdutil.Factory, cfg *config.Config) bool {
	if cfg.BoxAccessToken != "" {
		return true
	}
	s, err := f.BoxSettings()
	if err != nil {
		return false
	}
	return auth.CacheStorageOf(auth.BoxCacheLocation(s)) != auth.StorageNone
}

// boxSettings are the Box settings with --account applied when the command acts on Box alone.
func boxSettings(f *cmdutil.Factory, cfg *config.Config, useAccountFlag bool) (auth.BoxSettings, error) {
	s, err := f.BoxSettings()
	if err != nil {
		return s, err
	}
	if useAccountFlag && cfg.Source["account"] == "flag" {
		if cfg.BoxAccessToken != "" {
			return s, cmdutil.FlagErrorf("--account picks a cached Box sign-in, but ODSHARE_BOX_ACCESS_TOKEN is set and is used instead")
		}
		s.Account = cfg.Account
	}
	return s, nil
}

// boxStatus is Box's credential: ODSHARE_BOX_ACCESS_TOKEN, or the cached sign-in (renewed if needed).
func boxStatus(ctx context.Context, f *cmdutil.Factory, cfg *config.Config, useAccountFlag bool) (status, error) {
	st := status{Provider: providerBox}
	s, err := boxSettings(f, cfg, useAccountFlag)
	if err != nil {
		return st, err
	}
	if cfg.BoxAccessToken != "" {
		st.Credential = "environment"
		return st, nil
	}
	src, err := auth.NewBoxSource(s)
	if err != nil {
		return st, cmdutil.AsAuthError(err)
	}
	info, err := src.Info(ctx)
	if err != nil {
		return st, cmdutil.AsAuthError(err)
	}
	st.Credential = "delegated"
	if info.Kind == auth.BoxCCG {
		st.Credential = "app-only"
	}
	st.Account, st.Name, st.UserID, st.ClientID = info.Login, info.Name, info.UserID, info.ClientID
	st.ExpiresOn = info.ExpiresOn.UTC().Format(time.RFC3339)
	st.Cache = auth.BoxCacheLocation(s)
	st.Storage = auth.DescribeStorage(auth.CacheStorageOf(st.Cache))
	accounts, err := auth.BoxAccounts(s)
	if err != nil {
		return st, cmdutil.AsAuthError(err)
	}
	for _, a := range accounts {
		if !strings.EqualFold(a.Login, st.Account) {
			st.Others = append(st.Others, a.Login)
		}
	}
	return st, nil
}

// addProviderFlag adds --provider to an auth verb that acts on one provider or all of them.
func addProviderFlag(cmd *cobra.Command, provider *string) {
	cmd.Flags().StringVar(provider, "provider", "", "Act on one provider's sign-in: `graph` (Microsoft Graph) or box (default: both)")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions([]cobra.Completion{"graph\tMicrosoft Graph: OneDrive and SharePoint", "box\tBox"}, cobra.ShellCompDirectiveNoFileComp))
}

func printStatus(f *cmdutil.Factory, st status) error {
	credential := map[string]string{
		"environment": "ODSHARE_ACCESS_TOKEN (used as is, never refreshed)",
		"app-only":    "app-only (client credentials)",
		"delegated":   "delegated (signed in with `odshare auth login`)",
	}[st.Credential]
	provider := "Microsoft Graph"
	if st.Provider == providerBox {
		provider = "Box"
		credential = map[string]string{
			"environment": "ODSHARE_BOX_ACCESS_TOKEN (used as is, never refreshed)",
			"app-only":    "app-only (Client Credentials Grant)",
			"delegated":   "delegated (signed in with `odshare auth login --provider box`)",
		}[st.Credential]
	}
	account := st.Account
	if st.Name != "" {
		account += " (" + st.Name + ")"
	}
	rows := [][2]string{
		{"Provider", provider},
		{"Credential", credential},
		{"Account", account},
		{"User id", st.UserID},
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

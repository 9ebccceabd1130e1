// Package authcmd implements `odshare auth login|logout|status|token`.
package authcmd

import (
	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
)

// NewCmdAuth returns the auth noun; it only adds its verbs.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Sign in to Microsoft Graph and manage the cached sign-in",
		Long: `Sign in once with 'odshare auth login'; every later command gets its token silently from the
token cache and refreshes it as needed, until the refresh token expires or is revoked.

Credentials are chosen in this order:
  1. ODSHARE_ACCESS_TOKEN       a bearer token you bring (CI), used as is
  2. app-only credentials       ODSHARE_CLIENT_SECRET, or a certificate set by 'auth login --app'
  3. the cached delegated sign-in from 'auth login'

The token cache is a file in the config directory (msal_token_cache.json, mode 0600, written
atomically under a file lock).`,
	}
	cmd.AddCommand(newCmdLogin(f, nil), newCmdLogout(f), newCmdStatus(f), newCmdToken(f))
	return cmd
}

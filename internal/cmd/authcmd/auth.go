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
		Short: "Sign in to Microsoft Graph or Box and manage the cached sign-ins",
		Long: `Sign in once with 'odshare auth login'; every later command gets its token silently from the
token cache and refreshes it as needed, until the refresh token expires or is revoked.

Credentials are chosen in this order:
  1. ODSHARE_ACCESS_TOKEN       a bearer token you bring (CI), used as is
  2. app-only credentials       ODSHARE_CLIENT_SECRET, or a certificate set by 'auth login --app'
  3. the cached delegated sign-in from 'auth login'

For Box (--provider box): ODSHARE_BOX_ACCESS_TOKEN, else the cached Box sign-in from
'auth login --provider box' (OAuth 2.0 in a browser, or --app for the Client Credentials Grant).

The token caches are files in the config directory (msal_token_cache.json, box_token_cache.json;
mode 0600, written atomically under a file lock), encrypted with a key kept in the OS keyring, or
plain where no keyring answers.`,
	}
	cmd.AddCommand(newCmdLogin(f, nil), newCmdLogout(f), newCmdStatus(f), newCmdToken(f))
	return cmd
}

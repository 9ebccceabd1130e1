package authcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
)

func newCmdToken(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a current access token (the only command that ever prints one)",
		Long: `Print an access token for Microsoft Graph on stdout, refreshed if needed, for use with curl or
other tools, like 'gh auth token'. Treat the output as a secret.`,
		Example: `  $ curl -H "Authorization: Bearer $(odshare auth token)" https://graph.microsoft.com/v1.0/me/drive`,
		Args:    cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			ts, err := f.Tokens()
			if err != nil {
				return err
			}
			tok, err := ts.Token(c.Context())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, tok)
			return err
		},
	}
	return cmd
}

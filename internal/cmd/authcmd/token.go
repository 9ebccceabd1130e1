package authcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/bearer"
	"github.com/odshare/odshare/internal/cmdutil"
)

func newCmdToken(f *cmdutil.Factory) *cobra.Command {
	var provider string
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a current access token (the only command that ever prints one)",
		Long: `Print an access token for Microsoft Graph (or, with --provider box, for Box) on stdout,
refreshed if needed, for use with curl or other tools, like 'gh auth token'. Treat the output as a
secret. With --provider box, --account picks among the Box accounts.`,
		Example: `  $ curl -H "Authorization: Bearer $(odshare auth token)" https://graph.microsoft.com/v1.0/me/drive
  $ curl -H "Authorization: Bearer $(odshare auth token --provider box)" https://api.box.com/2.0/users/me`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			var ts bearer.TokenSource
			switch provider {
			case providerGraph, "":
				var err error
				if ts, err = f.Tokens(); err != nil {
					return err
				}
			case providerBox:
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				s, err := boxSettings(f, cfg, true)
				if err != nil {
					return err
				}
				if cfg.BoxAccessToken != "" {
					ts = cmdutil.StaticTokenSource(cfg.BoxAccessToken)
					break
				}
				src, err := auth.NewBoxSource(s)
				if err != nil {
					return cmdutil.AsAuthError(err)
				}
				ts = src
			default:
				return cmdutil.FlagErrorf("invalid --provider %q: valid values are graph and box", provider)
			}
			tok, err := ts.Token(c.Context())
			if err != nil {
				return cmdutil.AsAuthError(err)
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, tok)
			return err
		},
	}
	cmd.Flags().StringVar(&provider, "provider", providerGraph, "Whose token: `graph` (Microsoft Graph) or box")
	_ = cmd.RegisterFlagCompletionFunc("provider", cobra.FixedCompletions([]cobra.Completion{"graph\tMicrosoft Graph: OneDrive and SharePoint", "box\tBox"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

package authcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
)

func newCmdLogout(f *cmdutil.Factory) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Remove cached sign-ins (all accounts, or --account)",
		Long: `Remove accounts and their tokens from the token cache. With no --account every cached sign-in,
delegated and app-only, is removed; this also clears a token cache that cannot be read.
Logging out when nobody is signed in is not an error.`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			removed, err := auth.Logout(s, account)
			if err != nil {
				return err
			}
			if len(removed) == 0 {
				if account != "" {
					return fmt.Errorf("%s is not signed in", account)
				}
				fmt.Fprintln(f.IOStreams.ErrOut, "No account was signed in.")
				return nil
			}
			for _, a := range removed {
				name := a.Username
				if a.AppOnly {
					name = "application " + a.ClientID
				}
				fmt.Fprintf(f.IOStreams.ErrOut, "%s Logged out %s\n", f.IOStreams.ColorScheme().Green("✓"), name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "Only remove this account (UPN)")
	return cmd
}

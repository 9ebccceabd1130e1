package authcmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/output"
)

func newCmdLogout(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Remove cached sign-ins (all accounts, or the one named by --account)",
		Long: `Remove accounts and their tokens from the token cache. With no --account every cached sign-in,
delegated and app-only, is removed; this also clears a token cache that cannot be read.
Logging out when nobody is signed in is not an error.`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			// Only an explicit --account narrows logout; the `account` setting picks whom commands
			// act as, not whom to forget.
			account := ""
			if c.Flags().Changed("account") {
				account = s.Account
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
			// Forget the active account if it was just logged out, so the next command falls back
			// to whoever is still signed in.
			active, err := config.FileValue(s.ConfigDir, "account")
			if err != nil {
				return err
			}
			for _, a := range removed {
				// Logging an app out also forgets its saved certificate, or the next command would
				// silently sign in again with it.
				if a.AppOnly {
					if cert, _ := config.FileValue(s.ConfigDir, "certificate"); cert != "" {
						if err := config.Set(s.ConfigDir, "certificate", ""); err != nil {
							return err
						}
					}
				}
				if active != "" && a.Username == active {
					if err := config.Set(s.ConfigDir, "account", ""); err != nil {
						return err
					}
				}
				name := a.Username
				if a.AppOnly {
					name = "application " + a.ClientID
				}
				fmt.Fprintf(f.IOStreams.ErrOut, "%s Logged out %s\n", f.IOStreams.ColorScheme().Green("✓"), output.Sanitize(name))
			}
			return nil
		},
	}
	return cmd
}

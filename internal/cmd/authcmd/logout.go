package authcmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/output"
)

func newCmdLogout(f *cmdutil.Factory) *cobra.Command {
	var provider string
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Remove cached sign-ins (all accounts, or the one named by --account)",
		Long: `Remove accounts and their tokens from the token cache. With no --account every cached sign-in,
delegated and app-only, Microsoft's and Box's, is removed (--provider narrows it to one provider);
this also clears a token cache that cannot be read, and, once no cache is left, the cache key in
the OS keyring. --account removes one account: a Microsoft one, else a Box one (a Box login email).
Box sign-ins are revoked at Box first (best effort). Logging out when nobody is signed in is not an
error.`,
		Args: cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			switch provider {
			case "", providerGraph, providerBox:
			default:
				return cmdutil.FlagErrorf("invalid --provider %q: valid values are graph and box", provider)
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			s, err := f.AuthSettings()
			if err != nil {
				return err
			}
			bs, err := f.BoxSettings()
			if err != nil {
				return err
			}
			// Only an explicit --account narrows logout; the `account` setting picks whom commands
			// act as, not whom to forget.
			account := ""
			if c.Flags().Changed("account") {
				account = cfg.Account
			}
			doGraph, doBox := provider != providerBox, provider != providerGraph
			if account != "" && provider == "" {
				// A Microsoft account if one is signed in by that name, else a Box one.
				doGraph = graphHas(s, account)
				doBox = !doGraph
			}
			var removed []auth.AccountInfo
			if doGraph {
				if removed, err = auth.Logout(s, account); err != nil {
					return err
				}
			}
			var boxRemoved []auth.BoxAccountInfo
			if doBox {
				if boxRemoved, err = auth.BoxLogout(c.Context(), bs, account); err != nil {
					return err
				}
			}
			if account == "" && provider == "" {
				auth.ForgetCacheKey(s.ConfigDir) // nothing is left that it could open
			}
			if len(removed) == 0 && len(boxRemoved) == 0 {
				if account != "" {
					return fmt.Errorf("%s is not signed in", account)
				}
				fmt.Fprintln(f.IOStreams.ErrOut, "No account was signed in.")
				return nil
			}
			if err := forgetGraph(f, s.ConfigDir, removed); err != nil {
				return err
			}
			activeBox, err := config.FileValue(s.ConfigDir, "box_account")
			if err != nil {
				return err
			}
			for _, a := range boxRemoved {
				if activeBox != "" && strings.EqualFold(a.Login, activeBox) {
					if err := config.Set(s.ConfigDir, "box_account", ""); err != nil {
						return err
					}
				}
				fmt.Fprintf(f.IOStreams.ErrOut, "%s Logged out %s (Box)\n", f.IOStreams.ColorScheme().Green("✓"), output.Sanitize(a.Login))
			}
			return nil
		},
	}
	addProviderFlag(cmd, &provider)
	return cmd
}

// graphHas reports whether a Microsoft account called username is signed in.
func graphHas(s auth.Settings, username string) bool {
	accts, err := auth.Accounts(s)
	if err != nil {
		return true // let auth.Logout report the cache's problem
	}
	for _, a := range accts {
		if strings.EqualFold(a.Username, username) {
			return true
		}
	}
	return false
}

// forgetGraph tidies config after Microsoft accounts were logged out and says who is gone.
func forgetGraph(f *cmdutil.Factory, dir string, removed []auth.AccountInfo) error {
	// Forget the active account if it was just logged out, so the next command falls back to
	// whoever is still signed in.
	active, err := config.FileValue(dir, "account")
	if err != nil {
		return err
	}
	for _, a := range removed {
		// Logging an app out also forgets its saved certificate, or the next command would
		// silently sign in again with it.
		if a.AppOnly {
			if cert, _ := config.FileValue(dir, "certificate"); cert != "" {
				if err := config.Set(dir, "certificate", ""); err != nil {
					return err
				}
			}
		}
		if active != "" && a.Username == active {
			if err := config.Set(dir, "account", ""); err != nil {
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
}

// Package root builds odshare's root command and wires in every noun.
package root

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmd/authcmd"
	"github.com/odshare/odshare/internal/cmd/configcmd"
	"github.com/odshare/odshare/internal/cmd/encodeurl"
	"github.com/odshare/odshare/internal/cmd/link"
	"github.com/odshare/odshare/internal/cmd/share"
	"github.com/odshare/odshare/internal/cmd/version"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/httpretry"
)

// NewCmdRoot returns the odshare command tree.
func NewCmdRoot(f *cmdutil.Factory, ver, commit, date string) *cobra.Command {
	var accountFlag string
	var retryBudget time.Duration
	cmd := &cobra.Command{
		Use:   "odshare <command> <subcommand> [flags]",
		Short: "Share OneDrive, SharePoint and Box items from the command line",
		Long: `odshare creates, reads, audits and removes sharing links on OneDrive and SharePoint
(through Microsoft Graph) and on Box, downloads what was shared, and invites people.
Items are /paths, ids or sharing URLs; box:/path, box:file:ID and Box links are Box's.

Results go to stdout (tables for people, the provider's JSON with -o json or --jq);
notices and errors go to stderr.

Exit codes: 0 success, 1 error (the provider's or otherwise), 2 usage (nothing was sent),
4 authentication missing or rejected, 130 interrupted.`,
		Example: `  $ odshare link create /Reports/Q3.xlsx --type view --scope organization
  $ odshare link create box:/Reports/Q3.pdf --scope organization --expires 7d
  $ odshare link audit / --scope anonymous --revoke --dry-run
  $ odshare share children 'https://contoso.sharepoint.com/:f:/g/EaBc...' -o json --jq '.[].name'
  $ odshare share download 'https://1drv.ms/f/s!AbC' --dir shared
  $ odshare encode-url https://1drv.ms/f/s!AbC`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       ver,
		PersistentPreRunE: func(c *cobra.Command, args []string) error {
			if c.Name() == cobra.ShellCompRequestCmd {
				// Only a completion request reads the tree's completion functions: mark the rest
				// "no files" now rather than on every start (it walks every flag of every command).
				cmdutil.NoFileCompletion(c.Root())
				return nil
			}
			if c.Flags().Changed("account") {
				f.ConfigFlags["account"] = accountFlag
			}
			if c.Flags().Changed("retry-budget") {
				if retryBudget < 0 {
					return cmdutil.FlagErrorf("invalid --retry-budget %s: give a duration such as 10m, or 0 to never retry", retryBudget)
				}
				f.ConfigFlags["retry_budget"] = retryBudget.String()
			}
			return nil
		},
	}
	cmd.SetVersionTemplate(version.Format(ver, commit, date))
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.FlagError{Err: err}
	})

	pf := cmd.PersistentFlags()
	pf.StringVar(&accountFlag, "account", "", "Use this signed-in account (`UPN`) when several are cached (env ODSHARE_ACCOUNT)")
	pf.BoolVar(&f.Debug, "debug", false, "Log each HTTP request to stderr (tokens and passwords redacted)")
	pf.DurationVar(&retryBudget, "retry-budget", httpretry.DefaultRetryBudget, "How long one request waits out Graph's throttling before giving up; 0 never retries (env ODSHARE_RETRY_BUDGET)")

	cmd.AddCommand(authcmd.NewCmdAuth(f))
	cmd.AddCommand(link.NewCmdLink(f))
	cmd.AddCommand(share.NewCmdShare(f))
	cmd.AddCommand(encodeurl.NewCmdEncodeURL(f, nil))
	cmd.AddCommand(configcmd.NewCmdConfig(f))
	cmd.AddCommand(version.NewCmdVersion(f, ver, commit, date))
	_ = cmd.RegisterFlagCompletionFunc("account", f.CompleteAccounts)
	cmd.InitDefaultCompletionCmd() // now rather than at Execute, so requireSubcommands sees it
	requireSubcommands(cmd)
	return cmd
}

// requireSubcommands makes every noun below the root (a command that only groups verbs) refuse
// an unknown verb with a usage error and a suggestion, as gh does: cobra itself does this only
// for the root, and otherwise prints the noun's help and exits 0, so `odshare share gett x`
// would "succeed". Given no verb at all, a noun prints its help.
func requireSubcommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		requireSubcommands(c)
		if !c.HasSubCommands() || c.Runnable() {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return cmdutil.FlagErrorf("%s", UnknownCommand(c, args[0]))
		}
	}
}

// UnknownCommand is the message for an unknown verb: cobra's wording, suggestions indented with
// spaces (a tab would reach the terminal escaped).
func UnknownCommand(parent *cobra.Command, typed string) string {
	msg := fmt.Sprintf("unknown command %q for %q", typed, parent.CommandPath())
	if parent.SuggestionsMinimumDistance <= 0 {
		parent.SuggestionsMinimumDistance = 2 // cobra's default, which it sets only for the root
	}
	if s := parent.SuggestionsFor(typed); len(s) > 0 {
		msg += "\n\nDid you mean this?\n  " + strings.Join(s, "\n  ") + "\n"
	}
	return msg
}

package share

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// GrantOptions are the validated inputs of one `share grant`.
type GrantOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Share sharing.Item
	// Spec holds the recipients and, when given, the role.
	Spec sharing.LinkSpec
}

func newCmdGrant(f *cmdutil.Factory, runF func(context.Context, *GrantOptions) error) *cobra.Command {
	opts := &GrantOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var (
		recipients []string
		role       string
	)
	cmd := &cobra.Command{
		Use:   "grant <sharing-url | share-id> --recipient EMAIL... [--role read|write]",
		Short: "Add people to an existing sharing link",
		Long: `Add people to an existing sharing link with Graph's grant
(POST /shares/{token}/permission/grant): they can then use the link as it is, with its role.

Graph requires the role to match the link's (read for a view link, write for an edit link),
except for an existing-access link, where --role chooses what to grant. Without --role odshare
reads the link's role first (GET /shares/{token}/permission) and sends that.

The table shows the link as Graph now has it; Graph may give the link a new URL, which odshare
then says on stderr: use the new one from now on. JSON is Graph's permissions unchanged (an
array: the link and, for an existing-access link, the people's own permissions and
invitations).`,
		Example: `  $ odshare share grant 'https://contoso.sharepoint.com/:w:/g/EaBc...' --recipient megan@contoso.com
  $ odshare share grant u!aHR0cHM6Ly9jb250b3NvLnNoYXJlcG9pbnQuY29tLzp3Oi9nL0VhQmM --recipient a@x.com --role read -o json`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, err = f.ResolvePrinting(); err != nil {
				return err
			}
			if opts.Share, err = f.Sharing.ParseShare(args[0]); err != nil {
				return err
			}
			if opts.Spec.Recipients, err = cmdutil.ParseRecipients("recipient", recipients); err != nil {
				return err
			}
			if len(opts.Spec.Recipients) == 0 {
				return cmdutil.FlagErrorf("missing --recipient: give the email address of each person to add to the link")
			}
			if c.Flags().Changed("role") {
				r, ok := cmdutil.ParseRole(role)
				if !ok {
					return cmdutil.FlagErrorf("invalid --role %q: valid values are %s", role, cmdutil.RoleUsage())
				}
				opts.Spec.Roles = []string{r}
			}
			if err := f.Sharing.CheckVerb(opts.Share, sharing.VerbShareGrant); err != nil {
				return err
			}
			if err := f.Sharing.CheckFlags(opts.Share, sharing.VerbShareGrant, append(cmdutil.Changed(c, "role"), "recipient")...); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return grantRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "`email` of a person to add to the link (repeatable)")
	cmd.Flags().StringVar(&role, "role", "", "The `role` to grant: "+cmdutil.RoleUsage()+" (default: the link's own)")
	f.AddOutputFlags(cmd)
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(sharing.InviteRoles, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("recipient", cobra.NoFileCompletions)
	return cmd
}

func grantRun(ctx context.Context, opts *GrantOptions) error {
	p, err := opts.Sharing.Open(opts.Share.Provider)
	if err != nil {
		return err
	}
	gr, ok := sharing.As[sharing.Granter](p)
	if !ok {
		return fmt.Errorf("%s cannot add people to a link", opts.Sharing.Parser(opts.Share.Provider).Title())
	}
	res, err := gr.Grant(ctx, opts.Share, opts.Spec)
	if err != nil {
		if sharing.IsAnswerError(err) {
			return err
		}
		return fmt.Errorf("add people to %s: %w", output.Sanitize(opts.Share.Input), err)
	}
	if opts.Printing.JSON() {
		err = opts.Printing.Write(opts.IO, res.Raw)
	} else {
		err = cmdutil.WriteLinks(opts.IO, opts.Printing, res.Links)
	}
	if err != nil {
		return err
	}
	if res.URLChanged {
		fmt.Fprintf(opts.IO.ErrOut, "Note: the link has a new URL; use it from now on: %s\n", output.Sanitize(res.Link.URL))
	}
	return nil
}

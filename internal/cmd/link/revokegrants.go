package link

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// RevokeGrantsOptions are the validated inputs of one `link revoke-grants`.
type RevokeGrantsOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Item         sharing.Item
	PermissionID string
	Recipients   []string
}

func newCmdRevokeGrants(f *cmdutil.Factory, runF func(context.Context, *RevokeGrantsOptions) error) *cobra.Command {
	opts := &RevokeGrantsOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var (
		drive      cmdutil.DriveFlags
		recipients []string
	)
	cmd := &cobra.Command{
		Use:   "revoke-grants {<sharing-url | share-id> | <item> <permission-id>} --recipient EMAIL...",
		Short: "Remove people from a specific-people link",
		Long: `Remove people from a sharing link for specific people (scope users) with Graph's
revokeGrants (POST {item}/permissions/{id}/revokeGrants). They lose the access that link gave
them, and only that: access through another link, a direct grant or a group stays.

Graph does this on OneDrive for Business and SharePoint links scoped to users only: an anyone
or organization link works for whoever has it (delete it with "odshare link delete" to stop
it), and OneDrive personal has no revokeGrants. Given the link's own sharing URL (or share
id) alone, odshare finds the link first and refuses another kind before sending anything to
it; given an item and a permission id, Graph has the last word.

Graph's answer is the link as it is now. A recipient it still lists is reported, and the exit
status is 1: the link still works for them. JSON is Graph's permission object, unchanged.`,
		Example: `  $ odshare link revoke-grants /Reports/Q3.xlsx aTowIy5mfG1lbWJlcnNoaXB8... --recipient guest@fabrikam.com
  $ odshare link revoke-grants 'https://contoso.sharepoint.com/:x:/g/EaBc...' --recipient a@x.com --recipient b@x.com`,
		Args: permissionArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Item, opts.PermissionID, err = permissionTarget(f, drive, args); err != nil {
				return err
			}
			if opts.Recipients, err = cmdutil.ParseRecipients("recipient", recipients); err != nil {
				return err
			}
			if len(opts.Recipients) == 0 {
				return cmdutil.FlagErrorf("missing --recipient: give the email address of each person to remove from the link")
			}
			if err := f.Sharing.CheckVerb(opts.Item, sharing.VerbLinkRevokeGrants); err != nil {
				return err
			}
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkRevokeGrants, "recipient"); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return revokeGrantsRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "`email` of a person to remove from the link (repeatable)")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.RegisterFlagCompletionFunc("recipient", cobra.NoFileCompletions)
	return cmd
}

// revokeGrantsHint follows Graph's 400 to revokeGrants, whose reasons are all about the link.
const revokeGrantsHint = "revoke-grants works on specific-people links (scope users) of OneDrive for Business and SharePoint only; to stop another link working, delete it with `odshare link delete`."

func revokeGrantsRun(ctx context.Context, opts *RevokeGrantsOptions) error {
	p, t, err := cmdutil.OpenItem(ctx, opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	gr, ok := sharing.As[sharing.Granter](p)
	if !ok {
		return fmt.Errorf("%s cannot remove people from a link", opts.Sharing.Parser(opts.Item.Provider).Title())
	}
	if opts.PermissionID == "" {
		l, err := findLink(ctx, p, t, opts.Item)
		if err != nil {
			return err
		}
		if l.Scope != "users" {
			return fmt.Errorf("%s is %s link, not one for specific people: %s", output.Sanitize(opts.Item.Input), scopeArticle(l.Scope), revokeGrantsHint)
		}
		opts.PermissionID = l.ID
	}
	l, err := gr.RevokeGrants(ctx, t, opts.PermissionID, opts.Recipients)
	if err != nil {
		if sharing.IsAnswerError(err) {
			return err
		}
		err = fmt.Errorf("remove people from link %s on %s: %w", output.Sanitize(opts.PermissionID), output.Sanitize(opts.Item.Input), err)
		if sharing.StatusOf(err) == 400 {
			return &cmdutil.HintError{Err: err, Hint: revokeGrantsHint}
		}
		return err
	}
	if opts.Printing.JSON() {
		err = opts.Printing.Write(opts.IO, l.Raw)
	} else {
		err = cmdutil.WriteLinks(opts.IO, opts.Printing, []*sharing.Link{l})
	}
	if err != nil {
		return err
	}
	var still []string
	for _, r := range opts.Recipients {
		if l.GrantedToEmail(r) {
			still = append(still, r)
		}
	}
	if len(still) > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %s answered success, but the link is still for %s\n",
			opts.Sharing.Parser(opts.Item.Provider).Service(), output.Sanitize(strings.Join(still, ", ")))
		return cmdutil.ErrSilent
	}
	return nil
}

// scopeArticle names a link by its scope: "an anonymous", "an organization".
func scopeArticle(scope string) string {
	switch scope {
	case "":
		return "a"
	case "anonymous", "organization", "existingAccess":
		return "an " + scope
	}
	return "a " + scope
}

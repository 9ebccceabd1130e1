package link

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// updateRoles are the roles `link update --role` accepts: the two Graph documents for a PATCH
// [PU]; owner and SharePoint's own roles can't be granted this way.
var updateRoles = []string{"read", "write"}

// UpdateOptions are the validated inputs of one `link update`.
type UpdateOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Item         sharing.Item
	PermissionID string
	// Update holds only what was given on the command line: Roles and Expires.
	Update sharing.LinkSpec
}

func newCmdUpdate(f *cmdutil.Factory, runF func(context.Context, *UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var (
		drive   cmdutil.DriveFlags
		roles   []string
		expires string
	)
	cmd := &cobra.Command{
		Use:   "update {<sharing-url | share-id> | <item> <permission-id>}",
		Short: "Change a permission's roles or a link's expiry",
		Long: `Change one permission on a drive item (PATCH {item}/permissions/{id}), sending only
what was given.

What Graph allows is narrow, and Graph, not odshare, has the last word:
  --role     changes the roles of a permission granted to a person or group (invitations
             and direct access). A sharing link's roles follow from its type and can't be
             changed: create a link of the other type instead.
  --expires  changes when an anonymous ("anyone") link stops working.
Organization links and people ("users") links can't be modified at all. A refusal is
printed with Graph's error and the exit status is 1.

--role takes read or write (repeatable). --expires takes a date (2026-12-31: the end of that
day in your local time zone), an RFC 3339 time, or a duration from now (7d, 2w, 12h, 30m);
it is sent in UTC. Find permission ids with "odshare link list
--all", or give the sharing URL (or share id) of a link alone to change that link.`,
		Example: `  $ odshare link update /Reports/Q3.xlsx aTowIy5mfG1lbWJlcnNoaXB8... --role read
  $ odshare link update /Photos 5f3c... --expires 30d -o json
  $ odshare link update 'https://1drv.ms/f/s!AbCdEf' --expires 30d`,
		Args: permissionArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Item, opts.PermissionID, err = permissionTarget(f, drive, args); err != nil {
				return err
			}
			for _, r := range roles {
				if !slices.Contains(updateRoles, r) {
					return cmdutil.FlagErrorf("invalid --role %q: valid values are %s", r, strings.Join(updateRoles, ", "))
				}
				if !slices.Contains(opts.Update.Roles, r) {
					opts.Update.Roles = append(opts.Update.Roles, r)
				}
			}
			if c.Flags().Changed("expires") {
				if opts.Update.Expires, err = parseExpiry(expires, time.Now()); err != nil {
					return &cmdutil.FlagError{Err: err}
				}
			}
			if len(opts.Update.Roles) == 0 && opts.Update.Expires == "" {
				return cmdutil.FlagErrorf("nothing to update: give --role or --expires")
			}
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkUpdate, cmdutil.Changed(c, "role", "expires")...); err != nil {
				return err
			}
			if err := f.Sharing.CheckSpec(opts.Item, sharing.VerbLinkUpdate, opts.Update); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return updateRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&roles, "role", nil, "New `role` of the permission: "+strings.Join(updateRoles, ", ")+" (repeatable)")
	fl.StringVar(&expires, "expires", "", "New expiry of an anonymous link: a date (end of that day, local time), an RFC 3339 `time`, or a duration such as 7d, 2w")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.RegisterFlagCompletionFunc("expires", cmdutil.CompleteExpires)
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(updateRoles, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func updateRun(ctx context.Context, opts *UpdateOptions) error {
	p, t, err := cmdutil.OpenItem(ctx, opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	if opts.PermissionID == "" {
		l, err := findLink(ctx, p, t, opts.Item)
		if err != nil {
			return err
		}
		opts.PermissionID = l.ID
	}
	l, err := p.UpdateLink(ctx, t, opts.PermissionID, opts.Update)
	if err != nil {
		if sharing.IsAnswerError(err) {
			return err
		}
		return fmt.Errorf("update permission %s on %s: %w", output.Sanitize(opts.PermissionID), output.Sanitize(opts.Item.Input), err)
	}
	if opts.Printing.JSON() {
		return opts.Printing.Write(opts.IO, l.Raw)
	}
	return cmdutil.WriteLinks(opts.IO, opts.Printing, []*sharing.Link{l})
}

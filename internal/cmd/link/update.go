package link

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/redact"
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
		drive    cmdutil.DriveFlags
		roles    []string
		expires  string
		linkType string
		scope    string
		vanity   string
		canDL    bool
		pwStdin  bool
		noPw     bool
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
--all", or give the sharing URL (or share id) of a link alone to change that link.

A Box item's link is changed with the item alone (no permission id): PUT
/2.0/{files|folders|web_links}/{id} with only what was given, where --scope, --type (view,
blocksDownload, edit), --expires, --password or --password-stdin, --vanity-name and
--can-download[=false] set a setting, and --expires never and --no-password send null to
remove the expiry or the password. Box keeps the link's URL. An item without a link is not
given one (that is "link create").`,
		Example: `  $ odshare link update /Reports/Q3.xlsx aTowIy5mfG1lbWJlcnNoaXB8... --role read
  $ odshare link update /Photos 5f3c... --expires 30d -o json
  $ odshare link update 'https://1drv.ms/f/s!AbCdEf' --expires 30d
  $ odshare link update 'box:/Reports/Q3 report.pdf' --expires never --no-password
  $ odshare link update box:file:123456 --scope anonymous --expires 2026-12-31`,
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
			u := &opts.Update
			fl := c.Flags()
			switch {
			case fl.Changed("expires") && isNever(expires):
				u.ClearExpiry = true
			case fl.Changed("expires"):
				if u.Expires, err = parseExpiry(expires, time.Now()); err != nil {
					return &cmdutil.FlagError{Err: err}
				}
			}
			if fl.Changed("type") {
				if u.Type, err = parseLinkType(linkType); err != nil {
					return err
				}
			}
			if fl.Changed("scope") {
				if u.Scope, err = parseScope(scope); err != nil {
					return err
				}
			}
			if fl.Changed("vanity-name") {
				if vanity == "" {
					return cmdutil.FlagErrorf("--vanity-name must not be empty")
				}
				u.VanityName = vanity
			}
			if fl.Changed("can-download") {
				u.CanDownload = &canDL
			}
			given := cmdutil.Changed(c, "role", "expires", "type", "scope", "vanity-name", "can-download", "password", "password-stdin", "no-password")
			// Every flag is checked against the item's provider before stdin is read for a password.
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkUpdate, given...); err != nil {
				return err
			}
			if err := updatePassword(opts, fl.Changed("password"), pwStdin, noPw); err != nil {
				return err
			}
			if len(given) == 0 {
				return cmdutil.FlagErrorf("nothing to update: give %s", orList(updateFlags(f.Sharing.Parser(opts.Item.Provider))))
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
	fl.StringVar(&expires, "expires", "", "New expiry of an anonymous link: a date (end of that day, local time), an RFC 3339 `time`, or a duration such as 7d, 2w; never (Box) removes the expiry")
	fl.StringVarP(&linkType, "type", "t", "", "Box: the link's new `type`: view, edit or blocksDownload")
	fl.StringVarP(&scope, "scope", "s", "", "Box: who the link works for: "+joinScopes())
	fl.StringVar(&opts.Update.Password, "password", "", "Box: new password of an open link; visible to other local users in the process list and kept in shell history: prefer --password-stdin")
	fl.BoolVar(&pwStdin, "password-stdin", false, "Box: read the link's new password from stdin (a hidden prompt at a terminal)")
	fl.BoolVar(&noPw, "no-password", false, "Box: remove the link's password")
	fl.StringVar(&vanity, "vanity-name", "", "Box: the link's custom URL `name`, https://app.box.com/v/NAME (12-30 letters, digits, hyphens)")
	fl.BoolVar(&canDL, "can-download", true, "Box: whether the link allows downloads")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.RegisterFlagCompletionFunc("expires", cmdutil.CompleteExpires)
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(updateRoles, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"view", "edit", "blocksDownload"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(sharing.Scopes, cobra.ShellCompDirectiveNoFileComp))
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
		if opts.Item.OneLink {
			return fmt.Errorf("update the link of %s: %w", output.Sanitize(opts.Item.Input), err)
		}
		return fmt.Errorf("update permission %s on %s: %w", output.Sanitize(opts.PermissionID), output.Sanitize(opts.Item.Input), err)
	}
	if opts.Printing.JSON() {
		return opts.Printing.Write(opts.IO, l.Raw)
	}
	return cmdutil.WriteLinks(opts.IO, opts.Printing, []*sharing.Link{l})
}

// updatePassword reads the new password of `link update`: --password, --password-stdin (not both),
// or --no-password to remove it. Unlike `link create`, ODSHARE_LINK_PASSWORD is not read: an update
// changes only what its flags say. The password is registered with package redact.
func updatePassword(opts *UpdateOptions, given, fromStdin, remove bool) error {
	u := &opts.Update
	switch {
	case remove && (given || fromStdin):
		return cmdutil.FlagErrorf("--no-password removes the password: give it alone, without --password or --password-stdin")
	case given && fromStdin:
		return cmdutil.FlagErrorf("--password and --password-stdin cannot be used together")
	case given && u.Password == "":
		return cmdutil.FlagErrorf("--password must not be empty: --no-password removes the password")
	case remove:
		u.ClearPassword = true
	case fromStdin:
		pw, err := cmdutil.ReadSecret(opts.IO, "Link password: ")
		if errors.Is(err, cmdutil.ErrNoSecretInput) {
			return cmdutil.FlagErrorf("--password-stdin: no password on stdin")
		}
		if err != nil {
			return err
		}
		u.Password = pw
	}
	redact.Add(u.Password)
	return nil
}

// updateFlags are the `link update` flags the provider takes, in the order help shows them.
func updateFlags(p sharing.Parser) []string {
	var out []string
	for _, name := range []string{"role", "expires", "scope", "type", "password-stdin", "no-password", "vanity-name", "can-download"} {
		if p.Supports(sharing.VerbLinkUpdate, name) {
			out = append(out, "--"+name)
		}
	}
	return out
}

// orList is "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

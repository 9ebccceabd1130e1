package link

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// GetOptions are the validated inputs of one `link get`.
type GetOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Item sharing.Item
	// PermissionID is the permission to show; empty when Item is the sharing link itself.
	PermissionID string
}

// errNeedPermission is the usage error of a link command given only an item that is not a link.
const errNeedPermission = "missing permission id: give the item and a permission id (see `odshare link list --all`), or the sharing URL or share id of the link itself"

// permissionArgs reads `<item> <permission-id>` or `<sharing-url | share-id>` alone.
func permissionArgs(c *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return &cmdutil.FlagError{Err: errors.New(cmdutil.MissingItem)}
	case 1, 2:
		return nil
	}
	return cmdutil.FlagErrorf("too many arguments: %q", args[2:])
}

// permissionTarget settles the item and the permission of `link get` and `link update` before a
// client exists: a lone argument must be a sharing link.
func permissionTarget(f *cmdutil.Factory, d cmdutil.DriveFlags, args []string) (cmdutil.Printing, sharing.Item, string, error) {
	p, item, err := f.ItemTarget(d, args[0])
	if err != nil {
		return p, item, "", err
	}
	if len(args) == 1 {
		if !item.IsLink {
			return p, item, "", cmdutil.FlagErrorf(errNeedPermission)
		}
		return p, item, "", nil
	}
	if item.OneLink {
		return p, item, "", oneLinkError(f, item)
	}
	if strings.TrimSpace(args[1]) == "" {
		return p, item, "", cmdutil.FlagErrorf("invalid permission id %q", output.Sanitize(args[1]))
	}
	return p, item, args[1], nil
}

func newCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var drive cmdutil.DriveFlags
	cmd := &cobra.Command{
		Use:   "get {<sharing-url | share-id> | <item> <permission-id>}",
		Short: "Show one sharing link or permission",
		Long: `Show one permission of a drive item: id, type, scope, roles, expiry, password, who it is
for, inheritance and URL.

Given a sharing URL or share id alone, odshare shows that link: it opens the item through
/shares, lists the item's permissions and picks the link with that URL (ignoring SharePoint's
?e= parameter) or share id. Given an item and a permission id, it reads
GET {item}/permissions/{id}.

JSON output is Graph's permission object unchanged.

For Box, give the item (box:/path, box:file:ID) or its shared link (https://app.box.com/s/...,
or its vanity URL), which odshare opens with GET /2.0/shared_items (with the link's password
from ODSHARE_SHARE_PASSWORD when it has one); JSON is Box's item with its shared_link.`,
		Example: `  $ odshare link get 'https://1drv.ms/f/s!AbCdEf'
  $ odshare link get /Reports/Q3.xlsx aTowIy5mfG1lbWJlcnNoaXB8... -o json
  $ odshare link get https://northwind.app.box.com/v/northwind-q3-report`,
		Args: permissionArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Item, opts.PermissionID, err = permissionTarget(f, drive, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return getRun(c.Context(), opts)
		},
	}
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	p, t, err := cmdutil.OpenItem(ctx, opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	var l *sharing.Link
	if opts.PermissionID == "" {
		if l, err = findLink(ctx, p, t, opts.Item); err != nil {
			return err
		}
	} else if l, err = p.GetLink(ctx, t, opts.PermissionID); err != nil {
		if sharing.IsAnswerError(err) {
			return err
		}
		return fmt.Errorf("get permission %s of %s: %w", output.Sanitize(opts.PermissionID), output.Sanitize(opts.Item.Input), err)
	}
	if opts.Printing.JSON() {
		return opts.Printing.Write(opts.IO, l.Raw)
	}
	return cmdutil.WriteLinks(opts.IO, opts.Printing, []*sharing.Link{l})
}

// oneLinkError refuses a permission id for an item whose provider keeps one link per item, with no
// id of its own (Box).
func oneLinkError(f *cmdutil.Factory, item sharing.Item) error {
	return cmdutil.FlagErrorf("%s links have no permission id: the item is the link's key, give %s alone",
		f.Sharing.Parser(item.Provider).Title(), cmdutil.ShellQuote(item.Input))
}

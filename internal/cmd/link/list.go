package link

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// ListOptions are the validated inputs of one `link list`.
type ListOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Item sharing.Item
	// All lists every permission, not only sharing links.
	All bool
}

func newCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var drive cmdutil.DriveFlags
	cmd := &cobra.Command{
		Use:   "list <item-id | /path | sharing-url | share-id>",
		Short: "List the sharing links on a drive item",
		Long: `List the sharing links on a drive item (GET {item}/permissions, every page): the
permissions that have a link facet.

--all lists every permission instead: invitations, people and groups granted access
directly, the owner, and permissions inherited from a parent folder. OneDrive personal marks
inherited permissions with the folder they come from; OneDrive for Business and SharePoint
never say (Graph does not return inheritedFrom there).

Graph shows the link URL and shareId only to people who could create that link; others see
the permission without them. JSON output is one array of Graph's permission objects,
filtered the same way as the table.

A Box item has at most one link (GET /2.0/{files|folders|web_links}/{id}?fields=name,shared_link),
shown with its scope (anonymous = open, organization = company, users = collaborators), type,
expiry, password yes/no, effective access and permission, vanity URL, download and preview
counts and URL; Box shows it only to people who can change it (owners, co-owners, editors).
JSON is Box's item object, with its shared_link, unchanged. --all is Graph's.`,
		Example: `  $ odshare link list /Reports
  $ odshare link list /Reports/Q3.xlsx --all
  $ odshare link list 01ABCDEF... --site contoso.sharepoint.com,... -o json --jq '.[].link.webUrl'
  $ odshare link list 'box:/Reports/Q3 report.pdf'`,
		Args: cmdutil.ExactArgs(1, cmdutil.MissingItem),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Item, err = f.ItemTarget(drive, args[0]); err != nil {
				return err
			}
			if opts.All {
				if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkList, "all"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return listRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.All, "all", "a", false, "Also list invitations, people's and groups' permissions and inherited ones")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	p, t, err := cmdutil.OpenItem(ctx, opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	links, err := p.ListLinks(ctx, t, opts.All)
	if err != nil {
		return cmdutil.ItemError("list permissions of", opts.Item, err)
	}
	if len(links) == 0 && !opts.Printing.JSON() {
		what := "sharing links"
		if opts.All {
			what = "permissions"
		}
		fmt.Fprintf(opts.IO.ErrOut, "No %s on %s.\n", what, output.Sanitize(opts.Item.Input))
		return nil
	}
	return cmdutil.WriteLinks(opts.IO, opts.Printing, links)
}

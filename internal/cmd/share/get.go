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

// GetOptions are the validated inputs of one `share get`.
type GetOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Share    sharing.Item
	Redeem   sharing.Redeem
	WithItem bool
	// Password is the shared link's password from --password-stdin; "" leaves it to
	// ODSHARE_SHARE_PASSWORD.
	Password string
}

func newCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var redeem redeemFlags
	cmd := &cobra.Command{
		Use:   "get <sharing-url | share-id>",
		Short: "Show a shared item: its name, owner and id",
		Long: `Show what a sharing link points at (GET /shares/{token}).

--item also fetches the shared driveItem (GET /shares/{token}/driveItem) and shows it; in JSON
it is included as the "driveItem" property, as Graph's $expand would.

A Box shared link is read with GET /2.0/shared_items and the BoxApi header; the shared item is
the share, so --item adds its row without another request, and JSON is Box's item unchanged.`,
		Example: `  $ odshare share get 'https://1drv.ms/f/s!AbCdEf'
  $ odshare share get u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkNkRWY --item
  $ odshare share get 'https://contoso.sharepoint.com/:x:/g/EaBc' --redeem -o json
  $ odshare share get https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3 --password-stdin <pw.txt`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Redeem, opts.Share, err = shareTarget(f, c, sharing.VerbShareGet, redeem, args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return getRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem, &opts.Password)
	f.AddOutputFlags(cmd)
	cmd.Flags().BoolVar(&opts.WithItem, "item", false, "Also fetch and show the shared driveItem")
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	p, err := opts.Sharing.Open(opts.Share.Provider)
	if err != nil {
		return err
	}
	shared, err := p.GetShare(ctx, opts.Share, sharing.ShareOptions{Redeem: opts.Redeem, WithItem: opts.WithItem, Password: opts.Password})
	if err != nil {
		return err
	}
	if opts.Printing.JSON() {
		return opts.Printing.Write(opts.IO, shared.Raw)
	}
	t := opts.Printing.Table(opts.IO, output.Column{Header: "NAME", Truncate: true},
		output.Column{Header: "OWNER", Drop: 1, Truncate: true}, output.Column{Header: "ID"}, output.Column{Header: "WEB URL"})
	t.AddRow(shared.Name, shared.Owner, shared.ID, shared.WebURL)
	if err := t.Render(); err != nil {
		return err
	}
	if shared.Item == nil {
		return nil
	}
	fmt.Fprintln(opts.IO.Out)
	it := opts.Printing.Table(opts.IO, itemColumns...)
	if err := addItemRows(it, []sharing.Entry{*shared.Item}); err != nil {
		return err
	}
	return it.Render()
}

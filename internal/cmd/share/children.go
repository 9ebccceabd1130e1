package share

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
)

// ChildrenOptions are the validated inputs of one `share children`.
type ChildrenOptions struct {
	IO       *iostreams.IOStreams
	Graph    func() (*graph.Client, error)
	Printing cmdutil.Printing

	Token  string
	Prefer graph.Prefer
}

func newCmdChildren(f *cmdutil.Factory, runF func(context.Context, *ChildrenOptions) error) *cobra.Command {
	opts := &ChildrenOptions{IO: f.IOStreams, Graph: f.Graph}
	var redeem redeemFlags
	cmd := &cobra.Command{
		Use:   "children <sharing-url | share-id>",
		Short: "List the items in a shared folder",
		Long: `List the children of a shared folder (GET /shares/{token}/driveItem/children), following
every @odata.nextLink to the end. JSON output is one array holding every page's items as
Graph sent them.`,
		Example: `  $ odshare share children 'https://1drv.ms/f/s!AbCdEf'
  $ odshare share children u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkNkRWY --jq '.[] | select(.file) | .name'`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, err = f.ResolvePrinting(); err != nil {
				return err
			}
			if opts.Prefer, err = redeem.prefer(); err != nil {
				return err
			}
			if opts.Token, err = shareToken(args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return childrenRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem)
	return cmd
}

func childrenRun(ctx context.Context, opts *ChildrenOptions) error {
	client, err := opts.Graph()
	if err != nil {
		return err
	}
	// Nothing is printed until the last page has arrived, so a failure part-way leaves stdout
	// empty rather than holding half a listing.
	var items []json.RawMessage
	err = client.ListShareChildren(ctx, opts.Token, opts.Prefer, func(page []json.RawMessage) error {
		items = append(items, page...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list shared folder: %w", err)
	}
	if opts.Printing.JSON() {
		var b bytes.Buffer
		b.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(it)
		}
		b.WriteByte(']')
		return output.WriteJSON(opts.IO, b.Bytes(), opts.Printing.JQ)
	}
	t := output.NewTable(opts.IO, itemHeaders...)
	if err := addItemRows(t, items); err != nil {
		return err
	}
	return t.Render()
}

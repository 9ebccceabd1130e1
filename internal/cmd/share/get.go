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

// GetOptions are the validated inputs of one `share get`.
type GetOptions struct {
	IO       *iostreams.IOStreams
	Graph    func() (*graph.Client, error)
	Printing cmdutil.Printing

	Token    string
	Prefer   graph.Prefer
	WithItem bool
}

func newCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Graph: f.Graph}
	var redeem redeemFlags
	cmd := &cobra.Command{
		Use:   "get <sharing-url | share-id>",
		Short: "Show a shared item: its name, owner and id",
		Long: `Show what a sharing link points at (GET /shares/{token}).

--item also fetches the shared driveItem (GET /shares/{token}/driveItem) and shows it; in JSON
it is included as the "driveItem" property, as Graph's $expand would.`,
		Example: `  $ odshare share get 'https://1drv.ms/f/s!AbCdEf'
  $ odshare share get u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkNkRWY --item
  $ odshare share get 'https://contoso.sharepoint.com/:x:/g/EaBc' --redeem -o json`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Prefer, opts.Token, err = shareTarget(f, redeem, args[0]); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return getRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem)
	f.AddOutputFlags(cmd)
	cmd.Flags().BoolVar(&opts.WithItem, "item", false, "Also fetch and show the shared driveItem")
	return cmd
}

func getRun(ctx context.Context, opts *GetOptions) error {
	client, err := opts.Graph()
	if err != nil {
		return err
	}
	shared, raw, err := client.GetShare(ctx, opts.Token, opts.Prefer)
	if err != nil {
		return fmt.Errorf("get share: %w", err)
	}
	var itemRaw json.RawMessage
	if opts.WithItem {
		// The share itself is already redeemed (or not) by the first request; asking again with
		// the same preference keeps both requests under the same terms.
		if _, itemRaw, err = client.ResolveShare(ctx, opts.Token, opts.Prefer); err != nil {
			return fmt.Errorf("get shared item: %w", err)
		}
	}
	if opts.Printing.JSON() {
		if itemRaw != nil {
			if raw, err = withProperty(raw, "driveItem", itemRaw); err != nil {
				return err
			}
		}
		return opts.Printing.Write(opts.IO, raw)
	}
	t := opts.Printing.Table(opts.IO, output.Column{Header: "NAME", Truncate: true},
		output.Column{Header: "OWNER", Drop: 1, Truncate: true}, output.Column{Header: "ID"}, output.Column{Header: "WEB URL"})
	t.AddRow(shared.Name, ownerName(shared.Owner), shared.ID, shared.WebURL)
	if err := t.Render(); err != nil {
		return err
	}
	if itemRaw == nil {
		return nil
	}
	fmt.Fprintln(opts.IO.Out)
	it := opts.Printing.Table(opts.IO, itemColumns...)
	if err := addItemRows(it, []json.RawMessage{itemRaw}); err != nil {
		return err
	}
	return it.Render()
}

// withProperty appends "name": value to a JSON object without decoding it, so every property
// Graph sent stays as it was, in its order.
func withProperty(obj json.RawMessage, name string, value json.RawMessage) (json.RawMessage, error) {
	trimmed := bytes.TrimRight(obj, " \t\r\n")
	if len(trimmed) < 2 || trimmed[len(trimmed)-1] != '}' {
		return nil, fmt.Errorf("unexpected share body from Graph")
	}
	key, _ := output.MarshalJSON(name)
	var b bytes.Buffer
	b.Write(trimmed[:len(trimmed)-1])
	if len(bytes.TrimSpace(trimmed[1:len(trimmed)-1])) > 0 {
		b.WriteByte(',')
	}
	b.Write(key)
	b.WriteByte(':')
	b.Write(value)
	b.WriteByte('}')
	return b.Bytes(), nil
}

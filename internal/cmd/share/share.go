// Package share implements `odshare share`: reading what someone shared through /shares.
package share

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// NewCmdShare returns the share noun; it only adds its verbs.
func NewCmdShare(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "share <command>",
		Short: "Read items that were shared with a sharing link, and add people to a link",
		Long: `Read what someone shared, given the sharing URL they sent or a share id; add people to a
link with "share grant".

A sharing URL (https://...) is encoded as a u! share token for you; a share id (s!..., u!...,
or a permission's shareId) is used as is.

A Box shared link (https://app.box.com/s/..., an enterprise's <ent>.app.box.com or
<ent>.box.com, a vanity link .../v/NAME, an item inside a shared folder .../s/<token>/folder/ID
or /file/ID) is read with the raw header BoxApi: shared_link=URL, plus
&shared_link_password=PASSWORD for a link with a password: from stdin with --password-stdin,
else from ODSHARE_SHARE_PASSWORD, never a flag of its own.`,
	}
	cmd.AddCommand(newCmdGet(f, nil), newCmdChildren(f, nil), newCmdDownload(f, nil), newCmdGrant(f, nil))
	return cmd
}

// redeemFlags are --redeem and --redeem-if-necessary, sent as Graph's Prefer header, and
// --password-stdin, which reads a shared link's password (Box) into password.
type redeemFlags struct {
	always, ifNecessary, passwordStdin bool
	password                           *string
}

func addRedeemFlags(cmd *cobra.Command, r *redeemFlags, password *string) {
	cmd.Flags().BoolVar(&r.always, "redeem", false, "Redeem the link: grant yourself lasting access (Prefer: redeemSharingLink)")
	cmd.Flags().BoolVar(&r.ifNecessary, "redeem-if-necessary", false, "Access the item for this request only (Prefer: redeemSharingLinkIfNecessary)")
	cmd.Flags().BoolVar(&r.passwordStdin, "password-stdin", false, "Box: read the shared link's password from stdin (a hidden prompt at a terminal); else ODSHARE_SHARE_PASSWORD")
	r.password = password
}

func (r redeemFlags) redeem() (sharing.Redeem, error) {
	if err := cmdutil.MutuallyExclusive("specify only one of --redeem or --redeem-if-necessary", r.always, r.ifNecessary); err != nil {
		return sharing.RedeemNone, err
	}
	switch {
	case r.always:
		return sharing.RedeemAlways, nil
	case r.ifNecessary:
		return sharing.RedeemIfNecessary, nil
	}
	return sharing.RedeemNone, nil
}

// shareTarget is what every share command settles before it builds a client: how to print, how
// to open the share, and the share (a sharing URL, or a share id). Each failure is a usage error,
// so nothing has been sent.
func shareTarget(f *cmdutil.Factory, c *cobra.Command, verb string, r redeemFlags, arg string) (cmdutil.Printing, sharing.Redeem, sharing.Item, error) {
	p, redeem, item, err := parseShareTarget(f, c, verb, r, arg)
	if err != nil {
		return p, redeem, item, err
	}
	return p, redeem, item, r.readPassword(f)
}

// readPassword reads the shared link's password from stdin when --password-stdin was given.
func (r redeemFlags) readPassword(f *cmdutil.Factory) error {
	if !r.passwordStdin {
		return nil
	}
	pw, err := cmdutil.ReadSecret(f.IOStreams, "Shared link password: ")
	if errors.Is(err, cmdutil.ErrNoSecretInput) {
		return cmdutil.FlagErrorf("--password-stdin: no password on stdin")
	}
	if err != nil {
		return err
	}
	*r.password = pw
	return nil
}

func parseShareTarget(f *cmdutil.Factory, c *cobra.Command, verb string, r redeemFlags, arg string) (cmdutil.Printing, sharing.Redeem, sharing.Item, error) {
	p, err := f.ResolvePrinting()
	if err != nil {
		return p, sharing.RedeemNone, sharing.Item{}, err
	}
	redeem, err := r.redeem()
	if err != nil {
		return p, redeem, sharing.Item{}, err
	}
	item, err := f.Sharing.ParseShare(arg)
	if err != nil {
		return p, redeem, item, err
	}
	return p, redeem, item, f.Sharing.CheckFlags(item, verb, cmdutil.Changed(c, "redeem", "redeem-if-necessary", "item", "top", "password-stdin")...)
}

// addItemRows adds one table row per entry.
func addItemRows(t *output.Table, entries []sharing.Entry) error {
	for _, e := range entries {
		if e.Err != nil {
			return e.Err
		}
		t.AddRow(itemRow(e)...)
	}
	return nil
}

// itemColumns are the columns of a folder listing: the name is cut before anything goes, the
// modified time goes first.
var itemColumns = []output.Column{
	{Header: "NAME", Truncate: true}, {Header: "KIND", Drop: 2}, {Header: "SIZE", Drop: 3},
	{Header: "MODIFIED", Drop: 4}, {Header: "ID", Drop: 1},
}

func itemRow(e sharing.Entry) []string {
	kind, size := "file", output.HumanSize(e.Size)
	if e.Kind != "" {
		kind, size = e.Kind, "-"
	}
	if e.IsFolder {
		kind = "folder"
		if e.ChildCount != nil {
			size = fmt.Sprintf("%d items", *e.ChildCount)
		}
	}
	return []string{e.Name, kind, size, output.HumanTime(e.Modified), e.ID}
}

// checkWalkBounds refuses a --concurrency outside 1..maxConcurrency and walk bounds below 1.
func checkWalkBounds(concurrency, maxPages, maxDepth, maxBacklog int) error {
	if concurrency < 1 || concurrency > maxConcurrency {
		return cmdutil.FlagErrorf("invalid --concurrency %d: give 1 to %d", concurrency, maxConcurrency)
	}
	for _, b := range []struct {
		name string
		v    int
	}{{"max-pages", maxPages}, {"max-depth", maxDepth}, {"max-backlog", maxBacklog}} {
		if b.v < 1 {
			return cmdutil.FlagErrorf("invalid --%s %d: give a number of at least 1", b.name, b.v)
		}
	}
	return nil
}

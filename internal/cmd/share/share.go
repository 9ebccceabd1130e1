// Package share implements `odshare share`: reading what someone shared through /shares.
package share

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/output"
)

// NewCmdShare returns the share noun; it only adds its verbs.
func NewCmdShare(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "share <command>",
		Short: "Read items that were shared with a sharing link",
		Long: `Read what someone shared, given the sharing URL they sent or a share id.

A sharing URL (https://...) is encoded as a u! share token for you; a share id (s!..., u!...,
or a permission's shareId) is used as is.`,
	}
	cmd.AddCommand(newCmdGet(f, nil), newCmdChildren(f, nil))
	return cmd
}

// redeemFlags are --redeem and --redeem-if-necessary, sent as Graph's Prefer header.
type redeemFlags struct{ always, ifNecessary bool }

func addRedeemFlags(cmd *cobra.Command, r *redeemFlags) {
	cmd.Flags().BoolVar(&r.always, "redeem", false, "Redeem the link: grant yourself lasting access (Prefer: redeemSharingLink)")
	cmd.Flags().BoolVar(&r.ifNecessary, "redeem-if-necessary", false, "Access the item for this request only (Prefer: redeemSharingLinkIfNecessary)")
}

func (r redeemFlags) prefer() (graph.Prefer, error) {
	if err := cmdutil.MutuallyExclusive("specify only one of --redeem or --redeem-if-necessary", r.always, r.ifNecessary); err != nil {
		return graph.PreferNone, err
	}
	switch {
	case r.always:
		return graph.PreferRedeem, nil
	case r.ifNecessary:
		return graph.PreferRedeemIfNecessary, nil
	}
	return graph.PreferNone, nil
}

// shareTarget is what every share command settles before it builds a client: how to print, the
// Prefer header and the share token. Each failure is a usage error, so nothing has been sent.
func shareTarget(f *cmdutil.Factory, r redeemFlags, arg string) (cmdutil.Printing, graph.Prefer, string, error) {
	p, err := f.ResolvePrinting()
	if err != nil {
		return p, graph.PreferNone, "", err
	}
	prefer, err := r.prefer()
	if err != nil {
		return p, prefer, "", err
	}
	token, err := shareToken(arg)
	return p, prefer, token, err
}

// shareToken turns the argument into the {shareIdOrEncodedSharingUrl} of /shares: a sharing
// URL is u!-encoded; anything else that is not a path is taken as an opaque share id.
func shareToken(arg string) (string, error) {
	ref, err := cmdutil.ParseItem(arg)
	if err != nil {
		return "", err
	}
	switch ref.Kind {
	case graph.ItemBySharingURL, graph.ItemByShareID:
		return graph.ShareToken(ref), nil
	case graph.ItemByID:
		if err := graph.ValidateShareToken(ref.Value); err != nil {
			return "", &cmdutil.FlagError{Err: err}
		}
		return ref.Value, nil
	}
	return "", cmdutil.FlagErrorf("%q is a path, not a share: give a sharing URL or a share id", arg)
}

// addItemRows adds one table row per drive item given as Graph's raw JSON.
func addItemRows(t *output.Table, raws []json.RawMessage) error {
	for _, raw := range raws {
		var it api.DriveItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return fmt.Errorf("decode drive item: %w", err)
		}
		t.AddRow(itemRow(it)...)
	}
	return nil
}

// itemColumns are the columns of a folder listing: the name is cut before anything goes, the
// modified time goes first.
var itemColumns = []output.Column{
	{Header: "NAME", Truncate: true}, {Header: "KIND", Drop: 2}, {Header: "SIZE", Drop: 3},
	{Header: "MODIFIED", Drop: 4}, {Header: "ID", Drop: 1},
}

func itemRow(it api.DriveItem) []string {
	kind, size := "file", output.HumanSize(it.Size)
	if it.IsFolder() {
		kind = "folder"
		if it.Folder != nil {
			size = fmt.Sprintf("%d items", it.Folder.ChildCount)
		}
	}
	return []string{it.Name, kind, size, output.HumanTime(it.LastModifiedDateTime), it.ID}
}

// ownerName picks the most telling name from an owner identity set.
func ownerName(set *api.IdentitySet) string {
	if set == nil {
		return ""
	}
	for _, id := range []*api.Identity{set.User, set.Application, set.Device} {
		if id != nil && strings.TrimSpace(id.DisplayName) != "" {
			return id.DisplayName
		}
	}
	return ""
}

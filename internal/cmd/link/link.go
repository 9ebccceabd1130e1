// Package link implements `odshare link`: sharing links on drive items.
package link

import (
	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
)

// NewCmdLink returns the link noun; it only adds its verbs.
func NewCmdLink(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "link <command>",
		Short: "Create, list, update, delete and audit sharing links on OneDrive, SharePoint and Box items",
		Long: `Create, list, update, delete and audit sharing links on drive items.

An item is given as:
  /path/from/the/drive/root   a path (each segment is percent-encoded for you)
  https://...                 a sharing URL or webUrl, resolved through /shares
  s!... or u!...              a share id, resolved through /shares
  box:/path/from/the/root     a Box path (names compared in any case, as Box does)
  box:file:ID, box:folder:ID, box:web_link:ID
                              a Box item by id
  https://app.box.com/s/...   a Box shared link (also <ent>.app.box.com, <ent>.box.com, /v/
                              vanity links, and .../s/<token>/folder/<id> or /file/<id>)
  anything else               an item id

"link get", "link update" and "link delete" also take the sharing URL (or share id) of a link
alone, and act on that link. "link audit" finds every link under a folder or in a whole drive
("/"), and can revoke them.
A Box item has one link, and the item is its key: "link get", "link update" and "link delete"
take the Box item alone, never a permission id.

The drive defaults to your own OneDrive (/me/drive); pick another with --drive, --user,
--group or --site (OneDrive and SharePoint only).`,
	}
	cmd.AddCommand(newCmdCreate(f, nil), newCmdList(f, nil), newCmdGet(f, nil), newCmdUpdate(f, nil), newCmdDelete(f, nil),
		newCmdInvite(f, nil), newCmdRevokeGrants(f, nil), newCmdAudit(f, nil))
	return cmd
}

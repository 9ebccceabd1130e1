package cmdutil

import (
	"github.com/spf13/cobra"
)

// DriveFlags are the --drive/--user/--group/--site flags every item command takes. They are
// OneDrive/SharePoint's: the Graph provider reads them (see Context and Factory.Locate), and a
// provider that takes none refuses them for its items.
type DriveFlags struct {
	Drive, User, Group, Site string

	cmd *cobra.Command // to tell a flag given as "" from one not given
}

// AddDriveFlags registers the drive selection flags on cmd.
func AddDriveFlags(cmd *cobra.Command, d *DriveFlags) {
	d.cmd = cmd
	fl := cmd.Flags()
	fl.StringVar(&d.Drive, "drive", "", "Act on the drive with this `id` (/drives/{id})")
	fl.StringVar(&d.User, "user", "", "Act on this user's OneDrive (`id-or-UPN`; /users/{id}/drive)")
	fl.StringVar(&d.Group, "group", "", "Act on this Microsoft 365 group's drive (`id`; /groups/{id}/drive)")
	fl.StringVar(&d.Site, "site", "", "Act on this SharePoint site's default library (`id-or-URL`; /sites/{id}/drive; a URL is resolved with GET /sites/{host}:/{path})")
}

// MissingItem is the usage error of an item command run without its item.
const MissingItem = "missing item: give an item id, a /path, a sharing URL or a share id"

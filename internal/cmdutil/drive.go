package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/graph"
)

// DriveFlags are the --drive/--user/--group/--site flags every item command takes.
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

// Ref validates the flags and returns the drive they select; the default is /me/drive.
func (d DriveFlags) Ref() (graph.DriveRef, error) {
	if err := MutuallyExclusive("specify only one of --drive, --user, --group or --site",
		d.Drive != "", d.User != "", d.Group != "", d.Site != ""); err != nil {
		return graph.DriveRef{}, err
	}
	for _, flag := range []string{"drive", "user", "group", "site"} {
		v := map[string]string{"drive": d.Drive, "user": d.User, "group": d.Group, "site": d.Site}[flag]
		// `--drive "$UNSET"` must not quietly act on the caller's own drive.
		given := v != "" || d.cmd != nil && d.cmd.Flags().Changed(flag)
		if given && strings.TrimSpace(v) == "" {
			return graph.DriveRef{}, FlagErrorf("--%s must not be blank", flag)
		}
	}
	switch {
	case d.Drive != "":
		return graph.DriveRef{Kind: graph.DriveByID, ID: d.Drive}, nil
	case d.User != "":
		return graph.DriveRef{Kind: graph.DriveOfUser, ID: d.User}, nil
	case d.Group != "":
		return graph.DriveRef{Kind: graph.DriveOfGroup, ID: d.Group}, nil
	case d.Site != "" && (strings.Contains(d.Site, "://") || strings.Contains(d.Site, ":/")):
		// A site's URL, resolved to its id through GET /sites/{hostname}:/{path} when used.
		host, path, err := graph.ParseSiteURL(d.Site)
		if err != nil {
			return graph.DriveRef{}, FlagErrorf("--site: %v", err)
		}
		return graph.DriveRef{Kind: graph.DriveOfSiteURL, ID: host + ":" + path}, nil
	case d.Site != "":
		return graph.DriveRef{Kind: graph.DriveOfSite, ID: d.Site}, nil
	}
	return graph.DriveRef{Kind: graph.DriveMe}, nil
}

// ParseItem parses the item argument of an item command as a usage error on failure.
func ParseItem(arg string) (graph.ItemRef, error) {
	ref, err := graph.ParseItemRef(arg)
	if err != nil {
		return ref, &FlagError{Err: err}
	}
	return ref, nil
}

// Resolve is Ref plus the rule that app-only sign-in has no /me: Graph would answer 400, so
// the command says which flag to pass before anything is sent. The rule applies only when an
// item is addressed through the drive (an id or a path); sharing URLs and share ids go through
// /shares and need no drive.
func (d DriveFlags) Resolve(f *Factory, items ...graph.ItemRef) (graph.DriveRef, error) {
	ref, err := d.Ref()
	if err != nil || ref.Kind != graph.DriveMe {
		return ref, err
	}
	throughDrive := false
	for _, it := range items {
		if it.Kind == graph.ItemByID || it.Kind == graph.ItemByPath {
			throughDrive = true
		}
	}
	if !throughDrive {
		return ref, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return ref, err
	}
	if cfg.AppOnly() {
		return ref, FlagErrorf("app-only sign-in has no /me drive: pass --drive, --user, --group or --site")
	}
	return ref, nil
}

// MissingItem is the usage error of an item command run without its item.
const MissingItem = "missing item: give an item id, a /path, a sharing URL or a share id"

// ItemTarget is what every single-item command settles before it builds a client: how to print,
// which drive, which item. Each failure is a usage error, so nothing has been sent.
func (f *Factory) ItemTarget(d DriveFlags, arg string) (Printing, graph.DriveRef, graph.ItemRef, error) {
	p, err := f.ResolvePrinting()
	if err != nil {
		return p, graph.DriveRef{}, graph.ItemRef{}, err
	}
	item, err := ParseItem(arg)
	if err != nil {
		return p, graph.DriveRef{}, item, err
	}
	drive, err := d.Resolve(f, item)
	return p, drive, item, err
}

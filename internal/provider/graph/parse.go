// Package graph is odshare's Microsoft Graph provider (OneDrive and SharePoint) behind the sharing
// core: its Parser reads item arguments and the drive flags, its Provider makes the calls through
// the Graph transport (internal/graph), and it turns Graph's JSON into the core's neutral values,
// keeping the JSON itself for -o json.
package graph

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/sharing"
)

// Name is the provider's registry name.
const Name = "graph"

// Parser is Graph's pure half. AppOnly, when set, says whether the configured credential is
// app-only, which has no /me drive.
type Parser struct {
	AppOnly func() (bool, error)
}

var (
	_ sharing.Parser           = (*Parser)(nil)
	_ sharing.RefusalExplainer = (*Parser)(nil)
)

func (*Parser) Name() string    { return Name }
func (*Parser) Service() string { return "Graph" }
func (*Parser) Title() string   { return "OneDrive/SharePoint" }

// Claims takes every argument: Graph is the provider of whatever no other provider claims.
func (*Parser) Claims(string) bool { return true }

// idLike matches what drive item ids look like: OneDrive's "D4648F06C91D9D3D!103", Business's
// "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K". A file or folder name usually does not.
var idLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-Za-z!_-]{12,}$`) })

// Parse reads an item id, a /path, a sharing URL or a share id (graph.ParseItemRef).
func (*Parser) Parse(arg string) (sharing.Item, error) {
	ref, err := msgraph.ParseItemRef(arg)
	if err != nil {
		return sharing.Item{}, &sharing.UsageError{Err: err, Sensitive: errors.Is(err, msgraph.ErrURLUserInfo)}
	}
	return item(ref), nil
}

// item is the neutral Item for a parsed Graph reference.
func item(ref msgraph.ItemRef) sharing.Item {
	it := sharing.Item{Provider: Name, Input: ref.Value, Ref: ref}
	switch ref.Kind {
	case msgraph.ItemByPath:
		it.Kind = sharing.ByPath
	case msgraph.ItemBySharingURL:
		it.Kind, it.IsLink = sharing.BySharingURL, true
	case msgraph.ItemByShareID:
		it.Kind, it.IsLink = sharing.ByShareID, true
	default:
		it.Kind, it.MaybePath = sharing.ByID, !idLike().MatchString(ref.Value)
	}
	return it
}

// driveFlags are the context flags Graph takes, in the order they are checked.
var driveFlags = []string{"drive", "user", "group", "site"}

// Locate reads --drive, --user, --group or --site (the default is /me/drive) into every item's
// Location. App-only sign-in has no /me: Graph would answer 400, so an item addressed through the
// drive (an id or a path; sharing URLs and share ids go through /shares) needs one of the flags.
func (p *Parser) Locate(pc sharing.ParseContext, items []*sharing.Item) error {
	drive, err := DriveOf(pc)
	if err != nil {
		return err
	}
	for _, it := range items {
		it.Location = drive
	}
	if drive.Kind != msgraph.DriveMe || p.AppOnly == nil {
		return nil
	}
	throughDrive := slices.ContainsFunc(items, func(it *sharing.Item) bool { return !it.IsShare() })
	if !throughDrive {
		return nil
	}
	appOnly, err := p.AppOnly()
	if err != nil {
		return err
	}
	if appOnly {
		return sharing.UsageErrorf("app-only sign-in has no /me drive: pass --drive, --user, --group or --site")
	}
	return nil
}

// DriveOf validates the drive flags and returns the drive they select; the default is /me/drive.
func DriveOf(pc sharing.ParseContext) (msgraph.DriveRef, error) {
	n := 0
	for _, name := range driveFlags {
		if pc.Value(name) != "" {
			n++
		}
	}
	if n > 1 {
		return msgraph.DriveRef{}, sharing.UsageErrorf("specify only one of --drive, --user, --group or --site")
	}
	for _, name := range driveFlags {
		for _, f := range pc.Flags {
			// `--drive "$UNSET"` must not quietly act on the caller's own drive.
			if f.Name == name && (f.Value != "" || f.Given) && strings.TrimSpace(f.Value) == "" {
				return msgraph.DriveRef{}, sharing.UsageErrorf("--%s must not be blank", name)
			}
		}
	}
	drive, user, group, site := pc.Value("drive"), pc.Value("user"), pc.Value("group"), pc.Value("site")
	switch {
	case drive != "":
		return msgraph.DriveRef{Kind: msgraph.DriveByID, ID: drive}, nil
	case user != "":
		return msgraph.DriveRef{Kind: msgraph.DriveOfUser, ID: user}, nil
	case group != "":
		return msgraph.DriveRef{Kind: msgraph.DriveOfGroup, ID: group}, nil
	case site != "" && (strings.Contains(site, "://") || strings.Contains(site, ":/")):
		// A site's URL, resolved to its id through GET /sites/{hostname}:/{path} when used.
		host, path, err := msgraph.ParseSiteURL(site)
		if err != nil {
			return msgraph.DriveRef{}, sharing.UsageErrorf("--site: %v", err)
		}
		return msgraph.DriveRef{Kind: msgraph.DriveOfSiteURL, ID: host + ":" + path}, nil
	case site != "":
		return msgraph.DriveRef{Kind: msgraph.DriveOfSite, ID: site}, nil
	}
	return msgraph.DriveRef{Kind: msgraph.DriveMe}, nil
}

// AsShare reads an item for /shares: a sharing URL or share id as it is; anything else that is not
// a path is taken as an opaque share id, which must be usable in a path as is.
func (*Parser) AsShare(it sharing.Item) (sharing.Item, error) {
	ref := refOf(it)
	switch ref.Kind {
	case msgraph.ItemBySharingURL, msgraph.ItemByShareID:
		return it, nil
	case msgraph.ItemByID:
		if err := msgraph.ValidateShareToken(ref.Value); err != nil {
			return it, &sharing.UsageError{Err: err}
		}
		s := item(msgraph.ItemRef{Kind: msgraph.ItemByShareID, Value: ref.Value})
		s.Input, s.Location = it.Input, it.Location
		return s, nil
	}
	return it, sharing.UsageErrorf("%q is a path, not a share: give a sharing URL or a share id", it.Input)
}

// flags are the provider-dependent flags Graph takes, by verb.
var flags = map[string][]string{
	sharing.VerbLinkCreate:    {"type", "scope", "password", "password-stdin", "expires", "recipient", "retain-inherited-permissions", "drive", "user", "group", "site"},
	sharing.VerbLinkList:      {"all", "drive", "user", "group", "site"},
	sharing.VerbLinkGet:       {"drive", "user", "group", "site"},
	sharing.VerbLinkUpdate:    {"role", "expires", "drive", "user", "group", "site"},
	sharing.VerbLinkDelete:    {"type", "scope", "drive", "user", "group", "site"},
	sharing.VerbShareGet:      {"redeem", "redeem-if-necessary", "item"},
	sharing.VerbShareChildren: {"redeem", "redeem-if-necessary", "top"},
	sharing.VerbLinkInvite: {"recipient", "role", "message", "no-notify", "require-sign-in", "expires", "password-stdin",
		"retain-inherited-permissions", "drive", "user", "group", "site"},
	sharing.VerbShareGrant:       {"recipient", "role"},
	sharing.VerbLinkRevokeGrants: {"recipient", "drive", "user", "group", "site"},
	sharing.VerbLinkAudit:        {"scope", "type", "expired", "expires-before", "no-password", "revoke", "dry-run", "budget", "drive", "user", "group", "site"},
	sharing.VerbShareDownload:    {"redeem", "redeem-if-necessary", "format", "drive", "user", "group", "site"},
}

// Supports reports whether Graph takes flag for verb (sharing.AnyVerb: for any); with flag "",
// whether Graph does verb: every verb odshare has.
func (*Parser) Supports(verb, flag string) bool {
	if flag == "" {
		_, ok := flags[verb]
		return ok || verb == sharing.AnyVerb
	}
	if verb == sharing.AnyVerb {
		for _, fs := range flags {
			if slices.Contains(fs, flag) {
				return true
			}
		}
		return false
	}
	return slices.Contains(flags[verb], flag)
}

// ExplainRefusal says why a shared link's password cannot be given to Graph: its shares API takes
// none, so password-protected links cannot be opened through it (notes §2; rclone#5533).
func (*Parser) ExplainRefusal(verb, flag string) string {
	if flag == "password-stdin" && (verb == sharing.VerbShareDownload || verb == sharing.VerbShareGet || verb == sharing.VerbShareChildren) {
		return "Graph's shares API takes no password, so password-protected OneDrive/SharePoint links cannot be opened through it; open the link in a browser"
	}
	return ""
}

// CheckSpec refuses what Graph cannot take: a createLink without a type, or whose scope and
// recipients disagree (a users link is for the recipients given [CL1]); an invitation message longer
// than Graph takes; and the settings only other providers have: Graph's links have no vanity name and
// no separate download permission, and an update cannot remove an expiry or a password.
func (*Parser) CheckSpec(_ sharing.Item, verb string, spec sharing.LinkSpec) error {
	if verb == sharing.VerbLinkInvite {
		if err := checkInvite(spec); err != nil {
			return err
		}
	}
	if verb == sharing.VerbLinkCreate {
		switch {
		case spec.Type == "":
			return sharing.UsageErrorf("missing --type: valid values are %s", strings.Join(sharing.LinkTypes, ", "))
		case spec.Scope == "users" && len(spec.Recipients) == 0:
			return sharing.UsageErrorf("--scope users needs at least one --recipient")
		case len(spec.Recipients) > 0 && spec.Scope != "users":
			return sharing.UsageErrorf("--recipient needs --scope users")
		}
	}
	switch {
	case spec.VanityName != "":
		return &sharing.UnsupportedFlag{Flag: "vanity-name"}
	case spec.CanDownload != nil:
		return &sharing.UnsupportedFlag{Flag: "can-download"}
	case spec.ClearExpiry:
		return sharing.UsageErrorf("--expires never removes a link's expiry, which Graph cannot do: give a new expiry instead")
	case spec.ClearPassword:
		return &sharing.UnsupportedFlag{Flag: "no-password"}
	}
	return nil
}

// CompletionKey names the folder a completion lists: the drive's path (before a site URL is
// resolved) and the folder.
func (*Parser) CompletionKey(dir sharing.Item) string { return driveOf(dir).Path() }

// refOf is the item's Graph reference.
func refOf(it sharing.Item) msgraph.ItemRef {
	if ref, ok := it.Ref.(msgraph.ItemRef); ok {
		return ref
	}
	return msgraph.ItemRef{}
}

// driveOf is the drive the item's Location selects; /me/drive when none was set.
func driveOf(it sharing.Item) msgraph.DriveRef {
	if d, ok := it.Location.(msgraph.DriveRef); ok {
		return d
	}
	return msgraph.DriveRef{}
}

// ShareToken is the /shares/{token} segment of a share item (see graph.ShareToken).
func ShareToken(it sharing.Item) string { return msgraph.ShareToken(refOf(it)) }

// Drive is the drive an item located by Locate is in.
func Drive(it sharing.Item) msgraph.DriveRef { return driveOf(it) }

// Ref is an item's Graph reference.
func Ref(it sharing.Item) msgraph.ItemRef { return refOf(it) }

// EncodeShareURL is the u! share token of a sharing URL [SG]: a URL with user info is refused
// (without echoing it), as is anything but an absolute http(s) URL.
func (*Parser) EncodeShareURL(v string) (string, error) {
	if msgraph.HasUserInfo(v) {
		return "", &sharing.UsageError{Err: msgraph.ErrURLUserInfo, Sensitive: true}
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", sharing.UsageErrorf("not an http(s) URL: %q", v)
	}
	return msgraph.EncodeSharingURL(v), nil
}

// DecodeShareToken is the sharing URL a u! token encodes.
func (*Parser) DecodeShareToken(t string) (string, error) { return msgraph.DecodeShareToken(t) }

// Package box is odshare's Box provider behind the sharing core: its Parser reads Box item
// arguments (box:/path, box:file:123, Box URLs) and Box's rules for links, its Provider makes the
// calls through the Box transport (internal/box) and turns Box's JSON into the core's neutral
// values, keeping the JSON itself for -o json. Facts with tags in brackets are cited in
// docs/sources.md (G-SL: Box's shared-link guides, OA: Box's OpenAPI).
package box

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/sharing"
)

// Name is the provider's registry name.
const Name = "box"

// Parser is Box's pure half.
type Parser struct{}

var _ sharing.Parser = (*Parser)(nil)

func (*Parser) Name() string    { return Name }
func (*Parser) Service() string { return "Box" }
func (*Parser) Title() string   { return "Box" }

// Claims takes box:… arguments and URLs on box.com or a subdomain (boxapi.IsBoxArg).
func (*Parser) Claims(arg string) bool { return boxapi.IsBoxArg(arg) }

// Parse reads a Box item argument (boxapi.ParseRef). Every Box item is the key of its one link, so
// every Box argument names a link alone.
func (*Parser) Parse(arg string) (sharing.Item, error) {
	ref, err := boxapi.ParseRef(arg)
	if err != nil {
		return sharing.Item{}, &sharing.UsageError{Err: err, Sensitive: strings.Contains(err.Error(), "user info")}
	}
	return item(ref), nil
}

func item(ref boxapi.Ref) sharing.Item {
	it := sharing.Item{Provider: Name, Input: ref.String(), Ref: ref, IsLink: true, OneLink: true}
	switch ref.Kind {
	case boxapi.RefPath:
		it.Kind = sharing.ByPath
	case boxapi.RefID:
		it.Kind = sharing.ByID
	default:
		it.Kind = sharing.BySharingURL
	}
	return it
}

// Locate refuses the context flags (Graph's --drive, --user, --group, --site): a Box item is found
// from the signed-in user's root, and by its id.
func (*Parser) Locate(pc sharing.ParseContext, _ []*sharing.Item) error {
	if g := pc.Given(); len(g) > 0 {
		return &sharing.UnsupportedFlag{Flag: g[0].Name}
	}
	return nil
}

// AsShare takes a shared link or an item inside a shared folder; a path or an id is not a share.
func (*Parser) AsShare(it sharing.Item) (sharing.Item, error) {
	switch refOf(it).Kind {
	case boxapi.RefSharedLink, boxapi.RefSharedItem:
		return it, nil
	}
	return it, sharing.UsageErrorf("%s is a Box item, not a shared link: give its shared link (https://app.box.com/s/…), see `odshare link list %s`",
		quote(it.Input), it.Input)
}

// flags are the provider-dependent flags Box takes, by verb. Box links have no permission id,
// roles, recipients, drives or redemption, and `link list` has no other permissions to add.
var flags = map[string][]string{
	sharing.VerbLinkCreate:    {"type", "scope", "password", "password-stdin", "expires", "vanity-name", "can-download"},
	sharing.VerbLinkUpdate:    {"type", "scope", "password", "password-stdin", "no-password", "expires", "vanity-name", "can-download"},
	sharing.VerbShareGet:      {"item", "password-stdin"},
	sharing.VerbShareChildren: {"top", "password-stdin"},
	// link audit: the filters and --revoke; not Graph's --budget of SharePoint resource units.
	sharing.VerbLinkAudit:     {"scope", "type", "expired", "expires-before", "no-password", "revoke", "dry-run"},
	sharing.VerbShareDownload: {"password-stdin"},
}

// Supports reports whether Box takes flag for verb (sharing.AnyVerb: for any); with flag "", whether
// Box does the verb (Registry.CheckVerb asks for the verbs only some providers do: Box does link
// audit and share download, not link invite, share grant or link revoke-grants).
func (*Parser) Supports(verb, flag string) bool {
	if flag == "" {
		return verb == sharing.VerbLinkAudit || verb == sharing.VerbShareDownload
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

// vanityName is what Box takes as a vanity name (boxcli: 12 to 30 letters, digits and hyphens).
var vanityName = regexp.MustCompile(`^[A-Za-z0-9-]{12,30}$`)

// CheckSpec refuses, before anything is sent, what Box cannot do [notes §4]: embed, review and
// createOnly links; download or edit settings on a collaborators link (Box answers 400); edit links
// on folders and web links; a password on a link that is not open; a malformed vanity name.
func (*Parser) CheckSpec(it sharing.Item, verb string, spec sharing.LinkSpec) error {
	switch spec.Type {
	case "", "view", "edit", "blocksDownload":
	default:
		return sharing.UsageErrorf("--type %s has no Box equivalent: Box links are view (download allowed), blocksDownload (preview only) or edit (files only)", spec.Type)
	}
	if spec.CanDownload != nil {
		switch {
		case spec.Type == "edit" && !*spec.CanDownload:
			return sharing.UsageErrorf("--can-download=false contradicts --type edit: Box edit links allow downloads")
		case spec.Type == "view" && !*spec.CanDownload:
			return sharing.UsageErrorf("--can-download=false contradicts --type view: use --type blocksDownload")
		case spec.Type == "blocksDownload" && *spec.CanDownload:
			return sharing.UsageErrorf("--can-download contradicts --type blocksDownload: use --type view")
		}
	}
	if spec.Scope == "users" {
		switch {
		case spec.Type == "edit" || spec.Type == "blocksDownload":
			return sharing.UsageErrorf("--type %s needs --scope anonymous or organization on Box: a collaborators (users) link has no download or edit setting", spec.Type)
		case spec.CanDownload != nil:
			return sharing.UsageErrorf("--can-download needs --scope anonymous or organization on Box: a collaborators (users) link has no download setting")
		}
	}
	if spec.Password != "" && spec.Scope != "" && spec.Scope != "anonymous" {
		return sharing.UsageErrorf("a password (--password, --password-stdin or ODSHARE_LINK_PASSWORD) needs --scope anonymous on Box: only open links have passwords")
	}
	if spec.Type == "edit" {
		if r := refOf(it); r.Kind == boxapi.RefID && r.Type != boxapi.File || r.Kind == boxapi.RefSharedItem && r.Type != boxapi.File {
			return sharing.UsageErrorf("--type edit is for files only: %s is a Box %s", quote(it.Input), strings.ReplaceAll(string(r.Type), "_", " "))
		}
	}
	if spec.VanityName != "" && !vanityName.MatchString(spec.VanityName) {
		return sharing.UsageErrorf("invalid --vanity-name %q: Box takes 12 to 30 letters, digits and hyphens", spec.VanityName)
	}
	if verb == sharing.VerbLinkCreate && (spec.ClearExpiry || spec.ClearPassword) {
		return sharing.UsageErrorf("--expires never and --no-password remove an expiry or a password: use them with `odshare link update`")
	}
	if spec.Expires != "" {
		if _, err := time.Parse(time.RFC3339, spec.Expires); err != nil {
			return errors.New("box: the expiry is not an RFC 3339 time") // the command sends RFC 3339 only
		}
	}
	return nil
}

// refOf is the item's Box reference.
func refOf(it sharing.Item) boxapi.Ref {
	if ref, ok := it.Ref.(boxapi.Ref); ok {
		return ref
	}
	return boxapi.Ref{}
}

// quote shows an item argument in a message: as is when it is plain, quoted otherwise.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

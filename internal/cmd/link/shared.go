package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
)

// permission is one permission as Graph sent it: decoded for tables and filters, raw for JSON.
type permission struct {
	api.Permission
	Raw json.RawMessage
	// grantees are the people and groups it is for, read from the raw JSON because Graph's
	// identities carry an "email" the metadata doesn't declare (see api.Identity).
	grantees []string
	// emails are the addresses among them (email, or a SharePoint loginName's address).
	emails []string
}

// isLink reports whether the permission is a sharing link: it has a link facet.
func (p *permission) isLink() bool { return p.Link != nil }

// inherited reports whether the permission comes from an ancestor; Graph refuses to delete
// those on this item [PDEL].
func (p *permission) inherited() bool { return p.InheritedFrom != nil }

// kind is the TYPE column: the link type, else what the permission is.
func (p *permission) kind() string {
	switch {
	case p.Link != nil:
		return string(p.Link.Type)
	case p.Invitation != nil:
		return "invitation"
	case p.GrantedToV2 != nil && (p.GrantedToV2.Group != nil || p.GrantedToV2.SiteGroup != nil || p.GrantedToV2.SharePointGroup != nil):
		return "group"
	}
	return "user"
}

func (p *permission) scope() string {
	if p.Link != nil {
		return string(p.Link.Scope)
	}
	return ""
}

// listPermissions reads every page of the item's permissions and keeps the sharing links, or
// every permission with all.
func listPermissions(ctx context.Context, client *graph.Client, addr string, all bool) ([]*permission, error) {
	var out []*permission
	err := client.ListPermissions(ctx, addr, func(page []json.RawMessage) error {
		for _, raw := range page {
			p, err := decodePermission(raw)
			if err != nil {
				return err
			}
			if all || p.isLink() {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

func decodePermission(raw json.RawMessage) (*permission, error) {
	p := &permission{Raw: raw}
	if err := json.Unmarshal(raw, &p.Permission); err != nil {
		return nil, fmt.Errorf("decode permission: %w", err)
	}
	var g struct {
		V2         []granteeSet `json:"grantedToIdentitiesV2"`
		One        *granteeSet  `json:"grantedToV2"`
		Old        []granteeSet `json:"grantedToIdentities"`
		OldOne     *granteeSet  `json:"grantedTo"`
		Invitation *struct {
			Email string `json:"email"`
		} `json:"invitation"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("decode permission: %w", err)
	}
	// The V2 properties replace the deprecated ones; read the old ones only when V2 is absent.
	sets := g.V2
	if g.One != nil {
		sets = append(sets, *g.One)
	}
	if len(sets) == 0 {
		sets = g.Old
		if g.OldOne != nil {
			sets = append(sets, *g.OldOne)
		}
	}
	seen := map[string]bool{}
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			p.grantees = append(p.grantees, s)
		}
	}
	for _, s := range sets {
		add(s.name())
		p.emails = append(p.emails, s.emails()...)
	}
	if g.Invitation != nil {
		if len(p.grantees) == 0 {
			add(g.Invitation.Email)
		}
		if g.Invitation.Email != "" {
			p.emails = append(p.emails, g.Invitation.Email)
		}
	}
	return p, nil
}

// granteeIdentity is the union of identity, sharePointIdentity and sharePointGroupIdentity as
// far as naming someone goes.
type granteeIdentity struct {
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
	Title       string `json:"title"`
	// LoginName is a SharePoint principal's claim, "i:0#.f|membership|megan@contoso.com".
	LoginName string `json:"loginName"`
}

// email is the identity's address: email, else the address a SharePoint loginName ends with.
func (i *granteeIdentity) email() string {
	if i == nil {
		return ""
	}
	if i.Email != "" {
		return i.Email
	}
	if at := i.LoginName[strings.LastIndex(i.LoginName, "|")+1:]; strings.Contains(at, "@") {
		return at
	}
	return ""
}

func (i *granteeIdentity) name() string {
	if i == nil {
		return ""
	}
	for _, s := range []string{i.DisplayName, i.Email, i.Title} {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

type granteeSet struct {
	User            *granteeIdentity `json:"user"`
	Group           *granteeIdentity `json:"group"`
	SiteUser        *granteeIdentity `json:"siteUser"`
	SiteGroup       *granteeIdentity `json:"siteGroup"`
	SharePointGroup *granteeIdentity `json:"sharePointGroup"`
	Application     *granteeIdentity `json:"application"`
	Device          *granteeIdentity `json:"device"`
}

// emails are the addresses of the people in the set.
func (s granteeSet) emails() []string {
	var out []string
	for _, id := range []*granteeIdentity{s.User, s.SiteUser} {
		if e := id.email(); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// name picks the most telling name in the set: a user or group before SharePoint's own
// principals, which usually repeat them.
func (s granteeSet) name() string {
	for _, id := range []*granteeIdentity{s.User, s.Group, s.SiteUser, s.SiteGroup, s.SharePointGroup, s.Application, s.Device} {
		if n := id.name(); n != "" {
			return n
		}
	}
	return ""
}

// permissionColumns are the columns of a permission listing. At 80 columns the id and the URL
// (never cut) leave room for little else: the type and scope go last.
var permissionColumns = []output.Column{
	{Header: "ID"}, {Header: "TYPE", Drop: 2}, {Header: "SCOPE", Drop: 1, Color: output.ScopeColor},
	{Header: "ROLES", Drop: 6}, {Header: "EXPIRES", Drop: 4}, {Header: "PASSWORD", Drop: 7},
	{Header: "GRANTED TO", Drop: 3, Truncate: true}, {Header: "INHERITED", Drop: 5, Truncate: true},
	{Header: "URL"},
}

func permissionRow(p *permission) []string {
	url := ""
	if p.Link != nil {
		url = p.Link.WebURL
	}
	return []string{p.ID, p.kind(), dash(p.scope()), dash(strings.Join(p.Roles, ",")),
		output.HumanTime(p.ExpirationDateTime), yesNo(p.HasPassword), dash(strings.Join(p.grantees, ", ")),
		inheritedFrom(p.InheritedFrom), dash(url)}
}

// inheritedFrom is the INHERITED column: "no", or where the permission comes from as a path
// from the drive root ("/drives/{id}/root:/Reports" becomes "/Reports"), or "yes" when Graph
// doesn't say.
func inheritedFrom(ref *api.ItemReference) string {
	if ref == nil {
		return "no"
	}
	if _, after, ok := strings.Cut(ref.Path, "root:"); ok {
		if p, err := url.PathUnescape(after); err == nil {
			after = p
		}
		if after == "" {
			after = "/"
		}
		return "from " + after
	}
	if ref.Name != "" {
		return "from " + ref.Name
	}
	return "yes"
}

// writePermissions prints permissions as a table, one JSON array of Graph's objects, or one
// object per line.
func writePermissions(ios *iostreams.IOStreams, pr cmdutil.Printing, perms []*permission) error {
	if pr.JSON() {
		raws := make([]json.RawMessage, len(perms))
		for i, p := range perms {
			raws[i] = p.Raw
		}
		return pr.Write(ios, output.JoinJSONArray(raws))
	}
	t := pr.Table(ios, permissionColumns...)
	for _, p := range perms {
		t.AddRow(permissionRow(p)...)
	}
	return t.Render()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// openItem builds the Graph client and resolves the item to the address its permissions hang
// off, wrapping Graph's error with the item as the user gave it.
func openItem(ctx context.Context, newClient func() (*graph.Client, error), drive graph.DriveRef, item graph.ItemRef) (*graph.Client, string, error) {
	client, err := newClient()
	if err != nil {
		return nil, "", err
	}
	addr, err := client.ItemAddress(ctx, drive, item)
	if err != nil {
		return nil, "", itemError("find", item, err)
	}
	return client, addr, nil
}

// idLike matches what drive item ids look like: OneDrive's "D4648F06C91D9D3D!103", Business's
// "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K". A file or folder name usually does not.
var idLike = regexp.MustCompile(`^[0-9A-Za-z!_-]{12,}$`)

// itemError wraps err, a failure of op on the item, with the item as the user gave it. An item
// given without a leading "/" is an id; when Graph cannot find it and it does not look like one
// ("Notes.txt"), a second line says that paths start with "/".
func itemError(op string, item graph.ItemRef, err error) error {
	e := fmt.Errorf("%s %s: %w", op, output.Sanitize(item.Value), err)
	var ge *graph.Error
	if item.Kind == graph.ItemByID && errors.As(err, &ge) && ge.StatusCode == http.StatusNotFound && !idLike.MatchString(item.Value) {
		return &hintError{err: e, hint: fmt.Sprintf("%q was taken as an item id: paths start with /, as in %s", output.Sanitize(item.Value), shellQuote("/"+item.Value))}
	}
	return e
}

// hintError is an error with a second line saying how to fix it.
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() + "\n" + h.hint }
func (h *hintError) Unwrap() error { return h.err }

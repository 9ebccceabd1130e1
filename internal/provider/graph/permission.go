package graph

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// decodePermission reads one of Graph's permissions as a neutral Link, keeping the JSON.
func decodePermission(raw json.RawMessage) (*sharing.Link, error) {
	var p api.Permission
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("decode permission: %w", err)
	}
	l := &sharing.Link{
		ID:          p.ID,
		Roles:       p.Roles,
		Expires:     p.ExpirationDateTime,
		HasPassword: p.HasPassword,
		ShareID:     p.ShareID,
		Raw:         raw,
		Described:   p.Link != nil || p.Invitation != nil || p.GrantedToV2 != nil,
		Kind:        kind(&p),
	}
	if p.Link != nil {
		l.IsLink, l.Type, l.Scope, l.URL = true, string(p.Link.Type), string(p.Link.Scope), p.Link.WebURL
	}
	if p.InheritedFrom != nil {
		l.Inherited, l.InheritedFrom = true, inheritedFrom(p.InheritedFrom)
	}
	// Grantees are read from the raw JSON because Graph's identities carry an "email" the metadata
	// doesn't declare (see api.Identity).
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
			l.Grantees = append(l.Grantees, s)
		}
	}
	for _, s := range sets {
		add(s.name())
		l.Emails = append(l.Emails, s.emails()...)
	}
	if g.Invitation != nil {
		if len(l.Grantees) == 0 {
			add(g.Invitation.Email)
		}
		if g.Invitation.Email != "" {
			l.Emails = append(l.Emails, g.Invitation.Email)
		}
	}
	return l, nil
}

// kind is the TYPE column: the link type, else what the permission is.
func kind(p *api.Permission) string {
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

// inheritedFrom is where an inherited permission comes from: a path from the drive root
// ("/drives/{id}/root:/Reports" becomes "/Reports"), else the ancestor's name, else "" when Graph
// doesn't say.
func inheritedFrom(ref *api.ItemReference) string {
	if _, after, ok := strings.Cut(ref.Path, "root:"); ok {
		if p, err := url.PathUnescape(after); err == nil {
			after = p
		}
		if after == "" {
			after = "/"
		}
		return after
	}
	return ref.Name
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

// expiryTolerance is how far an expiry Graph reports may be from the one asked for and still be
// the same: Graph keeps whole seconds, a service may round.
const expiryTolerance = time.Minute

// Differences lists, as phrases for people, what the link Graph returned lacks of what was asked:
// a password, an expiry, recipients. createLink returns an item's existing link of the same type
// and scope (200) without applying the new options [CL1], so a person or script must be told.
// Nothing listed means the link carries everything that was asked. Only the expiry can be set on
// the existing link afterwards (link update); a password or recipients need a new link.
func Differences(spec sharing.LinkSpec, l *sharing.Link) []sharing.Difference {
	var out []sharing.Difference
	if spec.Password != "" && !l.HasPassword {
		out = append(out, sharing.Difference{Setting: "password", Text: "it has no password"})
	}
	if spec.Expires != "" {
		want, _ := time.Parse(time.RFC3339, spec.Expires)
		got, err := time.Parse(time.RFC3339, l.Expires)
		switch {
		case l.Expires == "" || (err == nil && got.IsZero()):
			out = append(out, sharing.Difference{Setting: "expiry", Updatable: true,
				Text: fmt.Sprintf("it never expires (asked: %s)", output.HumanTime(spec.Expires))})
		case err != nil || got.Sub(want).Abs() > expiryTolerance:
			out = append(out, sharing.Difference{Setting: "expiry", Updatable: true,
				Text: fmt.Sprintf("it expires %s (asked: %s)", output.HumanTime(l.Expires), output.HumanTime(spec.Expires))})
		}
	}
	var missing []string
	for _, r := range spec.Recipients {
		if !l.GrantedToEmail(r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		out = append(out, sharing.Difference{Setting: "recipients", Text: "it is not for " + strings.Join(missing, ", ")})
	}
	return out
}

// CreateRequest is Graph's createLink body for spec.
func CreateRequest(spec sharing.LinkSpec) api.CreateLinkRequest { return createRequest(spec) }

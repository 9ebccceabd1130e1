package box

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// grant is what a caller may do with an item, and why.
type grant struct {
	owner    bool
	role     string // the strongest collaboration role that applies; "" for owners and link viewers
	manage   bool   // may see and change the shared link: owner, co-owner, editor
	download bool
	link     *item // the shared item whose BoxApi link alone gives access; nil otherwise
}

var (
	readRoles     = []string{"editor", "viewer", "previewer", "viewer uploader", "previewer uploader", "co-owner"}
	manageRoles   = []string{"editor", "co-owner"}
	downloadRoles = []string{"editor", "viewer", "viewer uploader", "co-owner"}
)

// roleStrength orders roles so the strongest applicable one wins.
func roleStrength(r string) int {
	return map[string]int{"co-owner": 6, "editor": 5, "viewer uploader": 4, "viewer": 3,
		"previewer uploader": 2, "previewer": 1, "uploader": 0}[r]
}

// ownGrant is the access u has to it by ownership or collaboration (on it or an ancestor).
func ownGrant(u *user, it *item) *grant {
	if it.owner == u {
		return &grant{owner: true, manage: true, download: true}
	}
	best := ""
	for p := it; p != nil; p = p.parent {
		for _, cb := range p.collabs {
			if cb.user == u && (best == "" || roleStrength(cb.role) > roleStrength(best)) {
				best = cb.role
			}
		}
	}
	if !slices.Contains(readRoles, best) {
		return nil
	}
	return &grant{role: best, manage: slices.Contains(manageRoles, best), download: slices.Contains(downloadRoles, best)}
}

// topCollab is the highest folder (it or an ancestor) on which u collaborates.
func topCollab(u *user, it *item) *item {
	var top *item
	for p := it; p != nil; p = p.parent {
		for _, cb := range p.collabs {
			if cb.user == u {
				top = p
			}
		}
	}
	return top
}

// lookup finds the item a request names and what the caller may do with it: by ownership or
// collaboration, else through the shared link in the BoxApi header when the item is that
// link's item or lies below it. Anything else is 404, as Box answers for items the caller
// can't see [OA].
func (s *Server) lookup(c *reqCtx, typ, id string) (*item, *grant, *apiError) {
	if id == "0" {
		if typ != TypeFolder {
			return nil, nil, notFound()
		}
		return c.user.root, &grant{owner: true, manage: true, download: true}, nil
	}
	it := s.st.item(id)
	if it == nil || it.typ != typ {
		return nil, nil, notFound()
	}
	if g := ownGrant(c.user, it); g != nil {
		return it, g, nil
	}
	shared, e := s.resolveLink(c)
	if e != nil {
		return nil, nil, e
	}
	if shared == nil || !it.isWithin(shared) {
		return nil, nil, notFound()
	}
	return it, &grant{download: s.linkOf(shared).canDownload, link: shared}, nil
}

// linkOf returns the item's live shared link, removing it first when its unshared_at has come:
// an expired link is gone, and its URL no longer resolves.
func (s *Server) linkOf(it *item) *link {
	l := it.link
	if l == nil {
		return nil
	}
	if !l.unsharedAt.IsZero() && !s.now().Before(l.unsharedAt) {
		s.dropLink(it)
		return nil
	}
	return l
}

func (s *Server) dropLink(it *item) {
	if l := it.link; l != nil {
		delete(s.st.byToken, l.token)
		if l.vanity != "" {
			delete(s.st.byVanity, lower(l.vanity))
		}
		it.link = nil
	}
}

// parseBoxAPI splits the raw BoxApi header: "shared_link=URL[&shared_link_password=PW]". The
// value is not URL-decoded, as every Box SDK builds it by concatenation; the password is
// everything after the first "&shared_link_password=", so it may hold '&' and '='.
func parseBoxAPI(h string) (link, password string, hasPassword, ok bool) {
	rest, found := strings.CutPrefix(h, "shared_link=")
	if !found || rest == "" {
		return "", "", false, false
	}
	link, password, hasPassword = strings.Cut(rest, "&shared_link_password=")
	return link, password, hasPassword, link != ""
}

// findLink resolves a shared link URL (https://app.box.com/s/TOKEN, an enterprise host such as
// https://ENT.app.box.com/s/TOKEN or https://ENT.box.com/s/TOKEN, or a vanity URL .../v/NAME)
// to its item; any *.box.com host is accepted since Box resolves the token, not the host.
func (s *Server) findLink(raw string) *item {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil
	}
	h := lower(u.Hostname())
	if h != "box.com" && !strings.HasSuffix(h, ".box.com") {
		return nil
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	var it *item
	switch {
	case strings.HasPrefix(p, "/s/") && !strings.Contains(p[3:], "/"):
		it = s.st.byToken[p[3:]]
	case strings.HasPrefix(p, "/v/") && !strings.Contains(p[3:], "/"):
		it = s.st.byVanity[lower(p[3:])]
	}
	if it == nil || s.linkOf(it) == nil {
		return nil
	}
	return it
}

// resolveLink resolves the request's BoxApi header for this caller: nil without one; an error
// for a malformed header (400), an unknown, removed or expired link (404), a company link of
// another enterprise (404 unavailable, box/box-java-sdk#403), a collaborators link the caller
// doesn't collaborate on (403), or a missing or wrong password (403
// incorrect_shared_item_password [G-API common-errors]).
func (s *Server) resolveLink(c *reqCtx) (*item, *apiError) {
	if c.linkDone {
		return c.link, c.linkErr
	}
	c.linkDone = true
	h := c.r.Header.Get("BoxApi")
	if h == "" {
		return nil, nil
	}
	raw, pw, _, ok := parseBoxAPI(h)
	if !ok {
		c.linkErr = invalidParam("boxapi", "The BoxApi header must be shared_link=URL[&shared_link_password=PASSWORD].")
		return nil, c.linkErr
	}
	it := s.findLink(raw)
	if it == nil {
		c.linkErr = notFound()
		return nil, c.linkErr
	}
	l := s.linkOf(it)
	switch s.effectiveAccess(it, l) {
	case AccessCompany:
		if c.user.ent != it.owner.ent {
			c.linkErr = unavailable(it)
			return nil, c.linkErr
		}
	case AccessCollaborators:
		if ownGrant(c.user, it) == nil {
			c.linkErr = forbidden("This shared link is for collaborators of the item only.")
			return nil, c.linkErr
		}
	}
	if l.password != "" && pw != l.password {
		c.linkErr = errf(http.StatusForbidden, "incorrect_shared_item_password", "Forbidden")
		return nil, c.linkErr
	}
	c.link = it
	return it, nil
}

// allowedLevels are the access levels a link on it may have: the enterprise's, narrowed by any
// restricting folder at or above it. The root folder allows none ("sharing is not allowed at
// that level" [OA allowed_shared_link_access_levels]).
func (s *Server) allowedLevels(it *item) []string {
	if it.root {
		return []string{}
	}
	out := slices.Clone(it.owner.ent.allowed)
	for p := it; p != nil; p = p.parent {
		if p.allowed != nil {
			out = slices.DeleteFunc(out, func(a string) bool { return !slices.Contains(p.allowed, a) })
		}
	}
	return out
}

// effectiveAccess is what applies after policy: the link's level if it is still allowed, else
// the most open allowed level that is stricter than it ("can be a more restrictive access level
// than the value in the access field" [OA]).
func (s *Server) effectiveAccess(it *item, l *link) string {
	allowed := s.allowedLevels(it)
	if slices.Contains(allowed, l.access) {
		return l.access
	}
	for _, a := range accessOrder[rank(l.access)+1:] {
		if slices.Contains(allowed, a) {
			return a
		}
	}
	return AccessCollaborators
}

// effectivePermission is the most the link lets a viewer do, after the admin's edit-link
// setting: can_edit, can_download or can_preview [OA].
func (s *Server) effectivePermission(it *item, l *link) string {
	switch {
	case l.canEdit && l.canDownload && it.typ == TypeFile && it.owner.ent.editLinks:
		return "can_edit"
	case l.canDownload:
		return "can_download"
	}
	return "can_preview"
}

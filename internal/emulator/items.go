package emulator

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// graphTime formats a time as Graph does (UTC, RFC 3339, no fraction when whole).
func graphTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func identityOf(u *user) map[string]any {
	if u == nil {
		return map[string]any{"displayName": "System Account"}
	}
	return map[string]any{"id": u.id, "displayName": u.displayName}
}

func userJSON(u *user) map[string]any {
	m := map[string]any{"id": u.id, "displayName": u.displayName, "userPrincipalName": u.upn}
	if u.mail != "" {
		m["mail"] = u.mail
	} else {
		m["mail"] = nil
	}
	return m
}

func (s *Server) driveOwner(d *drive) map[string]any {
	switch {
	case d.owner != nil:
		return map[string]any{"user": identityOf(d.owner)}
	case d.groupID != "":
		return map[string]any{"group": map[string]any{"id": d.groupID, "displayName": d.groupName}}
	}
	return map[string]any{"user": identityOf(nil)}
}

// driveJSON renders a drive resource.
func (s *Server) driveJSON(d *drive) map[string]any {
	used := treeSize(d.root)
	total := int64(1) << 40
	return map[string]any{
		"id":                   d.id,
		"name":                 d.name,
		"driveType":            d.driveType,
		"webUrl":               d.webURL,
		"createdDateTime":      graphTime(d.created),
		"lastModifiedDateTime": graphTime(d.root.modified),
		"description":          "",
		"owner":                s.driveOwner(d),
		"quota": map[string]any{
			"total": total, "used": used, "remaining": total - used, "deleted": 0, "state": "normal",
		},
	}
}

func parentRef(it *item) map[string]any {
	d := it.drive
	ref := map[string]any{"driveId": d.id, "driveType": d.driveType}
	if p := it.parent; p != nil {
		ref["id"] = p.id
		ref["path"] = "/drives/" + d.id + "/root:" + itemPath(p)
		if p.parent != nil {
			ref["name"] = p.name
		}
	}
	return ref
}

// itemJSON renders a driveItem with the facets Graph sends for files, folders and the root.
func (s *Server) itemJSON(it *item) map[string]any {
	d := it.drive
	owner := map[string]any{"user": identityOf(d.owner)}
	m := map[string]any{
		"id":                   it.id,
		"name":                 it.name,
		"size":                 treeSize(it),
		"webUrl":               it.webURL,
		"createdDateTime":      graphTime(it.created),
		"lastModifiedDateTime": graphTime(it.modified),
		"eTag":                 fmt.Sprintf("\"{%s},1\"", it.id),
		"createdBy":            owner,
		"lastModifiedBy":       owner,
		"parentReference":      parentRef(it),
		"fileSystemInfo": map[string]any{
			"createdDateTime": graphTime(it.created), "lastModifiedDateTime": graphTime(it.modified),
		},
	}
	if it.folder {
		m["folder"] = map[string]any{"childCount": len(it.children)}
	} else {
		sum := sha1.Sum([]byte(it.id))
		m["cTag"] = fmt.Sprintf("\"c:{%s},1\"", it.id)
		m["file"] = map[string]any{"mimeType": it.mime, "hashes": map[string]any{
			"quickXorHash": base64.StdEncoding.EncodeToString(sum[:20]),
		}}
	}
	if it.parent == nil {
		m["root"] = map[string]any{}
	}
	if sh := s.sharedFacet(it); sh != nil {
		m["shared"] = sh
	}
	return m
}

// sharedFacet reports the widest link scope on the item itself (anonymous > organization > users).
func (s *Server) sharedFacet(it *item) map[string]any {
	rank := map[string]int{"users": 1, "organization": 2, "anonymous": 3}
	best := ""
	for _, p := range it.perms {
		if p.link != nil && rank[p.link.scope] > rank[best] {
			best = p.link.scope
		}
	}
	if best == "" {
		return nil
	}
	return map[string]any{"scope": best, "owner": map[string]any{"user": identityOf(it.drive.owner)}}
}

// serveItem answers GET item, with $expand=children inlining the first page of children (and
// children@odata.nextLink when there are more), as shares-get documents [SG].
func (s *Server) serveItem(c *reqCtx, it *item) *apiError {
	m := s.itemJSON(it)
	exp, e := expands(c)
	if e != nil {
		return e
	}
	if exp && it.folder {
		base := "/v1.0/drives/" + url.PathEscape(it.drive.id) + "/items/" + url.PathEscape(it.id) + "/children"
		pg, e := s.pageOf(c, it.id+"/children", len(it.children), base)
		if e != nil {
			return e
		}
		kids := make([]any, 0, pg.end-pg.start)
		for _, ch := range it.children[pg.start:pg.end] {
			kids = append(kids, s.itemJSON(ch))
		}
		m["children"] = kids
		if pg.next != "" {
			m["children@odata.nextLink"] = pg.next
		}
	}
	writeJSON(c.w, http.StatusOK, m)
	return nil
}

// expands reports whether $expand asks for children. permissions can't be expanded on a
// driveItem [LP]; other expansions are ignored.
func expands(c *reqCtx) (children bool, e *apiError) {
	for _, v := range queryValues(c.query, "$expand") {
		for _, part := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), "(")
			switch strings.ToLower(name) {
			case "children":
				children = true
			case "permissions":
				return false, badRequest("Expanding 'permissions' on a driveItem is not supported; list /permissions instead.")
			}
		}
	}
	return children, nil
}

func (s *Server) serveChildren(c *reqCtx, it *item) *apiError {
	if !it.folder {
		writeJSON(c.w, http.StatusOK, map[string]any{"value": []any{}})
		return nil
	}
	pg, e := s.pageOf(c, it.id+"/children", len(it.children))
	if e != nil {
		return e
	}
	vals := make([]any, 0, pg.end-pg.start)
	for _, ch := range it.children[pg.start:pg.end] {
		vals = append(vals, s.itemJSON(ch))
	}
	writeJSON(c.w, http.StatusOK, pg.wrap(vals))
	return nil
}

// visiblePerms lists an item's permissions: its own, then (OneDrive personal) the links it
// inherits from its ancestors, marked with inheritedFrom; OneDrive for Business and SharePoint
// never return inheritedFrom [PR], so there the owner's permission is listed instead.
func (s *Server) visiblePerms(it *item) []map[string]any {
	var out []map[string]any
	for _, p := range it.perms {
		out = append(out, s.permJSON(p, nil))
	}
	d := it.drive
	if d.driveType == DriveTypePersonal {
		for a := it.parent; a != nil; a = a.parent {
			for _, p := range a.perms {
				out = append(out, s.permJSON(p, a))
			}
		}
	} else if d.owner != nil {
		out = append(out, ownerPermJSON(d.owner))
	}
	return out
}

func ownerPermJSON(u *user) map[string]any {
	login := "i:0#.f|membership|" + lower(u.upn)
	ident := map[string]any{"id": u.id, "displayName": u.displayName, "email": u.mail}
	return map[string]any{
		"id":    "aTowIy5mfG1lbWJlcnNoaXB8" + base64.RawURLEncoding.EncodeToString([]byte(lower(u.upn))),
		"roles": []string{"owner"},
		"grantedToV2": map[string]any{
			"user":     ident,
			"siteUser": map[string]any{"id": "4", "displayName": u.displayName, "email": u.mail, "loginName": login},
		},
	}
}

// permJSON renders a permission. The password is never stored, so it cannot be echoed.
func (s *Server) permJSON(p *perm, inheritedFrom *item) map[string]any {
	m := map[string]any{"id": p.id, "roles": p.roles}
	if m["roles"] == nil {
		m["roles"] = []string{}
	}
	if p.shareID != "" {
		m["shareId"] = p.shareID
	}
	personal := p.item.drive.driveType == DriveTypePersonal
	if l := p.link; l != nil {
		lj := map[string]any{
			"type": l.typ, "scope": l.scope, "webUrl": l.webURL,
			"application": map[string]any{"id": l.app.ID, "displayName": l.app.DisplayName},
		}
		if l.webHTML != "" {
			lj["webHtml"] = l.webHTML
		}
		if l.preventsDownload {
			lj["preventsDownload"] = true
		}
		m["link"] = lj
		if personal {
			m["hasPassword"] = p.hasPassword // OneDrive personal only [PR]
		}
	}
	if !p.expires.IsZero() {
		m["expirationDateTime"] = graphTime(p.expires)
	}
	if len(p.grantedTo) > 0 {
		ids := make([]any, 0, len(p.grantedTo))
		for _, r := range p.grantedTo {
			ids = append(ids, map[string]any{"user": recipientIdentity(r)})
		}
		if p.link != nil {
			m["grantedToIdentitiesV2"] = ids
		} else {
			m["grantedToV2"] = ids[0]
		}
	}
	if inheritedFrom != nil {
		ref := map[string]any{"driveId": inheritedFrom.drive.id, "driveType": inheritedFrom.drive.driveType,
			"id": inheritedFrom.id, "path": "/drives/" + inheritedFrom.drive.id + "/root:" + itemPath(inheritedFrom)}
		m["inheritedFrom"] = ref
	}
	return m
}

func recipientIdentity(r recipient) map[string]any {
	if r.user != nil {
		return map[string]any{"id": r.user.id, "displayName": r.user.displayName, "email": r.user.mail}
	}
	id := map[string]any{}
	if r.email != "" {
		id["email"] = r.email
		id["displayName"] = r.email
	}
	if r.objectID != "" {
		id["id"] = r.objectID
	}
	if r.alias != "" && r.email == "" {
		id["displayName"] = r.alias
	}
	return id
}

func (s *Server) servePermissions(c *reqCtx, it *item) *apiError {
	all := s.visiblePerms(it)
	pg, e := s.pageOf(c, it.id+"/permissions", len(all))
	if e != nil {
		return e
	}
	vals := make([]any, 0, pg.end-pg.start)
	for _, p := range all[pg.start:pg.end] {
		vals = append(vals, p)
	}
	writeJSON(c.w, http.StatusOK, pg.wrap(vals))
	return nil
}

// servePermission gets or deletes one permission. Only the item's own permissions can be
// deleted (inheritedFrom must be null [PDEL]); delete answers 204 No Content.
func (s *Server) servePermission(c *reqCtx, it *item, id string) *apiError {
	for _, pj := range s.visiblePerms(it) {
		if !strings.EqualFold(pj["id"].(string), id) {
			continue
		}
		if c.r.Method == http.MethodGet || c.r.Method == http.MethodHead {
			writeJSON(c.w, http.StatusOK, pj)
			return nil
		}
		for _, p := range it.perms {
			if strings.EqualFold(p.id, id) {
				s.st.removePerm(p)
				c.w.WriteHeader(http.StatusNoContent)
				return nil
			}
		}
		return badRequest("Only permissions set on this item can be deleted; this one is inherited or the owner's.")
	}
	return notFound()
}

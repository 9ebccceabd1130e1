package emulator

import (
	"encoding/base64"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
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

// driveItemDoc is a driveItem as sent. It is a struct rather than a map because lists of
// children are the hot path (a page of 999 from a 100,000-file folder): encoding/json sorts and
// reflects every map, which costs several times as much.
type driveItemDoc struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	Size                 int64          `json:"size"`
	WebURL               string         `json:"webUrl"`
	CreatedDateTime      string         `json:"createdDateTime"`
	LastModifiedDateTime string         `json:"lastModifiedDateTime"`
	ETag                 string         `json:"eTag"`
	CTag                 string         `json:"cTag,omitempty"`
	CreatedBy            identitySetDoc `json:"createdBy"`
	LastModifiedBy       identitySetDoc `json:"lastModifiedBy"`
	ParentReference      itemRefDoc     `json:"parentReference"`
	FileSystemInfo       fileSystemDoc  `json:"fileSystemInfo"`
	Folder               *folderDoc     `json:"folder,omitempty"`
	File                 *fileDoc       `json:"file,omitempty"`
	Root                 *struct{}      `json:"root,omitempty"`
	Shared               map[string]any `json:"shared,omitzero"` // {} is sent: hierarchicalsharing's empty facet
	// Children and ChildrenNextLink are set by $expand=children [SG].
	Children         []any  `json:"children,omitzero"` // [] for an empty folder
	ChildrenNextLink string `json:"children@odata.nextLink,omitempty"`
	// DownloadURL is the short-lived pre-authenticated content URL of a file [OD driveitem].
	DownloadURL string `json:"@microsoft.graph.downloadUrl,omitempty"`
	// SharedChanged is delta's "@microsoft.graph.sharedChanged":"True" on items that changed
	// through their permissions, with Prefer: deltashowsharingchanges [delta doc].
	SharedChanged string `json:"@microsoft.graph.sharedChanged,omitempty"`
}

type identityDoc struct {
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName"`
}

type identitySetDoc struct {
	User identityDoc `json:"user"`
}

type itemRefDoc struct {
	DriveID   string `json:"driveId"`
	DriveType string `json:"driveType"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Path      string `json:"path,omitempty"`
}

type fileSystemDoc struct {
	CreatedDateTime      string `json:"createdDateTime"`
	LastModifiedDateTime string `json:"lastModifiedDateTime"`
}

type folderDoc struct {
	ChildCount int `json:"childCount"`
}

type fileDoc struct {
	MimeType string    `json:"mimeType"`
	Hashes   hashesDoc `json:"hashes"`
}

type hashesDoc struct {
	QuickXorHash string `json:"quickXorHash"`
	SHA1Hash     string `json:"sha1Hash,omitempty"`
	SHA256Hash   string `json:"sha256Hash,omitempty"`
}

func identityDocOf(u *user) identityDoc {
	if u == nil {
		return identityDoc{DisplayName: "System Account"}
	}
	return identityDoc{ID: u.id, DisplayName: u.displayName}
}

func parentRefDoc(it *item) itemRefDoc {
	d := it.drive
	ref := itemRefDoc{DriveID: d.id, DriveType: d.driveType}
	if p := it.parent; p != nil {
		ref.ID = p.id
		ref.Path = "/drives/" + d.id + "/root:" + itemPath(p)
		if p.parent != nil {
			ref.Name = p.name
		}
	}
	return ref
}

// itemJSON renders a driveItem with the facets Graph sends for files, folders and the root.
func (s *Server) itemJSON(it *item) *driveItemDoc {
	owner := identitySetDoc{User: identityDocOf(it.drive.owner)}
	created, modified := graphTime(it.created), graphTime(it.modified)
	m := &driveItemDoc{
		ID:                   it.id,
		Name:                 it.name,
		Size:                 treeSize(it),
		WebURL:               it.webURL,
		CreatedDateTime:      created,
		LastModifiedDateTime: modified,
		ETag:                 itemETag(it),
		CreatedBy:            owner,
		LastModifiedBy:       owner,
		ParentReference:      parentRefDoc(it),
		FileSystemInfo:       fileSystemDoc{CreatedDateTime: created, LastModifiedDateTime: modified},
	}
	if it.folder {
		m.Folder = &folderDoc{ChildCount: len(it.children)}
	} else {
		m.CTag = itemCTag(it)
		m.File = &fileDoc{MimeType: it.mime, Hashes: s.hashes(it)}
	}
	if it.parent == nil {
		m.Root = &struct{}{}
	}
	if sh := s.sharedFacet(it); sh != nil {
		m.Shared = sh
	}
	return m
}

// itemDoc is itemJSON with the request's @microsoft.graph.downloadUrl on files.
func (s *Server) itemDoc(c *reqCtx, it *item) *driveItemDoc {
	m := s.itemJSON(it)
	if !it.folder {
		m.DownloadURL = s.downloadURL(c, it, "")
	}
	return m
}

// sharedRank orders the shared facet's scopes, widest last.
var sharedRank = map[string]int{"users": 1, "organization": 2, "anonymous": 3}

// ownScope is the widest scope of the item's own permissions: a link's scope, "users" for a
// direct grant or an invitation; "" when it has none.
func ownScope(it *item) string {
	best := ""
	for _, p := range it.perms {
		sc := "users"
		if p.link != nil {
			sc = p.link.scope
		}
		if sharedRank[sc] > sharedRank[best] {
			best = sc
		}
	}
	return best
}

// sharedFacet reports the widest scope of the item's own permissions (anonymous >
// organization > users) [shared resource: one scope per item].
func (s *Server) sharedFacet(it *item) map[string]any {
	if sc := ownScope(it); sc != "" {
		return sharedFacetOf(it, sc)
	}
	return nil
}

func sharedFacetOf(it *item, scope string) map[string]any {
	return map[string]any{"scope": scope, "owner": map[string]any{"user": identityOf(it.drive.owner)}}
}

// serveItem answers GET item, with $expand=children inlining the first page of children (and
// children@odata.nextLink when there are more), as shares-get documents [SG].
func (s *Server) serveItem(c *reqCtx, it *item) *apiError {
	m := s.itemDoc(c, it)
	exp, e := expands(c)
	if e != nil {
		return e
	}
	sel, e := parseSelect(c, driveItemSelectable, "driveItem")
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
			kids = append(kids, s.itemDoc(c, ch))
		}
		m.Children = kids
		m.ChildrenNextLink = pg.next
		if sel != nil {
			sel = append(sel, "children", "children@odata.nextlink")
		}
	}
	if sel != nil {
		writeJSON(c.w, http.StatusOK, selectStruct(m, sel))
		return nil
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
	sel, e := parseSelect(c, driveItemSelectable, "driveItem")
	if e != nil {
		return e
	}
	pg, e := s.pageOf(c, it.id+"/children", len(it.children))
	if e != nil {
		return e
	}
	vals := make([]any, 0, pg.end-pg.start)
	for _, ch := range it.children[pg.start:pg.end] {
		if sel != nil {
			vals = append(vals, selectStruct(s.itemDoc(c, ch), sel))
		} else {
			vals = append(vals, s.itemDoc(c, ch))
		}
	}
	writeJSON(c.w, http.StatusOK, pg.wrap(vals))
	return nil
}

// visiblePerms lists an item's permissions: its own, then the permissions it inherits from its
// ancestors (links, grants and invitations), nearest ancestor first [LP]. OneDrive personal marks
// inherited ones with inheritedFrom; OneDrive for Business and SharePoint never return
// inheritedFrom [PR], so there a folder's links are listed again, unmarked, on every child that
// inherits them (as real business drives do, corso#3708), followed by the owner's permission.
func (s *Server) visiblePerms(it *item) []map[string]any {
	refs := s.permRefs(it)
	out := make([]map[string]any, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.json(s))
	}
	return out
}

// permRefs is visiblePerms before rendering.
func (s *Server) permRefs(it *item) []permRef {
	var out []permRef
	for _, p := range it.perms {
		out = append(out, permRef{p: p})
	}
	for a := it.parent; a != nil; a = a.parent {
		for _, p := range a.perms {
			out = append(out, permRef{p: p, from: a})
		}
	}
	if d := it.drive; d.driveType != DriveTypePersonal && d.owner != nil {
		out = append(out, permRef{owner: ownerPermJSON(d.owner)})
	}
	return out
}

func ownerPermJSON(u *user) map[string]any {
	ident := map[string]any{"id": u.id, "displayName": u.displayName, "email": u.mail}
	return map[string]any{
		"id":          "aTowIy5mfG1lbWJlcnNoaXB8" + base64.RawURLEncoding.EncodeToString([]byte(lower(u.upn))),
		"roles":       []string{"owner"},
		"grantedToV2": map[string]any{"user": ident, "siteUser": siteUserOf(u, "4")},
	}
}

// siteUserOf is a tenant user as a SharePoint site user (grantedToV2.siteUser on business drives
// [PR, INV samples]); the owner is site user 4, others get a stable number from their UPN.
func siteUserOf(u *user, id string) map[string]any {
	if id == "" {
		h := fnv.New32a()
		h.Write([]byte(lower(u.upn)))
		id = strconv.Itoa(10 + int(h.Sum32()%9000))
	}
	return map[string]any{"id": id, "displayName": u.displayName, "email": u.mail, "loginName": "i:0#.f|membership|" + lower(u.upn)}
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
	} else if personal && p.hasPassword {
		m["hasPassword"] = true // an invitation with a password [INV]
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
			g := ids[0].(map[string]any)
			if r := p.grantedTo[0]; r.user != nil && !personal {
				g["siteUser"] = siteUserOf(r.user, "")
			}
			m["grantedToV2"] = g
		}
	}
	if inv := p.invitation; inv != nil {
		ij := map[string]any{"email": inv.email, "signInRequired": inv.signInRequired}
		if inv.invitedBy != nil {
			ij["invitedBy"] = map[string]any{"user": identityOf(inv.invitedBy)}
		}
		m["invitation"] = ij
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
	sel, e := parseSelect(c, permissionSelectable, "permission")
	if e != nil {
		return e
	}
	all := s.visiblePerms(it)
	pg, e := s.pageOf(c, it.id+"/permissions", len(all))
	if e != nil {
		return e
	}
	vals := make([]any, 0, pg.end-pg.start)
	for _, p := range all[pg.start:pg.end] {
		if sel != nil {
			p = selectMap(p, sel)
		}
		vals = append(vals, p)
	}
	writeJSON(c.w, http.StatusOK, pg.wrap(vals))
	return nil
}

package box

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Standard fields, in Box's order, as the File, Folder and Web link resources list them [OA].
// Box's standard answers include shared_link, which is why Box's SDKs (that never send fields
// for the shared-link calls) still see the link.
var standardFields = map[string][]string{
	TypeFile: {"type", "id", "etag", "sequence_id", "name", "sha1", "file_version", "description", "size",
		"path_collection", "created_at", "modified_at", "trashed_at", "purged_at", "content_created_at",
		"content_modified_at", "created_by", "modified_by", "owned_by", "shared_link", "parent", "item_status"},
	TypeFolder: {"type", "id", "sequence_id", "etag", "name", "created_at", "modified_at", "description", "size",
		"path_collection", "created_by", "modified_by", "trashed_at", "purged_at", "content_created_at",
		"content_modified_at", "owned_by", "shared_link", "folder_upload_email", "parent", "item_status",
		"item_collection"},
	TypeWebLink: {"type", "id", "sequence_id", "etag", "name", "url", "parent", "description", "path_collection",
		"created_at", "modified_at", "trashed_at", "purged_at", "created_by", "modified_by", "owned_by",
		"shared_link", "item_status"},
}

// miniFields are the mini representations: folder entries, path_collection members.
var miniFields = map[string][]string{
	TypeFile:    {"type", "id", "etag", "sequence_id", "name", "sha1", "file_version"},
	TypeFolder:  {"type", "id", "etag", "sequence_id", "name"},
	TypeWebLink: {"type", "id", "etag", "sequence_id", "name", "url"},
}

// baseFields are what a fields= answer starts with: "the mini/base representation plus the
// named fields" [OA fields]; Box's own examples answer fields=shared_link with type, id, etag.
var baseFields = []string{"type", "id", "etag"}

// parseFields reads fields=a,b (nil when absent: the standard representation).
func parseFields(c *reqCtx) []string {
	vs, ok := c.query["fields"]
	if !ok {
		return nil
	}
	out := []string{}
	for _, v := range vs {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// selectFields is the list of members to send for it: its standard ones without fields,
// else the base ones plus those asked for (unknown names are ignored, as Box ignores them).
func selectFields(typ string, fields []string) []string {
	if fields == nil {
		return standardFields[typ]
	}
	out := slices.Clone(baseFields)
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// boxTime writes t in the user's zone with its offset, as Box does ("2012-12-12T10:53:43-08:00").
func boxTime(t time.Time, u *user) any {
	if t.IsZero() {
		return nil
	}
	return t.In(u.tz).Truncate(time.Second).Format(time.RFC3339)
}

func userMini(u *user) obj {
	return obj{{"type", "user"}, {"id", u.id}, {"name", u.name}, {"login", u.login}}
}

// itemJSON renders it for the caller of c with the given fields (nil = standard).
func (s *Server) itemJSON(c *reqCtx, it *item, g *grant, fields []string) obj {
	names := selectFields(it.typ, fields)
	o := make(obj, 0, len(names))
	for _, f := range names {
		if v, ok := s.field(c, it, g, f); ok {
			o = append(o, kv{f, v})
		}
	}
	return o
}

// miniJSON renders a mini representation (folder entries), with any extra fields asked for.
func (s *Server) miniJSON(c *reqCtx, it *item, g *grant, fields []string) obj {
	names := miniFields[it.typ]
	if fields != nil {
		names = selectFields(it.typ, fields)
	}
	o := make(obj, 0, len(names))
	for _, f := range names {
		if v, ok := s.field(c, it, g, f); ok {
			o = append(o, kv{f, v})
		}
	}
	return o
}

// field computes one member of an item's JSON; ok is false for a name that type doesn't have.
func (s *Server) field(c *reqCtx, it *item, g *grant, name string) (any, bool) {
	u := c.user
	etag := any(strconv.Itoa(it.etag))
	if it.root {
		etag = nil
	}
	switch name {
	case "type":
		return it.typ, true
	case "id":
		return it.id, true
	case "etag", "sequence_id":
		return etag, true
	case "name":
		return it.name, true
	case "description":
		return "", true
	case "created_at", "modified_at", "content_created_at", "content_modified_at":
		if it.root {
			return nil, true
		}
		if it.typ == TypeWebLink && strings.HasPrefix(name, "content_") {
			return nil, false
		}
		t := it.modified
		if strings.Contains(name, "created") {
			t = it.created
		}
		return boxTime(t, u), true
	case "trashed_at", "purged_at":
		return nil, true
	case "item_status":
		return "active", true
	case "created_by", "modified_by", "owned_by":
		return userMini(it.owner), true
	case "parent":
		// Through its own link a file or folder shows no parent; a web link always has one
		// (Box's Web link resource has no null parent [OA WebLink]).
		if it.parent == nil || (g.link != nil && it == g.link && it.typ != TypeWebLink) {
			return nil, true
		}
		return s.miniFolder(c, it.parent), true
	case "path_collection":
		entries := []any{}
		for _, p := range s.visiblePath(c, it, g) {
			entries = append(entries, s.miniFolder(c, p))
		}
		return obj{{"total_count", len(entries)}, {"entries", entries}}, true
	case "shared_link":
		if it.root || c.noLink {
			return nil, true
		}
		return s.sharedLinkJSON(c, it, g), true
	case "size":
		if it.typ == TypeWebLink {
			return nil, false
		}
		return s.size(it), true
	case "sha1":
		if it.typ != TypeFile {
			return nil, false
		}
		return s.st.sha1Of(it.size, it.version), true
	case "file_version":
		if it.typ != TypeFile {
			return nil, false
		}
		return obj{{"type", "file_version"}, {"id", fileVersionID(it)}, {"sha1", s.st.sha1Of(it.size, it.version)}}, true
	case "url":
		if it.typ != TypeWebLink {
			return nil, false
		}
		return it.url, true
	case "folder_upload_email":
		if it.typ != TypeFolder {
			return nil, false
		}
		return nil, true
	case "item_collection":
		if it.typ != TypeFolder {
			return nil, false
		}
		entries := []any{}
		l := s.rootOrder(c, it, "name", "ASC")
		for _, ch := range l.page(s, 0, defaultLimit) {
			entries = append(entries, s.miniJSON(c, ch, s.childGrant(c, ch, g), nil))
		}
		return obj{{"total_count", l.len()}, {"entries", entries}, {"offset", 0}, {"limit", defaultLimit},
			{"order", defaultOrder("name", "ASC")}}, true
	case "allowed_shared_link_access_levels":
		return s.allowedLevels(it), true
	case "has_collaborations":
		return len(it.collabs) > 0, true
	case "is_accessible_via_shared_link":
		return g.link != nil, true
	case "shared_link_permission_options":
		// A File (Full) field only [OA File--Full; /shared_items: "can be returned by
		// requesting it in the fields query parameter"]; folders and web links don't have it.
		if it.typ != TypeFile {
			return nil, false
		}
		opts := []string{"can_preview", "can_download"}
		if it.owner.ent.editLinks {
			opts = append(opts, "can_edit")
		}
		return opts, true
	case "permissions":
		// The members of File (Full) and Folder (Full) permissions [OA]; web links have no
		// permissions field [OA WebLink].
		share := g.manage && !it.root
		switch it.typ {
		case TypeFile:
			return obj{{"can_delete", g.manage}, {"can_download", g.download}, {"can_invite_collaborator", g.manage},
				{"can_rename", g.manage}, {"can_set_share_access", share}, {"can_share", share},
				{"can_annotate", g.link == nil}, {"can_comment", g.link == nil}, {"can_preview", true}, {"can_upload", g.manage},
				{"can_view_annotations_all", g.link == nil}, {"can_view_annotations_self", true}}, true
		case TypeFolder:
			return obj{{"can_delete", g.manage}, {"can_download", g.download}, {"can_invite_collaborator", g.manage},
				{"can_rename", g.manage}, {"can_set_share_access", share}, {"can_share", share}, {"can_upload", g.manage}}, true
		}
		return nil, false
	}
	return nil, false
}

// size of a folder is the total of what it holds; of a file, its own.
func (s *Server) size(it *item) int64 {
	if it.typ != TypeFolder {
		return it.size
	}
	var n int64
	for _, ch := range it.children {
		n += s.size(ch)
	}
	if it.gen != nil {
		n += int64(it.gen.count) * it.gen.size
	}
	return n
}

func (s *Server) miniFolder(c *reqCtx, f *item) obj {
	etag := any(strconv.Itoa(f.etag))
	if f.root {
		etag = nil
	}
	return obj{{"type", TypeFolder}, {"id", f.id}, {"sequence_id", etag}, {"etag", etag}, {"name", f.name}}
}

// visiblePath is the path_collection the caller sees: from All Files for the owner; for a
// collaborator All Files (their own) then the collaborated folder down; for a link viewer,
// the shared folder down.
func (s *Server) visiblePath(c *reqCtx, it *item, g *grant) []*item {
	anc := it.ancestors()
	switch {
	case g.link != nil:
		i := slices.Index(anc, g.link)
		if i < 0 {
			return nil
		}
		return anc[i:]
	case g.owner:
		return anc
	}
	top := topCollab(c.user, it)
	i := slices.Index(anc, top)
	if i < 0 {
		return []*item{c.user.root}
	}
	return append([]*item{c.user.root}, anc[i:]...)
}

// childGrant is the caller's grant on a child of a folder it was listed through.
func (s *Server) childGrant(c *reqCtx, ch *item, parent *grant) *grant {
	if parent.link != nil {
		if g := ownGrant(c.user, ch); g != nil {
			return g
		}
		return parent
	}
	if g := ownGrant(c.user, ch); g != nil {
		return g
	}
	return parent
}

// sharedLinkJSON is the item's shared_link object, or nil when it has none or the caller may
// not manage it: reading a link needs write access, and read-only callers get null
// (box/box-python-sdk#605).
func (s *Server) sharedLinkJSON(c *reqCtx, it *item, g *grant) any {
	l := s.linkOf(it)
	if l == nil || !g.manage {
		return nil
	}
	e := it.owner.ent
	base := "https://" + e.host()
	var dl, vURL, vName any
	if it.typ == TypeFile && e.paid() {
		ext := ""
		if i := strings.LastIndexByte(it.name, '.'); i > 0 {
			ext = strings.ToLower(it.name[i:])
		}
		dl = base + "/shared/static/" + l.token + ext
	}
	if l.vanity != "" {
		vURL, vName = base+"/v/"+l.vanity, l.vanity
	}
	var unshared any
	if !l.unsharedAt.IsZero() {
		unshared = boxTime(l.unsharedAt, it.owner)
	}
	canEdit := l.canEdit && it.typ == TypeFile && l.access != AccessCollaborators
	return obj{{"url", base + "/s/" + l.token}, {"download_url", dl}, {"vanity_url", vURL}, {"vanity_name", vName},
		{"effective_access", s.effectiveAccess(it, l)}, {"effective_permission", s.effectivePermission(it, l)},
		{"is_password_enabled", l.password != ""}, {"unshared_at", unshared},
		{"download_count", l.downloads}, {"preview_count", l.previews}, {"access", l.access},
		{"permissions", obj{{"can_preview", true}, {"can_download", l.canDownload}, {"can_edit", canEdit}}}}
}

// getItem answers GET /{files|folders|web_links}/{id}, honouring If-None-Match (304).
func (s *Server) getItem(c *reqCtx, it *item, g *grant) *apiError {
	if inm := c.r.Header.Get("If-None-Match"); inm != "" && !it.root && strings.Trim(inm, `"`) == strconv.Itoa(it.etag) {
		c.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	writeJSON(c.w, http.StatusOK, s.itemJSON(c, it, g, parseFields(c)))
	return nil
}

// serveSharedItem answers GET /shared_items: the item the BoxApi header's link names, for any
// caller with a token the link's audience admits [OA, G-SL find-for-item]. It never lists a
// folder's items.
func (s *Server) serveSharedItem(c *reqCtx) *apiError {
	if c.r.Header.Get("BoxApi") == "" {
		return invalidParam("boxapi", "The BoxApi header is required: shared_link=URL[&shared_link_password=PASSWORD].")
	}
	it, e := s.resolveLink(c)
	if e != nil {
		return e
	}
	g := ownGrant(c.user, it)
	if g == nil {
		g = &grant{download: s.linkOf(it).canDownload, link: it}
	}
	return s.getItem(c, it, g)
}

// userFull is GET /users/me: the User (Full) resource. A free account's user has no enterprise.
func (s *Server) userFull(c *reqCtx, u *user) obj {
	o := obj{{"type", "user"}, {"id", u.id}, {"name", u.name}, {"login", u.login},
		{"created_at", boxTime(u.created, u)}, {"modified_at", boxTime(u.created, u)},
		{"language", "en"}, {"timezone", u.tzName}, {"space_amount", int64(10) << 40}, {"space_used", s.size(u.root)},
		{"max_upload_size", int64(5) << 30}, {"status", "active"}, {"job_title", ""}, {"phone", ""}, {"address", ""},
		{"avatar_url", "https://app.box.com/api/avatar/large/" + u.id}, {"notification_email", nil}, {"role", u.role}}
	if u.ent.paid() {
		o = append(o, kv{"enterprise", obj{{"id", u.ent.id}, {"type", "enterprise"}, {"name", u.ent.name}}})
	} else {
		o = append(o, kv{"enterprise", nil})
	}
	if f := parseFields(c); f != nil {
		keep := obj{}
		for _, m := range o {
			if m.k == "type" || m.k == "id" || slices.Contains(f, m.k) {
				keep = append(keep, m)
			}
		}
		return keep
	}
	return o
}

// download is a pending download URL, valid 15 minutes [G-API expiration], for the content
// version it was issued for.
type download struct {
	item    *item
	size    int64
	version int
	expires time.Time
}

// serveContent answers GET /files/{id}/content with 302 to a short-lived download URL, as Box
// does (to dl.boxcloud.com there; to this server's /box-downloads/ here, or to the origin
// SetDownloadOrigin names). A caller who may only preview gets 403; a download through a shared
// link counts in its download_count.
func (s *Server) serveContent(c *reqCtx, it *item, g *grant) *apiError {
	if !g.download {
		return forbidden("The shared link does not allow downloads.")
	}
	if g.link != nil {
		if l := s.linkOf(g.link); l != nil {
			l.downloads++
		}
	}
	tok := s.randToken(40, alnum)
	s.dlTokens[tok] = download{item: it, size: it.size, version: it.version, expires: s.now().Add(15 * time.Minute)}
	origin := s.dlOrigin
	if origin == "" {
		origin = kit.RequestOrigin(c.r)
	}
	c.w.Header().Set("Location", origin+downloadPath+tok)
	c.w.WriteHeader(http.StatusFound)
	return nil
}

// serveDownload serves the bytes behind a download URL, no token needed, as on dl.boxcloud.com:
// the content version the URL was issued for, with Range (one range: 206 with Content-Range;
// past the end 416 with "bytes */size"; several ranges or a malformed header get the whole file)
// unless SetIgnoreRange, which answers 200 with everything. An unknown or expired URL is 404.
// Fault rules whose path matches /box-downloads/** apply (truncate sends the full
// Content-Length and half the bytes, then drops the connection); SetCorruptDownloads flips a bit
// of each body's first byte. Downloads are recorded, and their bytes counted in
// Stats.DownloadBytes.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, tok string) {
	rec := kit.RecordedRequest{Method: r.Method, RawURI: r.RequestURI, Header: r.Header.Clone()}
	if rec.RawURI == "" {
		rec.RawURI = r.URL.RequestURI()
	}
	s.countStat(func(st *Stats) { st.Requests++ })
	sw := &kit.StatusWriter{ResponseWriter: w, OnStatus: s.rec.Start(rec)}
	plain := func(status int, msg string) {
		sw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		sw.WriteHeader(status)
		_, _ = io.WriteString(sw, msg+"\n")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sw.Header().Set("Allow", "GET, HEAD")
		plain(http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	f := s.faults.Pick(r.Method, r.URL.EscapedPath(), false, s.randFloat)
	if f != nil && !f.Truncate {
		if answered, _ := f.Apply(sw, r, func(w http.ResponseWriter, status int) {
			w.WriteHeader(status)
		}); answered {
			return
		}
	}
	s.mu.Lock()
	d, ok := s.dlTokens[tok]
	if ok && !s.now().Before(d.expires) {
		delete(s.dlTokens, tok)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		plain(http.StatusNotFound, "download URL unknown or expired")
		return
	}
	h := sw.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(d.item.name))
	from, to, ok := kit.ContentHeader(sw, r, d.size, s.ignoreRange.Load())
	if !ok {
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	var out io.Writer = sw
	if s.corrupt.Load() {
		out = &kit.FlipFirst{W: sw}
	}
	cw := &kit.CountingWriter{W: out, Add: func(n int64) { s.countStat(func(st *Stats) { st.DownloadBytes += n }) }}
	if f != nil && f.Truncate {
		_ = writeContent(cw, d.version, from, from+(to-from)/2)
		kit.CutShort(w)
		return
	}
	_ = writeContent(cw, d.version, from, to)
}

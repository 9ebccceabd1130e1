package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// shareTarget is what a /shares/{token} resolves to: the shared item, and the link permission
// when the token named a link (nil when it was the encoded webUrl of the item itself).
type shareTarget struct {
	id   string
	item *item
	perm *perm
}

// resolveShare decodes a share token. "u!" + unpadded base64url of a URL is a sharing URL [SG]
// (padding is tolerated); it is matched against link webUrls, then item webUrls. Anything else is
// an opaque shareId, matched against permissions' shareId (the "s!" form is undocumented and
// treated the same way [SG notes]).
func (s *Server) resolveShare(token string) (*shareTarget, *apiError) {
	if token == "" {
		return nil, badRequest("The share id is empty.")
	}
	if len(token) > 2 && strings.EqualFold(token[:2], "u!") {
		enc := strings.TrimRight(token[2:], "=")
		b, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil {
			return nil, badRequest("The share id is not a valid encoded sharing URL (want \"u!\" + unpadded base64url).")
		}
		u, err := url.Parse(string(b))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, badRequest("The encoded sharing URL is not an absolute http(s) URL.")
		}
		k := normURL(string(b))
		if p := s.st.links[k]; p != nil {
			id := p.shareID
			if id == "" {
				id = token
			}
			return &shareTarget{id: id, item: p.item, perm: p}, nil
		}
		if it := s.st.itemURLs[k]; it != nil {
			return &shareTarget{id: token, item: it}, nil
		}
		return nil, notFound()
	}
	if p := s.st.shareIDs[token]; p != nil {
		return &shareTarget{id: token, item: p.item, perm: p}, nil
	}
	return nil, notFound()
}

// checkAccess applies the link's audience: expired links grant nothing; organization links need a
// tenant user; specific-people links need a recipient or the owner; app-only callers pass any
// unexpired link. Access through an item's own webUrl is not checked (the emulator has no ACLs).
func (s *Server) checkAccess(c *reqCtx, t *shareTarget) *apiError {
	p := t.perm
	if p == nil || p.link == nil {
		return nil
	}
	if !p.expires.IsZero() && !p.expires.After(s.now()) {
		return errf(http.StatusForbidden, codeAccessDenied, "The sharing link has expired.")
	}
	if c.appOnly {
		// Application permissions (Files.Read.All and up) reach every item in the tenant, so
		// the link's audience does not limit an app-only caller; expiry still does.
		return nil
	}
	var caller *user
	if c.userID != "" {
		caller = s.st.user(c.userID)
	}
	owner := p.item.drive.owner
	switch p.link.scope {
	case "organization":
		if caller == nil {
			return errf(http.StatusForbidden, codeAccessDenied, "The sharing link is for people in the organization.")
		}
	case "users":
		if caller != nil && caller == owner {
			return nil
		}
		for _, r := range p.grantedTo {
			if caller != nil && r.user == caller {
				return nil
			}
		}
		return errf(http.StatusForbidden, codeAccessDenied, "The sharing link is for specific people only.")
	}
	return nil
}

// preferApplied echoes the Prefer values shares-get honours [SG] in Preference-Applied.
func preferApplied(c *reqCtx) {
	var applied []string
	for _, h := range c.r.Header.Values("Prefer") {
		for _, v := range strings.Split(h, ",") {
			v = strings.TrimSpace(v)
			switch strings.ToLower(v) {
			case "redeemsharinglink":
				applied = append(applied, "redeemSharingLink")
			case "redeemsharinglinkifnecessary":
				applied = append(applied, "redeemSharingLinkIfNecessary")
			}
		}
	}
	if len(applied) > 0 {
		c.w.Header().Set("Preference-Applied", strings.Join(applied, ", "))
	}
}

// routeShares handles /shares/{token}[/driveItem|/root|/items/{id}|/permission][/children].
func (s *Server) routeShares(c *reqCtx, segs []seg) *apiError {
	if len(segs) == 0 {
		return badRequest("Listing shares is not emulated; use /shares/{shareIdOrEncodedSharingUrl}.")
	}
	t, e := s.resolveShare(segs[0].name)
	if e != nil {
		return e
	}
	if e := s.checkAccess(c, t); e != nil {
		return e
	}
	preferApplied(c)
	rest := segs[1:]
	if len(rest) == 0 {
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		writeJSON(c.w, http.StatusOK, s.sharedDriveItemJSON(t))
		return nil
	}
	personal := t.item.drive.driveType == DriveTypePersonal
	it := t.item
	switch {
	case is(rest[0], "driveItem"):
		rest = rest[1:]
	case is(rest[0], "root"):
		// root (like items) is a OneDrive personal relationship, deprecated for driveItem [SDI].
		// The relationship exists in the metadata, so this is a bad request, not a missing one.
		if !personal {
			return badRequest("The 'root' relationship of a sharedDriveItem is only available on OneDrive personal; use 'driveItem'.")
		}
		rest = rest[1:]
	case is(rest[0], "items"):
		if !personal {
			return badRequest("The 'items' relationship of a sharedDriveItem is only available on OneDrive personal; use 'driveItem'.")
		}
		if len(rest) < 2 {
			return badRequest("The items of a share cannot be enumerated; use driveItem/children.")
		}
		it = s.st.item(rest[1].name)
		if it == nil || !isAncestor(t.item, it) {
			return notFound()
		}
		rest = rest[2:]
	case is(rest[0], "permission") && len(rest) == 2 && isAction(rest[1], "grant"):
		if e := allow(c, http.MethodPost); e != nil {
			return e
		}
		if t.perm == nil {
			return notFound()
		}
		return s.grant(c, t.perm)
	case is(rest[0], "permission") && len(rest) == 1:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		if t.perm == nil {
			return notFound()
		}
		writeJSON(c.w, http.StatusOK, s.permJSON(t.perm, nil))
		return nil
	default:
		return segmentNotFound(rest[0])
	}
	switch {
	case len(rest) == 0:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveItem(c, it)
	case len(rest) == 1 && is(rest[0], "children"):
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveChildren(c, it)
	case len(rest) == 1 && is(rest[0], "content"):
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveContent(c, it)
	}
	return segmentNotFound(rest[0])
}

// sharedDriveItemJSON renders a sharedDriveItem: id (of the share), name, owner, webUrl [SDI].
func (s *Server) sharedDriveItemJSON(t *shareTarget) map[string]any {
	it := t.item
	m := map[string]any{
		"id":     t.id,
		"name":   it.name,
		"owner":  s.driveOwner(it.drive),
		"webUrl": it.webURL,
	}
	if it.parent == nil {
		m["name"] = it.drive.name
	}
	return m
}

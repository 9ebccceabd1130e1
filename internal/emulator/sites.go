package emulator

import (
	"net/http"
	"strings"
)

// SharePoint sites. A site is addressed by id (/sites/{site-id}, the id being
// "{hostname},{site-collection-id},{web-id}") or by path: /sites/{hostname}:/{server-relative-path}
// answers the site, and a colon after the path goes back to the resource model, as in
// /sites/{hostname}:/{server-relative-path}:/drive [SITE, SGP]. Only sites and their default
// library are emulated.

// site is one SharePoint site of the fixture.
type site struct {
	id, name, displayName string
	drive                 *drive
}

// host is the site collection's host name: the first part of the id, or the tenant's SharePoint
// host for ids of another shape.
func (st *store) siteHost(s *site) string {
	if h, _, ok := strings.Cut(s.id, ","); ok && strings.Contains(h, ".") {
		return lower(h)
	}
	return st.tenant + ".sharepoint.com"
}

// siteJSON is the site resource as Graph returns it [SITE].
func (st *store) siteJSON(s *site) map[string]any {
	host := st.siteHost(s)
	return map[string]any{
		"id":                   s.id,
		"name":                 s.name,
		"displayName":          s.displayName,
		"webUrl":               "https://" + host + "/sites/" + s.name,
		"createdDateTime":      graphTime(s.drive.created),
		"lastModifiedDateTime": graphTime(s.drive.root.modified),
		"siteCollection":       map[string]any{"hostname": host},
	}
}

// errSiteNotFound is Graph's answer for a site id or path that names no site.
func errSiteNotFound() *apiError {
	return errf(http.StatusNotFound, codeItemNotFound, "Requested site could not be found")
}

// routeSites handles /sites/... (segs after "sites").
func (s *Server) routeSites(c *reqCtx, segs []seg) *apiError {
	st := s.st
	if len(segs) == 0 || segs[0].name == "" {
		return badRequest("Listing and searching sites is not emulated.")
	}
	var found *site
	rest := segs[1:]
	if host, ok := strings.CutSuffix(segs[0].name, ":"); ok {
		// By path: the server-relative path runs to the segment that ends with ":" (what
		// follows is below the site), or to the end (the site itself).
		var path []string
		below := false
		for i, sg := range rest {
			p, last := strings.CutSuffix(sg.name, ":")
			path = append(path, p)
			if last {
				rest, below = rest[i+1:], true
				break
			}
		}
		if !below {
			rest = nil
		}
		if len(path) == 0 {
			return badRequest("The root site of a host is not emulated.")
		}
		for _, si := range st.siteList {
			if strings.EqualFold(st.siteHost(si), host) && strings.EqualFold(strings.Join(path, "/"), "sites/"+si.name) {
				found = si
			}
		}
	} else {
		for _, si := range st.siteList {
			if strings.EqualFold(si.id, segs[0].name) {
				found = si
			}
		}
	}
	if found == nil {
		return errSiteNotFound()
	}
	if len(rest) == 0 {
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		writeJSON(c.w, http.StatusOK, st.siteJSON(found))
		return nil
	}
	if !is(rest[0], "drive") {
		return segmentNotFound(rest[0])
	}
	return s.routeDrive(c, found.drive, rest[1:])
}

package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// permRef is one permission as an item sees it: its own (p set, from nil), inherited from an
// ancestor (p and from set), or the owner's (p nil, owner set; business drives and libraries,
// where it is synthesised from the drive's owner).
type permRef struct {
	p     *perm
	from  *item
	owner map[string]any
}

// json renders the permission. inheritedFrom is sent on OneDrive personal only: business drives
// and SharePoint never return it [PR].
func (r permRef) json(s *Server) map[string]any {
	if r.p == nil {
		return r.owner
	}
	from := r.from
	if from != nil && from.drive.driveType != DriveTypePersonal {
		from = nil
	}
	return s.permJSON(r.p, from)
}

// findPerm looks a permission id up among the item's visible permissions (case-insensitively,
// as Graph ids are).
func (s *Server) findPerm(it *item, id string) (permRef, bool) {
	for _, r := range s.permRefs(it) {
		pid := ""
		if r.p != nil {
			pid = r.p.id
		} else {
			pid, _ = r.owner["id"].(string)
		}
		if strings.EqualFold(pid, id) {
			return r, true
		}
	}
	return permRef{}, false
}

// errInherited answers a change to an inherited permission. Only permissions with a null
// inheritedFrom can be deleted [PDEL], and update is documented for the item's own permissions
// [PU]: 403 accessDenied, as for any change the caller may not make on this item [ERR].
func errInherited() *apiError {
	return errf(http.StatusForbidden, codeAccessDenied,
		"Inherited permissions can't be changed here; change them on the parent they are inherited from.")
}

func errOwnerPerm() *apiError {
	return errf(http.StatusForbidden, codeAccessDenied, "The owner's permission can't be changed or removed.")
}

// servePermission answers GET, PATCH and DELETE on {item}/permissions/{perm-id}.
//
//   - GET: 200 with the permission [PGET]; unknown ids 404 itemNotFound.
//   - DELETE: 204 No Content [PDEL]; an inherited permission (or the owner's) 403 accessDenied.
//     A deleted link no longer resolves through /shares (404).
//   - PATCH: see patchPermission.
func (s *Server) servePermission(c *reqCtx, it *item, id string) *apiError {
	var upd permUpdate
	if c.r.Method == http.MethodPatch {
		var e *apiError
		if upd, e = parsePermUpdate(c.body, s.now()); e != nil {
			return e
		}
	}
	ref, ok := s.findPerm(it, id)
	if !ok {
		return notFound()
	}
	switch c.r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(c.w, http.StatusOK, ref.json(s))
		return nil
	case http.MethodDelete:
		switch {
		case ref.p == nil:
			return errOwnerPerm()
		case ref.from != nil:
			return errInherited()
		case kit.Kept(c.r):
			c.w.WriteHeader(http.StatusNoContent) // as answered, yet nothing removed
			return nil
		}
		s.st.removePerm(ref.p)
		s.st.touchSharing(it, s.now())
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	switch {
	case ref.p == nil:
		return errOwnerPerm()
	case ref.from != nil:
		return errInherited()
	}
	if e := patchPermission(ref.p, upd); e != nil {
		return e
	}
	s.st.touchSharing(it, s.now())
	writeJSON(c.w, http.StatusOK, s.permJSON(ref.p, nil))
	return nil
}

// permUpdate is a parsed PATCH body. The *Set flags tell a member that was sent from one that
// was left out; expires is zero for a JSON null (remove the expiry).
type permUpdate struct {
	roles      []string
	rolesSet   bool
	expires    time.Time
	expiresSet bool
}

// parsePermUpdate checks a PATCH body: a JSON object whose only members are roles (an array of
// strings) and expirationDateTime (an RFC 3339 string in the future, or null). Anything else is
// 400 invalidRequest, as Graph rejects properties it can't bind.
func parsePermUpdate(body []byte, now time.Time) (permUpdate, *apiError) {
	var u permUpdate
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return u, badRequest("The request body must be a JSON object.")
	}
	if dec.More() {
		return u, badRequest("The request body must be a single JSON object.")
	}
	for k, v := range raw {
		switch k {
		case "roles":
			if err := json.Unmarshal(v, &u.roles); err != nil || u.roles == nil {
				return u, badRequest("The property 'roles' must be an array of strings.")
			}
			u.rolesSet = true
		case "expirationDateTime":
			u.expiresSet = true
			if string(v) == "null" {
				continue
			}
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				return u, badRequest("The property 'expirationDateTime' must be a string.")
			}
			t, err := time.Parse(time.RFC3339, str)
			if err != nil {
				return u, badRequest(fmt.Sprintf("The expirationDateTime '%s' is not a valid RFC 3339 date and time (yyyy-MM-ddTHH:mm:ssZ).", str))
			}
			if !t.After(now) {
				return u, badRequest(fmt.Sprintf("The expirationDateTime '%s' is in the past.", str))
			}
			u.expires = t.UTC()
		default:
			return u, badRequest(fmt.Sprintf("The property '%s' can't be updated on a permission; only roles and expirationDateTime can.", k))
		}
	}
	return u, nil
}

// patchPermission applies an update [PU]. Its table of supported properties is: roles on user
// permissions, expirationDateTime on anonymous sharing links; its remarks list organization and
// people (specific-people) sharing links as unsupported modifications. Hence:
//
//   - organization, users (and any other non-anonymous) links: 400 notSupported, whatever the
//     body (the code [ERR] documents for "the request is not supported by the system");
//   - anonymous links: roles can't change (400 invalidRequest; resending the current roles is
//     a no-op), expirationDateTime may be set, moved or removed (null);
//   - user permissions (direct grants and invitations): roles must be read or write;
//     expirationDateTime is 400 invalidRequest.
func patchPermission(p *perm, u permUpdate) *apiError {
	if l := p.link; l != nil {
		if l.scope != "anonymous" {
			return errf(http.StatusBadRequest, "notSupported",
				fmt.Sprintf("Sharing links with scope '%s' can't be modified; only the expirationDateTime of anonymous links can be changed.", l.scope))
		}
		if u.rolesSet && !sameRoles(u.roles, p.roles) {
			return badRequest("The roles of a sharing link can't be changed; create a link of the type you want instead.")
		}
		if u.expiresSet {
			p.expires = u.expires
		}
		return nil
	}
	if u.expiresSet {
		return badRequest("The expirationDateTime can only be changed on anonymous sharing links.")
	}
	if u.rolesSet {
		if len(u.roles) == 0 {
			return badRequest("The property 'roles' must name at least one role.")
		}
		for _, r := range u.roles {
			if r != "read" && r != "write" {
				return badRequest(fmt.Sprintf("The role '%s' is not valid here; use read or write.", r))
			}
		}
		p.roles = slices.Compact(slices.Clone(u.roles))
	}
	return nil
}

func sameRoles(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

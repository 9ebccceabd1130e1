package box

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// nullable is a request member that may be absent, null or a value.
type nullable struct {
	set  bool // present in the body
	null bool // present as null
	raw  json.RawMessage
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.set = true
	n.null = bytes.Equal(bytes.TrimSpace(b), []byte("null"))
	n.raw = slices.Clone(b)
	return nil
}

func (n nullable) str(name string) (string, *apiError) {
	var s string
	if err := json.Unmarshal(n.raw, &s); err != nil {
		return "", invalidParam(name, fmt.Sprintf("Invalid value '%s'. %s must be a string.", n.raw, name))
	}
	return s, nil
}

// linkRequest is the body's shared_link object [OA #add_shared_link request body].
type linkRequest struct {
	Access      nullable `json:"access"`
	Password    nullable `json:"password"`
	VanityName  nullable `json:"vanity_name"`
	UnsharedAt  nullable `json:"unshared_at"`
	Permissions *struct {
		CanDownload nullable `json:"can_download"`
		CanPreview  nullable `json:"can_preview"`
		CanEdit     nullable `json:"can_edit"`
	} `json:"permissions"`
}

func boolOf(n nullable, name string) (v, set bool, e *apiError) {
	if !n.set || n.null {
		return false, false, nil
	}
	if err := json.Unmarshal(n.raw, &v); err != nil {
		return false, false, invalidParam(name, fmt.Sprintf("Invalid value '%s'. %s must be a boolean.", n.raw, name))
	}
	return v, true, nil
}

// putItem answers PUT /{files|folders|web_links}/{id}: the only way to create, change or remove
// a shared link (POST does nothing of the kind, box/box-openapi#335). It answers 200 with the
// item every time, whether the link was made, changed or removed [OA]; with fields, the base
// representation plus those fields, else the standard one, shared_link included.
func (s *Server) putItem(c *reqCtx, it *item, g *grant) *apiError {
	if !g.manage {
		return forbidden("Only the owner, co-owners and editors can change an item's shared link.")
	}
	if im := c.r.Header.Get("If-Match"); im != "" && !it.root && strings.Trim(im, `"`) != strconv.Itoa(it.etag) {
		return errf(http.StatusPreconditionFailed, "precondition_failed", "The resource has been modified. Please retrieve the resource again and retry")
	}
	members := map[string]json.RawMessage{}
	if b := bytes.TrimSpace(c.body); len(b) > 0 {
		if err := json.Unmarshal(b, &members); err != nil {
			return badRequest("Could not parse the JSON body: " + err.Error())
		}
	}
	for k := range members {
		if k != "shared_link" {
			return invalidParam(k, fmt.Sprintf("The emulator changes shared_link only; %q is not emulated.", k))
		}
	}
	raw, ok := members["shared_link"]
	if ok {
		var e *apiError
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			if c.kept() {
				c.noLink = true
			} else if s.linkOf(it) != nil {
				s.dropLink(it)
				it.etag++
				s.countStat(func(st *Stats) { st.SharedLinks.Removed++ })
			}
		} else {
			e = s.setLink(c, it, raw)
		}
		if e != nil {
			return e
		}
	}
	writeJSON(c.w, http.StatusOK, s.itemJSON(c, it, g, parseFields(c)))
	return nil
}

// setLink creates or changes it's one shared link. Members left out keep their current value on
// an existing link (a new link gets the enterprise's defaults); null removes a password,
// vanity name or expiry. It refuses what Box refuses; see doc.go.
func (s *Server) setLink(c *reqCtx, it *item, raw json.RawMessage) *apiError {
	var req linkRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return invalidParam("shared_link", "Invalid value for shared_link: "+err.Error())
	}
	e := it.owner.ent
	allowed := s.allowedLevels(it)
	if len(allowed) == 0 {
		return forbidden("Shared links are not allowed on this item (allowed_shared_link_access_levels is empty).")
	}
	old := s.linkOf(it)
	paidOnly := func(what string) *apiError {
		return forbidden(what + " is only available to paid accounts.")
	}

	// access
	access := ""
	if req.Access.set && !req.Access.null {
		a, err := req.Access.str("access")
		if err != nil {
			return err
		}
		if !validAccess(a) {
			return invalidParam("access", fmt.Sprintf("Invalid value '%s'. access must be open, company or collaborators.", a))
		}
		if a == AccessCompany && !e.paid() {
			return paidOnly("The company access level")
		}
		if !slices.Contains(allowed, a) {
			return forbidden(fmt.Sprintf("The access level %q is not allowed here; allowed: %s.", a, strings.Join(allowed, ", ")))
		}
		access = a
	}
	switch {
	case access != "":
	case old != nil:
		access = old.access
	default:
		access = s.effectiveAccess(it, &link{access: e.defaultAccess})
	}

	// permissions
	canDownload, canEdit := e.defaultDownload, false
	if old != nil {
		canDownload, canEdit = old.canDownload, old.canEdit
	}
	if p := req.Permissions; p != nil {
		if v, set, err := boolOf(p.CanPreview, "can_preview"); err != nil {
			return err
		} else if set && !v {
			return invalidParam("can_preview", "Invalid value 'false'. can_preview is always true.")
		}
		dl, dlSet, err := boolOf(p.CanDownload, "can_download")
		if err != nil {
			return err
		}
		ed, edSet, err := boolOf(p.CanEdit, "can_edit")
		if err != nil {
			return err
		}
		// permissions.can_download only with open or company (sookasa/box.py#18).
		if (dlSet || (edSet && ed)) && access == AccessCollaborators {
			return invalidParam("shared_link_permissions", "Permissions can only be set on open or company shared links.")
		}
		if dlSet {
			canDownload = dl
		}
		if edSet {
			if ed && it.typ != TypeFile {
				return invalidParam("can_edit", fmt.Sprintf("Invalid value 'true'. can_edit can only be false for a %s.", strings.ReplaceAll(it.typ, "_", " ")))
			}
			canEdit = ed
		}
		if canEdit && !canDownload {
			return invalidParam("shared_link_permissions", "can_edit can only be true when can_download is true.")
		}
		if edSet && ed && !e.editLinks {
			return forbidden("The enterprise does not allow edit access through shared links.")
		}
	}
	if access == AccessCollaborators {
		canEdit = false
	}

	// password
	password := ""
	if old != nil {
		password = old.password
	}
	if req.Password.set {
		if req.Password.null {
			password = ""
		} else {
			pw, err := req.Password.str("password")
			if err != nil {
				return err
			}
			if !e.paid() {
				return paidOnly("A shared link password")
			}
			if access != AccessOpen {
				return invalidParam("password", "A password can only be set when access is open.")
			}
			if msg := passwordProblem(pw); msg != "" {
				return invalidParam("password", msg)
			}
			password = pw
		}
	}
	if access != AccessOpen {
		password = "" // passwords apply to open links only [OA, SUP]
	}

	// unshared_at
	var unsharedAt time.Time
	if old != nil {
		unsharedAt = old.unsharedAt
	}
	if req.UnsharedAt.set {
		if req.UnsharedAt.null {
			unsharedAt = time.Time{}
		} else {
			v, err := req.UnsharedAt.str("unshared_at")
			if err != nil {
				return err
			}
			if !e.paid() {
				return paidOnly("Shared link expiration")
			}
			t, ok := parseUnsharedAt(v, it.owner.tz)
			if !ok {
				return invalidParam("unshared_at", fmt.Sprintf("Invalid value '%s'. unshared_at must be an RFC 3339 date-time with a time zone offset.", v))
			}
			if !t.After(s.now()) {
				return invalidParam("unshared_at", fmt.Sprintf("Invalid value '%s'. unshared_at must be later than the current date and time.", v))
			}
			unsharedAt = t
		}
	}

	// vanity_name
	vanity := ""
	if old != nil {
		vanity = old.vanity
	}
	if req.VanityName.set {
		if req.VanityName.null {
			vanity = ""
		} else {
			v, err := req.VanityName.str("vanity_name")
			if err != nil {
				return err
			}
			if !e.paid() {
				return paidOnly("A custom shared link URL")
			}
			if !e.customURLs {
				return forbidden("The enterprise does not allow custom shared link URLs.")
			}
			if msg := vanityProblem(v); msg != "" {
				return invalidParam("vanity_name", fmt.Sprintf("Invalid value '%s'. %s.", v, msg))
			}
			if other := s.st.byVanity[lower(v)]; other != nil && other != it && s.linkOf(other) != nil {
				return invalidParam("vanity_name", fmt.Sprintf("Invalid value '%s'. The vanity name is already in use.", v))
			}
			vanity = v
		}
	}

	l := old
	if l == nil {
		l = &link{}
		for l.token == "" || s.st.byToken[l.token] != nil {
			l.token = s.randToken(32, lowerDigits)
		}
		s.st.byToken[l.token] = it
		it.link = l
		s.countStat(func(st *Stats) { st.SharedLinks.Created++ })
	} else {
		s.countStat(func(st *Stats) { st.SharedLinks.Updated++ })
	}
	if l.vanity != "" {
		delete(s.st.byVanity, lower(l.vanity))
	}
	l.access, l.canDownload, l.canEdit, l.password, l.unsharedAt, l.vanity = access, canDownload, canEdit, password, unsharedAt, vanity
	if vanity != "" {
		s.st.byVanity[lower(vanity)] = it
	}
	it.etag++
	return nil
}

// passwordProblem applies the spec's rule: at least eight characters, including a number, an
// upper-case letter or a character that is neither a letter nor a digit.
func passwordProblem(pw string) string {
	if len([]rune(pw)) < 8 {
		return "Passwords must be at least eight characters long."
	}
	for _, r := range pw {
		if unicode.IsDigit(r) || unicode.IsUpper(r) || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return ""
		}
	}
	return "Passwords must include a number, an upper case letter, or a non-numeric or non-alphabetic character."
}

// parseUnsharedAt accepts an RFC 3339 date-time with an offset (fractional seconds allowed,
// dropped), or a date alone, meaning midnight in the owner's zone (box-python-sdk's docs). A
// date-time without a zone is refused, as Box refused one (box/box-python-sdk#141).
func parseUnsharedAt(v string, tz *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.Truncate(time.Second), true
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, tz); err == nil {
		return t, true
	}
	return time.Time{}, false
}

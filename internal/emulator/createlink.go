package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// linkRoles maps a link type to the role its permission carries: view, embed and blocksDownload
// read; edit, review and createOnly write [SL]. (The doc examples show a view link with "write"
// [CL1]; the emulator follows the resource page.)
var linkRoles = map[string]string{
	"view": "read", "edit": "write", "embed": "read",
	"review": "write", "blocksDownload": "read", "createOnly": "write",
	"addressBar": "read", "adminDefault": "read",
}

// createLinkParams are the parameters the metadata lists for createLink [CSDL]; any other member
// of the body is rejected, as Graph rejects unknown action parameters.
var createLinkParams = []string{"type", "scope", "expirationDateTime", "password", "message",
	"recipients", "retainInheritedPermissions", "sendNotification"}

type createLinkReq struct {
	typ, scope, password string
	expires              time.Time
	recipients           []recipient
}

// parseCreateLink checks the body: a JSON object of known parameters with the right JSON types.
func parseCreateLink(body []byte, now time.Time) (createLinkReq, *apiError) {
	var req createLinkReq
	a, e := parseAction(body, "createLink", createLinkParams)
	if e != nil {
		return req, e
	}
	req.typ, req.scope, req.password = a.str("type"), a.str("scope"), a.str("password")
	a.str("message")
	a.boolean("retainInheritedPermissions")
	a.boolean("sendNotification")
	req.expires = a.expiry("expirationDateTime", now)
	req.recipients = a.recipients("recipients")
	return req, a.err
}

// createLink implements POST {item}/createLink [CL1, CLb]. It answers 201 Created with a new
// permission, or 200 OK with the existing one when the item already has an unexpired link of the
// same type, scope and recipients (createLink is idempotent per item, type and app [CL1, ODL]).
func (s *Server) createLink(c *reqCtx, it *item) *apiError {
	req, e := parseCreateLink(c.body, s.now())
	if e != nil {
		return e
	}
	d := it.drive
	personal := d.driveType == DriveTypePersonal
	if req.typ == "" {
		return badRequest("The parameter 'type' is required.")
	}
	if _, ok := linkRoles[req.typ]; !ok {
		return badRequest(fmt.Sprintf("The link type '%s' is not valid; use view, edit, embed, review, blocksDownload or createOnly.", req.typ))
	}
	switch req.scope {
	case "":
		// No scope: the organization's default kind [CL1]: anonymous on OneDrive personal,
		// organization on OneDrive for Business and SharePoint.
		req.scope = "organization"
		if personal {
			req.scope = "anonymous"
		}
	case "anonymous", "organization", "users":
	default:
		return badRequest(fmt.Sprintf("The link scope '%s' is not valid; use anonymous, organization or users.", req.scope))
	}
	switch {
	case req.typ == "embed" && !personal:
		return badRequest("Embed links are only supported on OneDrive personal.")
	case req.typ == "embed" && it.folder:
		return badRequest("Embed links can only be created for files.")
	case (req.typ == "review" || req.typ == "blocksDownload") && (personal || it.folder):
		return badRequest(fmt.Sprintf("The link type '%s' is only supported for files in OneDrive for Business and SharePoint.", req.typ))
	case req.typ == "createOnly" && (personal || !it.folder):
		return badRequest("The link type 'createOnly' is only supported for folders in OneDrive for Business and SharePoint.")
	case (req.typ == "addressBar" || req.typ == "adminDefault") && personal:
		return badRequest(fmt.Sprintf("The link type '%s' is only supported in OneDrive for Business and SharePoint.", req.typ))
	case req.scope == "organization" && personal:
		return badRequest("The link scope 'organization' is only supported in OneDrive for Business and SharePoint.")
	case req.password != "" && !personal:
		// v1.0 documents password as "Optional and OneDrive Personal only" [CL1].
		return badRequest("The parameter 'password' is only supported on OneDrive personal.")
	case req.scope == "users" && len(req.recipients) == 0:
		return badRequest("A link with scope 'users' needs at least one recipient.")
	case personal && it.parent == nil:
		// Personal drives can't create or modify permissions on the root [PDEL, INV].
		return badRequest("Sharing the root of a OneDrive personal drive is not supported.")
	}
	for i := range req.recipients {
		req.recipients[i] = s.st.resolveRecipient(req.recipients[i])
	}
	now := s.now()
	for _, p := range it.perms {
		if p.link == nil || p.link.typ != req.typ || p.link.scope != req.scope {
			continue
		}
		if !p.expires.IsZero() && !p.expires.After(now) {
			continue
		}
		if sameRecipients(p.grantedTo, req.recipients) {
			s.countStat(func(st *Stats) { st.CreateLink.Existing++ })
			writeJSON(c.w, http.StatusOK, s.permJSON(p, nil))
			return nil
		}
	}
	p := &perm{id: s.newPermID(personal), roles: []string{linkRoles[req.typ]}, item: it,
		expires: req.expires, hasPassword: personal && req.password != "", grantedTo: req.recipients,
		shareID: "s!" + s.randToken(20)}
	p.link = &linkInfo{typ: req.typ, scope: req.scope, app: s.st.app,
		preventsDownload: req.typ == "blocksDownload"}
	p.link.webURL = s.linkURL(it)
	if req.typ == "embed" {
		p.link.webURL = "https://onedrive.live.com/embed?resid=" + url.QueryEscape(it.id) + "&authkey=" + url.QueryEscape("!"+s.randToken(12))
		p.link.webHTML = `<iframe src="` + p.link.webURL + `" width="98" height="120" frameborder="0" scrolling="no"></iframe>`
	}
	if err := s.st.addPerm(p); err != nil {
		return errf(http.StatusInternalServerError, codeGeneral, err.Error())
	}
	s.st.touchSharing(it, s.now())
	s.countStat(func(st *Stats) { st.CreateLink.Created++ })
	writeJSON(c.w, http.StatusCreated, s.permJSON(p, nil))
	return nil
}

func sameRecipients(a, b []recipient) bool {
	if len(a) != len(b) {
		return false
	}
	ka := make([]string, len(a))
	kb := make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = a[i].key(), b[i].key()
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func (s *Server) randToken(n int) string {
	return base64.RawURLEncoding.EncodeToString(s.randBytes(n))
}

func (s *Server) newPermID(personal bool) string {
	if personal {
		return strings.ToUpper(fmt.Sprintf("%x", s.randBytes(8)))
	}
	return s.newUUID()
}

// linkURL makes a new, unique link address in the shape the service uses: 1drv.ms short links for
// OneDrive personal, /:x:/g/ (or /:x:/s/ for sites) links for SharePoint.
func (s *Server) linkURL(it *item) string {
	d := it.drive
	kind := "u"
	if it.folder {
		kind = "f"
	} else {
		switch strings.ToLower(path.Ext(it.name)) {
		case ".xlsx", ".xls", ".csv":
			kind = "x"
		case ".docx", ".doc":
			kind = "w"
		case ".pptx", ".ppt":
			kind = "p"
		case ".pdf":
			kind = "b"
		case ".jpg", ".jpeg", ".png", ".gif":
			kind = "i"
		}
	}
	tok := s.randToken(24)
	if d.driveType == DriveTypePersonal {
		return "https://1drv.ms/" + kind + "/s!" + tok
	}
	base := "https://" + s.st.tenant + ".sharepoint.com/:" + kind + ":"
	switch {
	case d.driveType == DriveTypeBusiness:
		return base + "/g/personal/" + spUserSlug(d.owner.upn) + "/" + tok
	case d.siteName != "":
		return base + "/s/" + url.PathEscape(d.siteName) + "/" + tok
	case d.groupName != "":
		return base + "/s/" + url.PathEscape(d.groupName) + "/" + tok
	}
	return base + "/g/" + tok
}

package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// inviteParams are invite's parameters [CSDL, INV].
var inviteParams = []string{"recipients", "message", "requireSignIn", "sendInvitation", "roles",
	"expirationDateTime", "password", "retainInheritedPermissions"}

// notifyFailureCodes are the inner codes Graph reports for a recipient who was granted access
// but could not be notified [INV, older page's "SendNotification errors"], with their text.
var notifyFailureCodes = map[string]string{
	"accountVerificationRequired": "Account verification is required to unblock sending notifications.",
	"hipCheckRequired":            "Need to solve HIP (Host Intrusion Prevention) check to unblock sending notifications.",
	"exchangeInvalidUser":         "Current user's mailbox was not found.",
	"exchangeOutOfMailboxQuota":   "Out of quota.",
	"exchangeMaxRecipients":       "Exceeded maximum number of recipients that can be sent notifications at the same time.",
}

// checkRoles accepts read and write, the roles an invitation or grant can give [PR].
func checkRoles(roles []string) *apiError {
	if len(roles) == 0 {
		return badRequest("The parameter 'roles' must name at least one role (read or write).")
	}
	for _, r := range roles {
		if r != "read" && r != "write" {
			return badRequest(fmt.Sprintf("The role '%s' is not valid here; use read or write.", r))
		}
	}
	return nil
}

// invite implements POST {item}/invite [INV]: one permission per recipient, answered 200 with
// {"value": [permission...]}. A tenant user (member or guest) gets a direct grant (grantedToV2);
// anyone else an invitation (invitation.email, signInRequired = requireSignIn) that names them.
// A recipient who already has a direct permission on the item gets its roles updated.
//
// Rules: recipients and roles (read, write) are required; message is at most 2,000 characters;
// password is OneDrive personal only; expirationDateTime must be in the future and, on business
// drives, "is only applicable for sharingLink permissions", so it is accepted and not set on the
// user permissions invite creates; the root of a personal drive can't be shared; an app-only
// caller can't invite new guests (recipients who are not users of the tenant), "existing guests
// can be invited using app-only requests" (403 accessDenied, nothing granted).
//
// With sendInvitation, recipients the fixture lists in notifyFailures are granted but not
// notified: the answer is 207 Multi-Status and their entries carry an "error" with code
// notAllowed and the fixture's inner code [INV, older page's partial success response].
func (s *Server) invite(c *reqCtx, it *item) *apiError {
	a, e := parseAction(c.body, "invite", inviteParams)
	if e != nil {
		return e
	}
	recips := a.recipients("recipients")
	roles := a.strings("roles")
	message := a.str("message")
	requireSignIn, _ := a.boolean("requireSignIn")
	sendInvitation, _ := a.boolean("sendInvitation")
	a.boolean("retainInheritedPermissions")
	password := a.str("password")
	expires := a.expiry("expirationDateTime", s.now())
	if a.err != nil {
		return a.err
	}
	personal := it.drive.driveType == DriveTypePersonal
	switch {
	case len(recips) == 0:
		return badRequest("The parameter 'recipients' must name at least one recipient.")
	case len([]rune(message)) > 2000:
		return badRequest(fmt.Sprintf("The message is %d characters long; the maximum is 2000.", len([]rune(message))))
	case password != "" && !personal:
		return badRequest("The parameter 'password' is only supported on OneDrive personal.")
	case personal && it.parent == nil:
		return badRequest("Sharing the root of a OneDrive personal drive is not supported.")
	}
	if e := checkRoles(roles); e != nil {
		return e
	}
	for i := range recips {
		recips[i] = s.st.resolveRecipient(recips[i])
		if c.appOnly && recips[i].user == nil {
			return errf(http.StatusForbidden, codeAccessDenied, fmt.Sprintf("New guests can't be invited using app-only access: '%s' is not a user of the tenant.", recipientLabel(recips[i])))
		}
	}
	status := http.StatusOK
	vals := make([]any, 0, len(recips))
	for _, r := range recips {
		p := s.directPermFor(it, r)
		if p == nil {
			p = &perm{id: s.newPermID(personal), item: it, grantedTo: []recipient{r}}
			if r.user == nil {
				p.invitation = &invitationInfo{email: recipientLabel(r), signInRequired: requireSignIn, invitedBy: it.drive.owner}
			}
			if err := s.st.addPerm(p); err != nil {
				return errf(http.StatusInternalServerError, codeGeneral, err.Error())
			}
		}
		p.roles = slices.Compact(slices.Clone(roles))
		if personal {
			p.expires, p.hasPassword = expires, password != ""
		}
		m := s.permJSON(p, nil)
		if code, ok := s.st.notifyFailures[lower(recipientLabel(r))]; ok && sendInvitation {
			status = http.StatusMultiStatus
			m["error"] = map[string]any{"code": "notAllowed", "message": notifyFailureCodes[code],
				"innererror": map[string]any{"code": code}}
		}
		vals = append(vals, m)
	}
	s.st.touchSharing(it, s.now())
	writeJSON(c.w, status, map[string]any{"value": vals})
	return nil
}

// directPermFor finds r's own direct permission (not a link) on it.
func (s *Server) directPermFor(it *item, r recipient) *perm {
	for _, p := range it.perms {
		if p.link == nil && len(p.grantedTo) == 1 && p.grantedTo[0].key() == r.key() {
			return p
		}
	}
	return nil
}

func recipientLabel(r recipient) string {
	switch {
	case r.email != "":
		return r.email
	case r.user != nil && r.user.mail != "":
		return r.user.mail
	case r.user != nil:
		return r.user.upn
	case r.alias != "":
		return r.alias
	}
	return r.objectID
}

// grantParams are grant's parameters [CSDL, PG].
var grantParams = []string{"recipients", "roles"}

// grant implements POST /shares/{token}/permission/grant and POST
// {item}/permissions/{id}/grant [PG]: adds the recipients to the sharing link's people
// (grantedToIdentitiesV2) and answers 200 with {"value": [the updated link]}. roles must match
// the link's roles ("Otherwise must match the role of the link"); the permission must be a
// sharing link.
func (s *Server) grant(c *reqCtx, p *perm) *apiError {
	a, e := parseAction(c.body, "grant", grantParams)
	if e != nil {
		return e
	}
	recips, roles := a.recipients("recipients"), a.strings("roles")
	if a.err != nil {
		return a.err
	}
	switch {
	case p.link == nil:
		return badRequest("grant adds people to a sharing link; this permission is not a link.")
	case len(recips) == 0:
		return badRequest("The parameter 'recipients' must name at least one recipient.")
	case !sameRoles(roles, p.roles):
		return badRequest(fmt.Sprintf("The roles %v don't match the link's roles %v; a grant must give the link's role.", roles, p.roles))
	}
	for _, r := range recips {
		r = s.st.resolveRecipient(r)
		if !slices.ContainsFunc(p.grantedTo, func(g recipient) bool { return g.key() == r.key() }) {
			p.grantedTo = append(p.grantedTo, r)
		}
	}
	s.st.touchSharing(p.item, s.now())
	writeJSON(c.w, http.StatusOK, map[string]any{"value": []any{s.permJSON(p, nil)}})
	return nil
}

// revokeGrants implements POST {item}/permissions/{id}/revokeGrants (permission-revokegrants):
// removes the grantees from a specific-people link and answers 200 with the updated
// permission. "Only supported on sharing links that are scoped to specific users"; OneDrive
// personal doesn't support it (400 notSupported); an inherited link is changed where it is
// defined (403, as DELETE).
func (s *Server) revokeGrants(c *reqCtx, it *item, ref permRef) *apiError {
	a, e := parseAction(c.body, "revokeGrants", []string{"grantees"})
	if e != nil {
		return e
	}
	grantees := a.recipients("grantees")
	if a.err != nil {
		return a.err
	}
	switch {
	case it.drive.driveType == DriveTypePersonal:
		return errf(http.StatusBadRequest, "notSupported", "revokeGrants is not supported on OneDrive personal.")
	case ref.p == nil:
		return errOwnerPerm()
	case ref.from != nil:
		return errInherited()
	case ref.p.link == nil || ref.p.link.scope != "users":
		return badRequest("revokeGrants is only supported on sharing links scoped to specific users.")
	case len(grantees) == 0:
		return badRequest("The parameter 'grantees' must name at least one recipient.")
	}
	p := ref.p
	for _, g := range grantees {
		g = s.st.resolveRecipient(g)
		p.grantedTo = slices.DeleteFunc(p.grantedTo, func(r recipient) bool {
			return r.key() == g.key() || (g.email != "" && strings.EqualFold(recipientLabel(r), g.email))
		})
	}
	s.st.touchSharing(it, s.now())
	writeJSON(c.w, http.StatusOK, s.permJSON(p, nil))
	return nil
}

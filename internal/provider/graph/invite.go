package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

var (
	_ sharing.Inviter = (*Provider)(nil)
	_ sharing.Granter = (*Provider)(nil)
	_ bulk.Inviter    = (*Provider)(nil)
)

// MaxMessageLength is the longest invitation message Graph takes: "Maximum length 2000 characters"
// [INV]. Graph is .NET, whose strings count UTF-16 code units, so odshare counts those: a character
// outside the Basic Multilingual Plane (an emoji) counts two.
const MaxMessageLength = 2000

// messageLength is the length of s as Graph counts it (UTF-16 code units).
func messageLength(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// checkInvite refuses, before anything is sent, an invitation Graph would refuse for its message.
func checkInvite(spec sharing.LinkSpec) error {
	if n := messageLength(spec.Message); n > MaxMessageLength {
		return sharing.UsageErrorf("--message is %d characters long; Graph takes at most %d", n, MaxMessageLength)
	}
	return nil
}

// inviteRequest is Graph's invite body for spec: the recipients by e-mail and only what was given.
func inviteRequest(spec sharing.LinkSpec) api.InviteRequest {
	req := api.InviteRequest{
		Message:                    spec.Message,
		RequireSignIn:              spec.RequireSignIn,
		SendInvitation:             spec.Notify,
		Roles:                      spec.Roles,
		ExpirationDateTime:         spec.Expires,
		Password:                   spec.Password,
		RetainInheritedPermissions: spec.RetainInherited,
	}
	req.Recipients = recipients(spec.Recipients)
	return req
}

func recipients(emails []string) []api.DriveRecipient {
	out := make([]api.DriveRecipient, len(emails))
	for i, e := range emails {
		out[i] = api.DriveRecipient{Email: e}
	}
	return out
}

// Invite is POST {item}/invite [INV]: one grant per recipient, read from Graph's permissions (207
// Multi-Status entries that carry an "error" are granted but not notified).
func (p *Provider) Invite(ctx context.Context, t sharing.Target, spec sharing.LinkSpec) (*sharing.InviteResult, error) {
	res, err := p.c.Invite(ctx, addrOf(t), inviteRequest(spec))
	if err != nil {
		return nil, err
	}
	grants, err := readGrants(res.Value, spec.Recipients)
	if err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("invite: %w", err)}
	}
	return &sharing.InviteResult{Grants: grants, Raw: json.RawMessage(output.JoinJSONArray(res.Value))}, nil
}

// codeNotInAnswer is odshare's code for a recipient Graph's answer says nothing about.
const codeNotInAnswer = "notInAnswer"

// readGrants reads Graph's permissions as one grant per recipient, in the order asked. A permission
// is the recipient's when it names the address (invitation.email, or a grantee's email or login
// name); the permissions naming no address asked for go, in order, to the recipients left, since
// Graph may name a tenant user by id and display name only [INV's example names no e-mail in
// grantedToV2]. A recipient no permission is for is failed: the answer does not say it was granted.
func readGrants(value []json.RawMessage, emails []string) ([]sharing.Grant, error) {
	type entry struct {
		link    *sharing.Link
		notify  *api.PermissionError
		claimed bool
	}
	entries := make([]entry, len(value))
	for i, raw := range value {
		l, err := decodePermission(raw)
		if err != nil {
			return nil, err
		}
		var e struct {
			Error *api.PermissionError `json:"error"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("decode permission: %w", err)
		}
		entries[i] = entry{link: l, notify: e.Error}
	}
	grants := make([]sharing.Grant, len(emails))
	match := make([]int, len(emails))
	for i, email := range emails {
		match[i] = -1
		for j := range entries {
			if !entries[j].claimed && entries[j].link.GrantedToEmail(email) {
				match[i], entries[j].claimed = j, true
				break
			}
		}
	}
	for i := range emails {
		if match[i] >= 0 {
			continue
		}
		for j := range entries {
			if !entries[j].claimed && !namesAny(entries[j].link, emails) {
				match[i], entries[j].claimed = j, true
				break
			}
		}
	}
	for i, email := range emails {
		g := sharing.Grant{Recipient: email, Status: sharing.Granted}
		if match[i] < 0 {
			g.Status, g.Code, g.Message = sharing.GrantFailed, codeNotInAnswer, "Graph's answer has no permission for this recipient"
			grants[i] = g
			continue
		}
		e := entries[match[i]]
		g.Link = e.link
		if n := e.notify; n != nil {
			g.Status = sharing.GrantedNotNotified
			g.Code, g.Message = safetext.Line(n.Code), safetext.Line(string(n.Message))
			for ie, depth := n.InnerError, 0; ie != nil && depth < 32; ie, depth = ie.InnerError, depth+1 {
				if ie.Code != "" {
					g.InnerCode = safetext.Line(ie.Code) // the most specific
				}
			}
		}
		grants[i] = g
	}
	return grants, nil
}

// namesAny reports whether the link names one of the addresses.
func namesAny(l *sharing.Link, emails []string) bool {
	for _, e := range emails {
		if l.GrantedToEmail(e) {
			return true
		}
	}
	return false
}

// Grant is POST /shares/{token}/permission/grant [PG]. Without roles it first reads the link's own
// (GET /shares/{token}/permission), since Graph requires them to match the link's.
func (p *Provider) Grant(ctx context.Context, share sharing.Item, spec sharing.LinkSpec) (*sharing.GrantResult, error) {
	token := ShareToken(share)
	roles := spec.Roles
	if len(roles) == 0 {
		perm, _, err := p.c.GetSharePermission(ctx, token)
		if err != nil {
			return nil, fmt.Errorf("read the link's roles: %w", err)
		}
		if len(perm.Roles) == 0 {
			return nil, errors.New("read the link's roles: Graph's permission has none; give --role")
		}
		roles = perm.Roles
	}
	res, err := p.c.Grant(ctx, token, api.GrantRequest{Recipients: recipients(spec.Recipients), Roles: roles})
	if err != nil {
		return nil, err
	}
	out := &sharing.GrantResult{Raw: json.RawMessage(output.JoinJSONArray(res.Value))}
	for _, raw := range res.Value {
		l, err := decodePermission(raw)
		if err != nil {
			return nil, &sharing.AnswerError{Err: fmt.Errorf("grant: %w", err)}
		}
		out.Links = append(out.Links, l)
		// "The updated link can be identified by the presence of a 'link' facet containing the
		// 'scope' property" [PG].
		if out.Link == nil && l.IsLink && l.Scope != "" {
			out.Link = l
		}
	}
	if out.Link == nil {
		return nil, &sharing.AnswerError{Err: errors.New("grant: Graph's answer has no sharing link")}
	}
	out.URLChanged = urlChanged(out.Link.URL, refOf(share))
	return out, nil
}

// urlChanged reports whether a link's URL is not the sharing URL (or u! token) it was named by.
// An opaque share id says nothing about the URL.
func urlChanged(got string, ref msgraph.ItemRef) bool {
	want := ref.Value
	if ref.Kind == msgraph.ItemByShareID {
		u, err := msgraph.DecodeShareToken(ref.Value)
		if err != nil {
			return false
		}
		want = u
	}
	return got != "" && !sameLinkURL(got, want)
}

// RevokeGrants is POST {item}/permissions/{id}/revokeGrants (permission-revokegrants).
func (p *Provider) RevokeGrants(ctx context.Context, t sharing.Target, id string, emails []string) (*sharing.Link, error) {
	raw, err := p.c.RevokeGrants(ctx, addrOf(t), id, api.RevokeGrantsRequest{Grantees: recipients(emails)})
	if err != nil {
		return nil, err
	}
	l, err := decodePermission(raw)
	if err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("revokeGrants: %w", err)}
	}
	return l, nil
}

// InviteSender prepares a bulk run of invitations through JSON batching [BAT]: one POST
// {item}/invite sub-request per row (items[i] with specs[i], one recipient each), after a batched
// share lookup for rows that name a sharing URL or share id. One row per request keeps Graph's
// answer per recipient: a recipient Graph refuses fails alone.
func (p *Provider) InviteSender(items []sharing.Item, specs []sharing.LinkSpec) (bulk.Sender, error) {
	if len(items) != len(specs) {
		return nil, fmt.Errorf("graph: %d invitations for %d items", len(specs), len(items))
	}
	bodies := make([]json.RawMessage, len(specs))
	for i, spec := range specs {
		b, err := json.Marshal(inviteRequest(spec))
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	return &actionSender{c: p.c, items: items, action: "invite", bodies: bodies, final: inviteResult}, nil
}

// inviteResult reads invite's answer: 200, or 207 when the recipient was granted but not notified.
func inviteResult(a bulk.Answer) *bulk.Result {
	if a.Status != http.StatusOK && a.Status != http.StatusMultiStatus {
		return nil
	}
	return &bulk.Result{Status: a.Status, Raw: a.Body}
}

// ReadGrant reads a bulk invitation's answer as the recipient's grant; the grant's Link.Raw is
// Graph's permission for them, unchanged.
func (*Provider) ReadGrant(r bulk.Result, email string) (sharing.Grant, error) {
	value, err := msgraph.PermissionValues(r.Raw)
	if err != nil {
		return sharing.Grant{}, err
	}
	grants, err := readGrants(value, []string{email})
	if err != nil {
		return sharing.Grant{}, err
	}
	return grants[0], nil
}

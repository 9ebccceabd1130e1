package sharing

import (
	"context"
	"encoding/json"
)

// InviteRoles are the roles an invitation or a grant can give, in the order help text shows them.
var InviteRoles = []string{"read", "write"}

// GrantStatus is what an invitation or a grant did for one recipient.
type GrantStatus string

// The outcomes odshare reports per recipient.
const (
	// Granted is access granted (and the recipient notified, when that was asked).
	Granted GrantStatus = "granted"
	// GrantedNotNotified is access granted, but the notification the provider was asked to send
	// failed (Graph's 207 Multi-Status): not a failure, the recipient must be told another way.
	GrantedNotNotified GrantStatus = "granted-not-notified"
	// GrantFailed is no access granted.
	GrantFailed GrantStatus = "failed"
)

// Grant is one recipient's outcome of an invitation.
type Grant struct {
	// Recipient is the address as asked.
	Recipient string
	// Status is what happened.
	Status GrantStatus
	// Link is the permission the provider made or updated for the recipient, with its Raw unchanged;
	// nil when none (failed).
	Link *Link
	// Code, InnerCode and Message say, in the provider's words, why the recipient was not notified
	// (GrantedNotNotified) or got nothing (GrantFailed); empty when granted.
	Code, InnerCode, Message string
}

// InviteResult is what Inviter.Invite did.
type InviteResult struct {
	// Grants are one per recipient, in the order asked.
	Grants []Grant
	// Raw is the provider's objects unchanged, as one JSON array (Graph's "value").
	Raw json.RawMessage
}

// Inviter is a Provider that can invite people to an item (Graph's invite), asked for with
// As[Inviter].
type Inviter interface {
	// Invite gives spec.Recipients spec.Roles on the item, with the rest of spec (Message, Notify,
	// RequireSignIn, Expires, Password, RetainInherited) as given. A recipient the provider granted
	// but could not notify is GrantedNotNotified; an error is the provider refusing the whole
	// invitation.
	Invite(ctx context.Context, t Target, spec LinkSpec) (*InviteResult, error)
}

// GrantResult is what Granter.Grant did.
type GrantResult struct {
	// Link is the updated link.
	Link *Link
	// Links are every permission the provider answered with, Link among them (for an
	// existing-access link Graph adds the people's own permissions and invitations).
	Links []*Link
	// URLChanged is true when the updated link has another URL than the one given: the new one is
	// the one to use [PG].
	URLChanged bool
	// Raw is the provider's objects unchanged, as one JSON array.
	Raw json.RawMessage
}

// Granter is a Provider that can add people to an existing link and remove them again (Graph's
// grant and revokeGrants), asked for with As[Granter].
type Granter interface {
	// Grant adds spec.Recipients to the link a sharing URL or share id names, with spec.Roles, or
	// the link's own roles when spec.Roles is empty.
	Grant(ctx context.Context, share Item, spec LinkSpec) (*GrantResult, error)
	// RevokeGrants removes the recipients from the specific-people link id on the item, returning
	// the link as it is now.
	RevokeGrants(ctx context.Context, t Target, id string, recipients []string) (*Link, error)
}

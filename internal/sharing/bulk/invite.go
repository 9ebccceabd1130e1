package bulk

import "github.com/odshare/odshare/internal/sharing"

// Inviter is a Provider that can invite many people at once, one result per (item, recipient) (ask
// with sharing.As[bulk.Inviter]).
type Inviter interface {
	// InviteSender prepares a run of invitations, one per row: items[i] given to specs[i]'s one
	// recipient, with specs[i]'s roles, expiry and the rest. All items are this provider's.
	InviteSender(items []sharing.Item, specs []sharing.LinkSpec) (Sender, error)
	// ReadGrant reads a successful result of such a run as that recipient's grant; the grant's
	// Link.Raw is the provider's object for them, unchanged.
	ReadGrant(r Result, recipient string) (sharing.Grant, error)
	// ResultKey is the key of the provider's object in odshare's JSON for one row: "permission"
	// for Graph.
	ResultKey() string
}

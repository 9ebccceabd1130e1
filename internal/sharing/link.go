package sharing

import (
	"encoding/json"
	"strings"
)

// LinkTypes are the link types odshare accepts (--type), in the order help text shows them. They
// are Graph's createLink types; a provider refuses in CheckSpec those it lacks.
var LinkTypes = []string{"view", "edit", "embed", "review", "blocksDownload", "createOnly"}

// Scopes are the scopes odshare accepts (--scope), in the order help text shows them; "anyone" is
// read as anonymous.
var Scopes = []string{"anonymous", "organization", "users"}

// ParseLinkType reads a link type in any case ("blocksdownload"); ok is false for an unknown one.
func ParseLinkType(s string) (string, bool) {
	for _, t := range LinkTypes {
		if strings.EqualFold(s, t) {
			return t, true
		}
	}
	return "", false
}

// ParseScope reads a scope in any case, and "anyone" as anonymous (SharePoint's sharing dialog calls
// such links "Anyone with the link"); ok is false for an unknown one.
func ParseScope(s string) (string, bool) {
	if strings.EqualFold(s, "anyone") {
		return "anonymous", true
	}
	for _, sc := range Scopes {
		if strings.EqualFold(s, sc) {
			return sc, true
		}
	}
	return "", false
}

// LinkSpec is a neutral create, update, invite or grant request. A zero field was not given, and
// providers send only what was given.
type LinkSpec struct {
	// Type is one of LinkTypes.
	Type string
	// Scope is one of Scopes: anonymous, organization, users.
	Scope string
	// Password is the link's password.
	Password string
	// Expires is the expiry, RFC 3339 in UTC with whole seconds.
	Expires string
	// Recipients are the email addresses of the people a users link is for.
	Recipients []string
	// RetainInherited is Graph's retainInheritedPermissions, when given.
	RetainInherited *bool
	// Roles are the new roles of a permission (update), or the roles an invitation or grant gives.
	Roles []string

	// Invitations (Inviter) only.

	// Message is the text of the invitation e-mail.
	Message string
	// Notify says whether the recipients are e-mailed (Graph's sendInvitation), when given.
	Notify *bool
	// RequireSignIn says whether the recipients must sign in to open the item, when given.
	RequireSignIn *bool

	// Provider-only settings.

	// VanityName is Box's custom URL name.
	VanityName string
	// CanDownload is Box's can_download permission, when given.
	CanDownload *bool
	// ClearExpiry and ClearPassword remove the expiry or the password on update (Box sends null).
	ClearExpiry, ClearPassword bool
}

// Status is what a link call did.
type Status string

// The statuses odshare reports.
const (
	// StatusCreated is a new link.
	StatusCreated Status = "created"
	// StatusExisting is a link the item already had, with everything asked.
	StatusExisting Status = "existing"
	// StatusUpdated is a link changed as asked.
	StatusUpdated Status = "updated"
	// StatusDiffers is an existing link that lacks something asked: odshare changed nothing.
	StatusDiffers Status = "differs"
)

// LinkResult is what CreateLink did.
type LinkResult struct {
	// Link is the link created or found.
	Link *Link
	// Status is StatusCreated or StatusExisting.
	Status Status
	// Differences are what Link lacks of what was asked, phrased for people; empty when it has
	// everything. An existing link with differences is the command's to refuse or accept.
	Differences []Difference
}

// Difference is one thing an existing link lacks of what was asked.
type Difference struct {
	// Setting is what it is about, in a word: "password", "expiry", "recipients".
	Setting string
	// Text says it for people: "it has no password".
	Text string
	// Updatable is true when `link update` can set it on the existing link; otherwise only a new
	// link carries it.
	Updatable bool
}

// Texts returns the differences' texts.
func Texts(ds []Difference) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Text
	}
	return out
}

// Link is a sharing link, or with `--all` any permission, as neutral fields for tables, filters and
// prompts, and as the provider sent it (Raw) for -o json.
type Link struct {
	// ID is the permission id (Graph); "" where links have none (Box: the item is the key).
	ID string
	// IsLink is true for a sharing link, false for other permissions (invitations, direct access).
	IsLink bool
	// Kind is the TYPE column: the link's type, or what the permission is ("invitation", "group",
	// "user").
	Kind string
	// Described is true when the provider's object says what the permission is (a link, an
	// invitation, a grantee); a permission known only by its id is not.
	Described bool
	// Type is the link type ("view", "edit"); links only.
	Type string
	// Scope is who the link works for ("anonymous", "organization", "users"); links only.
	Scope string
	// Roles are the permission's roles ("read", "write").
	Roles []string
	// URL is the link's URL; "" when the provider hides it.
	URL string
	// Expires is when it stops working (RFC 3339 as sent); "" for never.
	Expires string
	// HasPassword says the link has a password.
	HasPassword bool
	// Grantees are the people and groups it is for, by name.
	Grantees []string
	// Emails are the addresses among them.
	Emails []string
	// Inherited is true for a permission that comes from an ancestor; InheritedFrom is that
	// ancestor's path from the drive root, or its name, when the provider says.
	Inherited     bool
	InheritedFrom string
	// ShareID is the link's share id, when the provider gives one.
	ShareID string
	// Extra are provider-specific columns (Box: effective access, vanity URL, counts), in order.
	Extra []Field
	// Raw is the provider's object unchanged (Graph's permission; Box's item with its shared_link).
	Raw json.RawMessage
}

// Field is one named provider-specific value.
type Field struct {
	Name, Value string
}

// GrantedToEmail reports whether the link names the address among the people it is for.
func (l *Link) GrantedToEmail(email string) bool {
	for _, e := range l.Emails {
		if strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

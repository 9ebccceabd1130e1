package api

// DriveRecipient names one person a "users" link or an invitation is for (graph.driveRecipient). Give one of
// the three; empty ones are left out of the request body.
type DriveRecipient struct {
	// Email is the recipient's e-mail address; Graph may invite an unknown address as a guest.
	Email string `json:"email,omitempty"`
	// Alias is the recipient's alias in the directory.
	Alias string `json:"alias,omitempty"`
	// ObjectID is the recipient's directory object id.
	ObjectID string `json:"objectId,omitempty"`
}

// CreateLinkRequest is the body of POST .../createLink: the action's parameters, exactly as the metadata
// names them [CSDL]. Every field is omitempty because the body must hold only what the user gave: the
// metadata forbids other members, and an explicit null or "" is not the same as "not given" to Graph.
type CreateLinkRequest struct {
	// Type is the kind of link; Graph requires it.
	Type LinkType `json:"type,omitempty"`
	// Scope is who the link works for; Graph picks the tenant's default when absent [CL1].
	Scope LinkScope `json:"scope,omitempty"`
	// ExpirationDateTime is an RFC 3339 date-time (Edm.DateTimeOffset) after which the link stops working.
	ExpirationDateTime string `json:"expirationDateTime,omitempty"`
	// Password protects the link; personal OneDrive only on v1.0 [CL1]. Never logged.
	Password string `json:"password,omitempty"`
	// Message is the text of the notification sent with a "users" link.
	Message string `json:"message,omitempty"`
	// Recipients are the people a "users" link is for.
	Recipients []DriveRecipient `json:"recipients,omitempty"`
	// RetainInheritedPermissions keeps inherited permissions when the link is the item's first unique
	// permission; a pointer so that false can be sent deliberately.
	RetainInheritedPermissions *bool `json:"retainInheritedPermissions,omitempty"`
	// SendNotification e-mails the recipients (Business only); a pointer so that false can be sent.
	SendNotification *bool `json:"sendNotification,omitempty"`
}

// Identity is a user, application, device or group as Graph shows it (graph.identity).
//
// The metadata declares identity an open type with only id and displayName; real responses often add
// "email", which odshare reads from the raw JSON rather than inventing a field the metadata doesn't list.
type Identity struct {
	// ID is the identity's unique id (directory object id for users and groups).
	ID string `json:"id,omitempty"`
	// DisplayName is the name to show people; it is not unique and can change.
	DisplayName string `json:"displayName,omitempty"`
}

// IdentitySet says who did something: one or more of user, application and device (graph.identitySet).
// Unlike SharePointIdentitySet it has no group in v1.0 metadata.
type IdentitySet struct {
	// User is the signed-in user, when there is one.
	User *Identity `json:"user,omitempty"`
	// Application is the app that acted, when Graph reports it.
	Application *Identity `json:"application,omitempty"`
	// Device is the device that acted, when Graph reports it.
	Device *Identity `json:"device,omitempty"`
}

// SharePointIdentity is an identity with a SharePoint login name (graph.sharePointIdentity).
type SharePointIdentity struct {
	// ID is the identity's id.
	ID string `json:"id,omitempty"`
	// DisplayName is the name to show people.
	DisplayName string `json:"displayName,omitempty"`
	// LoginName is the SharePoint claims login name, e.g. "i:0#.f|membership|user@contoso.com".
	LoginName string `json:"loginName,omitempty"`
}

// SharePointGroupIdentity is a SharePoint group as a permission grantee (graph.sharePointGroupIdentity).
type SharePointGroupIdentity struct {
	// ID is the group's id.
	ID string `json:"id,omitempty"`
	// DisplayName is the name to show people.
	DisplayName string `json:"displayName,omitempty"`
	// PrincipalID is the group's principal id in SharePoint.
	PrincipalID string `json:"principalId,omitempty"`
	// Title is the group's title.
	Title string `json:"title,omitempty"`
}

// SharePointIdentitySet is the identity set used by the V2 grantee properties (graph.sharePointIdentitySet):
// identitySet's members plus group and SharePoint's own principals. Flattened rather than embedding
// IdentitySet so the reflection test and readers see every member in one place.
type SharePointIdentitySet struct {
	// User is a user grantee.
	User *Identity `json:"user,omitempty"`
	// Application is an application grantee.
	Application *Identity `json:"application,omitempty"`
	// Device is a device grantee.
	Device *Identity `json:"device,omitempty"`
	// Group is a Microsoft 365 / security group grantee.
	Group *Identity `json:"group,omitempty"`
	// SiteUser is the SharePoint site user behind the grantee.
	SiteUser *SharePointIdentity `json:"siteUser,omitempty"`
	// SiteGroup is a SharePoint site group grantee.
	SiteGroup *SharePointIdentity `json:"siteGroup,omitempty"`
	// SharePointGroup is a SharePoint group grantee.
	SharePointGroup *SharePointGroupIdentity `json:"sharePointGroup,omitempty"`
}

// SharingLink is the link part of a permission (graph.sharingLink) [SL].
type SharingLink struct {
	// Type is the kind of link; read it as an open set (see LinkType).
	Type LinkType `json:"type,omitempty"`
	// Scope is who the link works for; may be ScopeExistingAccess in responses.
	Scope LinkScope `json:"scope,omitempty"`
	// WebURL is the link to give out. Graph returns it only to callers who could create the permission [LP].
	WebURL string `json:"webUrl,omitempty"`
	// WebHTML is the <iframe> markup of an embed link.
	WebHTML string `json:"webHtml,omitempty"`
	// PreventsDownload is true for view-only-on-the-web links (Business/SharePoint only).
	PreventsDownload bool `json:"preventsDownload,omitempty"`
	// Application is the app the link belongs to, when Graph reports it.
	Application *Identity `json:"application,omitempty"`
}

// SharingInvitation describes the invitation behind a permission made by invite (graph.sharingInvitation).
type SharingInvitation struct {
	// Email is the address the invitation was sent to.
	Email string `json:"email,omitempty"`
	// InvitedBy is who sent the invitation.
	InvitedBy *IdentitySet `json:"invitedBy,omitempty"`
	// RedeemedBy is who accepted the invitation; empty until it is redeemed.
	RedeemedBy string `json:"redeemedBy,omitempty"`
	// SignInRequired says the recipient must sign in to use the invitation.
	SignInRequired bool `json:"signInRequired,omitempty"`
}

// Permission is one sharing permission on an item (graph.permission) [PR]; createLink returns one.
type Permission struct {
	// ID identifies the permission on its item (for get, update, delete).
	ID string `json:"id,omitempty"`
	// Roles are the granted roles ("read", "write", "owner", "SP.*", ...). Don't trust them to match the
	// link type: Microsoft's own example shows a view link with ["write"] [CL1].
	Roles []string `json:"roles,omitempty"`
	// Link is set when the permission is a sharing link.
	Link *SharingLink `json:"link,omitempty"`
	// ShareID is a token usable as /shares/{shareId}; returned only to callers who could create it [LP].
	ShareID string `json:"shareId,omitempty"`
	// HasPassword reports a password-protected link (personal OneDrive).
	HasPassword bool `json:"hasPassword,omitempty"`
	// ExpirationDateTime is when the permission expires (RFC 3339); empty for no expiry.
	ExpirationDateTime string `json:"expirationDateTime,omitempty"`
	// GrantedTo is the deprecated single grantee; prefer GrantedToV2, which Business always fills.
	GrantedTo *IdentitySet `json:"grantedTo,omitempty"`
	// GrantedToIdentities is the deprecated grantee list of a link; prefer GrantedToIdentitiesV2.
	GrantedToIdentities []IdentitySet `json:"grantedToIdentities,omitempty"`
	// GrantedToV2 is the user or group the permission is for.
	GrantedToV2 *SharePointIdentitySet `json:"grantedToV2,omitempty"`
	// GrantedToIdentitiesV2 lists the people a "users" link has been granted to.
	GrantedToIdentitiesV2 []SharePointIdentitySet `json:"grantedToIdentitiesV2,omitempty"`
	// InheritedFrom is set when the permission comes from an ancestor; such permissions can't be deleted
	// here [PDEL]. Never returned on Business (notes §7).
	InheritedFrom *ItemReference `json:"inheritedFrom,omitempty"`
	// Invitation is set for permissions made by an invitation.
	Invitation *SharingInvitation `json:"invitation,omitempty"`
}

// ItemReference addresses an item, typically an item's parent (graph.itemReference).
type ItemReference struct {
	// DriveID is the drive holding the item; with ID it is the item's real address, which is how a share
	// is turned back into /drives/{driveId}/items/{id} (notes §5).
	DriveID string `json:"driveId,omitempty"`
	// DriveType is "personal", "business" or "documentLibrary".
	DriveType string `json:"driveType,omitempty"`
	// ID is the item's id in its drive.
	ID string `json:"id,omitempty"`
	// Name is the item's name.
	Name string `json:"name,omitempty"`
	// Path is the percent-encoded path such as "/drive/root:/Documents"; absent for items reached by share.
	Path string `json:"path,omitempty"`
	// ShareID is the share the item was reached through, when it was.
	ShareID string `json:"shareId,omitempty"`
	// SiteID is the SharePoint site holding the drive.
	SiteID string `json:"siteId,omitempty"`
}

// Hashes are a file's content hashes (graph.hashes); which ones are present depends on the drive type.
type Hashes struct {
	// SHA1Hash is the hex SHA-1 (personal OneDrive).
	SHA1Hash string `json:"sha1Hash,omitempty"`
	// SHA256Hash is the hex SHA-256 (personal OneDrive, where available).
	SHA256Hash string `json:"sha256Hash,omitempty"`
	// CRC32Hash is the hex CRC32 (personal OneDrive).
	CRC32Hash string `json:"crc32Hash,omitempty"`
	// QuickXorHash is the base64 quickXorHash (all drive types).
	QuickXorHash string `json:"quickXorHash,omitempty"`
}

// File marks a driveItem as a file (graph.file).
type File struct {
	// MimeType is the content type Graph detected.
	MimeType string `json:"mimeType,omitempty"`
	// Hashes are the content hashes, when Graph has them.
	Hashes *Hashes `json:"hashes,omitempty"`
}

// Folder marks a driveItem as a folder (graph.folder).
type Folder struct {
	// ChildCount is the number of direct children (Edm.Int32).
	ChildCount int `json:"childCount"`
}

// Package marks a driveItem that is a folder to Graph but one thing to people, such as a OneNote notebook
// (graph.package); notes §5 says it is treated as a file in some places and a folder in others.
type Package struct {
	// Type is the package type; "oneNote" is the only documented value.
	Type string `json:"type,omitempty"`
}

// Root marks the root folder of a drive (graph.root); it has no members, only presence matters.
type Root struct{}

// Deleted marks an item that was deleted (graph.deleted), as delta reports it.
type Deleted struct {
	// State is "deleted" or Graph's other states.
	State string `json:"state,omitempty"`
}

// Shared says an item is shared, and how (graph.shared).
type Shared struct {
	// Owner is who owns the shared item.
	Owner *IdentitySet `json:"owner,omitempty"`
	// Scope is "anonymous", "organization" or "users"; the widest scope the item is shared with.
	Scope string `json:"scope,omitempty"`
	// SharedBy is who shared it.
	SharedBy *IdentitySet `json:"sharedBy,omitempty"`
	// SharedDateTime is when it was shared (RFC 3339).
	SharedDateTime string `json:"sharedDateTime,omitempty"`
}

// RemoteItem points at an item that lives in another drive (graph.remoteItem), for example in
// sharedWithMe. Its ID with ParentReference.DriveID is the real address; asking the local placeholder for
// children is an error (notes §5).
type RemoteItem struct {
	// ID is the item's id in its own drive.
	ID string `json:"id,omitempty"`
	// Name is the item's name.
	Name string `json:"name,omitempty"`
	// Size is the item's size in bytes.
	Size int64 `json:"size,omitempty"`
	// WebURL opens the item in a browser.
	WebURL string `json:"webUrl,omitempty"`
	// ParentReference holds the remote drive's id.
	ParentReference *ItemReference `json:"parentReference,omitempty"`
	// File is set when the remote item is a file.
	File *File `json:"file,omitempty"`
	// Folder is set when the remote item is a folder.
	Folder *Folder `json:"folder,omitempty"`
	// Package is set when the remote item is a package (e.g. a OneNote notebook).
	Package *Package `json:"package,omitempty"`
	// Shared describes how the remote item is shared.
	Shared *Shared `json:"shared,omitempty"`
}

// DriveItem is a file, folder or package in a drive (graph.driveItem, with baseItem and entity merged).
type DriveItem struct {
	// ID is the item's id in its drive.
	ID string `json:"id,omitempty"`
	// Name is the item's name.
	Name string `json:"name,omitempty"`
	// Size is the size in bytes (for folders, of everything inside). Not omitempty: 0 is a real size.
	Size int64 `json:"size"`
	// WebURL opens the item in a browser (it is not a sharing link).
	WebURL string `json:"webUrl,omitempty"`
	// ETag changes whenever the item or its metadata changes.
	ETag string `json:"eTag,omitempty"`
	// CTag changes when the content changes; absent on folders.
	CTag string `json:"cTag,omitempty"`
	// CreatedDateTime is when the item was created (RFC 3339).
	CreatedDateTime string `json:"createdDateTime,omitempty"`
	// LastModifiedDateTime is when the item last changed (RFC 3339).
	LastModifiedDateTime string `json:"lastModifiedDateTime,omitempty"`
	// CreatedBy is who created the item.
	CreatedBy *IdentitySet `json:"createdBy,omitempty"`
	// LastModifiedBy is who last changed the item.
	LastModifiedBy *IdentitySet `json:"lastModifiedBy,omitempty"`
	// ParentReference addresses the parent and, through DriveID, the item's drive.
	ParentReference *ItemReference `json:"parentReference,omitempty"`
	// File is set when the item is a file.
	File *File `json:"file,omitempty"`
	// Folder is set when the item is a folder.
	Folder *Folder `json:"folder,omitempty"`
	// Package is set when the item is a package (e.g. a OneNote notebook).
	Package *Package `json:"package,omitempty"`
	// Root is set on the drive's root folder.
	Root *Root `json:"root,omitempty"`
	// RemoteItem is set when the item is a placeholder for an item in another drive.
	RemoteItem *RemoteItem `json:"remoteItem,omitempty"`
	// Shared is set when the item is shared.
	Shared *Shared `json:"shared,omitempty"`
	// Deleted is set on an item a delta page reports as deleted.
	Deleted *Deleted `json:"deleted,omitempty"`
	// Children is a navigation property, present only with $expand=children [SG].
	Children []DriveItem `json:"children,omitempty"`
}

// IsFolder reports whether the item can have children: a folder, a package (notebooks are folders to
// Graph), or a remote item that is one of those.
func (d DriveItem) IsFolder() bool {
	if d.Folder != nil || d.Package != nil {
		return true
	}
	return d.RemoteItem != nil && (d.RemoteItem.Folder != nil || d.RemoteItem.Package != nil)
}

// SharedDriveItem is what GET /shares/{token} returns (graph.sharedDriveItem) [SG, SDI].
type SharedDriveItem struct {
	// ID is the id of the share, not of the item.
	ID string `json:"id,omitempty"`
	// Name is the shared item's name.
	Name string `json:"name,omitempty"`
	// WebURL opens the shared item in a browser.
	WebURL string `json:"webUrl,omitempty"`
	// ETag is the share's etag.
	ETag string `json:"eTag,omitempty"`
	// CreatedDateTime is when the share was created (RFC 3339).
	CreatedDateTime string `json:"createdDateTime,omitempty"`
	// LastModifiedDateTime is when the share last changed (RFC 3339).
	LastModifiedDateTime string `json:"lastModifiedDateTime,omitempty"`
	// CreatedBy is who created the share.
	CreatedBy *IdentitySet `json:"createdBy,omitempty"`
	// LastModifiedBy is who last changed the share.
	LastModifiedBy *IdentitySet `json:"lastModifiedBy,omitempty"`
	// ParentReference addresses the shared item's parent, when Graph reports it.
	ParentReference *ItemReference `json:"parentReference,omitempty"`
	// Owner is who owns the shared item.
	Owner *IdentitySet `json:"owner,omitempty"`
	// DriveItem is the shared item (a navigation property: present when expanded).
	DriveItem *DriveItem `json:"driveItem,omitempty"`
	// Permission is the permission that is the sharing link (a navigation property: present when expanded).
	Permission *Permission `json:"permission,omitempty"`
}

// PermissionUpdate is the body of PATCH {item}/permissions/{id} [PU]: only what the user gave is sent.
// Graph lets roles change on user permissions and expirationDateTime on anonymous links; organization and
// people links can't be modified (notes §4 Update).
type PermissionUpdate struct {
	// Roles replaces the permission's roles, e.g. ["read"] or ["write"].
	Roles []string `json:"roles,omitempty"`
	// ExpirationDateTime is the new expiry, an RFC 3339 date-time (Edm.DateTimeOffset).
	ExpirationDateTime string `json:"expirationDateTime,omitempty"`
}

// InviteRequest is the body of POST {item}/invite: the action's parameters as the metadata names them
// [CSDL, INV]. Recipients and Roles are required; the rest is sent only when given, except the two
// Booleans odshare always sends so that Graph's unstated defaults never decide who is notified.
type InviteRequest struct {
	// Recipients are the people who get access (and, with SendInvitation, an e-mail).
	Recipients []DriveRecipient `json:"recipients"`
	// Message is the plain-text message of the invitation; at most 2,000 characters [INV].
	Message string `json:"message,omitempty"`
	// RequireSignIn says the recipients must sign in to open the item; a pointer so false is sent.
	RequireSignIn *bool `json:"requireSignIn,omitempty"`
	// SendInvitation e-mails the recipients a sharing link; false grants access silently.
	SendInvitation *bool `json:"sendInvitation,omitempty"`
	// Roles are the roles granted: "read" or "write".
	Roles []string `json:"roles"`
	// ExpirationDateTime is when the permission expires (RFC 3339); on OneDrive for Business and
	// SharePoint it applies only to sharing-link permissions [INV].
	ExpirationDateTime string `json:"expirationDateTime,omitempty"`
	// Password protects the invitation; OneDrive personal only [INV]. Never logged.
	Password string `json:"password,omitempty"`
	// RetainInheritedPermissions keeps inherited permissions when the item is shared for the first
	// time; a pointer so that false can be sent deliberately.
	RetainInheritedPermissions *bool `json:"retainInheritedPermissions,omitempty"`
}

// GrantRequest is the body of POST /shares/{token}/permission/grant [PG, CSDL].
type GrantRequest struct {
	// Recipients are the people added to the link.
	Recipients []DriveRecipient `json:"recipients"`
	// Roles must match the link's role, unless the link is an existing-access link [PG].
	Roles []string `json:"roles"`
}

// RevokeGrantsRequest is the body of POST {item}/permissions/{id}/revokeGrants: the people removed from
// a specific-people link (permission-revokegrants; not in the v1.0 metadata cut odshare carries).
type RevokeGrantsRequest struct {
	// Grantees are the people removed from the link.
	Grantees []DriveRecipient `json:"grantees"`
}

// PermissionError is the "error" Graph puts on an entry of a 207 Multi-Status invite answer: the
// recipient was granted access but could not be notified, and the inner code says why [INV, the older
// page's partial success response].
type PermissionError struct {
	// Code is the top-level code ("notAllowed").
	Code string `json:"code"`
	// Message is Graph's text, for developers.
	Message ErrorText `json:"message"`
	// InnerError holds the specific code ("exchangeInvalidUser", "hipCheckRequired", ...).
	InnerError *InnerError `json:"innerError,omitempty"`
}

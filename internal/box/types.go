package box

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ItemType is Box's "type" of an item: file, folder or web_link. Their ids are separate spaces, so an id
// alone never names an item.
type ItemType string

// The item types odshare shares.
const (
	File    ItemType = "file"
	Folder  ItemType = "folder"
	WebLink ItemType = "web_link"
)

// RootFolderID is the id of a user's root folder ("All Files").
const RootFolderID = "0"

// collection is the type's API collection: files, folders or web_links.
func (t ItemType) collection() (string, error) {
	switch t {
	case File:
		return "files", nil
	case Folder:
		return "folders", nil
	case WebLink:
		return "web_links", nil
	}
	return "", fmt.Errorf("box: unknown item type %q (want file, folder or web_link)", string(t))
}

// Valid reports whether t is one of File, Folder and WebLink.
func (t ItemType) Valid() bool {
	_, err := t.collection()
	return err == nil
}

// Access is a shared link's access level.
type Access string

// The access levels Box documents for shared links. Leaving the level out of a request means the
// enterprise's default.
const (
	AccessOpen          Access = "open"          // anyone with the link
	AccessCompany       Access = "company"       // people in the enterprise (paid accounts)
	AccessCollaborators Access = "collaborators" // people already invited to the item
)

// Effective permissions Box reports on a shared link (effective_permission).
const (
	PermissionCanEdit     = "can_edit"
	PermissionCanDownload = "can_download"
	PermissionCanPreview  = "can_preview"
	PermissionNoAccess    = "no_access"
)

// Item is the part of a Box file, folder or web link object odshare reads. Every call that returns one
// also returns Box's JSON unchanged, with everything else it holds. Fields Box was not asked for (see the
// calls' fields parameter) are zero.
type Item struct {
	Type ItemType `json:"type"`
	ID   string   `json:"id"`
	ETag string   `json:"etag"`
	Name string   `json:"name"`
	// SharedLink is the item's link, nil when it has none (Box sends "shared_link": null) or when the
	// field was not asked for. Box also answers null to a caller with read-only access.
	SharedLink *SharedLink `json:"shared_link"`
	// AllowedSharedLinkAccessLevels lists the levels the enterprise allows on this item (empty for the root
	// folder: no sharing there).
	AllowedSharedLinkAccessLevels []Access `json:"allowed_shared_link_access_levels"`
	// Permissions are the caller's permissions on the item.
	Permissions *ItemPermissions `json:"permissions"`
}

// ItemPermissions is the part of an item's "permissions" that matters to sharing.
type ItemPermissions struct {
	CanShare          bool `json:"can_share"`
	CanSetShareAccess bool `json:"can_set_share_access"`
}

// SharedLink is an item's shared_link object as Box returns it.
type SharedLink struct {
	URL string `json:"url"`
	// DownloadURL is the direct download link (files only, a premium feature); "" when null.
	DownloadURL string `json:"download_url"`
	// VanityURL and VanityName are the custom URL and its name; "" when null.
	VanityURL  string `json:"vanity_url"`
	VanityName string `json:"vanity_name"`
	// Access is the level asked for; EffectiveAccess what applies after enterprise policy, which can be
	// stricter.
	Access          Access `json:"access"`
	EffectiveAccess Access `json:"effective_access"`
	// EffectivePermission is one of the Permission constants.
	EffectivePermission string `json:"effective_permission"`
	// UnsharedAt is the expiry, nil when the link does not expire. Box answers in the account's time
	// zone; compare it as an instant.
	UnsharedAt        *Timestamp      `json:"unshared_at"`
	IsPasswordEnabled bool            `json:"is_password_enabled"`
	Permissions       LinkPermissions `json:"permissions"`
	DownloadCount     int64           `json:"download_count"`
	PreviewCount      int64           `json:"preview_count"`
}

// LinkPermissions is a shared link's "permissions" object in Box's answers.
type LinkPermissions struct {
	CanDownload bool `json:"can_download"`
	CanPreview  bool `json:"can_preview"`
	CanEdit     bool `json:"can_edit"`
}

// User is the part of Box's user object odshare reads (GET /users/me).
type User struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Login string `json:"login"`
	// Enterprise is nil for free personal accounts.
	Enterprise *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"enterprise"`
}

// Nullable is a request field with three states, which encoding/json's omitempty cannot express: omitted
// (the zero value: Box keeps or defaults the setting), null (Null: Box removes the setting) and a value
// (Value). Tag fields of this type `json:",omitzero"`, so an omitted one leaves no key.
type Nullable[T any] struct {
	state nullState
	v     T
}

type nullState uint8

const (
	omitted nullState = iota
	null
	hasValue
)

// Value is a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{state: hasValue, v: v} }

// Null is a Nullable sent as JSON null.
func Null[T any]() Nullable[T] { return Nullable[T]{state: null} }

// IsZero reports an omitted field (json's omitzero uses it).
func (n Nullable[T]) IsZero() bool { return n.state == omitted }

// IsNull reports a field to send as null.
func (n Nullable[T]) IsNull() bool { return n.state == null }

// Get returns the value and true, or the zero T and false when n is omitted or null.
func (n Nullable[T]) Get() (T, bool) { return n.v, n.state == hasValue }

// errOmitted is marshalling an omitted Nullable that was not tagged omitzero.
var errOmitted = errors.New("box: an omitted field has no JSON value (tag it omitzero)")

// MarshalJSON writes null or the value; an omitted Nullable is an error, since writing anything would
// change a setting the caller meant to leave alone.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	switch n.state {
	case null:
		return []byte("null"), nil
	case hasValue:
		return marshal(n.v)
	}
	return nil, errOmitted
}

// marshal is json.Marshal without HTML escaping, so a password holding '&', '<' or '>' goes to Box as
// typed rather than as \u0026 (the same to a JSON parser, but not to a person reading a request log).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads null as Null and anything else as a Value (an absent key leaves n omitted).
func (n *Nullable[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}

// SharedLinkParams is the "shared_link" object of a create, update or (with Null) remove request. Box
// has one link per item: a PUT with settings creates the link or changes the existing one.
type SharedLinkParams struct {
	// Access is open, company or collaborators; "" leaves it out, which means the enterprise's default
	// on a new link.
	Access Access `json:"access,omitempty"`
	// Password protects an open link; Null removes the password. Write-only: Box never returns it.
	Password Nullable[string] `json:"password,omitzero"`
	// VanityName sets a custom URL https://app.box.com/v/<name> (12 characters or more); Null removes it.
	VanityName Nullable[string] `json:"vanity_name,omitzero"`
	// UnsharedAt sets the expiry (sent in UTC, whole seconds, "+00:00"); Null removes it. Box's published
	// schema omits null here, but its guides and boxcli's users show that null removes an expiry.
	UnsharedAt Nullable[Timestamp] `json:"unshared_at,omitzero"`
	// Permissions, when set, is sent as "permissions"; Box refuses it with collaborators access.
	Permissions *LinkPermissionParams `json:"permissions,omitempty"`
}

// LinkPermissionParams is a request's "permissions": nil fields are left out.
type LinkPermissionParams struct {
	CanDownload *bool `json:"can_download,omitempty"`
	CanPreview  *bool `json:"can_preview,omitempty"`
	// CanEdit is for files only, with can_download true and open or company access.
	CanEdit *bool `json:"can_edit,omitempty"`
}

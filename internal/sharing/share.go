package sharing

import "encoding/json"

// Redeem is how a share is opened (Graph's Prefer header on /shares).
type Redeem int

// The ways to open a share.
const (
	// RedeemNone opens it without redeeming.
	RedeemNone Redeem = iota
	// RedeemAlways grants the caller lasting access, like opening the link in a browser.
	RedeemAlways
	// RedeemIfNecessary grants access for this request only.
	RedeemIfNecessary
)

// ShareOptions tune the share calls.
type ShareOptions struct {
	// Redeem is how the share is opened.
	Redeem Redeem
	// WithItem also reads the shared item (GetShare).
	WithItem bool
	// Password is the shared link's password, for a provider whose links can have one (Box);
	// "" for none.
	Password string
}

// Share is what a sharing URL or share id points at.
type Share struct {
	// Name, Owner, ID and WebURL are the share's, for the table.
	Name, Owner, ID, WebURL string
	// Item is the shared item, when asked for (ShareOptions.WithItem).
	Item *Entry
	// Raw is the provider's object unchanged; with the item when asked for.
	Raw json.RawMessage
}

// ListOptions tune ListChildren.
type ListOptions struct {
	// Redeem is how the share is opened.
	Redeem Redeem
	// PageSize asks for pages of this many items (Graph's $top); 0 leaves it to the provider.
	PageSize int
	// RawOnly says the caller needs only each Entry's Raw (JSON output), so the provider need not
	// read the items.
	RawOnly bool
	// Password is the shared link's password (see ShareOptions.Password).
	Password string
	// ForDownload says the entries will be downloaded (Downloader.RemoteOf): the provider lists
	// what that needs, such as Box's sha1 and file_version.
	ForDownload bool
}

// Entry is one item of a folder listing (or a shared item).
type Entry struct {
	// Name is the item's name as the provider sent it.
	Name string
	// IsFolder is true for folders (and things people see as one item, such as OneNote notebooks).
	IsFolder bool
	// Kind names, for people, an item that is neither a file nor a folder (Box's "web link"); ""
	// for files and folders.
	Kind string
	// Size is the size in bytes (a folder's: of everything inside).
	Size int64
	// ChildCount is how many items a folder holds, when the provider says (nil otherwise).
	ChildCount *int
	// Modified is when it last changed (RFC 3339 as sent).
	Modified string
	// ID is the provider's id.
	ID string
	// Raw is the provider's object unchanged: valid JSON, as the provider's decoder read it (the
	// output sinks write it without validating it again).
	Raw json.RawMessage
	// Err is set when the provider's object could not be read as an item; only Raw is then
	// meaningful.
	Err error
	// Folder is where a walk descends into this item; nil when it doesn't (files, packages).
	Folder *Folder
	// FolderErr says why a folder cannot be descended into (its address is missing).
	FolderErr error
}

// Folder is a folder a walk can list: Key tells folders apart (a shortcut back into its own
// ancestry is not followed); Ref is the provider's. The zero Folder is the shared folder itself.
type Folder struct {
	Key string
	Ref any
}

// IsRoot reports whether f is the shared folder itself.
func (f Folder) IsRoot() bool { return f.Key == "" && f.Ref == nil }

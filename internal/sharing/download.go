package sharing

import (
	"context"
	"encoding/json"
	"hash"
	"net/http"
)

// VerbShareDownload names `share download` for Parser.Supports.
const VerbShareDownload = "share download"

// Downloader is a Provider that can download files (and, through ListChildren, folders). Content is
// reached in two steps, as both Graph and Box serve it: ContentURL asks, with the provider's
// credential, for a short-lived pre-authenticated URL on the provider's download host, and Fetch GETs
// that URL without any credential. The engine in package sharing/download drives them: resume with
// Range, refreshing an expired URL, integrity.
type Downloader interface {
	// Remote reads what item names, for a download: a file's size, content version and checksum,
	// or a folder.
	Remote(ctx context.Context, item Item, o ShareOptions) (*Remote, error)
	// RemoteOf reads an Entry of a listing (ListChildren with ListOptions.ForDownload) of the
	// folder root, or of a folder below it, as a Remote.
	RemoteOf(root *Remote, e Entry) (*Remote, error)
	// ContentURL returns a fresh download URL for the file's content, converted to format when it
	// is not "" (Graph's ?format=pdf). The URL is a credential of its own until it expires: it must
	// not be printed or logged.
	ContentURL(ctx context.Context, r *Remote, format string) (string, error)
	// Fetch GETs a download URL without the provider's credential and returns the response with
	// its body unread; header carries Range for a resume. Redirects are followed under the
	// transport's rules (no credentials across hosts).
	Fetch(ctx context.Context, url string, header http.Header) (*http.Response, error)
}

// Remote is an item as a download sees it.
type Remote struct {
	// Name is the item's name as the provider sent it (server text: make it safe before use).
	Name string
	// ID is the provider's id for the item.
	ID string
	// IsFolder is true for a folder; Folder is then where a walk lists it (nil for the root of a
	// share, which ListChildren lists as the zero Folder).
	IsFolder bool
	Folder   *Folder
	// NotContent, when set, says why the item has no content to download although it is not a
	// folder (a OneNote notebook).
	NotContent string
	// Skip, with NotContent, says that a folder's download passes the item by, reported as
	// skipped, rather than failing it (a Box web link, which rclone's Box backend leaves out too);
	// named alone, the item still fails.
	Skip bool
	// Size is the content's size in bytes.
	Size int64
	// Version changes whenever the content does (Graph's cTag, else its eTag; Box's file version):
	// a partial download is resumed only while it is unchanged.
	Version string
	// Modified is when the content last changed (RFC 3339 as sent); "" when not known.
	Modified string
	// Checksum is the content's hash as the provider gives it; nil when it gives none.
	Checksum *Checksum
	// Ref is the provider's own address of the item (what ContentURL needs).
	Ref any
	// Raw is the provider's object unchanged.
	Raw json.RawMessage
}

// Checksum is a content hash the provider states, and how to compute it.
type Checksum struct {
	// Name is the provider's name for it: Graph's "quickXorHash" or "sha1Hash", Box's "sha1".
	Name string
	// Sum is the expected digest.
	Sum []byte
	// New returns the hash to compute it with.
	New func() hash.Hash
	// Encode shows a digest the way the provider writes it (base64, hex).
	Encode func([]byte) string
}

// RefusalExplainer is a Parser that says in its own words why it does not take a flag for a verb,
// added to the registry's "--x is a Box flag; … is a OneDrive/SharePoint item" when that would not
// say enough (Graph: no password can open its links through the API). "" adds nothing.
type RefusalExplainer interface {
	ExplainRefusal(verb, flag string) string
}

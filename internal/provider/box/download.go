package box

import (
	"context"
	"crypto/sha1" // #nosec G505 -- Box names file contents by their SHA-1 [OA File--Mini.sha1]
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/sharing"
)

var _ sharing.Downloader = (*Provider)(nil)

// downloadFields are what a download reads of an item, and of each entry of a folder it walks:
// the name, size and modification time for the report, sha1 to verify the bytes with, and
// file_version, which changes with the content (the etag also changes with a link's settings).
var downloadFields = []string{"name", "size", "modified_at", "sha1", "file_version"}

// contentRef is where a file's content is asked for: GET /files/{id}/content, with the BoxApi
// header when the file was reached through a shared link (Box's header "can be used on the file or
// folder shared, as well as on any files or folders nested within" [OA]).
type contentRef struct {
	id   string
	link *boxapi.LinkAccess
}

// Remote reads the item for a download: GET /files/{id} (or /folders/{id}) for an id or a path
// (resolved folder by folder first), GET /shared_items with the BoxApi header for a shared link,
// GET /{type}/{id} with it for an item inside a shared folder; always with downloadFields.
func (p *Provider) Remote(ctx context.Context, it sharing.Item, o sharing.ShareOptions) (*sharing.Remote, error) {
	ref := refOf(it)
	var link *boxapi.LinkAccess
	var raw json.RawMessage
	var err error
	switch ref.Kind {
	case boxapi.RefSharedLink, boxapi.RefSharedItem:
		acc := p.access(ref, o.Password)
		link = &acc
		_, raw, err = p.sharedItem(ctx, it, o.Password, downloadFields)
	default:
		var t target
		if t, err = p.resolve(ctx, it); err == nil {
			_, raw, err = p.c.GetItem(ctx, t.typ, t.id, downloadFields)
		}
	}
	if err != nil {
		return nil, p.fail(err)
	}
	return remoteOf(raw, link)
}

// RemoteOf reads an entry of a folder listing (ListChildren with ForDownload) as a Remote; its
// content is asked for with the root's shared link, if it came through one.
func (*Provider) RemoteOf(root *sharing.Remote, e sharing.Entry) (*sharing.Remote, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	var link *boxapi.LinkAccess
	if root != nil {
		if r, ok := root.Ref.(contentRef); ok {
			link = r.link
		}
	}
	return remoteOf(e.Raw, link)
}

// boxFile is what a download reads of Box's file, folder or web link object.
type boxFile struct {
	Type        boxapi.ItemType `json:"type"`
	ID          string          `json:"id"`
	ETag        string          `json:"etag"`
	Name        string          `json:"name"`
	Size        int64           `json:"size"`
	ModifiedAt  string          `json:"modified_at"`
	SHA1        string          `json:"sha1"`
	FileVersion *struct {
		ID string `json:"id"`
	} `json:"file_version"`
}

// remoteOf is Box's item object as the download engine sees it.
func remoteOf(raw json.RawMessage, link *boxapi.LinkAccess) (*sharing.Remote, error) {
	var f boxFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("decode Box item: %w", err)}
	}
	if err := boxapi.CheckID(f.ID); err != nil {
		return nil, &sharing.AnswerError{Err: err}
	}
	r := &sharing.Remote{Name: f.Name, ID: f.ID, Size: f.Size, Modified: f.ModifiedAt, Raw: raw, Ref: contentRef{id: f.ID, link: link}}
	switch f.Type {
	case boxapi.Folder:
		r.IsFolder = true
		r.Folder = &sharing.Folder{Key: f.ID, Ref: f.ID}
		return r, nil
	case boxapi.WebLink:
		r.NotContent, r.Skip = "it is a Box web link, which has no content to download", true
		return r, nil
	case boxapi.File:
	default:
		return nil, &sharing.AnswerError{Err: fmt.Errorf("Box sent an item of type %q", f.Type)}
	}
	// The version a partial download is resumed against: file_version changes with the content;
	// without it, the sha1 (a changed file has another), never the etag, which a link change moves.
	switch {
	case f.FileVersion != nil && f.FileVersion.ID != "":
		r.Version = "v:" + f.FileVersion.ID
	case f.SHA1 != "":
		r.Version = "sha1:" + f.SHA1
	}
	if f.SHA1 != "" {
		sum, err := hex.DecodeString(f.SHA1)
		if err != nil || len(sum) != sha1.Size {
			sum = []byte(f.SHA1) // a hash that can't match: the download fails rather than go unverified
		}
		r.Checksum = &sharing.Checksum{Name: "sha1", Sum: sum, New: sha1.New, Encode: hex.EncodeToString}
	}
	return r, nil
}

// ContentURL is GET /files/{id}/content, with the BoxApi header for a file reached through a shared
// link: Box's 302 names the download URL (boxapi.Client.ContentURL). Box converts nothing.
func (p *Provider) ContentURL(ctx context.Context, r *sharing.Remote, format string) (string, error) {
	if format != "" {
		return "", errors.New("box: Box does not convert files (--format)")
	}
	ref, ok := r.Ref.(contentRef)
	if !ok {
		return "", fmt.Errorf("box: %q has no content address", r.Name)
	}
	u, err := p.c.ContentURL(ctx, ref.id, ref.link)
	return u, p.fail(err)
}

// Fetch GETs a download URL without the token.
func (p *Provider) Fetch(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	return p.c.Download(ctx, url, header)
}

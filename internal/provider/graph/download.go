package graph

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/quickxor"
	"github.com/odshare/odshare/internal/sharing"
)

var _ sharing.Downloader = (*Provider)(nil)

// PasswordNote is said when Graph refuses a sharing link: a password-protected link is one reason,
// and one that cannot be helped, since the shares API takes no password (notes §2; rclone#5533).
const PasswordNote = "If the link is password-protected: Graph's shares API cannot open password-protected links (it takes no password); open the link in a browser."

// contentAddr is where a Remote's content is asked for: {addr}/content.
type contentAddr string

// Remote reads the item for a download: GET /shares/{token}/driveItem for a sharing URL or share
// id (its content is then /shares/{token}/driveItem/content, a documented form), else GET on the
// item's address in its drive.
func (p *Provider) Remote(ctx context.Context, it sharing.Item, o sharing.ShareOptions) (*sharing.Remote, error) {
	if it.IsShare() {
		token := ShareToken(it)
		di, raw, err := p.c.ResolveShare(ctx, token, Prefer(o.Redeem))
		if sharing.StatusOf(err) == http.StatusForbidden {
			return nil, fmt.Errorf("%w\n%s", err, PasswordNote)
		}
		if err != nil {
			return nil, err
		}
		shares, err := msgraph.SharesPath(token)
		if err != nil {
			return nil, err
		}
		return remote(di, raw, shares+"/driveItem", true)
	}
	drive, err := p.c.ResolveSite(ctx, driveOf(it))
	if err != nil {
		return nil, err
	}
	if err := msgraph.CheckDrive(drive); err != nil {
		return nil, err
	}
	addr := drive.ItemPath(refOf(it))
	di, raw, err := p.c.GetItem(ctx, addr)
	if err != nil {
		return nil, err
	}
	return remote(di, raw, addr, false)
}

// RemoteOf reads a child from a listing; its content is /drives/{driveId}/items/{id}/content.
func (*Provider) RemoteOf(_ *sharing.Remote, e sharing.Entry) (*sharing.Remote, error) {
	if e.Err != nil {
		return nil, e.Err
	}
	var di api.DriveItem
	if err := json.Unmarshal(e.Raw, &di); err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("decode drive item: %w", err)}
	}
	addr, err := msgraph.AddressOf(&di)
	if err != nil {
		return nil, err
	}
	return remote(&di, e.Raw, addr, false)
}

// remote is a driveItem as the download engine sees it. A share's root folder is listed through
// the share (the zero Folder); any other folder through its address.
func remote(di *api.DriveItem, raw json.RawMessage, addr string, shareRoot bool) (*sharing.Remote, error) {
	r := &sharing.Remote{Name: di.Name, ID: di.ID, Size: di.Size, Modified: di.LastModifiedDateTime, Raw: raw, Ref: contentAddr(addr)}
	r.Version = di.CTag
	if r.Version == "" {
		r.Version = di.ETag
	}
	file, folder, pkg := di.File, di.Folder != nil, di.Package != nil
	if ri := di.RemoteItem; ri != nil {
		// A shortcut or a share's placeholder: the real item is the remote one (notes §5).
		if ri.File != nil {
			file = ri.File
		}
		folder, pkg = folder || ri.Folder != nil, pkg || ri.Package != nil
		if ri.Size > 0 {
			r.Size = ri.Size
		}
	}
	switch {
	case pkg:
		r.NotContent = "it is a package (such as a OneNote notebook), which Graph serves no content for"
	case folder:
		r.IsFolder = true
		if !shareRoot {
			a, err := msgraph.AddressOf(di)
			if err != nil {
				return nil, err
			}
			r.Folder = &sharing.Folder{Key: a, Ref: a}
		}
	}
	if file != nil && file.Hashes != nil {
		r.Checksum = checksum(file.Hashes)
	}
	return r, nil
}

// checksum picks the hash to verify with: quickXorHash, which every drive type has, else the SHA-1
// of OneDrive personal [hashes resource; notes §2]. A hash Graph sent in a form that does not decode
// is a checksum no download can match, so it is kept (and the download fails) rather than dropped.
func checksum(h *api.Hashes) *sharing.Checksum {
	if h.QuickXorHash != "" {
		sum, err := base64.StdEncoding.DecodeString(h.QuickXorHash)
		if err != nil || len(sum) != quickxor.Size {
			sum = []byte(h.QuickXorHash)
		}
		return &sharing.Checksum{Name: "quickXorHash", Sum: sum, New: quickxor.New, Encode: base64.StdEncoding.EncodeToString}
	}
	if h.SHA1Hash != "" {
		sum, err := hex.DecodeString(h.SHA1Hash)
		if err != nil || len(sum) != sha1.Size {
			sum = []byte(h.SHA1Hash)
		}
		return &sharing.Checksum{Name: "sha1Hash", Sum: sum, New: sha1.New, Encode: func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }}
	}
	return nil
}

// ContentURL is GET {item}/content[?format=F]: Graph's 302 names the pre-authenticated URL
// [driveitem-get-content], which is not followed with the token.
func (p *Provider) ContentURL(ctx context.Context, r *sharing.Remote, format string) (string, error) {
	addr, _ := r.Ref.(contentAddr)
	if addr == "" {
		return "", fmt.Errorf("graph: %q has no content address", r.Name)
	}
	return p.c.ContentURL(ctx, string(addr), format)
}

// Fetch GETs a download URL without the token.
func (p *Provider) Fetch(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	return p.c.Download(ctx, url, header)
}

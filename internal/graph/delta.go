package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/odshare/odshare/internal/graph/api"
)

// DeltaOptions shape one delta enumeration [delta doc].
type DeltaOptions struct {
	// Top asks for pages of this many items ($top); 0 leaves Graph's default. Graph may send
	// other sizes (notes §1.1), so it is a hint.
	Top int
	// Select names the driveItem properties to send ($select); empty means all.
	Select []string
	// Prefer are the Prefer header's values ("hierarchicalsharing"), sent on every page.
	Prefer []string
}

// Delta enumerates an item's subtree: GET {itemAddr}/delta[?$top=N&$select=...] without a token
// (every item below, the item itself included), then every @odata.nextLink, until the page that
// carries @odata.deltaLink, which it returns. each gets every page's items in order, as pages
// does: the same page bound, nextLink checks and loop detection apply, and the Prefer header is
// repeated on every page. Graph's 410 Gone (resyncRequired: the enumeration's token expired, so
// it must start over) is returned as the *Error it is; restarting is the caller's choice.
func (c *Client) Delta(ctx context.Context, itemAddr string, o DeltaOptions, each func(page []json.RawMessage) error) (deltaLink string, err error) {
	if err := checkItemAddr(itemAddr); err != nil {
		return "", err
	}
	if o.Top < 0 {
		return "", errors.New("graph: delta: negative $top")
	}
	var q []string
	if o.Top > 0 {
		q = append(q, "$top="+strconv.Itoa(o.Top))
	}
	if len(o.Select) > 0 {
		q = append(q, "$select="+strings.Join(o.Select, ","))
	}
	p := ItemActionPath(itemAddr, "delta")
	if len(q) > 0 {
		p += "?" + strings.Join(q, "&")
	}
	var hdr http.Header
	if len(o.Prefer) > 0 {
		hdr = http.Header{"Prefer": {strings.Join(o.Prefer, ", ")}}
	}
	err = c.pagesTo(ctx, "delta", &Request{Path: p, Header: hdr}, each, &deltaLink)
	return deltaLink, err
}

// IsResync reports whether err is delta's 410 Gone: the token can no longer be served and the
// enumeration must start over [delta doc].
func IsResync(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.StatusCode == http.StatusGone
}

// GetItem reads an item: GET {itemAddr}[?$select=...]. It returns Graph's body beside the
// decoded item.
func (c *Client) GetItem(ctx context.Context, itemAddr string, sel ...string) (*api.DriveItem, json.RawMessage, error) {
	if err := checkItemAddr(itemAddr); err != nil {
		return nil, nil, err
	}
	p := itemAddr
	if len(sel) > 0 {
		p += "?$select=" + strings.Join(sel, ",")
	}
	var di api.DriveItem
	raw, err := c.getJSON(ctx, p, PreferNone, &di)
	if err != nil {
		return nil, nil, err
	}
	return &di, raw, nil
}

// RelativeURL turns an absolute URL Graph sent (an @odata.nextLink) into the path below the
// version root that a $batch request takes ("/drives/x/items/y/permissions?$skiptoken=..."). A
// URL on another scheme or host, or outside the version root, is refused: a batch carries the
// token to whatever it names.
func (c *Client) RelativeURL(abs string) (string, error) {
	if err := c.checkNextLink("batch", abs); err != nil {
		return "", err
	}
	u, err := url.Parse(abs)
	if err != nil {
		return "", err
	}
	root := strings.TrimSuffix(c.base.EscapedPath(), "/")
	after, ok := strings.CutPrefix(u.EscapedPath(), root)
	if !ok || !strings.HasPrefix(after, "/") || strings.HasPrefix(after, "//") {
		return "", errors.New("graph: " + sanitize(abs) + " is not below the Graph version root")
	}
	if u.RawQuery != "" {
		after += "?" + u.RawQuery
	}
	return after, nil
}

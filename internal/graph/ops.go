package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/odshare/odshare/internal/graph/api"
)

// Prefer is the value of the Prefer header on /shares requests [SG].
type Prefer string

// The Prefer values Graph documents for /shares [SG].
const (
	// PreferNone sends no Prefer header.
	PreferNone Prefer = ""
	// PreferRedeem grants the caller lasting access, like opening the link in a browser.
	PreferRedeem Prefer = "redeemSharingLink"
	// PreferRedeemIfNecessary grants access for this request only: for peeking at a link.
	PreferRedeemIfNecessary Prefer = "redeemSharingLinkIfNecessary"
)

// CreateLinkResult is what CreateLink returns.
type CreateLinkResult struct {
	// Permission is the decoded permission.
	Permission api.Permission
	// Raw is Graph's body unchanged, for JSON output.
	Raw json.RawMessage
	// Created is true for 201 (a new link) and false for 200 (Graph returned an existing link of the same
	// type and scope) [CL1].
	Created bool
	// DriveID and ItemID are the item's real address when it was named by a sharing URL or share id.
	DriveID, ItemID string
}

// CreateLink creates (or returns the existing) sharing link for an item [CL1].
//
// Ids and paths are addressed under drive: POST {drive}{item}/createLink. A sharing URL or share id is
// first resolved with GET /shares/{token}/driveItem, and the link is then created with POST
// /drives/{parentReference.driveId}/items/{id}/createLink: drive is ignored in that case, because a share
// already names its drive, and createLink is not documented under /shares.
func (c *Client) CreateLink(ctx context.Context, drive DriveRef, item ItemRef, req api.CreateLinkRequest) (*CreateLinkResult, error) {
	if item.Value == "" {
		return nil, errors.New("graph: empty item reference")
	}
	res := &CreateLinkResult{}
	var itemPath string
	switch item.Kind {
	case ItemBySharingURL, ItemByShareID:
		di, _, err := c.ResolveShare(ctx, ShareToken(item), PreferNone)
		if err != nil {
			return nil, fmt.Errorf("resolve share: %w", err)
		}
		res.DriveID, res.ItemID = sharedItemAddress(di)
		if res.DriveID == "" || res.ItemID == "" {
			return nil, errors.New("resolve share: Graph did not return the item's drive id and item id")
		}
		itemPath = DriveRef{Kind: DriveByID, ID: res.DriveID}.ItemPath(ItemRef{Kind: ItemByID, Value: res.ItemID})
	default:
		if err := checkDrive(drive); err != nil {
			return nil, err
		}
		itemPath = drive.ItemPath(item)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: ItemActionPath(itemPath, "createLink"), Body: body})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return nil, unexpectedStatus("createLink", resp)
	}
	if err := json.Unmarshal(resp.Body, &res.Permission); err != nil {
		return nil, fmt.Errorf("createLink: decode permission: %w", err)
	}
	res.Raw = json.RawMessage(resp.Body)
	res.Created = resp.StatusCode == http.StatusCreated
	return res, nil
}

// sharedItemAddress returns the drive id and item id a resolved share points at. A remoteItem, when
// present, is the real item (notes §5); otherwise the item itself with its parentReference's drive.
func sharedItemAddress(di *api.DriveItem) (driveID, itemID string) {
	if ri := di.RemoteItem; ri != nil && ri.ID != "" && ri.ParentReference != nil && ri.ParentReference.DriveID != "" {
		return ri.ParentReference.DriveID, ri.ID
	}
	if di.ParentReference != nil {
		driveID = di.ParentReference.DriveID
	}
	return driveID, di.ID
}

// ResolveShare returns the item behind a share token: GET /shares/{token}/driveItem [SG].
func (c *Client) ResolveShare(ctx context.Context, token string, prefer Prefer) (*api.DriveItem, json.RawMessage, error) {
	p, err := sharesPath(token)
	if err != nil {
		return nil, nil, err
	}
	var di api.DriveItem
	raw, err := c.getJSON(ctx, p+"/driveItem", prefer, &di)
	if err != nil {
		return nil, nil, err
	}
	return &di, raw, nil
}

// GetShare returns the share itself (a sharedDriveItem): GET /shares/{token} [SG].
func (c *Client) GetShare(ctx context.Context, token string, prefer Prefer) (*api.SharedDriveItem, json.RawMessage, error) {
	p, err := sharesPath(token)
	if err != nil {
		return nil, nil, err
	}
	var sdi api.SharedDriveItem
	raw, err := c.getJSON(ctx, p, prefer, &sdi)
	if err != nil {
		return nil, nil, err
	}
	return &sdi, raw, nil
}

// GetItem returns an item: GET {drive}{item}, or GET /shares/{token}/driveItem for a sharing URL or share
// id (drive is then ignored, see DriveRef.ItemPath).
func (c *Client) GetItem(ctx context.Context, drive DriveRef, item ItemRef) (*api.DriveItem, json.RawMessage, error) {
	if item.Value == "" {
		return nil, nil, errors.New("graph: empty item reference")
	}
	if item.Kind == ItemByID || item.Kind == ItemByPath {
		if err := checkDrive(drive); err != nil {
			return nil, nil, err
		}
	}
	var di api.DriveItem
	raw, err := c.getJSON(ctx, drive.ItemPath(item), PreferNone, &di)
	if err != nil {
		return nil, nil, err
	}
	return &di, raw, nil
}

// ListShareChildren lists a shared folder: GET /shares/{token}/driveItem/children, then every
// @odata.nextLink verbatim, never rebuilt from $skiptoken [PAG], until there is none. each gets every page's
// items as raw JSON in order, once per page, empty pages included [PAG]; an error from each stops paging
// and is returned as is. A nextLink to another scheme or host than BaseURL is refused, so the token never
// follows a link off Graph.
func (c *Client) ListShareChildren(ctx context.Context, token string, prefer Prefer, each func(page []json.RawMessage) error) error {
	p, err := sharesPath(token)
	if err != nil {
		return err
	}
	req := &Request{Path: p + "/driveItem/children", Header: preferHeader(prefer)}
	seen := map[string]bool{}
	for {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return unexpectedStatus("list children", resp)
		}
		var page struct {
			Value    *[]json.RawMessage `json:"value"`
			NextLink string             `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return fmt.Errorf("list children: decode page: %w", err)
		}
		if page.Value == nil {
			return errors.New("list children: Graph's page has no \"value\" array")
		}
		if err := each(*page.Value); err != nil {
			return err
		}
		if page.NextLink == "" {
			return nil
		}
		if err := c.checkNextLink(page.NextLink); err != nil {
			return err
		}
		if seen[page.NextLink] {
			return errors.New("list children: Graph returned the same @odata.nextLink twice")
		}
		seen[page.NextLink] = true
		req = &Request{URL: page.NextLink, Header: preferHeader(prefer)}
	}
}

// checkNextLink accepts only an absolute nextLink on BaseURL's scheme and host.
func (c *Client) checkNextLink(link string) error {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("list children: @odata.nextLink %q is not an absolute URL", sanitize(link))
	}
	if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		return fmt.Errorf("list children: refusing to follow @odata.nextLink to %s://%s: the token must not leave %s",
			sanitize(u.Scheme), sanitize(u.Host), c.base.Host)
	}
	return nil
}

// getJSON GETs path, requires 200 and decodes the body into v, returning the body too.
func (c *Client) getJSON(ctx context.Context, path string, prefer Prefer, v any) (json.RawMessage, error) {
	resp, err := c.Do(ctx, &Request{Path: path, Header: preferHeader(prefer)})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, unexpectedStatus("GET "+path, resp)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return nil, fmt.Errorf("GET %s: decode response: %w", path, err)
	}
	return json.RawMessage(resp.Body), nil
}

func preferHeader(p Prefer) http.Header {
	if p == PreferNone {
		return nil
	}
	return http.Header{"Prefer": {string(p)}}
}

// sharesPath builds /shares/{token}. The token goes in as is (share tokens are URL-safe), so it is
// checked first: anything else could add path segments or a query.
func sharesPath(token string) (string, error) {
	if err := checkShareToken(token); err != nil {
		return "", err
	}
	if strings.HasPrefix(token, "u!") {
		token = strings.TrimRight(token, "=")
	}
	return "/shares/" + token, nil
}

// unexpectedStatus reports a 2xx/3xx that the call doesn't expect, such as 202 or 204 from createLink.
func unexpectedStatus(op string, resp *Response) error {
	rid := sanitize(resp.Header.Get("request-id"))
	if rid != "" {
		return fmt.Errorf("%s: unexpected %s from Graph (request-id %s)", op, statusLine(resp.StatusCode), rid)
	}
	return fmt.Errorf("%s: unexpected %s from Graph", op, statusLine(resp.StatusCode))
}

// checkDrive rejects a drive that needs an id but has none, which would otherwise address "/drives/".
func checkDrive(d DriveRef) error {
	if d.Kind != DriveMe && d.ID == "" {
		return errors.New("graph: drive reference has no id")
	}
	return nil
}

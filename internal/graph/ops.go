package graph

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/odshare/odshare/internal/bearer"
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
	res := &CreateLinkResult{}
	itemPath, driveID, itemID, err := c.itemAddress(ctx, drive, item)
	if err != nil {
		return nil, err
	}
	res.DriveID, res.ItemID = driveID, itemID
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

// ItemAddress returns the item's path relative to the version root, for calls on the item itself
// (permissions, children, createLink). Ids and paths give drive.ItemPath(item) without any request. A
// sharing URL or share id is resolved with GET /shares/{token}/driveItem to
// "/drives/{driveId}/items/{id}" (the remoteItem's address when there is one, notes §5), because
// createLink and the permission calls are documented only on drive items, not under /shares.
func (c *Client) ItemAddress(ctx context.Context, drive DriveRef, item ItemRef) (string, error) {
	p, _, _, err := c.itemAddress(ctx, drive, item)
	return p, err
}

// itemAddress is ItemAddress that also returns the drive and item ids a share resolved to ("" for ids
// and paths).
func (c *Client) itemAddress(ctx context.Context, drive DriveRef, item ItemRef) (itemPath, driveID, itemID string, err error) {
	if item.Value == "" {
		return "", "", "", errors.New("graph: empty item reference")
	}
	switch item.Kind {
	case ItemBySharingURL, ItemByShareID:
		di, _, err := c.ResolveShare(ctx, ShareToken(item), PreferNone)
		if err != nil {
			return "", "", "", fmt.Errorf("resolve share: %w", err)
		}
		driveID, itemID = sharedItemAddress(di)
		if driveID == "" || itemID == "" {
			return "", "", "", errMissingAddress
		}
		return driveItemPath(driveID, itemID), driveID, itemID, nil
	default:
		if drive, err = c.ResolveSite(ctx, drive); err != nil {
			return "", "", "", err
		}
		if err := checkDrive(drive); err != nil {
			return "", "", "", err
		}
		return drive.ItemPath(item), "", "", nil
	}
}

// errMissingAddress is a resolved share without the ids needed to address its item.
var errMissingAddress = errors.New("resolve share: Graph did not return the item's drive id and item id")

// driveItemPath is /drives/{driveId}/items/{itemId}, each escaped as one segment.
func driveItemPath(driveID, itemID string) string {
	return DriveRef{Kind: DriveByID, ID: driveID}.ItemPath(ItemRef{Kind: ItemByID, Value: itemID})
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

// AddressOf is the address of an item found in a listing or behind a share,
// "/drives/{driveId}/items/{id}", following a remoteItem to where the item really lives.
func AddressOf(di *api.DriveItem) (string, error) {
	driveID, itemID := sharedItemAddress(di)
	if driveID == "" || itemID == "" {
		return "", fmt.Errorf("item %q: Graph did not return its drive id and item id", sanitize(di.Name))
	}
	return DriveRef{Kind: DriveByID, ID: driveID}.ItemPath(ItemRef{Kind: ItemByID, Value: itemID}), nil
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

// ListShareChildren lists a shared folder: GET /shares/{token}/driveItem/children, then every
// @odata.nextLink verbatim, never rebuilt from $skiptoken [PAG], until there is none. each gets every page's
// items as raw JSON in order, once per page, empty pages included [PAG]; an error from each stops paging
// and is returned as is. A nextLink to another scheme or host than BaseURL is refused, so the token never
// follows a link off Graph.
// With top > 0 it asks for pages of top items ("?$top=N"); Graph may still send smaller pages (or larger
// ones, on personal OneDrive), so top is a hint for page size, never a limit on the total.
func (c *Client) ListShareChildren(ctx context.Context, token string, prefer Prefer, top int, each func(page []json.RawMessage) error) error {
	p, err := sharesPath(token)
	if err != nil {
		return err
	}
	return c.pages(ctx, "list children", &Request{Path: p + "/driveItem/children" + topQuery(top), Header: preferHeader(prefer)}, each)
}

// ListChildren lists any folder: GET {itemAddr}/children ("?$top=N" when top > 0), then every
// @odata.nextLink, with the same rules as ListShareChildren. itemAddr is a path relative to the version
// root, as ItemAddress returns it.
func (c *Client) ListChildren(ctx context.Context, itemAddr string, top int, each func(page []json.RawMessage) error) error {
	if err := checkItemAddr(itemAddr); err != nil {
		return err
	}
	return c.pages(ctx, "list children", &Request{Path: ItemActionPath(itemAddr, "children") + topQuery(top)}, each)
}

// topQuery is "?$top=N" for top > 0, else "".
func topQuery(top int) string {
	if top <= 0 {
		return ""
	}
	return "?$top=" + strconv.Itoa(top)
}

// checkItemAddr rejects an item address that is empty or carries a query or fragment, which an action
// appended after it would end up inside.
func checkItemAddr(itemAddr string) error {
	if strings.Trim(itemAddr, "/") == "" {
		return errors.New("graph: empty item address")
	}
	if strings.ContainsAny(itemAddr, "?#") {
		return fmt.Errorf("graph: item address %q has a query or fragment", sanitize(itemAddr))
	}
	return nil
}

// Paging bounds. A hostile or broken server can send @odata.nextLinks forever, or enormous ones;
// the client follows at most MaxPages pages per Client (DefaultMaxPages unless Options say
// otherwise) and no nextLink longer than MaxNextLinkLen. Real nextLinks are a few hundred bytes
// (directory delta skiptokens reach about 8 KB), so the length bound is far above anything Graph
// sends and below what a web server accepts as a request line.
const (
	// DefaultMaxPages ends an endless listing within a minute even on loopback, and is about two
	// million items at Graph's default page size of 200.
	DefaultMaxPages = 10000
	// MaxNextLinkLen is the longest @odata.nextLink followed.
	MaxNextLinkLen = 64 << 10
)

// PageLimitError is a listing stopped because the Client had already fetched its MaxPages pages.
type PageLimitError struct {
	// Op is the listing, e.g. "list children".
	Op string
	// Limit is the bound that was reached.
	Limit int64
}

func (e *PageLimitError) Error() string {
	return fmt.Sprintf("%s: stopped after %d pages, the most odshare follows in one command (is Graph sending @odata.nextLink without end?)", e.Op, e.Limit)
}

// takePage counts one page against the Client's page bound.
func (c *Client) takePage(op string) error {
	if n := c.pagesUsed.Add(1); n > c.maxPages.Load() {
		return &PageLimitError{Op: op, Limit: c.maxPages.Load()}
	}
	return nil
}

// SetMaxPages changes the Client's page bound (see Options.MaxPages); n < 1 means DefaultMaxPages.
// Pages already fetched count against the new bound.
func (c *Client) SetMaxPages(n int) {
	if n < 1 {
		n = DefaultMaxPages
	}
	c.maxPages.Store(int64(n))
}

// pages sends req, then follows every @odata.nextLink verbatim [PAG], passing each page's "value" to
// each in order (empty pages included). op prefixes errors. The Prefer header (and any other) of req is
// repeated on every page.
//
// Every page counts against the Client's page bound (PageLimitError), and a nextLink longer than
// MaxNextLinkLen is refused. A nextLink that comes back (A, B, A) is an error; to catch it without
// keeping every link, only a 128-bit digest of each is kept, so a listing's memory grows by 16 bytes
// a page, bounded by the page limit.
func (c *Client) pages(ctx context.Context, op string, req *Request, each func(page []json.RawMessage) error) error {
	return c.pagesTo(ctx, op, req, each, nil)
}

// pagesTo is pages that also stores the last page's @odata.deltaLink in deltaLink, when given.
func (c *Client) pagesTo(ctx context.Context, op string, req *Request, each func(page []json.RawMessage) error, deltaLink *string) error {
	hdr := req.Header
	seen := map[[16]byte]struct{}{}
	for {
		if err := c.takePage(op); err != nil {
			return err
		}
		resp, err := c.Do(ctx, req)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return unexpectedStatus(op, resp)
		}
		items, next, delta, err := decodeDeltaPage(resp.Body)
		if errors.Is(err, errNoValue) {
			return fmt.Errorf("%s: Graph's page has no \"value\" array", op)
		}
		if err != nil {
			return fmt.Errorf("%s: decode page: %w", op, err)
		}
		if err := each(items); err != nil {
			return err
		}
		if next == "" {
			if deltaLink != nil {
				*deltaLink = delta
			}
			return nil
		}
		if len(next) > MaxNextLinkLen {
			return fmt.Errorf("%s: Graph's @odata.nextLink is %d bytes long, more than the %d KiB odshare follows", op, len(next), MaxNextLinkLen>>10)
		}
		if err := c.checkNextLink(op, next); err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(next))
		key := [16]byte(sum[:16])
		if _, dup := seen[key]; dup {
			return fmt.Errorf("%s: Graph returned the same @odata.nextLink twice", op)
		}
		seen[key] = struct{}{}
		req = &Request{URL: next, Header: hdr}
	}
}

// checkNextLink accepts only an absolute nextLink on BaseURL's scheme and host.
func (c *Client) checkNextLink(op, link string) error {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("%s: @odata.nextLink %q is not an absolute URL", op, sanitize(link))
	}
	if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		return fmt.Errorf("%s: refusing to follow @odata.nextLink to %s://%s: the token must not leave %s",
			op, sanitize(u.Scheme), sanitize(u.Host), c.base.Host)
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
	if d.Kind == DriveOfSiteURL {
		// /sites/{host}:/{path}:/drive is documented, but not every request below it is: address
		// the site by id (ResolveSite).
		return errors.New("graph: a site URL must be resolved to the site's id first")
	}
	return nil
}

// ResolveSite returns d with a site named by URL (DriveOfSiteURL) turned into the site by id:
// GET /sites/{hostname}:/{server-relative-path} answers the site [SGP], whose id then addresses its
// default library as /sites/{id}/drive. Any other drive is returned as it is, without a request.
func (c *Client) ResolveSite(ctx context.Context, d DriveRef) (DriveRef, error) {
	if d.Kind != DriveOfSiteURL {
		return d, nil
	}
	host, path, _ := strings.Cut(d.ID, ":")
	var site struct {
		ID string `json:"id"`
	}
	p := "/sites/" + escapeSegment(host) + ":" + EscapePath(path)
	if path == "/" {
		p = "/sites/" + escapeSegment(host) // the host's root site [SITE]
	}
	if _, err := c.getJSON(ctx, p, PreferNone, &site); err != nil {
		return d, fmt.Errorf("find site %s%s: %w", host, path, err)
	}
	if site.ID == "" {
		return d, fmt.Errorf("find site %s%s: Graph's answer has no id", host, path)
	}
	return DriveRef{Kind: DriveOfSite, ID: site.ID}, nil
}

// ErrMissingAddress is a resolved share without the ids needed to address its item.
var ErrMissingAddress = errMissingAddress

// SharedItemAddress returns the drive id and item id a resolved share points at: a remoteItem,
// when present, is the real item (notes §5); otherwise the item itself with its parentReference's
// drive. Either is "" when Graph did not say.
func SharedItemAddress(di *api.DriveItem) (driveID, itemID string) { return sharedItemAddress(di) }

// DriveItemPath is /drives/{driveId}/items/{itemId}, each escaped as one segment.
func DriveItemPath(driveID, itemID string) string { return driveItemPath(driveID, itemID) }

// SharesPath is /shares/{token} for a share token, refused when the token could change the path.
func SharesPath(token string) (string, error) { return sharesPath(token) }

// CheckDrive refuses a drive that needs an id but has none, or a site URL not yet resolved.
func CheckDrive(d DriveRef) error { return checkDrive(d) }

// ContentURL asks for a file's content, GET {itemAddr}/content (with ?format=F, a conversion such as
// pdf), and returns the pre-authenticated download URL Graph's 302 Found names [driveitem-get-content]:
// the redirect is not followed here, so the token is never sent toward the download host; Download
// fetches the URL without it. The URL must be absolute and https (plain http on loopback only).
func (c *Client) ContentURL(ctx context.Context, itemAddr, format string) (string, error) {
	if err := checkItemAddr(itemAddr); err != nil {
		return "", err
	}
	p := ItemActionPath(itemAddr, "content")
	if format != "" {
		if strings.Trim(format, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			return "", fmt.Errorf("graph: invalid content format %q", sanitize(format))
		}
		p += "?format=" + format
	}
	req := &Request{Path: p}
	target, err := c.resolve(req)
	if err != nil {
		return "", err
	}
	crid := newUUID()
	resp, err := c.send.Send(ctx, &bearer.Call{
		Method: http.MethodGet, URL: target, Header: http.Header{http.CanonicalHeaderKey("client-request-id"): {crid}}, NoRedirect: true,
		Fail: func(status int, h http.Header, body []byte) error {
			return newError(http.MethodGet, target, crid, status, h, body)
		},
	})
	if err != nil {
		return "", err
	}
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return "", unexpectedStatus("GET "+p, resp)
	}
	return bearer.DownloadRedirect("GET "+p, "Graph", target, resp.StatusCode, resp.Header.Get("Location"))
}

// Download fetches a download URL (ContentURL, @microsoft.graph.downloadUrl) without the token and
// returns the response unread (bearer.Sender.Download): header carries Range for a resume.
func (c *Client) Download(ctx context.Context, rawURL string, header http.Header) (*http.Response, error) {
	return c.send.Download(ctx, rawURL, header)
}

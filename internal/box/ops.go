package box

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/safetext"
)

// CheckID refuses an id that is not Box's: a non-empty string of at most 20 ASCII digits. Box's ids are
// numeric strings ("0" is the root folder); anything else would change the request path, so it is refused
// before any request is built.
func CheckID(id string) error {
	if id == "" {
		return errors.New("box: empty item id")
	}
	if len(id) > maxIDLen || strings.TrimLeft(id, "0123456789") != "" {
		return fmt.Errorf("box: item id %q is not numeric", safetext.Line(id))
	}
	return nil
}

// maxIDLen is more digits than any Box id has (they fit in 64 bits).
const maxIDLen = 20

// ItemPath is the API path of an item: /files/{id}, /folders/{id} or /web_links/{id}.
func ItemPath(t ItemType, id string) (string, error) {
	coll, err := t.collection()
	if err != nil {
		return "", err
	}
	if err := CheckID(id); err != nil {
		return "", err
	}
	return "/" + coll + "/" + id, nil
}

// itemURL is ItemPath with "?fields=…" when fields are given.
func itemURL(t ItemType, id string, fields []string) (string, error) {
	p, err := ItemPath(t, id)
	if err != nil {
		return "", err
	}
	var q query
	if err := q.fields(fields); err != nil {
		return "", err
	}
	return p + q.String(), nil
}

// query builds a query string in the order its pairs are added. Values are escaped with url.QueryEscape
// except field lists, whose commas Box reads as separators and which are checked instead.
type query []string

func (q *query) add(name, value string) {
	*q = append(*q, name+"="+url.QueryEscape(value))
}

func (q *query) fields(fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	for _, f := range fields {
		if !validField(f) {
			return fmt.Errorf("box: field name %q is not one of Box's", safetext.Line(f))
		}
	}
	*q = append(*q, "fields="+strings.Join(fields, ","))
	return nil
}

func (q query) String() string {
	if len(q) == 0 {
		return ""
	}
	return "?" + strings.Join(q, "&")
}

// validField accepts Box's field names: lower-case letters, digits and underscores (dots for nested
// names), so they need no escaping.
func validField(f string) bool {
	if f == "" || len(f) > 100 {
		return false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// GetItem returns an item: GET /{files|folders|web_links}/{id}[?fields=…]. With fields, Box returns the
// item's mini representation plus the fields named (ask for "shared_link" to see its link); without, its
// standard representation.
func (c *Client) GetItem(ctx context.Context, t ItemType, id string, fields []string) (*Item, json.RawMessage, error) {
	p, err := itemURL(t, id, fields)
	if err != nil {
		return nil, nil, err
	}
	return c.item(ctx, &Request{Path: p}, "get "+string(t))
}

// SetSharedLink creates, changes or removes an item's shared link: PUT /{files|folders|web_links}/{id}
// ?fields=… with the body {"shared_link": …}. Value(params) creates the link or changes the one the item
// has (Box keeps one link per item, with the same URL); Null removes it ({"shared_link": null}; a later
// create gets a new URL). An omitted link is refused: that PUT would change nothing. Box answers 200 in
// every case, with the item, whose shared_link is included when fields names it (Box's guides always ask
// for fields=shared_link).
func (c *Client) SetSharedLink(ctx context.Context, t ItemType, id string, link Nullable[SharedLinkParams], fields []string) (*Item, json.RawMessage, error) {
	if link.IsZero() {
		return nil, nil, errors.New("box: SetSharedLink needs link settings, or Null to remove the link")
	}
	if params, ok := link.Get(); ok {
		if pw, ok := params.Password.Get(); ok {
			redact.Add(pw) // a server that echoes the body cannot make odshare print it
		}
	}
	p, err := itemURL(t, id, fields)
	if err != nil {
		return nil, nil, err
	}
	body, err := SharedLinkBody(link)
	if err != nil {
		return nil, nil, err
	}
	return c.item(ctx, &Request{Method: http.MethodPut, Path: p, Body: body}, "set shared link")
}

// SharedLinkBody is the body of a shared-link PUT: {"shared_link": …}, explicit nulls included, a
// password as typed (no HTML escaping).
func SharedLinkBody(link Nullable[SharedLinkParams]) ([]byte, error) {
	body, err := marshal(struct {
		SharedLink Nullable[SharedLinkParams] `json:"shared_link"`
	}{link})
	if err != nil {
		return nil, fmt.Errorf("box: encode shared link: %w", err)
	}
	return body, nil
}

// LinkAccess is a shared link, and its password if it has one, for the BoxApi header: the link's URL
// (https://app.box.com/s/…, or its vanity URL) as Box gave it.
type LinkAccess struct {
	URL      string
	Password string
}

// Header is the BoxApi header's value: "shared_link=<URL>" plus "&shared_link_password=<PW>" when there is
// a password, by plain concatenation and never URL-encoded, as every Box SDK builds it (a password holding
// '&' or '=' is sent as is: how Box splits it is not documented). Control characters, which no link or
// password holds and which would break the header, are refused; the error never quotes the password. The
// password is registered with package redact, so no message can show it.
func (a LinkAccess) Header() (string, error) {
	if a.URL == "" {
		return "", errors.New("box: empty shared link")
	}
	if hasCTL(a.URL) {
		return "", errors.New("box: the shared link contains control characters")
	}
	if strings.ContainsAny(a.URL, " &") {
		return "", errors.New("box: the shared link contains a space or '&'")
	}
	v := "shared_link=" + a.URL
	if a.Password != "" {
		if hasCTL(a.Password) {
			return "", errors.New("box: the shared link password contains control characters")
		}
		redact.Add(a.Password) // a server that echoes it back cannot make odshare print it
		v += "&shared_link_password=" + a.Password
	}
	return v, nil
}

// hasCTL reports an ASCII control character (tab included) or DEL, which net/http refuses in a header.
func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// boxAPIHeader is the request header for a, or nil for no shared link.
func boxAPIHeader(a *LinkAccess) (http.Header, error) {
	if a == nil {
		return nil, nil
	}
	v, err := a.Header()
	if err != nil {
		return nil, err
	}
	return http.Header{"Boxapi": {v}}, nil
}

// GetSharedItem returns the item a shared link points at: GET /shared_items[?fields=…] with the BoxApi
// header. The bearer token is still needed (Box requires it even for open links). A wrong or missing
// password is Box's 403 incorrect_shared_item_password. Items inside a shared folder are then reached with
// the same LinkAccess (ListFolderItems' Link, GetItemWithLink).
func (c *Client) GetSharedItem(ctx context.Context, link LinkAccess, fields []string) (*Item, json.RawMessage, error) {
	hdr, err := boxAPIHeader(&link)
	if err != nil {
		return nil, nil, err
	}
	var q query
	if err := q.fields(fields); err != nil {
		return nil, nil, err
	}
	return c.item(ctx, &Request{Path: "/shared_items" + q.String(), Header: hdr}, "get shared item")
}

// GetItemWithLink is GetItem for an item reached through a shared link (an item inside a shared folder):
// the same request with the BoxApi header.
func (c *Client) GetItemWithLink(ctx context.Context, t ItemType, id string, link LinkAccess, fields []string) (*Item, json.RawMessage, error) {
	hdr, err := boxAPIHeader(&link)
	if err != nil {
		return nil, nil, err
	}
	p, err := itemURL(t, id, fields)
	if err != nil {
		return nil, nil, err
	}
	return c.item(ctx, &Request{Path: p, Header: hdr}, "get "+string(t))
}

// GetUsersMe returns the signed-in user: GET /users/me[?fields=…].
func (c *Client) GetUsersMe(ctx context.Context, fields []string) (*User, json.RawMessage, error) {
	var q query
	if err := q.fields(fields); err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(ctx, &Request{Path: "/users/me" + q.String()})
	if err != nil {
		return nil, nil, err
	}
	var u User
	if err := decode200("get user", resp, &u); err != nil {
		return nil, nil, err
	}
	return &u, json.RawMessage(resp.Body), nil
}

// item sends req and decodes Box's item object, which must be a file, folder or web link with an id.
func (c *Client) item(ctx context.Context, req *Request, op string) (*Item, json.RawMessage, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	var it Item
	if err := decode200(op, resp, &it); err != nil {
		return nil, nil, err
	}
	if !it.Type.Valid() || CheckID(it.ID) != nil {
		return nil, nil, fmt.Errorf("%s: Box's answer is not a file, folder or web link with a numeric id (type %q, id %q)",
			op, safetext.Line(string(it.Type)), safetext.Line(it.ID))
	}
	return &it, json.RawMessage(resp.Body), nil
}

// decode200 requires a 200 and decodes its JSON body into v.
func decode200(op string, resp *Response, v any) error {
	if resp.StatusCode != http.StatusOK {
		return unexpectedStatus(op, resp)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("%s: decode Box's answer: %w", op, err)
	}
	return nil
}

// unexpectedStatus reports a 2xx/3xx that the call doesn't expect, such as a 204 or a 304.
func unexpectedStatus(op string, resp *Response) error {
	msg := fmt.Sprintf("%s: unexpected %s from Box", op, statusLine(resp.StatusCode))
	if rid := safetext.Line(resp.Header.Get(requestIDHeader)); rid != "" {
		msg += " (request-id " + rid + ")"
	}
	return errors.New(msg)
}

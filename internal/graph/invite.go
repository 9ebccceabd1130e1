package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/odshare/odshare/internal/graph/api"
)

// PermissionsResult is Graph's answer to an action that returns a collection of permissions (invite,
// grant): the HTTP status, the body unchanged and its "value" entries unchanged.
type PermissionsResult struct {
	// Status is 200, or 207 Multi-Status when invite granted access but could not notify some
	// recipients [INV].
	Status int
	// Raw is Graph's body unchanged.
	Raw json.RawMessage
	// Value are the permissions, each as Graph sent it (with its own "error" on a 207).
	Value []json.RawMessage
}

// Invite sends a sharing invitation: POST {itemAddr}/invite [INV], itemAddr as ItemAddress returns it.
// Graph answers 200, or 207 when some recipients were granted access but not notified; each is a
// success here, the per-recipient errors being in Value.
func (c *Client) Invite(ctx context.Context, itemAddr string, req api.InviteRequest) (*PermissionsResult, error) {
	if err := checkItemAddr(itemAddr); err != nil {
		return nil, err
	}
	return c.postPermissions(ctx, "invite", ItemActionPath(itemAddr, "invite"), req, http.StatusMultiStatus)
}

// Grant adds people to the sharing link a share token names: POST /shares/{token}/permission/grant
// [PG]. The roles must match the link's unless it is an existing-access link; the answer holds the
// updated link (whose URL may be new) and, for existing-access links, more permissions.
func (c *Client) Grant(ctx context.Context, token string, req api.GrantRequest) (*PermissionsResult, error) {
	p, err := sharesPath(token)
	if err != nil {
		return nil, err
	}
	return c.postPermissions(ctx, "grant", p+"/permission/grant", req)
}

// GetSharePermission reads the permission that is the sharing link a share token names: GET
// /shares/{token}/permission [SG, SDI].
func (c *Client) GetSharePermission(ctx context.Context, token string) (*api.Permission, json.RawMessage, error) {
	p, err := sharesPath(token)
	if err != nil {
		return nil, nil, err
	}
	var perm api.Permission
	raw, err := c.getJSON(ctx, p+"/permission", PreferNone, &perm)
	if err != nil {
		return nil, nil, err
	}
	return &perm, raw, nil
}

// RevokeGrants removes people from a specific-people link: POST {itemAddr}/permissions/{id}/revokeGrants
// (permission-revokegrants), 200 with the updated permission, returned unchanged. Graph supports it on
// links scoped to users, on OneDrive for Business and SharePoint only.
func (c *Client) RevokeGrants(ctx context.Context, itemAddr, permissionID string, req api.RevokeGrantsRequest) (json.RawMessage, error) {
	p, err := permissionPath(itemAddr, permissionID)
	if err != nil {
		return nil, err
	}
	if len(req.Grantees) == 0 {
		return nil, errors.New("graph: revokeGrants needs at least one grantee")
	}
	resp, err := c.postJSON(ctx, "revokeGrants", p+"/revokeGrants", req)
	if err != nil {
		return nil, err
	}
	if !json.Valid(resp.Body) {
		return nil, errors.New("revokeGrants: Graph's answer is not JSON")
	}
	return json.RawMessage(resp.Body), nil
}

// postJSON POSTs req as JSON to path and requires 200, or one of the statuses in also.
func (c *Client) postJSON(ctx context.Context, op, path string, req any, also ...int) (*Response, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: path, Body: body})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK && !slices.Contains(also, resp.StatusCode) {
		return nil, unexpectedStatus(op, resp)
	}
	return resp, nil
}

// postPermissions POSTs req to path and reads a {"value": [permission...]} answer; 200 is expected,
// and so are the statuses in also.
func (c *Client) postPermissions(ctx context.Context, op, path string, req any, also ...int) (*PermissionsResult, error) {
	resp, err := c.postJSON(ctx, op, path, req, also...)
	if err != nil {
		return nil, err
	}
	value, err := PermissionValues(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &PermissionsResult{Status: resp.StatusCode, Raw: json.RawMessage(resp.Body), Value: value}, nil
}

// PermissionValues reads the "value" array of a permission collection answer, each entry unchanged.
func PermissionValues(body []byte) ([]json.RawMessage, error) {
	var page struct {
		Value *[]json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("decode permissions: %w", err)
	}
	if page.Value == nil {
		return nil, errors.New("Graph's answer has no \"value\" array")
	}
	return *page.Value, nil
}

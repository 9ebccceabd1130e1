package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/odshare/odshare/internal/graph/api"
)

// ListPermissions lists an item's permissions: GET {itemAddr}/permissions, then every @odata.nextLink
// ([OAS] marks the list pageable), with the same rules as ListShareChildren. Inherited permissions are
// included [LP]; link URLs and share ids appear only for callers who could create them.
func (c *Client) ListPermissions(ctx context.Context, itemAddr string, each func(page []json.RawMessage) error) error {
	if err := checkItemAddr(itemAddr); err != nil {
		return err
	}
	return c.pages(ctx, "list permissions", &Request{Path: ItemActionPath(itemAddr, "permissions")}, each)
}

// DeletePermission removes a permission: DELETE {itemAddr}/permissions/{id} [PDEL]. Graph answers 204;
// 200 is accepted too, since either means the permission is gone. Inherited permissions can't be deleted
// on the item: Graph refuses them.
func (c *Client) DeletePermission(ctx context.Context, itemAddr, permissionID string) error {
	p, err := permissionPath(itemAddr, permissionID)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, &Request{Method: http.MethodDelete, Path: p})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return unexpectedStatus("delete permission", resp)
	}
	return nil
}

// UpdatePermission changes a permission's roles or expiry: PATCH {itemAddr}/permissions/{id} with only the
// fields given, 200 with the updated permission [PU]. It returns Graph's body unchanged beside the decoded
// permission. An update with nothing in it is refused before any request.
func (c *Client) UpdatePermission(ctx context.Context, itemAddr, permissionID string, u api.PermissionUpdate) (*api.Permission, json.RawMessage, error) {
	p, err := permissionPath(itemAddr, permissionID)
	if err != nil {
		return nil, nil, err
	}
	if len(u.Roles) == 0 && u.ExpirationDateTime == "" {
		return nil, nil, errors.New("graph: permission update changes nothing")
	}
	body, err := json.Marshal(u)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(ctx, &Request{Method: http.MethodPatch, Path: p, Body: body})
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, unexpectedStatus("update permission", resp)
	}
	var perm api.Permission
	if err := json.Unmarshal(resp.Body, &perm); err != nil {
		return nil, nil, fmt.Errorf("update permission: decode permission: %w", err)
	}
	return &perm, json.RawMessage(resp.Body), nil
}

// GetPermission reads one permission: GET {itemAddr}/permissions/{id} [PGET]. It returns Graph's body
// unchanged for JSON output.
func (c *Client) GetPermission(ctx context.Context, itemAddr, permissionID string) (json.RawMessage, error) {
	p, err := permissionPath(itemAddr, permissionID)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, &Request{Path: p})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, unexpectedStatus("get permission", resp)
	}
	if !json.Valid(resp.Body) {
		return nil, errors.New("get permission: Graph's answer is not JSON")
	}
	return json.RawMessage(resp.Body), nil
}

// permissionPath is {itemAddr}/permissions/{id}, the id escaped as one segment: ids are opaque, and
// SharePoint's can hold characters such as '/' or '+' that must not change the path.
func permissionPath(itemAddr, permissionID string) (string, error) {
	if err := checkItemAddr(itemAddr); err != nil {
		return "", err
	}
	if permissionID == "" {
		return "", errors.New("graph: empty permission id")
	}
	return ItemActionPath(itemAddr, "permissions/"+escapeSegment(permissionID)), nil
}

// PermissionPath is {itemAddr}/permissions/{id}, the id escaped as one segment, for a request sent
// some other way ($batch).
func PermissionPath(itemAddr, permissionID string) (string, error) {
	return permissionPath(itemAddr, permissionID)
}

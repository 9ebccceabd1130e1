package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/sharing"
)

// Provider makes Graph's calls for the sharing core.
type Provider struct {
	c *msgraph.Client
}

var (
	_ sharing.Provider      = (*Provider)(nil)
	_ sharing.PathCompleter = (*Provider)(nil)
)

// New returns the provider over a Graph client.
func New(c *msgraph.Client) *Provider { return &Provider{c: c} }

// Client is the Graph client the provider calls through.
func (p *Provider) Client() *msgraph.Client { return p.c }

func (*Provider) Name() string { return Name }

// SetMaxPages bounds the pages of all listings (graph.Client.SetMaxPages).
func (p *Provider) SetMaxPages(n int) { p.c.SetMaxPages(n) }

// createRequest is Graph's createLink body for spec.
func createRequest(spec sharing.LinkSpec) api.CreateLinkRequest {
	req := api.CreateLinkRequest{
		Type:                       api.LinkType(spec.Type),
		Scope:                      api.LinkScope(spec.Scope),
		Password:                   spec.Password,
		ExpirationDateTime:         spec.Expires,
		RetainInheritedPermissions: spec.RetainInherited,
	}
	for _, r := range spec.Recipients {
		req.Recipients = append(req.Recipients, api.DriveRecipient{Email: r})
	}
	return req
}

// CreateLink is createLink [CL1]: 201 is a new link, 200 the existing one of that type and scope,
// returned without the options asked (Differences says which).
func (p *Provider) CreateLink(ctx context.Context, it sharing.Item, spec sharing.LinkSpec) (*sharing.LinkResult, error) {
	res, err := p.c.CreateLink(ctx, driveOf(it), refOf(it), createRequest(spec))
	if err != nil {
		return nil, err
	}
	l, err := decodePermission(res.Raw)
	if err != nil {
		return nil, &sharing.AnswerError{Err: err}
	}
	out := &sharing.LinkResult{Link: l, Status: sharing.StatusExisting, Differences: Differences(spec, l)}
	if res.Created {
		out.Status = sharing.StatusCreated
	}
	return out, nil
}

// Open resolves the item to the address its permissions hang off (a sharing URL through /shares).
func (p *Provider) Open(ctx context.Context, it sharing.Item) (sharing.Target, error) {
	addr, err := p.c.ItemAddress(ctx, driveOf(it), refOf(it))
	if err != nil {
		return sharing.Target{}, err
	}
	return sharing.Target{Item: it, Ref: addr}, nil
}

func addrOf(t sharing.Target) string {
	s, _ := t.Ref.(string)
	return s
}

// ListLinks reads every page of the item's permissions and keeps the sharing links, or every
// permission with all.
func (p *Provider) ListLinks(ctx context.Context, t sharing.Target, all bool) ([]*sharing.Link, error) {
	var out []*sharing.Link
	err := p.c.ListPermissions(ctx, addrOf(t), func(page []json.RawMessage) error {
		for _, raw := range page {
			l, err := decodePermission(raw)
			if err != nil {
				return err
			}
			if all || l.IsLink {
				out = append(out, l)
			}
		}
		return nil
	})
	return out, err
}

// MatchLink picks the link a sharing URL or share id is: by its URL (as Graph shows it in
// link.webUrl, or u!-encoded), or by its share id.
func (*Provider) MatchLink(links []*sharing.Link, it sharing.Item) *sharing.Link {
	for _, l := range links {
		if matchesLink(l, refOf(it)) {
			return l
		}
	}
	return nil
}

func matchesLink(l *sharing.Link, ref msgraph.ItemRef) bool {
	if !l.IsLink {
		return false
	}
	switch ref.Kind {
	case msgraph.ItemBySharingURL:
		return sameLinkURL(l.URL, ref.Value)
	case msgraph.ItemByShareID:
		if l.ShareID != "" && l.ShareID == ref.Value {
			return true
		}
		if u, err := msgraph.DecodeShareToken(ref.Value); err == nil {
			return sameLinkURL(l.URL, u)
		}
	}
	return false
}

// sameLinkURL compares two sharing URLs as the same link: scheme and host in any case, no
// fragment, and without SharePoint's "e" query parameter, which it adds to a link each time it is
// copied. Everything else must match: OneDrive's redir links are told apart by their query.
func sameLinkURL(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	return normLinkURL(a) == normLinkURL(b)
}

// GetLink reads one permission: GET {item}/permissions/{id} [PGET].
func (p *Provider) GetLink(ctx context.Context, t sharing.Target, id string) (*sharing.Link, error) {
	raw, err := p.c.GetPermission(ctx, addrOf(t), id)
	if err != nil {
		return nil, err
	}
	l, err := decodePermission(raw)
	if err != nil {
		return nil, &sharing.AnswerError{Err: err}
	}
	return l, nil
}

// UpdateLink changes a permission's roles or expiry: PATCH {item}/permissions/{id} [PU].
func (p *Provider) UpdateLink(ctx context.Context, t sharing.Target, id string, spec sharing.LinkSpec) (*sharing.Link, error) {
	_, raw, err := p.c.UpdatePermission(ctx, addrOf(t), id, PermissionUpdate(spec))
	if err != nil {
		return nil, err
	}
	l, err := decodePermission(raw)
	if err != nil {
		return nil, &sharing.AnswerError{Err: err}
	}
	return l, nil
}

// DeleteLink removes a permission: DELETE {item}/permissions/{id} [PDEL], reported as 204.
func (p *Provider) DeleteLink(ctx context.Context, t sharing.Target, l *sharing.Link) (int, error) {
	if err := p.c.DeletePermission(ctx, addrOf(t), l.ID); err != nil {
		return 0, err
	}
	return 204, nil
}

// Prefer is the Prefer header for a way of opening a share [SG].
func Prefer(r sharing.Redeem) msgraph.Prefer {
	switch r {
	case sharing.RedeemAlways:
		return msgraph.PreferRedeem
	case sharing.RedeemIfNecessary:
		return msgraph.PreferRedeemIfNecessary
	}
	return msgraph.PreferNone
}

// GetShare reads GET /shares/{token} and, with o.WithItem, GET /shares/{token}/driveItem; in JSON
// the item is the "driveItem" property, as Graph's $expand would put it.
func (p *Provider) GetShare(ctx context.Context, share sharing.Item, o sharing.ShareOptions) (*sharing.Share, error) {
	token := ShareToken(share)
	shared, raw, err := p.c.GetShare(ctx, token, Prefer(o.Redeem))
	if err != nil {
		return nil, fmt.Errorf("get share: %w", err)
	}
	out := &sharing.Share{Name: shared.Name, Owner: ownerName(shared.Owner), ID: shared.ID, WebURL: shared.WebURL, Raw: raw}
	if !o.WithItem {
		return out, nil
	}
	// The share itself is already redeemed (or not) by the first request; asking again with the
	// same preference keeps both requests under the same terms.
	_, itemRaw, err := p.c.ResolveShare(ctx, token, Prefer(o.Redeem))
	if err != nil {
		return nil, fmt.Errorf("get shared item: %w", err)
	}
	e := entry(itemRaw)
	out.Item = &e
	if out.Raw, err = withProperty(raw, "driveItem", itemRaw); err != nil {
		return nil, err
	}
	return out, nil
}

// withProperty appends "name": value to a JSON object without decoding it, so every property
// Graph sent stays as it was, in its order.
func withProperty(obj json.RawMessage, name string, value json.RawMessage) (json.RawMessage, error) {
	trimmed := strings.TrimRight(string(obj), " \t\r\n")
	if len(trimmed) < 2 || trimmed[len(trimmed)-1] != '}' {
		return nil, errors.New("unexpected share body from Graph")
	}
	key, _ := json.Marshal(name)
	var b strings.Builder
	b.WriteString(trimmed[:len(trimmed)-1])
	if len(strings.TrimSpace(trimmed[1:len(trimmed)-1])) > 0 {
		b.WriteByte(',')
	}
	b.Write(key)
	b.WriteByte(':')
	b.Write(value)
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}

// ownerName picks the most telling name from an owner identity set.
func ownerName(set *api.IdentitySet) string {
	if set == nil {
		return ""
	}
	for _, id := range []*api.Identity{set.User, set.Application, set.Device} {
		if id != nil && strings.TrimSpace(id.DisplayName) != "" {
			return id.DisplayName
		}
	}
	return ""
}

// GetSharedItem reads GET /shares/{token}/driveItem [SG].
func (p *Provider) GetSharedItem(ctx context.Context, share sharing.Item, o sharing.ShareOptions) (*sharing.Entry, error) {
	_, raw, err := p.c.ResolveShare(ctx, ShareToken(share), Prefer(o.Redeem))
	if err != nil {
		return nil, err
	}
	e := entry(raw)
	return &e, nil
}

// ListChildren lists the shared folder (GET /shares/{token}/driveItem/children) or a folder an
// earlier page gave (GET /drives/{driveId}/items/{id}/children), following every
// @odata.nextLink [PAG].
func (p *Provider) ListChildren(ctx context.Context, share sharing.Item, folder sharing.Folder, o sharing.ListOptions, each func([]sharing.Entry) error) error {
	page := func(raws []json.RawMessage) error {
		entries := make([]sharing.Entry, len(raws))
		for i, raw := range raws {
			if o.RawOnly {
				entries[i] = sharing.Entry{Raw: raw}
			} else {
				entries[i] = entry(raw)
			}
		}
		return each(entries)
	}
	if folder.IsRoot() {
		return p.c.ListShareChildren(ctx, ShareToken(share), Prefer(o.Redeem), o.PageSize, page)
	}
	addr, _ := folder.Ref.(string)
	return p.c.ListChildren(ctx, addr, o.PageSize, page)
}

// entry reads one driveItem as a neutral Entry; one Graph's JSON cannot be read as a driveItem has
// only Raw and Err.
func entry(raw json.RawMessage) sharing.Entry {
	var it api.DriveItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return sharing.Entry{Raw: raw, Err: fmt.Errorf("decode drive item: %w", err)}
	}
	e := sharing.Entry{Name: it.Name, IsFolder: it.IsFolder(), Size: it.Size, Modified: it.LastModifiedDateTime, ID: it.ID, Raw: raw}
	if it.Folder != nil {
		n := it.Folder.ChildCount
		e.ChildCount = &n
	}
	// Folders only: packages such as OneNote notebooks are one thing to people (notes §5), so they
	// are listed but not opened.
	if it.Folder != nil || (it.RemoteItem != nil && it.RemoteItem.Folder != nil) {
		addr, err := msgraph.AddressOf(&it)
		if err != nil {
			e.FolderErr = err
		} else {
			e.Folder = &sharing.Folder{Key: addr, Ref: addr}
		}
	}
	return e
}

// CompleteFolder lists one page (up to n) of the folder dir, a /path in the item's drive.
func (p *Provider) CompleteFolder(ctx context.Context, dir sharing.Item, n int) ([]string, error) {
	drive, err := p.c.ResolveSite(ctx, driveOf(dir))
	if err != nil {
		return nil, err
	}
	addr := drive.ItemPath(msgraph.ItemRef{Kind: msgraph.ItemByPath, Value: refOf(dir).Value})
	var entries []string
	errEnough := errors.New("one page is enough")
	err = p.c.ListChildren(ctx, addr, n, func(page []json.RawMessage) error {
		for _, raw := range page {
			var it struct {
				Name   string    `json:"name"`
				Folder *struct{} `json:"folder"`
			}
			if json.Unmarshal(raw, &it) != nil || it.Name == "" || strings.ContainsAny(it.Name, "\x00\n\r\t") {
				continue
			}
			if it.Folder != nil {
				it.Name += "/"
			}
			entries = append(entries, it.Name)
		}
		return errEnough
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return entries, nil
}

// PermissionUpdate is Graph's PATCH body for spec: only the roles and the expiry.
func PermissionUpdate(spec sharing.LinkSpec) api.PermissionUpdate {
	return api.PermissionUpdate{Roles: spec.Roles, ExpirationDateTime: spec.Expires}
}

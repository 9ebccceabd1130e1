package box

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/sharing"
)

// The fields odshare asks Box for. With fields, Box answers the item's base representation (type,
// id, etag) plus those named [OA]; shared_link is null when the item has none.
var (
	// linkFields are asked for by every link call, so -o json prints the same object for each.
	linkFields = []string{"name", "shared_link"}
	// probeFields are linkFields plus the access levels the item allows, read before a link is made
	// with no --scope but with download or edit settings: a collaborators-only item would refuse
	// them with a 400.
	probeFields = []string{"name", "shared_link", "allowed_shared_link_access_levels"}
	// entryFields are what a folder listing asks for each entry, for its table.
	entryFields = []string{"name", "size", "modified_at"}
	// shareFields are what /shared_items is asked for when only the item's type and id are needed.
	shareFields = []string{"name"}
)

// Options configure a Provider.
type Options struct {
	// SharePassword is the password of the shared links given by URL (ODSHARE_SHARE_PASSWORD),
	// when ShareOptions and ListOptions carry none.
	SharePassword string
	// SignInHint says how to sign in to Box again; it is added to Box's refusals of the
	// credential (sharing.SignInError).
	SignInHint string
}

// Provider makes Box's calls for the sharing core.
type Provider struct {
	c    *boxapi.Client
	opts Options
}

var _ sharing.Provider = (*Provider)(nil)

// New returns the provider over a Box client.
func New(c *boxapi.Client, o Options) *Provider { return &Provider{c: c, opts: o} }

// Client is the Box client the provider calls through.
func (p *Provider) Client() *boxapi.Client { return p.c }

func (*Provider) Name() string { return Name }

// SetMaxPages bounds the pages of all listings, path resolution included.
func (p *Provider) SetMaxPages(n int) { p.c.SetMaxPages(n) }

// fail marks Box's refusal of the credential with the way to sign in again, and a shared link's
// refused password with the way to give one.
func (p *Provider) fail(err error) error {
	switch {
	case err == nil:
	case p.opts.SignInHint != "" && sharing.IsUnauthorized(err) && sharing.SignInHint(err) == "":
		return &sharing.SignInError{Err: err, Hint: p.opts.SignInHint}
	case sharing.HasCode(err, "incorrect_shared_item_password") && !strings.Contains(err.Error(), passwordHint):
		return fmt.Errorf("%w; %s", err, passwordHint)
	}
	return err
}

// passwordHint follows Box's refusal of a shared link's password.
const passwordHint = "the shared link's password is missing or wrong: give it on stdin with --password-stdin (share commands) or in ODSHARE_SHARE_PASSWORD"

// target is a Box item resolved to its type and id: what its link calls address.
type target struct {
	typ boxapi.ItemType
	id  string
}

func targetOf(t sharing.Target) target {
	tt, _ := t.Ref.(target)
	return tt
}

// access is the BoxApi header's link for a shared-link reference, with the password given (or
// the provider's default).
func (p *Provider) access(ref boxapi.Ref, password string) boxapi.LinkAccess {
	if password == "" {
		password = p.opts.SharePassword
	}
	return boxapi.LinkAccess{URL: ref.Link, Password: password}
}

// resolve finds the item an argument names: a path folder by folder from the root, a shared link
// through /shared_items, an id or an item inside a shared folder as it is.
func (p *Provider) resolve(ctx context.Context, it sharing.Item) (target, error) {
	ref := refOf(it)
	switch ref.Kind {
	case boxapi.RefPath:
		e, err := p.c.ResolvePath(ctx, ref.Path, ref.Dir)
		if err != nil {
			return target{}, err
		}
		return target{typ: e.Type, id: e.ID}, nil
	case boxapi.RefID, boxapi.RefSharedItem:
		return target{typ: ref.Type, id: ref.ID}, nil
	case boxapi.RefSharedLink:
		item, _, err := p.c.GetSharedItem(ctx, p.access(ref, ""), shareFields)
		if err != nil {
			return target{}, err
		}
		return target{typ: item.Type, id: item.ID}, nil
	}
	return target{}, fmt.Errorf("box: %q is not a parsed Box item", it.Input)
}

// Open resolves the item to its type and id.
func (p *Provider) Open(ctx context.Context, it sharing.Item) (sharing.Target, error) {
	t, err := p.resolve(ctx, it)
	if err != nil {
		return sharing.Target{}, p.fail(err)
	}
	return sharing.Target{Item: it, Ref: t}, nil
}

// CreateLink gives the item a link, unless it has one. Box keeps one link per item, and a PUT on an
// item with a link changes that link [G-SL], so odshare reads first (GET …?fields=name,shared_link)
// and only sends the PUT when the item has no link: an existing link that has everything asked is
// "existing", one that lacks something is left as it is, reported with its Differences
// (StatusDiffers), for `link update` to change.
func (p *Provider) CreateLink(ctx context.Context, it sharing.Item, spec sharing.LinkSpec) (*sharing.LinkResult, error) {
	t, err := p.resolve(ctx, it)
	if err != nil {
		return nil, p.fail(err)
	}
	if spec.Type == "edit" && t.typ != boxapi.File {
		return nil, fmt.Errorf("--type edit is for files only, and this is a Box %s", strings.ReplaceAll(string(t.typ), "_", " "))
	}
	probe := spec.Scope == "" && permissionsOf(spec, false) != nil
	fields := linkFields
	if probe {
		fields = probeFields
	}
	cur, raw, err := p.c.GetItem(ctx, t.typ, t.id, fields)
	if err != nil {
		return nil, p.fail(err)
	}
	if cur.SharedLink != nil {
		diffs := Differences(spec, cur.SharedLink, false)
		res := &sharing.LinkResult{Link: linkOf(cur.SharedLink, raw), Status: sharing.StatusExisting, Differences: diffs}
		if len(diffs) > 0 {
			res.Status = sharing.StatusDiffers
		}
		return res, nil
	}
	params, err := linkParams(spec, false, probe && onlyCollaborators(cur.AllowedSharedLinkAccessLevels))
	if err != nil {
		return nil, err
	}
	made, raw, err := p.c.SetSharedLink(ctx, t.typ, t.id, boxapi.Value(params), linkFields)
	if err != nil {
		return nil, p.fail(err)
	}
	if made.SharedLink == nil {
		return nil, &sharing.AnswerError{Err: errors.New("Box answered the PUT without the shared link it made")}
	}
	return &sharing.LinkResult{Link: linkOf(made.SharedLink, raw), Status: sharing.StatusCreated,
		Differences: Differences(spec, made.SharedLink, true)}, nil
}

// ListLinks reads the item's one link, if it has one: GET …?fields=name,shared_link. Box shows the
// link to the people who can change it (owners, co-owners, editors); others see null [notes §1].
// Collaborations are not listed, so all changes nothing (`link list --all` refuses Box items).
func (p *Provider) ListLinks(ctx context.Context, t sharing.Target, _ bool) ([]*sharing.Link, error) {
	tt := targetOf(t)
	_, raw, err := p.c.GetItem(ctx, tt.typ, tt.id, linkFields)
	if err != nil {
		return nil, p.fail(err)
	}
	_, l, err := readItem(raw)
	if err != nil || l == nil {
		return nil, err
	}
	return []*sharing.Link{l}, nil
}

// MatchLink picks the item's link: for a shared link given by URL, the link with that URL or vanity
// URL (host in any case); for any other Box item, its one link.
func (*Provider) MatchLink(links []*sharing.Link, it sharing.Item) *sharing.Link {
	ref := refOf(it)
	for _, l := range links {
		if ref.Kind != boxapi.RefSharedLink || sameURL(l.URL, ref.Link) || sameURL(vanityOf(l), ref.Link) {
			return l
		}
	}
	return nil
}

func vanityOf(l *sharing.Link) string {
	for _, f := range l.Extra {
		if f.Name == colVanityURL {
			return f.Value
		}
	}
	return ""
}

// sameURL compares two Box links: the scheme and host in any case, no trailing slash.
func sameURL(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimSuffix(s, "/")
		scheme, rest, ok := strings.Cut(s, "://")
		if !ok {
			return s
		}
		host, path, _ := strings.Cut(rest, "/")
		return strings.ToLower(scheme) + "://" + strings.ToLower(host) + "/" + path
	}
	return a != "" && b != "" && norm(a) == norm(b)
}

// GetLink has nothing to read: Box links have no id (commands refuse a permission id for a Box item
// before anything is sent).
func (*Provider) GetLink(context.Context, sharing.Target, string) (*sharing.Link, error) {
	return nil, errors.New("box: shared links have no id: give the item alone")
}

// UpdateLink changes the item's link: PUT …?fields=name,shared_link with only what spec gives,
// null removing an expiry or a password. Box keeps what the body leaves out.
func (p *Provider) UpdateLink(ctx context.Context, t sharing.Target, _ string, spec sharing.LinkSpec) (*sharing.Link, error) {
	tt := targetOf(t)
	if spec.Type == "edit" && tt.typ != boxapi.File {
		return nil, fmt.Errorf("--type edit is for files only, and this is a Box %s", strings.ReplaceAll(string(tt.typ), "_", " "))
	}
	params, err := linkParams(spec, true, false)
	if err != nil {
		return nil, err
	}
	_, raw, err := p.c.SetSharedLink(ctx, tt.typ, tt.id, boxapi.Value(params), linkFields)
	if err != nil {
		return nil, p.fail(err)
	}
	_, l, err := readItem(raw)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, &sharing.AnswerError{Err: errors.New("Box answered the PUT without the shared link")}
	}
	return l, nil
}

// DeleteLink removes the item's link: PUT …?fields=name,shared_link with {"shared_link": null}, which
// Box answers 200 [G-SL remove]. A later link on the item gets a new URL; the old one stops working.
func (p *Provider) DeleteLink(ctx context.Context, t sharing.Target, _ *sharing.Link) (int, error) {
	tt := targetOf(t)
	if _, _, err := p.c.SetSharedLink(ctx, tt.typ, tt.id, boxapi.Null[boxapi.SharedLinkParams](), linkFields); err != nil {
		return 0, p.fail(err)
	}
	return 200, nil
}

// sharedItem reads the item a shared link (or an item inside a shared folder) names, with the
// BoxApi header: GET /shared_items, or GET /{type}/{id} for an item inside the folder. fields nil
// asks for Box's standard representation.
func (p *Provider) sharedItem(ctx context.Context, share sharing.Item, password string, fields []string) (*boxapi.Item, json.RawMessage, error) {
	ref := refOf(share)
	acc := p.access(ref, password)
	if ref.Kind == boxapi.RefSharedItem {
		return p.c.GetItemWithLink(ctx, ref.Type, ref.ID, acc, fields)
	}
	return p.c.GetSharedItem(ctx, acc, fields)
}

// GetShare reads what a shared link points at, as Box's standard item object: GET /shared_items
// with BoxApi: shared_link=<URL>[&shared_link_password=<PW>]. The shared item is the share, so
// o.WithItem adds it to the table without another request.
func (p *Provider) GetShare(ctx context.Context, share sharing.Item, o sharing.ShareOptions) (*sharing.Share, error) {
	_, raw, err := p.sharedItem(ctx, share, o.Password, nil)
	if err != nil {
		return nil, fmt.Errorf("get shared item: %w", p.fail(err))
	}
	var s struct {
		Name    string `json:"name"`
		ID      string `json:"id"`
		OwnedBy *struct {
			Name  string `json:"name"`
			Login string `json:"login"`
		} `json:"owned_by"`
		SharedLink *struct {
			URL string `json:"url"`
		} `json:"shared_link"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("decode Box's shared item: %w", err)}
	}
	out := &sharing.Share{Name: s.Name, ID: s.ID, WebURL: refOf(share).String(), Raw: raw}
	if s.OwnedBy != nil {
		out.Owner = s.OwnedBy.Name
		if out.Owner == "" {
			out.Owner = s.OwnedBy.Login
		}
	}
	if s.SharedLink != nil && s.SharedLink.URL != "" {
		out.WebURL = s.SharedLink.URL
	}
	if o.WithItem {
		e := entry(raw)
		out.Item = &e
	}
	return out, nil
}

// GetSharedItem reads the item a shared link points at.
func (p *Provider) GetSharedItem(ctx context.Context, share sharing.Item, o sharing.ShareOptions) (*sharing.Entry, error) {
	_, raw, err := p.sharedItem(ctx, share, o.Password, nil)
	if err != nil {
		return nil, p.fail(err)
	}
	e := entry(raw)
	return &e, nil
}

// ListChildren lists a folder a page at a time with the shared link's BoxApi header: the shared
// folder itself (found through /shared_items, or the folder of a …/s/<token>/folder/<id> URL), or a
// folder an earlier page gave. GET /folders/{id}/items?fields=name,size,modified_at&limit=…
// &usemarker=true, then &marker=… to the end [OA]; the header unlocks the shared folder and
// everything below it.
func (p *Provider) ListChildren(ctx context.Context, share sharing.Item, folder sharing.Folder, o sharing.ListOptions, each func([]sharing.Entry) error) error {
	ref := refOf(share)
	// A Box item given by path or id (share download --recursive) is listed with the token alone;
	// a shared link's folders with its BoxApi header.
	var link *boxapi.LinkAccess
	if ref.Kind == boxapi.RefSharedLink || ref.Kind == boxapi.RefSharedItem {
		acc := p.access(ref, o.Password)
		link = &acc
	}
	id, _ := folder.Ref.(string)
	if folder.IsRoot() {
		if ref.Kind == boxapi.RefSharedItem && ref.Type == boxapi.Folder {
			id = ref.ID
		} else {
			it, _, err := p.sharedItem(ctx, share, o.Password, shareFields)
			if err != nil {
				return p.fail(err)
			}
			if it.Type != boxapi.Folder {
				return fmt.Errorf("the shared link is a Box %s, not a folder: see `odshare share get`", strings.ReplaceAll(string(it.Type), "_", " "))
			}
			id = it.ID
		}
	}
	fields := entryFields
	if o.ForDownload {
		fields = downloadFields
	}
	err := p.c.ListFolderItems(ctx, id, boxapi.ListOptions{Fields: fields, Limit: o.PageSize, Link: link}, func(pg *boxapi.Page) error {
		entries := make([]sharing.Entry, len(pg.Entries))
		for i, e := range pg.Entries {
			if o.RawOnly {
				entries[i] = sharing.Entry{Raw: e.Raw}
			} else {
				entries[i] = entry(e.Raw)
			}
		}
		return each(entries)
	})
	return p.fail(err)
}

// entry reads one Box item (a folder entry or a shared item) as a neutral Entry; a folder can be
// descended into by its id.
func entry(raw json.RawMessage) sharing.Entry {
	var it struct {
		Type       boxapi.ItemType `json:"type"`
		ID         string          `json:"id"`
		Name       string          `json:"name"`
		Size       int64           `json:"size"`
		ModifiedAt string          `json:"modified_at"`
	}
	if err := json.Unmarshal(raw, &it); err != nil {
		return sharing.Entry{Raw: raw, Err: fmt.Errorf("decode Box item: %w", err)}
	}
	e := sharing.Entry{Name: it.Name, IsFolder: it.Type == boxapi.Folder, Size: it.Size, Modified: it.ModifiedAt, ID: it.ID, Raw: raw}
	if it.Type == boxapi.WebLink {
		e.Kind = "web link"
	}
	if e.IsFolder {
		if err := boxapi.CheckID(it.ID); err != nil {
			e.FolderErr = err
		} else {
			e.Folder = &sharing.Folder{Key: it.ID, Ref: it.ID}
		}
	}
	return e
}

package link

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/output"
)

// namesLink reports whether an item argument can name a sharing link itself: a sharing URL or a
// share id. `link get`, `link update` and `link delete` then act on that link.
func namesLink(item graph.ItemRef) bool {
	return item.Kind == graph.ItemBySharingURL || item.Kind == graph.ItemByShareID
}

// matchesLink reports whether p is the sharing link the argument names: by its URL (as Graph
// shows it in link.webUrl, or u!-encoded), or by its share id.
func matchesLink(p *permission, item graph.ItemRef) bool {
	if p.Link == nil {
		return false
	}
	switch item.Kind {
	case graph.ItemBySharingURL:
		return sameLinkURL(p.Link.WebURL, item.Value)
	case graph.ItemByShareID:
		if p.ShareID != "" && p.ShareID == item.Value {
			return true
		}
		if u, err := graph.DecodeShareToken(item.Value); err == nil {
			return sameLinkURL(p.Link.WebURL, u)
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
	norm := func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			return s
		}
		u.Scheme, u.Host, u.Fragment, u.RawFragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), "", ""
		q := u.Query()
		q.Del("e")
		u.RawQuery = q.Encode()
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		return u.String()
	}
	return norm(a) == norm(b)
}

// findLink finds, among the permissions of the item the argument opens, the sharing link the
// argument is.
func findLink(ctx context.Context, client *graph.Client, addr string, item graph.ItemRef) (*permission, error) {
	perms, err := listPermissions(ctx, client, addr, false)
	if err != nil {
		return nil, itemError("list permissions of", item, err)
	}
	return pickLink(perms, item)
}

// pickLink returns the permission that is the link the argument names. Graph shows a link's URL
// and share id only to people who could create it [LP], so others are told to use the id.
func pickLink(perms []*permission, item graph.ItemRef) (*permission, error) {
	for _, p := range perms {
		if matchesLink(p, item) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%s is not among the sharing links of the item it opens (or Graph hides its URL from you): give the item and a permission id, see `odshare link list %s`",
		output.Sanitize(item.Value), shellQuote(item.Value))
}

package link

import (
	"context"
	"fmt"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// findLink finds, among the links of the item the argument opens, the sharing link the argument is.
func findLink(ctx context.Context, p sharing.Provider, t sharing.Target, item sharing.Item) (*sharing.Link, error) {
	links, err := p.ListLinks(ctx, t, false)
	if err != nil {
		return nil, cmdutil.ItemError("list permissions of", item, err)
	}
	return pickLink(p, links, item)
}

// pickLink returns the link the argument names. Graph shows a link's URL and share id only to
// people who could create it [LP], so others are told to use the id.
func pickLink(p sharing.Provider, links []*sharing.Link, item sharing.Item) (*sharing.Link, error) {
	if l := p.MatchLink(links, item); l != nil {
		return l, nil
	}
	if item.OneLink {
		if len(links) == 0 {
			return nil, fmt.Errorf("%s has no shared link (or you may not see it: only people who can change a link see it)", output.Sanitize(item.Input))
		}
		return nil, fmt.Errorf("%s is not the item's shared link: it has another one now, see `odshare link list %s`", output.Sanitize(item.Input), cmdutil.ShellQuote(item.Input))
	}
	return nil, fmt.Errorf("%s is not among the sharing links of the item it opens (or Graph hides its URL from you): give the item and a permission id, see `odshare link list %s`",
		output.Sanitize(item.Input), cmdutil.ShellQuote(item.Input))
}

package box

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// PathError is a path that does not lead to an item: a name missing from its folder, or a name that is a
// file (or web link) where the path needs a folder.
type PathError struct {
	// Path is the whole path asked for ("/Reports/q3.xlsx").
	Path string
	// Parent is the folder that was searched ("/Reports"; "/" for the root).
	Parent string
	// Name is the segment that failed.
	Name string
	// Found is the type of the item named Name when it exists but is not a folder; "" when nothing has
	// that name.
	Found ItemType
}

func (e *PathError) Error() string {
	if e.Found != "" {
		return fmt.Sprintf("box:%s: %q in %s is a %s, not a folder", e.Path, e.Name, e.Parent, e.Found)
	}
	return fmt.Sprintf("box:%s: no item named %q in %s", e.Path, e.Name, e.Parent)
}

// ResolvePath finds the item at a path from the root folder, as ParseRef gives it in Ref.Path ("/" is the
// root, folder 0, answered without a request): folder by folder from folder 0, listing each with marker
// paging (GET /folders/{id}/items?fields=name&limit=1000&usemarker=true) until the name turns up, compared
// with strings.EqualFold since Box's names are case-insensitive. Every segment but the last must be a
// folder; the last may be a file, folder or web link, or must be a folder when dir is true (a trailing
// slash). A missing name is a *PathError naming it and its folder. The Entry returned has no Raw for the
// root; otherwise Raw is the listing's entry.
//
// Paths are a convenience of odshare's (Box's API has none, like rclone's walk): a folder of 100,000
// items costs 100 requests per lookup that falls through it.
func (c *Client) ResolvePath(ctx context.Context, path string, dir bool) (*Entry, error) {
	clean, trailing, err := cleanPath(path)
	if err != nil {
		return nil, fmt.Errorf("box:%s: %w", path, err)
	}
	dir = dir || trailing
	cur := &Entry{Type: Folder, ID: RootFolderID}
	segs := pathSegments(clean)
	for i, name := range segs {
		last := i == len(segs)-1
		wantFolder := !last || dir
		parent := "/" + strings.Join(segs[:i], "/")
		var found *Entry
		var other ItemType
		err := c.ListFolderItems(ctx, cur.ID, ListOptions{Fields: []string{"name"}}, func(p *Page) error {
			for j := range p.Entries {
				e := &p.Entries[j]
				if !strings.EqualFold(e.Name, name) || !e.Type.Valid() {
					continue
				}
				if wantFolder && e.Type != Folder {
					other = e.Type
					continue
				}
				found = e
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
		if found == nil {
			return nil, &PathError{Path: clean, Parent: parent, Name: name, Found: other}
		}
		if err := CheckID(found.ID); err != nil {
			return nil, fmt.Errorf("box:%s: Box listed %q with %w", clean, name, err)
		}
		cur = found
	}
	return cur, nil
}

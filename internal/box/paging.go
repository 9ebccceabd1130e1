package box

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Paging bounds. A hostile or broken server can send markers forever, or enormous ones; the client fetches
// at most MaxPages pages per Client (DefaultMaxPages unless Options say otherwise) and follows no marker
// longer than MaxMarkerLen. Box's markers are short opaque strings, so the length bound is far above
// anything Box sends and below what a web server accepts in a request line. The figures match the Graph
// client's.
const (
	// DefaultMaxPages ends an endless listing within a minute even on loopback, and is ten million items
	// at MaxLimit entries a page.
	DefaultMaxPages = 10000
	// MaxMarkerLen is the longest next_marker followed.
	MaxMarkerLen = 64 << 10
	// MaxLimit is the largest page Box serves (it clamps larger limits to it); ListFolderItems asks for it
	// unless told otherwise, as rclone does.
	MaxLimit = 1000
)

// PageLimitError is a listing stopped because the Client had already fetched its MaxPages pages.
type PageLimitError struct {
	// Op is the listing, e.g. "list folder items".
	Op string
	// Limit is the bound that was reached.
	Limit int64
}

func (e *PageLimitError) Error() string {
	return fmt.Sprintf("%s: stopped after %d pages, the most odshare follows in one command (is Box sending next_marker without end?)", e.Op, e.Limit)
}

// SetMaxPages changes the Client's page bound (see Options.MaxPages); n < 1 means DefaultMaxPages. Pages
// already fetched count against the new bound.
func (c *Client) SetMaxPages(n int) {
	if n < 1 {
		n = DefaultMaxPages
	}
	c.maxPages.Store(int64(n))
}

// takePage counts one page against the Client's page bound. A page refused is not counted, so raising
// the bound later allows exactly the difference.
func (c *Client) takePage(op string) error {
	if n := c.pagesUsed.Add(1); n > c.maxPages.Load() {
		c.pagesUsed.Add(-1)
		return &PageLimitError{Op: op, Limit: c.maxPages.Load()}
	}
	return nil
}

// ListOptions configures ListFolderItems.
type ListOptions struct {
	// Fields are the fields each entry should carry besides its mini representation (type, id, etag,
	// sequence_id, name; files add sha1 and file_version, web links url). Nil asks for none.
	Fields []string
	// Limit is the page size asked for; 0 or more than MaxLimit means MaxLimit.
	Limit int
	// Link, when set, is sent as the BoxApi header: a folder inside a shared link (the shared folder or any
	// folder in it) is listed with the link's rights.
	Link *LinkAccess
	// Offset selects offset paging (offset, total_count; Box stops it at offset 9,999) instead of marker
	// paging (usemarker=true), which is the default and has no such limit.
	Offset bool
}

// Entry is one item of a folder listing: the fields odshare decodes and Box's JSON unchanged.
type Entry struct {
	Type ItemType `json:"type"`
	ID   string   `json:"id"`
	Name string   `json:"name"`
	// Raw is the entry as Box sent it.
	Raw json.RawMessage `json:"-"`
}

// Page is one page of a folder listing.
type Page struct {
	// Entries are the page's items in Box's order (folders, then files, then web links); a page may be
	// empty without being the last.
	Entries []Entry
	// NextMarker is Box's next_marker in marker mode, "" on the last page.
	NextMarker string
	// TotalCount is total_count in offset mode, -1 in marker mode, where Box sends none.
	TotalCount int64
}

// folderPage is GET /folders/{id}/items's answer, both modes.
type folderPage struct {
	Entries    *[]json.RawMessage `json:"entries"`
	NextMarker *string            `json:"next_marker"`
	TotalCount *int64             `json:"total_count"`
	Offset     int64              `json:"offset"`
	Limit      int64              `json:"limit"`
}

// ListFolderItems lists a folder: GET /folders/{id}/items?fields=…&limit=…&usemarker=true, then
// &marker=<next_marker> until Box sends no next_marker (null, empty or absent); with o.Offset,
// &offset=N instead, until offset+limit reaches total_count. each gets every page in order, once, empty
// pages included; an error from each stops paging and is returned as is, so a caller that found what it
// wanted can stop early with a sentinel. Only one page is held at a time: memory stays flat however big the
// folder.
//
// Every page counts against the Client's page bound (PageLimitError); a marker longer than MaxMarkerLen,
// or one that comes back, is an error (a 128-bit digest of each marker is kept, 16 bytes a page).
func (c *Client) ListFolderItems(ctx context.Context, folderID string, o ListOptions, each func(*Page) error) error {
	const op = "list folder items"
	p, err := ItemPath(Folder, folderID)
	if err != nil {
		return err
	}
	hdr, err := boxAPIHeader(o.Link)
	if err != nil {
		return err
	}
	limit := o.Limit
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	var base query
	if err := base.fields(o.Fields); err != nil {
		return err
	}
	base.add("limit", strconv.Itoa(limit))
	if !o.Offset {
		base.add("usemarker", "true")
	}
	seen := map[[16]byte]struct{}{}
	marker, offset := "", int64(0)
	for {
		q := append(query(nil), base...)
		switch {
		case o.Offset:
			q.add("offset", strconv.FormatInt(offset, 10))
		case marker != "":
			q.add("marker", marker)
		}
		if err := c.takePage(op); err != nil {
			return err
		}
		resp, err := c.Do(ctx, &Request{Path: p + "/items" + q.String(), Header: hdr})
		if err != nil {
			return err
		}
		var fp folderPage
		if err := decode200(op, resp, &fp); err != nil {
			return err
		}
		if fp.Entries == nil {
			return fmt.Errorf("%s: Box's page has no \"entries\" array", op)
		}
		page := &Page{Entries: make([]Entry, len(*fp.Entries)), TotalCount: -1}
		for i, raw := range *fp.Entries {
			if err := json.Unmarshal(raw, &page.Entries[i]); err != nil {
				return fmt.Errorf("%s: entry %d of Box's page: %w", op, i, err)
			}
			page.Entries[i].Raw = raw
		}
		if o.Offset {
			if fp.TotalCount == nil {
				return fmt.Errorf("%s: Box's page has no total_count in offset mode", op)
			}
			page.TotalCount = *fp.TotalCount
		} else if fp.NextMarker != nil {
			page.NextMarker = *fp.NextMarker
		}
		if err := each(page); err != nil {
			return err
		}
		if o.Offset {
			if fp.Limit <= 0 || fp.Offset != offset {
				return fmt.Errorf("%s: Box answered offset %d and limit %d to offset %d", op, fp.Offset, fp.Limit, offset)
			}
			if offset += fp.Limit; offset >= *fp.TotalCount {
				return nil
			}
			continue
		}
		if page.NextMarker == "" {
			return nil
		}
		if len(page.NextMarker) > MaxMarkerLen {
			return fmt.Errorf("%s: Box's next_marker is %d bytes long, more than the %d KiB odshare follows", op, len(page.NextMarker), MaxMarkerLen>>10)
		}
		sum := sha256.Sum256([]byte(page.NextMarker))
		key := [16]byte(sum[:16])
		if _, dup := seen[key]; dup {
			return fmt.Errorf("%s: Box returned the same next_marker twice", op)
		}
		seen[key] = struct{}{}
		marker = page.NextMarker
	}
}

// errStop ends a listing early from inside each.
var errStop = errors.New("stop listing")

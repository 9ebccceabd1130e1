package box

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Folder listing limits [OA get_folders_id_items, G-API pagination].
const (
	defaultLimit = 100
	maxLimit     = 1000 // a larger limit is clamped, not refused
	maxOffset    = 9999 // "The maximum offset for offset-based pagination is 9999"
)

var typeRank = map[string]int{TypeFolder: 0, TypeFile: 1, TypeWebLink: 2}

// folderOrder is the listing order of a folder's entries for a sort key and direction: by type
// first (folders, files, web links), then by the key, then by id. Entry i < len(children) is
// children[i]; the rest are generated files. Orders are computed once per folder and key.
func (s *Server) folderOrder(f *item, by, dir string) []int {
	key := by + ":" + dir
	if o, ok := f.orders[key]; ok {
		return o
	}
	n := f.childCount()
	nc := len(f.children)
	type ent struct {
		typ   int
		name  string
		id    int64
		size  int64
		mtime int64
	}
	ents := make([]ent, n)
	for i := range n {
		if i < nc {
			ch := f.children[i]
			id, _ := strconv.ParseInt(ch.id, 10, 64)
			ents[i] = ent{typeRank[ch.typ], lower(ch.name), id, s.size(ch), ch.modified.Unix()}
		} else {
			g := f.gen
			ents[i] = ent{typeRank[TypeFile], lower(g.fileName(i - nc)), g.firstID + int64(i-nc), g.size, f.modified.Unix()}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sign := 1
	if dir == "DESC" {
		sign = -1
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := ents[a], ents[b]
		if c := cmp.Compare(x.typ, y.typ); c != 0 {
			return c
		}
		var c int
		switch by {
		case "id":
			c = cmp.Compare(x.id, y.id)
		case "date":
			c = cmp.Compare(x.mtime, y.mtime)
		case "size":
			c = cmp.Compare(x.size, y.size)
		default:
			c = strings.Compare(x.name, y.name)
		}
		if c == 0 {
			c = cmp.Compare(x.id, y.id)
		}
		return sign * c
	})
	if f.orders == nil {
		f.orders = map[string][]int{}
	}
	f.orders[key] = order
	return order
}

// pageOf returns the entries order[offset:offset+limit] as items (generated files are
// materialised only when they have state, else built for the answer alone).
func (s *Server) pageOf(f *item, order []int, offset, limit int) []*item {
	if offset >= len(order) {
		return nil
	}
	end := min(len(order), offset+limit)
	out := make([]*item, 0, end-offset)
	nc := len(f.children)
	for _, i := range order[offset:end] {
		if i < nc {
			out = append(out, f.children[i])
			continue
		}
		g := f.gen
		id := strconv.FormatInt(g.firstID+int64(i-nc), 10)
		if it := s.st.items[id]; it != nil {
			out = append(out, it)
		} else {
			out = append(out, g.materialise(i-nc))
		}
	}
	return out
}

func defaultOrder(by, dir string) []any {
	return []any{obj{{"by", "type"}, {"direction", "ASC"}}, obj{{"by", by}, {"direction", dir}}}
}

// marker is an opaque position: the folder, the order and the index of the next entry.
func encodeMarker(f *item, by, dir string, next int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "m1:%s:%s:%s:%d", f.id, by, dir, next))
}

func decodeMarker(m string, f *item, by, dir string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 5 || parts[0] != "m1" || parts[1] != f.id || parts[2] != by || parts[3] != dir {
		return 0, false
	}
	n, err := strconv.Atoi(parts[4])
	return n, err == nil && n >= 0
}

// serveFolderItems answers GET /folders/{id}/items in Box's two paging modes: offset (the
// default: offset, limit, total_count, order) or, with usemarker=true, marker (marker, limit,
// next_marker; no total_count). limit defaults to 100 and is clamped to 1000; offset above
// 9999 is refused in favour of markers; sort (id, name, date, size) is the second key after
// the type and isn't supported with markers on folder 0 [OA].
func (s *Server) serveFolderItems(c *reqCtx, f *item, g *grant) *apiError {
	q := c.query
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errf(http.StatusBadRequest, "invalid_limit", "Limit is not a valid number")
		}
		limit = min(n, maxLimit)
	}
	by, dir := "name", "ASC"
	if v := q.Get("sort"); v != "" {
		if !slices.Contains([]string{"id", "name", "date", "size"}, v) {
			return invalidParam("sort", fmt.Sprintf("Invalid value '%s'. sort must be id, name, date or size.", v))
		}
		by = v
	}
	if v := q.Get("direction"); v != "" {
		if v != "ASC" && v != "DESC" {
			return invalidParam("direction", fmt.Sprintf("Invalid value '%s'. direction must be ASC or DESC.", v))
		}
		dir = v
	}
	fields := parseFields(c)
	useMarker := q.Get("usemarker") == "true"
	if useMarker && f.root && q.Get("sort") != "" {
		return invalidParam("sort", "sort is not supported for marker-based pagination on the root folder.")
	}
	order := s.rootOrder(c, f, by, dir)
	start := 0
	if useMarker {
		if m := q.Get("marker"); m != "" && m != "0" {
			n, ok := decodeMarker(m, f, by, dir)
			if !ok {
				return invalidParam("marker", fmt.Sprintf("Invalid value '%s'. The marker is not valid for this folder and order.", m))
			}
			start = n
		}
	} else if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errf(http.StatusBadRequest, "invalid_offset", "Offset is not a valid number")
		}
		if n > maxOffset {
			return invalidParam("offset", fmt.Sprintf("Invalid value '%d'. The maximum offset is %d; use marker-based paging (usemarker=true).", n, maxOffset))
		}
		start = n
	}
	entries := []any{}
	page := order.page(s, start, limit)
	for _, ch := range page {
		entries = append(entries, s.miniJSON(c, ch, s.childGrant(c, ch, g), fields))
	}
	if useMarker {
		var next any
		if start+limit < order.len() {
			next = encodeMarker(f, by, dir, start+limit)
		}
		writeJSON(c.w, http.StatusOK, obj{{"entries", entries}, {"limit", limit}, {"next_marker", next}})
		return nil
	}
	writeJSON(c.w, http.StatusOK, obj{{"total_count", order.len()}, {"entries", entries}, {"offset", start},
		{"limit", limit}, {"order", defaultOrder(by, dir)}})
	return nil
}

// listing is a folder's entries in order: its own, and for a root folder also the items
// collaborated with its owner, which Box shows in the collaborator's All Files.
type listing struct {
	f     *item
	order []int
	extra []*item // collaborated items, appended in the same order rules
}

func (l listing) len() int { return len(l.order) + len(l.extra) }

func (l listing) page(s *Server, offset, limit int) []*item {
	out := s.pageOf(l.f, l.order, offset, limit)
	if len(out) < limit {
		from := max(0, offset-len(l.order))
		for i := from; i < len(l.extra) && len(out) < limit; i++ {
			out = append(out, l.extra[i])
		}
	}
	return out
}

func (s *Server) rootOrder(c *reqCtx, f *item, by, dir string) listing {
	l := listing{f: f, order: s.folderOrder(f, by, dir)}
	if !f.root {
		return l
	}
	for _, id := range s.collabTops(c.user) {
		l.extra = append(l.extra, s.st.items[id])
	}
	slices.SortStableFunc(l.extra, func(a, b *item) int {
		if c := cmp.Compare(typeRank[a.typ], typeRank[b.typ]); c != 0 {
			return c
		}
		return strings.Compare(lower(a.name), lower(b.name))
	})
	return l
}

// collabTops lists the ids of the items collaborated with u whose ancestors aren't, sorted.
func (s *Server) collabTops(u *user) []string {
	var out []string
	for id, it := range s.st.items {
		if it.owner == u {
			continue
		}
		has := false
		for _, cb := range it.collabs {
			has = has || cb.user == u
		}
		if has && topCollab(u, it) == it {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

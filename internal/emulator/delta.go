package emulator

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// maxDeltaPage is the largest delta page: $top=1000 was seen honoured on business drives
// (OneDrive/onedrive-api-docs#1285); larger values are not honoured (contrib#8829) and give 1000.
const maxDeltaPage = 1000

// isDeltaSegment reports whether a path segment calls the delta function, in any of the forms
// Graph uses: delta, delta(), microsoft.graph.delta(), delta(token='...') or delta(token=...)
// [delta doc examples]. It returns the token given in the segment, if any.
func isDeltaSegment(sg seg) (token string, ok bool) {
	name := sg.name
	if len(name) > len("microsoft.graph.") && strings.EqualFold(name[:len("microsoft.graph.")], "microsoft.graph.") {
		name = name[len("microsoft.graph."):]
	}
	if len(name) < 5 || !strings.EqualFold(name[:5], "delta") {
		return "", false
	}
	rest := name[5:]
	if rest == "" || rest == "()" {
		return "", true
	}
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	arg := rest[1 : len(rest)-1]
	k, v, found := strings.Cut(arg, "=")
	if !found || !strings.EqualFold(strings.TrimSpace(k), "token") {
		return "", false
	}
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'")
	return v, true
}

func isDelta(sg seg) bool { _, ok := isDeltaSegment(sg); return ok }

// deltaToken is the state a delta token carries. Kinds: "e" a page of the initial enumeration
// (offset into the subtree, snapshot seq), "c" a page of changes (from, to, offset), "d" a
// deltaLink (changes after seq). issued is when the chain started, for DeltaTokenLifetime.
type deltaToken struct {
	kind     string
	drive    string
	root     string
	from, to int64
	offset   int
	issued   int64 // unix seconds
}

func (t deltaToken) encode() string {
	raw := strings.Join([]string{"v1", t.kind, t.drive, t.root, strconv.FormatInt(t.from, 10),
		strconv.FormatInt(t.to, 10), strconv.Itoa(t.offset), strconv.FormatInt(t.issued, 10)}, "|")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeDeltaToken(s string) (deltaToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return deltaToken{}, false
	}
	p := strings.Split(string(b), "|")
	if len(p) != 8 || p[0] != "v1" || (p[1] != "e" && p[1] != "c" && p[1] != "d") {
		return deltaToken{}, false
	}
	t := deltaToken{kind: p[1], drive: p[2], root: p[3]}
	var e1, e2, e3, e4 error
	t.from, e1 = strconv.ParseInt(p[4], 10, 64)
	t.to, e2 = strconv.ParseInt(p[5], 10, 64)
	t.offset, e3 = strconv.Atoi(p[6])
	t.issued, e4 = strconv.ParseInt(p[7], 10, 64)
	if e1 != nil || e2 != nil || e3 != nil || e4 != nil || t.offset < 0 {
		return deltaToken{}, false
	}
	return t, true
}

// prefers reports whether the request's Prefer headers hold the preference name.
func prefers(r *http.Request, name string) bool {
	for _, h := range r.Header.Values("Prefer") {
		for _, v := range strings.Split(h, ",") {
			if strings.EqualFold(strings.TrimSpace(v), name) {
				return true
			}
		}
	}
	return false
}

// hierarchicalSharing reports whether the request asks for Prefer: hierarchicalsharing.
func hierarchicalSharing(r *http.Request) bool { return prefers(r, "hierarchicalsharing") }

// errResync is delta's answer to a token it can no longer serve: 410 Gone, resyncRequired with
// the inner code resyncChangesApplyDifferences, and a Location that starts a fresh enumeration
// [delta doc, ERR].
func (s *Server) errResync(c *reqCtx) *apiError {
	c.w.Header().Set("Location", s.deltaURL(c, ""))
	e := errf(http.StatusGone, "resyncRequired", "Resync required. Replace any local items with the server's version (including deletes) if you're sure that the service was up to date with your local changes when you last sync'd. Upload any local changes that the server doesn't know about.")
	e.inner = "resyncChangesApplyDifferences"
	return e
}

// deltaURL is the delta function's URL for this request with the given token ("" starts over):
// absolute on the request's scheme and host, the path's delta segment in its plain form, the
// other query options kept.
func (s *Server) deltaURL(c *reqCtx, token string) string {
	parts := strings.Split(c.r.URL.EscapedPath(), "/")
	last := parts[len(parts)-1]
	if i := strings.Index(last, "("); i >= 0 {
		last = last[:i]
	}
	parts[len(parts)-1] = last
	var keep []string
	for _, pair := range strings.Split(c.r.URL.RawQuery, "&") {
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(dk, "token") {
			continue
		}
		keep = append(keep, pair)
	}
	if token != "" {
		keep = append(keep, "token="+token)
	}
	u := kit.RequestOrigin(c.r) + strings.Join(parts, "/")
	if len(keep) > 0 {
		u += "?" + strings.Join(keep, "&")
	}
	return u
}

// serveDelta answers GET {item}/delta [delta doc]. Without a token it enumerates the item's
// subtree in pre-order (an item after its parent), paged with @odata.nextLink, the last page
// carrying @odata.deltaLink; token=latest answers no items and the current deltaLink; a
// deltaLink's token answers the items changed since (each once, in the order of their last
// change); a timestamp token (business drives only) the items changed after that time. A
// token the emulator issued before ExpireDeltaTokens, or older than DeltaTokenLifetime, is 410
// resyncRequired. parentReference.path is never set; business drives leave out cTag (the doc's
// table of properties delta omits).
func (s *Server) serveDelta(c *reqCtx, root *item, segToken string) *apiError {
	if e := allow(c, http.MethodGet); e != nil {
		return e
	}
	sel, e := parseSelect(c, driveItemSelectable, "driveItem")
	if e != nil {
		return e
	}
	size := s.pageSize
	if tops := queryValues(c.query, "$top"); len(tops) > 0 {
		n, err := strconv.Atoi(tops[0])
		if err != nil || n < 1 {
			return badRequest(fmt.Sprintf("Invalid value '%s' for $top: it must be a positive integer.", tops[0]))
		}
		size = min(n, maxDeltaPage)
	}
	token := segToken
	if toks := queryValues(c.query, "token"); len(toks) > 0 {
		token = toks[0]
	}
	st := s.st
	now := s.now()
	d := root.drive
	business := d.driveType != DriveTypePersonal
	fresh := func(kind string, from, to int64, offset int, issued int64) string {
		return deltaToken{kind: kind, drive: d.id, root: root.id, from: from, to: to, offset: offset, issued: issued}.encode()
	}
	var items []*item
	next, deltaLink := "", ""
	switch {
	case token == "":
		sub := d.order[root.pre : root.pre+1+root.desc]
		end := min(size, len(sub))
		items = sub[:end]
		if end < len(sub) {
			next = fresh("e", st.seq, 0, end, now.Unix())
		} else {
			deltaLink = fresh("d", st.seq, 0, 0, now.Unix())
		}
	case strings.EqualFold(token, "latest"):
		deltaLink = fresh("d", st.seq, 0, 0, now.Unix())
	default:
		t, ok := decodeDeltaToken(token)
		if !ok {
			ts, err := time.Parse(time.RFC3339, token)
			if err != nil {
				return badRequest("The delta token is not valid.")
			}
			if !business {
				return badRequest("A timestamp token is only supported on OneDrive for Business and SharePoint.")
			}
			t = deltaToken{kind: "t", from: ts.Unix()}
		} else {
			if !strings.EqualFold(t.drive, d.id) || !strings.EqualFold(t.root, root.id) {
				return badRequest("The delta token was issued for another item.")
			}
			if t.from < st.deltaFloor || (s.opts.DeltaTokenLifetime > 0 && now.Sub(time.Unix(t.issued, 0)) > s.opts.DeltaTokenLifetime) {
				return s.errResync(c)
			}
		}
		switch t.kind {
		case "e":
			sub := d.order[root.pre : root.pre+1+root.desc]
			if t.offset > len(sub) {
				return badRequest("The delta token is not valid.")
			}
			end := min(t.offset+size, len(sub))
			items = sub[t.offset:end]
			if end < len(sub) {
				next = fresh("e", t.from, 0, end, t.issued)
			} else {
				deltaLink = fresh("d", t.from, 0, 0, t.issued)
			}
		case "t":
			since := time.Unix(t.from, 0)
			for _, it := range d.order[root.pre : root.pre+1+root.desc] {
				if it.modified.After(since) || it.changedAt.After(since) {
					items = append(items, it)
				}
			}
			deltaLink = fresh("d", st.seq, 0, 0, now.Unix())
		default: // "d" (a deltaLink) or "c" (a page of changes)
			to := st.seq
			if t.kind == "c" {
				to = t.to
			}
			changed := s.changedSince(root, t.from, to)
			if t.offset > len(changed) {
				return badRequest("The delta token is not valid.")
			}
			end := min(t.offset+size, len(changed))
			items = changed[t.offset:end]
			if end < len(changed) {
				next = fresh("c", t.from, to, end, t.issued)
			} else {
				deltaLink = fresh("d", to, 0, 0, t.issued)
			}
		}
	}
	hier := business && hierarchicalSharing(c.r)
	// deltashowsharingchanges "requires you to use" deltashowremovedasdeleted and
	// deltatraversepermissiongaps, and applies to business drives only [delta doc].
	showSharing := business && prefers(c.r, "deltashowsharingchanges")
	if showSharing && !(prefers(c.r, "deltashowremovedasdeleted") && prefers(c.r, "deltatraversepermissiongaps")) {
		return badRequest("Prefer: deltashowsharingchanges needs deltashowremovedasdeleted and deltatraversepermissiongaps too.")
	}
	var changesFrom int64 = -1 // in a round of changes, the seq after which sharing changes count
	if t, ok := decodeDeltaToken(token); ok && (t.kind == "d" || t.kind == "c") {
		changesFrom = t.from
	}
	vals := make([]any, 0, len(items))
	for _, it := range items {
		doc := s.itemDoc(c, it)
		doc.ParentReference.Path = ""
		if business {
			doc.CTag = ""
		}
		doc.Shared = s.deltaShared(it, root, hier)
		if showSharing && changesFrom >= 0 && it.sharingChanged > changesFrom {
			doc.SharedChanged = "True"
		}
		if sel != nil {
			vals = append(vals, selectStruct(doc, sel))
		} else {
			vals = append(vals, doc)
		}
	}
	body := map[string]any{"value": vals}
	if next != "" {
		body["@odata.nextLink"] = s.deltaURL(c, next)
	} else {
		body["@odata.deltaLink"] = s.deltaURL(c, deltaLink)
	}
	writeJSON(c.w, http.StatusOK, body)
	return nil
}

// changedSince lists the items below root whose last change is in (from, to], each once, in
// the order of their last change.
func (s *Server) changedSince(root *item, from, to int64) []*item {
	log := s.st.changeLog
	// The log is in seq order: find the first entry after from.
	lo, hi := 0, len(log)
	for lo < hi {
		m := (lo + hi) / 2
		if log[m].seq <= from {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var out []*item
	for _, ch := range log[lo:] {
		if ch.seq > to {
			break
		}
		it := ch.it
		if it.changed != ch.seq || it.drive != root.drive || it.pre < root.pre || it.pre > root.pre+root.desc {
			continue // changed again later (listed then), or not below root
		}
		out = append(out, it)
	}
	return out
}

// deltaShared is the shared facet delta sends for it.
//
// By default "sharing information for all items ... even if they inherit their permissions"
// [delta doc]: the widest scope of the item's own permissions and its ancestors'.
//
// With Prefer: hierarchicalsharing (business drives and libraries; the preference is
// documented for their scans only): sharing information only on the root of each permission
// hierarchy, i.e. items with permissions of their own; an empty facet on an item whose own
// sharing was removed ("unique but no sharing links") and on the enumerated root when it is
// not shared ("to establish the initial scope"); nothing on items that inherit.
func (s *Server) deltaShared(it, root *item, hier bool) map[string]any {
	if !hier {
		if sc := widestScope(it); sc != "" {
			return sharedFacetOf(it, sc)
		}
		return nil
	}
	if sh := s.sharedFacet(it); sh != nil {
		return sh
	}
	if it.hadUnique || it == root {
		return map[string]any{}
	}
	return nil
}

// widestScope is the widest scope among the permissions of it and its ancestors.
func widestScope(it *item) string {
	best := ""
	for a := it; a != nil; a = a.parent {
		if sc := ownScope(a); sharedRank[sc] > sharedRank[best] {
			best = sc
		}
	}
	return best
}

// ExpireDeltaTokens makes every delta token issued so far stale: using one answers 410
// resyncRequired, as Graph does when it "can't provide a list of changes for a given token".
func (s *Server) ExpireDeltaTokens() {
	s.mu.Lock()
	s.st.deltaFloor = s.st.seq + 1
	s.st.seq++
	s.mu.Unlock()
}

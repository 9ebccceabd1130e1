package emulator

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// page is one slice of a collection and the @odata.nextLink that continues it.
type page struct {
	start, end int
	next       string
}

// wrap makes the collection body: {"value":[...]} plus "@odata.nextLink" when more follow. The
// last page has no nextLink [PAG].
func (p page) wrap(vals []any) map[string]any {
	m := map[string]any{"value": vals}
	if p.next != "" {
		m["@odata.nextLink"] = p.next
	}
	return m
}

// queryValues returns the values of an OData query option, matching the name case-insensitively.
func queryValues(q url.Values, name string) []string {
	var out []string
	for k, v := range q {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// pageOf slices a collection of total members for this request. The size is $top (1..999) or the
// server's page size. The next link is absolute, on the scheme and host the request came to, and
// keeps the request's path and other query options, adding an opaque $skiptoken that is bound to
// the collection (key), so clients must follow it verbatim [PAG]. basePath, when set, replaces
// the request path (and drops the other options), for links to a collection other than the one
// requested ($expand=children).
func (s *Server) pageOf(c *reqCtx, key string, total int, basePath ...string) (page, *apiError) {
	size := s.pageSize
	tops := queryValues(c.query, "$top")
	if len(tops) > 0 {
		n, err := strconv.Atoi(tops[0])
		if err != nil || n < 1 || n > 999 {
			return page{}, badRequest(fmt.Sprintf("Invalid value '%s' for $top: it must be an integer from 1 to 999.", tops[0]))
		}
		size = n
	}
	start := 0
	if toks := queryValues(c.query, "$skiptoken"); len(toks) > 0 && len(basePath) == 0 {
		n, ok := decodeSkipToken(toks[0], key)
		if !ok || n > total {
			return page{}, badRequest("The $skiptoken is not valid for this collection.")
		}
		start = n
	}
	end := min(start+size, total)
	p := page{start: start, end: end}
	if end < total {
		p.next = s.nextLink(c, encodeSkipToken(key, end), basePath...)
	}
	return p, nil
}

func encodeSkipToken(key string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v1|%d|%s", offset, lower(key))))
}

func decodeSkipToken(tok, key string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || parts[0] != "v1" || parts[2] != lower(key) {
		return 0, false
	}
	n, err := strconv.Atoi(parts[1])
	return n, err == nil && n >= 0
}

func (s *Server) nextLink(c *reqCtx, token string, basePath ...string) string {
	path := c.r.URL.EscapedPath()
	var keep []string
	if len(basePath) > 0 {
		path = basePath[0]
		for _, t := range queryValues(c.query, "$top") {
			keep = append(keep, "$top="+url.QueryEscape(t))
		}
	} else {
		for _, pair := range strings.Split(c.r.URL.RawQuery, "&") {
			if pair == "" {
				continue
			}
			k, _, _ := strings.Cut(pair, "=")
			if dk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(dk, "$skiptoken") {
				continue
			}
			keep = append(keep, pair)
		}
	}
	keep = append(keep, "$skiptoken="+token)
	return kit.RequestOrigin(c.r) + path + "?" + strings.Join(keep, "&")
}

package box

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// fakeFolders is a small Box folder lister with marker paging: markers are "m<index>", pages hold at most
// the limit asked for (clamped to 1000, as Box does), and a folder's entries are given as JSON objects.
type fakeFolders map[string][]string

func (f fakeFolders) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/2.0/folders/")
		id, tail, _ := strings.Cut(rest, "/")
		entries, known := f[id]
		if !ok || tail != "items" || !known {
			scripted.Reply(404, `{"type":"error","status":404,"code":"not_found","message":"Not Found"}`)(w, r)
			return
		}
		q := r.URL.Query()
		if q.Get("usemarker") != "true" {
			t.Errorf("listing without usemarker=true: %s", r.RequestURI)
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		limit = min(max(limit, 1), 1000)
		start := 0
		if m := q.Get("marker"); m != "" {
			start, _ = strconv.Atoi(strings.TrimPrefix(m, "m"))
		}
		end := min(start+limit, len(entries))
		next := "null"
		if end < len(entries) {
			next = fmt.Sprintf(`"m%d"`, end)
		}
		scripted.Reply(200, fmt.Sprintf(`{"limit":%d,"entries":[%s],"next_marker":%s}`, limit, strings.Join(entries[start:end], ","), next))(w, r)
	}
}

func entry(typ, id, name string) string {
	return fmt.Sprintf(`{"type":%q,"id":%q,"etag":"0","name":%q}`, typ, id, name)
}

// collect lists a folder and returns its pages.
func collect(c *Client, id string, o ListOptions) ([]*Page, error) {
	var pages []*Page
	err := c.ListFolderItems(context.Background(), id, o, func(p *Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

func TestListFolderItemsMarkerPaging(t *testing.T) {
	var es []string
	for i := range 5 {
		es = append(es, entry("file", strconv.Itoa(100+i), fmt.Sprintf("f%d.txt", i)))
	}
	s := scripted.New(t, fakeFolders{"456": es}.handler(t))
	c, _ := newTestClient(t, s, nil)
	pages, err := collect(c, "456", ListOptions{Fields: []string{"name", "size"}, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range s.Requests() {
		uris = append(uris, r.RequestURI)
	}
	want := []string{
		"/2.0/folders/456/items?fields=name,size&limit=2&usemarker=true",
		"/2.0/folders/456/items?fields=name,size&limit=2&usemarker=true&marker=m2",
		"/2.0/folders/456/items?fields=name,size&limit=2&usemarker=true&marker=m4",
	}
	if strings.Join(uris, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant\n%s", strings.Join(uris, "\n"), strings.Join(want, "\n"))
	}
	if len(pages) != 3 || len(pages[0].Entries) != 2 || len(pages[2].Entries) != 1 || pages[0].NextMarker != "m2" ||
		pages[2].NextMarker != "" || pages[0].TotalCount != -1 {
		t.Fatalf("pages = %+v", pages)
	}
	e := pages[1].Entries[1]
	if e.Type != File || e.ID != "103" || e.Name != "f3.txt" || string(e.Raw) != es[3] {
		t.Errorf("entry = %+v raw %s", e, e.Raw)
	}
}

func TestListFolderItemsEnds(t *testing.T) {
	for _, last := range []string{
		`{"entries":[{"type":"file","id":"1","name":"a"}],"next_marker":null,"limit":1000}`,
		`{"entries":[{"type":"file","id":"1","name":"a"}],"next_marker":"","limit":1000}`,
		`{"entries":[{"type":"file","id":"1","name":"a"}],"limit":1000}`,
	} {
		s := scripted.New(t, reply(200, last), reply(500, ``))
		c, _ := newTestClient(t, s, nil)
		pages, err := collect(c, "0", ListOptions{})
		if err != nil || len(pages) != 1 || len(s.Requests()) != 1 {
			t.Errorf("%s: %d pages, %d requests, %v", last, len(pages), len(s.Requests()), err)
		}
		if r := s.Requests()[0]; r.RequestURI != "/2.0/folders/0/items?limit=1000&usemarker=true" {
			t.Errorf("sent %s", r.RequestURI)
		}
	}
}

func TestListFolderItemsEmptyPagesAndEscapedMarkers(t *testing.T) {
	s := scripted.New(t,
		reply(200, `{"entries":[],"next_marker":"a+b/c="}`),
		reply(200, `{"entries":[],"next_marker":"second"}`),
		reply(200, `{"entries":[{"type":"web_link","id":"9","name":"w","url":"https://example.com"}],"next_marker":null}`))
	c, _ := newTestClient(t, s, nil)
	pages, err := collect(c, "7", ListOptions{Limit: 5000})
	if err != nil || len(pages) != 3 || len(pages[0].Entries) != 0 || pages[2].Entries[0].Type != WebLink {
		t.Fatalf("pages = %+v, %v", pages, err)
	}
	reqs := s.Requests()
	if reqs[0].RequestURI != "/2.0/folders/7/items?limit=1000&usemarker=true" ||
		reqs[1].RequestURI != "/2.0/folders/7/items?limit=1000&usemarker=true&marker=a%2Bb%2Fc%3D" ||
		reqs[2].RequestURI != "/2.0/folders/7/items?limit=1000&usemarker=true&marker=second" {
		t.Errorf("requests %s, %s, %s", reqs[0].RequestURI, reqs[1].RequestURI, reqs[2].RequestURI)
	}
}

func TestListFolderItemsSendsBoxAPIOnEveryPage(t *testing.T) {
	s := scripted.New(t, reply(200, `{"entries":[],"next_marker":"x"}`), reply(200, `{"entries":[]}`))
	c, _ := newTestClient(t, s, nil)
	link := &LinkAccess{URL: "https://app.box.com/s/tok", Password: "Pw&1=2"}
	if _, err := collect(c, "5", ListOptions{Link: link}); err != nil {
		t.Fatal(err)
	}
	for i, r := range s.Requests() {
		if got := r.Header.Get("Boxapi"); got != "shared_link=https://app.box.com/s/tok&shared_link_password=Pw&1=2" {
			t.Errorf("page %d: BoxApi %q", i+1, got)
		}
	}
	if _, err := collect(c, "5", ListOptions{Link: &LinkAccess{URL: "https://app.box.com/s/tok\n"}}); err == nil {
		t.Error("a bad link was sent")
	}
	if _, err := collect(c, "x5", ListOptions{}); err == nil {
		t.Error("a bad folder id was sent")
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// endlessMarkers is a hostile Box whose every page has a new next_marker, padded to pad bytes.
func endlessMarkers(t *testing.T, pad int) (*scripted.Server, *atomic.Int64) {
	var n atomic.Int64
	s := scripted.New(t, func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		m := fmt.Sprintf("m%d", i)
		m += strings.Repeat("p", max(0, pad-len(m)))
		fmt.Fprintf(w, `{"entries":[{"type":"file","id":"%d","name":"x"}],"next_marker":%q}`, i, m)
	})
	return s, &n
}

func TestListFolderItemsStopsAnEndlessListing(t *testing.T) {
	s, n := endlessMarkers(t, 0)
	c, _ := newTestClient(t, s, func(o *Options) { o.MaxPages = 50 })
	_, err := collect(c, "0", ListOptions{})
	var pl *PageLimitError
	if !errors.As(err, &pl) || pl.Limit != 50 || !strings.Contains(err.Error(), "stopped after 50 pages") {
		t.Fatalf("err = %v, want a PageLimitError at 50", err)
	}
	if got := n.Load(); got != 50 {
		t.Errorf("%d requests, want 50", got)
	}
	// The bound is per Client: path resolution and a second listing have nothing left.
	if _, err := c.ResolvePath(context.Background(), "/x/y", false); !errors.As(err, &pl) || n.Load() != 50 {
		t.Errorf("after the bound: err = %v after %d requests", err, n.Load())
	}
	c.SetMaxPages(60)
	if _, err := collect(c, "0", ListOptions{}); !errors.As(err, &pl) || n.Load() != 60 {
		t.Errorf("raised bound: err = %v after %d requests", err, n.Load())
	}
	if d, _ := newTestClient(t, s, nil); d.maxPages.Load() != DefaultMaxPages {
		t.Errorf("default bound = %d, want %d", d.maxPages.Load(), DefaultMaxPages)
	}
}

func TestListFolderItemsRefusesHugeAndRepeatedMarkers(t *testing.T) {
	s, n := endlessMarkers(t, MaxMarkerLen+1)
	c, _ := newTestClient(t, s, nil)
	if _, err := collect(c, "0", ListOptions{}); err == nil || !strings.Contains(err.Error(), "more than the 64 KiB odshare follows") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}

	s2 := scripted.New(t, reply(200, `{"entries":[],"next_marker":"A"}`), reply(200, `{"entries":[],"next_marker":"B"}`),
		reply(200, `{"entries":[],"next_marker":"A"}`), reply(200, `{"entries":[]}`))
	c2, _ := newTestClient(t, s2, nil)
	if _, err := collect(c2, "0", ListOptions{}); err == nil || !strings.Contains(err.Error(), "same next_marker twice") {
		t.Fatalf("err = %v", err)
	}
	if got := len(s2.Requests()); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
}

func TestListFolderItemsBadPages(t *testing.T) {
	for _, body := range []string{`{"next_marker":null}`, `{"entries":null}`, `[]`, `{"entries":[{"type":"file","id":12}]}`, `{"entries":[1]}`} {
		s := scripted.New(t, reply(200, body))
		c, _ := newTestClient(t, s, nil)
		if _, err := collect(c, "0", ListOptions{}); err == nil {
			t.Errorf("page %s accepted", body)
		}
	}
	// An error from each stops the listing and comes back as is.
	s := scripted.New(t, reply(200, `{"entries":[],"next_marker":"x"}`))
	c, _ := newTestClient(t, s, nil)
	stop := errors.New("enough")
	if err := c.ListFolderItems(context.Background(), "0", ListOptions{}, func(*Page) error { return stop }); err != stop {
		t.Errorf("err = %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	// A Box error on a page is the *Error.
	s404 := scripted.New(t, reply(404, `{"type":"error","status":404,"code":"not_found","message":"Not Found"}`))
	c404, _ := newTestClient(t, s404, nil)
	var be *Error
	if _, err := collect(c404, "1", ListOptions{}); !errors.As(err, &be) || be.Code != "not_found" {
		t.Errorf("err = %v", err)
	}
}

func TestListFolderItemsOffsetPaging(t *testing.T) {
	page := func(offset, limit, total int, ids ...string) http.HandlerFunc {
		var es []string
		for _, id := range ids {
			es = append(es, entry("folder", id, "d"+id))
		}
		return reply(200, fmt.Sprintf(`{"total_count":%d,"offset":%d,"limit":%d,"order":[{"by":"type","direction":"ASC"}],"entries":[%s]}`,
			total, offset, limit, strings.Join(es, ",")))
	}
	s := scripted.New(t, page(0, 2, 5, "1", "2"), page(2, 2, 5, "3", "4"), page(4, 2, 5, "5"))
	c, _ := newTestClient(t, s, nil)
	pages, err := collect(c, "9", ListOptions{Offset: true, Limit: 2, Fields: []string{"name"}})
	if err != nil || len(pages) != 3 || pages[0].TotalCount != 5 || pages[2].Entries[0].ID != "5" {
		t.Fatalf("pages = %+v, %v", pages, err)
	}
	for i, r := range s.Requests() {
		if want := fmt.Sprintf("/2.0/folders/9/items?fields=name&limit=2&offset=%d", 2*i); r.RequestURI != want {
			t.Errorf("request %d = %s, want %s", i+1, r.RequestURI, want)
		}
	}
	for _, bad := range []http.HandlerFunc{
		page(0, 0, 5),                   // a zero limit would never end
		page(3, 2, 5, "1"),              // not the offset asked for
		reply(200, `{"entries":[]}`),    // no total_count
		reply(200, `{"total_count":1}`), // no entries
	} {
		s := scripted.New(t, bad)
		c, _ := newTestClient(t, s, nil)
		if _, err := collect(c, "9", ListOptions{Offset: true}); err == nil {
			t.Error("a bad offset page was accepted")
		}
	}
}

func TestPageKeepsRawJSON(t *testing.T) {
	raw := `{"type":"file","id":"1","name":"a\u0026b.txt","size":12,"shared_link":null,"extra":{"nested":[1,2]}}`
	s := scripted.New(t, reply(200, `{"entries":[`+raw+`]}`))
	c, _ := newTestClient(t, s, nil)
	pages, err := collect(c, "0", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(pages[0].Entries[0].Raw); got != raw {
		t.Errorf("raw = %s", got)
	}
	var v map[string]any
	if err := json.Unmarshal(pages[0].Entries[0].Raw, &v); err != nil || v["name"] != "a&b.txt" {
		t.Errorf("decoded %v, %v", v, err)
	}
}

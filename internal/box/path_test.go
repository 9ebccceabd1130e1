package box

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// pathTree is a Box account for path resolution: the root holds Reports (a folder), readme.txt (a file)
// and Intranet (a web link); Reports holds 1,500 files with "Q3.xlsx" at index 1,200 (the second page)
// and a folder "Ärger".
func pathTree() fakeFolders {
	var reports []string
	reports = append(reports, entry("folder", "20", "Ärger"))
	for i := range 1500 {
		name := fmt.Sprintf("file-%04d.txt", i)
		if i == 1200 {
			name = "Q3.xlsx"
		}
		reports = append(reports, entry("file", strconv.Itoa(1000+i), name))
	}
	return fakeFolders{
		"0":  {entry("folder", "10", "Reports"), entry("file", "11", "readme.txt"), entry("web_link", "12", "Intranet")},
		"10": reports,
		"20": {entry("file", "21", "notes.md")},
	}
}

func TestResolvePathWalksWithPagingAndIgnoresCase(t *testing.T) {
	s := scripted.New(t, pathTree().handler(t))
	c, _ := newTestClient(t, s, nil)
	e, err := c.ResolvePath(context.Background(), "/reports/q3.XLSX", false)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != File || e.ID != "2200" || e.Name != "Q3.xlsx" || len(e.Raw) == 0 {
		t.Errorf("entry = %+v", e)
	}
	var uris []string
	for _, r := range s.Requests() {
		uris = append(uris, r.RequestURI)
	}
	want := []string{
		"/2.0/folders/0/items?fields=name&limit=1000&usemarker=true",
		"/2.0/folders/10/items?fields=name&limit=1000&usemarker=true",
		"/2.0/folders/10/items?fields=name&limit=1000&usemarker=true&marker=m1000",
	}
	if fmt.Sprint(uris) != fmt.Sprint(want) {
		t.Errorf("requests:\n%v\nwant\n%v", uris, want)
	}
}

func TestResolvePathKinds(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		path     string
		dir      bool
		typ      ItemType
		id       string
		requests int
	}{
		{"/", false, Folder, "0", 0},
		{"", false, Folder, "0", 0},
		{"/Reports", false, Folder, "10", 1},
		{"/Reports/", false, Folder, "10", 1},
		{"/REPORTS", true, Folder, "10", 1},
		{"/readme.txt", false, File, "11", 1},
		{"/intranet", false, WebLink, "12", 1},
		{"/Reports/ärger/NOTES.md", false, File, "21", 3}, // the folder is on the first page: no second page
		{"Reports/Ärger", false, Folder, "20", 2},
	}
	for _, c := range cases {
		s := scripted.New(t, pathTree().handler(t))
		cl, _ := newTestClient(t, s, nil)
		e, err := cl.ResolvePath(ctx, c.path, c.dir)
		if err != nil {
			t.Errorf("%q: %v", c.path, err)
			continue
		}
		if e.Type != c.typ || e.ID != c.id || len(s.Requests()) != c.requests {
			t.Errorf("%q: %s %s after %d requests; want %s %s after %d", c.path, e.Type, e.ID, len(s.Requests()), c.typ, c.id, c.requests)
		}
	}
}

func TestResolvePathErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		path string
		dir  bool
		want PathError
		text string
	}{
		{"/Reports/q4.xlsx", false, PathError{Path: "/Reports/q4.xlsx", Parent: "/Reports", Name: "q4.xlsx"},
			`box:/Reports/q4.xlsx: no item named "q4.xlsx" in /Reports`},
		{"/Missing/q3.xlsx", false, PathError{Path: "/Missing/q3.xlsx", Parent: "/", Name: "Missing"},
			`box:/Missing/q3.xlsx: no item named "Missing" in /`},
		{"/readme.txt/x", false, PathError{Path: "/readme.txt/x", Parent: "/", Name: "readme.txt", Found: File},
			`box:/readme.txt/x: "readme.txt" in / is a file, not a folder`},
		{"/Intranet/", false, PathError{Path: "/Intranet", Parent: "/", Name: "Intranet", Found: WebLink},
			`box:/Intranet: "Intranet" in / is a web_link, not a folder`},
		{"/readme.txt", true, PathError{Path: "/readme.txt", Parent: "/", Name: "readme.txt", Found: File},
			`box:/readme.txt: "readme.txt" in / is a file, not a folder`},
	}
	for _, c := range cases {
		s := scripted.New(t, pathTree().handler(t))
		cl, _ := newTestClient(t, s, nil)
		_, err := cl.ResolvePath(ctx, c.path, c.dir)
		var pe *PathError
		if !errors.As(err, &pe) || *pe != c.want || err.Error() != c.text {
			t.Errorf("%q: err = %v (%+v)\nwant %s", c.path, err, pe, c.text)
		}
	}
	s := scripted.New(t, pathTree().handler(t))
	cl, _ := newTestClient(t, s, nil)
	for _, bad := range []string{"/a//b", "/a/../b", "/./a", `/a\b`} {
		if _, err := cl.ResolvePath(ctx, bad, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests for bad paths", n)
	}
}

func TestResolvePathRefusesHostileIDs(t *testing.T) {
	s := scripted.New(t, reply(200, `{"entries":[{"type":"folder","id":"../../users/me","name":"Reports"}]}`))
	c, _ := newTestClient(t, s, nil)
	if _, err := c.ResolvePath(context.Background(), "/Reports/x", false); err == nil {
		t.Fatal("a hostile id was followed")
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

package emulator

import (
	"net/url"
	"strings"
	"testing"
)

func TestPagingArchive(t *testing.T) {
	e := newEnv(t, Options{})
	first := e.base + "/me/drive/items/" + DemoArchiveFolderID + "/children"
	ids, pages := e.collect(first)
	if len(ids) != 450 || pages != 3 {
		t.Fatalf("got %d items in %d pages, want 450 in 3", len(ids), pages)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s twice", id)
		}
		seen[id] = true
	}
	m := e.get(first).json(t)
	next := m["@odata.nextLink"].(string)
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, e.ts.URL+"/v1.0/me/drive/items/") || u.Query().Get("$skiptoken") == "" {
		t.Errorf("nextLink %q", next)
	}
	if len(m["value"].([]any)) != 200 {
		t.Errorf("first page %d", len(m["value"].([]any)))
	}
}

func TestPagingTopAndPageSize(t *testing.T) {
	e := newEnv(t, Options{PageSize: 100})
	path := e.base + "/me/drive/root:/Reports/Archive:/children"
	if ids, pages := e.collect(path); len(ids) != 450 || pages != 5 {
		t.Errorf("page size 100: %d in %d", len(ids), pages)
	}
	ids, pages := e.collect(path + "?$top=300")
	if len(ids) != 450 || pages != 2 {
		t.Errorf("$top=300: %d in %d", len(ids), pages)
	}
	m := e.get(path + "?%24top=7&$select=id,name").json(t)
	if len(m["value"].([]any)) != 7 || !strings.Contains(m["@odata.nextLink"].(string), "%24top=7&$select=id,name&$skiptoken=") {
		t.Errorf("encoded $top: %d %v", len(m["value"].([]any)), m["@odata.nextLink"])
	}
	// a skiptoken is bound to its collection
	next := m["@odata.nextLink"].(string)
	tok := next[strings.Index(next, "$skiptoken=")+len("$skiptoken="):]
	if r := e.get("/me/drive/root/children?$skiptoken=" + tok); r.status != 400 {
		t.Errorf("foreign skiptoken: %d", r.status)
	}
	// small collections have no nextLink
	if m := e.get("/me/drive/root/children").json(t); m["@odata.nextLink"] != nil {
		t.Errorf("nextLink on a short list")
	}
}

func TestPagingPermissions(t *testing.T) {
	e := newEnv(t, Options{PageSize: 1})
	for _, typ := range []string{"view", "edit"} {
		e.post("/me/drive/items/"+DemoHostileFileID+"/createLink", `{"type":"`+typ+`"}`)
	}
	ids, pages := e.collect(e.base + "/me/drive/items/" + DemoHostileFileID + "/permissions")
	if len(ids) != 5 || pages != 5 { // two own links and the folder's three inherited permissions
		t.Errorf("permissions: %d in %d pages", len(ids), pages)
	}
}

func TestExpandChildren(t *testing.T) {
	e := newEnv(t, Options{})
	m := e.get("/me/drive/items/" + DemoArchiveFolderID + "?$expand=children").json(t)
	if len(m["children"].([]any)) != 200 {
		t.Fatalf("children %d", len(m["children"].([]any)))
	}
	rest, pages := e.collect(m["children@odata.nextLink"].(string))
	if len(rest) != 250 || pages != 2 {
		t.Errorf("rest %d in %d pages", len(rest), pages)
	}
}

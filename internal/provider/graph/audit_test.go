package graph

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/graph/api"
)

// TestScanPaths: paths are built from the enumeration's folders whatever order the items came
// in; an item seen twice counts as last seen; a deleted one is forgotten; a folder Graph never
// sent is named, not guessed; a cycle of parents ends.
func TestScanPaths(t *testing.T) {
	sc := newScan("R")
	page := func(items ...string) []json.RawMessage {
		var out []json.RawMessage
		for _, it := range items {
			out = append(out, json.RawMessage(it))
		}
		return out
	}
	err := sc.take(page(
		`{"id":"F","name":"deep.txt","parentReference":{"id":"B"},"file":{},"shared":{"scope":"anonymous"}}`,
		`{"id":"R","name":"Audit","folder":{},"shared":{}}`,
		`{"id":"A","name":"A","parentReference":{"id":"R"},"folder":{}}`,
		`{"id":"B","name":"B b","parentReference":{"id":"A"},"folder":{},"shared":{"scope":"users","sharedBy":{"user":{"displayName":"Megan"}},"sharedDateTime":"2024-01-02T03:04:05Z"}}`,
		`{"id":"E","name":"empty.txt","parentReference":{"id":"A"},"file":{},"shared":{}}`,
		`{"id":"G","name":"gone.txt","parentReference":{"id":"A"},"file":{},"shared":{"scope":"anonymous"}}`,
		`{"id":"S","name":"shortcut","parentReference":{"id":"A"},"remoteItem":{"id":"x"},"shared":{"scope":"anonymous"}}`,
		`{"id":"O","name":"orphan.txt","parentReference":{"id":"Z"},"file":{},"shared":{"scope":"organization"}}`,
		`{"id":"C1","name":"c1","parentReference":{"id":"C2"},"folder":{}}`,
		`{"id":"C2","name":"c2","parentReference":{"id":"C1"},"folder":{}}`,
		`{"id":"L","name":"loop.txt","parentReference":{"id":"C1"},"file":{},"shared":{"scope":"anonymous"}}`,
	))
	if err == nil {
		err = sc.take(page(`{"id":"G","deleted":{"state":"deleted"}}`, `{"id":"F","name":"deeper.txt","parentReference":{"id":"B"},"file":{},"shared":{"scope":"anonymous"}}`))
	}
	if err != nil {
		t.Fatal(err)
	}
	memo := map[string]string{}
	got := map[string]string{}
	for id, c := range sc.cands {
		got[id] = sc.pathOf(c.parent, c.name, "/Top/Audit", memo)
	}
	want := map[string]string{
		"F": "/Top/Audit/A/B b/deeper.txt",
		"B": "/Top/Audit/A/B b",
		"O": "/Top/Audit/(folder Z)/orphan.txt",
	}
	for id, p := range want {
		if got[id] != p {
			t.Errorf("%s: path %q, want %q", id, got[id], p)
		}
	}
	if !strings.HasSuffix(got["L"], "/loop.txt") {
		t.Errorf("a cycle of folders: %q", got["L"])
	}
	for _, id := range []string{"R", "E", "G", "S", "A"} {
		if _, ok := sc.cands[id]; ok {
			t.Errorf("%s is a candidate", id)
		}
	}
	if c := sc.cands["B"]; c.sharedBy != "Megan" || c.sharedAt != "2024-01-02T03:04:05Z" {
		t.Errorf("B shared by %q at %q", c.sharedBy, c.sharedAt)
	}
	if sc.scanned != 13 {
		t.Errorf("scanned %d", sc.scanned)
	}
	if err := sc.take(page(`{"name":"no id"}`)); err == nil {
		t.Error("an item without an id was taken")
	}
}

// TestComparePaths: a folder comes right before what is in it.
func TestComparePaths(t *testing.T) {
	paths := []string{"/a-b", "/a/x", "/a", "/a/x/y", "/a b", "/"}
	slices.SortFunc(paths, comparePaths)
	if want := []string{"/", "/a", "/a/x", "/a/x/y", "/a b", "/a-b"}; !slices.Equal(paths, want) {
		t.Errorf("sorted %q, want %q", paths, want)
	}
}

// TestItemPathOf: an item's path from its parentReference, the root "/", a share's item its name.
func TestItemPathOf(t *testing.T) {
	for _, tt := range []struct {
		di   api.DriveItem
		want string
	}{
		{api.DriveItem{Name: "root", Root: &api.Root{}}, "/"},
		{api.DriveItem{Name: "Audit", ParentReference: &api.ItemReference{Path: "/drives/b!x/root:"}}, "/Audit"},
		{api.DriveItem{Name: "Q3", ParentReference: &api.ItemReference{Path: "/drive/root:/Top%20Level/Sub"}}, "/Top Level/Sub/Q3"},
		{api.DriveItem{Name: "Shared", ParentReference: &api.ItemReference{DriveID: "b!x"}}, "Shared"},
	} {
		if got := itemPathOf(&tt.di); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.di, got, tt.want)
		}
	}
}

package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func treeFixture(t FixtureTree, driveType string) *Fixture {
	f := DemoFixture()
	for i := range f.Drives {
		if (driveType == DriveTypeBusiness && f.Drives[i].ID == DemoBusinessDriveID) || (driveType == DriveTypePersonal && f.Drives[i].ID == DemoPersonalDriveID) {
			f.Drives[i].Items = append(f.Drives[i].Items, FixtureItem{Name: "Tree", Tree: &t})
		}
	}
	return f
}

func TestFixtureTree(t *testing.T) {
	e := newEnv(t, Options{Seed: treeFixture(FixtureTree{Items: 120, Fanout: 3, Files: 4, Shared: 10, Size: 100, SharedWith: DemoMeganPrincipal}, DriveTypeBusiness)})
	tree := "/drives/" + DemoBusinessDriveID + "/root:/Tree:"
	// Breadth first: the folder's files, then its subfolders.
	var names []string
	for _, v := range values(t, e.get(tree+"/children")) {
		names = append(names, v["name"].(string))
	}
	if got := strings.Join(names, ","); got != "file-000001.txt,file-000002.txt,file-000003.txt,file-000004.txt,folder-00001,folder-00002,folder-00003" {
		t.Errorf("top level: %s", got)
	}
	items, _, _ := e.deltaRound("/drives/"+DemoBusinessDriveID+"/items/"+e.get(tree).json(t)["id"].(string)+"/delta?$top=50", "Prefer", "hierarchicalsharing")
	if len(items) != 121 {
		t.Fatalf("delta: %d items, want the folder and 120", len(items))
	}
	scopes := map[string]int{}
	for _, it := range items[1:] {
		if sh, ok := it["shared"].(map[string]any); ok {
			scopes[sh["scope"].(string)]++
		}
	}
	if scopes["anonymous"]+scopes["organization"]+scopes["users"] != 10 || scopes["users"] == 0 || scopes["organization"] == 0 {
		t.Errorf("shared items by scope: %v", scopes)
	}
	if sh, ok := items[0]["shared"].(map[string]any); !ok || len(sh) != 0 {
		t.Errorf("the unshared root of the scan: %v", items[0]["shared"])
	}
	// The first item (file-000001) is shared; a shared folder's link shows on its children.
	perms := values(t, e.get("/drives/"+DemoBusinessDriveID+"/root:/Tree/file-000001.txt:/permissions"))
	if perms[0]["link"] == nil {
		t.Errorf("file-000001 is not shared: %v", perms)
	}
	var folderLink string
	for _, it := range items[1:] {
		if it["folder"] != nil && it["shared"] != nil && len(it["shared"].(map[string]any)) > 0 {
			p := values(t, e.get("/drives/"+DemoBusinessDriveID+"/items/"+it["id"].(string)+"/permissions"))
			folderLink = p[0]["id"].(string)
			kids := values(t, e.get("/drives/"+DemoBusinessDriveID+"/items/"+it["id"].(string)+"/children"))
			if len(kids) == 0 {
				continue
			}
			kp := values(t, e.get("/drives/"+DemoBusinessDriveID+"/items/"+kids[0]["id"].(string)+"/permissions"))
			found := false
			for _, p := range kp {
				found = found || p["id"] == folderLink
			}
			if !found {
				t.Errorf("child of a shared folder doesn't list its link %s: %v", folderLink, kp)
			}
			break
		}
	}
	if folderLink == "" {
		t.Error("no shared folder in the tree")
	}
	for _, bad := range []FixtureTree{{Items: 0, Fanout: 1}, {Items: 10, Fanout: 0}, {Items: 10, Fanout: 1, Files: -1}, {Items: 10, Fanout: 1, Shared: 11}} {
		if _, err := New(Options{Seed: treeFixture(bad, DriveTypeBusiness)}); err == nil {
			t.Errorf("tree %+v accepted", bad)
		}
	}
	// Personal trees get anonymous links.
	p := newEnv(t, Options{Seed: treeFixture(FixtureTree{Items: 30, Fanout: 2, Files: 3, Shared: 5}, DriveTypePersonal)})
	n := 0
	for _, it := range func() []map[string]any { i, _, _ := p.deltaRound("/me/drive/root:/Tree:/delta"); return i }() {
		if sh, ok := it["shared"].(map[string]any); ok && sh["scope"] != "anonymous" {
			t.Errorf("personal scope %v", sh["scope"])
		}
		if it["shared"] != nil {
			n++
		}
	}
	if n == 0 {
		t.Error("no shared items in the personal tree")
	}
}

// TestAuditFixture builds bench/audit-fixture.yaml (100,000 items, 2,000 shared) and scans it
// the way the audit does: one delta enumeration of /Audit, 999 a page, with
// Prefer: hierarchicalsharing. With -short only the build is checked; under the race detector
// (ten times slower) it is left out: TestFixtureTree covers the same code on a small tree.
func TestAuditFixture(t *testing.T) {
	if raceEnabled {
		t.Skip("100,000 items under the race detector take minutes; TestFixtureTree covers the code")
	}
	t.Parallel()
	f, err := LoadFixture("../../bench/audit-fixture.yaml")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := New(Options{Seed: f, RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %v", time.Since(start))
	s.mu.Lock()
	d := s.st.drive(f.Drives[0].ID)
	audit := d.root.byName["audit"]
	shared := 0
	for _, it := range d.order[audit.pre+1 : audit.pre+1+audit.desc] {
		if len(it.perms) > 0 {
			shared++
		}
	}
	s.mu.Unlock()
	if audit.desc != 100_000 || shared != 2000 {
		t.Fatalf("%d items below /Audit, %d shared; want 100,000 and 2,000", audit.desc, shared)
	}
	if testing.Short() {
		return
	}
	next := "http://localhost/v1.0/drives/" + d.id + "/items/" + audit.id + "/delta?$top=999&$select=id,shared,folder,file,parentReference"
	pages, items, facets := 0, 0, 0
	for next != "" {
		var pg struct {
			Value []map[string]json.RawMessage `json:"value"`
			Next  string                       `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(getDirectPrefer(t, s, next), &pg); err != nil {
			t.Fatal(err)
		}
		pages++
		items += len(pg.Value)
		for _, v := range pg.Value {
			if sh, ok := v["shared"]; ok && string(sh) != "{}" {
				facets++
			}
		}
		next = pg.Next
	}
	if pages != 101 || items != 100_001 || facets != 2000 {
		t.Errorf("%d pages, %d items, %d shared facets; want 101, 100,001 and 2,000", pages, items, facets)
	}
	t.Logf("scanned in %v", time.Since(start))
}

func getDirectPrefer(tb testing.TB, s *Server, uri string) []byte {
	return getDirectWith(tb, s, uri, "Prefer", "hierarchicalsharing")
}

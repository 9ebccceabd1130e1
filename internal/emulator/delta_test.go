package emulator

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// deltaRound follows a delta chain from first to its deltaLink and returns the items (as
// objects), the page count and the deltaLink.
func (e *testEnv) deltaRound(first string, headers ...string) (items []map[string]any, pages int, deltaLink string) {
	e.t.Helper()
	next := first
	for next != "" {
		r := e.get(next, headers...)
		if r.status != 200 {
			e.t.Fatalf("GET %s: %d %s", next, r.status, r.body)
		}
		m := r.json(e.t)
		pages++
		for _, v := range m["value"].([]any) {
			items = append(items, v.(map[string]any))
		}
		n, hasNext := m["@odata.nextLink"].(string)
		d, hasDelta := m["@odata.deltaLink"].(string)
		if hasNext == hasDelta {
			e.t.Fatalf("page %d has nextLink %v and deltaLink %v", pages, hasNext, hasDelta)
		}
		next, deltaLink = n, d
		if pages > 2000 {
			e.t.Fatal("too many pages")
		}
	}
	return items, pages, deltaLink
}

func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["id"].(string)
	}
	return out
}

func TestDeltaEnumeration(t *testing.T) {
	e := newEnv(t, Options{})
	biz := "/drives/" + DemoBusinessDriveID
	items, pages, dl := e.deltaRound(biz + "/root/delta?$top=100")
	// root, Reports, 4 children of Reports (Archive holding 450 files), Projects.
	if len(items) != 1+1+4+450+1 || pages != 5 {
		t.Fatalf("%d items in %d pages", len(items), pages)
	}
	seen := map[string]bool{}
	for i, it := range items {
		id := it["id"].(string)
		if seen[id] {
			t.Fatalf("item %s listed twice", id)
		}
		seen[id] = true
		pr := it["parentReference"].(map[string]any)
		if _, ok := pr["path"]; ok {
			t.Errorf("delta item %s has parentReference.path", id)
		}
		if i > 0 && !seen[pr["id"].(string)] {
			t.Errorf("item %s comes before its parent %s", id, pr["id"])
		}
		if _, ok := it["cTag"]; ok {
			t.Errorf("business delta item %s has cTag", id)
		}
	}
	if items[0]["root"] == nil {
		t.Error("the root does not come first")
	}
	if !strings.Contains(dl, "/root/delta?") || !strings.Contains(dl, "token=") || !strings.HasPrefix(dl, e.ts.URL) {
		t.Errorf("deltaLink %s", dl)
	}
	// Nothing changed: the deltaLink answers no items and a new deltaLink.
	if again, _, _ := e.deltaRound(dl); len(again) != 0 {
		t.Errorf("unchanged drive: %d items", len(again))
	}
	// Personal drives send cTag; a subfolder's delta covers its subtree only.
	items, _, _ = e.deltaRound("/me/drive/items/" + DemoReportsFolderID + "/delta")
	if len(items) != 1+5+450 || items[0]["id"] != DemoReportsFolderID {
		t.Fatalf("subfolder delta: %d items, first %v", len(items), items[0]["id"])
	}
	for _, it := range items {
		if it["file"] != nil && it["cTag"] == nil {
			t.Errorf("personal file %s without cTag", it["id"])
		}
	}
	// The function forms and the drive-level form.
	for _, p := range []string{"/me/drive/root/delta()", "/me/drive/root/microsoft.graph.delta()", "/drives/" + DemoPersonalDriveID + "/delta", "/me/drive/root/delta(token='latest')"} {
		if r := e.get(p); r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if r := e.get("/me/drive/root/delta?$top=0"); r.status != 400 {
		t.Errorf("$top=0: %d", r.status)
	}
	// $top above the largest page is not honoured: 1000 a page.
	r := e.get("/me/drive/root/delta?$top=5000")
	if n := len(r.json(t)["value"].([]any)); n != 460 { // the whole personal drive fits
		t.Errorf("$top=5000: %d items", n)
	}
}

func TestDeltaChanges(t *testing.T) {
	e := newEnv(t, Options{})
	latest := e.get("/me/drive/root/delta?token=latest")
	m := latest.json(t)
	if len(m["value"].([]any)) != 0 || m["@odata.deltaLink"] == nil {
		t.Fatalf("token=latest: %s", latest.body)
	}
	dl := m["@odata.deltaLink"].(string)
	// A change: a new link on Summary.pdf.
	if r := e.post(personalFile+"/createLink", `{"type":"edit"}`); r.status != 201 {
		t.Fatal(r.status)
	}
	items, _, dl2 := e.deltaRound(dl)
	if len(items) != 1 || items[0]["name"] != "Summary.pdf" || items[0]["shared"] == nil {
		t.Fatalf("changes: %v", items)
	}
	// A change during an enumeration shows up in the next round, and a deleted link too.
	first := e.get("/me/drive/root/delta?$top=10").json(t)
	e.post("/me/drive/root:/Notes.txt:/createLink", `{"type":"view"}`)
	items, _, dl3 := e.deltaRound(first["@odata.nextLink"].(string))
	if len(items) != 460-10 {
		t.Errorf("rest of enumeration: %d", len(items))
	}
	items, _, _ = e.deltaRound(dl3)
	if len(items) != 1 || items[0]["name"] != "Notes.txt" {
		t.Errorf("after the enumeration: %v", ids(items))
	}
	// The earlier deltaLink still works and sees both changes, each item once.
	link := e.post(personalFile+"/createLink", `{"type":"view"}`).json(t)["id"].(string)
	e.do("DELETE", personalFile+"/permissions/"+link, "")
	items, _, _ = e.deltaRound(dl2)
	if got := ids(items); len(got) != 2 {
		t.Errorf("since dl2: %v", got)
	}
	// Changes page too.
	base := e.get("/me/drive/root/delta?token=latest").json(t)["@odata.deltaLink"].(string)
	for i := range 7 {
		e.post("/me/drive/root:/Reports/Archive/report-00"+string(rune('1'+i))+".csv:/createLink", `{"type":"view"}`)
	}
	items, pages, _ := e.deltaRound(base + "&$top=2")
	if len(items) != 7 || pages != 4 {
		t.Errorf("paged changes: %d items in %d pages", len(items), pages)
	}
}

func TestDeltaResync(t *testing.T) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Clock: clk.now, DeltaTokenLifetime: 24 * time.Hour})
	_, _, dl := e.deltaRound("/me/drive/root/delta?$select=id,name")
	next := e.get("/me/drive/root/delta?$top=5").json(t)["@odata.nextLink"].(string)
	if r := e.do("POST", e.ts.URL+"/_emulator/delta/expire", ""); r.status != 204 {
		t.Fatalf("expire: %d", r.status)
	}
	for _, link := range []string{dl, next} {
		r := e.get(link)
		if r.status != 410 || r.errCode(t) != "resyncRequired" {
			t.Fatalf("stale token: %d %s", r.status, r.body)
		}
		inner := r.json(t)["error"].(map[string]any)["innerError"].(map[string]any)
		if inner["code"] != "resyncChangesApplyDifferences" {
			t.Errorf("inner code %v", inner["code"])
		}
		loc := r.header.Get("Location")
		u, err := url.Parse(loc)
		if err != nil || u.Query().Get("token") != "" || !strings.HasSuffix(u.Path, "/me/drive/root/delta") {
			t.Fatalf("Location %q", loc)
		}
		// The Location starts over; the query options are kept.
		items, _, _ := e.deltaRound(loc)
		if len(items) != 460 {
			t.Errorf("fresh enumeration: %d", len(items))
		}
	}
	if u, _ := url.Parse(e.get(dl).header.Get("Location")); u.Query().Get("$select") != "id,name" {
		t.Errorf("Location lost $select: %s", u)
	}
	// Tokens age by the injected clock.
	_, _, dl = e.deltaRound("/me/drive/root/delta?token=latest")
	clk.advance(23 * time.Hour)
	if r := e.get(dl); r.status != 200 {
		t.Errorf("a 23-hour-old token: %d", r.status)
	}
	clk.advance(2 * time.Hour)
	if r := e.get(dl); r.status != 410 {
		t.Errorf("a 25-hour-old token: %d", r.status)
	}
	// Tokens that are not the emulator's, or are another item's, are bad requests.
	if r := e.get("/me/drive/root/delta?token=garbage"); r.status != 400 {
		t.Errorf("garbage token: %d", r.status)
	}
	tok, _ := url.Parse(e.get("/me/drive/root/delta?token=latest").json(t)["@odata.deltaLink"].(string))
	if r := e.get("/me/drive/items/" + DemoReportsFolderID + "/delta?token=" + tok.Query().Get("token")); r.status != 400 {
		t.Errorf("another item's token: %d", r.status)
	}
}

func TestDeltaTimestamp(t *testing.T) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Clock: clk.now})
	biz := "/drives/" + DemoBusinessDriveID + "/root/delta?token="
	clk.advance(time.Hour)
	e.post(bizFile+"/createLink", `{"type":"view","scope":"organization"}`)
	items, _, _ := e.deltaRound(biz + url.QueryEscape("2030-01-01T00:30:00Z"))
	if len(items) != 1 || items[0]["name"] != "Plan 2025 (draft)+v2.docx" {
		t.Errorf("since a timestamp: %v", ids(items))
	}
	// Timestamps are a business feature [delta doc].
	if r := e.get("/me/drive/root/delta?token=" + url.QueryEscape("2030-01-01T00:30:00Z")); r.status != 400 {
		t.Errorf("personal timestamp: %d", r.status)
	}
}

func TestDeltaSelect(t *testing.T) {
	e := newEnv(t, Options{})
	items, _, _ := e.deltaRound("/me/drive/root/delta?$select=id,name,file,shared,parentReference")
	for _, it := range items {
		for k := range it {
			switch k {
			case "id", "name", "file", "shared", "parentReference":
			default:
				t.Fatalf("$select let %q through: %v", k, it)
			}
		}
		if it["id"] == nil || it["parentReference"] == nil {
			t.Fatalf("selected members missing: %v", it)
		}
	}
	if r := e.get("/me/drive/root/delta?$select=id,bogus"); r.status != 400 || !strings.Contains(string(r.body), "bogus") {
		t.Errorf("unknown property: %d %s", r.status, r.body)
	}
	// $select works on items, children and permissions too.
	if m := e.get(personalFile + "?$select=name,size").json(t); len(m) != 2 || m["size"] == nil {
		t.Errorf("item $select: %v", m)
	}
	ch := e.get("/me/drive/root/children?$select=id").json(t)["value"].([]any)
	if len(ch[0].(map[string]any)) != 1 {
		t.Errorf("children $select: %v", ch[0])
	}
	perms := e.get("/me/drive/items/" + DemoReportsFolderID + "/permissions?$select=id,roles").json(t)["value"].([]any)
	if p := perms[0].(map[string]any); len(p) != 2 || p["roles"] == nil {
		t.Errorf("permissions $select: %v", p)
	}
}

// TestDeltaSharedFacet: by default delta reports sharing on every item, inherited or not; with
// Prefer: hierarchicalsharing on a business drive only on permission roots and items whose
// unique sharing was removed (an empty facet), and an empty facet on an unshared enumerated root
// [delta doc, "Scanning permissions hierarchies"].
func TestDeltaSharedFacet(t *testing.T) {
	e := newEnv(t, Options{})
	reports := "/drives/" + DemoBusinessDriveID + "/root:/Reports:"
	link := e.post(reports+"/createLink", `{"type":"view","scope":"anonymous"}`).json(t)["id"].(string)
	byName := func(items []map[string]any) map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, it := range items {
			m[it["name"].(string)] = it
		}
		return m
	}
	delta := "/drives/" + DemoBusinessDriveID + "/root/delta"
	def, _, _ := e.deltaRound(delta)
	d := byName(def)
	if sh, _ := d["Reports"]["shared"].(map[string]any); sh["scope"] != "anonymous" {
		t.Errorf("folder: %v", d["Reports"]["shared"])
	}
	if sh, _ := d["Plan 2025 (draft)+v2.docx"]["shared"].(map[string]any); sh["scope"] != "anonymous" {
		t.Errorf("inheriting child, default: %v", d["Plan 2025 (draft)+v2.docx"]["shared"])
	}
	if sh, _ := d["report-001.csv"]["shared"].(map[string]any); sh["scope"] != "anonymous" {
		t.Errorf("inheriting grandchild, default: %v", d["report-001.csv"]["shared"])
	}
	if _, ok := d["Projects"]["shared"]; ok {
		t.Errorf("unshared folder: %v", d["Projects"]["shared"])
	}
	hier, _, hdl := e.deltaRound(delta, "Prefer", "hierarchicalsharing")
	h := byName(hier)
	if sh, _ := h["Reports"]["shared"].(map[string]any); sh["scope"] != "anonymous" {
		t.Errorf("permission root, hierarchical: %v", h["Reports"]["shared"])
	}
	if sh, _ := h["Budget 2024.xlsx"]["shared"].(map[string]any); sh["scope"] != "organization" {
		t.Errorf("explicitly shared child, hierarchical: %v", h["Budget 2024.xlsx"]["shared"])
	}
	for _, n := range []string{"Plan 2025 (draft)+v2.docx", "report-001.csv", "Projects"} {
		if _, ok := h[n]["shared"]; ok {
			t.Errorf("%s inherits: hierarchical facet %v", n, h[n]["shared"])
		}
	}
	if sh, ok := h["root"]["shared"].(map[string]any); !ok || len(sh) != 0 {
		t.Errorf("unshared root, hierarchical: %v (present %v)", sh, ok)
	}
	// Removing the folder's only link leaves an empty facet on it in the next round.
	e.do("DELETE", reports+"/permissions/"+link, "")
	changed, _, _ := e.deltaRound(hdl, "Prefer", "hierarchicalsharing")
	if len(changed) != 1 || changed[0]["name"] != "Reports" {
		t.Fatalf("changes: %v", ids(changed))
	}
	if sh, ok := changed[0]["shared"].(map[string]any); !ok || len(sh) != 0 {
		t.Errorf("unique sharing removed: %v (present %v)", sh, ok)
	}
	// Personal drives ignore the preference: inherited sharing is reported.
	p := byName(func() []map[string]any {
		items, _, _ := e.deltaRound("/me/drive/root/delta", "Prefer", "hierarchicalsharing")
		return items
	}())
	if sh, _ := p["Summary.pdf"]["shared"].(map[string]any); sh["scope"] != "anonymous" {
		t.Errorf("personal inheriting child: %v", p["Summary.pdf"]["shared"])
	}
}

// TestDeltaSharingChanges: with Prefer: deltashowremovedasdeleted, deltatraversepermissiongaps,
// deltashowsharingchanges (business only) items that changed through their permissions carry
// "@microsoft.graph.sharedChanged":"True"; other changes don't [delta doc].
func TestDeltaSharingChanges(t *testing.T) {
	e := newEnv(t, Options{})
	biz := "/drives/" + DemoBusinessDriveID + "/root/delta"
	dl := e.get(biz + "?token=latest").json(t)["@odata.deltaLink"].(string)
	e.post(bizFile+"/createLink", `{"type":"view","scope":"organization"}`)
	budget := e.get("/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:").json(t)["id"].(string)
	if err := e.srv.ChangeContent(budget, -1); err != nil {
		t.Fatal(err)
	}
	all := "deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges"
	items, _, _ := e.deltaRound(dl, "Prefer", all)
	if len(items) != 2 {
		t.Fatalf("changes: %v", ids(items))
	}
	for _, it := range items {
		want := it["name"] == "Plan 2025 (draft)+v2.docx"
		if got := it["@microsoft.graph.sharedChanged"] == "True"; got != want {
			t.Errorf("%s: sharedChanged %v", it["name"], it["@microsoft.graph.sharedChanged"])
		}
	}
	if items, _, _ := e.deltaRound(dl); items[0]["@microsoft.graph.sharedChanged"] != nil || items[1]["@microsoft.graph.sharedChanged"] != nil {
		t.Error("annotated without the preference")
	}
	if r := e.get(dl, "Prefer", "deltashowsharingchanges"); r.status != 400 {
		t.Errorf("deltashowsharingchanges alone: %d", r.status)
	}
	// Consumer OneDrive doesn't support it: the preference is ignored.
	pdl := e.get("/me/drive/root/delta?token=latest").json(t)["@odata.deltaLink"].(string)
	e.post(personalFile+"/createLink", `{"type":"edit"}`)
	if items, _, _ := e.deltaRound(pdl, "Prefer", all); len(items) != 1 || items[0]["@microsoft.graph.sharedChanged"] != nil {
		t.Errorf("personal: %v", items)
	}
}

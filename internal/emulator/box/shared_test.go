package box

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/emulator/kit"
)

func TestSharedItemsAudiences(t *testing.T) {
	e := newEnv(t, Options{})
	// A token is needed even for an open link.
	r := e.get("/2.0/shared_items", "BoxApi", boxAPI(DemoReportsLinkURL), "Authorization", "")
	wantError(t, r, 401, "unauthorized")
	if r.header.Get("WWW-Authenticate") != wwwNoToken {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	r = e.get("/2.0/shared_items", "BoxApi", boxAPI(DemoReportsLinkURL), "Authorization", "Bearer nope")
	wantError(t, r, 401, "unauthorized")
	if r.header.Get("WWW-Authenticate") != wwwInvalidToken {
		t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
	if m := wantError(t, e.get("/2.0/shared_items"), 400, "bad_request"); contextName(m) != "boxapi" {
		t.Errorf("missing header: %v", m)
	}
	tests := []struct {
		name, token, header string
		status              int
		code, id            string
	}{
		{"open link, other enterprise", DemoFredToken, boxAPI(DemoReportsLinkURL), 200, "", DemoReportsFolderID},
		{"open link, free user", DemoSamToken, boxAPI(DemoReportsLinkURL), 200, "", DemoReportsFolderID},
		{"any box.com host and a trailing slash", DemoFredToken, boxAPI("https://app.box.com/s/reportsdemolink00000000000000001/"), 200, "", DemoReportsFolderID},
		{"not a box host", DemoFredToken, boxAPI("https://evil.example/s/reportsdemolink00000000000000001"), 404, "not_found", ""},
		{"URL-encoded is not decoded", DemoFredToken, "shared_link=" + strings.ReplaceAll(DemoReportsLinkURL, "/", "%2F"), 404, "not_found", ""},
		{"company link, same enterprise", DemoMeganToken, boxAPI(DemoQ3VanityURL), 200, "", DemoQ3FileID},
		{"company link, other enterprise", DemoFredToken, boxAPI(DemoQ3LinkURL), 404, "not_found", ""},
		{"collaborators link, collaborator", DemoMeganToken, boxAPI(DemoTeamOnlyLinkURL), 200, "", DemoTeamOnlyID},
		{"collaborators link, not one", DemoVicToken, boxAPI(DemoTeamOnlyLinkURL), 403, "access_denied_insufficient_permissions", ""},
		{"password missing", DemoFredToken, boxAPI(DemoPasswordedLinkURL), 403, "incorrect_shared_item_password", ""},
		{"password wrong", DemoFredToken, boxAPI(DemoPasswordedLinkURL, "Sesame"), 403, "incorrect_shared_item_password", ""},
		{"password with & and =", DemoFredToken, boxAPI(DemoPasswordedLinkURL, DemoLinkPassword), 200, "", DemoPasswordedID},
		{"password in the query is not read", DemoFredToken, boxAPI(DemoPasswordedLinkURL), 403, "incorrect_shared_item_password", ""},
		{"unknown token", DemoFredToken, boxAPI("https://app.box.com/s/doesnotexist"), 404, "not_found", ""},
		{"malformed header", DemoFredToken, "link=" + DemoReportsLinkURL, 400, "bad_request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.token = tt.token
			path := "/2.0/shared_items"
			if strings.Contains(tt.name, "query") {
				path += "?shared_link_password=" + DemoLinkPassword
			}
			r := e.get(path, "BoxApi", tt.header)
			if tt.status != 200 {
				m := wantError(t, r, tt.status, tt.code)
				if tt.name == "company link, other enterprise" && contextName(m) != "unavailable" {
					t.Errorf("want context unavailable: %s", r.body)
				}
				return
			}
			if r.status != 200 || r.json(t)["id"] != tt.id {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	// A link viewer sees the item but not its link (reading a link needs write access).
	e.token = DemoFredToken
	m := e.get("/2.0/shared_items", "BoxApi", boxAPI(DemoReportsLinkURL)).json(t)
	if m["shared_link"] != nil || m["type"] != "folder" || m["name"] != "Reports" || m["parent"] != nil {
		t.Fatalf("link viewer's item: %v", m)
	}
	m = e.get("/2.0/shared_items?fields=name,shared_link_permission_options", "BoxApi", boxAPI(DemoReportsLinkURL)).json(t)
	// shared_link_permission_options is a file's field: a folder ignores it, as any unknown name.
	if _, has := m["shared_link_permission_options"]; len(m) != 4 || m["name"] != "Reports" || has {
		t.Fatalf("fields on shared_items: %v", m)
	}
}

func TestSharedLinkReachesDescendantsOnly(t *testing.T) {
	e := newEnv(t, Options{})
	e.token = DemoFredToken
	h := boxAPI(DemoReportsLinkURL)
	for _, p := range []string{
		"/2.0/folders/" + DemoReportsFolderID + "/items",
		"/2.0/folders/" + DemoArchiveFolderID + "/items?usemarker=true",
		"/2.0/folders/" + DemoArchiveFolderID,
		"/2.0/files/" + DemoQ3FileID,
		"/2.0/web_links/" + DemoWebLinkID,
	} {
		if r := e.get(p, "BoxApi", h); r.status != 200 {
			t.Errorf("GET %s with the Reports link: %d %s", p, r.status, r.body)
		}
		wantError(t, e.get(p), 404, "not_found")
	}
	// A generated file below the shared folder, and its content (302 to a download URL).
	archive := e.get("/2.0/folders/"+DemoArchiveFolderID+"/items?limit=1", "BoxApi", h).json(t)
	fileID := archive["entries"].([]any)[0].(map[string]any)["id"].(string)
	r := e.get("/2.0/files/"+fileID+"/content", "BoxApi", h)
	if r.status != 302 || !strings.Contains(r.header.Get("Location"), downloadPath) {
		t.Fatalf("content: %d %v", r.status, r.header)
	}
	res, err := http.Get(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ContentLength != 2048 {
		t.Fatalf("download: %d %d", res.StatusCode, res.ContentLength)
	}
	// Outside the shared folder the header opens nothing; a link viewer can't change links.
	wantError(t, e.get(privateURL, "BoxApi", h), 404, "not_found")
	wantError(t, e.get(notesURL, "BoxApi", h), 404, "not_found")
	wantError(t, e.put("/2.0/folders/"+DemoReportsFolderID, `{"shared_link":null}`, "BoxApi", h), 403, "access_denied_insufficient_permissions")
	// The password is needed below a passworded folder too.
	wantError(t, e.get("/2.0/files/300021", "BoxApi", boxAPI(DemoPasswordedLinkURL)), 403, "incorrect_shared_item_password")
	if r := e.get("/2.0/files/300021", "BoxApi", boxAPI(DemoPasswordedLinkURL, DemoLinkPassword)); r.status != 200 {
		t.Fatalf("with password: %d %s", r.status, r.body)
	}
	// A preview-only link (Q3: can_download false) can't download.
	e.token = DemoMeganToken
	wantError(t, e.get("/2.0/files/"+DemoBudgetFileID+"/content", "BoxApi", boxAPI(DemoQ3LinkURL), "Authorization", "Bearer "+DemoFredToken), 404, "not_found")
	e.token = DemoVicToken
	if r := e.get("/2.0/files/" + DemoQ3FileID + "/content"); r.status != 302 {
		t.Fatalf("a viewer collaborator downloads: %d %s", r.status, r.body)
	}
}

func TestFolderPaging(t *testing.T) {
	e := newEnv(t, Options{})
	archive := "/2.0/folders/" + DemoArchiveFolderID + "/items"
	// Offset mode is the default: limit 100, total_count, order.
	m := e.get(archive).json(t)
	if m["total_count"] != float64(250) || m["limit"] != float64(100) || m["offset"] != float64(0) || len(m["entries"].([]any)) != 100 {
		t.Fatalf("first page %v", m["total_count"])
	}
	first := m["entries"].([]any)[0].(map[string]any)
	if first["name"] != "report-001.csv" || first["type"] != "file" || first["sha1"] == nil || first["file_version"] == nil || len(first) != 7 {
		t.Fatalf("mini file %v", first)
	}
	// limit above 1000 is clamped; offset moves by limit; the last page is short.
	m = e.get(archive + "?offset=200&limit=5000").json(t)
	if m["limit"] != float64(1000) || len(m["entries"].([]any)) != 50 {
		t.Fatalf("clamped %v %d", m["limit"], len(m["entries"].([]any)))
	}
	// Marker mode needs usemarker=true: no total_count, next_marker until the end.
	var names []string
	next := ""
	for pages := 0; ; pages++ {
		q := archive + "?usemarker=true&limit=100"
		if next != "" {
			q += "&marker=" + next
		}
		m = e.get(q).json(t)
		if _, has := m["total_count"]; has {
			t.Fatal("marker mode sent total_count")
		}
		for _, en := range m["entries"].([]any) {
			names = append(names, en.(map[string]any)["name"].(string))
		}
		nm, _ := m["next_marker"].(string)
		if nm == "" {
			if m["next_marker"] != nil {
				t.Fatalf("end marker %v", m["next_marker"])
			}
			break
		}
		next = nm
		if pages > 5 {
			t.Fatal("too many pages")
		}
	}
	if len(names) != 250 || names[0] != "report-001.csv" || names[249] != "report-250.csv" {
		t.Fatalf("marker walk: %d names", len(names))
	}
	// A marker without usemarker is ignored (offset mode); "0" starts over.
	if m := e.get(archive + "?marker=" + next); m.json(t)["total_count"] != float64(250) {
		t.Fatal("marker without usemarker")
	}
	// Folders, then files, then web links; sort is the second key.
	m = e.get("/2.0/folders/" + DemoReportsFolderID + "/items").json(t)
	var types []string
	for _, en := range m["entries"].([]any) {
		types = append(types, en.(map[string]any)["type"].(string)+":"+en.(map[string]any)["name"].(string))
	}
	want := "folder:Archive folder:Restricted file:Budget 2025.xlsx file:Café ünïcode & co.docx file:Q3 report.pdf web_link:Box developer docs"
	if strings.Join(types, " ") != want {
		t.Fatalf("order %q", strings.Join(types, " "))
	}
	m = e.get("/2.0/folders/" + DemoReportsFolderID + "/items?sort=size&direction=DESC&fields=size,shared_link").json(t)
	en := m["entries"].([]any)
	if en[2].(map[string]any)["name"] != nil || en[2].(map[string]any)["size"] != float64(120334) || en[2].(map[string]any)["shared_link"] == nil {
		t.Fatalf("sorted by size with fields: %v", en[2])
	}
	if o := m["order"].([]any); o[1].(map[string]any)["by"] != "size" || o[1].(map[string]any)["direction"] != "DESC" {
		t.Fatalf("order %v", o)
	}
	// Refusals.
	wantError(t, e.get(archive+"?limit=abc"), 400, "invalid_limit")
	wantError(t, e.get(archive+"?offset=-1"), 400, "invalid_offset")
	wantError(t, e.get(archive+"?offset=10000"), 400, "bad_request")
	wantError(t, e.get(archive+"?sort=colour"), 400, "bad_request")
	wantError(t, e.get(archive+"?usemarker=true&marker=bogus"), 400, "bad_request")
	wantError(t, e.get("/2.0/folders/0/items?usemarker=true&sort=name"), 400, "bad_request")
	wantError(t, e.get("/2.0/folders/x/items"), 405, "method_not_allowed")
	// The root lists what the user owns and what is collaborated with them.
	e.token = DemoMeganToken
	m = e.get("/2.0/folders/0/items").json(t)
	if m["total_count"] != float64(2) {
		t.Fatalf("Megan's root: %v", m)
	}
}

func TestBigGeneratedFolder(t *testing.T) {
	const n = 100_000
	f := DemoFixture()
	f.Users[0].Items = append(f.Users[0].Items, FixtureItem{Name: "Big", Type: TypeFolder,
		Generate: &FixtureGenerate{Count: n, Name: "item-%06d.bin", Size: 4096}})
	s, err := New(Options{Seed: f, RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.st.items) > 100 {
		t.Fatalf("generated files were stored: %d items", len(s.st.items))
	}
	big := s.st.users[0].root.children[len(s.st.users[0].root.children)-1]
	seen := map[string]bool{}
	next, pages, prev := "", 0, ""
	for {
		uri := "/2.0/folders/" + big.id + "/items?usemarker=true&limit=1000"
		if next != "" {
			uri += "&marker=" + next
		}
		req := httptest.NewRequest("GET", uri, nil)
		req.Header.Set("Authorization", "Bearer "+DemoDeveloperToken)
		rr := httptest.NewRecorder()
		s.ServeHTTP(rr, req)
		if rr.Code != 200 {
			t.Fatalf("%s: %d %s", uri, rr.Code, rr.Body)
		}
		var page struct {
			Entries []struct{ ID, Name string }
			Next    *string `json:"next_marker"`
		}
		if err := jsonUnmarshal(rr.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		for _, en := range page.Entries {
			if seen[en.ID] || en.Name <= prev {
				t.Fatalf("entry %s %s repeated or out of order", en.ID, en.Name)
			}
			seen[en.ID], prev = true, en.Name
		}
		pages++
		if page.Next == nil {
			break
		}
		next = *page.Next
	}
	if len(seen) != n || pages != n/1000 {
		t.Fatalf("%d items in %d pages", len(seen), pages)
	}
	if len(s.st.items) > 100 {
		t.Fatalf("listing stored generated files: %d items", len(s.st.items))
	}
}

func BenchmarkFolderPage100k(b *testing.B) {
	f := DemoFixture()
	f.Users[0].Items = append(f.Users[0].Items, FixtureItem{Name: "Big", Type: TypeFolder,
		Generate: &FixtureGenerate{Count: 100_000, Name: "item-%06d.bin", Size: 4096}})
	s, err := New(Options{Seed: f, RandomSeed: 1})
	if err != nil {
		b.Fatal(err)
	}
	id := s.st.users[0].root.children[len(s.st.users[0].root.children)-1].id
	marker := encodeMarker(s.st.item(id), "name", "ASC", 50_000)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/2.0/folders/"+id+"/items?usemarker=true&limit=1000&marker="+marker, nil)
		req.Header.Set("Authorization", "Bearer "+DemoDeveloperToken)
		rr := httptest.NewRecorder()
		s.ServeHTTP(rr, req)
		if rr.Code != 200 {
			b.Fatal(rr.Code)
		}
	}
}

func TestThrottleFaultsRecorder(t *testing.T) {
	e := newEnv(t, Options{Throttle: &kit.Throttle{RatePerSecond: 1, Burst: 2}})
	for i := range 2 {
		if r := e.get("/2.0/users/me"); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := e.get("/2.0/users/me")
	wantError(t, r, 429, "rate_limit_exceeded")
	if r.header.Get("Retry-After") != "1" {
		t.Fatalf("retry-after %q", r.header.Get("Retry-After"))
	}
	e.clk.advance(1000e6)
	if r := e.get("/2.0/users/me"); r.status != 200 {
		t.Fatalf("after the wait: %d", r.status)
	}
	if st := e.srv.Stats(); st.Throttled != 1 || st.Requests != 4 {
		t.Fatalf("stats %+v", st)
	}

	e = newEnv(t, Options{})
	e.srv.AddFault(kit.Fault{Status: 503, Times: 1, Path: "/files/*", RetryAfter: "2"})
	r = e.put(notesURL, `{"shared_link":{}}`)
	wantError(t, r, 503, "unavailable")
	if r.header.Get("Retry-After") != "2" || e.srv.Stats().SharedLinks.Created != 0 {
		t.Fatalf("fault: %v", r.header)
	}
	if r := e.put(notesURL, `{"shared_link":{}}`); r.status != 200 {
		t.Fatalf("after the fault: %d", r.status)
	}
	// Admin endpoints: faults by spec, recorded requests with exact URI, header and body.
	res, err := http.Post(e.ts.URL+"/_emulator/box/faults", "text/plain", strings.NewReader("status=429,times=1,path=/users/me"))
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("add fault: %v %v", err, res)
	}
	res.Body.Close()
	wantError(t, e.get("/2.0/users/me"), 429, "rate_limit_exceeded")
	reqs := e.srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != "GET" || last.RawURI != "/2.0/users/me" || last.Status != 429 {
		t.Fatalf("recorded %+v", last)
	}
	put := reqs[1]
	if put.RawURI != notesURL || string(put.Body) != `{"shared_link":{}}` || put.Status != 200 || put.Header.Get("Authorization") == "" {
		t.Fatalf("recorded PUT %+v", put)
	}
	for _, p := range []string{"health", "requests", "faults", "stats"} {
		res, err := http.Get(e.ts.URL + "/_emulator/box/" + p)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET /_emulator/box/%s: %v %v", p, err, res)
		}
		res.Body.Close()
	}
	if n := len(e.srv.Requests()); n != len(reqs) {
		t.Fatalf("admin requests were recorded: %d", n)
	}
	if r := e.get("/2.0/nope"); r.status != 404 {
		t.Fatalf("unknown route %d", r.status)
	}
}

func TestFixtureErrors(t *testing.T) {
	bad := map[string]func(f *Fixture){
		"enterprise id":    func(f *Fixture) { f.Enterprises[0].ID = "x" },
		"plan":             func(f *Fixture) { f.Enterprises[0].Plan = "gold" },
		"free custom URLs": func(f *Fixture) { f.Enterprises[2].CustomURLs = true },
		"user enterprise":  func(f *Fixture) { f.Users[1].Enterprise = "1" },
		"duplicate id":     func(f *Fixture) { f.Users[0].Items[1].ID = DemoReportsFolderID },
		"duplicate name":   func(f *Fixture) { f.Users[0].Items[1].Name = "reports" },
		"collab user":      func(f *Fixture) { f.Users[0].Items[0].Collaborations[0].User = "nobody@x.example" },
		"collab role":      func(f *Fixture) { f.Users[0].Items[0].Collaborations[0].Role = "boss" },
		"link token":       func(f *Fixture) { f.Users[0].Items[0].SharedLink.Token = "UPPER" },
		"vanity":           func(f *Fixture) { f.Users[0].Items[0].SharedLink.VanityName = "x" },
		"app redirects":    func(f *Fixture) { f.Apps[0].RedirectURIs = nil },
		"ccg enterprise":   func(f *Fixture) { f.Apps[1].Enterprise = "" },
		"me":               func(f *Fixture) { f.Me = "ghost@x.example" },
		"timezone":         func(f *Fixture) { f.Users[0].Timezone = "Mars/Olympus" },
		"generate name":    func(f *Fixture) { f.Users[0].Items[0].Children[4].Generate.Name = "same" },
		"developer token":  func(f *Fixture) { f.Users[1].DeveloperToken = DemoDeveloperToken },
		"web link url": func(f *Fixture) {
			f.Users[0].Items[0].Children[3].URL = ""
			f.Users[0].Items[0].Children[3].Type = TypeWebLink
		},
		"file with children": func(f *Fixture) {
			f.Users[0].Items[4].Type = TypeFile
			f.Users[0].Items[4].Children = []FixtureItem{{Name: "x"}}
		},
	}
	for name, mutate := range bad {
		f := DemoFixture()
		mutate(f)
		if _, err := New(Options{Seed: f}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, id := range []string{DemoClientID, DemoCCGClientID, DemoUnauthorizedCCGClientID, DemoClientSecret, DemoCCGSecret, DemoDeveloperToken} {
		if len(id) != 32 {
			t.Errorf("%s: %d characters, Box's are 32", id, len(id))
		}
	}
	_ = fmt.Sprint()
}

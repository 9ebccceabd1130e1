package box

import (
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

const (
	notesURL   = "/2.0/files/" + DemoNotesFileID
	privateURL = "/2.0/folders/" + DemoPrivateFolderID
)

func TestLinkLifecycleOneLinkPerItem(t *testing.T) {
	e := newEnv(t, Options{})
	// No link yet: fields=shared_link answers the base representation with shared_link null.
	r := e.get(notesURL + "?fields=shared_link")
	if r.status != 200 || string(r.body) != `{"type":"file","id":"`+DemoNotesFileID+`","etag":"0","shared_link":null}` {
		t.Fatalf("GET fields=shared_link: %d %s", r.status, r.body)
	}
	// Create: PUT, 200 (never 201), the enterprise default (Northwind: company).
	l := sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{}}`))
	url1, _ := l["url"].(string)
	if !strings.HasPrefix(url1, "https://northwind.app.box.com/s/") || len(url1) != len("https://northwind.app.box.com/s/")+32 {
		t.Fatalf("url %q", url1)
	}
	if l["access"] != "company" || l["effective_access"] != "company" || l["effective_permission"] != "can_download" ||
		l["is_password_enabled"] != false || l["unshared_at"] != nil || l["vanity_url"] != nil ||
		l["download_url"] != "https://northwind.app.box.com/shared/static/"+url1[len(url1)-32:]+".txt" {
		t.Fatalf("new link %v", l)
	}
	// A repeat PUT changes the same link: same URL, new settings.
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"access":"open","permissions":{"can_download":false}}}`))
	if l["url"] != url1 || l["access"] != "open" || l["effective_permission"] != "can_preview" {
		t.Fatalf("updated link %v", l)
	}
	// The link resolves; remove it with null; it then doesn't.
	if r := e.get("/2.0/shared_items", "BoxApi", boxAPI(url1)); r.status != 200 || r.json(t)["id"] != DemoNotesFileID {
		t.Fatalf("shared_items: %d %s", r.status, r.body)
	}
	r = e.put(notesURL+"?fields=shared_link", `{"shared_link":null}`)
	if r.status != 200 || sharedLink(t, r) != nil {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	wantError(t, e.get("/2.0/shared_items", "BoxApi", boxAPI(url1)), 404, "not_found")
	// Removing again is still 200; creating again gives a new URL, and the old one stays dead.
	if r := e.put(notesURL+"?fields=shared_link", `{"shared_link":null}`); r.status != 200 {
		t.Fatalf("second remove: %d", r.status)
	}
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"access":"open"}}`))
	if l["url"] == url1 {
		t.Fatal("delete + create kept the URL")
	}
	wantError(t, e.get("/2.0/shared_items", "BoxApi", boxAPI(url1)), 404, "not_found")
	st := e.srv.Stats().SharedLinks
	if st.Created != 2 || st.Updated != 1 || st.Removed != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestStandardAnswersCarrySharedLink(t *testing.T) {
	e := newEnv(t, Options{})
	// Box SDKs send no fields for these calls: the standard representation has shared_link.
	for _, p := range []string{notesURL, privateURL, "/2.0/web_links/" + DemoWebLinkID} {
		m := e.get(p).json(t)
		if _, ok := m["shared_link"]; !ok || m["shared_link"] != nil || m["name"] == nil || m["path_collection"] == nil {
			t.Fatalf("GET %s: %v", p, m)
		}
	}
	m := e.put(notesURL, `{"shared_link":{"access":"open"}}`).json(t)
	if sl, _ := m["shared_link"].(map[string]any); sl == nil || m["name"] != "Notes.txt" || m["size"] != float64(120) {
		t.Fatalf("PUT without fields: %v", m)
	}
	// fields= gives the base representation plus what was asked.
	m = e.get("/2.0/folders/" + DemoReportsFolderID + "?fields=name,allowed_shared_link_access_levels").json(t)
	if len(m) != 5 || m["name"] != "Reports" || len(m["allowed_shared_link_access_levels"].([]any)) != 3 {
		t.Fatalf("fields: %v", m)
	}
	m = e.get("/2.0/folders/" + DemoRestrictedID + "?fields=allowed_shared_link_access_levels").json(t)
	if al := m["allowed_shared_link_access_levels"].([]any); len(al) != 1 || al[0] != "collaborators" {
		t.Fatalf("restricted folder levels %v", al)
	}
	m = e.get("/2.0/folders/0?fields=allowed_shared_link_access_levels,shared_link").json(t)
	if al := m["allowed_shared_link_access_levels"].([]any); len(al) != 0 || m["shared_link"] != nil || m["etag"] != nil {
		t.Fatalf("root: %v", m)
	}
}

func TestEnterpriseDefaultAndEffectiveAccess(t *testing.T) {
	e := newEnv(t, Options{})
	// Fabrikam's default is collaborators.
	e.token = DemoFredToken
	l := sharedLink(t, e.put("/2.0/files/400002?fields=shared_link", `{"shared_link":{}}`))
	if l["access"] != "collaborators" || l["effective_access"] != "collaborators" {
		t.Fatalf("fabrikam default %v", l)
	}
	// Northwind's default (company) is clamped by a collaborators-only folder.
	e.token = DemoDeveloperToken
	l = sharedLink(t, e.put("/2.0/files/300008?fields=shared_link", `{"shared_link":{}}`))
	if l["access"] != "collaborators" {
		t.Fatalf("restricted default %v", l)
	}
	// Asking for a level the policy forbids is 403 (box/box-windows-sdk-v2#842).
	wantError(t, e.put("/2.0/files/300008?fields=shared_link", `{"shared_link":{"access":"open"}}`), 403, "access_denied_insufficient_permissions")
	// A link made before a policy tightened reports the stricter effective_access.
	f := DemoFixture()
	f.Enterprises[0].AllowedAccess = []string{AccessCompany, AccessCollaborators}
	e2 := newEnv(t, Options{Seed: f})
	l = sharedLink(t, e2.get("/2.0/folders/"+DemoReportsFolderID+"?fields=shared_link"))
	if l["access"] != "open" || l["effective_access"] != "company" {
		t.Fatalf("tightened policy %v", l)
	}
	// With the enterprise's edit links off, a stored can_edit link answers can_download.
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"access":"open","permissions":{"can_download":true,"can_edit":true}}}`))
	if l["effective_permission"] != "can_edit" || l["permissions"].(map[string]any)["can_edit"] != true {
		t.Fatalf("edit link %v", l)
	}
}

func TestRefusals(t *testing.T) {
	future := `"2099-12-31T17:00:00+00:00"`
	tests := []struct {
		name, token, path, body string
		status                  int
		code, param             string
	}{
		{"can_download with collaborators", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"collaborators","permissions":{"can_download":true}}}`, 400, "bad_request", "shared_link_permissions"},
		{"can_download on a collaborators default", DemoFredToken, "/2.0/files/400002", `{"shared_link":{"permissions":{"can_download":false}}}`, 400, "bad_request", "shared_link_permissions"},
		{"password on company", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"company","password":"Passw0rd!x"}}`, 400, "bad_request", "password"},
		{"password on the company default", DemoDeveloperToken, notesURL, `{"shared_link":{"password":"Passw0rd!x"}}`, 400, "bad_request", "password"},
		{"short password", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"open","password":"Ab1"}}`, 400, "bad_request", "password"},
		{"simple password", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"open","password":"abcdefghij"}}`, 400, "bad_request", "password"},
		{"can_edit on a folder", DemoDeveloperToken, privateURL, `{"shared_link":{"access":"open","permissions":{"can_download":true,"can_edit":true}}}`, 400, "bad_request", "can_edit"},
		{"can_edit on a web link", DemoDeveloperToken, "/2.0/web_links/" + DemoWebLinkID, `{"shared_link":{"access":"open","permissions":{"can_edit":true}}}`, 400, "bad_request", "can_edit"},
		{"can_edit without download", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"open","permissions":{"can_download":false,"can_edit":true}}}`, 400, "bad_request", "shared_link_permissions"},
		{"can_preview false", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"open","permissions":{"can_preview":false}}}`, 400, "bad_request", "can_preview"},
		{"edit links off", DemoFredToken, "/2.0/files/400002", `{"shared_link":{"access":"company","permissions":{"can_download":true,"can_edit":true}}}`, 403, "access_denied_insufficient_permissions", ""},
		{"past unshared_at", DemoDeveloperToken, notesURL, `{"shared_link":{"unshared_at":"2020-01-01T00:00:00Z"}}`, 400, "bad_request", "unshared_at"},
		{"zone-less unshared_at", DemoDeveloperToken, notesURL, `{"shared_link":{"unshared_at":"2099-06-29T22:59:11.977388"}}`, 400, "bad_request", "unshared_at"},
		{"epoch unshared_at", DemoDeveloperToken, notesURL, `{"shared_link":{"unshared_at":"1616630023"}}`, 400, "bad_request", "unshared_at"},
		{"bad access", DemoDeveloperToken, notesURL, `{"shared_link":{"access":"public"}}`, 400, "bad_request", "access"},
		{"access not a string", DemoDeveloperToken, notesURL, `{"shared_link":{"access":5}}`, 400, "bad_request", "access"},
		{"forbidden level", DemoFredToken, "/2.0/files/400002", `{"shared_link":{"access":"open"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"short vanity", DemoDeveloperToken, notesURL, `{"shared_link":{"vanity_name":"short"}}`, 400, "bad_request", "vanity_name"},
		{"vanity with a slash", DemoDeveloperToken, notesURL, `{"shared_link":{"vanity_name":"northwind/notes-x"}}`, 400, "bad_request", "vanity_name"},
		{"vanity taken", DemoDeveloperToken, notesURL, `{"shared_link":{"vanity_name":"Northwind-Q3-Report"}}`, 400, "bad_request", "vanity_name"},
		{"vanity off", DemoFredToken, "/2.0/files/400002", `{"shared_link":{"access":"company","vanity_name":"fabrikam-contract"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"free: company", DemoSamToken, "/2.0/files/500002", `{"shared_link":{"access":"company"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"free: expiry", DemoSamToken, "/2.0/files/500002", `{"shared_link":{"access":"open","unshared_at":` + future + `}}`, 403, "access_denied_insufficient_permissions", ""},
		{"free: password", DemoSamToken, "/2.0/files/500002", `{"shared_link":{"access":"open","password":"Passw0rd!x"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"free: vanity", DemoSamToken, "/2.0/files/500002", `{"shared_link":{"access":"open","vanity_name":"sam-beach-photo"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"root folder", DemoDeveloperToken, "/2.0/folders/0", `{"shared_link":{"access":"open"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"viewer collaborator", DemoVicToken, "/2.0/folders/" + DemoReportsFolderID, `{"shared_link":{"access":"open"}}`, 403, "access_denied_insufficient_permissions", ""},
		{"someone else's item", DemoFredToken, notesURL, `{"shared_link":{"access":"open"}}`, 404, "not_found", ""},
		{"unknown member", DemoDeveloperToken, notesURL, `{"shared_link":{"acess":"open"}}`, 400, "bad_request", "shared_link"},
		{"other item fields", DemoDeveloperToken, notesURL, `{"name":"x.txt"}`, 400, "bad_request", "name"},
		{"bad JSON", DemoDeveloperToken, notesURL, `{"shared_link":`, 400, "bad_request", ""},
		{"non-numeric id", DemoDeveloperToken, "/2.0/files/abc", `{"shared_link":{}}`, 405, "method_not_allowed", ""},
		{"wrong type for the id", DemoDeveloperToken, "/2.0/folders/" + DemoNotesFileID, `{"shared_link":{}}`, 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			e.token = tt.token
			before := e.get(tt.path + "?fields=shared_link")
			m := wantError(t, e.put(tt.path+"?fields=shared_link", tt.body), tt.status, tt.code)
			if got := contextName(m); got != tt.param {
				t.Errorf("context_info name %q, want %q", got, tt.param)
			}
			if after := e.get(tt.path + "?fields=shared_link"); before.status == 200 && string(after.body) != string(before.body) {
				t.Errorf("a refused PUT changed the item:\n%s\n%s", before.body, after.body)
			}
		})
	}
	e := newEnv(t, Options{})
	for _, m := range []string{"POST", "DELETE", "PATCH"} {
		r := e.do(m, notesURL, `{"shared_link":{}}`)
		wantError(t, r, 405, "method_not_allowed")
		if r.header.Get("Allow") != "GET, PUT" {
			t.Errorf("%s: Allow %q", m, r.header.Get("Allow"))
		}
	}
	// If-Match with a stale etag is 412; with the current one the PUT goes through.
	etag := e.get(notesURL).json(t)["etag"].(string)
	wantError(t, e.put(notesURL, `{"shared_link":{}}`, "If-Match", "999"), 412, "precondition_failed")
	if r := e.put(notesURL, `{"shared_link":{}}`, "If-Match", etag); r.status != 200 {
		t.Fatalf("If-Match current: %d %s", r.status, r.body)
	}
	if r := e.get(notesURL, "If-None-Match", etag); r.status != 200 {
		t.Fatalf("the PUT must change the etag: %d", r.status)
	}
	now := e.get(notesURL).json(t)["etag"].(string)
	if r := e.get(notesURL, "If-None-Match", now); r.status != 304 || len(r.body) != 0 {
		t.Fatalf("If-None-Match: %d %s", r.status, r.body)
	}
}

func TestPasswordExpiryAndVanity(t *testing.T) {
	e := newEnv(t, Options{})
	l := sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"access":"open","password":"do-n8t-use","unshared_at":"2026-12-31T17:00:00+00:00","vanity_name":"northwind-notes-1"}}`))
	// Dates come back in the owner's zone (Ada: America/Los_Angeles).
	if l["is_password_enabled"] != true || l["unshared_at"] != "2026-12-31T09:00:00-08:00" ||
		l["vanity_url"] != "https://northwind.app.box.com/v/northwind-notes-1" || l["vanity_name"] != "northwind-notes-1" {
		t.Fatalf("link %v", l)
	}
	if strings.Contains(string(e.get(notesURL).body), "do-n8t-use") {
		t.Fatal("the password was echoed")
	}
	// A date alone is midnight in the owner's zone; fractional seconds are dropped.
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"unshared_at":"2027-01-15"}}`))
	if l["unshared_at"] != "2027-01-15T00:00:00-08:00" || l["is_password_enabled"] != true {
		t.Fatalf("date-only %v", l)
	}
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"unshared_at":"2027-01-15T10:00:00.123Z"}}`))
	if l["unshared_at"] != "2027-01-15T02:00:00-08:00" {
		t.Fatalf("fractional %v", l)
	}
	// null removes expiry, password and vanity name (the spec omits the null for unshared_at,
	// Box accepts it: box/boxcli#222).
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"unshared_at":null,"password":null,"vanity_name":null}}`))
	if l["unshared_at"] != nil || l["is_password_enabled"] != false || l["vanity_url"] != nil || l["access"] != "open" {
		t.Fatalf("nulls %v", l)
	}
	// A password goes when the link stops being open.
	sharedLink(t, e.put(notesURL, `{"shared_link":{"password":"Another-1pass"}}`))
	l = sharedLink(t, e.put(notesURL+"?fields=shared_link", `{"shared_link":{"access":"company"}}`))
	if l["is_password_enabled"] != false {
		t.Fatalf("company link kept a password: %v", l)
	}
	// The freed vanity name can be taken by another item; an expired link is gone.
	l = sharedLink(t, e.put(privateURL+"?fields=shared_link", `{"shared_link":{"access":"open","unshared_at":"2026-06-01T13:00:00Z","vanity_name":"northwind-notes-1"}}`))
	url := l["url"].(string)
	if r := e.get("/2.0/shared_items", "BoxApi", boxAPI("https://northwind.app.box.com/v/northwind-notes-1")); r.status != 200 || r.json(t)["id"] != DemoPrivateFolderID {
		t.Fatalf("vanity resolves: %d %s", r.status, r.body)
	}
	e.clk.advance(time.Hour)
	wantError(t, e.get("/2.0/shared_items", "BoxApi", boxAPI(url)), 404, "not_found")
	if l := sharedLink(t, e.get(privateURL+"?fields=shared_link")); l != nil {
		t.Fatalf("an expired link is still on the item: %v", l)
	}
}

func TestReadOnlyCallersSeeNoLink(t *testing.T) {
	e := newEnv(t, Options{})
	reports := "/2.0/folders/" + DemoReportsFolderID + "?fields=shared_link,permissions"
	e.token = DemoMeganToken // editor
	if sharedLink(t, e.get(reports)) == nil {
		t.Fatal("an editor must see the link")
	}
	e.token = DemoVicToken // viewer
	r := e.get(reports)
	if sharedLink(t, r) != nil || r.json(t)["permissions"].(map[string]any)["can_share"] != false {
		t.Fatalf("a viewer sees %s", r.body)
	}
	e.token = DemoFredToken
	wantError(t, e.get(reports), 404, "not_found")
}

// TestKeepFaultLeavesTheLink: a keep rule makes a removal answer 200 with shared_link null and
// remove nothing, so only a read afterwards shows the link is still there; folder listings with
// fields=shared_link carry each entry's link (null without one).
func TestKeepFaultLeavesTheLink(t *testing.T) {
	e := newEnv(t, Options{Faults: []kit.Fault{{Method: "PUT", Path: "/folders/*", Keep: true, Times: 1}}})
	u := "/2.0/folders/" + DemoReportsFolderID + "?fields=name,shared_link"
	if r := e.put(u, `{"shared_link":null}`); r.status != 200 || sharedLink(t, r) != nil {
		t.Fatalf("kept removal: %d %s", r.status, r.body)
	}
	if l := sharedLink(t, e.get(u)); l == nil || l["url"] != DemoReportsLinkURL {
		t.Fatalf("after a kept removal the link is %v", l)
	}
	if st := e.srv.Stats().SharedLinks; st.Removed != 0 {
		t.Fatalf("stats %+v", st)
	}
	// The rule is spent: the next removal removes.
	if r := e.put(u, `{"shared_link":null}`); r.status != 200 || sharedLink(t, r) != nil || sharedLink(t, e.get(u)) != nil {
		t.Fatalf("second removal: %d %s", r.status, r.body)
	}
	m := e.get("/2.0/folders/0/items?fields=name,shared_link&limit=1000&usemarker=true").json(t)
	links := map[string]any{}
	for _, x := range m["entries"].([]any) {
		en := x.(map[string]any)
		if len(en) != 5 {
			t.Fatalf("entry %v: want type, id, etag, name, shared_link", en)
		}
		links[en["name"].(string)] = en["shared_link"]
	}
	if links["Reports"] != nil || links["Notes.txt"] != nil || links["Passworded"] == nil || links["Team only"] == nil {
		t.Fatalf("listing's links: %v", links)
	}
}

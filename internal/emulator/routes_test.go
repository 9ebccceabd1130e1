package emulator

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestDriveRoots(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, path, wantID, wantType string
	}{
		{"me", "/me/drive", DemoPersonalDriveID, "personal"},
		{"drives", "/drives/" + DemoBusinessDriveID, DemoBusinessDriveID, "business"},
		{"users by upn", "/users/megan@contoso.example/drive", DemoMeganDriveID, "business"},
		{"users by id", "/users/" + DemoUserID + "/drive", DemoPersonalDriveID, "personal"},
		{"users upn case", "/users/ADELE@contoso.example/drive", DemoPersonalDriveID, "personal"},
		{"groups", "/groups/" + DemoGroupID + "/drive", DemoGroupDriveID, "documentLibrary"},
		{"sites", "/sites/" + DemoSiteID + "/drive", DemoSiteDriveID, "documentLibrary"},
		{"trailing slash", "/me/drive/", DemoPersonalDriveID, "personal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			m := r.json(t)
			if m["id"] != tt.wantID || m["driveType"] != tt.wantType {
				t.Errorf("got id %v type %v", m["id"], m["driveType"])
			}
			if _, ok := m["owner"].(map[string]any); !ok {
				t.Errorf("no owner: %s", r.body)
			}
		})
	}
}

func TestItemAddressing(t *testing.T) {
	e := newEnv(t, Options{})
	pd := "/drives/" + DemoPersonalDriveID
	tests := []struct {
		name, path, wantName string
	}{
		{"root", "/me/drive/root", "root"},
		{"root colon", "/me/drive/root:", "root"},
		{"root colon slash", "/me/drive/root:/", "root"},
		{"items id", "/me/drive/items/" + DemoReportsFolderID, "Reports"},
		{"items id lower case", "/me/drive/items/" + strings.ToLower(DemoReportsFolderID), "Reports"},
		{"drives items", pd + "/items/" + DemoHostileFileID, "Q3 #1 100%.xlsx"},
		{"path with colon", "/me/drive/root:/Reports:", "Reports"},
		{"path without colon", "/me/drive/root:/Reports", "Reports"},
		{"path case-insensitive", "/me/drive/root:/reports/ARCHIVE:", "Archive"},
		{"hostile %20 %23 %25", "/me/drive/root:/Reports/Q3%20%231%20100%25.xlsx:", "Q3 #1 100%.xlsx"},
		{"utf-8", "/me/drive/root:/Reports/Caf%C3%A9%20%C3%BCn%C3%AFcode.docx", "Café ünïcode.docx"},
		{"plus stays plus", "/me/drive/root:/Reports/Budget%202024+draft.xlsx:", "Budget 2024+draft.xlsx"},
		{"encoded plus", "/me/drive/root:/Reports/Budget%202024%2Bdraft.xlsx:", "Budget 2024+draft.xlsx"},
		{"brackets raw", "/me/drive/root:/Photos/Beach%20'sunset'%20[1].jpg", "Beach 'sunset' [1].jpg"},
		{"brackets encoded", "/me/drive/root:/Photos/Beach%20%27sunset%27%20%5B1%5D.jpg:", "Beach 'sunset' [1].jpg"},
		{"relative path", "/me/drive/items/" + DemoReportsFolderID + ":/Q3%20%231%20100%25.xlsx:", "Q3 #1 100%.xlsx"},
		{"relative path no colon", "/me/drive/items/" + DemoReportsFolderID + ":/Archive/report-007.csv", "report-007.csv"},
		{"business path", "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx", "Budget 2024.xlsx"},
		{"group path", "/groups/" + DemoGroupID + "/drive/root:/Campaigns/Launch%20plan.docx:", "Launch plan.docx"},
		{"site path", "/sites/" + DemoSiteID + "/drive/root:/Specs:", "Specs"},
		{"user path", "/users/megan@contoso.example/drive/root:/Shared%20with%20Adele/Roadmap.pptx", "Roadmap.pptx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := r.json(t)["name"]; got != tt.wantName {
				t.Errorf("name = %v, want %q", got, tt.wantName)
			}
		})
	}
}

func TestItemFacets(t *testing.T) {
	e := newEnv(t, Options{})
	f := e.get("/me/drive/items/" + DemoHostileFileID).json(t)
	if f["file"].(map[string]any)["mimeType"] == "" || f["size"].(float64) != 18422 {
		t.Errorf("file facet: %v", f)
	}
	pr := f["parentReference"].(map[string]any)
	if pr["id"] != DemoReportsFolderID || pr["driveId"] != DemoPersonalDriveID || pr["path"] != "/drives/"+DemoPersonalDriveID+"/root:/Reports" {
		t.Errorf("parentReference: %v", pr)
	}
	d := e.get("/me/drive/items/" + DemoReportsFolderID).json(t)
	if d["folder"].(map[string]any)["childCount"].(float64) != 5 {
		t.Errorf("folder facet: %v", d["folder"])
	}
	if d["shared"].(map[string]any)["scope"] != "anonymous" {
		t.Errorf("shared facet: %v", d["shared"])
	}
	root := e.get("/me/drive/root").json(t)
	if _, ok := root["root"]; !ok {
		t.Errorf("root facet missing")
	}
}

func TestRouteErrors(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"unknown item id", "GET", "/me/drive/items/NOPE!1", 404, "itemNotFound"},
		{"unknown path", "GET", "/me/drive/root:/Reports/missing.txt:", 404, "itemNotFound"},
		{"path below a file", "GET", "/me/drive/root:/Notes.txt/x:", 404, "itemNotFound"},
		{"item of another drive", "GET", "/drives/" + DemoBusinessDriveID + "/items/" + DemoReportsFolderID, 404, "itemNotFound"},
		{"unknown drive", "GET", "/drives/nope", 404, "itemNotFound"},
		{"unknown group", "GET", "/groups/nope/drive", 404, "itemNotFound"},
		{"unknown segment", "GET", "/me/drive/root/bogus", 400, "invalidRequest"},
		{"unknown root segment", "GET", "/bogus", 400, "invalidRequest"},
		{"put item", "PUT", "/me/drive/root", 405, "invalidRequest"},
		{"get createLink", "GET", "/me/drive/root/createLink", 405, "invalidRequest"},
		{"post children", "POST", "/me/drive/root/children", 405, "invalidRequest"},
		{"bad $top", "GET", "/me/drive/root/children?$top=0", 400, "invalidRequest"},
		{"big $top", "GET", "/me/drive/root/children?$top=1000", 400, "invalidRequest"},
		{"text $top", "GET", "/me/drive/root/children?$top=ten", 400, "invalidRequest"},
		{"bad skiptoken", "GET", "/me/drive/root/children?$skiptoken=garbage", 400, "invalidRequest"},
		{"expand permissions", "GET", "/me/drive/root?$expand=permissions", 400, "invalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if got := r.errCode(t); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
			inner := r.json(t)["error"].(map[string]any)["innerError"].(map[string]any)
			if inner["request-id"] == "" || inner["request-id"] != r.header.Get("request-id") || inner["date"] == nil {
				t.Errorf("innerError %v, request-id header %q", inner, r.header.Get("request-id"))
			}
			if tt.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	r := e.get(strings.Replace(e.base, "/v1.0", "/beta", 1) + "/me/drive")
	if r.status != 404 {
		t.Errorf("/beta: %d", r.status)
	}
}

func TestBadEscapeRaw(t *testing.T) {
	e := newEnv(t, Options{})
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /v1.0/me/drive/root:/Reports/%%zz: HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	// net/http itself may refuse the request line; either way it is a 400.
	if res.StatusCode != 400 {
		t.Errorf("status %d", res.StatusCode)
	}
}

func TestRequestIDHeaders(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.get("/me/drive/items/missing", "client-request-id", "abc-123")
	if r.header.Get("client-request-id") != "abc-123" || r.header.Get("request-id") == "" {
		t.Errorf("headers: %v", r.header)
	}
	inner := r.json(t)["error"].(map[string]any)["innerError"].(map[string]any)
	if inner["client-request-id"] != "abc-123" {
		t.Errorf("innerError: %v", inner)
	}
	ok := e.get("/me/drive")
	if ok.header.Get("request-id") == "" {
		t.Error("no request-id on success")
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, Options{})
	for _, h := range []string{"", "Bearer", "Bearer  ", "Basic abc"} {
		r := e.get("/me/drive", "Authorization", h)
		if r.status != http.StatusUnauthorized || r.errCode(t) != "InvalidAuthenticationToken" {
			t.Errorf("Authorization %q: %d %s", h, r.status, r.body)
		}
		if msg := r.json(t)["error"].(map[string]any)["message"]; msg != "Access token is empty." {
			t.Errorf("message %v", msg)
		}
	}
}

func TestAuthenticateHook(t *testing.T) {
	e := newEnv(t, Options{Authenticate: func(r *http.Request, bearer string) (string, error) {
		switch bearer {
		case "megan":
			return DemoMeganPrincipal, nil
		case "adele":
			return DemoUserID, nil
		}
		return "", errString("Access token validation failure. Invalid audience.")
	}})
	if m := e.get("/me/drive", "Authorization", "Bearer megan").json(t); m["id"] != DemoMeganDriveID {
		t.Errorf("megan's drive: %v", m["id"])
	}
	if m := e.get("/me", "Authorization", "Bearer adele").json(t); m["userPrincipalName"] != DemoUserPrincipal {
		t.Errorf("me: %v", m)
	}
	r := e.get("/me/drive", "Authorization", "Bearer other")
	if r.status != 401 || !strings.Contains(string(r.body), "Invalid audience") {
		t.Errorf("bad token: %d %s", r.status, r.body)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestPermissionsList(t *testing.T) {
	e := newEnv(t, Options{})
	// Personal: the file inherits the folder's link, grant and invitation, marked with inheritedFrom.
	m := e.get("/me/drive/root:/Reports/Summary.pdf:/permissions").json(t)
	vals := m["value"].([]any)
	if len(vals) != 3 {
		t.Fatalf("permissions: %v", vals)
	}
	p := vals[0].(map[string]any)
	if p["inheritedFrom"].(map[string]any)["id"] != DemoReportsFolderID || p["shareId"] != DemoSharedFolderShareID {
		t.Errorf("inherited: %v", p)
	}
	for i, want := range []string{DemoSharedFolderLinkID, DemoUserPermissionID, DemoInvitationPermissionID} {
		q := vals[i].(map[string]any)
		if q["id"] != want || q["inheritedFrom"] == nil {
			t.Errorf("inherited %d: %v", i, q)
		}
	}
	// Business: own link plus the owner, never inheritedFrom.
	m = e.get("/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions").json(t)
	vals = m["value"].([]any)
	if len(vals) != 2 || vals[1].(map[string]any)["roles"].([]any)[0] != "owner" {
		t.Fatalf("business permissions: %v", vals)
	}
	for _, v := range vals {
		if _, ok := v.(map[string]any)["inheritedFrom"]; ok {
			t.Error("inheritedFrom on business")
		}
	}
	// get and delete one
	pid := vals[0].(map[string]any)["id"].(string)
	path := "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions/" + pid
	if r := e.get(path); r.status != 200 {
		t.Errorf("get permission: %d", r.status)
	}
	if r := e.do("DELETE", path, ""); r.status != 204 {
		t.Errorf("delete permission: %d %s", r.status, r.body)
	}
	if r := e.get(path); r.status != 404 {
		t.Errorf("deleted permission: %d", r.status)
	}
	if r := e.get("/shares/" + encodeShare(DemoSharedFileURL)); r.status != 404 {
		t.Errorf("share of deleted link: %d", r.status)
	}
}

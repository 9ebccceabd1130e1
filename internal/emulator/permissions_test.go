package emulator

import (
	"testing"
	"time"
)

func TestPermissionPatch(t *testing.T) {
	future := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	reports := "/me/drive/items/" + DemoReportsFolderID + "/permissions/"
	bizFilePerms := "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions/"
	tests := []struct {
		name, path, body string
		status           int
		code             string
		check            func(t *testing.T, p map[string]any)
	}{
		{"user roles to read", reports + DemoUserPermissionID, `{"roles":["read"]}`, 200, "", func(t *testing.T, p map[string]any) {
			if r := p["roles"].([]any); len(r) != 1 || r[0] != "read" || p["grantedToV2"] == nil {
				t.Errorf("updated: %v", p)
			}
		}},
		{"invitation roles to write", reports + DemoInvitationPermissionID, `{"roles":["write"]}`, 200, "", func(t *testing.T, p map[string]any) {
			if r := p["roles"].([]any); r[0] != "write" || p["invitation"].(map[string]any)["email"] != DemoInvitationEmail {
				t.Errorf("updated: %v", p)
			}
		}},
		{"user role owner", reports + DemoUserPermissionID, `{"roles":["owner"]}`, 400, "invalidRequest", nil},
		{"user no roles", reports + DemoUserPermissionID, `{"roles":[]}`, 400, "invalidRequest", nil},
		{"user expiry", reports + DemoUserPermissionID, `{"expirationDateTime":"` + future + `"}`, 400, "invalidRequest", nil},
		{"empty body is a no-op", reports + DemoUserPermissionID, `{}`, 200, "", nil},
		{"unknown property", reports + DemoUserPermissionID, `{"roles":["read"],"link":{}}`, 400, "invalidRequest", nil},
		{"bad JSON", reports + DemoUserPermissionID, `{"roles":`, 400, "invalidRequest", nil},
		{"roles not an array", reports + DemoUserPermissionID, `{"roles":"read"}`, 400, "invalidRequest", nil},
		{"anonymous link expiry", reports + DemoSharedFolderLinkID, `{"expirationDateTime":"` + future + `"}`, 200, "", func(t *testing.T, p map[string]any) {
			if p["expirationDateTime"] != future || p["link"] == nil {
				t.Errorf("updated: %v", p)
			}
		}},
		{"anonymous link expiry removed", reports + DemoSharedFolderLinkID, `{"expirationDateTime":null}`, 200, "", func(t *testing.T, p map[string]any) {
			if _, ok := p["expirationDateTime"]; ok {
				t.Errorf("expiry kept: %v", p)
			}
		}},
		{"anonymous link same roles", reports + DemoSharedFolderLinkID, `{"roles":["read"]}`, 200, "", nil},
		{"anonymous link roles", reports + DemoSharedFolderLinkID, `{"roles":["write"]}`, 400, "invalidRequest", nil},
		{"anonymous link past expiry", reports + DemoSharedFolderLinkID, `{"expirationDateTime":"2001-01-01T00:00:00Z"}`, 400, "invalidRequest", nil},
		{"anonymous link bad expiry", reports + DemoSharedFolderLinkID, `{"expirationDateTime":"tomorrow"}`, 400, "invalidRequest", nil},
		{"organization link", bizFilePerms + "demo-file-link", `{"expirationDateTime":"` + future + `"}`, 400, "notSupported", nil},
		{"organization link roles", bizFilePerms + "demo-file-link", `{"roles":["read"]}`, 400, "notSupported", nil},
		{"inherited", "/me/drive/root:/Reports/Summary.pdf:/permissions/" + DemoUserPermissionID, `{"roles":["read"]}`, 403, "accessDenied", nil},
		{"owner", bizFilePerms + ownerPermJSON(&user{upn: DemoUserPrincipal})["id"].(string), `{"roles":["read"]}`, 403, "accessDenied", nil},
		{"unknown id", reports + "nope", `{"roles":["read"]}`, 404, "itemNotFound", nil},
	}
	e := newEnv(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("PATCH", tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tt.code != "" && r.errCode(t) != tt.code {
				t.Errorf("code %q", r.errCode(t))
			}
			if tt.check != nil {
				tt.check(t, r.json(t))
				if g := e.get(tt.path).json(t); g["id"] != r.json(t)["id"] {
					t.Errorf("GET after PATCH: %v", g)
				}
			}
		})
	}
	// a users (specific people) link
	link := e.post("/drives/"+DemoBusinessDriveID+"/root:/Reports/Budget%202024.xlsx:/createLink",
		`{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"}]}`).json(t)
	if r := e.do("PATCH", bizFilePerms+link["id"].(string), `{"expirationDateTime":"`+future+`"}`); r.status != 400 || r.errCode(t) != "notSupported" {
		t.Errorf("users link: %d %s", r.status, r.body)
	}
	// the change shows through /permissions on the item and, inherited, on its children
	if p := e.get("/me/drive/root:/Reports/Summary.pdf:/permissions/" + DemoUserPermissionID).json(t); p["roles"].([]any)[0] != "read" {
		t.Errorf("inherited view: %v", p)
	}
}

func TestPermissionDelete(t *testing.T) {
	e := newEnv(t, Options{})
	reports := "/me/drive/items/" + DemoReportsFolderID + "/permissions/"
	// inherited: 403, and nothing changes
	if r := e.do("DELETE", "/me/drive/root:/Reports/Summary.pdf:/permissions/"+DemoSharedFolderLinkID, ""); r.status != 403 || r.errCode(t) != "accessDenied" {
		t.Errorf("inherited: %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", reports+"nope", ""); r.status != 404 || r.errCode(t) != "itemNotFound" {
		t.Errorf("unknown: %d %s", r.status, r.body)
	}
	if r := e.get("/shares/" + DemoSharedFolderShareID); r.status != 200 {
		t.Fatalf("share before delete: %d", r.status)
	}
	r := e.do("DELETE", reports+DemoSharedFolderLinkID, "")
	if r.status != 204 || len(r.body) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.body)
	}
	for _, tok := range []string{DemoSharedFolderShareID, encodeShare(DemoSharedFolderURL)} {
		if r := e.get("/shares/" + tok); r.status != 404 {
			t.Errorf("share %s after delete: %d", tok, r.status)
		}
	}
	if r := e.do("DELETE", reports+DemoSharedFolderLinkID, ""); r.status != 404 {
		t.Errorf("second delete: %d", r.status)
	}
	if r := e.do("DELETE", reports+DemoUserPermissionID, ""); r.status != 204 {
		t.Errorf("delete grant: %d", r.status)
	}
	vals := e.get("/me/drive/items/" + DemoReportsFolderID + "/permissions").json(t)["value"].([]any)
	if len(vals) != 1 || vals[0].(map[string]any)["id"] != DemoInvitationPermissionID {
		t.Errorf("left: %v", vals)
	}
	if r := e.do("POST", reports+DemoInvitationPermissionID, "{}"); r.status != 405 || r.header.Get("Allow") != "GET, PATCH, DELETE" {
		t.Errorf("POST: %d %v", r.status, r.header.Get("Allow"))
	}
}

// TestInheritedPermissions: a folder's permissions are listed on every item below it. OneDrive
// personal marks them with inheritedFrom; business drives never send inheritedFrom [PR], so the
// folder's link appears on the child unmarked, before the owner's permission (corso#3708).
func TestInheritedPermissions(t *testing.T) {
	e := newEnv(t, Options{})
	bizReports := "/drives/" + DemoBusinessDriveID + "/root:/Reports:"
	link := e.post(bizReports+"/createLink", `{"type":"view","scope":"organization"}`)
	if link.status != 201 {
		t.Fatalf("createLink: %d %s", link.status, link.body)
	}
	linkID := link.json(t)["id"].(string)
	for _, path := range []string{bizFile, "/drives/" + DemoBusinessDriveID + "/root:/Reports/Archive/report-001.csv:"} {
		vals := e.get(path + "/permissions").json(t)["value"].([]any)
		var found map[string]any
		for _, v := range vals {
			p := v.(map[string]any)
			if _, ok := p["inheritedFrom"]; ok {
				t.Errorf("%s: business permission with inheritedFrom: %v", path, p)
			}
			if p["id"] == linkID {
				found = p
			}
		}
		if found == nil || found["link"].(map[string]any)["scope"] != "organization" {
			t.Fatalf("%s: the folder's link is not listed: %v", path, vals)
		}
		if last := vals[len(vals)-1].(map[string]any); last["roles"].([]any)[0] != "owner" {
			t.Errorf("%s: the owner's permission is not last: %v", path, last)
		}
		// It can be read by id through the child, but not deleted there.
		if r := e.get(path + "/permissions/" + linkID); r.status != 200 {
			t.Errorf("%s: GET inherited: %d", path, r.status)
		}
		if r := e.do("DELETE", path+"/permissions/"+linkID, ""); r.status != 403 {
			t.Errorf("%s: DELETE inherited: %d", path, r.status)
		}
	}
	// Personal: the folder's permissions come with inheritedFrom naming the folder.
	vals := e.get("/me/drive/items/" + DemoHostileFileID + "/permissions").json(t)["value"].([]any)
	n := 0
	for _, v := range vals {
		p := v.(map[string]any)
		if from, ok := p["inheritedFrom"].(map[string]any); ok {
			n++
			if from["id"] != DemoReportsFolderID {
				t.Errorf("inheritedFrom %v", from)
			}
		}
	}
	if n != 3 {
		t.Errorf("personal child lists %d inherited permissions, want the folder's 3: %v", n, vals)
	}
	if r := e.do("DELETE", bizReports+"/permissions/"+linkID, ""); r.status != 204 {
		t.Fatalf("DELETE on the folder: %d", r.status)
	}
	if r := e.get(bizFile + "/permissions/" + linkID); r.status != 404 {
		t.Errorf("deleted link still listed on the child: %d", r.status)
	}
}

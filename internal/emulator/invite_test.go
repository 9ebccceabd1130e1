package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func values(t *testing.T, r resp) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, v := range r.json(t)["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func TestInvite(t *testing.T) {
	e := newEnv(t, Options{})
	body := `{"recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example"},{"email":"` + DemoUnreachableEmail + `"}],
		"roles":["write"],"requireSignIn":true,"sendInvitation":true,"message":"Here it is.","expirationDateTime":"2099-01-01T00:00:00Z"}`
	r := e.post(bizFile+"/invite", body)
	if r.status != http.StatusMultiStatus {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	v := values(t, r)
	if len(v) != 3 {
		t.Fatalf("%d entries: %s", len(v), r.body)
	}
	megan := v[0]["grantedToV2"].(map[string]any)["user"].(map[string]any)
	if su, _ := v[0]["grantedToV2"].(map[string]any)["siteUser"].(map[string]any); su["loginName"] != "i:0#.f|membership|megan@contoso.example" {
		t.Errorf("business grant without its siteUser: %v", v[0]["grantedToV2"])
	}
	if megan["id"] != DemoMeganID || v[0]["roles"].([]any)[0] != "write" || v[0]["error"] != nil {
		t.Errorf("tenant user: %v", v[0])
	}
	if inv, _ := v[1]["invitation"].(map[string]any); inv["email"] != "x@fabrikam.example" || inv["signInRequired"] != true {
		t.Errorf("external: %v", v[1])
	}
	// Business: expirationDateTime applies to sharing links only, so user permissions have none.
	if _, ok := v[0]["expirationDateTime"]; ok {
		t.Errorf("business invite set an expiry: %v", v[0])
	}
	errObj, _ := v[2]["error"].(map[string]any)
	if errObj["code"] != "notAllowed" || errObj["innererror"].(map[string]any)["code"] != "exchangeInvalidUser" || v[2]["id"] == nil {
		t.Errorf("granted but not notified: %v", v[2])
	}
	// All three are permissions of the item now; inviting again updates instead of adding.
	count := func() int { return len(values(t, e.get(bizFile+"/permissions"))) }
	n := count()
	r = e.post(bizFile+"/invite", `{"recipients":[{"email":"megan@contoso.example"},{"email":"`+DemoUnreachableEmail+`"}],"roles":["read"],"sendInvitation":false}`)
	if r.status != 200 || count() != n {
		t.Errorf("second invite: %d, %d permissions (was %d)", r.status, count(), n)
	}
	if v := values(t, r); v[0]["roles"].([]any)[0] != "read" || v[1]["error"] != nil {
		t.Errorf("no notification, no error; roles updated: %v", v)
	}
	// Personal: password and expiry apply.
	r = e.post(personalFile+"/invite", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["read"],"password":"pw","expirationDateTime":"2099-01-01T00:00:00Z"}`)
	if p := values(t, r); r.status != 200 || p[0]["hasPassword"] != true || p[0]["expirationDateTime"] != "2099-01-01T00:00:00Z" {
		t.Errorf("personal invite: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), `"pw"`) {
		t.Error("the password was echoed")
	}
}

func TestInviteRules(t *testing.T) {
	e := newEnv(t, Options{})
	long := strings.Repeat("é", 2001)
	for _, c := range []struct {
		name, item, body string
		status           int
	}{
		{"no recipients", bizFile, `{"roles":["read"]}`, 400},
		{"empty recipients", bizFile, `{"recipients":[],"roles":["read"]}`, 400},
		{"no roles", bizFile, `{"recipients":[{"email":"a@b.example"}]}`, 400},
		{"owner role", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["owner"]}`, 400},
		{"message too long", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"message":"` + long + `"}`, 400},
		{"message at the limit", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"message":"` + long[:len(long)-2] + `"}`, 200},
		{"password on business", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"password":"pw"}`, 400},
		{"past expiry", personalFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"expirationDateTime":"2001-01-01T00:00:00Z"}`, 400},
		{"personal root", "/me/drive/root", `{"recipients":[{"email":"a@b.example"}],"roles":["read"]}`, 400},
		{"unknown parameter", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"notify":true}`, 400},
		{"wrong type", bizFile, `{"recipients":[{"email":"a@b.example"}],"roles":["read"],"sendInvitation":"yes"}`, 400},
		{"recipient member", bizFile, `{"recipients":[{"mail":"a@b.example"}],"roles":["read"]}`, 400},
		{"fully qualified", bizFile + "/microsoft.graph.invite", `{"recipients":[{"objectId":"` + DemoMeganID + `"}],"roles":["read"]}`, 200},
	} {
		path := c.item + "/invite"
		if strings.HasSuffix(c.item, ".invite") {
			path = c.item
		}
		if r := e.post(path, c.body); r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
	}
	if r := e.get(bizFile + "/invite"); r.status != 405 {
		t.Errorf("GET invite: %d", r.status)
	}
}

// TestInviteAppOnly: "New guests can't be invited using app-only access. Existing guests can
// be invited using app-only requests" [INV].
func TestInviteAppOnly(t *testing.T) {
	e := newEnv(t, Options{Authenticate: func(*http.Request, string) (string, error) { return "", nil }})
	biz := "/drives/" + DemoBusinessDriveID + "/root:/Reports/Plan%202025%20(draft)+v2.docx:"
	before := len(values(t, e.get(biz+"/permissions")))
	r := e.post(biz+"/invite", `{"recipients":[{"email":"megan@contoso.example"},{"email":"new@fabrikam.example"}],"roles":["read"]}`)
	if r.status != 403 || r.errCode(t) != "accessDenied" {
		t.Fatalf("new guest, app-only: %d %s", r.status, r.body)
	}
	if n := len(values(t, e.get(biz+"/permissions"))); n != before {
		t.Errorf("a refused invite granted something: %d -> %d", before, n)
	}
	if r := e.post(biz+"/invite", `{"recipients":[{"email":"megan@contoso.example"}],"roles":["read"]}`); r.status != 200 {
		t.Errorf("existing user, app-only: %d %s", r.status, r.body)
	}
}

func TestInviteBatch(t *testing.T) {
	e := newEnv(t, Options{})
	reqs := []map[string]any{}
	for i, email := range []string{"megan@contoso.example", DemoUnreachableEmail} {
		reqs = append(reqs, map[string]any{"id": string(rune('1' + i)), "method": "POST", "url": "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/invite",
			"headers": map[string]string{"Content-Type": "application/json"},
			"body":    map[string]any{"recipients": []any{map[string]string{"email": email}}, "roles": []string{"read"}, "sendInvitation": true}})
	}
	b, _ := json.Marshal(map[string]any{"requests": reqs})
	r, a := e.batch(string(b))
	if r.status != 200 || len(a.Responses) != 2 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	for _, res := range a.Responses {
		want := map[string]int{"1": 200, "2": 207}[res.ID]
		if res.Status != want {
			t.Errorf("sub-request %s: %d, want %d", res.ID, res.Status, want)
		}
	}
}

func TestGrant(t *testing.T) {
	e := newEnv(t, Options{})
	share := "/shares/" + DemoSharedFileShareID + "/permission/grant"
	if r := e.post(share, `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["read"]}`); r.status != 400 {
		t.Errorf("roles not matching the edit link: %d %s", r.status, r.body)
	}
	r := e.post(share, `{"recipients":[{"email":"x@fabrikam.example"},{"email":"megan@contoso.example"}],"roles":["write"]}`)
	if r.status != 200 {
		t.Fatalf("grant: %d %s", r.status, r.body)
	}
	v := values(t, r)
	if len(v) != 1 || v[0]["link"].(map[string]any)["scope"] == nil || len(v[0]["grantedToIdentitiesV2"].([]any)) != 2 {
		t.Errorf("grant answer: %s", r.body)
	}
	// Idempotent per recipient; the fully qualified name and the sharing URL work too.
	r = e.post("/shares/"+encodeShare(DemoSharedFileURL)+"/permission/microsoft.graph.grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["write"]}`)
	if v := values(t, r); r.status != 200 || len(v[0]["grantedToIdentitiesV2"].([]any)) != 2 {
		t.Errorf("grant again: %d %s", r.status, r.body)
	}
	// On an item's permission; not on a permission that isn't a link.
	reports := "/me/drive/items/" + DemoReportsFolderID + "/permissions/"
	if r := e.post(reports+DemoSharedFolderLinkID+"/grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["read"]}`); r.status != 200 {
		t.Errorf("item permission grant: %d %s", r.status, r.body)
	}
	if r := e.post(reports+DemoUserPermissionID+"/grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["write"]}`); r.status != 400 {
		t.Errorf("grant on a user permission: %d", r.status)
	}
	if r := e.post(share, `{"recipients":[],"roles":["write"]}`); r.status != 400 {
		t.Errorf("no recipients: %d", r.status)
	}
}

func TestRevokeGrants(t *testing.T) {
	e := newEnv(t, Options{})
	bizReports := "/drives/" + DemoBusinessDriveID + "/root:/Reports:"
	link := e.post(bizReports+"/createLink", `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example"}]}`).json(t)
	id := link["id"].(string)
	r := e.post(bizReports+"/permissions/"+id+"/revokeGrants", `{"grantees":[{"email":"x@fabrikam.example"}]}`)
	if r.status != 200 {
		t.Fatalf("revokeGrants: %d %s", r.status, r.body)
	}
	left := r.json(t)["grantedToIdentitiesV2"].([]any)
	if len(left) != 1 || left[0].(map[string]any)["user"].(map[string]any)["id"] != DemoMeganID {
		t.Errorf("left: %v", left)
	}
	// Megan loses access through the link when revoked.
	e.post(bizReports+"/permissions/"+id+"/microsoft.graph.revokeGrants", `{"grantees":[{"email":"megan@contoso.example"}]}`)
	if p := e.get(bizReports + "/permissions/" + id).json(t); p["grantedToIdentitiesV2"] != nil {
		t.Errorf("after revoking everyone: %v", p)
	}
	for _, c := range []struct {
		name, path string
		status     int
	}{
		{"organization link", "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions/demo-file-link/revokeGrants", 400},
		{"personal", "/me/drive/items/" + DemoReportsFolderID + "/permissions/" + DemoSharedFolderLinkID + "/revokeGrants", 400},
		{"inherited", "/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions/" + id + "/revokeGrants", 403},
		{"unknown", bizReports + "/permissions/nope/revokeGrants", 404},
	} {
		if r := e.post(c.path, `{"grantees":[{"email":"megan@contoso.example"}]}`); r.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.status, c.status, r.body)
		}
	}
	if r := e.post(bizReports+"/permissions/"+id+"/revokeGrants", `{"grantees":[]}`); r.status != 400 {
		t.Errorf("no grantees: %d", r.status)
	}
}

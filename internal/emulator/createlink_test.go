package emulator

import (
	"strings"
	"testing"
	"time"
)

const (
	personalFile   = "/me/drive/root:/Reports/Summary.pdf:"
	personalFolder = "/me/drive/root:/Photos:"
	bizFile        = "/drives/" + DemoBusinessDriveID + "/root:/Reports/Plan%202025%20(draft)+v2.docx:"
	bizFolder      = "/drives/" + DemoBusinessDriveID + "/root:/Projects:"
)

func TestCreateLinkRules(t *testing.T) {
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name, item, body string
		status           int
		wantInMsg        string
		check            func(t *testing.T, p map[string]any)
	}{
		{"view default scope personal", personalFile, `{"type":"view"}`, 201, "", func(t *testing.T, p map[string]any) {
			l := p["link"].(map[string]any)
			if l["scope"] != "anonymous" || l["type"] != "view" || !strings.HasPrefix(l["webUrl"].(string), "https://1drv.ms/b/s!") {
				t.Errorf("link %v", l)
			}
			if p["roles"].([]any)[0] != "read" || p["hasPassword"] != false || !strings.HasPrefix(p["shareId"].(string), "s!") {
				t.Errorf("perm %v", p)
			}
			app := l["application"].(map[string]any)
			if app["id"] != DemoApplicationID || app["displayName"] != DemoApplicationName {
				t.Errorf("application %v", app)
			}
		}},
		{"edit default scope business", bizFile, `{"type":"edit"}`, 201, "", func(t *testing.T, p map[string]any) {
			l := p["link"].(map[string]any)
			if l["scope"] != "organization" || p["roles"].([]any)[0] != "write" ||
				!strings.HasPrefix(l["webUrl"].(string), "https://contoso.sharepoint.com/:w:/g/personal/adele_contoso_example/") {
				t.Errorf("perm %v", p)
			}
			if _, ok := p["hasPassword"]; ok {
				t.Error("hasPassword on business")
			}
		}},
		{"embed personal", personalFile, `{"type":"embed"}`, 201, "", func(t *testing.T, p map[string]any) {
			l := p["link"].(map[string]any)
			if !strings.HasPrefix(l["webHtml"].(string), "<iframe") || p["roles"].([]any)[0] != "read" {
				t.Errorf("embed %v", p)
			}
		}},
		{"password personal", personalFile, `{"type":"edit","password":"s3cret!"}`, 201, "", func(t *testing.T, p map[string]any) {
			if p["hasPassword"] != true {
				t.Errorf("hasPassword %v", p["hasPassword"])
			}
		}},
		{"expiration", personalFile, `{"type":"view","scope":"anonymous","expirationDateTime":"` + future + `"}`, 201, "", func(t *testing.T, p map[string]any) {
			if p["expirationDateTime"] != future {
				t.Errorf("expirationDateTime %v, want %s", p["expirationDateTime"], future)
			}
		}},
		{"users scope", bizFile, `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"},{"email":"ext@fabrikam.example"}]}`, 201, "", func(t *testing.T, p map[string]any) {
			ids := p["grantedToIdentitiesV2"].([]any)
			if len(ids) != 2 || ids[0].(map[string]any)["user"].(map[string]any)["id"] != DemoMeganID {
				t.Errorf("grantedToIdentitiesV2 %v", ids)
			}
		}},
		{"review biz file", bizFile, `{"type":"review"}`, 201, "", func(t *testing.T, p map[string]any) {
			if p["roles"].([]any)[0] != "write" {
				t.Errorf("roles %v", p["roles"])
			}
		}},
		{"blocksDownload biz file", bizFile, `{"type":"blocksDownload","scope":"organization"}`, 201, "", func(t *testing.T, p map[string]any) {
			if p["link"].(map[string]any)["preventsDownload"] != true || p["roles"].([]any)[0] != "read" {
				t.Errorf("perm %v", p)
			}
		}},
		{"createOnly biz folder", bizFolder, `{"type":"createOnly","scope":"anonymous"}`, 201, "", nil},
		{"addressBar biz", bizFile, `{"type":"addressBar"}`, 201, "", nil},
		{"message and flags accepted", bizFolder, `{"type":"view","message":"hi","retainInheritedPermissions":true,"sendNotification":false}`, 201, "", nil},
		{"null scope is omitted", personalFolder, `{"type":"view","scope":null}`, 201, "", nil},

		{"not json", personalFile, `{"type":`, 400, "JSON object", nil},
		{"array body", personalFile, `["view"]`, 400, "JSON object", nil},
		{"empty body", personalFile, ``, 400, "JSON object", nil},
		{"unknown property", personalFile, `{"type":"view","Scope":"anonymous"}`, 400, "'Scope'", nil},
		{"unknown recipient property", bizFile, `{"type":"view","scope":"users","recipients":[{"mail":"x@y"}]}`, 400, "'mail'", nil},
		{"empty recipient", bizFile, `{"type":"view","scope":"users","recipients":[{}]}`, 400, "recipients[0]", nil},
		{"type missing", personalFile, `{"scope":"anonymous"}`, 400, "'type' is required", nil},
		{"type wrong json type", personalFile, `{"type":1}`, 400, "'type'", nil},
		{"bad type", personalFile, `{"type":"vieww"}`, 400, "'vieww'", nil},
		{"bad scope", personalFile, `{"type":"view","scope":"public"}`, 400, "'public'", nil},
		{"embed on business", bizFile, `{"type":"embed"}`, 400, "personal", nil},
		{"embed on folder", personalFolder, `{"type":"embed"}`, 400, "files", nil},
		{"organization on personal", personalFile, `{"type":"view","scope":"organization"}`, 400, "organization", nil},
		{"review on personal", personalFile, `{"type":"review"}`, 400, "review", nil},
		{"blocksDownload on folder", bizFolder, `{"type":"blocksDownload"}`, 400, "blocksDownload", nil},
		{"createOnly on file", bizFile, `{"type":"createOnly"}`, 400, "createOnly", nil},
		{"createOnly on personal", personalFolder, `{"type":"createOnly"}`, 400, "createOnly", nil},
		{"adminDefault on personal", personalFile, `{"type":"adminDefault"}`, 400, "adminDefault", nil},
		{"password on business", bizFile, `{"type":"view","password":"x"}`, 400, "password", nil},
		{"users without recipients", bizFile, `{"type":"view","scope":"users"}`, 400, "recipient", nil},
		{"bad expiration", personalFile, `{"type":"view","expirationDateTime":"tomorrow"}`, 400, "'tomorrow'", nil},
		{"expiration in past", personalFile, `{"type":"view","expirationDateTime":"` + past + `"}`, 400, "past", nil},
		{"personal root", "/me/drive/root", `{"type":"view"}`, 400, "root", nil},
		{"unknown item", "/me/drive/items/NOPE", `{"type":"view"}`, 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			r := e.post(tt.item+"/createLink", tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status >= 400 {
				msg := r.json(t)["error"].(map[string]any)["message"].(string)
				if !strings.Contains(msg, tt.wantInMsg) {
					t.Errorf("message %q lacks %q", msg, tt.wantInMsg)
				}
				return
			}
			if strings.Contains(string(r.body), "s3cret") {
				t.Error("password echoed")
			}
			p := r.json(t)
			if tt.check != nil {
				tt.check(t, p)
			}
			// A new link is visible in /permissions and resolvable through /shares.
			perms := e.get(tt.item + "/permissions").json(t)["value"].([]any)
			found := false
			for _, v := range perms {
				found = found || v.(map[string]any)["id"] == p["id"]
			}
			if !found {
				t.Errorf("new permission %v not in /permissions", p["id"])
			}
			webURL := p["link"].(map[string]any)["webUrl"].(string)
			for _, tok := range []string{encodeShare(webURL), p["shareId"].(string)} {
				sr := e.get("/shares/" + tok + "/driveItem")
				if sr.status != 200 {
					t.Errorf("shares %s: %d %s", tok, sr.status, sr.body)
				}
			}
		})
	}
}

func TestCreateLinkIdempotent(t *testing.T) {
	e := newEnv(t, Options{})
	first := e.post(personalFile+"/createLink", `{"type":"view","scope":"anonymous"}`)
	second := e.post("/me/drive/items/"+e.get(personalFile).json(t)["id"].(string)+"/microsoft.graph.createLink", `{"type":"view"}`)
	if first.status != 201 || second.status != 200 {
		t.Fatalf("statuses %d, %d", first.status, second.status)
	}
	if string(first.body) != string(second.body) {
		t.Errorf("second answer differs:\n%s\n%s", first.body, second.body)
	}
	// another type, or other recipients, makes a new link
	if r := e.post(personalFile+"/createLink", `{"type":"edit"}`); r.status != 201 {
		t.Errorf("edit: %d", r.status)
	}
	a := e.post(bizFile+"/createLink", `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"}]}`)
	b := e.post(bizFile+"/createLink", `{"type":"view","scope":"users","recipients":[{"objectId":"`+DemoMeganID+`"}]}`)
	c := e.post(bizFile+"/createLink", `{"type":"view","scope":"users","recipients":[{"email":"other@fabrikam.example"}]}`)
	if a.status != 201 || b.status != 200 || c.status != 201 {
		t.Errorf("recipients: %d %d %d", a.status, b.status, c.status)
	}
	// the existing demo link is returned, not duplicated
	if r := e.post("/drives/"+DemoBusinessDriveID+"/root:/Reports/Budget%202024.xlsx:/createLink", `{"type":"edit","scope":"organization"}`); r.status != 200 ||
		r.json(t)["link"].(map[string]any)["webUrl"] != DemoSharedFileURL {
		t.Errorf("demo link: %d %s", r.status, r.body)
	}
}

func TestCreateLinkUniqueURLs(t *testing.T) {
	e := newEnv(t, Options{})
	seen := map[string]bool{}
	for _, typ := range []string{"view", "edit", "embed"} {
		for _, item := range []string{personalFile, "/me/drive/root:/Notes.txt:", "/me/drive/items/" + DemoHostileFileID} {
			r := e.post(item+"/createLink", `{"type":"`+typ+`"}`)
			if r.status != 201 {
				t.Fatalf("%s %s: %d", typ, item, r.status)
			}
			u := r.json(t)["link"].(map[string]any)["webUrl"].(string)
			if seen[u] {
				t.Errorf("duplicate webUrl %s", u)
			}
			seen[u] = true
		}
	}
}

func TestDeterministicIDs(t *testing.T) {
	mk := func() string {
		e := newEnv(t, Options{RandomSeed: 7})
		return string(e.post(personalFile+"/createLink", `{"type":"view"}`).body)
	}
	if a, b := mk(), mk(); a != b {
		t.Errorf("same seed, different links:\n%s\n%s", a, b)
	}
}

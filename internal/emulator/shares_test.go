package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

func encodeShare(u string) string { return "u!" + base64.RawURLEncoding.EncodeToString([]byte(u)) }

func TestShares(t *testing.T) {
	e := newEnv(t, Options{})
	reports := e.get("/me/drive/items/" + DemoReportsFolderID).json(t)
	bizBudget := e.get("/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx").json(t)
	padded := "u!" + base64.URLEncoding.EncodeToString([]byte(DemoSharedFolderURL))
	tests := []struct {
		name, token, wantName, wantID string
	}{
		{"folder link url", encodeShare(DemoSharedFolderURL), "Reports", DemoSharedFolderShareID},
		{"folder link padded", padded, "Reports", DemoSharedFolderShareID},
		{"file link url", encodeShare(DemoSharedFileURL), "Budget 2024.xlsx", DemoSharedFileShareID},
		{"shareId", DemoSharedFolderShareID, "Reports", DemoSharedFolderShareID},
		{"shareId escaped", url.PathEscape(DemoSharedFileShareID), "Budget 2024.xlsx", DemoSharedFileShareID},
		{"item webUrl personal", encodeShare(reports["webUrl"].(string)), "Reports", ""},
		{"item webUrl business", encodeShare(bizBudget["webUrl"].(string)), "Budget 2024.xlsx", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get("/shares/" + tt.token)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			m := r.json(t)
			if m["name"] != tt.wantName {
				t.Errorf("name %v", m["name"])
			}
			if tt.wantID != "" && m["id"] != tt.wantID {
				t.Errorf("id %v, want %s", m["id"], tt.wantID)
			}
			if m["owner"].(map[string]any)["user"].(map[string]any)["displayName"] != DemoUserDisplayName {
				t.Errorf("owner %v", m["owner"])
			}
			di := e.get("/shares/" + tt.token + "/driveItem").json(t)
			if di["name"] != tt.wantName {
				t.Errorf("driveItem name %v", di["name"])
			}
		})
	}
}

func TestShareRelationships(t *testing.T) {
	e := newEnv(t, Options{PageSize: 2})
	folder := encodeShare(DemoSharedFolderURL)
	file := encodeShare(DemoSharedFileURL)

	exp := e.get("/shares/" + folder + "/driveItem?$expand=children").json(t)
	kids := exp["children"].([]any)
	if len(kids) != 2 || exp["children@odata.nextLink"] == nil {
		t.Fatalf("expanded children: %d, next %v", len(kids), exp["children@odata.nextLink"])
	}
	rest, _ := e.collect(exp["children@odata.nextLink"].(string))
	if len(kids)+len(rest) != 5 {
		t.Errorf("expand + next = %d children, want 5", len(kids)+len(rest))
	}
	ids, pages := e.collect(e.base + "/shares/" + folder + "/driveItem/children")
	if len(ids) != 5 || pages != 3 {
		t.Errorf("children: %d in %d pages", len(ids), pages)
	}
	if m := e.get("/shares/" + folder + "/root").json(t); m["id"] != DemoReportsFolderID {
		t.Errorf("root: %v", m["id"])
	}
	if ids, _ := e.collect(e.base + "/shares/" + folder + "/root/children"); len(ids) != 5 {
		t.Errorf("root/children: %d", len(ids))
	}
	if m := e.get("/shares/" + folder + "/items/" + DemoHostileFileID).json(t); m["name"] != "Q3 #1 100%.xlsx" {
		t.Errorf("items/{id}: %v", m["name"])
	}
	if r := e.get("/shares/" + folder + "/items/" + DemoPersonalDriveID + "!101"); r.status != 404 {
		t.Errorf("item outside share: %d", r.status)
	}
	if p := e.get("/shares/" + file + "/permission").json(t); p["shareId"] != DemoSharedFileShareID {
		t.Errorf("permission: %v", p)
	}
	for _, rel := range []string{"root", "items/x"} {
		if r := e.get("/shares/" + file + "/" + rel); r.status != 400 || r.errCode(t) != "invalidRequest" {
			t.Errorf("business %s: %d %s", rel, r.status, r.body)
		}
	}
}

func TestShareErrors(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, token string
		status      int
		code        string
	}{
		{"bad base64", "u!***", 400, "invalidRequest"},
		{"not a url", "u!" + base64.RawURLEncoding.EncodeToString([]byte("not a url")), 400, "invalidRequest"},
		{"unknown url", encodeShare("https://1drv.ms/f/s!unknown"), 404, "itemNotFound"},
		{"unknown share id", "s!nope", 404, "itemNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get("/shares/" + tt.token)
			if r.status != tt.status || r.errCode(t) != tt.code {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
}

func TestSharePrefer(t *testing.T) {
	e := newEnv(t, Options{})
	for _, pref := range []string{"redeemSharingLink", "redeemSharingLinkIfNecessary"} {
		r := e.get("/shares/"+encodeShare(DemoSharedFolderURL), "Prefer", pref)
		if r.header.Get("Preference-Applied") != pref {
			t.Errorf("Preference-Applied %q for %q", r.header.Get("Preference-Applied"), pref)
		}
	}
	if r := e.get("/shares/" + encodeShare(DemoSharedFolderURL)); r.header.Get("Preference-Applied") != "" {
		t.Error("Preference-Applied without Prefer")
	}
	last := e.srv.Requests()
	if got := last[len(last)-2].Header.Get("Prefer"); got != "redeemSharingLinkIfNecessary" {
		t.Errorf("recorded Prefer %q", got)
	}
}

func TestShareAudience(t *testing.T) {
	e := newEnv(t, Options{Authenticate: func(_ *http.Request, bearer string) (string, error) { return bearer, nil }})
	p := e.post(bizFile+"/createLink", `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"}]}`)
	if p.status != 201 {
		t.Fatalf("%d %s", p.status, p.body)
	}
	tok := p.json(t)["shareId"].(string)
	for who, want := range map[string]int{DemoMeganPrincipal: 200, DemoUserPrincipal: 200, "stranger@fabrikam.example": 403} {
		if r := e.get("/shares/"+tok, "Authorization", "Bearer "+who); r.status != want {
			t.Errorf("%s: %d, want %d", who, r.status, want)
		}
	}
	if r := e.get("/shares/"+encodeShare(DemoSharedFileURL), "Authorization", "Bearer stranger@fabrikam.example"); r.status != 403 {
		t.Errorf("organization link for stranger: %d", r.status)
	}
	if r := e.get("/shares/"+encodeShare(DemoSharedFolderURL), "Authorization", "Bearer stranger@fabrikam.example"); r.status != 200 {
		t.Errorf("anonymous link for stranger: %d", r.status)
	}
}

package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/odshare/odshare/internal/testutil"
)

// openExtras are members Graph sends on open types that the metadata doesn't list: identity is
// an open type and real responses carry "email" on user identities [PR samples]; identitySet is
// open too and a group drive's owner is {"group": ...} as in the drive-get samples; children is
// driveItem's navigation property, inlined by $expand [SG].
var openExtras = map[string][]string{
	"identitySet":        {"group"},
	"identity":           {"email"},
	"sharePointIdentity": {"email"},
	"driveItem":          {"children"},
}

// metaSchemas compiles Microsoft's JSON Schema twice: as published, and strict, where every type
// rejects members the metadata doesn't name (annotations containing '@' excepted). The published
// schema allows additional properties, so only the strict one catches a misspelt property.
func metaSchemas(t *testing.T) (loose, strict func(def string) *jsonschema.Schema) {
	raw, err := os.ReadFile(testutil.Testdata(t, "graph-metadata", "sharing-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(tighten bool) func(string) *jsonschema.Schema {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if tighten {
			for name, d := range doc.(map[string]any)["$defs"].(map[string]any) {
				def := d.(map[string]any)
				props, ok := def["properties"].(map[string]any)
				if !ok || def["type"] != "object" {
					continue
				}
				for _, extra := range openExtras[name] {
					if _, ok := props[extra]; !ok {
						props[extra] = true
					}
				}
				def["additionalProperties"] = false
				def["patternProperties"] = map[string]any{"@": true}
			}
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("sharing-schema.json", doc); err != nil {
			t.Fatal(err)
		}
		cache := map[string]*jsonschema.Schema{}
		return func(def string) *jsonschema.Schema {
			if s, ok := cache[def]; ok {
				return s
			}
			s, err := c.Compile("sharing-schema.json#/$defs/" + def)
			if err != nil {
				t.Fatalf("compile %s: %v", def, err)
			}
			cache[def] = s
			return s
		}
	}
	return mk(false), mk(true)
}

func validateAs(t *testing.T, loose, strict func(string) *jsonschema.Schema, def string, body []byte, what string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, sc := range []*jsonschema.Schema{loose(def), strict(def)} {
		if err := sc.Validate(v); err != nil {
			t.Errorf("%s is not a valid %s: %v\n%s", what, def, err, body)
		}
	}
}

func TestSchemaCatchesWrongNames(t *testing.T) {
	loose, strict := metaSchemas(t)
	bad := []struct{ def, body string }{
		{"permission", `{"roles":"read"}`},
		{"permission", `{"id":"1","roles":["read"],"sharedId":"s!x"}`},
		{"permission", `{"id":"1","link":{"type":"view","webURL":"https://x"}}`},
		{"driveItem", `{"id":"1","size":"12"}`},
		{"driveItem", `{"id":"1","parentReference":{"driveID":"d"}}`},
		{"createLinkRequest", `{"type":"view","scopes":"anonymous"}`},
		{"createLinkRequest", `{"type":"view","expirationDateTime":"tomorrow"}`},
	}
	for _, b := range bad {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(b.body))
		if strict(b.def).Validate(v) == nil {
			t.Errorf("strict %s accepted %s", b.def, b.body)
		}
	}
	// The published schema itself is open: it rejects wrong types and request members only.
	for _, b := range bad[:1] {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(b.body))
		if loose(b.def).Validate(v) == nil {
			t.Errorf("%s accepted %s", b.def, b.body)
		}
	}
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"type":"view","scopes":"anonymous"}`))
	if loose("createLinkRequest").Validate(v) == nil {
		t.Error("createLinkRequest accepted an unknown member")
	}
}

func TestConformanceJSONSchema(t *testing.T) {
	loose, strict := metaSchemas(t)
	e := newEnv(t, Options{PageSize: 3})
	check := func(def, method, path, body string, wantStatus int) []byte {
		t.Helper()
		if body != "" {
			validateAs(t, loose, strict, "createLinkRequest", []byte(body), "request "+body)
		}
		r := e.do(method, path, body)
		if r.status != wantStatus {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		if def != "" {
			validateAs(t, loose, strict, def, r.body, method+" "+path)
		}
		return r.body
	}
	future := "2099-01-01T00:00:00Z"
	for _, c := range []struct{ item, body string }{
		{personalFile, `{"type":"view"}`},
		{personalFile, `{"type":"embed"}`},
		{personalFile, `{"type":"edit","scope":"anonymous","password":"pw","expirationDateTime":"` + future + `"}`},
		{bizFile, `{"type":"blocksDownload","scope":"organization"}`},
		{bizFile, `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example","alias":"X"}],"sendNotification":false,"message":"hi","retainInheritedPermissions":true}`},
		{bizFolder, `{"type":"createOnly","scope":"anonymous"}`},
	} {
		check("permission", "POST", c.item+"/createLink", c.body, 201)
		check("permission", "POST", c.item+"/createLink", c.body, 200)
	}
	for _, p := range []string{"/me/drive/root", personalFile, "/me/drive/items/" + DemoArchiveFolderID + "?$expand=children", bizFolder,
		"/shares/" + encodeShare(DemoSharedFolderURL) + "/driveItem?$expand=children", "/shares/" + DemoSharedFileShareID + "/driveItem",
		"/shares/" + DemoSharedFolderShareID + "/root", "/shares/" + DemoSharedFolderShareID + "/items/" + DemoHostileFileID} {
		check("driveItem", "GET", p, "", 200)
	}
	for _, p := range []string{"/me/drive", "/drives/" + DemoBusinessDriveID, "/groups/" + DemoGroupID + "/drive", "/sites/" + DemoSiteID + "/drive"} {
		check("drive", "GET", p, "", 200)
	}
	for _, p := range []string{"/sites/" + DemoSiteID, "/sites/contoso.sharepoint.com:/sites/Engineering"} {
		check("site", "GET", p, "", 200)
	}
	for _, tok := range []string{encodeShare(DemoSharedFolderURL), DemoSharedFileShareID, encodeShare(e.get(bizFolder).json(t)["webUrl"].(string))} {
		check("sharedDriveItem", "GET", "/shares/"+tok, "", 200)
	}
	check("permission", "GET", "/shares/"+DemoSharedFileShareID+"/permission", "", 200)
	// PATCH: the body is a partial permission, the answer the updated permission [PU].
	reports := "/me/drive/items/" + DemoReportsFolderID + "/permissions/"
	for _, c := range []struct{ id, body string }{
		{DemoUserPermissionID, `{"roles":["read"]}`},
		{DemoInvitationPermissionID, `{"roles":["write"]}`},
		{DemoSharedFolderLinkID, `{"expirationDateTime":"` + future + `"}`},
	} {
		validateAs(t, loose, strict, "permission", []byte(c.body), "PATCH body "+c.body)
		r := e.do("PATCH", reports+c.id, c.body)
		if r.status != 200 {
			t.Fatalf("PATCH %s: %d %s", c.id, r.status, r.body)
		}
		validateAs(t, loose, strict, "permission", r.body, "PATCH "+c.id)
		check("permission", "GET", reports+c.id, "", 200)
	}
	for _, c := range []struct{ def, path, body string }{
		{"inviteRequest_driveItem", bizFile + "/invite", `{"recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example"}],"roles":["write"],"requireSignIn":true,"sendInvitation":true,"message":"m","expirationDateTime":"2099-01-01T00:00:00Z"}`},
		{"inviteRequest_driveItem", personalFile + "/invite", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["read"],"password":"pw"}`},
		{"grantRequest_permission", "/shares/" + DemoSharedFileShareID + "/permission/grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["write"]}`},
	} {
		validateAs(t, loose, strict, c.def, []byte(c.body), "request "+c.body)
		r := e.post(c.path, c.body)
		if r.status != 200 {
			t.Fatalf("POST %s: %d %s", c.path, r.status, r.body)
		}
		for _, v := range r.json(t)["value"].([]any) {
			b, _ := json.Marshal(v)
			validateAs(t, loose, strict, "permission", b, "POST "+c.path)
		}
	}
	// revokeGrants is not in the metadata subset; its answer is a permission (permission-revokegrants).
	bizReports := "/drives/" + DemoBusinessDriveID + "/root:/Reports:"
	usersLink := e.post(bizReports+"/createLink", `{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example"}]}`).json(t)["id"].(string)
	if r := e.post(bizReports+"/permissions/"+usersLink+"/revokeGrants", `{"grantees":[{"email":"x@fabrikam.example"}]}`); r.status != 200 {
		t.Fatalf("revokeGrants: %d %s", r.status, r.body)
	} else {
		validateAs(t, loose, strict, "permission", r.body, "POST revokeGrants")
	}
	collections := map[string]string{
		"/me/drive/root:/Reports:/children":                                                                    "driveItem",
		"/shares/" + encodeShare(DemoSharedFolderURL) + "/driveItem/children":                                  "driveItem",
		"/me/drive/root:/Reports/Summary.pdf:/permissions":                                                     "permission",
		"/me/drive/root:/Reports:/permissions":                                                                 "permission",
		"/drives/" + DemoBusinessDriveID + "/root:/Reports/Budget%202024.xlsx:/permissions":                    "permission",
		bizFile + "/permissions":                                                                               "permission",
		"/me/drive/root/delta":                                                                                 "driveItem",
		"/drives/" + DemoBusinessDriveID + "/root/delta?$top=999":                                              "driveItem",
		"/me/drive/items/" + DemoReportsFolderID + "/delta?$select=id,name,shared,file,folder,parentReference": "driveItem",
		"/me/drive/root/children?$select=id,name,size":                                                         "driveItem",
		bizFile + "/permissions?$select=id,roles,link":                                                         "permission",
	}
	for p, def := range collections {
		var coll struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(check("", "GET", p, "", 200), &coll); err != nil || len(coll.Value) == 0 {
			t.Fatalf("%s: %v", p, err)
		}
		for i, v := range coll.Value {
			validateAs(t, loose, strict, def, v, p+" value["+string(rune('0'+i))+"]")
		}
	}
}

// relaxOpenTypes undoes a convention of Microsoft's generated OpenAPI: every component schema
// says "additionalProperties: {type: object}" to mean "open type". Taken literally under allOf,
// it rejects every member the base type (entity) doesn't list, e.g. permission.roles, so no real
// Graph answer would validate. The named components become open; the createLink request body is
// inline and keeps its rule, so unknown members there must still be objects.
func relaxOpenTypes(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil && ap.Value.Type.Is("object") && len(ap.Value.Properties) == 0 {
		s.AdditionalProperties = openapi3.AdditionalProperties{}
	}
	for _, sub := range append(append(append(openapi3.SchemaRefs{}, s.AllOf...), s.AnyOf...), s.OneOf...) {
		relaxOpenTypes(sub, seen)
	}
	for _, p := range s.Properties {
		relaxOpenTypes(p, seen)
	}
	relaxOpenTypes(s.Items, seen)
}

// TestConformanceOpenAPI validates createLink, item, children, permissions and shares requests and
// responses against Microsoft's published OpenAPI description, routed by path.
func TestConformanceOpenAPI(t *testing.T) {
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(testutil.Testdata(t, "graph-openapi", "openapi-sharing.yaml"))
	if err != nil {
		t.Fatalf("openapi-sharing.yaml: %v", err)
	}
	for _, ref := range doc.Components.Schemas {
		relaxOpenTypes(ref, map[*openapi3.Schema]bool{})
	}
	e := newEnv(t, Options{PageSize: 3})
	doc.Servers = openapi3.Servers{{URL: e.base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	reportsID := DemoReportsFolderID
	bizItemID := e.get(bizFile).json(t)["id"].(string)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}

	validate := func(method, path, body string, wantStatus int) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, e.base+path, rd)
		req.Header.Set("Authorization", "Bearer x")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: no route in the OpenAPI: %v", method, path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s: request invalid: %v", method, path, err)
		}
		if body != "" {
			req.Body = io.NopCloser(strings.NewReader(body))
		}
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != wantStatus {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, wantStatus, rb)
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
			Header: res.Header, Body: io.NopCloser(bytes.NewReader(rb)), Options: opts}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s %s: response invalid: %v\n%s", method, path, err, rb)
		}
	}
	pd, bd := "/drives/"+DemoPersonalDriveID, "/drives/"+DemoBusinessDriveID
	validate("POST", pd+"/items/"+DemoHostileFileID+"/microsoft.graph.createLink", `{"type":"view","scope":"anonymous"}`, 201)
	validate("POST", pd+"/items/"+DemoHostileFileID+"/microsoft.graph.createLink", `{"type":"view","scope":"anonymous"}`, 200)
	validate("POST", pd+"/items/"+DemoHostileFileID+"/microsoft.graph.createLink", `{"type":"embed","expirationDateTime":"2099-01-01T00:00:00Z","password":"p"}`, 201)
	validate("POST", bd+"/items/"+bizItemID+"/microsoft.graph.createLink",
		`{"type":"view","scope":"users","recipients":[{"email":"megan@contoso.example"}],"sendNotification":true,"retainInheritedPermissions":false,"message":"m"}`, 201)
	validate("POST", bd+"/items/"+bizItemID+"/microsoft.graph.createLink", `{"type":"bogus"}`, 400)
	validate("GET", pd+"/items/"+reportsID, "", 200)
	validate("GET", pd+"/items/"+reportsID+"/children", "", 200)
	validate("GET", pd+"/items/"+reportsID+"/children?$top=2", "", 200)
	validate("GET", pd+"/items/"+DemoHostileFileID+"/permissions", "", 200)
	validate("GET", bd+"/items/"+bizItemID+"/permissions", "", 200)
	validate("GET", pd+"/items/"+reportsID+"/permissions", "", 200)
	validate("GET", pd+"/items/"+reportsID+"/permissions/"+DemoInvitationPermissionID, "", 200)
	validate("PATCH", pd+"/items/"+reportsID+"/permissions/"+DemoUserPermissionID, `{"roles":["read"]}`, 200)
	validate("PATCH", pd+"/items/"+reportsID+"/permissions/"+DemoSharedFolderLinkID, `{"expirationDateTime":"2099-01-01T00:00:00Z"}`, 200)
	validate("GET", pd+"/items/NOPE", "", 404)
	validate("GET", "/shares/"+encodeShare(DemoSharedFolderURL), "", 200)
	validate("GET", "/shares/"+encodeShare(DemoSharedFolderURL)+"/driveItem", "", 200)
	validate("GET", "/shares/"+DemoSharedFolderShareID+"/root", "", 200)
	validate("GET", "/shares/"+DemoSharedFolderShareID+"/items/"+DemoHostileFileID, "", 200)
	validate("GET", "/shares/"+DemoSharedFileShareID+"/permission", "", 200)
	validate("GET", "/shares/"+encodeShare("https://1drv.ms/u/s!nope"), "", 404)
	// invite and grant: request bodies and {"value":[permission]} answers, 207 included.
	validate("POST", bd+"/items/"+bizItemID+"/microsoft.graph.invite",
		`{"recipients":[{"email":"megan@contoso.example"},{"email":"x@fabrikam.example"}],"roles":["write"],"requireSignIn":true,"sendInvitation":false,"message":"m","expirationDateTime":"2099-01-01T00:00:00Z","retainInheritedPermissions":true}`, 200)
	validate("POST", bd+"/items/"+bizItemID+"/microsoft.graph.invite",
		`{"recipients":[{"email":"`+DemoUnreachableEmail+`"}],"roles":["read"],"sendInvitation":true}`, 207)
	validate("POST", pd+"/items/"+DemoHostileFileID+"/microsoft.graph.invite",
		`{"recipients":[{"alias":"Guest","email":"g@fabrikam.example"}],"roles":["read"],"password":"p"}`, 200)
	validate("POST", "/shares/"+DemoSharedFileShareID+"/permission/microsoft.graph.grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["write"]}`, 200)
	validate("POST", pd+"/items/"+reportsID+"/permissions/"+DemoSharedFolderLinkID+"/microsoft.graph.grant", `{"recipients":[{"email":"x@fabrikam.example"}],"roles":["read"]}`, 200)

	// The validator is not a rubber stamp: a wrongly typed parameter or member fails.
	for _, body := range []string{`{"type":5}`, `{"type":"view","recipients":"megan"}`, `{"type":"view","extra":"x"}`} {
		req, _ := http.NewRequest("POST", e.base+pd+"/items/x/microsoft.graph.createLink", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		route, params, _ := router.FindRoute(req)
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if openapi3filter.ValidateRequest(ctx, in) == nil {
			t.Errorf("OpenAPI accepted createLink body %s", body)
		}
	}
	var _ routers.Router = router
}

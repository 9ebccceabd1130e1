package box

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/odshare/odshare/internal/emulator/kit"
	"github.com/odshare/odshare/internal/testutil"
)

// Box's published OpenAPI description (testdata/box-openapi, see its README for provenance) is
// checked against the stand-in by route, as conformance_test.go in package emulator does for
// Graph: every request below is matched to the operation it is (boxSpec.routes), then kin-openapi
// validates the request and the answer, and undeclared reports any member of the answer that
// the schema doesn't name (Box's schemas are open, so without it a renamed optional member would
// pass).

// boxSpec is Box's OpenAPI subset with the relaxations of relaxBoxSpec applied.
type boxSpec struct{ doc *openapi3.T }

func loadBoxSpec(t testing.TB) *boxSpec {
	t.Helper()
	// The authorize page is text/html, a string to the spec [OA get_authorize].
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	doc, err := openapi3.NewLoader().LoadFromFile(testutil.Testdata(t, "box-openapi", "openapi-shared-links.json"))
	if err != nil {
		t.Fatalf("openapi-shared-links.json: %v", err)
	}
	relaxBoxSpec(t, doc)
	// Box's own examples break its schema ("accessed"), so examples are not validated.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		t.Fatalf("openapi-shared-links.json: %v", err)
	}
	return &boxSpec{doc: doc}
}

// property finds the schema of member name in s or in what s is allOf.
func property(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	if p := s.Properties[name]; p != nil {
		return p
	}
	for _, sub := range s.AllOf {
		if p := property(sub.Value, name); p != nil {
			return p
		}
	}
	return nil
}

// relaxBoxSpec corrects what Box's published OpenAPI gets wrong about Box, each time for one
// member or one value, following Box's guides and documented behaviour. Each correction first
// checks that the file still says what is corrected, so a new copy of the file is reviewed
// rather than silently over-relaxed.
func relaxBoxSpec(t testing.TB, doc *openapi3.T) {
	t.Helper()
	must := func(ok bool, what string) {
		t.Helper()
		if !ok {
			t.Fatalf("box-openapi no longer says that %s: review relaxBoxSpec", what)
		}
	}
	comp := func(name string) *openapi3.Schema {
		t.Helper()
		ref := doc.Components.Schemas[name]
		must(ref != nil && ref.Value != nil, "there is a schema "+name)
		return ref.Value
	}
	op := func(path, method string) *openapi3.Operation {
		t.Helper()
		pi := doc.Paths.Value(path)
		must(pi != nil && pi.GetOperation(method) != nil, "there is "+method+" "+path)
		return pi.GetOperation(method)
	}
	requestBodyMember := func(o *openapi3.Operation, name string) *openapi3.SchemaRef {
		t.Helper()
		mt := o.RequestBody.Value.Content.Get("application/json")
		must(mt != nil, "a shared-link request body is JSON")
		m := property(mt.Schema.Value, name)
		must(m != nil, "a shared-link request body has "+name)
		return m
	}
	requestLink := func(o *openapi3.Operation) *openapi3.Schema {
		t.Helper()
		sl := requestBodyMember(o, "shared_link")
		if len(sl.Value.AllOf) > 0 { // PUT /files/{file_id} writes it as allOf [object, {}]
			return sl.Value.AllOf[0].Value
		}
		return sl.Value
	}

	for _, name := range []string{"File", "Folder", "WebLink"} {
		sl := property(comp(name), "shared_link")
		must(sl != nil && len(sl.Value.AllOf) > 0, name+" has shared_link")
		obj := sl.Value.AllOf[0].Value
		// The shared link object's required list names "accessed", which is no property of it
		// and no member of any answer of Box's (not in the object's own examples, nor in the
		// guides' [G-SL]); every other required member stays required.
		i := slices.Index(obj.Required, "accessed")
		must(i >= 0 && obj.Properties["accessed"] == nil, name+".shared_link requires the undeclared member accessed")
		obj.Required = slices.Delete(slices.Clone(obj.Required), i, i+1)
		// shared_link is null on an item without a link [OA #remove_shared_link: "By setting this
		// value to null"; G-SL find-for-item]. Folder says so with nullable on the member; File
		// and WebLink say it with a sibling {nullable: true} inside allOf, which OpenAPI 3.0
		// (and kin-openapi) read as nothing. Only this member is made nullable.
		if name != "Folder" {
			last := sl.Value.AllOf[len(sl.Value.AllOf)-1].Value
			must(!sl.Value.Nullable && last.Nullable && last.Type == nil && len(last.Properties) == 0,
				name+".shared_link is nullable through a sibling {nullable: true}")
			sl.Value.Nullable = true
		}
	}

	// The root folder ("All Files", id 0) has no etag and no sequence_id: both null, as in
	// Box's own folder examples ({"type":"folder","id":"0","sequence_id":null,"etag":null,
	// "name":"All Files"} in path_collection). Folder--Base already lets etag be null; the mini
	// folder's sequence_id adds {nullable: false}. It becomes nullable for folders (the schema
	// can't single out id 0); files' and web links' stay as published.
	seq := property(comp("Folder--Mini"), "sequence_id")
	must(seq != nil && len(seq.Value.AllOf) == 2 && seq.Value.AllOf[0].Value.Nullable && !seq.Value.AllOf[1].Value.Nullable,
		"Folder--Mini.sequence_id is allOf [nullable string, {nullable: false}]")
	seq.Value = &openapi3.Schema{Type: &openapi3.Types{"string"}, Nullable: true}

	kinds := map[string]string{"/files/{file_id}": "", "/folders/{folder_id}": "", "/web_links/{web_link_id}": ""}
	for path := range kinds {
		for _, frag := range []string{"", "#add_shared_link", "#update_shared_link"} {
			sl := requestLink(op(path+frag, http.MethodPut))
			// unshared_at: null removes a link's expiry (box/boxcli#222 sends
			// {"shared_link":{"unshared_at":null}} to Box and it works; odshare's `link update`
			// relies on it), but the request schemas type it as a non-null date-time.
			ua := sl.Properties["unshared_at"]
			must(ua != nil && !ua.Value.Nullable, path+frag+" types shared_link.unshared_at as a non-null string")
			ua.Value.Nullable = true
		}
	}
	// {"shared_link": null} removes a link [OA every #remove_shared_link; G-SL remove.md], and
	// PUT /files/{file_id} lets shared_link be null; the plain PUT of folders and web links
	// leaves nullable out. That is the request Box's SDKs send for #remove_shared_link (their
	// URL's fragment swallows fields=shared_link), so it is the one the stand-in sees.
	must(requestBodyMember(op("/files/{file_id}", http.MethodPut), "shared_link").Value.Nullable, "PUT /files/{file_id}'s shared_link is nullable")
	for _, path := range []string{"/folders/{folder_id}", "/web_links/{web_link_id}"} {
		sl := requestBodyMember(op(path, http.MethodPut), "shared_link")
		must(!sl.Value.Nullable, "PUT "+path+"'s shared_link is not nullable")
		sl.Value.Nullable = true
	}
	// A folder link's password is removed with null, as a file's and a web link's [OA: their
	// #update_shared_link and every #add_shared_link say "nullable"; G-SL]; only the folder's
	// #update_shared_link leaves nullable out.
	pw := requestLink(op("/folders/{folder_id}#update_shared_link", http.MethodPut)).Properties["password"]
	must(pw != nil && !pw.Value.Nullable, "PUT /folders/{folder_id}#update_shared_link's password is not nullable")
	must(requestLink(op("/folders/{folder_id}#add_shared_link", http.MethodPut)).Properties["password"].Value.Nullable,
		"PUT /folders/{folder_id}#add_shared_link's password is nullable")
	pw.Value.Nullable = true

	// ClientError.code lists HTTP-ish names only; Box's "Common errors" guide [G-API
	// common-errors] documents the codes it answers with, and the stand-in uses these six (each
	// added by name, so any other code still fails):
	ce := comp("ClientError").Properties["code"].Value
	for _, code := range []string{
		"access_denied_insufficient_permissions", // 403: the caller may not do this to the item
		"incorrect_shared_item_password",         // 403: a BoxApi password missing or wrong
		"rate_limit_exceeded",                    // 429 with retry-after [G-API rate-limits]
		"invalid_limit",                          // 400: limit not a number
		"invalid_offset",                         // 400: offset not a number
		"operation_blocked_temporary",            // 409: another operation on the item is under way
	} {
		must(!slices.Contains(ce.Enum, any(code)), "ClientError.code has no "+code)
		ce.Enum = append(ce.Enum, code)
	}

	// The revoke request "requires" grant_type, which is not one of its properties, and Box's
	// guide to revoking tokens [G-AUTH tokens/revoke] sends client_id, client_secret and token
	// only (so do Box's SDKs).
	rv := comp("PostOAuth2Revoke")
	must(slices.Equal(rv.Required, []string{"grant_type"}) && rv.Properties["grant_type"] == nil,
		"PostOAuth2Revoke requires the undeclared grant_type")
	rv.Required = nil

	// A free account's user belongs to no enterprise: enterprise is null, as the spec's own
	// PUT /users/{user_id} says ("Set this to null to roll the user out of the enterprise and
	// make them a free user", openapi.json at the same commit) and as clients tell personal
	// from enterprise accounts (box/box-ios-sdk#26); User (Full) leaves nullable out.
	ent := property(comp("User--Full"), "enterprise")
	must(ent != nil && !ent.Value.Nullable, "User--Full.enterprise is not nullable")
	ent.Value.Nullable = true

	// Folder entries in Items are Folder--Mini; with fields= Box answers "the fields requested"
	// [OA get_folders_id_items fields: "Additionally this field can be used to query any
	// metadata ..." and the fields parameter of every item], e.g. size or shared_link, which
	// the mini folder doesn't name. Folder--Full (which is Folder--Mini and more) takes its
	// place in that oneOf; files already are File--Full there.
	item := comp("Item")
	must(len(item.OneOf) == 3 && item.OneOf[1].Ref == "#/components/schemas/Folder--Mini", "Item is oneOf [File--Full, Folder--Mini, WebLink]")
	item.OneOf[1] = doc.Components.Schemas["Folder--Full"]
}

// apiPath maps a path the stand-in serves to the spec's: /2.0/x is x (the server is
// https://api.box.com/2.0), /oauth2/* stays (their server is https://api.box.com), and the
// authorize page is /authorize (https://account.box.com/api/oauth2).
func apiPath(p string) (string, bool) {
	switch {
	case strings.HasPrefix(p, apiPrefix+"/"):
		return strings.TrimPrefix(p, apiPrefix), true
	case p == tokenPath || p == revokePath:
		return p, true
	case p == authorizePath:
		return "/authorize", true
	}
	return "", false
}

// matchTemplate matches escaped path segments against a path template; it returns the path
// parameters (decoded).
func matchTemplate(tmpl, path string) (map[string]string, bool) {
	ts, ps := strings.Split(strings.Trim(tmpl, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range ts {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			v, err := url.PathUnescape(ps[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[seg[1:len(seg)-1]] = v
			continue
		}
		if seg != ps[i] {
			return nil, false
		}
	}
	return params, true
}

// routes finds the operations a request is. Box writes several operations on one path as
// fragments that are never sent (/files/{file_id}#add_shared_link, /shared_items#folders, ...),
// so the fragment is chosen from what is sent:
//   - items (/files, /folders, /web_links by id): the #…_shared_link operations are those whose
//     fields asks for shared_link (it is required there); then GET is #get_shared_link, a PUT
//     of {"shared_link": null} is #remove_shared_link, and a PUT of a shared_link object is both
//     #add_shared_link and #update_shared_link (Box has one create-or-update operation [G-SL],
//     so the body must pass both). Without fields=shared_link, the plain GET or PUT.
//   - /shared_items: by the type of item answered (the request can't tell): file is the plain
//     operation, folder #folders, web_link #web_links.
//   - /oauth2/token: grant_type=refresh_token is #refresh.
//
// A PUT whose body has no shared_link is the plain PUT, whatever fields says.
func (sp *boxSpec) routes(method string, u *url.URL, body, answer []byte) ([]*routers.Route, map[string]string, error) {
	p, ok := apiPath(u.EscapedPath())
	if !ok {
		return nil, nil, fmt.Errorf("%s is not a path of Box's", u.EscapedPath())
	}
	var base string
	var params map[string]string
	for _, key := range sp.doc.Paths.InMatchingOrder() {
		if strings.Contains(key, "#") {
			continue
		}
		if pp, ok := matchTemplate(key, p); ok {
			base, params = key, pp
			break
		}
	}
	if base == "" {
		return nil, nil, fmt.Errorf("no path of Box's OpenAPI matches %s", p)
	}
	frags := []string{""}
	fields := strings.Split(u.Query().Get("fields"), ",")
	switch {
	case strings.HasPrefix(base, "/files/{") || strings.HasPrefix(base, "/folders/{") || strings.HasPrefix(base, "/web_links/{"):
		if strings.Count(base, "/") != 2 || !slices.Contains(fields, "shared_link") {
			break
		}
		if method == http.MethodGet {
			frags = []string{"#get_shared_link"}
			break
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) != nil {
			break
		}
		if sl, ok := m["shared_link"]; ok {
			if string(bytes.TrimSpace(sl)) == "null" {
				frags = []string{"#remove_shared_link"}
			} else {
				frags = []string{"#add_shared_link", "#update_shared_link"}
			}
		}
	case base == "/shared_items":
		var m struct{ Type string }
		_ = json.Unmarshal(answer, &m)
		switch m.Type {
		case TypeFolder:
			frags = []string{"#folders"}
		case TypeWebLink:
			frags = []string{"#web_links"}
		}
	case base == "/oauth2/token":
		if f, err := url.ParseQuery(string(body)); err == nil && f.Get("grant_type") == "refresh_token" {
			frags = []string{"#refresh"}
		}
	}
	var out []*routers.Route
	for _, fr := range frags {
		pi := sp.doc.Paths.Value(base + fr)
		if pi == nil || pi.GetOperation(method) == nil {
			return nil, nil, fmt.Errorf("Box's OpenAPI has no %s %s%s", method, base, fr)
		}
		out = append(out, &routers.Route{Spec: sp.doc, Path: base + fr, PathItem: pi, Method: method, Operation: pi.GetOperation(method)})
	}
	return out, params, nil
}

// conform validates one exchange: the request against each operation it is (unless
// badRequest, when the request must break the spec: the point is then the stand-in's answer to
// it), and the answer, with kin-openapi and strictly with undeclared. It returns the names of
// the operations.
func (sp *boxSpec) conform(req *http.Request, body []byte, status int, header http.Header, answer []byte, badRequest bool) ([]string, error) {
	rts, params, err := sp.routes(req.Method, req.URL, body, answer)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	var errs []string
	var names []string
	for _, rt := range rts {
		names = append(names, rt.Method+" "+rt.Path)
		vr := httptest.NewRequest(req.Method, req.URL.String(), bytes.NewReader(body))
		vr.Header = req.Header.Clone()
		in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: rt, Options: opts}
		rerr := openapi3filter.ValidateRequest(ctx, in)
		switch {
		case rerr != nil && !badRequest:
			errs = append(errs, fmt.Sprintf("request invalid for %s %s: %v", rt.Method, rt.Path, short(rerr)))
		case rerr == nil && badRequest:
			errs = append(errs, fmt.Sprintf("request meant to break %s %s passes it", rt.Method, rt.Path))
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
			Body: io.NopCloser(bytes.NewReader(answer)), Options: opts}
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			errs = append(errs, fmt.Sprintf("answer %d invalid for %s %s: %v", status, rt.Method, rt.Path, short(err)))
			continue
		}
		if s := responseSchema(rt.Operation, status); s != nil && len(answer) > 0 {
			var v any
			if err := json.Unmarshal(answer, &v); err != nil {
				errs = append(errs, fmt.Sprintf("answer %d to %s %s is not JSON: %v", status, rt.Method, rt.Path, err))
				continue
			}
			var extra []string
			undeclared(s, v, "", &extra)
			if len(extra) > 0 {
				errs = append(errs, fmt.Sprintf("answer %d to %s %s has members the schema doesn't declare: %s",
					status, rt.Method, rt.Path, strings.Join(extra, ", ")))
			}
		}
	}
	if len(errs) > 0 {
		return names, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return names, nil
}

// short keeps the first line of a kin-openapi error (the rest repeats the schema).
func short(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\nSchema:")
	return s
}

func responseSchema(op *openapi3.Operation, status int) *openapi3.Schema {
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
	}
	if r == nil || r.Value == nil {
		return nil
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// undeclared appends to out the JSON paths of the members of v that schema s doesn't declare,
// at any depth: properties of s, of what it is allOf, and of those of its oneOf/anyOf branches
// that v matches; a schema with additionalProperties takes anything.
func undeclared(s *openapi3.Schema, v any, at string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		props := map[string][]*openapi3.Schema{}
		open := false
		declared(s, x, props, &open)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := props[k]
			if !ok {
				if !open {
					*out = append(*out, at+"."+k)
				}
				continue
			}
			for _, p := range ps {
				undeclared(p, x[k], at+"."+k, out)
			}
		}
	case []any:
		var items []*openapi3.Schema
		arrayItems(s, &items)
		for i, e := range x {
			for _, it := range items {
				undeclared(it, e, fmt.Sprintf("%s[%d]", at, i), out)
			}
		}
	}
}

func declared(s *openapi3.Schema, v map[string]any, props map[string][]*openapi3.Schema, open *bool) {
	if s == nil {
		return
	}
	for k, p := range s.Properties {
		props[k] = append(props[k], p.Value)
	}
	if (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) || s.AdditionalProperties.Schema != nil {
		*open = true
	}
	for _, sub := range s.AllOf {
		declared(sub.Value, v, props, open)
	}
	for _, sub := range append(slices.Clone(s.OneOf), s.AnyOf...) {
		if sub.Value.VisitJSON(v) == nil {
			declared(sub.Value, v, props, open)
		}
	}
}

func arrayItems(s *openapi3.Schema, out *[]*openapi3.Schema) {
	if s == nil {
		return
	}
	if s.Items != nil {
		*out = append(*out, s.Items.Value)
	}
	for _, sub := range s.AllOf {
		arrayItems(sub.Value, out)
	}
}

// confEnv sends requests to the stand-in and checks each exchange against the spec.
type confEnv struct {
	*env
	spec *boxSpec
	seen map[string]bool // operations exercised
}

type exchange struct {
	status int
	header http.Header
	body   []byte
}

func (r exchange) json(t *testing.T) map[string]any {
	t.Helper()
	return resp(r).json(t)
}

// call sends method path (below the origin) with body and name, value header pairs (a value ""
// removes the header; "Authorization" defaults to the env's token), expects status, and checks
// the exchange. Form bodies are sent form-encoded, others as JSON.
func (c *confEnv) call(method, path, body string, status int, headers ...string) exchange {
	c.t.Helper()
	return c.send(false, method, path, body, status, headers...)
}

// callBad is call for a request that breaks Box's spec on purpose.
func (c *confEnv) callBad(method, path, body string, status int, headers ...string) exchange {
	c.t.Helper()
	return c.send(true, method, path, body, status, headers...)
}

func (c *confEnv) send(bad bool, method, path, body string, status int, headers ...string) exchange {
	c.t.Helper()
	req, err := http.NewRequest(method, c.ts.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		ct := "application/json"
		if strings.HasPrefix(path, "/oauth2/") {
			ct = "application/x-www-form-urlencoded"
		}
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	sent := req.Clone(context.Background())
	cl := c.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, status, b)
	}
	names, err := c.spec.conform(sent, []byte(body), res.StatusCode, res.Header, b, bad)
	if err != nil {
		c.t.Errorf("%s %s (%s): %v\n%s", method, path, strings.Join(names, " + "), err, b)
	}
	for _, n := range names {
		c.seen[n] = true
	}
	return exchange{res.StatusCode, res.Header, b}
}

// TestConformanceOpenAPI sends the stand-in a request for every route it serves and checks each
// request and answer against Box's OpenAPI (with relaxBoxSpec's corrections).
func TestConformanceOpenAPI(t *testing.T) {
	c := &confEnv{env: newEnv(t, Options{}), spec: loadBoxSpec(t), seen: map[string]bool{}}
	const fl = "?fields=shared_link"
	future := "2099-06-30T17:00:00+00:00"
	bud, notes, wl := "/2.0/files/"+DemoBudgetFileID, "/2.0/files/"+DemoNotesFileID, "/2.0/web_links/"+DemoWebLinkID
	priv := "/2.0/folders/" + DemoPrivateFolderID

	// Items, standard and with fields, with and without a link; the root folder.
	for _, p := range []string{"/2.0/files/" + DemoQ3FileID, bud, "/2.0/folders/" + DemoReportsFolderID, priv, "/2.0/folders/0", wl} {
		c.call("GET", p, "", 200)
		c.call("GET", p+fl, "", 200)
	}
	c.call("GET", "/2.0/files/"+DemoQ3FileID+"?fields=name,size,shared_link,permissions,has_collaborations,shared_link_permission_options,path_collection,parent", "", 200)
	c.call("GET", "/2.0/folders/"+DemoRestrictedID+"?fields=name,allowed_shared_link_access_levels,is_accessible_via_shared_link,permissions,item_collection", "", 200)
	c.call("GET", wl+"?fields=name,url,shared_link,permissions", "", 200)
	etag := c.call("GET", bud+fl, "", 200).json(t)["etag"].(string)
	c.call("GET", bud+fl, "", 304, "If-None-Match", etag)

	// Shared links on a file: create with defaults, change everything, remove expiry and
	// password with null, remove the link; the same PUT as Box's SDKs send it (no fields).
	c.call("PUT", bud+fl, `{"shared_link":{}}`, 200)
	c.call("PUT", bud+fl, `{"shared_link":{"access":"open","password":"Secret-2026","unshared_at":"`+future+`","permissions":{"can_download":true,"can_preview":true,"can_edit":true}}}`, 200)
	c.call("PUT", bud+fl, `{"shared_link":{"unshared_at":null,"password":null}}`, 200)
	c.call("PUT", bud+"?fields=shared_link,name", `{"shared_link":{"access":"collaborators"}}`, 200)
	c.call("PUT", bud+fl, `{"shared_link":null}`, 200)
	c.call("PUT", notes, `{"shared_link":{"access":"company"}}`, 200)
	c.call("PUT", notes, `{"shared_link":null}`, 200)
	// A folder: vanity name and password, then both removed, then the link.
	c.call("PUT", priv+fl, `{"shared_link":{"access":"open","vanity_name":"northwind-private-plans","password":"Secret-2026","permissions":{"can_download":false}}}`, 200)
	c.call("PUT", priv+fl, `{"shared_link":{"password":null,"unshared_at":"`+future+`"}}`, 200)
	c.call("PUT", priv+fl, `{"shared_link":null}`, 200)
	c.call("PUT", priv, `{"shared_link":{"access":"company"}}`, 200) // as Box's SDKs send it: no fields
	c.call("PUT", priv, `{"shared_link":null}`, 200)
	// A web link.
	c.call("PUT", wl, `{"shared_link":{"access":"open"}}`, 200)
	c.call("PUT", wl, `{"shared_link":null}`, 200)
	wlURL := c.call("PUT", wl+fl, `{"shared_link":{"access":"open"}}`, 200).json(t)["shared_link"].(map[string]any)["url"].(string)

	// Refusals: Box's error object.
	c.call("PUT", bud+fl, `{"shared_link":{"access":"collaborators","permissions":{"can_download":true}}}`, 400)
	c.call("PUT", priv+fl, `{"shared_link":{"access":"open","permissions":{"can_download":true,"can_edit":true}}}`, 400)
	c.call("PUT", bud+fl, `{"shared_link":{"access":"open","password":"short"}}`, 400)
	c.call("PUT", bud+fl, `{"shared_link":{"unshared_at":"2001-01-01T00:00:00+00:00"}}`, 400)
	c.call("PUT", "/2.0/folders/0"+fl, `{"shared_link":{}}`, 403)
	c.call("PUT", bud+fl, `{"shared_link":{}}`, 412, "If-Match", "999")
	c.call("GET", "/2.0/files/1"+fl, "", 404)
	c.call("GET", "/2.0/files/nope", "", 405)
	c.call("GET", bud, "", 401, "Authorization", "")
	c.call("GET", bud, "", 401, "Authorization", "Bearer expired")
	c.token = DemoSamToken
	c.call("PUT", "/2.0/folders/"+DemoSamFolderID+fl, `{"shared_link":{"access":"company"}}`, 403)
	c.token = DemoVicToken
	c.call("PUT", "/2.0/files/"+DemoQ3FileID+fl, `{"shared_link":null}`, 403)
	c.token = DemoDeveloperToken

	// Folder items, offset and marker paging, with fields.
	arch := "/2.0/folders/" + DemoArchiveFolderID + "/items"
	c.call("GET", "/2.0/folders/"+DemoReportsFolderID+"/items", "", 200)
	c.call("GET", "/2.0/folders/"+DemoReportsFolderID+"/items?fields=name,size,shared_link,modified_at&sort=date&direction=DESC", "", 200)
	c.call("GET", "/2.0/folders/0/items?limit=2&offset=1", "", 200)
	c.call("GET", arch+"?offset=240&limit=1000", "", 200)
	next := c.call("GET", arch+"?usemarker=true&limit=100", "", 200).json(t)["next_marker"].(string)
	c.call("GET", arch+"?usemarker=true&limit=100&marker="+url.QueryEscape(next), "", 200)
	c.call("GET", arch+"?usemarker=true&limit=1000&fields=name,sha1,shared_link", "", 200)
	// What link audit sends: the audited item with its path, the folders above, each folder's
	// entries with their links (some with one, some without), marker paging.
	c.call("GET", "/2.0/folders/"+DemoArchiveFolderID+"?fields=name,shared_link,path_collection", "", 200)
	c.call("GET", "/2.0/files/"+DemoQ3FileID+"?fields=name,shared_link,path_collection", "", 200)
	c.call("GET", "/2.0/folders/0/items?fields=name,shared_link&limit=1000&usemarker=true", "", 200)
	c.call("GET", "/2.0/folders/"+DemoReportsFolderID+"/items?fields=name,shared_link&limit=1000&usemarker=true", "", 200)
	c.callBad("GET", arch+"?limit=abc", "", 400)
	c.callBad("GET", arch+"?offset=x", "", 400)
	c.call("GET", arch+"?offset=10000", "", 400)
	c.call("GET", arch+"?usemarker=true&marker=bogus", "", 400)
	c.call("GET", "/2.0/folders/0/items?usemarker=true&sort=name", "", 400)

	// /shared_items and the BoxApi header on items below a shared folder.
	c.token = DemoFredToken
	c.call("GET", "/2.0/shared_items", "", 200, "BoxApi", boxAPI(DemoReportsLinkURL))
	c.call("GET", "/2.0/shared_items", "", 200, "BoxApi", boxAPI(DemoPasswordedLinkURL, DemoLinkPassword))
	c.call("GET", "/2.0/shared_items", "", 200, "BoxApi", boxAPI(wlURL))
	c.call("GET", "/2.0/folders/"+DemoReportsFolderID+"/items?usemarker=true", "", 200, "BoxApi", boxAPI(DemoReportsLinkURL))
	c.call("GET", "/2.0/folders/"+DemoArchiveFolderID, "", 200, "BoxApi", boxAPI(DemoReportsLinkURL))
	c.call("GET", "/2.0/files/"+DemoHostileFileID, "", 200, "BoxApi", boxAPI(DemoReportsLinkURL))
	c.call("GET", "/2.0/shared_items", "", 403, "BoxApi", boxAPI(DemoPasswordedLinkURL, "wrong"))
	c.call("GET", "/2.0/shared_items", "", 404, "BoxApi", boxAPI(DemoQ3LinkURL))
	c.call("GET", "/2.0/shared_items", "", 404, "BoxApi", boxAPI("https://app.box.com/s/doesnotexist"))
	c.callBad("GET", "/2.0/shared_items", "", 400)
	c.token = DemoMeganToken
	c.call("GET", "/2.0/shared_items", "", 200, "BoxApi", boxAPI(DemoQ3VanityURL))
	c.call("GET", "/2.0/shared_items?fields=name,shared_link,shared_link_permission_options", "", 200, "BoxApi", boxAPI(DemoQ3LinkURL))
	c.token = DemoDeveloperToken

	// Content: 302 to the download URL, for the owner and through a link; a preview-only link.
	c.call("GET", "/2.0/files/"+DemoQ3FileID+"/content", "", 302)
	// What share download asks: the file's size, sha1 and file_version, then its content with the
	// range header Box documents (a resume; the 302 is the same).
	c.call("GET", "/2.0/files/"+DemoNotesFileID+"?fields=name,size,modified_at,sha1,file_version", "", 200)
	c.call("GET", "/2.0/files/"+DemoNotesFileID+"/content", "", 302, "Range", "bytes=60-")
	c.call("GET", "/2.0/folders/"+DemoPrivateFolderID+"/items?fields=name,size,modified_at,sha1,file_version&limit=1000&usemarker=true", "", 200)
	c.call("PUT", bud+fl, `{"shared_link":{"access":"open","permissions":{"can_download":false}}}`, 200)
	c.token = DemoFredToken
	c.call("GET", "/2.0/files/"+DemoHostileFileID+"/content", "", 302, "BoxApi", boxAPI(DemoReportsLinkURL))
	budURL := "https://northwind.app.box.com/s/" + c.srv.st.items[DemoBudgetFileID].link.token
	c.call("GET", bud+"/content", "", 403, "BoxApi", boxAPI(budURL))
	c.call("GET", bud+"/content", "", 404)
	c.token = DemoDeveloperToken

	// The caller.
	c.call("GET", "/2.0/users/me", "", 200)
	c.call("GET", "/2.0/users/me?fields=login,enterprise,timezone", "", 200)
	c.token = DemoSamToken
	c.call("GET", "/2.0/users/me", "", 200)
	c.token = DemoDeveloperToken

	// Throttle and faults answer with Box's error object too.
	c.srv.AddFault(faultFor(t, "status=429,retry-after=2,times=1,path=/users/me"))
	c.call("GET", "/2.0/users/me", "", 429)
	c.srv.AddFault(faultFor(t, "status=409,times=1,path=/files/*"))
	c.call("PUT", bud+fl, `{"shared_link":null}`, 409)
	c.srv.AddFault(faultFor(t, "status=503,times=1,path=/files/*"))
	c.call("GET", bud, "", 503)

	// OAuth 2.0: the authorize page, the code, refresh and client-credentials grants, revoke, and
	// OAuth2Error bodies.
	verifier, challenge := pkce()
	q := authQuery("http://127.0.0.1:5050/callback", challenge)
	c.call("GET", authorizePath+"?"+q.Encode(), "", 200)
	c.call("GET", authorizePath+"?client_id=nope&response_type=code", "", 400)
	c.srv.SetAutoApprove(true)
	loc, _ := url.Parse(c.call("GET", authorizePath+"?"+q.Encode(), "", 302).header.Get("Location"))
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {DemoClientID},
		"client_secret": {DemoClientSecret}, "code_verifier": {verifier}}
	tok := c.call("POST", tokenPath, form.Encode(), 200).json(t)
	c.call("POST", tokenPath, form.Encode(), 400) // the code is spent
	ref := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {DemoClientID}, "client_secret": {DemoClientSecret}}
	tok2 := c.call("POST", tokenPath, ref.Encode(), 200).json(t)
	c.call("POST", tokenPath, ref.Encode(), 400) // single use
	ccg := url.Values{"grant_type": {"client_credentials"}, "client_id": {DemoCCGClientID}, "client_secret": {DemoCCGSecret},
		"box_subject_type": {"enterprise"}, "box_subject_id": {DemoEnterpriseID}}
	c.call("POST", tokenPath, ccg.Encode(), 200)
	ccg.Set("client_secret", "wrong")
	c.call("POST", tokenPath, ccg.Encode(), 400)
	c.callBad("POST", tokenPath, "grant_type=password&username=a&password=b", 400)
	rv := url.Values{"client_id": {DemoClientID}, "client_secret": {DemoClientSecret}, "token": {tok2["access_token"].(string)}}
	c.call("POST", revokePath, rv.Encode(), 200)
	rv.Set("client_secret", "wrong")
	c.call("POST", revokePath, rv.Encode(), 400)

	// Every operation the stand-in serves was exercised.
	var missing []string
	for _, op := range []string{
		"GET /files/{file_id}", "GET /files/{file_id}#get_shared_link", "PUT /files/{file_id}",
		"PUT /files/{file_id}#add_shared_link", "PUT /files/{file_id}#update_shared_link", "PUT /files/{file_id}#remove_shared_link",
		"GET /folders/{folder_id}", "GET /folders/{folder_id}#get_shared_link",
		"PUT /folders/{folder_id}#add_shared_link", "PUT /folders/{folder_id}#update_shared_link", "PUT /folders/{folder_id}#remove_shared_link",
		"GET /web_links/{web_link_id}", "GET /web_links/{web_link_id}#get_shared_link",
		"PUT /web_links/{web_link_id}#add_shared_link", "PUT /web_links/{web_link_id}#update_shared_link",
		"GET /folders/{folder_id}/items", "GET /shared_items", "GET /shared_items#folders", "GET /shared_items#web_links",
		"GET /files/{file_id}/content", "GET /users/me", "POST /oauth2/token", "POST /oauth2/token#refresh",
		"POST /oauth2/revoke", "GET /authorize",
	} {
		if !c.seen[op] {
			missing = append(missing, op)
		}
	}
	if len(missing) > 0 {
		t.Errorf("operations not exercised: %s", strings.Join(missing, ", "))
	}
}

func faultFor(t *testing.T, spec string) kit.Fault {
	t.Helper()
	f, err := kit.ParseFault(spec)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestBoxSpecRoutes checks the matcher: the operation chosen by method, path, query and body.
func TestBoxSpecRoutes(t *testing.T) {
	sp := loadBoxSpec(t)
	for _, c := range []struct{ method, uri, body, answer, want string }{
		{"GET", "/2.0/files/1", "", "", "GET /files/{file_id}"},
		{"GET", "/2.0/files/1?fields=name,shared_link", "", "", "GET /files/{file_id}#get_shared_link"},
		{"PUT", "/2.0/files/1?fields=shared_link", `{"shared_link":{"access":"open"}}`, "", "PUT /files/{file_id}#add_shared_link + PUT /files/{file_id}#update_shared_link"},
		{"PUT", "/2.0/folders/1?fields=shared_link", `{"shared_link": null }`, "", "PUT /folders/{folder_id}#remove_shared_link"},
		{"PUT", "/2.0/web_links/1?fields=shared_link", `{}`, "", "PUT /web_links/{web_link_id}"},
		{"PUT", "/2.0/files/1", `{"shared_link":null}`, "", "PUT /files/{file_id}"},
		{"GET", "/2.0/folders/0/items?usemarker=true", "", "", "GET /folders/{folder_id}/items"},
		{"GET", "/2.0/shared_items", "", `{"type":"file"}`, "GET /shared_items"},
		{"GET", "/2.0/shared_items", "", `{"type":"folder"}`, "GET /shared_items#folders"},
		{"GET", "/2.0/shared_items", "", `{"type":"web_link"}`, "GET /shared_items#web_links"},
		{"GET", "/2.0/shared_items", "", `{"type":"error"}`, "GET /shared_items"},
		{"POST", "/oauth2/token", "grant_type=refresh_token&refresh_token=x", "", "POST /oauth2/token#refresh"},
		{"POST", "/oauth2/token", "grant_type=authorization_code&code=x", "", "POST /oauth2/token"},
		{"POST", "/oauth2/revoke", "token=x", "", "POST /oauth2/revoke"},
		{"GET", "/api/oauth2/authorize?response_type=code", "", "", "GET /authorize"},
	} {
		u, _ := url.Parse(c.uri)
		rts, _, err := sp.routes(c.method, u, []byte(c.body), []byte(c.answer))
		var got []string
		for _, r := range rts {
			got = append(got, r.Method+" "+r.Path)
		}
		if err != nil || strings.Join(got, " + ") != c.want {
			t.Errorf("%s %s %s: %v %v, want %s", c.method, c.uri, c.body, got, err, c.want)
		}
	}
	for _, uri := range []string{"/2.0/files/1/versions", "/v1.0/me", "/2.0/collaborations"} {
		u, _ := url.Parse(uri)
		if rts, _, err := sp.routes("GET", u, nil, nil); err == nil {
			t.Errorf("GET %s matched %v", uri, rts[0].Path)
		}
	}
}

// TestBoxSpecCatchesWrongShapes shows that conform is no rubber stamp: answers and requests
// with a renamed, mistyped or missing member, an unknown value or code fail, relaxations
// included.
func TestBoxSpecCatchesWrongShapes(t *testing.T) {
	sp := loadBoxSpec(t)
	link := `{"url":"https://app.box.com/s/x","download_url":null,"vanity_url":null,"vanity_name":null,"effective_access":"open",` +
		`"effective_permission":"can_download","is_password_enabled":false,"unshared_at":null,"download_count":0,"preview_count":0,` +
		`"access":"open","permissions":{"can_preview":true,"can_download":true,"can_edit":false}}`
	file := func(sl string) string { return `{"type":"file","id":"1","etag":"0","shared_link":` + sl + `}` }
	jsonH := http.Header{"Content-Type": {"application/json"}}
	check := func(method, uri, body string, status int, answer string) error {
		t.Helper()
		req := httptest.NewRequest(method, "http://127.0.0.1"+uri, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		if body != "" {
			if strings.HasPrefix(uri, "/oauth2/") {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req.Header.Set("Content-Type", "application/json")
			}
		}
		_, err := sp.conform(req, []byte(body), status, jsonH, []byte(answer), false)
		return err
	}
	const put = "/2.0/files/1?fields=shared_link"
	// What passes, for contrast.
	for _, c := range []struct{ method, uri, body, answer string }{
		{"PUT", put, `{"shared_link":{"unshared_at":null,"password":null}}`, file(link)},
		{"PUT", put, `{"shared_link":null}`, file("null")},
		{"GET", "/2.0/folders/1/items?usemarker=true", "", `{"entries":[{"type":"folder","id":"0","sequence_id":null,"etag":null,"name":"All Files"}],"limit":1,"next_marker":null}`},
	} {
		if err := check(c.method, c.uri, c.body, 200, c.answer); err != nil {
			t.Errorf("%s %s %s -> %s: %v", c.method, c.uri, c.body, c.answer, err)
		}
	}
	bad := []struct{ method, uri, body string }{
		{"PUT", put, `{"shared_link":{"access":"public"}}`},
		{"PUT", put, `{"shared_link":{"unshared_at":"tomorrow"}}`},
		{"PUT", put, `{"shared_link":{"vanity_name":"short"}}`},
		{"PUT", put, `{"shared_link":{"permissions":{"can_download":"yes"}}}`},
		{"PUT", "/2.0/folders/1?fields=shared_link", `{"shared_link":{"access":null}}`},
		{"GET", "/2.0/folders/1/items?limit=1001", ""},
		{"GET", "/2.0/folders/1/items?sort=owner", ""},
		{"POST", "/oauth2/token#refresh", "grant_type=refresh_token&client_id=a&client_secret=b"},
	}
	for _, b := range bad {
		ans := file(link)
		if strings.Contains(b.uri, "/items") {
			ans = `{"entries":[],"limit":1,"next_marker":null}`
		}
		if strings.HasPrefix(b.uri, "/oauth2") {
			ans = `{"access_token":"a","expires_in":3600,"token_type":"bearer","restricted_to":[],"refresh_token":"r"}`
		}
		u, _ := url.Parse(b.uri)
		if err := check(b.method, u.Path+"?"+u.RawQuery, b.body, 200, ans); err == nil || !strings.Contains(err.Error(), "request invalid") {
			t.Errorf("request %s %s %s passed: %v", b.method, b.uri, b.body, err)
		}
	}
	wrong := []struct{ uri, answer string }{
		{put, file(strings.Replace(link, `"effective_access"`, `"effectiveAccess"`, 1))},              // renamed required member
		{put, file(strings.Replace(link, `"vanity_url"`, `"vanityurl"`, 1))},                          // renamed optional member
		{put, file(strings.Replace(link, `"download_count":0`, `"download_count":"0"`, 1))},           // mistyped
		{put, file(strings.Replace(link, `"access":"open"`, `"access":"public"`, 1))},                 // not in the enum
		{put, file(strings.Replace(link, `"can_edit":false}`, `"can_edit":false,"can_share":1}`, 1))}, // undeclared, nested
		{put, file(strings.Replace(link, `"unshared_at":null`, `"unshared_at":"soon"`, 1))},           // not a date-time
		{put, `{"type":"file","id":"1","sharedLink":null}`},
		{put, `{"type":"folder","id":"1","shared_link":null}`},
		{put, `{"type":"file","id":1}`},
		{put, `{"type":"file","id":"1","sequence_id":null}`}, // null only for a folder (the root)
		{"/2.0/web_links/1", `{"type":"web_link","id":"1","parent":null}`},
		{"/2.0/users/me", `{"type":"user","id":"1","login":"a@b.example","enterpise":null}`},
		{"/2.0/folders/1/items", `{"entries":[{"type":"folder","id":"2","nmae":"x"}],"total_count":1,"offset":0,"limit":100}`},
		{"/2.0/folders/1/items", `{"entries":[{"type":"box_note","id":"2"}],"total_count":1}`},
		{"/2.0/folders/1/items?usemarker=true", `{"entries":[],"limit":100,"nextMarker":null}`},
	}
	for _, w := range wrong {
		method, body := "GET", ""
		if w.uri == put {
			method, body = "PUT", `{"shared_link":{}}`
		}
		if err := check(method, w.uri, body, 200, w.answer); err == nil {
			t.Errorf("answer %s to %s passed", w.answer, w.uri)
		}
	}
	errs := []struct {
		uri    string
		status int
		answer string
	}{
		{"/2.0/files/1", 429, `{"type":"error","status":429,"code":"rate_limited","message":"m","help_url":"h","request_id":"r"}`},
		{"/2.0/files/1", 404, `{"type":"error","status":"404","code":"not_found","message":"m","help_url":"h","request_id":"r"}`},
		{"/2.0/files/1", 404, `{"type":"error","status":404,"code":"not_found","message":"m","requestId":"r"}`},
		{"/2.0/files/1", 401, `{"error":"invalid_token","error_description":"d"}`},
	}
	for _, e := range errs {
		if err := check("GET", e.uri, "", e.status, e.answer); err == nil {
			t.Errorf("error answer %s passed", e.answer)
		}
	}
	for _, a := range []string{`{"error":"invalid_grant","error_descr":"d"}`, `{"error":5}`, `{"type":"error","status":400,"code":"bad_request"}`} {
		if err := check("POST", "/oauth2/token", "grant_type=authorization_code&code=x&client_id=a&client_secret=b", 400, a); err == nil {
			t.Errorf("OAuth error %s passed", a)
		}
	}
}

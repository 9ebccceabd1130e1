package box

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
	"github.com/odshare/odshare/internal/testutil"
)

// sdkExchange is one request the SDK made and the stand-in's answer, kept for the conformance
// check.
type sdkExchange struct {
	req    *http.Request
	body   []byte
	status int
	header http.Header
	answer []byte
}

// capturing serves h and keeps every API and token exchange (not the admin endpoints).
type capturing struct {
	h  http.Handler
	mu sync.Mutex
	ex []sdkExchange
}

type captureWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *captureWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (c *capturing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := apiPath(r.URL.EscapedPath()); !ok {
		c.h.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	saved := r.Clone(context.Background())
	cw := &captureWriter{ResponseWriter: w}
	c.h.ServeHTTP(cw, r)
	c.mu.Lock()
	c.ex = append(c.ex, sdkExchange{saved, body, cw.status, cw.Header().Clone(), cw.buf.Bytes()})
	c.mu.Unlock()
}

// TestBoxNodeSDK runs Box's official Node SDK (box-node-sdk, the version package-lock.json in
// testdata/sdk pins), unmodified, against the stand-in served over TLS on 127.0.0.1: developer
// token and OAuth 2.0 sign-in with two refresh-token rotations, shared links added, read,
// changed and removed on a file and a folder through the SDK's shared-link managers, shared
// items found with the BoxApi header (passwords included), and marker paging through a link.
// It asserts what the SDK saw, the requests the stand-in recorded, and that every exchange
// conforms to Box's OpenAPI.
func TestBoxNodeSDK(t *testing.T) {
	node := testutil.Tool(t, "node")
	modules := testutil.NodeModules(t, filepath.Join("testdata", "sdk"))

	s, err := New(Options{AutoApprove: true, RandomSeed: 11})
	if err != nil {
		t.Fatal(err)
	}
	caPEM, cert, err := kit.GenerateCA("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	capt := &capturing{h: s}
	origin, stop, err := kit.ServeCert("127.0.0.1:0", &cert, capt, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	const (
		vanity   = "northwind-private-plans"
		password = "Sdk-Secret-2026"
		expiry   = "2099-06-30T17:00:00.000Z"
	)
	cfg, _ := json.Marshal(map[string]any{
		"origin": origin, "adaToken": DemoDeveloperToken, "fredToken": DemoFredToken, "meganToken": DemoMeganToken,
		"clientId": DemoClientID, "clientSecret": DemoClientSecret,
		"fileId": DemoBudgetFileID, "folderId": DemoPrivateFolderID, "linkPassword": password, "expiry": expiry,
		"vanityName": vanity, "passwordedURL": DemoPasswordedLinkURL, "passwordedPassword": DemoLinkPassword,
		"reportsURL": DemoReportsLinkURL, "archiveId": DemoArchiveFolderID, "pageLimit": 100,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "sdk", "box_sdk_check.cjs"))
	// Only what node needs: no proxy settings (the SDK would route loopback through them).
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NODE_PATH=" + modules,
		"NODE_EXTRA_CA_CERTS=" + caFile, "NO_PROXY=*", "BOX_SDK_CHECK=" + string(cfg)}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node box_sdk_check.cjs: %v\n%s%s", err, stdout, stderr.Bytes())
	}
	var got map[string]any
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("output %q: %v\n%s", stdout, err, stderr.Bytes())
	}
	t.Logf("SDK saw: %s", stdout)

	// What the SDK saw.
	str := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	link := func(key string) map[string]any {
		t.Helper()
		l, ok := got[key].(map[string]any)
		if !ok {
			t.Fatalf("%s: no shared link in %s", key, str(got[key]))
		}
		return l
	}
	want := map[string]any{
		"devMe": DemoUserLogin, "authorizeHost": "account.box.com",
		"oauthMe": DemoUserLogin, "oauthMeAfterRefresh1": DemoUserLogin, "oauthMeAfterRefresh2": DemoUserLogin,
		"refreshTokensDistinct": 3.0,
		"spentRefresh":          map[string]any{"status": 400.0, "code": "invalid_grant"},
		"fileFoundNoPassword":   map[string]any{"status": 403.0, "code": "incorrect_shared_item_password"},
		"fileFoundAfterRemove":  map[string]any{"status": 404.0, "code": "not_found"},
		"fileRemoved":           nil, "folderRemoved": nil,
		"folderFoundOtherEnterprise": map[string]any{"status": 404.0, "code": "not_found"},
		"folderFound":                map[string]any{"id": DemoPrivateFolderID, "name": "Private"},
		"passwordedFound":            map[string]any{"id": DemoPasswordedID, "name": "Passworded"},
		"markerPages":                []any{100.0, 100.0, 50.0},
		"markerFirst":                "report-001.csv", "markerLast": "report-250.csv", "markerDistinct": 250.0,
	}
	for k, w := range want {
		if str(got[k]) != str(w) {
			t.Errorf("%s: got %s, want %s", k, str(got[k]), str(w))
		}
	}
	if _, ok := got["markerTotalCount"]; ok {
		t.Errorf("marker paging answered a total_count")
	}
	added, gotLink, updated := link("fileAdded"), link("fileGot"), link("fileUpdated")
	if added["access"] != "open" || added["isPasswordEnabled"] != true || added["unsharedAt"] != expiry ||
		!strings.HasPrefix(added["url"].(string), "https://northwind.app.box.com/s/") || str(gotLink) != str(added) {
		t.Errorf("file link added %s, read back %s", str(added), str(gotLink))
	}
	if updated["url"] != added["url"] || updated["isPasswordEnabled"] != false || updated["unsharedAt"] != nil ||
		updated["canDownload"] != false || updated["effectivePermission"] != "can_preview" {
		t.Errorf("file link updated %s (from %s)", str(updated), str(added))
	}
	found := got["fileFound"].(map[string]any)
	if found["id"] != DemoBudgetFileID || found["name"] != "Budget 2025.xlsx" || found["sharedLink"] != nil {
		t.Errorf("file found by its link: %s (a link viewer sees no shared_link)", str(found))
	}
	fa, fg, fu := link("folderAdded"), link("folderGot"), link("folderUpdated")
	if fa["access"] != "open" || fa["vanityUrl"] != "https://northwind.app.box.com/v/"+vanity || fa["canDownload"] != true || str(fg) != str(fa) {
		t.Errorf("folder link added %s, read back %s", str(fa), str(fg))
	}
	if fu["url"] != fa["url"] || fu["access"] != "company" || fu["vanityUrl"] != fa["vanityUrl"] {
		t.Errorf("folder link updated %s (from %s)", str(fu), str(fa))
	}

	// What the stand-in recorded, in order: the SDKs send no fields on the shared-link calls
	// (their URL's #fragment swallows the query), the BoxApi header raw, the password hidden.
	var lines []string
	for _, r := range s.Requests() {
		lines = append(lines, fmt.Sprintf("%s %s %d", r.Method, r.RawURI, r.Status))
	}
	file, folder := "/2.0/files/"+DemoBudgetFileID, "/2.0/folders/"+DemoPrivateFolderID
	items := "GET /2.0/folders/" + DemoArchiveFolderID + "/items?"
	wantLines := []string{
		"GET /2.0/users/me 200",
		"POST /oauth2/token 200",
		"GET /2.0/users/me 200",
		"GET /2.0/users/me 401", "POST /oauth2/token 200", "GET /2.0/users/me 200",
		"GET /2.0/users/me 401", "POST /oauth2/token 200", "GET /2.0/users/me 200",
		"POST /oauth2/token 400",
		"PUT " + file + " 200", "GET " + file + " 200",
		"GET /2.0/shared_items 403", "GET /2.0/shared_items 200",
		"PUT " + file + " 200", "PUT " + file + " 200", "GET /2.0/shared_items 404",
		"PUT " + folder + " 200", "GET " + folder + " 200", "PUT " + folder + " 200",
		"GET /2.0/shared_items 404", "GET /2.0/shared_items 200", "PUT " + folder + " 200",
		"GET /2.0/shared_items 200",
		items + "usemarker=true&limit=100 200",
	}
	if len(lines) != len(wantLines)+2 {
		t.Fatalf("recorded %d requests, want %d:\n%s", len(lines), len(wantLines)+2, strings.Join(lines, "\n"))
	}
	for i, w := range wantLines {
		if lines[i] != w {
			t.Errorf("request %d: %s, want %s", i, lines[i], w)
		}
	}
	for _, l := range lines[len(wantLines):] {
		if !strings.HasPrefix(l, items+"usemarker=true&marker=") || !strings.HasSuffix(l, "&limit=100 200") {
			t.Errorf("next page: %s", l)
		}
	}
	reqs := s.Requests()
	bodies := map[int]string{
		10: `{"shared_link":{"access":"open","password":"[redacted]","unshared_at":"2099-06-30T17:00:00+00:00"}}`,
		14: `{"shared_link":{"access":"open","password":null,"unshared_at":null,"permissions":{"can_download":false}}}`,
		15: `{"shared_link":null}`,
		17: `{"shared_link":{"access":"open","vanity_name":"` + vanity + `","permissions":{"can_download":true}}}`,
		19: `{"shared_link":{"access":"company"}}`,
		22: `{"shared_link":null}`,
	}
	for i, b := range bodies {
		if string(reqs[i].Body) != b {
			t.Errorf("request %d (%s %s) body %s, want %s", i, reqs[i].Method, reqs[i].RawURI, reqs[i].Body, b)
		}
	}
	if !s.SecretIs(reqs[10], "password", password) {
		t.Error("the file link's password was not sent")
	}
	for i, h := range map[int]string{
		12: "shared_link=https://northwind.app.box.com/s/" + linkToken(t, got["fileAdded"]),
		13: "shared_link=https://northwind.app.box.com/s/" + linkToken(t, got["fileAdded"]) + "&shared_link_password=" + kit.Redacted,
		23: "shared_link=" + DemoPasswordedLinkURL + "&shared_link_password=" + kit.Redacted,
		24: "shared_link=" + DemoReportsLinkURL,
	} {
		if reqs[i].Header.Get("BoxApi") != h {
			t.Errorf("request %d BoxApi %q, want %q", i, reqs[i].Header.Get("BoxApi"), h)
		}
	}
	if !s.SecretIs(reqs[13], "shared_link_password", password) || !s.SecretIs(reqs[23], "shared_link_password", DemoLinkPassword) {
		t.Error("BoxApi passwords not sent as they are")
	}
	if st := s.Stats(); st.Tokens.Issued != 1 || st.Tokens.Refreshed != 2 || st.SharedLinks.Created != 2 || st.SharedLinks.Removed != 2 {
		t.Errorf("stats %+v", st)
	}

	// Every exchange the SDK made conforms to Box's OpenAPI.
	spec := loadBoxSpec(t)
	capt.mu.Lock()
	defer capt.mu.Unlock()
	for _, x := range capt.ex {
		if _, err := spec.conform(x.req, x.body, x.status, x.header, x.answer, false); err != nil {
			t.Errorf("%s %s: %v", x.req.Method, x.req.URL.RequestURI(), err)
		}
	}
	if len(capt.ex) != len(lines)+1 { // the authorize page is not recorded
		t.Errorf("captured %d exchanges, recorded %d", len(capt.ex), len(lines))
	}
}

// linkToken is the token of the shared link URL in an SDK result.
func linkToken(t *testing.T, v any) string {
	t.Helper()
	m, _ := v.(map[string]any)
	u, _ := m["url"].(string)
	_, tok, ok := strings.Cut(u, "/s/")
	if !ok {
		t.Fatalf("no shared link URL in %v", v)
	}
	return tok
}

package emulator

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecorder(t *testing.T) {
	e := newEnv(t, Options{})
	raw := "/v1.0/me/drive/root:/Reports/Q3%20%231%20100%25.xlsx:/createLink"
	body := `{"type":"view","scope":"anonymous"}`
	r := e.do("POST", e.ts.URL+raw+"?a=b+c", body, "client-request-id", "cr-1")
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	e.get("/me/drive", "Authorization", "")
	e.get(e.ts.URL + "/_emulator/health")
	reqs := e.srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests", len(reqs))
	}
	got := reqs[0]
	if got.Method != "POST" || got.RawURI != raw+"?a=b+c" || string(got.Body) != body || got.Status != 201 ||
		got.Header.Get("client-request-id") != "cr-1" || got.Header.Get("Authorization") != "Bearer [redacted]" ||
		!e.srv.SecretIs(got, "authorization", "Bearer test-token") || e.srv.SecretIs(got, "authorization", "Bearer other") {
		t.Errorf("recorded %+v", got)
	}
	if reqs[1].Status != 401 {
		t.Errorf("second %+v", reqs[1])
	}
	e.srv.ResetRequests()
	if len(e.srv.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

// GET /_emulator/requests answers anyone who can reach the emulator: it must not hand out bearer
// tokens or link passwords, neither of a request nor inside a $batch.
func TestRecordedSecretsAreRedacted(t *testing.T) {
	e := newEnv(t, Options{})
	pd := "/v1.0/drives/" + DemoPersonalDriveID + "/root:/Photos:/createLink"
	single := `{"type":"view","scope":"anonymous","password":"hunter2 \"pw\"","expirationDateTime":"2099-01-01T00:00:00Z"}`
	if r := e.do("POST", e.ts.URL+pd, single, "Authorization", "Bearer tok-SECRET-1"); r.status != 201 {
		t.Fatalf("createLink: %d %s", r.status, r.body)
	}
	batch := `{"requests":[{"id":"1","method":"POST","url":"/drives/` + DemoPersonalDriveID + `/root:/Photos:/createLink",` +
		`"headers":{"Content-Type":"application/json"},"body":{"type":"edit","Password":"batch-pw-SECRET"}}]}`
	if r := e.do("POST", e.ts.URL+"/v1.0/$batch", batch, "Authorization", "Bearer tok-SECRET-2", "Content-Type", "application/json"); r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	r := e.get(e.ts.URL + "/_emulator/requests")
	for _, secret := range []string{"tok-SECRET", "hunter2", "batch-pw-SECRET"} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("/_emulator/requests contains %q:\n%s", secret, r.body)
		}
	}
	reqs := e.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	want := `{"type":"view","scope":"anonymous","password":"[redacted]","expirationDateTime":"2099-01-01T00:00:00Z"}`
	if got := string(reqs[0].Body); got != want {
		t.Errorf("body = %s, want the exact request with the password redacted", got)
	}
	if !e.srv.SecretIs(reqs[0], "password", `hunter2 "pw"`) || !e.srv.SecretIs(reqs[0], "authorization", "Bearer tok-SECRET-1") {
		t.Errorf("digests do not match the secrets sent: %v", reqs[0].Secrets)
	}
	if !strings.Contains(string(reqs[1].Body), `"Password":"[redacted]"`) || !e.srv.SecretIs(reqs[1], "password", "batch-pw-SECRET") {
		t.Errorf("$batch body %s", reqs[1].Body)
	}
	if sub := reqs[2]; sub.Batch == "" || sub.Header.Get("Authorization") != "Bearer [redacted]" || !e.srv.SecretIs(sub, "password", "batch-pw-SECRET") ||
		string(sub.Body) != `{"type":"edit","Password":"[redacted]"}` {
		t.Errorf("sub-request %+v", sub)
	}
	if e.srv.SecretIs(reqs[0], "password", "hunter2") {
		t.Error("SecretIs matched a different value")
	}
}

func TestAdminEndpoints(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.ts.URL + "/_emulator"
	if r := e.get(admin+"/health", "Authorization", ""); r.status != 200 || r.json(t)["status"] != "ok" {
		t.Errorf("health %d %s", r.status, r.body)
	}
	e.get("/me/drive")
	r := e.get(admin + "/requests")
	var list []map[string]any
	if err := json.Unmarshal(r.body, &list); err != nil || len(list) != 1 || list[0]["rawURI"] != "/v1.0/me/drive" {
		t.Errorf("requests: %v %s", err, r.body)
	}
	if r := e.do("DELETE", admin+"/requests", ""); r.status != 204 || len(e.srv.Requests()) != 0 {
		t.Errorf("delete requests: %d", r.status)
	}
	if r := e.do("POST", admin+"/faults", "status=429,retry-after=3,times=1,path=/me/drive"); r.status != 201 {
		t.Fatalf("post fault: %d %s", r.status, r.body)
	}
	if r := e.get("/me/drive"); r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Errorf("fault from admin: %d", r.status)
	}
	if r := e.do("POST", admin+"/faults", `{"status":503,"latency":"1ms","times":1}`); r.status != 201 {
		t.Fatalf("post JSON fault: %d %s", r.status, r.body)
	}
	if r := e.get("/me/drive"); r.status != 503 {
		t.Errorf("JSON fault: %d", r.status)
	}
	if r := e.do("POST", admin+"/faults", "bogus"); r.status != 400 {
		t.Errorf("bad fault: %d", r.status)
	}
	e.do("POST", admin+"/faults", "status=500")
	if r := e.do("DELETE", admin+"/faults", ""); r.status != 204 {
		t.Errorf("delete faults: %d", r.status)
	}
	if r := e.get("/me/drive"); r.status != 200 {
		t.Errorf("after delete: %d", r.status)
	}
	if r := e.get(admin + "/nope"); r.status != 404 {
		t.Errorf("unknown admin: %d", r.status)
	}
	for _, rr := range e.srv.Requests() {
		if strings.HasPrefix(rr.RawURI, "/_emulator") {
			t.Errorf("admin request recorded: %s", rr.RawURI)
		}
	}
}

func TestFixtureFiles(t *testing.T) {
	dir := t.TempDir()
	yml := `me: a@x.example
tenant: fabrikam
users:
  - {id: u1, userPrincipalName: a@x.example, displayName: A}
drives:
  - id: bdrive
    driveType: business
    owner: u1
    items:
      - name: Docs
        children:
          - {name: "a b.txt", size: 3, mimeType: text/plain, createdDateTime: 2024-01-02T03:04:05Z}
        permissions:
          - {shareId: "s!docs", link: {type: view, scope: organization, webUrl: "https://fabrikam.sharepoint.com/:f:/g/docs"}}
`
	yp := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(yp, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFixture(yp)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(f)
	jp := filepath.Join(dir, "f.json")
	if err := os.WriteFile(jp, js, 0o600); err != nil {
		t.Fatal(err)
	}
	f2, err := LoadFixture(jp)
	if err != nil {
		t.Fatalf("json round trip: %v\n%s", err, js)
	}
	e := newEnv(t, Options{Seed: f2})
	m := e.get("/me/drive/root:/docs/A%20B.TXT").json(t)
	if m["name"] != "a b.txt" || m["createdDateTime"] != "2024-01-02T03:04:05Z" {
		t.Errorf("item %v", m)
	}
	if r := e.get("/shares/s!docs/driveItem"); r.status != 200 {
		t.Errorf("fixture share: %d", r.status)
	}
	if !strings.HasPrefix(m["webUrl"].(string), "https://fabrikam-my.sharepoint.com/personal/a_x_example/Documents/Docs/a%20b.txt") {
		t.Errorf("webUrl %v", m["webUrl"])
	}

	bad := map[string]string{
		"unknown key":  "me: a\nuserz: []\n",
		"bad drive":    "users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: cloud, owner: u}]\n",
		"no owner":     "users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: v}]\n",
		"dup name":     "users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: A}, {name: a}]}]\n",
		"bad name":     "users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: 'a:b'}]}]\n",
		"unknown me":   "me: nobody\nusers: [{id: u, userPrincipalName: u@x}]\n",
		"bad linktype": "users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: A, permissions: [{link: {type: x, scope: anonymous, webUrl: 'https://a'}}]}]}]\n",
	}
	for name, y := range bad {
		p := filepath.Join(dir, "bad.yml")
		if err := os.WriteFile(p, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := LoadFixture(p)
		if err == nil {
			_, err = New(Options{Seed: f})
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := LoadFixture(filepath.Join(dir, "f.txt")); err == nil {
		t.Error("unknown extension accepted")
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Options{})
	done := make(chan int, 20)
	for i := 0; i < 20; i++ {
		go func(i int) {
			req, _ := http.NewRequest("POST", e.base+"/me/drive/root:/Reports/Archive/report-00"+string(rune('1'+i%9))+".csv:/createLink",
				strings.NewReader(`{"type":"view"}`))
			req.Header.Set("Authorization", "Bearer x")
			res, err := e.ts.Client().Do(req)
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}(i)
	}
	created := 0
	for i := 0; i < 20; i++ {
		switch <-done {
		case 201:
			created++
		case 200:
		default:
			t.Error("unexpected status")
		}
	}
	if created != 9 {
		t.Errorf("created %d links for 9 files", created)
	}
}

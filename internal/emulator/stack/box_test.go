package stack

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/emulator/box"
)

// TestBoxBesideGraph signs in to Box with the authorization code flow and PKCE over the
// stack's TLS listener, then calls the Box API, while Graph and its identity side answer on the
// same origin.
func TestBoxBesideGraph(t *testing.T) {
	e := start(t, Options{Box: box.Options{AutoApprove: true}})
	api, tokenURL, authorize := e.st.BoxURLs()
	if api != e.st.AuthorityHost+"/2.0" || tokenURL != e.st.AuthorityHost+"/oauth2/token" || authorize != e.st.AuthorityHost+"/api/oauth2/authorize" {
		t.Fatalf("Box URLs %s %s %s", api, tokenURL, authorize)
	}
	verifier := strings.Repeat("abc123-_", 6)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {box.DemoClientID}, "redirect_uri": {"http://127.0.0.1:5555/callback"},
		"state": {"s"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	c := *e.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(authorize + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != 302 || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %v", res.StatusCode, loc)
	}
	res, err = e.c.PostForm(tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"client_id": {box.DemoClientID}, "client_secret": {box.DemoClientSecret}, "code_verifier": {verifier}})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	req, _ := http.NewRequest("GET", api+"/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	res, err = e.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me map[string]any
	if err := json.NewDecoder(res.Body).Decode(&me); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if me["login"] != box.DemoUserLogin {
		t.Fatalf("me %v", me)
	}
	// A Box token means nothing to Graph, and Graph still answers /v1.0.
	if code, _ := e.graph("/me/drive", tok["access_token"].(string)); code != 401 {
		t.Fatalf("graph with a Box token: %d", code)
	}
	if len(e.st.Box.Requests()) != 2 || len(e.st.Graph.Requests()) != 1 {
		t.Fatalf("recorders: box %d graph %d", len(e.st.Box.Requests()), len(e.st.Graph.Requests()))
	}
}

func TestLoadFixtures(t *testing.T) {
	dir := t.TempDir()
	both := filepath.Join(dir, "both.json")
	if err := os.WriteFile(both, []byte(`{"me":"a@x.example","users":[{"id":"1","userPrincipalName":"a@x.example","displayName":"A"}],"drives":[],
	 "box":{"enterprises":[{"id":"1","name":"E"}],"users":[{"login":"b@x.example","name":"B","enterprise":"1"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	g, b, err := LoadFixtures(both)
	if err != nil || g == nil || g.Me != "a@x.example" || b == nil || b.Users[0].Login != "b@x.example" {
		t.Fatalf("both: %v %+v %+v", err, g, b)
	}
	graphOnly := filepath.Join(dir, "g.yaml")
	if err := os.WriteFile(graphOnly, []byte("me: a@x.example\nusers: [{id: '1', userPrincipalName: a@x.example, displayName: A}]\ndrives: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if g, b, err := LoadFixtures(graphOnly); err != nil || g == nil || b != nil {
		t.Fatalf("graph only: %v %v %v", err, g, b)
	}
	if _, _, err := LoadFixtures(filepath.Join(dir, "nope.yaml")); err == nil {
		t.Fatal("a missing file loaded")
	}
}

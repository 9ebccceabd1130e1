package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/emulator/box"
)

// boxLine returns the value of a "name: value" line of stderr.
func boxLine(t *testing.T, stderr *syncBuffer, name string) string {
	t.Helper()
	for _, l := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(l, name+": "); ok {
			return v
		}
	}
	t.Fatalf("no %q line on stderr: %q", name, stderr.String())
	return ""
}

func TestRunBox(t *testing.T) {
	base, stderr := start(t, "--box-throttle-rps", "1", "--box-throttle-burst", "1", "--box-fault", "latency=1ms")
	origin := strings.TrimSuffix(base, "/v1.0")
	api := boxLine(t, stderr, "box-api")
	if api != origin+"/2.0" || boxLine(t, stderr, "box-token") != origin+"/oauth2/token" ||
		boxLine(t, stderr, "box-authorize") != origin+"/api/oauth2/authorize" {
		t.Fatalf("stderr %q", stderr.String())
	}
	// Graph without --tls still takes any token; Box takes only its own.
	if code := get(t, http.DefaultClient, base+"/me/drive"); code != 200 {
		t.Fatalf("graph: %d", code)
	}
	req, _ := http.NewRequest("GET", api+"/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+box.DemoDeveloperToken)
	for i, want := range []int{200, 429} {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, res.StatusCode, want)
		}
		if want == 429 && res.Header.Get("Retry-After") != "1" {
			t.Fatalf("retry-after %q", res.Header.Get("Retry-After"))
		}
	}
	if code := get(t, http.DefaultClient, api+"/users/me"); code != 401 {
		t.Fatalf("a foreign token: %d", code)
	}
	// The token endpoint answers Box's OAuth errors.
	res, err := http.PostForm(origin+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {box.DemoCCGClientID},
		"client_secret": {box.DemoCCGSecret}, "box_subject_type": {"enterprise"}, "box_subject_id": {box.DemoEnterpriseID}})
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || tok["access_token"] == nil {
		t.Fatalf("ccg: %d %v", res.StatusCode, tok)
	}
}

func TestRunBoxSeed(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(`box:
  enterprises: [{id: "7", name: Solo, plan: free}]
  users:
    - {id: "8", login: solo@x.example, name: Solo, enterprise: "7", developerToken: SoloToken,
       items: [{name: hello.txt, id: "9", size: 5}]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stderr := start(t, "--seed", seed)
	api := boxLine(t, stderr, "box-api")
	req, _ := http.NewRequest("GET", api+"/files/9?fields=name", nil)
	req.Header.Set("Authorization", "Bearer SoloToken")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != `{"type":"file","id":"9","etag":"0","name":"hello.txt"}` {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	// The file names no Graph part: Graph keeps its demo data.
	if code := get(t, http.DefaultClient, base+"/me/drive"); code != 200 {
		t.Fatalf("graph demo: %d", code)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("box:\n  enterprisse: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"--seed", bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "enterprisse") {
		t.Fatalf("unknown key: %v", err)
	}
	for _, args := range [][]string{{"--box-throttle-burst", "2"}, {"--box-throttle-rps", "-1"}, {"--box-fault", "colour=red"}} {
		if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

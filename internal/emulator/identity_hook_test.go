package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// fakeIdP is an IdentityProvider serving /idp/...: bearer "app" is app-only, "user:ID" a user, and
// anything else is refused.
type fakeIdP struct{ served int }

func (f *fakeIdP) Match(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/idp/") }
func (f *fakeIdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.served++
	w.WriteHeader(http.StatusTeapot)
}
func (f *fakeIdP) Authenticate(_ *http.Request, bearer string) (string, error) {
	if bearer == "app" {
		return "", nil
	}
	if id, ok := strings.CutPrefix(bearer, "user:"); ok {
		return id, nil
	}
	return "", errString("not issued here")
}

func TestIdentityProvider(t *testing.T) {
	idp := &fakeIdP{}
	e := newEnv(t, Options{Identity: idp, Faults: []Fault{{Status: 503, Times: 1}}})

	// identity requests go to the provider: no fault, not recorded, no request-id of Graph's
	r := e.get(e.ts.URL + "/idp/token")
	if r.status != http.StatusTeapot || idp.served != 1 {
		t.Fatalf("identity request: %d, served %d", r.status, idp.served)
	}
	if r.header.Get("request-id") != "" {
		t.Errorf("identity answer carries Graph's request-id")
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d Graph requests recorded, want 0", n)
	}
	if r := e.get("/drives/" + DemoPersonalDriveID); r.status != 503 {
		t.Errorf("the one-shot fault should still be there for Graph: %d", r.status)
	}

	if r := e.get("/me/drive"); r.status != 401 || r.errCode(t) != codeInvalidToken || !strings.Contains(string(r.body), "not issued here") {
		t.Errorf("foreign token: %d %s", r.status, r.body)
	}
	if m := e.get("/me/drive", "Authorization", "Bearer user:"+DemoMeganID).json(t); m["id"] != DemoMeganDriveID {
		t.Errorf("delegated /me/drive: %v", m["id"])
	}
	if r := e.get("/me/drive", "Authorization", "Bearer user:nobody"); r.status != 404 {
		t.Errorf("unknown user: %d %s", r.status, r.body)
	}

	// app-only: no /me, everything else works
	for _, p := range []string{"/me", "/me/drive", "/me/drive/root/children", "/ME/drive/items/x"} {
		r := e.get(p, "Authorization", "Bearer app")
		if r.status != 400 || r.errCode(t) != "BadRequest" {
			t.Errorf("app-only %s: %d %s", p, r.status, r.body)
			continue
		}
		if msg := r.json(t)["error"].(map[string]any)["message"]; msg != "/me request is only valid with delegated authentication flow." {
			t.Errorf("app-only %s: message %v", p, msg)
		}
	}
	for _, p := range []string{
		"/drives/" + DemoPersonalDriveID + "/root",
		"/users/" + DemoMeganPrincipal + "/drive",
		"/users/" + DemoUserID,
		"/groups/" + DemoGroupID + "/drive",
		"/sites/" + DemoSiteID + "/drive/root/children",
		"/shares/" + DemoSharedFolderShareID + "/driveItem",
		"/shares/" + DemoSharedFileShareID + "/driveItem", // organization link: the app is tenant-wide
	} {
		if r := e.get(p, "Authorization", "Bearer app"); r.status != 200 {
			t.Errorf("app-only %s: %d %s", p, r.status, r.body)
		}
	}
}

// An empty user id from Options.Authenticate means app-only, never the default user.
func TestAuthenticateAppOnly(t *testing.T) {
	e := newEnv(t, Options{Authenticate: func(*http.Request, string) (string, error) { return "", nil }})
	if r := e.get("/me/drive"); r.status != 400 || r.errCode(t) != "BadRequest" {
		t.Errorf("/me/drive: %d %s", r.status, r.body)
	}
	if r := e.get("/drives/" + DemoBusinessDriveID); r.status != 200 {
		t.Errorf("/drives: %d %s", r.status, r.body)
	}
}

// Options.Authenticate wins over the provider's.
func TestAuthenticateOverridesIdentity(t *testing.T) {
	e := newEnv(t, Options{Identity: &fakeIdP{}, Authenticate: func(*http.Request, string) (string, error) {
		return DemoMeganPrincipal, nil
	}})
	if m := e.get("/me").json(t); m["userPrincipalName"] != DemoMeganPrincipal {
		t.Errorf("/me: %v", m)
	}
}

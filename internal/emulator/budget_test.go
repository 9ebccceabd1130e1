package emulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func budgetEnv(t *testing.T, b Budget, auth func(*http.Request, string) (string, error)) (*testEnv, *fakeClock) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	return newEnv(t, Options{Budget: &b, Clock: clk.now, Authenticate: auth}), clk
}

func TestUnitCost(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/me/drive/root", 1},
		{"GET", "/me/drive/items/x", 1},
		{"GET", "/me/drive/items/x?$expand=children", 1},
		{"GET", "/me/drive/items/x/children", 2},
		{"GET", "/me/drive/root/delta", 2},
		{"GET", "/me/drive/root/delta?token=abc", 1},
		{"GET", "/me/drive/root/delta(token='abc')", 1},
		{"GET", "/me/drive/items/x/content", 1},
		{"GET", "/shares/u!x/driveItem/content", 1},
		{"GET", "/me/drive/items/x/permissions", 5},
		{"GET", "/me/drive/items/x?$expand=permissions", 5},
		{"DELETE", "/me/drive/items/x/permissions/p", 5},
		{"POST", "/me/drive/items/x/createLink", 5},
		{"POST", "/me/drive/items/x/microsoft.graph.invite", 5},
		{"POST", "/shares/u!x/permission/grant", 5},
		{"POST", "/me/drive/items/x/permissions/p/revokeGrants", 5},
		{"PATCH", "/me/drive/items/x", 2},
		{"DELETE", "/me/drive/items/x", 2},
	} {
		r := httptest.NewRequest(c.method, "http://x/v1.0"+c.path, nil)
		segs, _ := splitPath(strings.TrimPrefix(r.URL.EscapedPath(), "/v1.0"))
		if got := unitCost(r, segs, r.URL.Query()); got != c.want {
			t.Errorf("%s %s: %d units, want %d", c.method, c.path, got, c.want)
		}
	}
}

// TestBudget: 20 units a minute; the RateLimit-* headers appear at 80% (16 units) for a
// delegated caller only with HeadersForDelegated; a request that would go over answers 429 with
// Retry-After equal to RateLimit-Reset in whole seconds; the next window starts afresh.
func TestBudget(t *testing.T) {
	e, clk := budgetEnv(t, Budget{Units: 20, HeadersForDelegated: true}, nil)
	for i := 1; i <= 15; i++ {
		r := e.get("/me/drive/root")
		if r.status != 200 || r.header.Get("RateLimit-Limit") != "" {
			t.Fatalf("request %d (%d units): %d RateLimit-Limit %q", i, i, r.status, r.header.Get("RateLimit-Limit"))
		}
	}
	clk.advance(10 * time.Second)
	r := e.get("/me/drive/root") // 16 units: 80%
	if r.status != 200 || r.header.Get("RateLimit-Limit") != "20" || r.header.Get("RateLimit-Remaining") != "4" || r.header.Get("RateLimit-Reset") != "50" {
		t.Fatalf("at 80%%: %d %v", r.status, r.header)
	}
	// A permission list costs 5: 21 > 20.
	r = e.get(personalFile + "/permissions")
	if r.status != 429 || r.errCode(t) != "activityLimitReached" || r.header.Get("Retry-After") != "50" ||
		r.header.Get("RateLimit-Reset") != "50" || r.header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("over budget: %d %v %s", r.status, r.header, r.body)
	}
	// Throttled requests still count; a cheap request is refused too now.
	if r := e.get("/me/drive/root"); r.status != 429 {
		t.Errorf("after the 429: %d", r.status)
	}
	clk.advance(49500 * time.Millisecond)
	if r := e.get("/me/drive/root"); r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("0.5 s before the reset: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	clk.advance(500 * time.Millisecond)
	if r := e.get(personalFile + "/permissions"); r.status != 200 || r.header.Get("RateLimit-Limit") != "" {
		t.Errorf("next window: %d %v", r.status, r.header)
	}
	// Another client has its own budget.
	if r := e.get("/me/drive/root", "Authorization", "Bearer other"); r.status != 200 {
		t.Errorf("other client: %d", r.status)
	}
	if st := e.srv.Stats(); st.Throttled != 3 || st.ResourceUnits != 16+5+1+1+5+1 {
		t.Errorf("stats %+v", st)
	}
}

// TestBudgetBatch: each request of a batch is charged on its own (the envelope costs nothing),
// and a sub-request over the budget answers 429 inside the 200 batch with its own headers.
func TestBudgetBatch(t *testing.T) {
	e, _ := budgetEnv(t, Budget{Units: 20, Window: 10 * time.Second, HeadersForDelegated: true}, nil)
	r, a := e.batch(createLinkBatch(5, nil))
	if r.status != 200 || r.header.Get("RateLimit-Limit") != "" {
		t.Fatalf("batch: %d %v", r.status, r.header)
	}
	created, throttled := 0, 0
	for _, res := range a.Responses {
		switch res.Status {
		case 201:
			created++
		case 429:
			throttled++
			if res.Headers["Retry-After"] != "10" || res.Headers["RateLimit-Reset"] != "10" {
				t.Errorf("throttled sub-request headers %v", res.Headers)
			}
		}
	}
	if created != 4 || throttled != 1 {
		t.Errorf("%d created, %d throttled", created, throttled)
	}
	if st := e.srv.Stats(); st.ResourceUnits != 25 {
		t.Errorf("units %d, want 5 x 5", st.ResourceUnits)
	}
}

// TestBudgetHeadersAppOnly: SharePoint sends the RateLimit headers to app-only callers only.
func TestBudgetHeadersAppOnly(t *testing.T) {
	appOnly := func(*http.Request, string) (string, error) { return "", nil }
	delegated := func(*http.Request, string) (string, error) { return DemoUserPrincipal, nil }
	for _, c := range []struct {
		name string
		auth func(*http.Request, string) (string, error)
		want string
	}{{"app-only", appOnly, "10"}, {"delegated", delegated, ""}} {
		e, _ := budgetEnv(t, Budget{Units: 10}, c.auth)
		var r resp
		for range 9 {
			r = e.get("/drives/" + DemoPersonalDriveID + "/root")
		}
		if r.status != 200 || r.header.Get("RateLimit-Limit") != c.want {
			t.Errorf("%s: %d RateLimit-Limit %q, want %q", c.name, r.status, r.header.Get("RateLimit-Limit"), c.want)
		}
		e.get("/drives/" + DemoPersonalDriveID + "/root")
		r = e.get("/drives/" + DemoPersonalDriveID + "/root")
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Errorf("%s: over budget %d", c.name, r.status)
		}
	}
	if _, err := New(Options{Budget: &Budget{Units: 0}}); err == nil {
		t.Error("a budget of 0 units accepted")
	}
}

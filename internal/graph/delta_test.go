package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestDelta: the first request carries $top, $select and the Prefer header; every nextLink is
// followed with the same Prefer; the last page's deltaLink is returned; each page's items reach
// each in order.
func TestDelta(t *testing.T) {
	var s *server
	s = newServer(t,
		func(w http.ResponseWriter, r *http.Request) {
			reply(200, `{"value":[{"id":"1"},{"id":"2"}],"@odata.nextLink":"`+s.URL+`/v1.0/drives/d/items/x/delta?token=p2"}`)(w, r)
		},
		func(w http.ResponseWriter, r *http.Request) {
			reply(200, `{"value":[{"id":"3"}],"@odata.deltaLink":"`+s.URL+`/v1.0/drives/d/items/x/delta?token=end"}`)(w, r)
		})
	c, _ := s.client(t, nil)
	var ids []string
	link, err := c.Delta(context.Background(), "/drives/d/items/x", DeltaOptions{Top: 999, Select: []string{"id", "shared"}, Prefer: []string{"hierarchicalsharing"}},
		func(page []json.RawMessage) error {
			for _, raw := range page {
				var it struct{ ID string }
				_ = json.Unmarshal(raw, &it)
				ids = append(ids, it.ID)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(link, "/delta?token=end") || strings.Join(ids, ",") != "1,2,3" {
		t.Errorf("deltaLink %q, items %v", link, ids)
	}
	reqs := s.requests()
	if len(reqs) != 2 || reqs[0].RequestURI != "/v1.0/drives/d/items/x/delta?$top=999&$select=id,shared" ||
		reqs[1].RequestURI != "/v1.0/drives/d/items/x/delta?token=p2" {
		t.Fatalf("requests %+v", reqs)
	}
	for _, r := range reqs {
		if r.Header.Get("Prefer") != "hierarchicalsharing" {
			t.Errorf("%s without Prefer", r.RequestURI)
		}
	}
}

// TestDeltaResync: a 410 Gone comes back as the *Error IsResync knows.
func TestDeltaResync(t *testing.T) {
	s := newServer(t, reply(410, `{"error":{"code":"resyncRequired","message":"Resync required.","innerError":{"code":"resyncChangesApplyDifferences"}}}`))
	c, _ := s.client(t, nil)
	_, err := c.Delta(context.Background(), "/drives/d/items/x", DeltaOptions{}, func([]json.RawMessage) error { return nil })
	if !IsResync(err) || IsResync(nil) {
		t.Fatalf("err = %v", err)
	}
	if got := s.requests()[0].RequestURI; got != "/v1.0/drives/d/items/x/delta" {
		t.Errorf("request %q", got)
	}
}

// TestRelativeURL: a nextLink below the version root becomes a batch URL; anything else is refused.
func TestRelativeURL(t *testing.T) {
	c, err := New(Options{BaseURL: "https://graph.microsoft.com/v1.0", Tokens: staticTokens("t")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.RelativeURL("https://graph.microsoft.com/v1.0/drives/b%21x/items/1/permissions?$skiptoken=abc%3D")
	if err != nil || got != "/drives/b%21x/items/1/permissions?$skiptoken=abc%3D" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []string{
		"https://evil.example/v1.0/drives/x",
		"http://graph.microsoft.com/v1.0/drives/x",
		"https://graph.microsoft.com/beta/drives/x",
		"https://graph.microsoft.com/v1.0",
		"https://graph.microsoft.com/v1.0//evil.example/x",
		"/v1.0/drives/x",
	} {
		if got, err := c.RelativeURL(bad); err == nil {
			t.Errorf("%s: accepted as %q", bad, got)
		}
	}
}

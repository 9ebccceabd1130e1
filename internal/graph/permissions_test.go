package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/graph/api"
)

func TestItemAddressEachKind(t *testing.T) {
	link := "https://contoso.sharepoint.com/:f:/g/Fold?e=2"
	tok := EncodeSharingURL(link)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.RequestURI {
		case "/v1.0/shares/" + tok + "/driveItem":
			reply(200, `{"id":"IT/1","parentReference":{"driveId":"b!d+1"}}`)(w, r)
		case "/v1.0/shares/s!remote/driveItem":
			reply(200, `{"id":"LOCAL","parentReference":{"driveId":"mine"},"remoteItem":{"id":"REMOTE","parentReference":{"driveId":"theirs"}}}`)(w, r)
		case "/v1.0/shares/u!YQ/driveItem":
			reply(200, `{"id":"X"}`)(w, r)
		default:
			reply(404, `{"error":{"code":"itemNotFound","message":"no"}}`)(w, r)
		}
	})
	c, _ := s.client(t, nil)
	site := DriveRef{Kind: DriveOfSite, ID: "contoso.sharepoint.com,1,2"}
	cases := []struct {
		drive DriveRef
		arg   string
		want  string
		err   string
	}{
		{DriveRef{}, "01AB!2", "/me/drive/items/01AB%212", ""},
		{site, "/Docs/Q3 #1.xlsx", "/sites/contoso.sharepoint.com%2C1%2C2/drive/root:/Docs/Q3%20%231.xlsx:", ""},
		{DriveRef{Kind: DriveOfUser, ID: "a@b.c"}, "/", "/users/a%40b.c/drive/root", ""},
		{site, link, "/drives/b%21d%2B1/items/IT%2F1", ""},
		{DriveRef{}, "s!remote", "/drives/theirs/items/REMOTE", ""},
		{DriveRef{}, "u!YQ==", "", "did not return the item's drive id"},
		{DriveRef{}, "s!gone", "", "resolve share: itemNotFound: no (HTTP 404)"},
		{DriveRef{Kind: DriveByID}, "abc", "", "drive reference has no id"},
	}
	for _, tc := range cases {
		ref, err := ParseItemRef(tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.ItemAddress(context.Background(), tc.drive, ref)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ItemAddress(%q) = %q, %v; want %q, %q", tc.arg, got, err, tc.want, tc.err)
		}
	}
	if _, err := c.ItemAddress(context.Background(), DriveRef{}, ItemRef{}); err == nil {
		t.Error("empty ref: want error")
	}
	// Only the four share lookups reached Graph; ids and paths need no request.
	if n := len(s.requests()); n != 4 {
		t.Errorf("%d requests", n)
	}
}

func TestPermissionCalls(t *testing.T) {
	var s *server
	s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.RequestURI {
		case "GET /v1.0/drives/b%21d/items/I1/permissions":
			fmt.Fprintf(w, `{"value":[{"id":"p1"},{"id":"p2"}],"@odata.nextLink":"%s/v1.0/drives/b%%21d/items/I1/permissions?$skiptoken=a%%3D"}`, s.URL)
		case "GET /v1.0/drives/b%21d/items/I1/permissions?$skiptoken=a%3D":
			fmt.Fprint(w, `{"value":[{"id":"p3"}]}`)
		case "DELETE /v1.0/drives/b%21d/items/I1/permissions/aTowIy5mfG1lbWJlcnNoaXB8YUBiLmM%2F%2B%2F%3D":
			w.WriteHeader(204)
		case "PATCH /v1.0/me/drive/root:/a%20b.txt:/permissions/p%231":
			reply(200, `{"id":"p#1","roles":["read"],"expirationDateTime":"2030-01-01T00:00:00Z"}`)(w, r)
		case "DELETE /v1.0/me/drive/items/X/permissions/inherited":
			reply(403, `{"error":{"code":"accessDenied","message":"inherited"}}`)(w, r)
		case "DELETE /v1.0/me/drive/items/X/permissions/odd":
			reply(202, `{}`)(w, r)
		default:
			reply(404, `{"error":{"code":"itemNotFound","message":"`+r.Method+` `+r.RequestURI+`"}}`)(w, r)
		}
	})
	c, _ := s.client(t, nil)
	ctx := context.Background()
	var ids []string
	err := c.ListPermissions(ctx, "/drives/b%21d/items/I1", func(page []json.RawMessage) error {
		for _, raw := range page {
			var p api.Permission
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil || strings.Join(ids, ",") != "p1,p2,p3" {
		t.Fatalf("ListPermissions = %v, %v", ids, err)
	}
	// A SharePoint-style id with '/', '+', '?' and '=' stays one segment.
	if err := c.DeletePermission(ctx, "/drives/b%21d/items/I1", "aTowIy5mfG1lbWJlcnNoaXB8YUBiLmM/+/="); err != nil {
		t.Fatal(err)
	}
	perm, raw, err := c.UpdatePermission(ctx, "/me/drive/root:/a%20b.txt:", "p#1", api.PermissionUpdate{Roles: []string{"read"}, ExpirationDateTime: "2030-01-01T00:00:00Z"})
	if err != nil || perm.ID != "p#1" || perm.Roles[0] != "read" || string(raw) != `{"id":"p#1","roles":["read"],"expirationDateTime":"2030-01-01T00:00:00Z"}` {
		t.Fatalf("UpdatePermission = %+v, %s, %v", perm, raw, err)
	}
	var gerr *Error
	if err := c.DeletePermission(ctx, "/me/drive/items/X", "inherited"); !errors.As(err, &gerr) || gerr.Code != "accessDenied" {
		t.Errorf("403: %v", err)
	}
	if err := c.DeletePermission(ctx, "/me/drive/items/X", "odd"); err == nil || !strings.Contains(err.Error(), "unexpected HTTP 202") {
		t.Errorf("202: %v", err)
	}
	reqs := s.requests()
	want := []string{
		"GET /v1.0/drives/b%21d/items/I1/permissions",
		"GET /v1.0/drives/b%21d/items/I1/permissions?$skiptoken=a%3D",
		"DELETE /v1.0/drives/b%21d/items/I1/permissions/aTowIy5mfG1lbWJlcnNoaXB8YUBiLmM%2F%2B%2F%3D",
		"PATCH /v1.0/me/drive/root:/a%20b.txt:/permissions/p%231",
	}
	for i, w := range want {
		if got := reqs[i].Method + " " + reqs[i].RequestURI; got != w {
			t.Errorf("request %d = %s, want %s", i, got, w)
		}
	}
	if reqs[2].Body != "" || reqs[2].Header.Get("Content-Type") != "" {
		t.Errorf("DELETE sent a body: %q", reqs[2].Body)
	}
	if reqs[3].Body != `{"roles":["read"],"expirationDateTime":"2030-01-01T00:00:00Z"}` || reqs[3].Header.Get("Content-Type") != "application/json" {
		t.Errorf("PATCH body = %s", reqs[3].Body)
	}

	// Refused before any request.
	n := len(s.requests())
	if _, _, err := c.UpdatePermission(ctx, "/me/drive/items/X", "p", api.PermissionUpdate{}); err == nil {
		t.Error("empty update: want error")
	}
	if err := c.DeletePermission(ctx, "/me/drive/items/X", ""); err == nil {
		t.Error("empty id: want error")
	}
	if err := c.DeletePermission(ctx, "", "p"); err == nil {
		t.Error("empty address: want error")
	}
	if err := c.ListPermissions(ctx, "/me/drive/items/X?$expand=x", func([]json.RawMessage) error { return nil }); err == nil {
		t.Error("address with a query: want error")
	}
	if len(s.requests()) != n {
		t.Error("an invalid call reached the server")
	}
}

func TestListChildrenTopAndPaging(t *testing.T) {
	var s *server
	s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.RequestURI {
		case "/v1.0/drives/d/root:/A%20B:/children?$top=2":
			fmt.Fprintf(w, `{"value":[{"id":"1"},{"id":"2"}],"@odata.nextLink":"%s/v1.0/drives/d/items/AB/children?$top=2&$skiptoken=Z"}`, s.URL)
		case "/v1.0/drives/d/items/AB/children?$top=2&$skiptoken=Z":
			fmt.Fprint(w, `{"value":[]}`)
		case "/v1.0/me/drive/root/children":
			fmt.Fprint(w, `{"value":[{"id":"r"}]}`)
		case "/v1.0/shares/s!abc/driveItem/children?$top=5":
			fmt.Fprint(w, `{"value":[{"id":"s"}]}`)
		default:
			w.WriteHeader(404)
		}
	})
	c, _ := s.client(t, nil)
	ctx := context.Background()
	var pages []int
	collect := func(page []json.RawMessage) error { pages = append(pages, len(page)); return nil }
	if err := c.ListChildren(ctx, "/drives/d/root:/A%20B:", 2, collect); err != nil {
		t.Fatal(err)
	}
	if err := c.ListChildren(ctx, "/me/drive/root", 0, collect); err != nil {
		t.Fatal(err)
	}
	if err := c.ListShareChildren(ctx, "s!abc", PreferRedeem, 5, collect); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pages) != "[2 0 1 1]" {
		t.Errorf("pages = %v", pages)
	}
	if p := s.requests()[3].Header.Get("Prefer"); p != "redeemSharingLink" {
		t.Errorf("Prefer = %q", p)
	}
	if err := c.ListChildren(ctx, "/", 0, collect); err == nil {
		t.Error("empty address: want error")
	}
}

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

const permissionJSON = `{"id":"123ABC","roles":["write"],"link":{"type":"view","scope":"anonymous","webUrl":"https://1drv.ms/A6913278E564460AA616C71B28AD6EB6","application":{"id":"1234","displayName":"Sample Application"}},"hasPassword":false}`

func TestCreateLinkByPath(t *testing.T) {
	s := newServer(t, reply(201, permissionJSON))
	c, _ := s.client(t, nil)
	ref, err := ParseItemRef("/Q3 #1 100%.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateLink(context.Background(), DriveRef{}, ref, api.CreateLinkRequest{Type: api.LinkView, Scope: api.ScopeAnonymous})
	if err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	if r.Method != "POST" || r.RequestURI != "/v1.0/me/drive/root:/Q3%20%231%20100%25.xlsx:/createLink" {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	if r.Body != `{"type":"view","scope":"anonymous"}` {
		t.Errorf("body = %s", r.Body)
	}
	if !res.Created || res.Permission.ID != "123ABC" || res.Permission.Link.WebURL != "https://1drv.ms/A6913278E564460AA616C71B28AD6EB6" ||
		res.Permission.Link.Application.DisplayName != "Sample Application" {
		t.Errorf("result = %+v", res)
	}
	if string(res.Raw) != permissionJSON {
		t.Errorf("Raw changed: %s", res.Raw)
	}
	if res.DriveID != "" || res.ItemID != "" {
		t.Errorf("DriveID/ItemID set for a path: %q %q", res.DriveID, res.ItemID)
	}
}

func TestCreateLinkExistingAndUnexpectedStatus(t *testing.T) {
	s := newServer(t, reply(200, permissionJSON), reply(202, `{}`, "request-id", "r202"))
	c, _ := s.client(t, nil)
	item := ItemRef{Kind: ItemByID, Value: "01AB!2"}
	drive := DriveRef{Kind: DriveOfSite, ID: "contoso.sharepoint.com,1,2"}
	res, err := c.CreateLink(context.Background(), drive, item, api.CreateLinkRequest{Type: api.LinkEdit})
	if err != nil || res.Created {
		t.Fatalf("200: %+v, %v; want Created=false", res, err)
	}
	if got := s.requests()[0].RequestURI; got != "/v1.0/sites/contoso.sharepoint.com%2C1%2C2/drive/items/01AB%212/createLink" {
		t.Errorf("path = %s", got)
	}
	_, err = c.CreateLink(context.Background(), drive, item, api.CreateLinkRequest{Type: api.LinkEdit})
	if err == nil || err.Error() != "createLink: unexpected HTTP 202 Accepted from Graph (request-id r202)" {
		t.Errorf("202: err = %v", err)
	}
}

func TestCreateLinkThroughShare(t *testing.T) {
	link := "https://contoso.sharepoint.com/:w:/g/EaBc?e=1"
	tok := EncodeSharingURL(link)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.RequestURI {
		case "/v1.0/shares/" + tok + "/driveItem":
			reply(200, `{"id":"ITEM1","name":"a.docx","parentReference":{"driveId":"b!drv","id":"PARENT"}}`)(w, r)
		case "/v1.0/drives/b%21drv/items/ITEM1/createLink":
			reply(201, permissionJSON)(w, r)
		default:
			reply(404, `{"error":{"code":"itemNotFound","message":"no"}}`)(w, r)
		}
	})
	c, _ := s.client(t, nil)
	ref, err := ParseItemRef(link)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateLink(context.Background(), DriveRef{Kind: DriveOfUser, ID: "ignored"}, ref, api.CreateLinkRequest{Type: api.LinkView})
	if err != nil {
		t.Fatal(err)
	}
	if res.DriveID != "b!drv" || res.ItemID != "ITEM1" || !res.Created {
		t.Errorf("result = %+v", res)
	}
	if reqs := s.requests(); len(reqs) != 2 || reqs[0].Method != "GET" || reqs[1].Method != "POST" || reqs[0].Header.Get("Prefer") != "" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestCreateLinkThroughShareRemoteItemAndErrors(t *testing.T) {
	s := newServer(t,
		reply(200, `{"id":"LOCAL","remoteItem":{"id":"REMOTE","parentReference":{"driveId":"d2"}}}`),
		reply(201, permissionJSON),
		reply(404, `{"error":{"code":"itemNotFound","message":"The resource could not be found."}}`, "request-id", "r404"),
		reply(200, `{"id":"X"}`))
	c, _ := s.client(t, nil)
	ref := ItemRef{Kind: ItemByShareID, Value: "s!abc"}
	res, err := c.CreateLink(context.Background(), DriveRef{}, ref, api.CreateLinkRequest{Type: api.LinkView})
	if err != nil || res.DriveID != "d2" || res.ItemID != "REMOTE" {
		t.Fatalf("remote item: %+v, %v", res, err)
	}
	if got := s.requests()[1].RequestURI; got != "/v1.0/drives/d2/items/REMOTE/createLink" {
		t.Errorf("path = %s", got)
	}
	_, err = c.CreateLink(context.Background(), DriveRef{}, ref, api.CreateLinkRequest{Type: api.LinkView})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != 404 ||
		err.Error() != "resolve share: itemNotFound: The resource could not be found. (HTTP 404, request-id r404)" {
		t.Errorf("404: %v", err)
	}
	_, err = c.CreateLink(context.Background(), DriveRef{}, ref, api.CreateLinkRequest{Type: api.LinkView})
	if err == nil || !strings.Contains(err.Error(), "drive id") {
		t.Errorf("no driveId: %v", err)
	}
}

func TestSharesPreferAndDecode(t *testing.T) {
	s := newServer(t,
		reply(200, `{"id":"s1","name":"Plan.docx","owner":{"user":{"id":"u1","displayName":"Ada"}},"webUrl":"https://x"}`),
		reply(200, `{"id":"i1","name":"Plan.docx","size":12,"file":{"mimeType":"text/plain"}}`))
	c, _ := s.client(t, nil)
	sdi, raw, err := c.GetShare(context.Background(), "u!YQ", PreferRedeem)
	if err != nil || sdi.Owner.User.DisplayName != "Ada" || !json.Valid(raw) {
		t.Fatalf("GetShare = %+v, %s, %v", sdi, raw, err)
	}
	di, _, err := c.ResolveShare(context.Background(), "u!YQ==", PreferRedeemIfNecessary)
	if err != nil || di.Size != 12 || di.File.MimeType != "text/plain" || di.IsFolder() {
		t.Fatalf("ResolveShare = %+v, %v", di, err)
	}
	reqs := s.requests()
	want := []struct{ uri, prefer string }{
		{"/v1.0/shares/u!YQ", "redeemSharingLink"},
		{"/v1.0/shares/u!YQ/driveItem", "redeemSharingLinkIfNecessary"},
	}
	for i, w := range want {
		if reqs[i].RequestURI != w.uri || strings.Join(reqs[i].Header.Values("Prefer"), ",") != w.prefer {
			t.Errorf("request %d = %s Prefer=%q; want %s Prefer=%q", i, reqs[i].RequestURI, reqs[i].Header.Values("Prefer"), w.uri, w.prefer)
		}
	}
	for _, bad := range []string{"", "u!", "u!a/b", "s!x?y", "s!x#y", "u!a%2Fb", "s!a b"} {
		if _, _, err := c.GetShare(context.Background(), bad, PreferNone); err == nil {
			t.Errorf("GetShare(%q): want error", bad)
		}
	}
	if len(s.requests()) != 2 {
		t.Errorf("a bad token reached the server")
	}
}

func TestListShareChildrenPaging(t *testing.T) {
	var s *server
	s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.RequestURI {
		case "/v1.0/shares/s!abc/driveItem/children":
			fmt.Fprintf(w, `{"value":[{"id":"1","name":"a"},{"id":"2","name":"b"}],"@odata.nextLink":"%s/v1.0/shares/s!abc/driveItem/children?$skiptoken=X%%3D%%3D&$top=2"}`, s.URL)
		case "/v1.0/shares/s!abc/driveItem/children?$skiptoken=X%3D%3D&$top=2":
			fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/v1.0/page3?$skiptoken=Y"}`, s.URL)
		case "/v1.0/page3?$skiptoken=Y":
			fmt.Fprint(w, `{"@odata.context":"x","value":[{"id":"3","name":"c"}]}`)
		default:
			w.WriteHeader(404)
		}
	})
	c, _ := s.client(t, nil)
	var ids []string
	pages := 0
	err := c.ListShareChildren(context.Background(), "s!abc", PreferRedeemIfNecessary, 0, func(page []json.RawMessage) error {
		pages++
		for _, raw := range page {
			var di api.DriveItem
			if err := json.Unmarshal(raw, &di); err != nil {
				return err
			}
			ids = append(ids, di.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 3 || strings.Join(ids, ",") != "1,2,3" {
		t.Errorf("pages=%d ids=%v", pages, ids)
	}
	for _, r := range s.requests() {
		if r.Header.Get("Prefer") != "redeemSharingLinkIfNecessary" || r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("%s: Prefer=%q", r.RequestURI, r.Header.Get("Prefer"))
		}
	}
	stop := errors.New("stop")
	calls := 0
	err = c.ListShareChildren(context.Background(), "s!abc", PreferNone, 0, func([]json.RawMessage) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("callback error: %v after %d calls", err, calls)
	}
}

func TestListShareChildrenRefusesForeignNextLink(t *testing.T) {
	evil := newServer(t, reply(200, `{"value":[]}`))
	s := newServer(t, reply(200, `{"value":[{"id":"1"}],"@odata.nextLink":"`+evil.URL+`/v1.0/steal"}`))
	c, _ := s.client(t, nil)
	err := c.ListShareChildren(context.Background(), "s!abc", PreferNone, 0, func([]json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "refusing to follow @odata.nextLink") {
		t.Fatalf("err = %v", err)
	}
	if n := len(evil.requests()); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}

	var loop *server
	loop = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/v1.0/same"}`, loop.URL)
	})
	c2, _ := loop.client(t, nil)
	if err := c2.ListShareChildren(context.Background(), "s!abc", PreferNone, 0, func([]json.RawMessage) error { return nil }); err == nil {
		t.Error("a repeating nextLink should stop paging with an error")
	}

	bad := newServer(t, reply(200, `{"items":[]}`))
	c3, _ := bad.client(t, nil)
	if err := c3.ListShareChildren(context.Background(), "s!abc", PreferNone, 0, func([]json.RawMessage) error { return nil }); err == nil {
		t.Error("a page without value should be an error")
	}
}

func TestDriveWithoutID(t *testing.T) {
	s := newServer(t, reply(200, `{}`))
	c, _ := s.client(t, nil)
	if _, err := c.CreateLink(context.Background(), DriveRef{Kind: DriveByID}, ItemRef{Kind: ItemByID, Value: "x"}, api.CreateLinkRequest{}); err == nil {
		t.Error("CreateLink: want error")
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

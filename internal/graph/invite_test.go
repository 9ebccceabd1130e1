package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/graph/api"
)

func TestInviteByPathAndMultiStatus(t *testing.T) {
	body207 := `{"value":[{"id":"p1","roles":["read"]},{"id":"p2","roles":["read"],"error":{"code":"notAllowed","message":"m","innererror":{"code":"exchangeInvalidUser"}}}]}`
	s := newServer(t, reply(207, body207), reply(202, `{}`))
	c, _ := s.client(t, nil)
	ref, _ := ParseItemRef("/Q3 #1.xlsx")
	addr := DriveRef{}.ItemPath(ref)
	yes := true
	req := api.InviteRequest{Recipients: []api.DriveRecipient{{Email: "a@x.example"}, {Email: "b@x.example"}},
		RequireSignIn: &yes, SendInvitation: &yes, Roles: []string{"read"}}
	res, err := c.Invite(context.Background(), addr, req)
	if err != nil {
		t.Fatal(err)
	}
	r := s.requests()[0]
	if r.Method != "POST" || r.RequestURI != "/v1.0/me/drive/root:/Q3%20%231.xlsx:/invite" {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	want := `{"recipients":[{"email":"a@x.example"},{"email":"b@x.example"}],"requireSignIn":true,"sendInvitation":true,"roles":["read"]}`
	if r.Body != want {
		t.Errorf("body = %s\nwant %s", r.Body, want)
	}
	if res.Status != 207 || len(res.Value) != 2 || string(res.Raw) != body207 || !strings.Contains(string(res.Value[1]), "exchangeInvalidUser") {
		t.Errorf("result = %+v", res)
	}
	if _, err := c.Invite(context.Background(), addr, req); err == nil || !strings.Contains(err.Error(), "invite: unexpected HTTP 202") {
		t.Errorf("202: %v", err)
	}
}

func TestGrantAndSharePermission(t *testing.T) {
	s := newServer(t, reply(200, `{"id":"l1","roles":["write"],"link":{"scope":"users"}}`), reply(200, `{"value":[{"id":"l1"}]}`), reply(200, `{"nothing":1}`))
	c, _ := s.client(t, nil)
	token := EncodeSharingURL("https://1drv.ms/f/s!abc")
	p, _, err := c.GetSharePermission(context.Background(), token)
	if err != nil || p.ID != "l1" || p.Roles[0] != "write" {
		t.Fatalf("share permission: %+v %v", p, err)
	}
	res, err := c.Grant(context.Background(), token, api.GrantRequest{Recipients: []api.DriveRecipient{{Email: "a@x.example"}}, Roles: []string{"write"}})
	if err != nil || len(res.Value) != 1 {
		t.Fatalf("grant: %+v %v", res, err)
	}
	rs := s.requests()
	if rs[0].Method != "GET" || rs[0].RequestURI != "/v1.0/shares/"+token+"/permission" {
		t.Errorf("lookup = %s %s", rs[0].Method, rs[0].RequestURI)
	}
	if rs[1].Method != "POST" || rs[1].RequestURI != "/v1.0/shares/"+token+"/permission/grant" ||
		rs[1].Body != `{"recipients":[{"email":"a@x.example"}],"roles":["write"]}` {
		t.Errorf("grant = %s %s %s", rs[1].Method, rs[1].RequestURI, rs[1].Body)
	}
	// An answer without "value" is an error, not an empty success.
	if _, err := c.Grant(context.Background(), token, api.GrantRequest{Roles: []string{"write"}}); err == nil || !strings.Contains(err.Error(), `no "value" array`) {
		t.Errorf("no value: %v", err)
	}
	if _, err := c.Grant(context.Background(), "../me", api.GrantRequest{}); err == nil {
		t.Error("a token that changes the path was sent")
	}
}

func TestRevokeGrants(t *testing.T) {
	s := newServer(t, reply(200, `{"id":"a/b+c","link":{"scope":"users"}}`))
	c, _ := s.client(t, nil)
	raw, err := c.RevokeGrants(context.Background(), "/drives/b!x/items/01AB", "a/b+c", api.RevokeGrantsRequest{Grantees: []api.DriveRecipient{{Email: "a@x.example"}}})
	if err != nil || !strings.Contains(string(raw), `"users"`) {
		t.Fatalf("revokeGrants: %s %v", raw, err)
	}
	r := s.requests()[0]
	if r.Method != "POST" || r.RequestURI != "/v1.0/drives/b!x/items/01AB/permissions/a%2Fb%2Bc/revokeGrants" || r.Body != `{"grantees":[{"email":"a@x.example"}]}` {
		t.Errorf("request = %s %s %s", r.Method, r.RequestURI, r.Body)
	}
	if _, err := c.RevokeGrants(context.Background(), "/drives/b!x/items/01AB", "p", api.RevokeGrantsRequest{}); err == nil {
		t.Error("revokeGrants without grantees was sent")
	}
	if len(s.requests()) != 1 {
		t.Errorf("%d requests", len(s.requests()))
	}
}

package graph

import (
	"strings"
	"testing"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/sharing"
)

// A specific-people link as OneDrive for Business returns it: recipients in grantedToIdentitiesV2,
// one by email, one only by SharePoint loginName (shape of the permission resource's documented
// examples).
const peopleLink = `{"id":"00000000-0000-0000-0000-000000000001","roles":["read"],
"link":{"type":"view","scope":"users","webUrl":"https://contoso.sharepoint.com/:w:/g/E1"},
"expirationDateTime":"2099-01-01T00:00:00Z",
"grantedToIdentitiesV2":[
 {"user":{"displayName":"Megan Bowen","email":"MeganB@contoso.com","id":"u1"}},
 {"siteUser":{"displayName":"Adele Vance","loginName":"i:0#.f|membership|adelev@contoso.com","id":"7"}}]}`

func TestDifferences(t *testing.T) {
	p, err := decodePermission([]byte(peopleLink))
	if err != nil {
		t.Fatal(err)
	}
	req := func(mod func(*sharing.LinkSpec)) sharing.LinkSpec {
		r := sharing.LinkSpec{Type: "view", Scope: "users"}
		mod(&r)
		return r
	}
	to := func(emails ...string) []string { return emails }
	tests := []struct {
		name string
		req  sharing.LinkSpec
		want []string
	}{
		{"nothing asked", req(func(*sharing.LinkSpec) {}), nil},
		{"same recipients, any case", req(func(r *sharing.LinkSpec) { r.Recipients = to("meganb@contoso.com", "AdeleV@contoso.com") }), nil},
		{"a recipient missing", req(func(r *sharing.LinkSpec) { r.Recipients = to("meganb@contoso.com", "alex@contoso.com") }),
			[]string{"it is not for alex@contoso.com"}},
		{"same expiry within a minute", req(func(r *sharing.LinkSpec) { r.Expires = "2099-01-01T00:00:30Z" }), nil},
		{"other expiry", req(func(r *sharing.LinkSpec) { r.Expires = "2099-03-01T00:00:00Z" }),
			[]string{"it expires 2099-01-01 00:00 UTC (asked: 2099-03-01 00:00 UTC)"}},
		{"password", req(func(r *sharing.LinkSpec) { r.Password = "x" }), []string{"it has no password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sharing.Texts(Differences(tt.req, p))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("differences = %q, want %q", got, tt.want)
			}
		})
	}

	// Graph's "no expiry" is DateTime.MinValue.
	never, err := decodePermission([]byte(`{"id":"1","link":{"type":"view","scope":"anonymous"},"expirationDateTime":"0001-01-01T00:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	got := Differences(sharing.LinkSpec{Expires: "2099-01-01T00:00:00Z"}, never)
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "it never expires") || got[0].Setting != "expiry" || !got[0].Updatable {
		t.Errorf("differences = %+v", got)
	}
	// Only the expiry can be set on an existing link; a password or recipients need a new one.
	for _, d := range Differences(sharing.LinkSpec{Password: "x", Recipients: []string{"alex@contoso.com"}}, p) {
		if d.Updatable || d.Setting != map[bool]string{true: "password", false: "recipients"}[strings.Contains(d.Text, "password")] {
			t.Errorf("difference %+v", d)
		}
	}
}

func TestMatchesLink(t *testing.T) {
	p, err := decodePermission([]byte(`{"id":"p1","link":{"type":"view","scope":"anonymous",
"webUrl":"https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD?e=old"},"shareId":"s!AbC"}`))
	if err != nil {
		t.Fatal(err)
	}
	redir, err := decodePermission([]byte(`{"id":"p2","link":{"type":"view","webUrl":"https://onedrive.live.com/redir?resid=1!2&authkey=!A"}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		perm *sharing.Link
		arg  string
		want bool
	}{
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD?e=old", true},
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD", true},         // without ?e=
		{p, "https://CONTOSO.sharepoint.com/:w:/g/personal/megan/EaBcD?e=new#x", true}, // copied again
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcE", false},
		{p, "s!AbC", true},
		{p, "s!AbD", false},
		{p, msgraph.EncodeSharingURL("https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD"), true},
		{redir, "https://onedrive.live.com/redir?resid=1!2&authkey=!A", true},
		{redir, "https://onedrive.live.com/redir?resid=1!3&authkey=!A", false}, // the query names the link
	}
	for _, tt := range tests {
		ref, err := msgraph.ParseItemRef(tt.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := matchesLink(tt.perm, ref); got != tt.want {
			t.Errorf("matchesLink(%s, %q) = %v, want %v", tt.perm.ID, tt.arg, got, tt.want)
		}
	}
}

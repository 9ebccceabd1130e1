package link

import (
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
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
	req := func(mod func(*api.CreateLinkRequest)) api.CreateLinkRequest {
		r := api.CreateLinkRequest{Type: "view", Scope: "users"}
		mod(&r)
		return r
	}
	to := func(emails ...string) []api.DriveRecipient {
		var out []api.DriveRecipient
		for _, e := range emails {
			out = append(out, api.DriveRecipient{Email: e})
		}
		return out
	}
	tests := []struct {
		name string
		req  api.CreateLinkRequest
		want []string
	}{
		{"nothing asked", req(func(*api.CreateLinkRequest) {}), nil},
		{"same recipients, any case", req(func(r *api.CreateLinkRequest) { r.Recipients = to("meganb@contoso.com", "AdeleV@contoso.com") }), nil},
		{"a recipient missing", req(func(r *api.CreateLinkRequest) { r.Recipients = to("meganb@contoso.com", "alex@contoso.com") }),
			[]string{"it is not for alex@contoso.com"}},
		{"same expiry within a minute", req(func(r *api.CreateLinkRequest) { r.ExpirationDateTime = "2099-01-01T00:00:30Z" }), nil},
		{"other expiry", req(func(r *api.CreateLinkRequest) { r.ExpirationDateTime = "2099-03-01T00:00:00Z" }),
			[]string{"it expires 2099-01-01 00:00 UTC (asked: 2099-03-01 00:00 UTC)"}},
		{"password", req(func(r *api.CreateLinkRequest) { r.Password = "x" }), []string{"it has no password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := differences(tt.req, p)
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
	got := differences(api.CreateLinkRequest{ExpirationDateTime: "2099-01-01T00:00:00Z"}, never)
	if len(got) != 1 || !strings.HasPrefix(got[0], "it never expires") {
		t.Errorf("differences = %q", got)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/Reports/Q3.xlsx":           "/Reports/Q3.xlsx",
		"/Q3 #1 100%.xlsx":           "'/Q3 #1 100%.xlsx'",
		"it's":                       `'it'\''s'`,
		"https://1drv.ms/f/s!AbC":    "'https://1drv.ms/f/s!AbC'",
		"aTowIy5mfG1lbWJlcnNoaXB8aQ": "aTowIy5mfG1lbWJlcnNoaXB8aQ",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
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
		perm *permission
		arg  string
		want bool
	}{
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD?e=old", true},
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD", true},         // without ?e=
		{p, "https://CONTOSO.sharepoint.com/:w:/g/personal/megan/EaBcD?e=new#x", true}, // copied again
		{p, "https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcE", false},
		{p, "s!AbC", true},
		{p, "s!AbD", false},
		{p, graph.EncodeSharingURL("https://contoso.sharepoint.com/:w:/g/personal/megan/EaBcD"), true},
		{redir, "https://onedrive.live.com/redir?resid=1!2&authkey=!A", true},
		{redir, "https://onedrive.live.com/redir?resid=1!3&authkey=!A", false}, // the query names the link
	}
	for _, tt := range tests {
		ref, err := graph.ParseItemRef(tt.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := matchesLink(tt.perm, ref); got != tt.want {
			t.Errorf("matchesLink(%s, %q) = %v, want %v", tt.perm.ID, tt.arg, got, tt.want)
		}
	}
}

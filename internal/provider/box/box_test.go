package box

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/sharing"
)

func parse(t *testing.T, arg string) sharing.Item {
	t.Helper()
	it, err := (&Parser{}).Parse(arg)
	if err != nil {
		t.Fatalf("Parse(%q): %v", arg, err)
	}
	return it
}

func TestParseKinds(t *testing.T) {
	for arg, want := range map[string]sharing.Kind{
		"box:/Reports/q3.xlsx": sharing.ByPath, "box:file:123": sharing.ByID, "box:web_link:9": sharing.ByID,
		"https://app.box.com/s/abc123": sharing.BySharingURL, "https://acme.app.box.com/v/acme-q3-report": sharing.BySharingURL,
		"https://app.box.com/s/abc123/folder/456": sharing.BySharingURL,
	} {
		it := parse(t, arg)
		if it.Kind != want || !it.IsLink || !it.OneLink {
			t.Errorf("Parse(%q) = kind %v, IsLink %v, OneLink %v; want kind %v, a link that is the item", arg, it.Kind, it.IsLink, it.OneLink, want)
		}
	}
	if _, err := (&Parser{}).Parse("https://user:pw@app.box.com/s/abc"); !sharing.IsSensitive(err) {
		t.Errorf("a URL with user info: %v, want a sensitive usage error", err)
	}
	p := &Parser{}
	if !p.Claims("box:/x") || !p.Claims("https://ACME.box.com/s/x") || p.Claims("/Reports") || p.Claims("https://contoso.sharepoint.com/x") {
		t.Error("Claims takes the wrong arguments")
	}
}

func TestAsShareAndLocate(t *testing.T) {
	p := &Parser{}
	if _, err := p.AsShare(parse(t, "https://app.box.com/s/abc123")); err != nil {
		t.Errorf("a shared link refused as a share: %v", err)
	}
	if _, err := p.AsShare(parse(t, "box:folder:5")); err == nil || !strings.Contains(err.Error(), "not a shared link") {
		t.Errorf("an id accepted as a share: %v", err)
	}
	pc := sharing.ParseContext{Flags: []sharing.ContextFlag{{Name: "drive"}, {Name: "site", Value: "x", Given: true}}}
	var uf *sharing.UnsupportedFlag
	if err := p.Locate(pc, nil); !errors.As(err, &uf) || uf.Flag != "site" {
		t.Errorf("Locate with --site = %v, want --site refused", err)
	}
	if err := p.Locate(sharing.ParseContext{Flags: []sharing.ContextFlag{{Name: "drive"}}}, nil); err != nil {
		t.Errorf("Locate without flags = %v", err)
	}
}

func TestCheckSpec(t *testing.T) {
	no, yes := false, true
	folder, file := parse(t, "box:folder:5"), parse(t, "box:/a.txt")
	for _, c := range []struct {
		it   sharing.Item
		verb string
		spec sharing.LinkSpec
		want string // "" accepted
	}{
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{}, ""},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "view", Scope: "users"}, ""},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "embed"}, "--type embed has no Box equivalent"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "view", CanDownload: &no}, "contradicts --type view"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "blocksDownload", CanDownload: &yes}, "contradicts --type blocksDownload"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "edit", CanDownload: &no}, "contradicts --type edit"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "edit", Scope: "users"}, "--type edit needs --scope anonymous or organization"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{CanDownload: &yes, Scope: "users"}, "--can-download needs --scope"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Password: "Secret99", Scope: "organization"}, "needs --scope anonymous on Box"},
		{folder, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "edit"}, "--type edit is for files only: box:folder:5 is a Box folder"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "edit"}, ""}, // a path: checked once resolved
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{VanityName: "short"}, "invalid --vanity-name"},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{VanityName: "acme-q3-report-2026"}, ""},
		{file, sharing.VerbLinkCreate, sharing.LinkSpec{ClearExpiry: true}, "use them with `odshare link update`"},
		{file, sharing.VerbLinkUpdate, sharing.LinkSpec{ClearExpiry: true, ClearPassword: true}, ""},
	} {
		err := (&Parser{}).CheckSpec(c.it, c.verb, c.spec)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckSpec(%s, %+v) = %v, want %q", c.it.Input, c.spec, err, c.want)
		}
	}
}

func TestLinkParams(t *testing.T) {
	no := false
	exp := "2099-06-30T17:00:00Z"
	for _, c := range []struct {
		spec           sharing.LinkSpec
		update, collab bool
		want           string
	}{
		{sharing.LinkSpec{}, false, false, `{}`},
		{sharing.LinkSpec{Type: "view", Scope: "anonymous"}, false, false, `{"access":"open","permissions":{"can_download":true}}`},
		{sharing.LinkSpec{Type: "view", Scope: "anonymous"}, true, false, `{"access":"open","permissions":{"can_download":true,"can_edit":false}}`},
		{sharing.LinkSpec{Type: "edit"}, false, false, `{"permissions":{"can_download":true,"can_edit":true}}`},
		{sharing.LinkSpec{Type: "view", Scope: "users"}, false, false, `{"access":"collaborators"}`},
		{sharing.LinkSpec{Type: "view"}, false, true, `{}`},
		{sharing.LinkSpec{CanDownload: &no}, true, false, `{"permissions":{"can_download":false}}`},
		{sharing.LinkSpec{Expires: exp, Password: "Pa55word!", VanityName: "acme-q3-report"}, false, false,
			`{"password":"Pa55word!","vanity_name":"acme-q3-report","unshared_at":"2099-06-30T17:00:00+00:00"}`},
		{sharing.LinkSpec{ClearExpiry: true, ClearPassword: true}, true, false, `{"password":null,"unshared_at":null}`},
	} {
		p, err := linkParams(c.spec, c.update, c.collab)
		if err != nil {
			t.Errorf("linkParams(%+v): %v", c.spec, err)
			continue
		}
		b, _ := json.Marshal(p)
		if string(b) != c.want {
			t.Errorf("linkParams(%+v) = %s, want %s", c.spec, b, c.want)
		}
	}
	if _, err := linkParams(sharing.LinkSpec{Type: "blocksDownload"}, false, true); !errors.Is(err, errCollaboratorsOnly) {
		t.Errorf("blocksDownload on a collaborators-only item: %v", err)
	}
}

func TestDifferences(t *testing.T) {
	at := boxapi.At(time.Date(2099, 6, 30, 10, 0, 0, 0, time.FixedZone("PDT", -7*3600))) // 17:00 UTC
	sl := &boxapi.SharedLink{Access: boxapi.AccessOpen, UnsharedAt: &at, IsPasswordEnabled: true,
		Permissions: boxapi.LinkPermissions{CanDownload: true, CanPreview: true}, VanityName: "acme-q3-report"}
	yes, no := true, false
	for _, c := range []struct {
		spec  sharing.LinkSpec
		fresh bool
		want  []string // settings that differ
	}{
		{sharing.LinkSpec{Type: "view", Scope: "anonymous", Expires: "2099-06-30T17:00:30Z"}, false, nil}, // an instant, within a minute
		{sharing.LinkSpec{}, false, nil},
		{sharing.LinkSpec{Scope: "organization"}, false, []string{"scope"}},
		{sharing.LinkSpec{Type: "blocksDownload"}, false, []string{"type"}},
		{sharing.LinkSpec{Type: "edit"}, false, []string{"type"}},
		{sharing.LinkSpec{CanDownload: &no}, false, []string{"download"}},
		{sharing.LinkSpec{CanDownload: &yes}, false, nil},
		{sharing.LinkSpec{Expires: "2099-07-01T17:00:00Z"}, false, []string{"expiry"}},
		{sharing.LinkSpec{Password: "Pa55word!"}, false, []string{"password"}},
		{sharing.LinkSpec{Password: "Pa55word!"}, true, nil},
		{sharing.LinkSpec{VanityName: "ACME-Q3-REPORT"}, false, nil},
		{sharing.LinkSpec{VanityName: "acme-q4-report"}, false, []string{"vanity name"}},
	} {
		got := lacking(Differences(c.spec, sl, c.fresh))
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("Differences(%+v) = %v, want %v", c.spec, got, c.want)
		}
	}
	if d := Differences(sharing.LinkSpec{Expires: "2099-01-01T00:00:00Z"}, &boxapi.SharedLink{Access: boxapi.AccessOpen}, false); len(d) != 1 || !d[0].Updatable ||
		!strings.HasPrefix(d[0].Text, "it never expires") {
		t.Errorf("no expiry: %+v", d)
	}
}

func lacking(ds []sharing.Difference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Setting)
	}
	return out
}

func TestLinkOf(t *testing.T) {
	raw := json.RawMessage(`{"type":"file","id":"1","etag":"0","name":"a","shared_link":{"url":"https://app.box.com/s/x","access":"company",
"effective_access":"collaborators","effective_permission":"can_preview","unshared_at":"2099-06-30T10:00:00-07:00","is_password_enabled":false,
"permissions":{"can_download":false,"can_preview":true,"can_edit":false},"download_count":3,"preview_count":12,"vanity_url":null}}`)
	_, l, err := readItem(raw)
	if err != nil || l == nil {
		t.Fatalf("readItem: %v, %v", l, err)
	}
	if l.ID != "" || l.Type != "blocksDownload" || l.Scope != "organization" || l.Expires != "2099-06-30T10:00:00-07:00" || string(l.Raw) != string(raw) {
		t.Errorf("link = %+v", l)
	}
	extra := map[string]string{}
	for _, f := range l.Extra {
		extra[f.Name] = f.Value
	}
	if extra[colEffectiveAccess] != "collaborators" || extra[colDownloads] != "3" || extra[colPreviews] != "12" || extra[colVanityURL] != "" {
		t.Errorf("extra = %v", extra)
	}
	if _, l, _ := readItem(json.RawMessage(`{"type":"file","id":"1","shared_link":null}`)); l != nil {
		t.Errorf("no link read as %+v", l)
	}
}

func TestMatchLink(t *testing.T) {
	l := &sharing.Link{URL: "https://acme.app.box.com/s/abc", Extra: []sharing.Field{{Name: colVanityURL, Value: "https://acme.app.box.com/v/acme-q3-report"}}}
	p := &Provider{}
	for arg, want := range map[string]bool{
		"https://ACME.app.box.com/s/abc": true, "https://acme.app.box.com/v/acme-q3-report": true,
		"https://acme.app.box.com/s/other": false, "box:file:1": true,
	} {
		if got := p.MatchLink([]*sharing.Link{l}, parse(t, arg)) != nil; got != want {
			t.Errorf("MatchLink(%s) = %v, want %v", arg, got, want)
		}
	}
}

package graph

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator"
	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/sharing"
)

// The core's vocabulary is Graph's: the flags take Graph's values, in Graph's order.
func TestVocabularyIsGraphs(t *testing.T) {
	var types, scopes []string
	for _, v := range api.LinkTypes {
		types = append(types, string(v))
	}
	for _, v := range api.LinkScopes {
		scopes = append(scopes, string(v))
	}
	if !reflect.DeepEqual(types, sharing.LinkTypes) || !reflect.DeepEqual(scopes, sharing.Scopes) {
		t.Errorf("sharing has %v %v, Graph %v %v", sharing.LinkTypes, sharing.Scopes, types, scopes)
	}
}

func TestParse(t *testing.T) {
	p := &Parser{}
	for _, tt := range []struct {
		arg              string
		kind             sharing.Kind
		isLink, maybeDir bool
	}{
		{"/Reports/Q3.xlsx", sharing.ByPath, false, false},
		{"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", sharing.ByID, false, false},
		{"Notes.txt", sharing.ByID, false, true},
		{emulator.DemoSharedFolderURL, sharing.BySharingURL, true, false},
		{"s!AbC", sharing.ByShareID, true, false},
	} {
		it, err := p.Parse(tt.arg)
		if err != nil || it.Kind != tt.kind || it.IsLink != tt.isLink || it.MaybePath != tt.maybeDir || Ref(it).Value != tt.arg {
			t.Errorf("Parse(%q) = %+v, %v", tt.arg, it, err)
		}
	}
	_, err := p.Parse("https://user:pw@contoso.sharepoint.com/x")
	if !sharing.IsSensitive(err) || strings.Contains(err.Error(), "pw@") {
		t.Errorf("user info: %v", err)
	}
	if _, err := p.Parse("a/b"); sharing.IsSensitive(err) || err == nil {
		t.Errorf("a/b: %v", err)
	}
}

func TestLocate(t *testing.T) {
	ctx := func(kv ...string) sharing.ParseContext {
		pc := sharing.ParseContext{}
		for _, name := range []string{"drive", "user", "group", "site"} {
			f := sharing.ContextFlag{Name: name}
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == name {
					f.Value, f.Given = kv[i+1], true
				}
			}
			pc.Flags = append(pc.Flags, f)
		}
		return pc
	}
	appOnly := false
	p := &Parser{AppOnly: func() (bool, error) { return appOnly, nil }}
	path, _ := p.Parse("/Reports")
	share, _ := p.Parse("s!AbC")
	for _, tt := range []struct {
		pc      sharing.ParseContext
		want    msgraph.DriveRef
		wantErr string
	}{
		{pc: ctx(), want: msgraph.DriveRef{Kind: msgraph.DriveMe}},
		{pc: ctx("user", "megan@contoso.com"), want: msgraph.DriveRef{Kind: msgraph.DriveOfUser, ID: "megan@contoso.com"}},
		{pc: ctx("site", "https://contoso.sharepoint.com/sites/Eng/Shared%20Documents"), want: msgraph.DriveRef{Kind: msgraph.DriveOfSiteURL, ID: "contoso.sharepoint.com:/sites/Eng"}},
		{pc: ctx("site", "s1"), want: msgraph.DriveRef{Kind: msgraph.DriveOfSite, ID: "s1"}},
		{pc: ctx("drive", "d", "group", "g"), wantErr: "specify only one of --drive, --user, --group or --site"},
		{pc: ctx("group", ""), wantErr: "--group must not be blank"},
		{pc: ctx("drive", "  "), wantErr: "--drive must not be blank"},
		{pc: ctx("site", "http://contoso.sharepoint.com/sites/x"), wantErr: "--site: site URL"},
	} {
		it := path
		err := p.Locate(tt.pc, []*sharing.Item{&it})
		if tt.wantErr != "" {
			var ue *sharing.UsageError
			if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%v: err = %v, want %q", tt.pc, err, tt.wantErr)
			}
			continue
		}
		if err != nil || Drive(it) != tt.want {
			t.Errorf("%v: drive %+v, %v; want %+v", tt.pc, Drive(it), err, tt.want)
		}
	}
	appOnly = true
	it := path
	if err := p.Locate(ctx(), []*sharing.Item{&it}); err == nil || err.Error() != "app-only sign-in has no /me drive: pass --drive, --user, --group or --site" {
		t.Errorf("app-only /me: %v", err)
	}
	if err := p.Locate(ctx(), []*sharing.Item{&share}); err != nil {
		t.Errorf("app-only share: %v", err)
	}
	if err := p.Locate(ctx("user", "u"), []*sharing.Item{&it}); err != nil {
		t.Errorf("app-only --user: %v", err)
	}
}

func TestAsShare(t *testing.T) {
	p := &Parser{}
	for arg, want := range map[string]string{"FWxc1las": "FWxc1las", "s!AbC": "s!AbC", "u!aHR0cHM6Ly94Lw==": "u!aHR0cHM6Ly94Lw",
		"https://1drv.ms/f/s!A": "u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFB"} {
		it, _ := p.Parse(arg)
		s, err := p.AsShare(it)
		if err != nil || ShareToken(s) != want || s.Input != arg {
			t.Errorf("AsShare(%q) = %q, %v; want %q", arg, ShareToken(s), err, want)
		}
	}
	it, _ := p.Parse("a+b")
	if _, err := p.AsShare(it); err == nil {
		t.Error("a share id with '+' accepted")
	}
	it, _ = p.Parse("/Reports")
	if _, err := p.AsShare(it); err == nil {
		t.Error("a path accepted as a share")
	}
}

func TestSupportsAndCheckSpec(t *testing.T) {
	p := &Parser{}
	if !p.Supports(sharing.VerbLinkCreate, "recipient") || p.Supports(sharing.VerbLinkList, "recipient") ||
		!p.Supports(sharing.AnyVerb, "redeem") || p.Supports(sharing.AnyVerb, "vanity-name") {
		t.Error("Supports misreads the flag table")
	}
	yes := true
	for spec, flag := range map[*sharing.LinkSpec]string{
		{VanityName: "q3"}: "vanity-name", {CanDownload: &yes}: "can-download", {ClearPassword: true}: "no-password",
	} {
		var uf *sharing.UnsupportedFlag
		if err := p.CheckSpec(sharing.Item{}, sharing.VerbLinkUpdate, *spec); !errors.As(err, &uf) || uf.Flag != flag {
			t.Errorf("CheckSpec(%+v) = %v, want --%s refused", *spec, err, flag)
		}
	}
	for spec, want := range map[*sharing.LinkSpec]string{
		{ClearExpiry: true}:                       "--expires never removes a link's expiry, which Graph cannot do",
		{Scope: "users"}:                          "missing --type",
		{Type: "view", Scope: "users"}:            "--scope users needs at least one --recipient",
		{Type: "view", Recipients: []string{"a"}}: "--recipient needs --scope users",
	} {
		verb := sharing.VerbLinkCreate
		if spec.ClearExpiry {
			verb = sharing.VerbLinkUpdate
		}
		var ue *sharing.UsageError
		if err := p.CheckSpec(sharing.Item{}, verb, *spec); !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("CheckSpec(%+v) = %v, want %q", *spec, err, want)
		}
	}
	if err := p.CheckSpec(sharing.Item{}, sharing.VerbLinkCreate, sharing.LinkSpec{Type: "view", Scope: "users", Password: "x", Recipients: []string{"a@b.c"}}); err != nil {
		t.Errorf("CheckSpec(Graph's own) = %v", err)
	}
}

func newProvider(t *testing.T) *Provider {
	t.Helper()
	emu, err := emulator.New(emulator.Options{RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c, err := msgraph.New(msgraph.Options{BaseURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Tokens: staticToken("test-token"),
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return New(c)
}

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

// The provider's calls against the emulator: create, find again, list, match by URL, update,
// delete.
func TestProviderLinks(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	parser := &Parser{}
	it, _ := parser.Parse("/Reports/Summary.pdf")
	res, err := p.CreateLink(ctx, it, sharing.LinkSpec{Type: "view", Scope: "anonymous"})
	if err != nil || res.Status != sharing.StatusCreated || !res.Link.IsLink || res.Link.Type != "view" || res.Link.URL == "" || len(res.Differences) != 0 {
		t.Fatalf("CreateLink = %+v, %v", res, err)
	}
	again, err := p.CreateLink(ctx, it, sharing.LinkSpec{Type: "view", Scope: "anonymous", Password: "pw"})
	if err != nil || again.Status != sharing.StatusExisting || again.Link.ID != res.Link.ID ||
		len(again.Differences) != 1 || again.Differences[0].Setting != "password" || again.Differences[0].Updatable {
		t.Fatalf("CreateLink again = %+v, %v", again, err)
	}
	target, err := p.Open(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	links, err := p.ListLinks(ctx, target, false)
	if err != nil {
		t.Fatal(err)
	}
	byURL, _ := parser.Parse(res.Link.URL + "?e=x1")
	if m := p.MatchLink(links, byURL); m == nil || m.ID != res.Link.ID {
		t.Errorf("MatchLink(URL?e=) = %+v", m)
	}
	other, _ := parser.Parse("https://1drv.ms/u/s!nothere")
	if m := p.MatchLink(links, other); m != nil {
		t.Errorf("MatchLink(other) = %+v", m)
	}
	all, err := p.ListLinks(ctx, target, true)
	if err != nil || len(all) <= len(links) {
		t.Errorf("ListLinks(all) = %d, %v; links %d", len(all), err, len(links))
	}
	got, err := p.GetLink(ctx, target, res.Link.ID)
	if err != nil || got.ID != res.Link.ID || string(got.Raw) == "" {
		t.Errorf("GetLink = %+v, %v", got, err)
	}
	exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
	upd, err := p.UpdateLink(ctx, target, res.Link.ID, sharing.LinkSpec{Expires: exp})
	if err != nil || upd.Expires == "" {
		t.Errorf("UpdateLink = %+v, %v", upd, err)
	}
	if status, err := p.DeleteLink(ctx, target, res.Link); err != nil || status != 204 {
		t.Errorf("DeleteLink = %d, %v", status, err)
	}
	_, err = p.GetLink(ctx, target, res.Link.ID)
	if sharing.StatusOf(err) != 404 {
		t.Errorf("GetLink after delete: %v", err)
	}
}

func TestProviderShares(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	parser := &Parser{}
	it, _ := parser.Parse(emulator.DemoSharedFolderURL)
	sh, err := p.GetShare(ctx, it, sharing.ShareOptions{WithItem: true})
	if err != nil || sh.Name == "" || sh.Item == nil || !sh.Item.IsFolder || !strings.Contains(string(sh.Raw), `"driveItem":{`) {
		t.Fatalf("GetShare = %+v, %v", sh, err)
	}
	root, err := p.GetSharedItem(ctx, it, sharing.ShareOptions{})
	if err != nil || root.Name != sh.Item.Name {
		t.Fatalf("GetSharedItem = %+v, %v", root, err)
	}
	var folder *sharing.Folder
	n := 0
	err = p.ListChildren(ctx, it, sharing.Folder{}, sharing.ListOptions{PageSize: 2}, func(page []sharing.Entry) error {
		for _, e := range page {
			n++
			if e.Err != nil || e.Name == "" || len(e.Raw) == 0 {
				t.Errorf("entry %+v", e)
			}
			if e.Folder != nil && folder == nil {
				folder = e.Folder
			}
		}
		return nil
	})
	if err != nil || n == 0 || folder == nil {
		t.Fatalf("ListChildren: %d entries, folder %v, %v", n, folder, err)
	}
	sub := 0
	if err := p.ListChildren(ctx, it, *folder, sharing.ListOptions{RawOnly: true}, func(page []sharing.Entry) error {
		for _, e := range page {
			if e.Name != "" || len(e.Raw) == 0 {
				t.Errorf("RawOnly entry %+v", e)
			}
		}
		sub += len(page)
		return nil
	}); err != nil || sub == 0 {
		t.Errorf("ListChildren(subfolder) = %d, %v", sub, err)
	}
	p.SetMaxPages(1)
	err = p.ListChildren(ctx, it, sharing.Folder{}, sharing.ListOptions{PageSize: 1}, func([]sharing.Entry) error { return nil })
	if !sharing.IsPageLimit(err) {
		t.Errorf("page bound: %v", err)
	}
}

package graph

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEncodeSharingURL(t *testing.T) {
	cases := []struct {
		name, url, want string
	}{
		// Microsoft's documented example [SG]; the expected value was recomputed independently (Python's
		// base64.urlsafe_b64encode without '=') and agrees with the doc.
		{"documented example", "https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1",
			"u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMjMxMjQ0MTkzOTEyITEyJmF1dGhLZXk9MTIwMTkxOSExMjkyMSEx"},
		{"sharepoint", "https://contoso.sharepoint.com/:x:/s/team/EaBc_-1?e=Xy%2Bz",
			"u!aHR0cHM6Ly9jb250b3NvLnNoYXJlcG9pbnQuY29tLzp4Oi9zL3RlYW0vRWFCY18tMT9lPVh5JTJCeg"},
		{"1drv.ms", "https://1drv.ms/f/s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ",
			"u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBdk5NUlk0bWwyV1BnWnBtWWlGRE9oTnlGZ2FrUlE"},
		{"non-ASCII uses _ not /", "https://example.com/é/ü?q=🙂", "u!aHR0cHM6Ly9leGFtcGxlLmNvbS_DqS_DvD9xPfCfmYI"},
		{"no padding 1", "a", "u!YQ"},
		{"no padding 2", "ab", "u!YWI"},
		{"no padding 0", "abc", "u!YWJj"},
		{"underscore not slash", "?>?", "u!Pz4_"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := EncodeSharingURL(c.url); got != c.want {
				t.Errorf("EncodeSharingURL(%q) = %q, want %q", c.url, got, c.want)
			}
			got, err := DecodeShareToken(c.want)
			if err != nil || got != c.url {
				t.Errorf("DecodeShareToken(%q) = %q, %v; want %q", c.want, got, err, c.url)
			}
		})
	}
}

func TestDecodeShareToken(t *testing.T) {
	if got, err := DecodeShareToken("u!YQ=="); err != nil || got != "a" {
		t.Errorf("padded: got %q, %v", got, err)
	}
	bad := []struct{ name, token string }{
		{"no prefix", "YWJj"},
		{"s! prefix", "s!YWJj"},
		{"uppercase prefix", "U!YWJj"},
		{"empty", "u!"},
		{"std alphabet", "u!Pz4/"},
		{"plus", "u!Pz4+"},
		{"bad length", "u!Y"},
		{"space", "u!YW Jj"},
		{"not UTF-8", "u!_w"}, // 0xff
	}
	for _, c := range bad {
		if got, err := DecodeShareToken(c.token); err == nil {
			t.Errorf("%s: DecodeShareToken(%q) = %q, want error", c.name, c.token, got)
		}
	}
}

func TestEscapePath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/Q3 #1 100%.xlsx", "/Q3%20%231%20100%25.xlsx"},
		{"/a?b", "/a%3Fb"},
		{"/it's", "/it%27s"},
		{"/a+b", "/a%2Bb"},
		{"/café/Über", "/caf%C3%A9/%C3%9Cber"},
		{"/🙂.txt", "/%F0%9F%99%82.txt"},
		{"/saved_game[1].bin", "/saved_game%5B1%5D.bin"},
		{"/a:b", "/a%3Ab"},
		{"/Docs/Report (final) & co;=@!$,*.docx", "/Docs/Report%20%28final%29%20%26%20co%3B%3D%40%21%24%2C%2A.docx"},
		{"/plain-name_1.2~x", "/plain-name_1.2~x"},
		{"/a\\b", "/a%5Cb"},
	}
	for _, c := range cases {
		if got := EscapePath(c.in); got != c.want {
			t.Errorf("EscapePath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseItemRef(t *testing.T) {
	ok := []struct {
		in   string
		kind ItemKind
	}{
		{"/", ItemByPath},
		{"/Documents/a b.pdf", ItemByPath},
		{"/Docs/", ItemByPath},
		{"/a/.hidden/b..c", ItemByPath},
		{"/Q3 #1 100%.xlsx", ItemByPath},
		{"https://contoso.sharepoint.com/:w:/g/EaBc?e=1", ItemBySharingURL},
		{"HTTPS://1drv.ms/f/s!Av", ItemBySharingURL},
		{"http://localhost:8080/x", ItemBySharingURL},
		{"u!aHR0cHM6Ly9leGFtcGxlLmNvbS8", ItemByShareID},
		{"u!YQ==", ItemByShareID},
		{"s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ", ItemByShareID},
		{"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", ItemByID},
		{"1231244193912!12", ItemByID},
		{"!LKj1lkdlals90j1nlkascl", ItemByID},
		{"root", ItemByID},
	}
	for _, c := range ok {
		ref, err := ParseItemRef(c.in)
		if err != nil {
			t.Errorf("ParseItemRef(%q): %v", c.in, err)
			continue
		}
		if ref.Kind != c.kind || ref.Value != c.in {
			t.Errorf("ParseItemRef(%q) = %+v, want kind %v value as given", c.in, ref, c.kind)
		}
	}
	bad := []struct{ in, wantErr string }{
		{"", "empty"},
		{"   \t", "empty"},
		{"//a", "empty segment"},
		{"/a//b", "empty segment"},
		{"/a/./b", `"." segment`},
		{"/a/..", `".." segment`},
		{"/../etc", `".." segment`},
		{"/a\nb", "control characters"},
		{"abc\x1b[31m", "control characters"},
		{"/a\x7f", "control characters"},
		{"ab/cd", "contains '/'"},
		{"https://", "not an absolute URL"},
		{"https:///path", "not an absolute URL"},
		{"http://[::1", "not an absolute URL"},
		{"u!", "empty"},
		{"u!abc/def", "contains"},
		{"s!a?b", "contains"},
		{"s!a%2Fb", "contains"},
		{"u!Y", "base64"},
		{"/a\xffb", "UTF-8"},
	}
	for _, c := range bad {
		ref, err := ParseItemRef(c.in)
		if err == nil {
			t.Errorf("ParseItemRef(%q) = %+v, want error", c.in, ref)
			continue
		}
		if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("ParseItemRef(%q) error %q, want it to mention %q", c.in, err, c.wantErr)
		}
	}
}

func TestDriveRefPath(t *testing.T) {
	cases := []struct {
		ref  DriveRef
		want string
	}{
		{DriveRef{}, "/me/drive"},
		{DriveRef{Kind: DriveMe, ID: "ignored"}, "/me/drive"},
		{DriveRef{Kind: DriveByID, ID: "b!AbC-_x"}, "/drives/b%21AbC-_x"},
		{DriveRef{Kind: DriveByID, ID: "a/b?c#d"}, "/drives/a%2Fb%3Fc%23d"},
		{DriveRef{Kind: DriveOfUser, ID: "ada@contoso.com"}, "/users/ada%40contoso.com/drive"},
		{DriveRef{Kind: DriveOfGroup, ID: "0f1e"}, "/groups/0f1e/drive"},
		{DriveRef{Kind: DriveOfSite, ID: "contoso.sharepoint.com,2C71,2D22"}, "/sites/contoso.sharepoint.com%2C2C71%2C2D22/drive"},
		{DriveRef{Kind: DriveOfSite, ID: "../../me"}, "/sites/..%2F..%2Fme/drive"},
	}
	for _, c := range cases {
		if got := c.ref.Path(); got != c.want {
			t.Errorf("%+v.Path() = %q, want %q", c.ref, got, c.want)
		}
	}
}

func TestItemPathAndAction(t *testing.T) {
	me := DriveRef{}
	byID := DriveRef{Kind: DriveByID, ID: "d1"}
	cases := []struct {
		drive            DriveRef
		ref              ItemRef
		wantItem, wantCL string
	}{
		{me, ItemRef{ItemByID, "01ABC"}, "/me/drive/items/01ABC", "/me/drive/items/01ABC/createLink"},
		{byID, ItemRef{ItemByID, "123!45"}, "/drives/d1/items/123%2145", "/drives/d1/items/123%2145/createLink"},
		{me, ItemRef{ItemByPath, "/a b"}, "/me/drive/root:/a%20b:", "/me/drive/root:/a%20b:/createLink"},
		{me, ItemRef{ItemByPath, "/Docs/"}, "/me/drive/root:/Docs:", "/me/drive/root:/Docs:/createLink"},
		{me, ItemRef{ItemByPath, "/Q3 #1 100%.xlsx"}, "/me/drive/root:/Q3%20%231%20100%25.xlsx:", "/me/drive/root:/Q3%20%231%20100%25.xlsx:/createLink"},
		{me, ItemRef{ItemByPath, "/"}, "/me/drive/root", "/me/drive/root/createLink"},
		{byID, ItemRef{ItemByShareID, "s!Abc"}, "/shares/s!Abc/driveItem", "/shares/s!Abc/driveItem/createLink"},
		{me, ItemRef{ItemByShareID, "u!YQ=="}, "/shares/u!YQ/driveItem", "/shares/u!YQ/driveItem/createLink"},
		{me, ItemRef{ItemBySharingURL, "a"}, "/shares/u!YQ/driveItem", "/shares/u!YQ/driveItem/createLink"},
	}
	for _, c := range cases {
		got := c.drive.ItemPath(c.ref)
		if got != c.wantItem {
			t.Errorf("ItemPath(%+v) = %q, want %q", c.ref, got, c.wantItem)
		}
		if cl := ItemActionPath(got, "createLink"); cl != c.wantCL {
			t.Errorf("ItemActionPath(%q) = %q, want %q", got, cl, c.wantCL)
		}
	}
	if got := ItemActionPath("/me/drive/items/x/", "/permissions"); got != "/me/drive/items/x/permissions" {
		t.Errorf("slashes not normalised: %q", got)
	}
}

func TestShareToken(t *testing.T) {
	if got := ShareToken(ItemRef{ItemBySharingURL, "a"}); got != "u!YQ" {
		t.Errorf("sharing URL: %q", got)
	}
	if got := ShareToken(ItemRef{ItemByShareID, "s!x"}); got != "s!x" {
		t.Errorf("share id: %q", got)
	}
	if got := ShareToken(ItemRef{ItemByID, "x"}); got != "" {
		t.Errorf("item id: %q", got)
	}
}

func FuzzShareTokenRoundTrip(f *testing.F) {
	for _, s := range []string{
		"https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1",
		"https://contoso.sharepoint.com/:x:/s/team/EaBc?e=1", "a", "ab", "abc", "é", "🙂", "?>?", "", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok := EncodeSharingURL(s)
		if strings.ContainsAny(tok, "+/=") || !strings.HasPrefix(tok, "u!") {
			t.Fatalf("EncodeSharingURL(%q) = %q: not unpadded base64url", s, tok)
		}
		got, err := DecodeShareToken(tok)
		if s == "" || !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("DecodeShareToken(%q) = %q, want error for %q", tok, got, s)
			}
			return
		}
		if err != nil || got != s {
			t.Fatalf("round trip %q -> %q -> %q, %v", s, tok, got, err)
		}
		if err := checkShareToken(tok); err != nil {
			t.Fatalf("encoded token %q not accepted as a share token: %v", tok, err)
		}
	})
}

func FuzzParseItemRef(f *testing.F) {
	for _, s := range []string{
		"/", "/a b/c#d?e%f", "//a", "/a/../b", "https://x/y", "http://", "u!YQ", "s!abc", "u!a/b", "id!1",
		"a/b", " ", "/é/🙂/[1]:+", "/a/", "\x00", "/a\x1b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseItemRef(s)
		if err != nil {
			return
		}
		if ref.Value != s {
			t.Fatalf("value %q not kept as given for %q", ref.Value, s)
		}
		p := DriveRef{}.ItemPath(ref)
		switch ref.Kind {
		case ItemByPath:
			esc := EscapePath(s)
			if strings.ContainsAny(esc, "+#? ") {
				t.Fatalf("EscapePath(%q) = %q has a raw '+', '#', '?' or space", s, esc)
			}
			if strings.ContainsAny(p, "+#? ") {
				t.Fatalf("ItemPath(%q) = %q has a raw '+', '#', '?' or space", s, p)
			}
		case ItemByID:
			if strings.Contains(s, "/") {
				t.Fatalf("id %q with '/' accepted", s)
			}
			if strings.Count(p, "/") != 4 || strings.ContainsAny(p, "+#? ") {
				t.Fatalf("ItemPath(%q) = %q is not one escaped segment", s, p)
			}
		case ItemByShareID, ItemBySharingURL:
			if strings.ContainsAny(ShareToken(ref), "/?#%+ ") {
				t.Fatalf("share token for %q unsafe in a path: %q", s, ShareToken(ref))
			}
		}
	})
}

// TestEscapeSegmentDotIDs: ids made of dots would be dot-segments that a normalising proxy
// resolves (".../permissions/.." becomes the item); they go out encoded.
func TestEscapeSegmentDotIDs(t *testing.T) {
	for in, want := range map[string]string{".": "%2E", "..": "%2E%2E", "...": "%2E%2E%2E", "a.b": "a.b", ".x": ".x"} {
		if got := escapeSegment(in); got != want {
			t.Errorf("escapeSegment(%q) = %q, want %q", in, got, want)
		}
	}
	d := DriveRef{Kind: DriveByID, ID: ".."}
	if got := d.Path(); got != "/drives/%2E%2E" {
		t.Errorf("drive path %q", got)
	}
}

func TestParseItemRefRefusesUserInfo(t *testing.T) {
	for _, in := range []string{
		"https://user:pw@contoso.sharepoint.com/:w:/g/EaBc",
		"HTTPS://user@1drv.ms/f/s!abc",
		"http://a:b@127.0.0.1/x?y=@z",
		"https://us er:p w@host/broken%zz",
		EncodeSharingURL("https://user:pw@1drv.ms/f/s!abc"),
	} {
		_, err := ParseItemRef(in)
		if !errors.Is(err, ErrURLUserInfo) {
			t.Errorf("ParseItemRef(%q) err = %v, want ErrURLUserInfo", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("the error repeats the credentials: %v", err)
		}
	}
	for _, in := range []string{"https://1drv.ms/f/s!abc?mail=a@b.example", "https://contoso.sharepoint.com/:w:/g/x#@y"} {
		if _, err := ParseItemRef(in); err != nil {
			t.Errorf("ParseItemRef(%q): %v", in, err)
		}
	}
}

func TestParseSiteURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://contoso.sharepoint.com/sites/Engineering":                                             "contoso.sharepoint.com:/sites/Engineering",
		"https://Contoso.SharePoint.com/sites/Engineering/":                                            "contoso.sharepoint.com:/sites/Engineering",
		"https://contoso.sharepoint.com/sites/Engineering/Shared%20Documents/Forms/AllItems.aspx?id=x": "contoso.sharepoint.com:/sites/Engineering",
		"https://contoso.sharepoint.com/sites/Engineering/SitePages/Home.aspx":                         "contoso.sharepoint.com:/sites/Engineering",
		"https://contoso.sharepoint.com/teams/Ops/Sub":                                                 "contoso.sharepoint.com:/teams/Ops/Sub",
		"https://contoso.sharepoint.com/":                                                              "contoso.sharepoint.com:/",
		"contoso.sharepoint.com:/sites/Engineering":                                                    "contoso.sharepoint.com:/sites/Engineering",
	} {
		host, path, err := ParseSiteURL(in)
		if err != nil || host+":"+path != want {
			t.Errorf("ParseSiteURL(%q) = %q, %q, %v; want %s", in, host, path, err, want)
		}
	}
	for _, bad := range []string{"http://contoso.sharepoint.com/sites/x", "https://u:p@contoso.sharepoint.com/sites/x", "https:///sites/x", "https://contoso.sharepoint.com:8443/sites/x"} {
		if _, _, err := ParseSiteURL(bad); err == nil {
			t.Errorf("ParseSiteURL(%q): no error", bad)
		}
	}
}

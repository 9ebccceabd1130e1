package box

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestIsBoxArg(t *testing.T) {
	yes := []string{
		"box:/Reports/q3.xlsx", "BOX:/x", "Box:file:1", "box:", "box:Reports",
		"https://app.box.com/s/abc", "HTTPS://APP.BOX.COM/s/abc", "https://acme.app.box.com/s/abc",
		"https://acme.box.com/s/abc", "https://www.box.com/s/abc", "https://cloud.box.com/s/abc", "https://box.com/s/abc",
		"http://app.box.com/s/abc", "https://user:pw@app.box.com/s/abc", "https://evil.example@app.box.com/s/abc",
		"https://app.box.com:8443/s/abc", "https://app.box.com./s/abc", "https://app.box.com", "https://app.box.com?x",
		"https://app.box.com#x", "https://account.box.com/api/oauth2/authorize", `https://app.box.com\@evil.example/`,
		"https://app.box.com/s/abc%zz",
	}
	no := []string{
		"", "box", "boxx:/a", "bo:x", " box:/a", "/Documents/a.pdf", "Documents", "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K",
		"u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMjM", "s!abc",
		"https://contoso.sharepoint.com/:x:/g/personal/a/EaBc", "https://1drv.ms/u/s!Abc", "https://onedrive.live.com/redir?resid=1",
		"https://app.box.com.evil.example/s/abc", "https://evilbox.com/s/abc", "https://.box.com/s/abc", "https://box.com.evil.example",
		"https://app.box.com@evil.example/s/abc", "https://[::1]/s/abc", "ftp://app.box.com/s/abc", "https://dl.boxcloud.com/d/1",
		"https://app.box.co/s/abc", "https:/app.box.com/s/abc", "app.box.com/s/abc", "file:box:1",
	}
	for _, a := range yes {
		if !IsBoxArg(a) {
			t.Errorf("IsBoxArg(%q) = false, want true", a)
		}
	}
	for _, a := range no {
		if IsBoxArg(a) {
			t.Errorf("IsBoxArg(%q) = true, want false", a)
		}
	}
}

func TestParseRef(t *testing.T) {
	cases := []struct {
		arg  string
		want Ref
		str  string // "" means arg itself
	}{
		{"box:/Reports/q3.xlsx", Ref{Kind: RefPath, Path: "/Reports/q3.xlsx"}, ""},
		{"box:Reports/q3.xlsx", Ref{Kind: RefPath, Path: "/Reports/q3.xlsx"}, "box:/Reports/q3.xlsx"},
		{"BOX:/Reports/q3.xlsx", Ref{Kind: RefPath, Path: "/Reports/q3.xlsx"}, "box:/Reports/q3.xlsx"},
		{"box:/", Ref{Kind: RefPath, Path: "/", Dir: true}, ""},
		{"box:", Ref{Kind: RefPath, Path: "/", Dir: true}, "box:/"},
		{"box:/Reports/", Ref{Kind: RefPath, Path: "/Reports", Dir: true}, ""},
		{"box:/Q3 #1 100%.xlsx", Ref{Kind: RefPath, Path: "/Q3 #1 100%.xlsx"}, ""},
		{"box:/ünïcødé/名前 ?.txt", Ref{Kind: RefPath, Path: "/ünïcødé/名前 ?.txt"}, ""},
		{"box:/file:123", Ref{Kind: RefPath, Path: "/file:123"}, ""},
		{"box:Reports:2026", Ref{Kind: RefPath, Path: "/Reports:2026"}, "box:/Reports:2026"},
		{"box:/" + strings.Repeat("n", 255), Ref{Kind: RefPath, Path: "/" + strings.Repeat("n", 255)}, ""},
		{"box:file:123", Ref{Kind: RefID, Type: File, ID: "123"}, ""},
		{"Box:file:123", Ref{Kind: RefID, Type: File, ID: "123"}, "box:file:123"},
		{"box:folder:456", Ref{Kind: RefID, Type: Folder, ID: "456"}, ""},
		{"box:folder:0", Ref{Kind: RefID, Type: Folder, ID: "0"}, ""},
		{"box:web_link:789", Ref{Kind: RefID, Type: WebLink, ID: "789"}, ""},
		{"box:file:9223372036854775807", Ref{Kind: RefID, Type: File, ID: "9223372036854775807"}, ""},
		{"https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3",
			Ref{Kind: RefSharedLink, Link: "https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3"}, ""},
		{"https://acme.app.box.com/s/abc/", Ref{Kind: RefSharedLink, Link: "https://acme.app.box.com/s/abc"}, "https://acme.app.box.com/s/abc"},
		{"https://ACME.Box.com/s/AbC?page=2#top", Ref{Kind: RefSharedLink, Link: "https://acme.box.com/s/AbC"}, "https://acme.box.com/s/AbC"},
		{"HTTPS://www.box.com/s/vspke7y05sb214wjokpk", Ref{Kind: RefSharedLink, Link: "https://www.box.com/s/vspke7y05sb214wjokpk"},
			"https://www.box.com/s/vspke7y05sb214wjokpk"},
		{"https://cloud.box.com/s/abc", Ref{Kind: RefSharedLink, Link: "https://cloud.box.com/s/abc"}, ""},
		{"https://app.box.com:443/s/abc", Ref{Kind: RefSharedLink, Link: "https://app.box.com/s/abc"}, "https://app.box.com/s/abc"},
		{"https://app.box.com./s/abc", Ref{Kind: RefSharedLink, Link: "https://app.box.com/s/abc"}, "https://app.box.com/s/abc"},
		{"https://app.box.com/v/Q3-Report-2026", Ref{Kind: RefSharedLink, Link: "https://app.box.com/v/Q3-Report-2026", Vanity: true}, ""},
		{"https://acme.app.box.com/v/q3_report/", Ref{Kind: RefSharedLink, Link: "https://acme.app.box.com/v/q3_report", Vanity: true},
			"https://acme.app.box.com/v/q3_report"},
		{"https://acme.app.box.com/s/tok123/folder/456", Ref{Kind: RefSharedItem, Link: "https://acme.app.box.com/s/tok123", Type: Folder, ID: "456"}, ""},
		{"https://app.box.com/s/tok/file/789", Ref{Kind: RefSharedItem, Link: "https://app.box.com/s/tok", Type: File, ID: "789"}, ""},
		{"https://app.box.com/s/tok/files/789/", Ref{Kind: RefSharedItem, Link: "https://app.box.com/s/tok", Type: File, ID: "789"},
			"https://app.box.com/s/tok/file/789"},
		{"https://app.box.com/v/team-share-2026/folder/12", Ref{Kind: RefSharedItem, Link: "https://app.box.com/v/team-share-2026", Vanity: true, Type: Folder, ID: "12"}, ""},
		{"https://app.box.com/file/123", Ref{Kind: RefID, Type: File, ID: "123"}, "box:file:123"},
		{"https://acme.app.box.com/folder/0", Ref{Kind: RefID, Type: Folder, ID: "0"}, "box:folder:0"},
		{"https://app.box.com/files/123", Ref{Kind: RefID, Type: File, ID: "123"}, "box:file:123"},
		{"https://app.box.com/folders/4?s=x", Ref{Kind: RefID, Type: Folder, ID: "4"}, "box:folder:4"},
	}
	for _, c := range cases {
		got, err := ParseRef(c.arg)
		if err != nil {
			t.Errorf("ParseRef(%q): %v", c.arg, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseRef(%q) = %+v, want %+v", c.arg, got, c.want)
		}
		want := c.str
		if want == "" {
			want = c.arg
		}
		if s := got.String(); s != want {
			t.Errorf("ParseRef(%q).String() = %q, want %q", c.arg, s, want)
		}
		if !IsBoxArg(c.arg) {
			t.Errorf("IsBoxArg(%q) = false for a valid Box item", c.arg)
		}
	}
}

func TestParseRefErrors(t *testing.T) {
	cases := []struct{ arg, want string }{
		{"", "it is empty"},
		{"box:/a//b", "empty segment"},
		{"box:/a/../b", `".." segment`},
		{"box:/./a", `"." segment`},
		{`box:/a\b`, `holds '\'`},
		{"box:/" + strings.Repeat("n", 256), "longer than Box's 255"},
		{"box:file:", "file id is missing"},
		{"box:file:abc", "file ids are numeric"},
		{"box:file:-1", "numeric"},
		{"box:file:1/2", "numeric"},
		{"box:file:１２", "numeric"},
		{"box:file:123 ", "numeric"},
		{"box:file:" + strings.Repeat("1", 21), "numeric"},
		{"box:file:0", "root folder's id"},
		{"box:web_link:0", "root folder's id"},
		{"box:file:007", "leading zero"},
		{"box:files:1", "write box:file:<id>"},
		{"box:File:1", "write box:file:<id>"},
		{"box:weblink:1", "write box:web_link:<id>"},
		{"box:FOLDER:2", "write box:folder:<id>"},
		{"box:/a\x1b[31m", "control characters"},
		{"box:/a\nb", "control characters"},
		{"box:/a\u202eb", "control characters"},
		{"box:/a\u200fb", "control characters"},
		{"box:/\xff", "not valid UTF-8"},
		{"http://app.box.com/s/abc", "https, not http"},
		{"https://app.box.com:8443/s/abc", "default https port"},
		{"https://app.box.com/s/", "not a Box item URL"},
		{"https://app.box.com/s", "not a Box item URL"},
		{"https://app.box.com/", "not a Box item URL"},
		{"https://app.box.com", "not a Box item URL"},
		{"https://app.box.com/s/ab%20c", "not a shared link token"},
		{"https://app.box.com/s/ab.c", "not a shared link token"},
		{"https://app.box.com/s/ab-c", "not a shared link token"},
		{"https://app.box.com/v/a.b", "not a shared link name"},
		{"https://app.box.com/s/" + strings.Repeat("a", 129), "not a shared link token"},
		{"https://app.box.com/s/tok/folder/abc", "folder ids are numeric"},
		{"https://app.box.com/s/tok/folder", "not a Box item URL"},
		{"https://app.box.com/s/tok/web_link/1", "not a Box item URL"},
		{"https://app.box.com/s/tok/folder/1/extra", "not a Box item URL"},
		{"https://app.box.com/shared/static/abc.pdf", "direct download URL"},
		{"https://app.box.com/file/abc", "file ids are numeric"},
		{"https://app.box.com/file/0", "root folder's id"},
		{"https://app.box.com//s/tok", "not a Box item URL"},
		{`https://app.box.com\@evil.example/s/x`, `starts with '\'`},
		{"https://account.box.com/api/oauth2/authorize", "not a Box item URL"},
		{"https://app.box.com/s/abc\t", "control characters"},
		{"/Documents/a.pdf", "neither box:… nor a Box URL"},
		{"https://contoso.sharepoint.com/:x:/g/a", "neither box:… nor a Box URL"},
	}
	for _, c := range cases {
		_, err := ParseRef(c.arg)
		var re *RefError
		if !errors.As(err, &re) {
			t.Errorf("ParseRef(%q) = %v, want a *RefError", c.arg, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRef(%q) = %q, want it to say %q", c.arg, err, c.want)
		}
		if strings.ContainsFunc(err.Error(), unicode.IsControl) {
			t.Errorf("ParseRef(%q): the error holds control characters: %q", c.arg, err)
		}
	}
}

func TestParseRefHidesUserInfo(t *testing.T) {
	for _, arg := range []string{
		"https://alice:hunter2secret@app.box.com/s/abc",
		"https://:hunter2secret@acme.app.box.com/v/name",
		"https://hunter2secret@app.box.com/file/1",
		"https://x@evil.example:hunter2secret@app.box.com/s/abc",
	} {
		_, err := ParseRef(arg)
		if err == nil || !strings.Contains(err.Error(), "user info") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseRef(%q) = %v", arg, err)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{
		"box:/Reports/q3.xlsx", "box:file:123", "box:folder:0", "box:web_link:789", "box:", "box:Reports/", "box:/a//b",
		"https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3", "https://acme.app.box.com/v/Q3-Report/",
		"https://acme.box.com/s/tok/folder/456", "https://app.box.com/file/1", "https://u:p@app.box.com/s/x",
		"https://app.box.com:443/s/x?y#z", "http://app.box.com/s/x", "https://app.box.com./s/x", `https://app.box.com\@e/`,
		"https://app.box.com/shared/static/x.pdf", "box:files:1", "box:/\u202e", "/Documents/a", "u!abc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		r, err := ParseRef(arg)
		if err != nil {
			var re *RefError
			if !errors.As(err, &re) {
				t.Fatalf("ParseRef(%q): %T is not a *RefError", arg, err)
			}
			if strings.ContainsFunc(err.Error(), unicode.IsControl) {
				t.Fatalf("ParseRef(%q): control characters in %q", arg, err)
			}
			return
		}
		if !IsBoxArg(arg) {
			t.Fatalf("ParseRef(%q) succeeded but IsBoxArg is false", arg)
		}
		s := r.String()
		if strings.ContainsFunc(s, unicode.IsControl) {
			t.Fatalf("ParseRef(%q).String() = %q holds control characters", arg, s)
		}
		back, err := ParseRef(s)
		if err != nil || back != r {
			t.Fatalf("ParseRef(%q) = %+v; its String %q reads back as %+v, %v", arg, r, s, back, err)
		}
		switch r.Kind {
		case RefPath:
			if !strings.HasPrefix(r.Path, "/") || (r.Path != "/" && strings.HasSuffix(r.Path, "/")) || strings.Contains(r.Path, "//") {
				t.Fatalf("ParseRef(%q): path %q is not clean", arg, r.Path)
			}
		case RefID, RefSharedItem:
			if !r.Type.Valid() || CheckID(r.ID) != nil {
				t.Fatalf("ParseRef(%q): bad type or id %+v", arg, r)
			}
			if _, err := ItemPath(r.Type, r.ID); err != nil {
				t.Fatalf("ParseRef(%q): %v", arg, err)
			}
		}
		if r.Kind == RefSharedLink || r.Kind == RefSharedItem {
			if !strings.HasPrefix(r.Link, "https://") {
				t.Fatalf("ParseRef(%q): link %q", arg, r.Link)
			}
			if _, err := (LinkAccess{URL: r.Link}).Header(); err != nil {
				t.Fatalf("ParseRef(%q): link %q is not sendable: %v", arg, r.Link, err)
			}
			if h, ok := urlHost(r.Link); !ok || !isBoxHost(h) {
				t.Fatalf("ParseRef(%q): link %q is not on a Box host", arg, r.Link)
			}
		}
	})
}

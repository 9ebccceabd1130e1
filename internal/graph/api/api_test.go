package api

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/testutil"
)

// metadataDir is the repository's copy of Microsoft's Graph metadata subset (testdata/graph-metadata).
func metadataDir(t *testing.T) string {
	return testutil.Testdata(t, "graph-metadata")
}

// schemaProps reads the property names of every $defs entry in sharing-schema.json.
func schemaProps(t *testing.T, md string) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(md, "sharing-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for name, d := range s.Defs {
		out[name] = map[string]bool{}
		for p := range d.Properties {
			out[name][p] = true
		}
	}
	return out
}

// navProps reads NavigationProperty names per type from sharing-csdl.xml, following BaseType, because the
// JSON schema keeps only structural properties and DriveItem.children / SharedDriveItem.driveItem are
// navigation properties Graph returns when expanded.
func navProps(t *testing.T, md string) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(md, "sharing-csdl.xml"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		t.Fatal(err)
	}
	type typ struct {
		Name     string `xml:"Name,attr"`
		BaseType string `xml:"BaseType,attr"`
		Nav      []struct {
			Name string `xml:"Name,attr"`
		} `xml:"NavigationProperty"`
	}
	var doc struct {
		Schemas []struct {
			Entity []typ `xml:"EntityType"`
		} `xml:"DataServices>Schema"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	types := map[string]typ{}
	for _, s := range doc.Schemas {
		for _, e := range s.Entity {
			types[e.Name] = e
		}
	}
	out := map[string]map[string]bool{}
	for name := range types {
		out[name] = map[string]bool{}
		for n := name; n != ""; {
			e, ok := types[n]
			if !ok {
				break
			}
			for _, p := range e.Nav {
				out[name][p.Name] = true
			}
			n = strings.TrimPrefix(e.BaseType, "graph.")
		}
	}
	return out
}

func TestJSONTagsMatchGraphMetadata(t *testing.T) {
	md := metadataDir(t)
	props := schemaProps(t, md)
	nav := navProps(t, md)
	cases := []struct {
		def string
		v   any
	}{
		{"permission", Permission{}},
		{"permission", PermissionUpdate{}},
		{"sharingLink", SharingLink{}},
		{"driveItem", DriveItem{}},
		{"sharedDriveItem", SharedDriveItem{}},
		{"itemReference", ItemReference{}},
		{"identity", Identity{}},
		{"identitySet", IdentitySet{}},
		{"driveRecipient", DriveRecipient{}},
		{"createLinkRequest", CreateLinkRequest{}},
		{"inviteRequest_driveItem", InviteRequest{}},
		{"grantRequest_permission", GrantRequest{}},
		{"sharePointIdentitySet", SharePointIdentitySet{}},
		{"sharePointIdentity", SharePointIdentity{}},
		{"sharePointGroupIdentity", SharePointGroupIdentity{}},
		{"sharingInvitation", SharingInvitation{}},
		{"remoteItem", RemoteItem{}},
		{"file", File{}},
		{"hashes", Hashes{}},
		{"folder", Folder{}},
		{"package", Package{}},
		{"root", Root{}},
		{"shared", Shared{}},
	}
	for _, c := range cases {
		t.Run(c.def, func(t *testing.T) {
			want, ok := props[c.def]
			if !ok {
				t.Fatalf("$defs.%s missing from sharing-schema.json", c.def)
			}
			rt := reflect.TypeOf(c.v)
			for i := range rt.NumField() {
				f := rt.Field(i)
				tag := f.Tag.Get("json")
				name, _, _ := strings.Cut(tag, ",")
				if tag == "" || name == "" || name == "-" {
					t.Errorf("%s.%s has no JSON name", rt.Name(), f.Name)
					continue
				}
				if !want[name] && !nav[c.def][name] {
					t.Errorf("%s.%s: json name %q is not a property of %s in Graph's metadata", rt.Name(), f.Name, name, c.def)
				}
			}
		})
	}
}

// TestEveryFieldDocumented holds the package to rclone's standard: every exported type and field says what
// it is, since these types are where people look up what Graph sends.
func TestEveryFieldDocumented(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil || len(names) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			gd, ok := n.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				return true
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if ts.Doc == nil && gd.Doc == nil {
					t.Errorf("type %s is undocumented", ts.Name)
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, f := range st.Fields.List {
					if f.Doc == nil {
						t.Errorf("%s: field %v is undocumented", ts.Name, f.Names)
					}
				}
			}
			return true
		})
	}
}

func TestCreateLinkRequestHoldsOnlyWhatWasGiven(t *testing.T) {
	b, err := json.Marshal(CreateLinkRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "{}" {
		t.Errorf("empty request = %s, want {}", b)
	}
	f := false
	b, _ = json.Marshal(CreateLinkRequest{Type: LinkView, Scope: ScopeUsers, SendNotification: &f,
		Recipients: []DriveRecipient{{Email: "a@example.com"}}})
	want := `{"type":"view","scope":"users","recipients":[{"email":"a@example.com"}],"sendNotification":false}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

func TestErrorResponseReadsBothInnerErrorSpellings(t *testing.T) {
	for _, key := range []string{"innerError", "innererror"} {
		body := `{"error":{"code":"itemNotFound","message":"m","` + key + `":{"request-id":"r1","date":"d",` +
			`"client-request-id":"c1","code":"deeper","` + key + `":{"code":"deepest"}}}}`
		var e ErrorResponse
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatal(err)
		}
		ie := e.Error.InnerError
		if ie == nil || ie.RequestID != "r1" || ie.ClientRequestID != "c1" || ie.Date != "d" || ie.InnerError == nil || ie.InnerError.Code != "deepest" {
			t.Errorf("%s: got %+v", key, ie)
		}
	}
}

func TestIsFolder(t *testing.T) {
	cases := []struct {
		name string
		item DriveItem
		want bool
	}{
		{"file", DriveItem{File: &File{}}, false},
		{"folder", DriveItem{Folder: &Folder{}}, true},
		{"package", DriveItem{Package: &Package{Type: "oneNote"}}, true},
		{"remote folder", DriveItem{RemoteItem: &RemoteItem{Folder: &Folder{}}}, true},
		{"remote file", DriveItem{RemoteItem: &RemoteItem{File: &File{}}}, false},
		{"nothing", DriveItem{}, false},
	}
	for _, c := range cases {
		if got := c.item.IsFolder(); got != c.want {
			t.Errorf("%s: IsFolder() = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestEnumLists(t *testing.T) {
	want := []LinkType{"view", "edit", "embed", "review", "blocksDownload", "createOnly"}
	if !reflect.DeepEqual(LinkTypes, want) {
		t.Errorf("LinkTypes = %v", LinkTypes)
	}
	if !reflect.DeepEqual(LinkScopes, []LinkScope{"anonymous", "organization", "users"}) {
		t.Errorf("LinkScopes = %v", LinkScopes)
	}
}

package link

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/shlex"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

func TestNewCmdInvite(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		want    string // recipients|roles|notify|signIn|message|expires
		wantErr string
	}{
		{name: "defaults notify and require sign-in", cli: "/a.txt --recipient a@x.example --role READ",
			want: "a@x.example|read|true|true||"},
		{name: "repeats in any case count once", cli: "/a.txt --recipient a@x.example --recipient A@X.example --recipient b@x.example --role write",
			want: "a@x.example,b@x.example|write|true|true||"},
		{name: "no notify, no sign-in, message, expiry", cli: "/a.txt --recipient a@x.example --role read --no-notify --require-sign-in=false --message hi --expires 2099-01-01T00:00:00Z",
			want: "a@x.example|read|false|false|hi|2099-01-01T00:00:00Z"},
		{name: "no role", cli: "/a.txt --recipient a@x.example", wantErr: "missing --role: give read or write"},
		{name: "owner role", cli: "/a.txt --recipient a@x.example --role owner", wantErr: `invalid --role "owner": valid values are read, write`},
		{name: "no recipient", cli: "/a.txt --role read", wantErr: "missing --recipient"},
		{name: "display name", cli: "/a.txt --recipient 'A <a@x.example>' --role read", wantErr: `invalid --recipient "A <a@x.example>"`},
		{name: "two items", cli: "/a /b --recipient a@x.example --role read", wantErr: "invite several items with --from-file"},
		{name: "item and file", cli: "/a --from-file f.csv --role read", wantErr: "give an item or --from-file, not both"},
		{name: "recipient and file", cli: "--from-file f.csv --recipient a@x.example", wantErr: "give --recipient or --from-file, not both"},
		{name: "message too long", cli: "/a --recipient a@x.example --role read --message " + strings.Repeat("x", 2001),
			wantErr: "--message is 2001 characters long; Graph takes at most 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			var got *InviteOptions
			cmd := newCmdInvite(e.Factory, func(_ context.Context, o *InviteOptions) error { got = o; return nil })
			argv, err := shlex.Split(tt.cli)
			if err != nil {
				t.Fatal(err)
			}
			err = cmdtest.Execute(e, cmd, argv)
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
					t.Fatalf("err = %v (run: %v), want usage error containing %q", err, got != nil, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := got.Spec
			line := strings.Join([]string{strings.Join(s.Recipients, ","), strings.Join(s.Roles, ","), boolText(s.Notify), boolText(s.RequireSignIn), s.Message, s.Expires}, "|")
			if line != tt.want {
				t.Errorf("spec = %s, want %s", line, tt.want)
			}
			if got.Item.Input != argv[0] || graphprovider.Ref(got.Item).Value != argv[0] {
				t.Errorf("item = %+v", got.Item)
			}
		})
	}
}

func boolText(b *bool) string {
	switch {
	case b == nil:
		return "nil"
	case *b:
		return "true"
	}
	return "false"
}

// --from-file: spreadsheets' CSV (a byte order mark, CRLF, quoted cells with commas and quotes) is
// read as written; fewer cells than columns leave the rest empty.
func TestInviteFromFileReadsSpreadsheetCSV(t *testing.T) {
	e := cmdtest.New(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "in.csv")
	csv := "\ufeffItem, Email ,Role,Expires\r\n" +
		"\"/Q3, \"\"final\"\".xlsx\",a@x.example,read,2099-01-01T00:00:00Z\r\n" +
		"/b.txt,b@x.example\r\n" +
		"# a comment\r\n\r\n" +
		"/c.txt,c@x.example,WRITE,\r\n"
	if err := os.WriteFile(name, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	var got *InviteOptions
	cmd := newCmdInvite(e.Factory, func(_ context.Context, o *InviteOptions) error { got = o; return nil })
	if err := cmdtest.Execute(e, cmd, []string{"--from-file", name, "--role", "read", "--expires", "2099-06-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`2 /Q3, "final".xlsx a@x.example read 2099-01-01T00:00:00Z`,
		`3 /b.txt b@x.example read 2099-06-01T00:00:00Z`,
		`6 /c.txt c@x.example write 2099-06-01T00:00:00Z`,
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("%d rows: %+v", len(got.Rows), got.Rows)
	}
	for i, r := range got.Rows {
		line := strings.Join([]string{strconv.Itoa(r.Line), r.Item.Input, r.Spec.Recipients[0], r.Spec.Roles[0], r.Spec.Expires}, " ")
		if line != want[i] {
			t.Errorf("row %d = %s, want %s", i, line, want[i])
		}
	}
}

// Rows naming credentials in a URL are refused without repeating them.
func TestInviteFromFileDoesNotEchoCredentials(t *testing.T) {
	e := cmdtest.New(t)
	name := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(name, []byte("item,email,role\nhttps://user:s3cr3t-pw@contoso.sharepoint.com/x,a@x.example,read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newCmdInvite(e.Factory, func(context.Context, *InviteOptions) error { t.Fatal("run called"); return nil })
	err := cmdtest.Execute(e, cmd, []string{"--from-file", name})
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "in.csv:2: ") {
		t.Errorf("err = %v", err)
	}
}

// One row's printed result: the engine's words for an unanswered invitation are the invitation's;
// a 207 entry is granted-not-notified with its inner code, Graph's permission kept unchanged; an
// answer naming nobody is a failure.
func TestToInviteResult(t *testing.T) {
	inv := graphprovider.New(nil)
	row := InviteRow{Line: 4, Item: sharing.Item{Input: "/a"}, Spec: sharing.LinkSpec{Recipients: []string{"a@x.example"}, Roles: []string{"read"}}}
	r := toInviteResult(inv, row, bulk.Result{Err: &bulk.Error{Code: bulk.OutcomeUnknown, Message: "the link may have been made"}})
	if !r.failed() || r.Error.Code != bulk.OutcomeUnknown || r.Error.Message != outcomeUnknownInvite {
		t.Errorf("outcome unknown: %+v", r)
	}
	perm := `{"id":"p","invitation":{"email":"A@x.example"},"error":{"code":"notAllowed","message":"m","innererror":{"code":"hipCheckRequired"}}}`
	r = toInviteResult(inv, row, bulk.Result{Status: 207, Raw: json.RawMessage(`{"value":[` + perm + `]}`)})
	b, err := json.Marshal(r)
	want := `{"line":4,"item":"/a","recipient":"a@x.example","role":"read","status":207,"result":"granted-not-notified","permission":` + perm +
		`,"notifyError":{"code":"notAllowed","innerCode":"hipCheckRequired","message":"m"}}`
	if err != nil || string(b) != want {
		t.Errorf("207:\n got %s\nwant %s (%v)", b, want, err)
	}
	r = toInviteResult(inv, row, bulk.Result{Status: 200, Raw: json.RawMessage(`{"value":[]}`)})
	if !r.failed() || r.Error.Code != "notInAnswer" || r.Raw != nil {
		t.Errorf("nobody granted: %+v", r)
	}
	r = toInviteResult(inv, row, bulk.Result{Status: 200, Raw: json.RawMessage(`{}`)})
	if !r.failed() || r.Error.Code != "invalidResponse" {
		t.Errorf("no value: %+v", r)
	}
}

package link

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/shlex"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

func TestNewCmdCreate(t *testing.T) {
	no := false
	tests := []struct {
		name    string
		cli     string
		want    api.CreateLinkRequest
		drive   graph.DriveRef
		item    graph.ItemRef
		wantErr string
	}{
		{name: "path", cli: "/Docs/a.txt --type view",
			want: api.CreateLinkRequest{Type: "view"}, item: graph.ItemRef{Kind: graph.ItemByPath, Value: "/Docs/a.txt"}},
		{name: "id on a user's drive", cli: "01ABC -t edit -s organization --user megan@contoso.com",
			want:  api.CreateLinkRequest{Type: "edit", Scope: "organization"},
			drive: graph.DriveRef{Kind: graph.DriveOfUser, ID: "megan@contoso.com"},
			item:  graph.ItemRef{Kind: graph.ItemByID, Value: "01ABC"}},
		{name: "recipients", cli: "01ABC --type view --scope users --recipient a@x.example --recipient b@y.example",
			want: api.CreateLinkRequest{Type: "view", Scope: "users", Recipients: []api.DriveRecipient{{Email: "a@x.example"}, {Email: "b@y.example"}}},
			item: graph.ItemRef{Kind: graph.ItemByID, Value: "01ABC"}},
		{name: "retain false is sent", cli: "01ABC --type view --retain-inherited-permissions=false",
			want: api.CreateLinkRequest{Type: "view", RetainInheritedPermissions: &no},
			item: graph.ItemRef{Kind: graph.ItemByID, Value: "01ABC"}},
		{name: "sharing url", cli: "https://1drv.ms/f/s!AbC --type view --site s1",
			want:  api.CreateLinkRequest{Type: "view"},
			drive: graph.DriveRef{Kind: graph.DriveOfSite, ID: "s1"},
			item:  graph.ItemRef{Kind: graph.ItemBySharingURL, Value: "https://1drv.ms/f/s!AbC"}},
		{name: "bad type", cli: "x --type share", wantErr: `invalid --type "share": valid values are view, edit, embed, review, blocksDownload, createOnly`},
		{name: "bad scope", cli: "x --type view --scope public", wantErr: `invalid --scope "public": valid values are anonymous, organization, users (or anyone)`},
		{name: "users without recipient", cli: "x --type view --scope users", wantErr: "--scope users needs at least one --recipient"},
		{name: "two drives", cli: "x --type view --group g --site s", wantErr: "specify only one of --drive, --user, --group or --site"},
		{name: "blank drive", cli: "x --type view --drive ' '", wantErr: "--drive must not be blank"},
		{name: "no item", cli: "--type view", wantErr: "missing item: give an item id, a /path, a sharing URL or a share id"},
		{name: "empty item", cli: "'' --type view", wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			var got *CreateOptions
			cmd := newCmdCreate(e.Factory, func(_ context.Context, o *CreateOptions) error {
				got = o
				return nil
			})
			argv, err := shlex.Split(tt.cli)
			if err != nil {
				t.Fatal(err)
			}
			cmd.SilenceUsage = true
			cmd.SetArgs(argv)
			cmd.SetOut(e.ErrOut)
			cmd.SetErr(e.ErrOut)
			err = cmd.Execute()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want usage error containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("run was called despite a usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(tt.want)
			gotJSON, _ := json.Marshal(graphprovider.CreateRequest(got.Request))
			if string(wantJSON) != string(gotJSON) {
				t.Errorf("request = %s, want %s", gotJSON, wantJSON)
			}
			if graphprovider.Drive(got.Item) != tt.drive || graphprovider.Ref(got.Item) != tt.item {
				t.Errorf("drive, item = %+v, %+v; want %+v, %+v", graphprovider.Drive(got.Item), graphprovider.Ref(got.Item), tt.drive, tt.item)
			}
		})
	}
}

// TestCreateRun runs the command against the emulator and checks the exact request it sent and
// what it printed, on a terminal and piped.
func TestCreateRun(t *testing.T) {
	for _, tty := range []bool{false, true} {
		e := cmdtest.WithEmulator(t)
		e.Factory.IOStreams.SetStdoutTTY(tty)
		e.Factory.IOStreams.SetTerminalWidth(300)
		for _, status := range []string{"created", "existing"} {
			e.Out.Reset()
			cmd := newCmdCreate(e.Factory, nil)
			cmd.SetArgs([]string{"/Reports/Café ünïcode.docx", "--type", "edit", "--scope", "anonymous", "--expires", "2099-05-06T07:08:09Z"})
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			out := e.Out.String()
			if !strings.Contains(out, status) || !strings.Contains(out, "2099-05-06 07:08 UTC") {
				t.Errorf("tty=%v: output %q lacks %q", tty, out, status)
			}
			if tty != strings.HasPrefix(out, "TYPE") {
				t.Errorf("tty=%v: header presence wrong in %q", tty, out)
			}
		}
		if e.ErrOut.Len() != 0 {
			t.Errorf("stderr = %q", e.ErrOut.String())
		}
		reqs := e.Emu.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests", len(reqs))
		}
		r := reqs[0]
		if r.Method != "POST" || r.RawURI != "/v1.0/me/drive/root:/Reports/Caf%C3%A9%20%C3%BCn%C3%AFcode.docx:/createLink" {
			t.Errorf("request line = %s %s", r.Method, r.RawURI)
		}
		if got := string(r.Body); got != `{"type":"edit","scope":"anonymous","expirationDateTime":"2099-05-06T07:08:09Z"}` {
			t.Errorf("body = %s", got)
		}
		if !e.Emu.SecretIs(r, "authorization", "Bearer test-token") {
			t.Errorf("the request did not carry the token: %v", r.Secrets)
		}
		for k, want := range map[string]string{"Authorization": "Bearer [redacted]", "Content-Type": "application/json", "User-Agent": "odshare/test"} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	}
}

package share

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

func TestNewCmdGet(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		token    string
		prefer   graph.Prefer
		withItem bool
		wantErr  string
	}{
		{name: "url", args: []string{"https://1drv.ms/f/s!AbC"}, token: "u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkM"},
		{name: "share id", args: []string{"s!AbC", "--redeem"}, token: "s!AbC", prefer: graph.PreferRedeem},
		{name: "opaque share id", args: []string{"FWxc1lasfdbEAGM5fI7B67aB5ZMPDMmQ11U", "--redeem-if-necessary", "--item"},
			token: "FWxc1lasfdbEAGM5fI7B67aB5ZMPDMmQ11U", prefer: graph.PreferRedeemIfNecessary, withItem: true},
		{name: "both prefers", args: []string{"s!AbC", "--redeem", "--redeem-if-necessary"}, wantErr: "specify only one of --redeem or --redeem-if-necessary"},
		{name: "path", args: []string{"/Docs"}, wantErr: `"/Docs" is a path, not a share`},
		{name: "missing", args: nil, wantErr: "missing sharing URL or share id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			var got *GetOptions
			cmd := newCmdGet(e.Factory, func(_ context.Context, o *GetOptions) error { got = o; return nil })
			cmd.SilenceUsage = true
			cmd.SetArgs(tt.args)
			cmd.SetErr(e.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if graphprovider.ShareToken(got.Share) != tt.token || graphprovider.Prefer(got.Redeem) != tt.prefer || got.WithItem != tt.withItem {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestGetRun(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	cmd := newCmdGet(e.Factory, nil)
	cmd.SetArgs([]string{emulator.DemoSharedFolderURL, "--redeem", "--item"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(e.Out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Reports\tAdele Vance\t") || !strings.HasPrefix(lines[2], "Reports\tfolder\t5 items\t") {
		t.Errorf("output = %q", e.Out.String())
	}
	reqs := e.Emu.Requests()
	token := graph.EncodeSharingURL(emulator.DemoSharedFolderURL)
	want := []string{"GET /v1.0/shares/" + token, "GET /v1.0/shares/" + token + "/driveItem"}
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for i, r := range reqs {
		if got := r.Method + " " + r.RawURI; got != want[i] {
			t.Errorf("request %d = %s, want %s", i, got, want[i])
		}
		if r.Header.Get("Prefer") != "redeemSharingLink" {
			t.Errorf("request %d Prefer = %q", i, r.Header.Get("Prefer"))
		}
		if len(r.Body) != 0 {
			t.Errorf("GET with a body")
		}
	}
}

func TestChildrenRunJSONMergesPages(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	// Share the 450-item archive, then list it through the new link.
	link := newCmdGetLinkURL(t, e)
	e.Out.Reset()
	e.Emu.ResetRequests()
	cmd := newCmdChildren(e.Factory, nil)
	cmd.SetArgs([]string{link, "--jq", "length"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(e.Out.String()); got != "450" {
		t.Errorf("items = %s, want 450", got)
	}
	reqs := e.Emu.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	if !strings.HasSuffix(reqs[0].RawURI, "/driveItem/children") {
		t.Errorf("first request %s", reqs[0].RawURI)
	}
}

func TestChildrenRunTable(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	e.Factory.IOStreams.SetStdoutTTY(true)
	cmd := newCmdChildren(e.Factory, nil)
	cmd.SetArgs([]string{emulator.DemoSharedFolderShareID})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, want := range []string{"NAME", "Q3 #1 100%.xlsx", "Café ünïcode.docx", "folder", "450 items"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// newCmdGetLinkURL creates an anonymous view link on the demo archive folder and returns its URL,
// going through Graph the way a user would.
func newCmdGetLinkURL(t *testing.T, e *cmdtest.Env) string {
	t.Helper()
	client, err := e.Factory.Graph()
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.CreateLink(context.Background(), graph.DriveRef{Kind: graph.DriveMe},
		graph.ItemRef{Kind: graph.ItemByPath, Value: "/Reports/Archive"}, apiView())
	if err != nil {
		t.Fatal(err)
	}
	return res.Permission.Link.WebURL
}

func apiView() api.CreateLinkRequest {
	return api.CreateLinkRequest{Type: api.LinkView, Scope: api.ScopeAnonymous}
}

package link

import (
	"context"
	"errors"
	"testing"

	"github.com/google/shlex"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/graph"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

// parseArgv runs cmd with cli and reports the usage error wantErr, or none.
func parseArgv(t *testing.T, e *cmdtest.Env, run func(argv []string) error, cli, wantErr string, called func() bool) {
	t.Helper()
	argv, err := shlex.Split(cli)
	if err != nil {
		t.Fatal(err)
	}
	err = run(argv)
	if wantErr != "" {
		var fe *cmdutil.FlagError
		if err == nil || !errors.As(err, &fe) || err.Error() != wantErr {
			t.Fatalf("err = %v, want usage error %q", err, wantErr)
		}
		if called() {
			t.Fatal("run was called despite a usage error")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !called() {
		t.Fatal("run was not called")
	}
}

// listWant is what `link list` should have read from its command line.
type listWant struct {
	drive graph.DriveRef
	item  graph.ItemRef
	all   bool
}

func TestNewCmdList(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		output  string // ODSHARE_OUTPUT, as -o on the root command sets it
		want    listWant
		wantErr string
	}{
		{name: "path", cli: "/Reports", want: listWant{item: graph.ItemRef{Kind: graph.ItemByPath, Value: "/Reports"}}},
		{name: "all on a user's drive", cli: "01ABC --all --user megan@contoso.example",
			want: listWant{all: true, drive: graph.DriveRef{Kind: graph.DriveOfUser, ID: "megan@contoso.example"},
				item: graph.ItemRef{Kind: graph.ItemByID, Value: "01ABC"}}},
		{name: "share id", cli: "s!AbC -a", want: listWant{all: true, item: graph.ItemRef{Kind: graph.ItemByShareID, Value: "s!AbC"}}},
		{name: "no item", cli: "", wantErr: "missing item: give an item id, a /path, a sharing URL or a share id"},
		{name: "two items", cli: "/a /b", wantErr: `too many arguments: ["/b"]`},
		{name: "two drives", cli: "/a --drive d --site s", wantErr: "specify only one of --drive, --user, --group or --site"},
		{name: "bad path", cli: "/a/../b", wantErr: `path "/a/../b" has a ".." segment: give the full path from the drive root`},
		{name: "bad output", cli: "/a", output: "xml", wantErr: `invalid output format "xml": valid values are table, wide, json, ndjson`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			if tt.output != "" {
				t.Setenv("ODSHARE_OUTPUT", tt.output)
			}
			var got *ListOptions
			parseArgv(t, e, func(argv []string) error {
				return cmdtest.Execute(e, newCmdList(e.Factory, func(_ context.Context, o *ListOptions) error { got = o; return nil }), argv)
			}, tt.cli, tt.wantErr, func() bool { return got != nil })
			if got == nil {
				return
			}
			if graphprovider.Drive(got.Item) != tt.want.drive || graphprovider.Ref(got.Item) != tt.want.item || got.All != tt.want.all {
				t.Errorf("got drive %+v item %+v all %v; want %+v", graphprovider.Drive(got.Item), graphprovider.Ref(got.Item), got.All, tt.want)
			}
		})
	}
}

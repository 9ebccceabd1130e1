package link

import (
	"context"
	"slices"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/graph"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

func TestNewCmdDelete(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		prompt  bool // stdin and stderr are terminals
		ids     []string
		typ     string
		scope   string
		yes     bool
		wantErr string
	}{
		{name: "ids", cli: "/Reports p1 p2 p1 --yes", ids: []string{"p1", "p2"}, yes: true},
		{name: "filter", cli: "/Reports --type view --scope anonymous -y", typ: "view", scope: "anonymous", yes: true},
		{name: "scope only, prompting", cli: "/Reports --scope organization", prompt: true, scope: "organization"},
		{name: "no yes when piped", cli: "/Reports --scope anonymous", wantErr: "use --yes to delete without a prompt"},
		{name: "no yes when piped, ids", cli: "/Reports p1", wantErr: "use --yes to delete without a prompt"},
		{name: "nothing selected", cli: "/Reports --yes", wantErr: "nothing to delete: give permission ids, --type or --scope, or the sharing URL of the link itself"},
		{name: "ids and filter", cli: "/Reports p1 --scope anonymous --yes", wantErr: "give permission ids or --type/--scope, not both"},
		{name: "bad type", cli: "/Reports --type share --yes", wantErr: `invalid --type "share": valid values are view, edit, embed, review, blocksDownload, createOnly`},
		{name: "empty type", cli: "/Reports --type '' --yes", wantErr: `invalid --type "": valid values are view, edit, embed, review, blocksDownload, createOnly`},
		{name: "bad scope", cli: "/Reports --scope public --yes", wantErr: `invalid --scope "public": valid values are anonymous, organization, users (or anyone)`},
		{name: "blank id", cli: "/Reports ' ' --yes", wantErr: `invalid permission id " "`},
		{name: "no item", cli: "--yes", wantErr: "missing item: give an item id, a /path, a sharing URL or a share id"},
		{name: "two drives", cli: "/a p1 --group g --user u --yes", wantErr: "specify only one of --drive, --user, --group or --site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			e.Factory.IOStreams.SetStdinTTY(tt.prompt)
			e.Factory.IOStreams.SetStderrTTY(tt.prompt)
			var got *DeleteOptions
			parseArgv(t, e, func(argv []string) error {
				return cmdtest.Execute(e, newCmdDelete(e.Factory, func(_ context.Context, o *DeleteOptions) error { got = o; return nil }), argv)
			}, tt.cli, tt.wantErr, func() bool { return got != nil })
			if got == nil {
				return
			}
			if !slices.Equal(got.IDs, tt.ids) || got.Type != tt.typ || got.Scope != tt.scope || got.Yes != tt.yes {
				t.Errorf("got ids %q type %q scope %q yes %v", got.IDs, got.Type, got.Scope, got.Yes)
			}
			if graphprovider.Ref(got.Item) != (graph.ItemRef{Kind: graph.ItemByPath, Value: "/Reports"}) {
				t.Errorf("item = %+v", got.Item)
			}
		})
	}
}

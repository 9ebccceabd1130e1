package link

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/graph"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

func TestNewCmdUpdate(t *testing.T) {
	tests := []struct {
		name    string
		cli     string
		id      string
		body    string // the PATCH body, as a regexp
		wantErr string
	}{
		{name: "role", cli: "/Reports p1 --role read", id: "p1", body: `^\{"roles":\["read"\]\}$`},
		{name: "roles deduplicated", cli: "/Reports p1 --role write --role read --role write", id: "p1", body: `^\{"roles":\["write","read"\]\}$`},
		{name: "expiry", cli: "/Reports p1 --expires 2099-01-02T03:04:05+01:00", id: "p1", body: `^\{"expirationDateTime":"2099-01-02T02:04:05Z"\}$`},
		{name: "expiry as a duration", cli: "/Reports p1 --expires 7d --role read", id: "p1",
			body: `^\{"roles":\["read"\],"expirationDateTime":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$`},
		{name: "nothing", cli: "/Reports p1", wantErr: "nothing to update: give --role or --expires"},
		{name: "bad role", cli: "/Reports p1 --role owner", wantErr: `invalid --role "owner": valid values are read, write`},
		{name: "bad expiry", cli: "/Reports p1 --expires soon", wantErr: `invalid --expires "soon": use a date (2026-12-31: the end of that day, local time), an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 2w, 12h or 30m`},
		{name: "empty expiry", cli: "/Reports p1 --expires ''", wantErr: `invalid --expires "": use a date (2026-12-31: the end of that day, local time), an RFC 3339 time (2026-12-31T17:00:00Z) or a duration such as 7d, 2w, 12h or 30m`},
		{name: "no id", cli: "/Reports --role read", wantErr: "missing permission id: give the item and a permission id (see `odshare link list --all`), or the sharing URL or share id of the link itself"},
		{name: "no item", cli: "--role read", wantErr: "missing item: give an item id, a /path, a sharing URL or a share id"},
		{name: "too many", cli: "/Reports p1 p2 --role read", wantErr: `too many arguments: ["p2"]`},
		{name: "blank id", cli: "/Reports ' ' --role read", wantErr: `invalid permission id " "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			var got *UpdateOptions
			parseArgv(t, e, func(argv []string) error {
				return cmdtest.Execute(e, newCmdUpdate(e.Factory, func(_ context.Context, o *UpdateOptions) error { got = o; return nil }), argv)
			}, tt.cli, tt.wantErr, func() bool { return got != nil })
			if got == nil {
				return
			}
			body, _ := json.Marshal(graphprovider.PermissionUpdate(got.Update))
			if !regexp.MustCompile(tt.body).Match(body) {
				t.Errorf("body = %s, want %s", body, tt.body)
			}
			if got.PermissionID != tt.id || graphprovider.Ref(got.Item) != (graph.ItemRef{Kind: graph.ItemByPath, Value: "/Reports"}) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

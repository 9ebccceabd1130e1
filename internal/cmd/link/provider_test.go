package link

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/sharing"
)

// withBoxLike is the real registry, with Box registered beside Graph: the commands were written
// against the core only, so registering a provider is all it takes for them to read its items and
// refuse what it can't do. cmdtest's Graph fails the test if a command reaches it.
func withBoxLike(t *testing.T) *cmdtest.Env {
	e := cmdtest.New(t)
	if e.Factory.Sharing.Parser("box") == nil {
		t.Fatal("Box is not registered")
	}
	return e
}

// TestSecondProviderFlagsRefused: a flag or setting the item's provider does not take is a usage
// error naming the flag, before any client is built.
func TestSecondProviderFlagsRefused(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		args []string
		want string
	}{
		{"list", []string{"box:/Reports", "--drive", "d1"}, "--drive is a OneDrive/SharePoint flag; box:/Reports is a Box item"},
		{"list", []string{"box:/Reports", "--all"}, "--all is a OneDrive/SharePoint flag; box:/Reports is a Box item"},
		{"create", []string{"box:/Reports/q3.xlsx", "--type", "view", "--scope", "users", "--recipient", "megan@contoso.com"},
			"--recipient is a OneDrive/SharePoint flag; box:/Reports/q3.xlsx is a Box item"},
		{"create", []string{"box:/Reports/q3.xlsx", "/Docs/a.txt", "--type", "embed"}, "--type embed has no Box equivalent: Box links are view (download allowed), blocksDownload (preview only) or edit (files only)"},
		{"create", []string{"/Docs/a.txt", "box:/Reports/q3.xlsx", "--type", "view", "--user", "megan@contoso.com"},
			"--user is a OneDrive/SharePoint flag; box:/Reports/q3.xlsx is a Box item"},
		{"update", []string{"box:/Reports/q3.xlsx", "--role", "read"}, "--role is a OneDrive/SharePoint flag; box:/Reports/q3.xlsx is a Box item"},
	} {
		e := withBoxLike(t)
		cmds := map[string]func() error{
			"list":   func() error { return cmdtest.Execute(e, newCmdList(e.Factory, nil), tc.args) },
			"create": func() error { return cmdtest.Execute(e, newCmdCreate(e.Factory, nil), tc.args) },
			"update": func() error { return cmdtest.Execute(e, newCmdUpdate(e.Factory, nil), tc.args) },
		}
		err := cmds[tc.cmd]()
		var fe *cmdutil.FlagError
		if !errors.As(err, &fe) || err.Error() != tc.want {
			t.Errorf("link %s %q: err = %v, want usage error %q", tc.cmd, tc.args, err, tc.want)
		}
	}
}

// TestSecondProviderItemsMixed: one bulk run takes both providers' items, each parsed by its own.
func TestSecondProviderItemsMixed(t *testing.T) {
	e := withBoxLike(t)
	var got *CreateOptions
	cmd := newCmdCreate(e.Factory, func(_ context.Context, o *CreateOptions) error { got = o; return nil })
	if err := cmdtest.Execute(e, cmd, []string{"/Docs/a.txt", "box:/Reports/q3.xlsx", "https://1drv.ms/f/s!AbC", "--type", "view"}); err != nil {
		t.Fatal(err)
	}
	var providers []string
	for _, it := range got.Bulk {
		providers = append(providers, it.Provider)
	}
	if strings.Join(providers, ",") != "graph,box,graph" || got.Bulk[1].Kind != sharing.ByPath || !got.Bulk[1].OneLink {
		t.Errorf("items = %+v", got.Bulk)
	}
}

package link

import (
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
)

// TestDeleteNoticeSanitizesGraphNames: the "inherited from" notice on stderr names a folder from
// Graph; an escape sequence in that name must be shown escaped, never sent to the terminal.
func TestDeleteNoticeSanitizesGraphNames(t *testing.T) {
	hostile := "Evil\x1b]0;PWNED\a\x1b[2J"
	fx := &emulator.Fixture{
		Me:    "adele@contoso.example",
		Users: []emulator.FixtureUser{{ID: "u1", UserPrincipalName: "adele@contoso.example", DisplayName: "Adele"}},
		Drives: []emulator.FixtureDrive{{ID: "d1", DriveType: emulator.DriveTypePersonal, Owner: "u1",
			Items: []emulator.FixtureItem{{Name: hostile, Folder: true,
				Permissions: []emulator.FixturePermission{{ID: "p1", ShareID: "s!p1",
					Link: &emulator.FixtureLink{Type: "view", Scope: "anonymous", WebURL: "https://1drv.ms/f/s!p1"}}},
				Children: []emulator.FixtureItem{{ID: "child1", Name: "a.txt", Size: 1}}}}}},
	}
	e := cmdtest.WithEmulatorOptions(t, emulator.Options{Seed: fx, RandomSeed: 1})
	cmd := newCmdDelete(e.Factory, nil)
	cmd.SetArgs([]string{"child1", "--type", "view", "--yes"})
	cmd.SilenceUsage = true
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v; stderr %q", err, e.ErrOut.String())
	}
	stderr := e.ErrOut.String()
	if !strings.Contains(stderr, "inherited") {
		t.Fatalf("no inherited notice: %q", stderr)
	}
	if strings.ContainsAny(stderr, "\x1b\a") {
		t.Errorf("raw control characters reached stderr: %q", stderr)
	}
	if !strings.Contains(stderr, `\x1b`) {
		t.Errorf("the escape is not shown escaped: %q", stderr)
	}
}

package cmdutil_test

import (
	"context"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
)

// A Graph that does not answer never holds the shell: completion gives up after its timeout with
// nothing to offer, and nothing is cached, so the next Tab tries again.
func TestCompletionGivesUpOnASlowGraph(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	defer cmdutil.SetCompleteTimeout(100 * time.Millisecond)()
	f, err := emulator.ParseFault("latency=3s,path=/me/drive/root/children")
	if err != nil {
		t.Fatal(err)
	}
	e := cmdtest.WithEmulatorOptions(t, emulator.Options{RandomSeed: 1, Faults: []emulator.Fault{f}})
	complete := e.Factory.CompleteItems(&cmdutil.DriveFlags{}, true)
	cmd := &cobra.Command{}
	cmd.SetContext(context.Background())
	start := time.Now()
	got, dir := complete(cmd, nil, "/")
	if len(got) != 0 || dir != cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace {
		t.Errorf("got %q, %v", got, dir)
	}
	if d := time.Since(start); d >= 3*time.Second {
		t.Errorf("completion waited %v for Graph", d)
	}
	// Graph answers now: the listing comes, so the failure was not cached.
	e.Emu.ClearFaults()
	if got, _ := complete(cmd, nil, "/Re"); len(got) != 1 || got[0] != "/Reports/" {
		t.Errorf("after the fault: %q", got)
	}
}
